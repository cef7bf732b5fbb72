//! The encoder against what Go itself wrote: every package blob, meta-data file and counter file
//! of the fixtures, decoded and re-encoded, comes back byte for byte.

use covdata::encode::{
    meta_file_name, write_meta_file, CounterFileWriter, HashAlgo, PackageBuilder,
};
use covdata::{CounterFile, FuncDesc, MetaFile};
use testkit::CoverMode;

/// The hash the compiler of `go` uses inside package blobs.
fn algo(go: &testkit::GoToolchain) -> HashAlgo {
    if go.minor() >= 24 {
        HashAlgo::Fnv128a
    } else {
        HashAlgo::Md5
    }
}

fn check_dir(go: &testkit::GoToolchain, dir: &camino::Utf8Path) -> (usize, usize) {
    let (mut metas, mut counters) = (0, 0);
    for entry in dir.read_dir_utf8().unwrap() {
        let path = entry.unwrap().into_path();
        let name = path.file_name().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        if name.starts_with("covmeta.") {
            let meta = MetaFile::parse(&bytes).unwrap();
            assert_eq!(name, meta_file_name(meta.hash()));
            let mut blobs = Vec::new();
            for pkg in meta.packages() {
                let pkg = pkg.unwrap();
                let mut b =
                    PackageBuilder::new(algo(go), pkg.path(), pkg.name(), pkg.module_path())
                        .unwrap();
                let mut fd = FuncDesc::default();
                for i in 0..pkg.num_funcs() {
                    pkg.read_func(i, &mut fd).unwrap();
                    b.add_func(&fd);
                }
                let blob = b.finish().unwrap();
                assert_eq!(blob, pkg.bytes(), "{path}: package {}", pkg.path());
                blobs.push(blob);
            }
            // The runtime's file hash also covers mode and granularity; keep it as is.
            let again =
                write_meta_file(&blobs, meta.hash(), meta.counter_mode(), meta.granularity())
                    .unwrap();
            assert!(again == bytes, "{path}: re-encoded meta-data file differs");
            metas += 1;
        } else if name.starts_with("covcounters.") {
            let file = CounterFile::parse(&bytes).unwrap();
            let mut w = CounterFileWriter::new(file.meta_hash(), file.flavor());
            for seg in file.segments() {
                let seg = seg.unwrap();
                // The runtime interns each key then its value, in map order: replaying the pairs
                // in the order their keys appear in the file's string table reproduces it.
                let strings: Vec<&str> = seg.strings().iter().collect();
                let mut args = seg.raw_args().to_vec();
                args.sort_by_key(|(k, _)| {
                    let k = String::from_utf8_lossy(k);
                    strings.iter().position(|s| *s == k)
                });
                let funcs: Vec<_> = seg
                    .funcs()
                    .map(|r| {
                        let r = r.unwrap();
                        (r.pkg_idx, r.func_idx, r.counters.to_vec())
                    })
                    .collect();
                w.append_segment(args, funcs).unwrap();
            }
            assert!(
                w.finish() == bytes,
                "{path}: re-encoded counter file differs"
            );
            counters += 1;
        }
    }
    (metas, counters)
}

#[test]
fn reencoding_go_output_is_byte_identical() {
    let go = testkit::go();
    for fixture in testkit::fixture_names() {
        for mode in CoverMode::ALL {
            let dir = testkit::covdata(&go, &fixture, mode);
            let (metas, counters) = check_dir(&go, &dir.path);
            assert!(metas > 0 && counters > 0, "{fixture} {mode}: no data");
            eprintln!("{fixture} {mode}: {metas} meta-data files, {counters} counter files");
        }
    }
}

/// Go 1.21 to 1.23 hash with MD5: the same check against the oldest supported release.
#[test]
fn reencoding_go121_output_is_byte_identical() {
    let go = testkit::go_release("1.21.13");
    let dir = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (metas, counters) = check_dir(&go, &dir.path);
    assert!(metas > 0 && counters > 0);
}
