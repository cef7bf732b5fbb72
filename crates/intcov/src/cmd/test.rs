//! `intcov test`: `go test` with integration coverage, merged and reported, in one command.
//! The steps live in the `pipeline` crate; this parses flags and prints.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use camino::Utf8PathBuf;
use clap::Args;
use pipeline::Progress as _;

#[derive(Args, Debug)]
#[command(
    override_usage = "intcov test [INTCOV FLAGS] [GO TEST FLAGS] [PACKAGES]",
    after_help = "Runs `go test` with the integration-coverage overlay (generated once per Go \
                  release into the user cache directory, or $INTCOV_CACHE_DIR), so that every \
                  binary built with -cover that the tests run counts. Adds -cover, \
                  -coverpkg=<main module(s)>/... unless given, and -count=1 unless given (a \
                  result replayed from go test's cache writes no coverage data).\n\n\
                  intcov's own flags are the ones listed here, written with two dashes; they may \
                  appear anywhere. Everything else (`-run TestX`, `-v`, `-race`, `-tags=x`, \
                  `-timeout 30m`, `-json`, packages, `-args …`) goes to go test as given.\n\n\
                  go test's output goes to stdout as usual, its per-package `coverage:` figures \
                  marked as what they are (that package's tests alone); the merged figures \
                  follow. With -json, stdout carries go test's JSON only and the figures go to \
                  stderr. Progress goes to stderr.\n\n\
                  Exit status: go test's; 1 when the total is below --min-coverage. The reports \
                  are written even when tests fail.\n\n\
                  Examples:\n  intcov test ./...\n  intcov test --html cover-html -run TestCLI -v \
                  ./cmd/...\n  intcov test --out coverage --lcov lcov.info --min-coverage 80 ./..."
)]
pub struct TestArgs {
    /// Directory to hold the raw data of the run (DIR/raw) and the merged data (DIR/covdata)
    #[arg(long, value_name = "DIR")]
    pub out: Option<Utf8PathBuf>,
    /// Write the merged text profile (`mode: …`, as go tool covdata textfmt)
    #[arg(long, value_name = "FILE")]
    pub coverprofile: Option<Utf8PathBuf>,
    /// Write the HTML report into this directory (index.html)
    #[arg(long, value_name = "DIR")]
    pub html: Option<Utf8PathBuf>,
    /// Write an LCOV tracefile
    #[arg(long, value_name = "FILE")]
    pub lcov: Option<Utf8PathBuf>,
    /// Write a Cobertura XML report
    #[arg(long, value_name = "FILE")]
    pub cobertura: Option<Utf8PathBuf>,
    /// Write the JSON report
    #[arg(long, value_name = "FILE")]
    pub json: Option<Utf8PathBuf>,
    /// Write a Markdown summary
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<Utf8PathBuf>,
    /// Exit with status 1 when the total is below this percentage
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<f64>,
    /// json and html: record which runs (tests, program invocations) executed each block
    #[arg(long)]
    pub attribution: bool,
    /// go test flags and packages, passed through unchanged
    #[arg(last = true, value_name = "GO TEST ARGS")]
    pub go_args: Vec<String>,
}

/// intcov's flags that take a value.
const VALUE_FLAGS: [&str; 8] = [
    "--out",
    "--coverprofile",
    "--html",
    "--lcov",
    "--cobertura",
    "--json",
    "--markdown",
    "--min-coverage",
];
const SWITCHES: [&str; 3] = ["--attribution", "--help", "-h"];

/// `intcov test …` as clap reads it: intcov's flags first (from wherever they were), then
/// `--` and everything else in its order. Nothing of go test's is rewritten.
pub fn arrange(args: Vec<OsString>) -> Vec<OsString> {
    let (head, rest) = args.split_at(2.min(args.len()));
    let mut ours: Vec<OsString> = head.to_vec();
    let mut theirs = Vec::new();
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        let s = arg.to_str().unwrap_or("");
        if s == "--" {
            theirs.extend(iter.by_ref().cloned());
            break;
        }
        let name = s.split('=').next().unwrap_or("");
        if VALUE_FLAGS.contains(&name) {
            ours.push(arg.clone());
            if !s.contains('=') {
                if let Some(value) = iter.next() {
                    ours.push(value.clone());
                }
            }
        } else if SWITCHES.contains(&s) {
            ours.push(arg.clone());
        } else {
            theirs.push(arg.clone());
        }
    }
    ours.push("--".into());
    ours.extend(theirs);
    ours
}

pub fn test(a: TestArgs) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("the current directory")?;
    let cwd = Utf8PathBuf::try_from(cwd).context("the current directory is not UTF-8")?;
    let abs = |p: &Option<Utf8PathBuf>| p.as_deref().map(|p| pipeline::absolute(&cwd, p));
    let json = pipeline::gotest::wants_json(&a.go_args);
    let request = pipeline::Request {
        dir: cwd.clone(),
        go: Utf8PathBuf::from("go"),
        go_args: a.go_args.clone(),
        test_output: pipeline::TestOutput::Stdout,
        out_dir: abs(&a.out),
        outputs: pipeline::Outputs {
            covdata: None,
            coverprofile: abs(&a.coverprofile),
            html: abs(&a.html),
            lcov: abs(&a.lcov),
            cobertura: abs(&a.cobertura),
            json: abs(&a.json),
            markdown: abs(&a.markdown),
            attribution: a.attribution,
            title: Some(pipeline::TITLE.to_owned()),
            exclusions: report::Exclusions::default(),
        },
        cache_dir: None,
    };
    let progress = pipeline::Stderr("intcov");
    let done = match pipeline::run(&request, &progress) {
        Ok(done) => done,
        Err(e @ pipeline::Error::TestsFailedWithoutData { status }) => {
            eprintln!("intcov: {e}");
            return Ok(ExitCode::from(u8::try_from(status).unwrap_or(1)));
        }
        Err(e) => return Err(e.into()),
    };
    progress.step("integration coverage, every package merged:");
    if json {
        eprint!("{}", done.summary.text);
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(done.summary.text.as_bytes())?;
        out.flush()?;
    }
    progress.step(&format!(
        "done in {:.1}s ({})",
        done.timings.total().as_secs_f64(),
        done.timings
    ));
    if done.go_status != 0 {
        progress.step(&format!(
            "go test failed (exit status {}); the reports cover the tests that ran",
            done.go_status
        ));
        return Ok(ExitCode::from(u8::try_from(done.go_status).unwrap_or(1)));
    }
    if let Some(min) = a.min_coverage {
        if let Some(msg) = pipeline::below_minimum(&done.summary, min) {
            eprintln!("intcov: {msg}");
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arranged(v: &[&str]) -> Vec<String> {
        arrange(v.iter().map(OsString::from).collect())
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    #[test]
    fn our_flags_come_first_and_go_tests_stay_as_given() {
        assert_eq!(
            arranged(&[
                "intcov",
                "test",
                "-run",
                "TestCLI",
                "--html",
                "h",
                "-v",
                "./...",
                "--min-coverage=80",
                "-json",
                "-coverprofile=c.out"
            ]),
            [
                "intcov",
                "test",
                "--html",
                "h",
                "--min-coverage=80",
                "--",
                "-run",
                "TestCLI",
                "-v",
                "./...",
                "-json",
                "-coverprofile=c.out"
            ]
        );
        assert_eq!(
            arranged(&["intcov", "test", "--", "--html", "x"]),
            ["intcov", "test", "--", "--html", "x"]
        );
    }
}
