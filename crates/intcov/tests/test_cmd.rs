//! `intcov test` end to end, on modules copied outside the repository: its figures against the
//! truth computed by hand with Go's own tools, every report written, failing tests, and a
//! go.work workspace run from its root and from a subdirectory.

use std::process::{Command, Output};

use camino::{Utf8Path, Utf8PathBuf};

fn intcov_test(dir: &Utf8Path, cache: &Utf8Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
        .arg("test")
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("INTCOV_CACHE_DIR", cache)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("GOCOVERDIR")
        .env_remove("GOFLAGS")
        .output()
        .expect("running intcov test")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `go` in `dir`, asserting success; stdout.
fn go(dir: &Utf8Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(&testkit::go().go)
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOCOVERDIR")
        .env_remove("GOFLAGS")
        .envs(env.iter().copied())
        .output()
        .expect("go");
    assert!(
        out.status.success(),
        "go {args:?} in {dir}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The truth by hand: one plain `go test -cover` whose test binaries write their own data to
/// `-test.gocoverdir` and whose commands (built with `-cover` by the tests) write to
/// `INTCOV_FIXTURE_COVERDIR`; `go tool covdata percent` over both, then the total of their
/// union through `go tool cover -func`.
fn truth_by_hand(dir: &Utf8Path, coverpkg: &str, pkgs: &str, env: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let (children, own) = (tmp.join("children"), tmp.join("own"));
    std::fs::create_dir(&children).unwrap();
    std::fs::create_dir(&own).unwrap();
    let mut all_env = vec![
        ("INTCOV_FIXTURE_COVERDIR", children.as_str()),
        ("INTCOV_FIXTURE_COVERMODE", "set"),
    ];
    all_env.extend_from_slice(env);
    go(
        dir,
        &[
            "test",
            "-count=1",
            "-cover",
            &format!("-coverpkg={coverpkg}"),
            pkgs,
            "-args",
            &format!("-test.gocoverdir={own}"),
        ],
        &all_env,
    );
    let inputs = format!("-i={children},{own}");
    let percent = go(dir, &["tool", "covdata", "percent", &inputs], &[]);
    let profile = tmp.join("truth.out");
    go(
        dir,
        &[
            "tool",
            "covdata",
            "textfmt",
            &inputs,
            &format!("-o={profile}"),
        ],
        &[],
    );
    let func = go(dir, &["tool", "cover", &format!("-func={profile}")], &[]);
    let total = func
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap();
    format!("{percent}total: {total}\n")
}

/// The merged figures `intcov test` prints last.
fn summary_of(stdout: &str, lines: usize) -> String {
    let all: Vec<&str> = stdout.lines().collect();
    let mut s = all[all.len().saturating_sub(lines)..].join("\n");
    s.push('\n');
    s
}

/// `(figures, total)` of `percent` lines plus `total: X%`, without the lines of `packages`.
fn without_packages<'a>(summary: &'a str, packages: &[&str]) -> (Vec<&'a str>, f64) {
    let mut lines = Vec::new();
    let mut total = f64::NAN;
    for line in summary.lines() {
        if let Some(t) = line.strip_prefix("total: ") {
            total = t.trim_end_matches('%').parse().unwrap();
        } else if !packages.iter().any(|p| line.contains(&format!("/{p}\t"))) {
            lines.push(line);
        }
    }
    (lines, total)
}

/// The figure of package `pkg` (import path suffix) in a `percent` summary.
fn figure_of(summary: &str, pkg: &str) -> f64 {
    let line = summary
        .lines()
        .find(|l| l.contains(&format!("/{pkg}\t")))
        .unwrap_or_else(|| panic!("no line for {pkg} in {summary}"));
    let pct = line.split("coverage: ").nth(1).unwrap();
    pct.split('%').next().unwrap().parse().unwrap()
}

/// `overlay_only`: packages of programs that end in ways only the overlay records (a panic, a
/// server stopped by SIGTERM inside a testscript script): stock Go, and so the truth by hand,
/// sees 0.0% there. Those must be above the truth (their exact figures are checked against
/// clean runs doing the same work in crates/overlay/tests/endings.rs), the total too; every
/// other package equals the truth.
fn check_fixture(fixture: &str, env: &[(&str, &str)], overlay_only: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let module = testkit::copy_fixture(fixture, tmp);
    let coverpkg = format!("example.com/{fixture}/...");
    let truth = truth_by_hand(&module, &coverpkg, "./...", env);

    let r = tmp.join("reports");
    let out = intcov_test(
        &module,
        &tmp.join("cache"),
        &[
            "--out",
            r.join("data").as_str(),
            "--coverprofile",
            r.join("cover.out").as_str(),
            "--html",
            r.join("html").as_str(),
            "--lcov",
            r.join("lcov.info").as_str(),
            "--cobertura",
            r.join("cobertura.xml").as_str(),
            "--json",
            r.join("coverage.json").as_str(),
            "--markdown",
            r.join("summary.md").as_str(),
            "./...",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "{fixture}: {stdout}{}",
        text(&out.stderr)
    );
    let ours = summary_of(&stdout, truth.lines().count());
    if overlay_only.is_empty() {
        assert_eq!(
            ours, truth,
            "{fixture}: intcov test's figures differ from the truth by hand"
        );
    } else {
        let (our_lines, our_total) = without_packages(&ours, overlay_only);
        let (truth_lines, truth_total) = without_packages(&truth, overlay_only);
        assert_eq!(
            our_lines, truth_lines,
            "{fixture}: intcov test's figures differ from the truth by hand"
        );
        for pkg in overlay_only {
            assert_eq!(figure_of(&truth, pkg), 0.0, "{fixture}: {pkg} by hand");
            assert!(
                figure_of(&ours, pkg) > 0.0,
                "{fixture}: {pkg} lost its counters under intcov test:\n{ours}"
            );
        }
        assert!(
            our_total > truth_total,
            "{fixture}: total {our_total} not above the truth's {truth_total}"
        );
    }
    for file in [
        "cover.out",
        "html/index.html",
        "lcov.info",
        "cobertura.xml",
        "coverage.json",
        "summary.md",
    ] {
        let len = std::fs::metadata(r.join(file))
            .unwrap_or_else(|e| panic!("{fixture}: {file}: {e}"))
            .len();
        assert!(len > 0, "{fixture}: {file} is empty");
    }
    // --out: the raw data of the run and the merged data, both readable by Go's tool, with the
    // same figures.
    for data in ["raw", "covdata"] {
        let d = r.join("data").join(data);
        let percent = go(
            &module,
            &["tool", "covdata", "percent", &format!("-i={d}")],
            &[],
        );
        // Go's own figures for our data: what intcov test printed before its total.
        assert!(ours.starts_with(&percent), "{fixture} {data}: {percent}");
    }
    // The text profile is Go's textfmt of the raw data.
    let go_text = r.join("go.out");
    go(
        &module,
        &[
            "tool",
            "covdata",
            "textfmt",
            &format!("-i={}", r.join("data/raw")),
            &format!("-o={go_text}"),
        ],
        &[],
    );
    assert_eq!(
        std::fs::read(&go_text).unwrap(),
        std::fs::read(r.join("cover.out")).unwrap()
    );
}

#[test]
fn clisuite_equals_the_truth_by_hand() {
    check_fixture("clisuite", &[], &[]);
}

#[test]
fn scriptsuite_equals_the_truth_by_hand() {
    check_fixture("scriptsuite", &[], &["cmd/wordd"]);
}

/// The overlay makes the SIGTERM'd server write its counters; by hand, the server is stopped
/// through `POST /quit` so that stock Go writes them too. The panicking `crash` command counts
/// only under the overlay.
#[test]
fn serversuite_equals_the_truth_by_hand() {
    check_fixture(
        "serversuite",
        &[("INTCOV_FIXTURE_GRACEFUL", "1")],
        &["cmd/crash"],
    );
}

fn write(path: &Utf8Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

/// A go.work workspace: module `a` (a library with its own unit test) and module `b` (a command
/// using it, whose test builds it with -cover and runs it).
fn workspace(root: &Utf8Path) {
    write(&root.join("go.work"), "go 1.21\n\nuse (\n\t./a\n\t./b\n)\n");
    write(&root.join("a/go.mod"), "module example.com/a\n\ngo 1.21\n");
    write(
        &root.join("a/calc/calc.go"),
        "package calc\n\nfunc Add(x, y int) int { return x + y }\n\nfunc Sign(x int) string {\n\tif x < 0 {\n\t\treturn \"negative\"\n\t}\n\tif x == 0 {\n\t\treturn \"zero\"\n\t}\n\treturn \"positive\"\n}\n\nfunc Unused() int { return 42 }\n",
    );
    write(
        &root.join("a/calc/calc_test.go"),
        "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal(\"Add\")\n\t}\n}\n",
    );
    write(
        &root.join("b/go.mod"),
        "module example.com/b\n\ngo 1.21\n\nrequire example.com/a v0.0.0\n\nreplace example.com/a => ../a\n",
    );
    write(
        &root.join("b/cmd/sign/main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"strconv\"\n\n\t\"example.com/a/calc\"\n)\n\nfunc main() {\n\tn, err := strconv.Atoi(os.Args[1])\n\tif err != nil {\n\t\tfmt.Fprintln(os.Stderr, err)\n\t\tos.Exit(2)\n\t}\n\tfmt.Println(calc.Sign(n))\n}\n",
    );
    write(
        &root.join("b/cmd/sign/main_test.go"),
        r#"package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSign(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "sign")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(gobin, "build", "-cover", "-covermode=set", "-coverpkg=example.com/a/...,example.com/b/...", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := os.Getenv("INTCOV_FIXTURE_COVERDIR")
	if dir == "" {
		dir = os.Getenv("GOCOVERDIR")
	}
	for _, arg := range []string{"-3", "7"} {
		cmd := exec.Command(bin, arg)
		cmd.Env = append(os.Environ(), "GOCOVERDIR="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sign %s: %v\n%s", arg, err, out)
		}
	}
}
"#,
    );
}

#[test]
fn go_work_workspace_from_its_root_and_from_a_subdirectory() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let root = tmp.join("ws");
    workspace(&root);
    let pkgs = "example.com/...";
    let truth = truth_by_hand(&root, "example.com/a/...,example.com/b/...", pkgs, &[]);
    assert!(truth.contains("example.com/a/calc\t"), "{truth}");

    let cache = tmp.join("cache");
    let lcov = tmp.join("lcov.info");
    let out = intcov_test(&root, &cache, &["--lcov", lcov.as_str(), pkgs]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert_eq!(summary_of(&stdout, truth.lines().count()), truth);
    // Paths relative to the workspace root.
    let lcov = std::fs::read_to_string(&lcov).unwrap();
    assert!(lcov.contains("SF:a/calc/calc.go"), "{lcov}");

    // From a module's subdirectory: the same workspace, so the same -coverpkg and figures.
    let sub = root.join("b/cmd/sign");
    let out = intcov_test(&sub, &cache, &["--min-coverage", "100", "./..."]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("coverpkg=example.com/a/...,example.com/b/..."),
        "{stderr}"
    );
    assert!(
        stdout.lines().last().unwrap().starts_with("total: "),
        "{stdout}"
    );
    assert!(stderr.contains("is below --min-coverage 100%"), "{stderr}");
}

/// A module `example.com/NAME` in `root/NAME` holding `files`.
fn module(root: &Utf8Path, name: &str, files: &[(&str, &str)]) -> Utf8PathBuf {
    let m = root.join(name);
    write(
        &m.join("go.mod"),
        &format!("module example.com/{name}\n\ngo 1.21\n"),
    );
    for (file, body) in files {
        write(&m.join(file), body);
    }
    m
}

/// Plain `go test -count=1 ./...`'s exit status in `m`.
fn stock_go_test(m: &Utf8Path) -> Option<i32> {
    Command::new(&testkit::go().go)
        .args(["test", "-count=1", "./..."])
        .current_dir(m)
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap()
        .status
        .code()
}

#[test]
fn failing_tests_still_write_the_reports_and_exit_with_go_tests_status() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let m = module(
        tmp,
        "broken",
        &[
            ("good/g.go", "package good\n\nfunc G() int { return 1 }\n"),
            ("good/g_test.go", "package good\n\nimport \"testing\"\n\nfunc TestG(t *testing.T) { G() }\n"),
            ("bad/b.go", "package bad\n\nfunc F() int { return 1 }\n"),
            ("bad/b_test.go", "package bad\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { t.Fatalf(\"F is %d, want 2\", F()) }\n"),
        ],
    );
    let stock = stock_go_test(&m);
    assert_ne!(stock, Some(0));

    let profile = tmp.join("cover.out");
    let html = tmp.join("html");
    let out = intcov_test(
        &m,
        &tmp.join("cache"),
        &[
            "--coverprofile",
            profile.as_str(),
            "--html",
            html.as_str(),
            "./...",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), stock, "{stdout}");
    assert!(stdout.contains("F is 1, want 2"), "{stdout}");
    assert!(stdout.contains("total: 100.0%"), "{stdout}");
    let profile = std::fs::read_to_string(&profile).unwrap();
    assert!(
        profile.starts_with("mode: set\nexample.com/broken/"),
        "{profile}"
    );
    assert!(html.join("index.html").is_file());
}

#[test]
fn go_test_flags_pass_through_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let m = module(
        tmp,
        "flags",
        &[
            ("p/p.go", "package p\n\nfunc A() int { return 1 }\n\nfunc B() int { return 2 }\n"),
            ("p/p_test.go", "package p\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { A() }\n\nfunc TestB(t *testing.T) { B() }\n"),
        ],
    );
    let out = intcov_test(
        &m,
        &tmp.join("cache"),
        &[
            "-run",
            "TestA",
            "-v",
            "-timeout=1m",
            "./...",
            "--json",
            "j.json",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("=== RUN   TestA"), "{stdout}");
    assert!(!stdout.contains("TestB"), "{stdout}");
    assert!(
        stdout.ends_with("\texample.com/flags/p\t\tcoverage: 50.0% of statements\ntotal: 50.0%\n"),
        "{stdout}"
    );
    assert!(m.join("j.json").is_file());
}

#[test]
fn a_build_failure_exits_with_go_tests_status_and_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let m = module(
        tmp,
        "nobuild",
        &[
            ("p/p.go", "package p\n\nfunc P() int { return \"x\" }\n"),
            (
                "p/p_test.go",
                "package p\n\nimport \"testing\"\n\nfunc TestP(t *testing.T) { P() }\n",
            ),
        ],
    );
    let stock = stock_go_test(&m);
    let out = intcov_test(&m, &tmp.join("cache"), &["./..."]);
    assert_eq!(out.status.code(), stock);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("go test failed (exit status")
            && stderr.contains("before any coverage data was written"),
        "{stderr}"
    );
}

/// Generated files are left out of the reports (as by `intcov report`), never out of Go's
/// figures, and stderr says how much was left out.
#[test]
fn reports_leave_out_generated_files_and_the_figures_stay_gos() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let m = module(
        tmp,
        "gen",
        &[
            ("p/p.go", "package p\n\nfunc A() int { return 1 }\n"),
            ("p/zz_generated.go", "// Code generated by hand. DO NOT EDIT.\n\npackage p\n\nfunc G() int { return 2 }\n"),
            ("p/p_test.go", "package p\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { A() }\n"),
        ],
    );
    let lcov = tmp.join("lcov.info");
    let out = intcov_test(&m, &tmp.join("cache"), &["--lcov", lcov.as_str(), "./..."]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.ends_with("coverage: 50.0% of statements\ntotal: 50.0%\n"),
        "{stdout}"
    );
    assert!(
        stderr.contains("the reports leave out 1 statement"),
        "{stderr}"
    );
    let lcov = std::fs::read_to_string(&lcov).unwrap();
    assert!(
        lcov.contains("SF:p/p.go") && !lcov.contains("zz_generated"),
        "{lcov}"
    );
}
