//! What each fuzz target runs, as plain functions so the stable test suite can replay the saved
//! crashes and seeds (`crates/covmerge/tests/fuzz_regressions.rs` includes this file).
//!
//! Beyond "no panic", each harness checks properties that hold for any input:
//! - every decoding error points inside the file (offset <= length);
//! - what decodes re-encodes and decodes to the same values;
//! - a directory that reads also merges, and the merged directory reads the same (lossless).

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::covdata::encode::{
    meta_file_hash, write_meta_file, CounterFileWriter, HashAlgo, PackageBuilder,
};
use covmerge::covdata::{CounterFile, FormatError, FuncDesc, MetaFile};
use covmerge::profile;

fn check_error(e: &FormatError, len: usize) {
    // Rendering must not panic either.
    let _ = e.to_string();
    assert!(
        e.offset <= len as u64,
        "error offset {} past the end of a {len}-byte file: {e}",
        e.offset
    );
}

/// The meta-data decoder: header, package tables, every package and function.
pub fn meta(data: &[u8]) {
    let file = match MetaFile::parse(data) {
        Ok(f) => f,
        Err(e) => return check_error(&e, data.len()),
    };
    let _ = (file.hash(), file.counter_mode(), file.granularity());
    let _ = file.strings().iter().count();
    let mut blobs = Vec::new();
    let mut decoded = Vec::new();
    for pkg in file.packages() {
        let pkg = match pkg {
            Ok(p) => p,
            Err(e) => return check_error(&e, data.len()),
        };
        let mut funcs = Vec::new();
        let mut fd = FuncDesc::default();
        for i in 0..pkg.num_funcs() {
            match pkg.read_func(i, &mut fd) {
                Ok(()) => funcs.push(fd.clone()),
                Err(e) => return check_error(&e, data.len()),
            }
        }
        // One past the end is an error, not a panic.
        assert!(pkg.read_func(pkg.num_funcs(), &mut fd).is_err());
        // Re-encode the package and read it back: same names, same functions.
        let Ok(mut b) =
            PackageBuilder::new(HashAlgo::Md5, pkg.path(), pkg.name(), pkg.module_path())
        else {
            continue;
        };
        for f in &funcs {
            b.add_func(f);
        }
        let Ok(blob) = b.finish() else { continue };
        decoded.push((
            pkg.path().to_owned(),
            pkg.name().to_owned(),
            pkg.module_path().to_owned(),
            funcs
                .iter()
                .map(|f| {
                    (
                        f.name.to_owned(),
                        f.file.to_owned(),
                        f.literal,
                        f.units.clone(),
                    )
                })
                .collect::<Vec<_>>(),
        ));
        blobs.push(blob);
    }
    let hash = meta_file_hash(HashAlgo::Md5, &blobs);
    let again = write_meta_file(&blobs, hash, file.counter_mode(), file.granularity())
        .expect("re-encoding decoded packages");
    let reread = MetaFile::parse(&again).expect("our own encoding decodes");
    let mut fd = FuncDesc::default();
    for (pkg, want) in reread.packages().zip(&decoded) {
        let pkg = pkg.expect("our own package decodes");
        assert_eq!(
            (pkg.path(), pkg.name(), pkg.module_path()),
            (&*want.0, &*want.1, &*want.2)
        );
        assert_eq!(pkg.num_funcs() as usize, want.3.len());
        for (i, (name, file, literal, units)) in want.3.iter().enumerate() {
            pkg.read_func(i as u32, &mut fd)
                .expect("our own function decodes");
            assert_eq!(
                (fd.name, fd.file, fd.literal, &fd.units),
                (&**name, &**file, *literal, units)
            );
        }
    }
}

/// The counter-data decoder: header, footer, every segment, its args and records.
pub fn counters(data: &[u8]) {
    let file = match CounterFile::parse(data) {
        Ok(f) => f,
        Err(e) => return check_error(&e, data.len()),
    };
    let _ = (file.meta_hash(), file.flavor(), file.num_segments());
    if let Err(e) = file.first_segment() {
        return check_error(&e, data.len());
    }
    let mut segments = Vec::new();
    for seg in file.segments() {
        let seg = match seg {
            Ok(s) => s,
            Err(e) => return check_error(&e, data.len()),
        };
        let _ = (
            seg.goos(),
            seg.goarch(),
            seg.os_args().len(),
            seg.strings().len(),
        );
        let mut records = Vec::new();
        for rec in seg.funcs() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => return check_error(&e, data.len()),
            };
            assert!(rec.offset < data.len() as u64);
            let values = rec.counters.to_vec();
            assert_eq!(values.len(), rec.counters.len());
            // zip_into hands over the same values as the iterator.
            let mut seen = vec![0u32; values.len()];
            rec.counters.zip_into(&mut seen, |d, v| *d = v);
            assert_eq!(seen, values);
            records.push((rec.pkg_idx, rec.func_idx, values));
        }
        let args: Vec<(Vec<u8>, Vec<u8>)> = seg
            .raw_args()
            .iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        segments.push((args, records));
    }
    // Re-encode every segment and read it back.
    let mut w = CounterFileWriter::new(file.meta_hash(), file.flavor());
    for (args, records) in &segments {
        if w.append_segment(
            args.clone(),
            records.iter().map(|(p, f, v)| (*p, *f, v.as_slice())),
        )
        .is_err()
        {
            return;
        }
    }
    let again = w.finish();
    let reread = CounterFile::parse(&again).expect("our own encoding decodes");
    let mut n = 0;
    for (seg, (args, records)) in reread.segments().zip(&segments) {
        let seg = seg.expect("our own segment decodes");
        let got_args: Vec<(&[u8], &[u8])> = seg.raw_args().to_vec();
        let mut want_args: Vec<(&[u8], &[u8])> =
            args.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        want_args.sort();
        assert_eq!(got_args, want_args);
        let got: Vec<_> = seg
            .funcs()
            .map(|r| r.map(|r| (r.pkg_idx, r.func_idx, r.counters.to_vec())))
            .collect::<Result<_, _>>()
            .expect("our own records decode");
        assert_eq!(&got, records);
        n += 1;
    }
    assert_eq!(n, segments.len());
}

