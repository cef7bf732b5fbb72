//! The GitHub Action's script (`action/intcov-action.sh`, called by `action.yml`) run locally
//! under a faked Actions environment (RUNNER_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, INPUT_*),
//! with this build's intcov on PATH, on a copy of a fixture module.

use std::process::{Command, Output};

use camino::{Utf8Path, Utf8PathBuf};

struct Runner {
    _tmp: tempfile::TempDir,
    root: Utf8PathBuf,
}

impl Runner {
    fn new() -> Runner {
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
        std::fs::create_dir_all(root.join("runner-temp")).unwrap();
        Runner { _tmp: tmp, root }
    }

    /// A copy of `go-fixtures/<name>`, so nothing is written into the repository.
    fn fixture(&self, name: &str) -> Utf8PathBuf {
        let status = Command::new("cp")
            .arg("-r")
            .arg(testkit::fixtures_root().join(name))
            .arg(&self.root)
            .status()
            .unwrap();
        assert!(status.success());
        self.root.join(name)
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join(name)).unwrap_or_default()
    }

    /// `intcov-action.sh STEP` with only the variables Actions would give it (none of the
    /// caller's GITHUB_* leak in: a real pull_request event would start a diff against its base).
    fn step(&self, step: &str, inputs: &[(&str, &str)]) -> Output {
        let intcov_dir = Utf8Path::new(env!("CARGO_BIN_EXE_intcov"))
            .parent()
            .unwrap();
        let go_dir = testkit::go().go.parent().unwrap().to_owned();
        let path = format!("{intcov_dir}:{go_dir}:/usr/bin:/bin");
        let mut cmd = Command::new("bash");
        cmd.arg(script()).arg(step).env_clear();
        for keep in [
            "HOME",
            "TMPDIR",
            "GOPATH",
            "GOMODCACHE",
            "GOCACHE",
            "XDG_CACHE_HOME",
        ] {
            if let Some(v) = std::env::var_os(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.env("PATH", path)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-buildvcs=false")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.root.join("runner-temp"))
            .env("GITHUB_OUTPUT", self.root.join("output.txt"))
            .env("GITHUB_STEP_SUMMARY", self.root.join("summary.md"))
            .env("GITHUB_PATH", self.root.join("path.txt"))
            .env("GITHUB_EVENT_NAME", "push")
            .env("INTCOV_REPOSITORY", "intcov/intcov");
        for (k, v) in inputs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// `name=value` lines written to GITHUB_OUTPUT.
    fn output(&self, name: &str) -> Option<String> {
        self.file("output.txt")
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }
}

fn script() -> Utf8PathBuf {
    testkit::repo_root().join("action/intcov-action.sh")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The `total: X%` line intcov test printed last.
fn printed_total(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("total: "))
        .unwrap_or_else(|| panic!("no total line\n{}", text(out)));
    line["total: ".len()..].trim_end_matches('%').to_owned()
}

#[test]
fn install_path_mode_finds_intcov_and_prints_its_version() {
    let r = Runner::new();
    let out = r.step("install", &[("INPUT_INSTALL_MODE", "path")]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("intcov "), "{}", text(&out));
    assert!(
        stdout.contains("overlay: Go 1.21 to 1.27"),
        "{}",
        text(&out)
    );
}

#[test]
fn run_writes_summary_output_and_reports_for_a_fixture() {
    let r = Runner::new();
    let module = r.fixture("clisuite");
    let out = r.step(
        "run",
        &[
            ("INPUT_WORKING_DIRECTORY", module.as_str()),
            ("INPUT_PACKAGES", "./..."),
            ("INPUT_FORMATS", "lcov, html"),
            ("INPUT_MIN_COVERAGE", "50"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let total = printed_total(&out);
    assert_eq!(r.output("coverage").as_deref(), Some(total.as_str()));
    let summary = r.file("summary.md");
    assert!(
        summary.contains(&format!("{total}%")) && summary.contains("| Package |"),
        "step summary:\n{summary}"
    );
    let reports = Utf8PathBuf::from(r.output("report-dir").expect("report-dir output"));
    for f in ["coverage.out", "lcov.info", "html/index.html", "summary.md"] {
        assert!(reports.join(f).is_file(), "{f} missing in {reports}");
    }
    assert!(reports.join("covdata").is_dir());
    // The integration coverage is there: the binaries the tests ran counted.
    let pct: f64 = total.parse().unwrap();
    assert!(pct > 50.0, "total {pct}%");
}

#[test]
fn run_below_min_coverage_fails_but_still_reports() {
    let r = Runner::new();
    let module = r.fixture("clisuite");
    let out = r.step(
        "run",
        &[
            ("INPUT_WORKING_DIRECTORY", module.as_str()),
            // Only the package list is exercised: no test runs, so coverage is far below 99.
            ("INPUT_GO_TEST_ARGS", "-run NoSuchTest"),
            ("INPUT_MIN_COVERAGE", "99"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let total = printed_total(&out);
    assert_eq!(r.output("coverage").as_deref(), Some(total.as_str()));
    assert!(r.file("summary.md").contains(&format!("{total}%")));
}

/// On a change with untested statements, `min-patch` fails through `intcov check` and the patch
/// figure reaches the outputs and the summary.
#[test]
fn min_patch_gates_the_change_against_diff_base() {
    let r = Runner::new();
    let module = r.fixture("clisuite");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&module)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    // A function no test calls: every changed statement is uncovered.
    let keys = module.join("internal/keys/keys.go");
    let mut src = std::fs::read_to_string(&keys).unwrap();
    src.push_str(
        "\nfunc Untested(n int) int {\n\tif n > 1 {\n\t\treturn n * 2\n\t}\n\treturn n\n}\n",
    );
    std::fs::write(&keys, src).unwrap();
    git(&["commit", "-q", "-am", "change"]);

    let out = r.step(
        "run",
        &[
            ("INPUT_WORKING_DIRECTORY", module.as_str()),
            ("INPUT_DIFF_BASE", "HEAD~1"),
            ("INPUT_MIN_PATCH", "50"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        r.output("patch-coverage").as_deref(),
        Some("0.0"),
        "{}",
        text(&out)
    );
    assert!(r.output("coverage").is_some_and(|c| !c.is_empty()));
    assert!(
        r.file("summary.md").contains("0.0%"),
        "{}",
        r.file("summary.md")
    );
}

#[test]
fn bad_inputs_fail_with_one_clear_message() {
    let r = Runner::new();
    let module = r.fixture("clisuite");
    let out = r.step(
        "run",
        &[
            ("INPUT_WORKING_DIRECTORY", module.as_str()),
            ("INPUT_FORMATS", "lcov,pdf"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown format 'pdf'"),
        "{}",
        text(&out)
    );

    let out = r.step("install", &[("INPUT_INSTALL_MODE", "docker")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("install-mode must be binary, cargo or path"),
        "{}",
        text(&out)
    );
}
