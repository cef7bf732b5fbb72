//! `intcov report` end to end: every format from text profiles, Go-style and GNU-style flags,
//! and clean errors.

use std::process::Command;

use camino::Utf8PathBuf;

fn intcov() -> Command {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
}

fn tmp() -> (tempfile::TempDir, Utf8PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = Utf8PathBuf::from_path_buf(d.path().to_owned()).unwrap();
    (d, p)
}

const A: &str = "mode: count\nexample.com/m/p/a.go:3.14,5.2 2 1\nexample.com/m/p/a.go:5.2,7.3 1 0\nexample.com/m/q/b.go:1.1,2.2 3 0\n";
const B: &str = "mode: count\nexample.com/m/p/a.go:5.2,7.3 1 4\nexample.com/m/q/b.go:1.1,2.2 3 0\n";

#[test]
fn every_format_from_merged_text_profiles() {
    let (_g, dir) = tmp();
    std::fs::write(dir.join("a.out"), A).unwrap();
    std::fs::write(dir.join("b.out"), B).unwrap();
    let inputs = format!("{},{}", dir.join("a.out"), dir.join("b.out"));
    for format in ["lcov", "cobertura", "json", "markdown", "html"] {
        let out = dir.join(format!("r.{format}"));
        let st = intcov()
            .current_dir(&dir)
            .args([
                "report",
                &format!("--format={format}"),
                &format!("-i={inputs}"),
                &format!("-o={out}"),
                "--attribution",
            ])
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        // No progress bar when not a terminal; the one line is the warning that the
        // profiles' module (example.com/m) has no source here.
        let stderr = String::from_utf8_lossy(&st.stderr);
        assert_eq!(
            stderr.lines().collect::<Vec<_>>(),
            [
                "warning: 2 of 2 files have no source on disk (example.com/m/p/a.go, \
              example.com/m/q/b.go); run in the repository or give --source-root"
            ],
            "{format}"
        );
        if format == "html" {
            assert!(out.join("index.html").is_file());
        } else {
            assert!(std::fs::metadata(&out).unwrap().len() > 0);
        }
    }
    // Merged: p has 3 of 3 statements covered (b.out covers what a.out missed), q 0 of 3.
    let md = std::fs::read_to_string(dir.join("r.markdown")).unwrap();
    assert!(
        md.contains("| `example.com/m/p` | 3 | 3 | 100.0% |"),
        "{md}"
    );
    assert!(
        md.contains("| **Total** | **6** | **3** | **50.0%** |"),
        "{md}"
    );
    let json = std::fs::read_to_string(dir.join("r.json")).unwrap();
    assert!(json.contains("\"label\": \"b.out\""), "{json}");

    // GNU style, -pkg filter, stdout.
    let st = intcov()
        .current_dir(&dir)
        .args([
            "report",
            "--format",
            "lcov",
            "--input",
            dir.join("a.out").as_str(),
            "--output",
            "-",
            "-pkg=example.com/m/q",
        ])
        .output()
        .unwrap();
    assert!(st.status.success());
    let lcov = String::from_utf8(st.stdout).unwrap();
    assert!(
        lcov.contains("SF:example.com/m/q/b.go") && !lcov.contains("a.go"),
        "{lcov}"
    );
}