/// The text-profile parser, the Go-format emitters over what it parsed, and a round trip.
pub fn text_profile(data: &[u8]) {
    let _ = profile::text::is_text_profile(data);
    let p = match profile::text::parse(data, "fuzz.out") {
        Ok(p) => p,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let mut sink = Vec::new();
    let _ = profile::gofmt::emit_textual(&p, &mut sink);
    let _ = profile::gofmt::emit_percent(&p, &mut sink);
    let _ = profile::gofmt::emit_funcs(&p, &mut sink);
    let _ = profile::gofmt::emit_pkglist(&p, &mut sink);
    let text = profile::text::to_string(&p);
    let again = profile::text::parse(text.as_bytes(), "again.out")
        .unwrap_or_else(|e| panic!("our own output does not parse: {e}\n{text}"));
    assert_eq!(again.mode(), p.mode());
    assert_eq!(profile::text::flatten(&again), profile::text::flatten(&p));
}

/// Scratch directories for [`read_dir`], made once per process.
struct Dirs {
    _tmp: tempfile::TempDir,
    input: Utf8PathBuf,
    merged: Utf8PathBuf,
}

fn dirs() -> &'static Dirs {
    static DIRS: std::sync::OnceLock<Dirs> = std::sync::OnceLock::new();
    DIRS.get_or_init(|| {
        let tmp = tempfile::Builder::new()
            .prefix("intcov-fuzz-")
            .tempdir()
            .expect("temp dir");
        let root = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).expect("UTF-8 temp dir");
        Dirs {
            input: root.join("in"),
            merged: root.join("merged"),
            _tmp: tmp,
        }
    })
}

fn reset(dir: &Utf8Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("scratch dir");
}

/// Split a fuzz input into files: a sequence of (u32 little-endian length, bytes); the first is
/// the meta-data file, the others counter files of the same program. A length past the end
/// takes the rest.
pub fn split_files(data: &[u8]) -> Vec<&[u8]> {
    let mut files = Vec::new();
    let mut rest = data;
    while rest.len() >= 4 && files.len() < 8 {
        let n = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        rest = &rest[4..];
        let n = n.min(rest.len());
        files.push(&rest[..n]);
        rest = &rest[n..];
    }
    files
}

fn read(dir: &Utf8Path) -> Result<Option<profile::Profile>, covmerge::Error> {
    let opts = covmerge::ReadOptions::default();
    covmerge::read_profile(&[dir], &opts, &mut |w| {
        let _ = w.to_string();
    })
}

/// A whole directory: read it as `textfmt` does; when that works, merge it and check that the
/// merged directory reads the same.
pub fn read_dir(data: &[u8]) {
    let files = split_files(data);
    let Some((meta, counters)) = files.split_first() else {
        return;
    };
    let d = dirs();
    reset(&d.input);
    // One tag for all, so that the counter files always belong to the meta-data file.
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(d.input.join(name), bytes).expect("writing a scratch file");
    };
    write("covmeta.f0", meta);
    for (i, c) in counters.iter().enumerate() {
        write(&format!("covcounters.f0.{i}.{i}"), c);
    }
    // Keep-going mode never fails on bad data, leaves out only what strict reading refuses,
    // and otherwise reads the same.
    let mut skipped = Vec::new();
    let lenient = covmerge::read_profile(
        &[&d.input],
        &covmerge::ReadOptions {
            skip_bad: true,
            ..covmerge::ReadOptions::default()
        },
        &mut |w| {
            if let covmerge::Warning::Skipped { file, .. } = w {
                skipped.push(file);
            }
        },
    )
    .unwrap_or_else(|e| panic!("skip-bad read failed: {e}"));
    let profile = match read(&d.input) {
        Ok(p) => p,
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains(d.input.as_str()), "error names no file: {msg}");
            assert!(
                !skipped.is_empty(),
                "strict read failed, skip-bad skipped nothing: {msg}"
            );
            return;
        }
    };
    assert!(
        skipped.is_empty(),
        "strict read fine, skip-bad skipped {skipped:?}"
    );
    assert_eq!(
        lenient.as_ref().map(profile::text::to_string),
        profile.as_ref().map(profile::text::to_string),
        "skip-bad read differs"
    );
    if let Some(p) = &profile {
        let mut sink = Vec::new();
        profile::gofmt::emit_textual(p, &mut sink).expect("emit");
        profile::gofmt::emit_percent(p, &mut sink).expect("emit");
        profile::gofmt::emit_funcs(p, &mut sink).expect("emit");
    }
    reset(&d.merged);
    let opts = covmerge::ops::Options::new(covmerge::ops::Operation::Merge { pcombine: false });
    if let Err(e) = covmerge::ops::run(&[&d.input], &d.merged, &opts) {
        // Reading checks a function's counter count against its units; merging alone does not
        // read units, and reading checks every segment too; anything else read fine must merge.
        panic!("read fine but merge failed: {e}");
    }
    let merged = read(&d.merged).unwrap_or_else(|e| panic!("merged output does not read: {e}"));
    match (&profile, &merged) {
        (Some(a), Some(b)) => assert_eq!(
            profile::text::to_string(a),
            profile::text::to_string(b),
            "merge lost or changed coverage"
        ),
        (a, b) => assert_eq!(a.is_some(), b.is_some()),
    }
}
