use super::*;
use crate::decode::meta::FuncDesc;
use crate::format::{CounterFlavor, CounterGranularity, CounterMode, CoverableUnit};
use crate::{CounterFile, MetaFile};

fn unit(a: u32, b: u32, c: u32, d: u32, n: u32) -> CoverableUnit {
    CoverableUnit {
        start_line: a,
        start_col: b,
        end_line: c,
        end_col: d,
        num_stmts: n,
    }
}

#[test]
fn package_blob_decodes() {
    let mut b =
        PackageBuilder::new(HashAlgo::Fnv128a, "example.com/p", "p", "example.com").unwrap();
    let f0 = FuncDesc {
        name: "small",
        file: "example.com/p/p.go",
        literal: false,
        units: vec![unit(6, 2, 8, 12, 2), unit(9, 3, 9, 11, 1)],
    };
    let f1 = FuncDesc {
        name: "Medium.func1",
        file: "example.com/p/p.go",
        literal: true,
        units: vec![unit(15, 2, 19, 14, 5)],
    };
    assert_eq!(b.add_func(&f0), 0);
    assert_eq!(b.add_func(&f1), 1);
    let blob = b.finish().unwrap();
    let hash = meta_file_hash(HashAlgo::Fnv128a, &[&blob]);
    let file = write_meta_file(
        &[&blob],
        hash,
        CounterMode::Count,
        CounterGranularity::PerBlock,
    )
    .unwrap();
    let meta = MetaFile::parse(&file).unwrap();
    assert_eq!(meta.hash(), hash);
    assert_eq!(meta.counter_mode(), CounterMode::Count);
    let pkg = meta.package(0).unwrap();
    assert_eq!(pkg.path(), "example.com/p");
    assert_eq!(pkg.name(), "p");
    assert_eq!(pkg.module_path(), "example.com");
    assert_eq!(pkg.func(0).unwrap(), f0);
    assert_eq!(pkg.func(1).unwrap(), f1);
    assert_eq!(pkg.bytes(), &blob[..]);
}

#[test]
fn empty_package_path_is_refused() {
    assert_eq!(
        PackageBuilder::new(HashAlgo::Md5, "", "p", "m").unwrap_err(),
        EncodeError::EmptyPackagePath
    );
}

#[test]
fn counter_file_decodes() {
    for flavor in [CounterFlavor::Uleb128, CounterFlavor::Raw] {
        let hash = MetaHash([7; 16]);
        let mut w = CounterFileWriter::new(hash, flavor);
        w.append_segment(
            [("argc", "1"), ("argv0", "/bin/prog"), ("GOOS", "linux")],
            [(0u32, 0u32, vec![1u32, 0, 300]), (1, 4, vec![u32::MAX])],
        )
        .unwrap();
        let bytes = w.finish();
        let file = CounterFile::parse(&bytes).unwrap();
        assert_eq!(file.meta_hash(), hash);
        assert_eq!(file.flavor(), flavor);
        let seg = file.first_segment().unwrap();
        assert_eq!(seg.os_args(), ["/bin/prog"]);
        assert_eq!(seg.goos(), Some("linux"));
        let funcs: Vec<_> = seg
            .funcs()
            .map(|f| {
                let f = f.unwrap();
                (f.pkg_idx, f.func_idx, f.counters.to_vec())
            })
            .collect();
        assert_eq!(funcs, [(0, 0, vec![1, 0, 300]), (1, 4, vec![u32::MAX])]);
    }
}

#[test]
fn duplicate_arg_is_refused() {
    let mut w = CounterFileWriter::new(MetaHash::default(), CounterFlavor::Uleb128);
    let err = w
        .append_segment(
            [("a", "1"), ("a", "2")],
            std::iter::empty::<(u32, u32, &[u32])>(),
        )
        .unwrap_err();
    assert_eq!(err, EncodeError::DuplicateArg("a".into()));
}

#[test]
fn names_are_gos() {
    let h = MetaHash([0xab; 16]);
    assert_eq!(meta_file_name(h), format!("covmeta.{}", "ab".repeat(16)));
    assert_eq!(
        counter_file_name(h, 0, 1700000000000000000),
        format!("covcounters.{}.0.1700000000000000000", "ab".repeat(16))
    );
}
