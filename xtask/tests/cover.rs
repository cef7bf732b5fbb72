//! `cargo xtask cover` end to end, on copies of the fixtures outside the repository.

use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::ops::{self, Operation, Options};
use testkit::CoverMode;

fn xtask() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.env("GOTOOLCHAIN", "local");
    c
}

fn run_cover(module: &Utf8Path, out: &Utf8Path, extra: &[&str]) -> String {
    let output = xtask()
        .args(["cover", "--module", module.as_str(), "--out", out.as_str()])
        .args(extra)
        .output()
        .expect("running xtask");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "xtask cover failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn go_covdata(args: &[&str]) -> Vec<u8> {
    let go = testkit::go();
    let out = Command::new(&go.go)
        .arg("tool")
        .arg("covdata")
        .args(args)
        .output()
        .expect("go tool covdata");
    assert!(
        out.status.success(),
        "go tool covdata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn module_outside_the_repo_gets_its_true_integration_coverage() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let module = testkit::copy_fixture("clisuite", tmp);
    let out = tmp.join("out");
    let stdout = run_cover(&module, &out, &["--verify"]);

    for name in [
        "coverage.out",
        "lcov.info",
        "cobertura.xml",
        "html/index.html",
        "summary.md",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    assert!(out.join("covdata").read_dir().unwrap().count() > 0);

    // The truth by hand: the commands built with -cover and run with GOCOVERDIR, read by Go's tool.
    let by_hand = testkit::covdata(&testkit::go(), "clisuite", CoverMode::Set);
    let truth =
        String::from_utf8(go_covdata(&["percent", &format!("-i={}", by_hand.path)])).unwrap();
    for line in truth.lines() {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing {line:?} in:\n{stdout}"
        );
    }
    assert!(stdout.contains("total: 80.8%"), "{stdout}");
}

#[test]
fn two_shards_merged_equal_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let module = testkit::copy_fixture("clisuite", tmp);
    let whole = tmp.join("whole");
    run_cover(&module, &whole, &[]);
    let shards: Vec<Utf8PathBuf> = (1..=2)
        .map(|k| {
            let out = tmp.join(format!("shard{k}"));
            run_cover(&module, &out, &["--shard", &format!("{k}/2")]);
            out.join("covdata")
        })
        .collect();
    // Each shard alone sees less than the whole run.
    let whole_profile = std::fs::read(whole.join("coverage.out")).unwrap();
    for s in &shards {
        assert_ne!(
            go_covdata(&["percent", &format!("-i={s}")]),
            go_covdata(&["percent", &format!("-i={}", whole.join("covdata"))])
        );
    }
    let merged = tmp.join("merged");
    ops::run(
        &shards,
        &merged,
        &Options::new(Operation::Merge { pcombine: false }),
    )
    .unwrap();
    let text = tmp.join("merged.out");
    go_covdata(&["textfmt", &format!("-i={merged}"), &format!("-o={text}")]);
    assert_eq!(
        String::from_utf8(std::fs::read(&text).unwrap()).unwrap(),
        String::from_utf8(whole_profile).unwrap()
    );
}

#[test]
fn min_coverage_fails_with_the_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let module = testkit::copy_fixture("clisuite", tmp);
    let output = xtask()
        .args([
            "cover",
            "--module",
            module.as_str(),
            "--out",
            tmp.join("out").as_str(),
            "--min-coverage",
            "95",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("total coverage 80.8% is below --min-coverage 95%"),
        "{stderr}"
    );
}

#[test]
fn failing_tests_show_their_output() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let module = tmp.join("broken");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("go.mod"),
        "module example.com/broken\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        module.join("b.go"),
        "package broken\n\nfunc F() int { return 1 }\n",
    )
    .unwrap();
    std::fs::write(
        module.join("b_test.go"),
        "package broken\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { t.Fatalf(\"F is %d, want 2\", F()) }\n",
    )
    .unwrap();
    let output = xtask()
        .args([
            "cover",
            "--module",
            module.as_str(),
            "--out",
            tmp.join("out").as_str(),
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("tests failed in") && stderr.contains("F is 1, want 2"),
        "{stderr}"
    );
}

/// One pipeline: `cargo xtask cover` and `intcov test` write the same bytes for the same module.
#[test]
fn xtask_cover_and_intcov_test_write_identical_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let module = testkit::copy_fixture("clisuite", tmp);
    let cover = tmp.join("cover");
    let stdout_cover = {
        let output = xtask()
            .args([
                "cover",
                "--module",
                module.as_str(),
                "--out",
                cover.as_str(),
            ])
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };

    let mine = tmp.join("intcov");
    let manifest = testkit::repo_root().join("Cargo.toml");
    let output = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "-p",
            "intcov",
            "--manifest-path",
            manifest.as_str(),
            "--",
            "test",
        ])
        .args(["--out", mine.as_str()])
        .args(["--coverprofile", mine.join("coverage.out").as_str()])
        .args(["--lcov", mine.join("lcov.info").as_str()])
        .args(["--cobertura", mine.join("cobertura.xml").as_str()])
        .args(["--markdown", mine.join("summary.md").as_str()])
        .args(["--html", mine.join("html").as_str()])
        .arg("./...")
        .current_dir(&module)
        .env("GOTOOLCHAIN", "local")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let stdout_mine = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout_mine}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout_mine.ends_with(&stdout_cover),
        "{stdout_mine}\n---\n{stdout_cover}"
    );

    let mut html_pages = 0;
    for name in [
        "coverage.out",
        "lcov.info",
        "cobertura.xml",
        "summary.md",
        "html/index.html",
    ] {
        assert_eq!(
            std::fs::read_to_string(cover.join(name)).unwrap(),
            std::fs::read_to_string(mine.join(name)).unwrap(),
            "{name}"
        );
    }
    for entry in walk(&cover.join("html")) {
        let rel = entry.strip_prefix(&cover).unwrap();
        assert_eq!(
            std::fs::read(&entry).unwrap(),
            std::fs::read(mine.join(rel)).unwrap(),
            "{rel}"
        );
        html_pages += 1;
    }
    assert!(html_pages > 1);
    // The merged binary data: the same figures through Go's tool.
    assert_eq!(
        go_covdata(&["percent", &format!("-i={}", cover.join("covdata"))]),
        go_covdata(&["percent", &format!("-i={}", mine.join("covdata"))])
    );
}

fn walk(dir: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut files = Vec::new();
    for e in dir.read_dir_utf8().unwrap() {
        let p = e.unwrap().into_path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

/// Issue 19: `--out` never deletes what cargo xtask cover did not write.
#[test]
fn out_refuses_a_directory_holding_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let out = tmp.join("precious");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let output = xtask()
        .args(["cover", "--module", "/nonexistent", "--out", out.as_str()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds notes.txt"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}
