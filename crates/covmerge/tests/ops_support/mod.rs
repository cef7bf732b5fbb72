//! Helpers shared by the ops tests: running `go tool covdata` as the oracle, splitting a
//! GOCOVERDIR into several inputs, and normalizing what differs between runs.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::{Command, Output};

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::ops::{self, Operation, Options, Selection};
use testkit::GoToolchain;

pub fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-ops-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

/// `go tool covdata ARGS`, whatever its exit status.
pub fn covdata(go: &GoToolchain, args: &[&str]) -> Output {
    Command::new(&go.go)
        .args(["tool", "covdata"])
        .args(args)
        .env("GOROOT", go.goroot())
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", go.go))
}

/// `go tool covdata ARGS`, which must succeed.
pub fn covdata_ok(go: &GoToolchain, args: &[&str]) -> String {
    let out = covdata(go, args);
    assert!(
        out.status.success(),
        "go tool covdata {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text profile Go makes of `dirs`.
pub fn textfmt(go: &GoToolchain, dirs: &[&Utf8Path]) -> String {
    let (_t, tmp) = tempdir();
    let out = tmp.join("profile.txt");
    let inputs = join(dirs);
    covdata_ok(
        go,
        &["textfmt", &format!("-i={inputs}"), &format!("-o={out}")],
    );
    std::fs::read_to_string(out).unwrap()
}

/// Go's debug dump of one directory with the directory and the nanotimes taken out: every
/// field of every file, as Go reads it.
pub fn debugdump(go: &GoToolchain, dir: &Utf8Path) -> String {
    let dump = covdata_ok(go, &["debugdump", &format!("-i={dir}")]);
    let mut out = String::new();
    for line in dump.lines() {
        if line.contains("produced by:") || line.contains(" *\t") {
            continue;
        }
        let line = line.replace(dir.as_str(), "DIR");
        out.push_str(&strip_nanotime(&line));
        out.push('\n');
    }
    out
}

/// `covcounters.H.PID.NANOTIME` → `covcounters.H.PID.N` anywhere in `s`.
pub fn strip_nanotime(s: &str) -> String {
    let mut out = String::new();
    for word in s.split_inclusive(|c: char| c.is_whitespace() || c == '/') {
        let trimmed = word.trim_end_matches(|c: char| c.is_whitespace() || c == '/');
        if trimmed.starts_with("covcounters.") {
            if let Some((head, _)) = trimmed.rsplit_once('.') {
                out.push_str(head);
                out.push_str(".N");
                out.push_str(&word[trimmed.len()..]);
                continue;
            }
        }
        out.push_str(word);
    }
    out
}

pub fn join(dirs: &[&Utf8Path]) -> String {
    dirs.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn files(dir: &Utf8Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = dir
        .read_dir_utf8()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// The names in `dir`, nanotimes taken out, sorted.
pub fn names(dir: &Utf8Path) -> Vec<String> {
    let mut v: Vec<String> = files(dir)
        .into_iter()
        .map(|(n, _)| strip_nanotime(&n))
        .collect();
    v.sort();
    v
}

/// The meta-data files of `dir`, by name.
pub fn metas(dir: &Utf8Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|(n, _)| n.starts_with("covmeta."))
        .collect()
}

/// The meta-data hash a file name carries.
pub fn hash_of(name: &str) -> &str {
    name.split('.').nth(1).unwrap_or("")
}

/// Copy `src` into `n` new directories under `root`: every meta-data file into each, the
/// counter files of each program dealt round-robin starting with directory 0 (so when there
/// are at least `n` counter files, every directory gets some of every program).
pub fn split(src: &Utf8Path, root: &Utf8Path, n: usize) -> Vec<Utf8PathBuf> {
    let dirs: Vec<Utf8PathBuf> = (0..n).map(|i| root.join(format!("in{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let mut dealt: BTreeMap<String, usize> = BTreeMap::new();
    for (name, bytes) in files(src) {
        if name.starts_with("covmeta.") {
            for d in &dirs {
                std::fs::write(d.join(&name), &bytes).unwrap();
            }
        } else if name.starts_with("covcounters.") {
            let k = dealt.entry(hash_of(&name).to_owned()).or_default();
            std::fs::write(dirs[*k % n].join(&name), &bytes).unwrap();
            *k += 1;
        }
    }
    dirs
}

/// Copy into `dst` only the files of `src` that belong to the program with meta hash `hash`;
/// keep at most `max_counters` of its counter files (the first ones by name).
pub fn program(src: &Utf8Path, dst: &Utf8Path, hash: &str, max_counters: usize) {
    std::fs::create_dir_all(dst).unwrap();
    let mut kept = 0;
    for (name, bytes) in files(src) {
        if hash_of(&name) != hash {
            continue;
        }
        if name.starts_with("covcounters.") {
            if kept == max_counters {
                continue;
            }
            kept += 1;
        }
        std::fs::write(dst.join(&name), &bytes).unwrap();
    }
}

/// Our operation.
pub fn ours(op: Operation, selection: Selection, inputs: &[&Utf8Path], out: &Utf8Path) {
    let mut o = Options::new(op);
    o.selection = selection;
    let outcome = ops::run(inputs, out, &o).unwrap_or_else(|e| panic!("{op:?}: {e}"));
    assert!(!outcome.written.is_empty());
}

/// Go's operation: `merge` with `-pcombine` when asked, `subtract`, `intersect`.
pub fn gos(
    go: &GoToolchain,
    op: Operation,
    pkg: Option<&str>,
    inputs: &[&Utf8Path],
    out: &Utf8Path,
) {
    std::fs::create_dir_all(out).unwrap();
    let mut args: Vec<String> = match op {
        Operation::Merge { pcombine } => {
            let mut a = vec!["merge".to_owned()];
            if pcombine {
                a.push("-pcombine".into());
            }
            a
        }
        Operation::Subtract => vec!["subtract".into()],
        Operation::Intersect => vec!["intersect".into()],
    };
    args.push(format!("-i={}", join(inputs)));
    args.push(format!("-o={out}"));
    if let Some(p) = pkg {
        args.push(format!("-pkg={p}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    covdata_ok(go, &args);
}

/// `go.mod`'s module path of a fixture.
pub fn module_path(fixture: &str) -> String {
    let gomod =
        std::fs::read_to_string(testkit::fixtures_root().join(fixture).join("go.mod")).unwrap();
    gomod
        .lines()
        .find_map(|l| l.strip_prefix("module "))
        .unwrap()
        .trim()
        .to_owned()
}

/// Everything Go sees in an output directory must agree: the text profile of the whole
/// directory, each file as `debugdump` reads it, the file names (less the nanotime) and the
/// meta-data files byte for byte.
pub fn assert_same_output(go: &GoToolchain, what: &str, want: &Utf8Path, got: &Utf8Path) {
    assert_eq!(names(got), names(want), "{what}: file names");
    assert!(metas(got) == metas(want), "{what}: meta-data files differ");
    assert_text_eq(
        &format!("{what}: textfmt of the output"),
        &textfmt(go, &[got]),
        &textfmt(go, &[want]),
    );
    assert_text_eq(
        &format!("{what}: debugdump"),
        &debugdump(go, got),
        &debugdump(go, want),
    );
}

/// Equal texts, or a panic showing the first lines that differ.
pub fn assert_text_eq(what: &str, got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let mut report = String::new();
    let mut shown = 0;
    for i in 0..g.len().max(w.len()) {
        let (a, b) = (g.get(i).copied(), w.get(i).copied());
        if a != b && shown < 12 {
            report.push_str(&format!("line {}:\n  ours: {a:?}\n  go:   {b:?}\n", i + 1));
            shown += 1;
        }
    }
    panic!(
        "{what}: outputs differ ({} vs {} lines)\n{report}",
        g.len(),
        w.len()
    );
}

/// How many counter files `dir` holds.
pub fn counter_files(dir: &Utf8Path) -> usize {
    files(dir)
        .iter()
        .filter(|(n, _)| n.starts_with("covcounters."))
        .count()
}

/// How many counter files `dir` holds for the program with meta hash `hash`.
pub fn counter_files_of(dir: &Utf8Path, hash: &str) -> usize {
    files(dir)
        .iter()
        .filter(|(n, _)| n.starts_with("covcounters.") && hash_of(n) == hash)
        .count()
}
