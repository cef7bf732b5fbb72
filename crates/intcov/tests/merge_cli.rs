//! `intcov merge`, `subtract` and `intersect` from the command line: both flag styles, the
//! directory they write (snapshot, and read back by `go tool covdata`), and bad input.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use camino::{Utf8Path, Utf8PathBuf};
use covdata::{CounterFile, MetaFile};
use testkit::CoverMode;

fn intcov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args(args)
        .output()
        .unwrap()
}

fn intcov_ok(args: &[&str]) {
    let out = intcov(args);
    assert!(
        out.status.success(),
        "intcov {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn go_covdata(go: &testkit::GoToolchain, args: &[&str]) -> Output {
    Command::new(&go.go)
        .args(["tool", "covdata"])
        .args(args)
        .env("GOROOT", go.goroot())
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap()
}

fn textfmt(go: &testkit::GoToolchain, dir: &Utf8Path) -> String {
    let out = dir.with_extension("txt");
    let res = go_covdata(go, &["textfmt", &format!("-i={dir}"), &format!("-o={out}")]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-merge-cli-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

/// Copy a coverage directory into two: every meta-data file in both, counter files alternating.
fn split_in_two(src: &Utf8Path, root: &Utf8Path) -> (Utf8PathBuf, Utf8PathBuf) {
    let (a, b) = (root.join("a"), root.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let mut names: Vec<String> = src
        .read_dir_utf8()
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    names.sort();
    let mut k = 0;
    for n in names {
        let from = src.join(&n);
        if n.starts_with("covmeta.") {
            std::fs::copy(&from, a.join(&n)).unwrap();
            std::fs::copy(&from, b.join(&n)).unwrap();
        } else {
            let to = if k % 2 == 0 { &a } else { &b };
            std::fs::copy(&from, to.join(&n)).unwrap();
            k += 1;
        }
    }
    (a, b)
}

/// A listing of an output directory: names with hashes replaced by stable labels (in name
/// order) and nanotimes redacted; what each file holds in a few words.
fn listing(dir: &Utf8Path) -> String {
    let mut names: Vec<String> = dir
        .read_dir_utf8()
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    names.sort();
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for n in &names {
        if let Some(h) = n.strip_prefix("covmeta.") {
            let l = format!("H{}", labels.len() + 1);
            labels.insert(h.to_owned(), l);
        }
    }
    let label = |h: &str| labels.get(h).cloned().unwrap_or_else(|| "[ORPHAN]".into());
    let mut lines = Vec::new();
    for n in &names {
        let bytes = std::fs::read(dir.join(n)).unwrap();
        if let Some(h) = n.strip_prefix("covmeta.") {
            let meta = MetaFile::parse(&bytes).unwrap();
            let pkgs: Vec<String> = meta
                .packages()
                .map(|p| p.unwrap().path().to_owned())
                .collect();
            lines.push(format!(
                "covmeta.{}  mode={} packages=[{}]",
                label(h),
                meta.counter_mode(),
                pkgs.join(" ")
            ));
        } else {
            let parts: Vec<&str> = n.split('.').collect();
            assert_eq!(parts.len(), 4, "{n}");
            let file = CounterFile::parse(&bytes).unwrap();
            let seg = file.first_segment().unwrap();
            let keys: Vec<&str> = seg.args().iter().map(|(k, _)| *k).collect();
            lines.push(format!(
                "covcounters.{}.{}.[NANOTIME]  segments={} args=[{}]",
                label(parts[1]),
                parts[2],
                file.num_segments(),
                keys.join(" ")
            ));
        }
    }
    lines.join("\n")
}

#[test]
fn merged_directory_listing() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (_t, root) = tempdir();
    let (a, b) = split_in_two(&data.path, &root);
    let merged = root.join("merged");
    let combined = root.join("combined");
    let inputs = format!("{a},{b}");
    // Go style and GNU style.
    intcov_ok(&["merge", &format!("-i={inputs}"), &format!("-o={merged}")]);
    intcov_ok(&[
        "merge",
        "--input",
        &inputs,
        "--output",
        combined.as_str(),
        "--pcombine",
    ]);
    insta::assert_snapshot!("merged_listing", listing(&merged));
    insta::assert_snapshot!("pcombine_listing", listing(&combined));
    // Go reads both back as it reads the inputs.
    let want = {
        let all = root.join("all");
        std::fs::create_dir_all(&all).unwrap();
        let res = go_covdata(
            &go,
            &["merge", &format!("-i={inputs}"), &format!("-o={all}")],
        );
        assert!(res.status.success());
        textfmt(&go, &all)
    };
    assert_eq!(textfmt(&go, &merged), want);
    assert_eq!(textfmt(&go, &combined), want);
}

#[test]
fn subtract_and_intersect_of_several_programs_succeed() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (_t, root) = tempdir();
    let (a, b) = split_in_two(&data.path, &root);
    for op in ["subtract", "intersect"] {
        let out = root.join(op);
        let res = intcov(&[op, &format!("-i={a},{b}"), "-o", out.as_str()]);
        assert!(
            res.status.success(),
            "{}",
            String::from_utf8_lossy(&res.stderr)
        );
        assert!(textfmt(&go, &out).starts_with("mode: count\n"));
        let go_out = root.join(format!("go-{op}"));
        std::fs::create_dir_all(&go_out).unwrap();
        let gos = go_covdata(&go, &[op, &format!("-i={a},{b}"), &format!("-o={go_out}")]);
        assert!(
            String::from_utf8_lossy(&gos.stderr).contains("decreasing dir index"),
            "Go's {op} no longer panics here: {}",
            String::from_utf8_lossy(&gos.stderr)
        );
    }
    // -pkg works for them too.
    let out = root.join("pkg");
    intcov_ok(&[
        "intersect",
        &format!("-i={a},{b}"),
        &format!("-o={out}"),
        "-pkg=example.com/clisuite/internal/...",
    ]);
    let profile = textfmt(&go, &out);
    assert!(profile
        .lines()
        .skip(1)
        .all(|l| l.starts_with("example.com/clisuite/internal/")));
}

#[test]
fn bad_input_is_one_error_naming_the_file() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Set);
    let (_t, root) = tempdir();
    let (a, _) = split_in_two(&data.path, &root);
    let mut files: Vec<Utf8PathBuf> = a
        .read_dir_utf8()
        .unwrap()
        .map(|e| e.unwrap().into_path())
        .collect();
    files.sort();
    let counter = files
        .iter()
        .find(|f| f.file_name().unwrap().starts_with("covcounters."))
        .unwrap();
    let meta = files
        .iter()
        .find(|f| f.file_name().unwrap().starts_with("covmeta."))
        .unwrap();

    // A truncated counter file.
    let bytes = std::fs::read(counter).unwrap();
    std::fs::write(counter, &bytes[..bytes.len() / 2]).unwrap();
    for op in ["merge", "subtract", "intersect"] {
        let inputs = if op == "subtract" {
            format!("{a},{a}")
        } else {
            a.to_string()
        };
        let res = intcov(&[
            op,
            &format!("-i={inputs}"),
            &format!("-o={}", root.join("out")),
        ]);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(1), "{op}: {stderr}");
        assert!(stderr.contains(counter.as_str()), "{op}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{op}: {stderr}");
        assert!(!stderr.contains("panicked"), "{op}: {stderr}");
    }
    std::fs::write(counter, &bytes).unwrap();

    // A meta-data file with a bad magic.
    let mut bytes = std::fs::read(meta).unwrap();
    bytes[1] ^= 0xff;
    std::fs::write(meta, &bytes).unwrap();
    let res = intcov(&[
        "merge",
        "-pcombine",
        &format!("-i={a}"),
        &format!("-o={}", root.join("out2")),
    ]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(meta.as_str()) && stderr.contains("magic"),
        "{stderr}"
    );

    // Too few inputs for subtract is Go's usage error (status 2); a missing directory.
    let res = intcov(&["subtract", &format!("-i={a}"), "-o=x"]);
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&res.stderr)
        .starts_with("error: supply exactly two input dirs for subtract operation\n"));
    let missing = root.join("missing");
    let res = intcov(&["merge", &format!("-i={missing}"), "-o=x"]);
    assert_eq!(res.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&res.stderr).contains(missing.as_str()));
}

#[test]
fn help_for_every_command() {
    for op in ["merge", "subtract", "intersect"] {
        // `-h` is Go's panic-on-fatal flag in the drop-in commands; `-help` is Go's help.
        for flag in ["-help", "--help"] {
            let out = intcov(&[op, flag]);
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("--input") && text.contains("--output"),
                "{text}"
            );
        }
    }
}
