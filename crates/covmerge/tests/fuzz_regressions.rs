//! The fuzz targets' harnesses (`fuzz/src/lib.rs`) on stable Rust, over every input that once
//! made one fail (`fuzz/regressions/<target>/`) and the seed corpora (`fuzz/corpus/<target>/`).

#[path = "../../../fuzz/src/lib.rs"]
mod harness;

use camino::Utf8PathBuf;

fn inputs(target: &str) -> Vec<(Utf8PathBuf, Vec<u8>)> {
    let root = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    let dirs = [
        (root.join("regressions").join(target), false),
        (root.join("corpus").join(target), true),
    ];
    for (dir, seeds_only) in dirs {
        let Ok(entries) = dir.read_dir_utf8() else {
            continue;
        };
        for e in entries {
            let e = e.unwrap();
            // Only the kept seeds of the corpus; a local fuzzing run adds many more files.
            if seeds_only && !e.file_name().starts_with("seed-") {
                continue;
            }
            out.push((e.path().to_owned(), std::fs::read(e.path()).unwrap()));
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no inputs for {target} under {root}");
    out
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{target}: {path} fails again");
    }
}

#[test]
fn meta() {
    replay("meta", harness::meta);
}

#[test]
fn counters() {
    replay("counters", harness::counters);
}

#[test]
fn text_profile() {
    replay("text_profile", harness::text_profile);
}

#[test]
fn read_dir() {
    replay("read_dir", harness::read_dir);
}
