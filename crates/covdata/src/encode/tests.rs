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

mod props {
    use std::collections::BTreeMap;

    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;

    use super::super::*;
    use crate::decode::meta::FuncDesc;
    use crate::format::{CounterFlavor, CounterGranularity, CounterMode, CoverableUnit};
    use crate::{CounterFile, MetaFile};

    #[derive(Debug, Clone)]
    struct Func {
        name: String,
        file: String,
        literal: bool,
        units: Vec<CoverableUnit>,
    }

    impl Func {
        fn desc(&self) -> FuncDesc<'_> {
            FuncDesc {
                name: &self.name,
                file: &self.file,
                literal: self.literal,
                units: self.units.clone(),
            }
        }
    }

    #[derive(Debug, Clone)]
    struct Package {
        path: String,
        name: String,
        module: String,
        funcs: Vec<Func>,
    }

    fn unit() -> impl Strategy<Value = CoverableUnit> {
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
        )
            .prop_map(|(a, b, c, d, n)| CoverableUnit {
                start_line: a,
                start_col: b,
                end_line: c,
                end_col: d,
                num_stmts: n,
            })
    }

    fn func() -> impl Strategy<Value = Func> {
        // Few distinct names and files, so interning is exercised.
        (
            "[a-c]{0,3}",
            prop_oneof![
                Just("a.go".to_owned()),
                Just("ü/b.go".to_owned()),
                ".{0,20}"
            ],
            any::<bool>(),
            vec(unit(), 0..6),
        )
            .prop_map(|(name, file, literal, units)| Func {
                name,
                file,
                literal,
                units,
            })
    }

    fn package() -> impl Strategy<Value = Package> {
        (".{1,30}", "[a-z]{0,5}", ".{0,30}", vec(func(), 0..12)).prop_map(
            |(path, name, module, funcs)| Package {
                path,
                name,
                module,
                funcs,
            },
        )
    }

    fn mode() -> impl Strategy<Value = CounterMode> {
        prop_oneof![
            Just(CounterMode::Set),
            Just(CounterMode::Count),
            Just(CounterMode::Atomic)
        ]
    }

    fn algo() -> impl Strategy<Value = HashAlgo> {
        prop_oneof![Just(HashAlgo::Md5), Just(HashAlgo::Fnv128a)]
    }

    fn build(algo: HashAlgo, p: &Package) -> Vec<u8> {
        let mut b = PackageBuilder::new(algo, &p.path, &p.name, &p.module).unwrap();
        for (i, f) in p.funcs.iter().enumerate() {
            assert_eq!(b.add_func(&f.desc()), i as u32);
        }
        b.finish().unwrap()
    }

    type Segment = (
        BTreeMap<String, Vec<u8>>,
        Vec<String>,
        Vec<(u32, u32, Vec<u32>)>,
    );

    fn segment() -> impl Strategy<Value = Segment> {
        (
            // Values are any bytes: os.Args need not be UTF-8.
            btree_map("[A-Zb-z][a-z0-9]{0,6}", vec(any::<u8>(), 0..12), 0..5),
            vec(".{0,10}", 0..4),
            vec((any::<u32>(), any::<u32>(), vec(any::<u32>(), 0..8)), 0..10),
        )
    }

    proptest! {
        #[test]
        fn meta_file_round_trips(
            algo in algo(),
            mode in mode(),
            perfunc in any::<bool>(),
            pkgs in vec(package(), 0..5),
        ) {
            let blobs: Vec<Vec<u8>> = pkgs.iter().map(|p| build(algo, p)).collect();
            let hash = meta_file_hash(algo, &blobs);
            let gran = if perfunc { CounterGranularity::PerFunc } else { CounterGranularity::PerBlock };
            let bytes = write_meta_file(&blobs, hash, mode, gran).unwrap();
            let meta = MetaFile::parse(&bytes).unwrap();
            prop_assert_eq!(meta.hash(), hash);
            prop_assert_eq!(meta.counter_mode(), mode);
            prop_assert_eq!(meta.granularity(), gran);
            prop_assert_eq!(meta.num_packages() as usize, pkgs.len());
            for (i, p) in pkgs.iter().enumerate() {
                let dp = meta.package(i as u32).unwrap();
                prop_assert_eq!(dp.path(), p.path.as_str());
                prop_assert_eq!(dp.name(), p.name.as_str());
                prop_assert_eq!(dp.module_path(), p.module.as_str());
                prop_assert_eq!(dp.bytes(), blobs[i].as_slice());
                prop_assert_eq!(dp.num_funcs() as usize, p.funcs.len());
                let mut again = PackageBuilder::new(algo, dp.path(), dp.name(), dp.module_path()).unwrap();
                for (j, f) in p.funcs.iter().enumerate() {
                    let d = dp.func(j as u32).unwrap();
                    prop_assert_eq!(&d, &f.desc());
                    again.add_func(&d);
                }
                // Re-encoding what was decoded gives the same bytes.
                prop_assert_eq!(again.finish().unwrap(), blobs[i].clone());
            }
        }

        #[test]
        fn counter_file_round_trips(
            hash in any::<[u8; 16]>(),
            raw in any::<bool>(),
            segments in vec(segment(), 1..4),
        ) {
            let flavor = if raw { CounterFlavor::Raw } else { CounterFlavor::Uleb128 };
            let mut w = CounterFileWriter::new(MetaHash(hash), flavor);
            let mut expected_args = Vec::new();
            for (extra, os_args, funcs) in &segments {
                let mut args: BTreeMap<String, Vec<u8>> = extra.clone();
                if !os_args.is_empty() {
                    args.insert("argc".into(), os_args.len().to_string().into_bytes());
                    for (i, a) in os_args.iter().enumerate() {
                        args.insert(format!("argv{i}"), a.clone().into_bytes());
                    }
                }
                w.append_segment(args.iter(), funcs.iter().map(|(p, f, c)| (*p, *f, c))).unwrap();
                expected_args.push(args);
            }
            prop_assert_eq!(w.num_segments() as usize, segments.len());
            let bytes = w.finish();
            let file = CounterFile::parse(&bytes).unwrap();
            prop_assert_eq!(file.meta_hash(), MetaHash(hash));
            prop_assert_eq!(file.flavor(), flavor);
            prop_assert_eq!(file.num_segments() as usize, segments.len());
            let mut n = 0;
            for (seg, ((_, os_args, funcs), args)) in file.segments().zip(segments.iter().zip(&expected_args)) {
                let seg = seg.unwrap();
                let got_args: BTreeMap<String, Vec<u8>> = seg
                    .raw_args()
                    .iter()
                    .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), v.to_vec()))
                    .collect();
                prop_assert_eq!(&got_args, args);
                prop_assert_eq!(seg.os_args(), os_args.as_slice());
                let got: Vec<(u32, u32, Vec<u32>)> = seg
                    .funcs()
                    .map(|r| r.map(|r| (r.pkg_idx, r.func_idx, r.counters.to_vec())))
                    .collect::<Result<_, _>>()
                    .unwrap();
                prop_assert_eq!(&got, funcs);
                n += 1;
            }
            prop_assert_eq!(n, segments.len());
        }
    }
}
