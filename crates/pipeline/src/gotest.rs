//! `go test` with integration coverage on: the arguments it gets, and its output streamed.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use camino::Utf8PathBuf;
use xshell::{cmd, Shell};

use crate::{Error, Progress, Result};

/// Where go test's own output (test logs, `ok`/`FAIL` lines) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestOutput {
    /// As `go test` would print it (`intcov test`).
    Stdout,
    /// On stderr, as progress (`cargo xtask cover`, whose stdout is the summary).
    Stderr,
}

/// One `go test` invocation.
#[derive(Debug, Clone)]
pub struct GoTest {
    pub go: Utf8PathBuf,
    /// Where it runs.
    pub dir: Utf8PathBuf,
    pub overlay_json: Utf8PathBuf,
    /// Absolute; receives every covmeta/covcounters file of the run.
    pub raw_dir: Utf8PathBuf,
    /// Used unless the user gave `-coverpkg`.
    pub coverpkg: String,
    /// The user's flags and packages, unchanged.
    pub user_args: Vec<String>,
    pub output: TestOutput,
    /// The overlay was just generated: this build recompiles GOROOT packages with it.
    pub first_build: bool,
}

/// How it went.
#[derive(Debug, Clone, Copy)]
pub struct TestOutcome {
    /// go test's exit status (1 when it died of a signal).
    pub status: i32,
}

/// The full argument list after `go`: `test -overlay=… -cover [-coverpkg=…] [-count=1]`, then
/// the user's arguments as given.
pub fn arguments(t: &GoTest) -> Result<Vec<String>> {
    let own = own_flags(&t.user_args);
    for reserved in ["overlay"] {
        if let Some(flag) = own.iter().find(|(name, _)| *name == reserved) {
            return Err(Error::ReservedFlag {
                flag: flag.1.to_owned(),
            });
        }
    }
    let gave = |name: &str| own.iter().any(|(n, _)| *n == name);
    let mut args = vec![
        "test".to_owned(),
        format!("-overlay={}", t.overlay_json),
        "-cover".to_owned(),
    ];
    if !gave("coverpkg") {
        args.push(format!("-coverpkg={}", t.coverpkg));
    }
    if !gave("count") {
        args.push("-count=1".to_owned());
    }
    args.extend(t.user_args.iter().cloned());
    Ok(args)
}

/// The flag names among go test's own arguments (before `-args`), with the argument as given.
fn own_flags(args: &[String]) -> Vec<(&str, &str)> {
    let mut names = Vec::new();
    for a in args {
        if a == "-args" || a == "--args" {
            break;
        }
        let Some(flag) = a.strip_prefix("--").or_else(|| a.strip_prefix('-')) else {
            continue;
        };
        let name = flag.split('=').next().unwrap_or(flag);
        if !name.is_empty() {
            names.push((name, a.as_str()));
        }
    }
    names
}

/// The user asked go test for `-json` (then its stdout is left exactly as go test wrote it).
pub fn wants_json(args: &[String]) -> bool {
    own_flags(args)
        .iter()
        .any(|(n, a)| *n == "json" && !a.ends_with("=false"))
}