#[test]
fn bad_inputs_fail_with_one_message() {
    let (_g, dir) = tmp();
    std::fs::write(
        dir.join("bad.out"),
        "mode: count\nexample.com/m/p/a.go:3.x,5.2 2 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("set.out"),
        "mode: set\nexample.com/m/p/a.go:3.1,5.2 2 1\n",
    )
    .unwrap();
    std::fs::write(dir.join("count.out"), A).unwrap();
    let run = |inputs: &str| {
        let st = intcov()
            .current_dir(&dir)
            .args(["report", "--format=lcov", &format!("-i={inputs}"), "-o=-"])
            .output()
            .unwrap();
        (st.status.code(), String::from_utf8(st.stderr).unwrap())
    };
    let (code, err) = run(dir.join("bad.out").as_str());
    assert_eq!(code, Some(1));
    assert!(err.contains("bad.out:2: malformed block line"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, err) = run(&format!(
        "{},{}",
        dir.join("set.out"),
        dir.join("count.out")
    ));
    assert_eq!(code, Some(1));
    assert!(
        err.contains("mode: set") && err.contains("mode: count"),
        "{err}"
    );
    let (code, err) = run(dir.join("missing.out").as_str());
    assert_eq!(code, Some(1));
    assert!(err.contains("missing.out"), "{err}");
    // --mixed-modes=set converts instead.
    let st = intcov()
        .current_dir(&dir)
        .args([
            "report",
            "--format=markdown",
            &format!("-i={},{}", dir.join("set.out"), dir.join("count.out")),
            "-o=-",
            "--mixed-modes=set",
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

fn go_percent_lines(dir: &camino::Utf8Path) -> Vec<(String, String)> {
    let go = testkit::go();
    let sh = xshell::Shell::new().unwrap();
    let out = go
        .cmd(&sh)
        .args(["tool", "covdata", "percent", &format!("-i={dir}")])
        .read()
        .unwrap();
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_owned(), f[2].to_owned())
        })
        .collect()
}

/// Coverage directories as input: per-package numbers equal `go tool covdata percent`, and
/// `--attribution` names the program runs (from the counter files' recorded arguments) that
/// executed each block, and only those.
#[test]
fn covdata_dirs_with_attribution() {
    let data = testkit::covdata(&testkit::go(), "clisuite", testkit::CoverMode::Count);
    let (_g, dir) = tmp();
    let run = |args: &[&str]| {
        let st = intcov().current_dir(&dir).args(args).output().unwrap();
        assert!(
            st.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        String::from_utf8(st.stdout).unwrap()
    };
    let md = run(&[
        "report",
        "--format=markdown",
        &format!("-i={}", data.path),
        "-o=-",
    ]);
    for (pkg, pct) in go_percent_lines(&data.path) {
        let want = format!("| `{pkg}` |");
        let row = md
            .lines()
            .find(|l| l.starts_with(&want))
            .unwrap_or_else(|| panic!("{pkg} missing:\n{md}"));
        assert!(row.ends_with(&format!("| {pct} |")), "{row} vs Go's {pct}");
    }

    let json = run(&[
        "report",
        "--format=json",
        &format!("-i={}", data.path),
        "-o=-",
        "--attribution",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    assert!(!runs.is_empty());
    assert!(runs.iter().all(|r| r["kind"] == "program"));
    for cmd in ["inspect", "keygen", "sign"] {
        assert!(
            runs.iter()
                .any(|r| r["label"].as_str().unwrap().starts_with(cmd)),
            "no run of {cmd} among {runs:?}"
        );
    }
    let mut blocks = 0;
    for pkg in doc["packages"].as_array().unwrap() {
        for file in pkg["files"].as_array().unwrap() {
            for b in file["blocks"].as_array().unwrap() {
                blocks += 1;
                let n = b["runs"].as_array().unwrap().len();
                assert_eq!(b["count"] != 0, n > 0, "block {b} in {}", file["name"]);
            }
        }
    }
    assert!(blocks > 50);

    // A directory and its own textfmt profile together: the same percentages (set semantics
    // of coverage do not change when counts double).
    let text = dir.join("p.out");
    let sh = xshell::Shell::new().unwrap();
    testkit::go()
        .cmd(&sh)
        .args([
            "tool",
            "covdata",
            "textfmt",
            &format!("-i={}", data.path),
            &format!("-o={text}"),
        ])
        .run()
        .unwrap();
    let both = run(&[
        "report",
        "--format=markdown",
        &format!("-i={},{text}", data.path),
        "-o=-",
    ]);
    assert_eq!(both, md);
}
