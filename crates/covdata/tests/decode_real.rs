//! The decoders read what real Go programs write, with the Go on PATH and with Go 1.21.

use std::collections::BTreeSet;

use camino::Utf8Path;
use covdata::{collect_pods, CounterFile, FileBytes, MetaFile};
use testkit::{covdata, fixture_names, go, go_release, CoverMode, GoToolchain};

fn go_pkglist(tc: &GoToolchain, dir: &Utf8Path) -> BTreeSet<String> {
    let sh = xshell::Shell::new().unwrap();
    tc.cmd(&sh)
        .args(["tool", "covdata", "pkglist"])
        .arg(format!("-i={dir}"))
        .read()
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Decode every file of every pod completely; return the package paths seen.
fn decode_all(dir: &Utf8Path) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let pods = collect_pods(&[dir]).unwrap();
    assert!(!pods.is_empty(), "{dir}: no pods");
    for pod in pods {
        let bytes = FileBytes::open(&pod.meta_file).unwrap();
        let meta = MetaFile::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", pod.meta_file));
        assert_eq!(meta.hash().to_string(), pod.tag);
        let mut funcs_per_pkg = Vec::new();
        for pkg in meta.packages() {
            let pkg = pkg.unwrap();
            paths.insert(pkg.path().to_owned());
            let mut n_units = Vec::new();
            for f in pkg.funcs() {
                let f = f.unwrap();
                assert!(!f.name.is_empty() && !f.file.is_empty());
                n_units.push(f.units.len());
            }
            funcs_per_pkg.push(n_units);
        }
        for cf in &pod.counter_files {
            let bytes = FileBytes::open(&cf.path).unwrap();
            let file = CounterFile::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", cf.path));
            assert_eq!(file.meta_hash(), meta.hash());
            let mut segs = 0;
            for seg in file.segments() {
                let seg = seg.unwrap();
                segs += 1;
                assert!(seg.goos().is_some() && seg.goarch().is_some());
                assert!(!seg.os_args().is_empty());
                for rec in seg.funcs() {
                    let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", cf.path));
                    let units = funcs_per_pkg[rec.pkg_idx as usize][rec.func_idx as usize];
                    assert_eq!(rec.counters.len(), units);
                    assert!(rec.counters.iter().any(|c| c != 0) || units == 0);
                }
            }
            assert_eq!(segs, file.num_segments());
        }
    }
    paths
}

fn check(tc: &GoToolchain) {
    for fixture in fixture_names() {
        for mode in CoverMode::ALL {
            let dir = covdata(tc, &fixture, mode);
            assert_eq!(
                decode_all(&dir.path),
                go_pkglist(tc, &dir.path),
                "{fixture} {mode} with {}",
                tc.version
            );
        }
    }
}

#[test]
fn decodes_data_of_the_go_on_path() {
    check(&go());
}

#[test]
fn decodes_data_of_go_1_21() {
    check(&go_release("1.21.13"));
}