/// How often a silent `go test` is said to be still running.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Run it. A failing test is not an error: its status is in the outcome.
pub fn run(t: &GoTest, progress: &dyn Progress) -> Result<TestOutcome> {
    let args = arguments(t)?;
    let sh = Shell::new().map_err(|source| Error::Go {
        command: "go test".to_owned(),
        dir: t.dir.clone(),
        error: source,
    })?;
    sh.change_dir(&t.dir);
    let go = &t.go;
    let go_args = &args;
    let mut command: std::process::Command = cmd!(sh, "{go} {go_args...}")
        .env("GO_INTEGRATION_COVERAGE", "1")
        .env("GO_INTEGRATION_COVERDIR", &t.raw_dir)
        .into();
    command.stdout(Stdio::piped()).stderr(Stdio::inherit());

    progress.step(&format!(
        "go test {} (in {})",
        args[1..]
            .join(" ")
            .replace(&format!("-overlay={} ", t.overlay_json), "-overlay=… "),
        t.dir
    ));
    if t.first_build {
        progress.step(
            "first run with this overlay: go rebuilds the standard library's coverage packages \
             with it, which can take a minute or two; later runs reuse go's build cache",
        );
    }
    let mut child = command.spawn().map_err(|source| Error::Spawn {
        dir: t.dir.clone(),
        error: source,
    })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    let json = wants_json(&t.user_args);
    let started = Instant::now();
    let mut finished_packages = 0usize;
    let mut last_output = Instant::now();
    loop {
        match rx.recv_timeout(HEARTBEAT) {
            Ok(line) => {
                last_output = Instant::now();
                if !json && is_package_result(&line) {
                    finished_packages += 1;
                }
                let shown = if json { line } else { label_figure(&line) };
                emit(t.output, &shown);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if last_output.elapsed() >= HEARTBEAT {
                    progress.step(&format!(
                        "go test still running ({}s; {finished_packages} package{} finished)",
                        started.elapsed().as_secs(),
                        if finished_packages == 1 { "" } else { "s" }
                    ));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = reader.join();
    let status = child.wait().map_err(|source| Error::Spawn {
        dir: t.dir.clone(),
        error: source,
    })?;
    Ok(TestOutcome {
        status: status.code().unwrap_or(1),
    })
}

fn emit(to: TestOutput, line: &str) {
    match to {
        TestOutput::Stdout => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        TestOutput::Stderr => eprintln!("{line}"),
    }
}

/// `ok`, `FAIL` or `?` for a package, or a package without tests with its coverage line.
fn is_package_result(line: &str) -> bool {
    line.starts_with("ok  \t")
        || line.starts_with("FAIL\t")
        || line.starts_with("?   \t")
        || (line.starts_with('\t') && line.contains("\tcoverage: "))
}

/// What go test prints per package is that package's test binary alone (with the programs it
/// ran), over every `-coverpkg` package: it looks like a module figure and is not one.
const GO_FIGURE_LABEL: &str = "  [go test: this package's tests alone]";

fn label_figure(line: &str) -> String {
    if line.contains("coverage: ") && line.contains(" of statements") {
        format!("{line}{GO_FIGURE_LABEL}")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(user: &[&str]) -> GoTest {
        GoTest {
            go: "go".into(),
            dir: "/m".into(),
            overlay_json: "/c/o.json".into(),
            raw_dir: "/r".into(),
            coverpkg: "example.com/m/...".into(),
            user_args: user.iter().map(|s| (*s).to_owned()).collect(),
            output: TestOutput::Stdout,
            first_build: false,
        }
    }

    #[test]
    fn adds_coverpkg_and_count_unless_given() {
        assert_eq!(
            arguments(&test(&["-run", "TestX", "-v", "./..."])).unwrap(),
            [
                "test",
                "-overlay=/c/o.json",
                "-cover",
                "-coverpkg=example.com/m/...",
                "-count=1",
                "-run",
                "TestX",
                "-v",
                "./..."
            ]
        );
        assert_eq!(
            arguments(&test(&["-count=3", "--coverpkg=./a/...", "./..."])).unwrap(),
            [
                "test",
                "-overlay=/c/o.json",
                "-cover",
                "-count=3",
                "--coverpkg=./a/...",
                "./..."
            ]
        );
    }

    #[test]
    fn flags_after_args_belong_to_the_test_binary() {
        let args = arguments(&test(&["./...", "-args", "-count=2", "-overlay=x"])).unwrap();
        assert!(args.contains(&"-count=1".to_owned()), "{args:?}");
    }

    #[test]
    fn refuses_an_overlay_of_the_users() {
        let err = arguments(&test(&["-overlay=x.json", "./..."])).unwrap_err();
        assert!(err.to_string().starts_with("-overlay=x.json:"), "{err}");
    }

    #[test]
    fn labels_go_tests_own_figures() {
        assert_eq!(
            label_figure("ok  \texample.com/m/a\t0.1s\tcoverage: 6.0% of statements in example.com/m/..."),
            format!("ok  \texample.com/m/a\t0.1s\tcoverage: 6.0% of statements in example.com/m/...{GO_FIGURE_LABEL}")
        );
        assert_eq!(label_figure("=== RUN   TestX"), "=== RUN   TestX");
        assert!(wants_json(&["-json".to_owned()]));
        assert!(!wants_json(&["-json=false".to_owned()]));
    }
}
