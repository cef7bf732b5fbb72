//! The steps of integration coverage for a Go module, written once for `intcov test` and
//! `cargo xtask cover`:
//!
//! 1. [`Workspace::find`]: the module or `go.work` workspace around a directory (which may be
//!    a subdirectory of a monorepo), through `go env` and `go list -m -json`;
//! 2. [`overlay_cache::ensure`]: the `go test -overlay` for this Go release, generated once into
//!    the user cache directory and reused (keyed by GOROOT, GOVERSION, intcov's version and the overlay's fingerprint; a
//!    file lock keeps concurrent runs from building it twice or reading it half-built);
//! 3. [`gotest::run`]: `go test` with `GO_INTEGRATION_COVERAGE=1` into a fresh raw directory,
//!    `-cover`, `-coverpkg=<main modules>/...` and `-count=1` added unless the user gave their
//!    own, every other flag passed through, its output streamed with a heartbeat;
//! 4. [`outputs::load`] and [`outputs::write`]: the raw data merged by our crates, the
//!    requested reports written atomically through `outfile`, and the [`Summary`] (per-package
//!    lines as `go tool covdata percent` prints them, `total: X%` with Go's rounding).
//!
//! [`run`] chains them for one workspace. Progress goes to a [`Progress`].

pub mod gotest;
pub mod outputs;
pub mod overlay_cache;
mod raw;
mod workspace;

use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};

pub use gotest::{GoTest, TestOutcome, TestOutput};
pub use outputs::{Outputs, Summary};
pub use raw::RawDir;
pub use workspace::Workspace;

/// Why a step failed; each variant names what it was working on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{dir}: not inside a Go module or go.work workspace (go env GOMOD is empty)")]
    NoModule { dir: Utf8PathBuf },
    #[error("running `{command}` in {dir}: {error}")]
    Go {
        command: String,
        dir: Utf8PathBuf,
        error: xshell::Error,
    },
    #[error("starting `go test` in {dir}: {error}")]
    Spawn {
        dir: Utf8PathBuf,
        error: std::io::Error,
    },
    #[error("{flag}: intcov test sets it itself (it supplies the overlay); leave it out")]
    ReservedFlag { flag: String },
    #[error("{path}: {what}: {error}")]
    Io {
        path: Utf8PathBuf,
        what: &'static str,
        error: std::io::Error,
    },
    #[error("go test failed (exit status {status}) before any coverage data was written")]
    TestsFailedWithoutData { status: i32 },
    #[error("no user cache directory: set INTCOV_CACHE_DIR, XDG_CACHE_HOME or HOME")]
    NoCacheDir,
    #[error(transparent)]
    Overlay(#[from] overlay::Error),
    #[error(transparent)]
    Sources(#[from] report::sources::SourceError),
    #[error(transparent)]
    Load(#[from] report::InputError),
    #[error("merging the coverage data into {dir}: {error}")]
    Merge {
        dir: Utf8PathBuf,
        error: covmerge::ops::OpError,
    },
    #[error(transparent)]
    Output(#[from] outfile::Error),
    #[error("writing the {format} report: {error}")]
    Report {
        format: &'static str,
        error: report::WriteError,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Title of the html and markdown reports of `intcov test` and `cargo xtask cover`.
pub const TITLE: &str = "Integration coverage";

/// Where the steps say what they are doing (stderr, for the binaries).
pub trait Progress: Sync {
    /// A step begins or a long step is still going.
    fn step(&self, msg: &str);
    /// A warning about the data (Go would print it too).
    fn warn(&self, msg: &str) {
        self.step(&format!("warning: {msg}"));
    }
}

/// [`Progress`] as `PREFIX: message` lines on stderr.
pub struct Stderr(pub &'static str);

impl Progress for Stderr {
    fn step(&self, msg: &str) {
        eprintln!("{}: {msg}", self.0);
    }
}

/// How long each phase took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub overlay: Duration,
    pub go_test: Duration,
    pub merge: Duration,
    pub reports: Duration,
}

impl Timings {
    pub fn total(&self) -> Duration {
        self.overlay + self.go_test + self.merge + self.reports
    }
}

impl std::fmt::Display for Timings {
    /// `overlay 0.01s, go test 5.20s, merge 0.05s, reports 0.10s`: the line the bench reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "overlay {:.2}s, go test {:.2}s, merge {:.2}s, reports {:.2}s",
            self.overlay.as_secs_f64(),
            self.go_test.as_secs_f64(),
            self.merge.as_secs_f64(),
            self.reports.as_secs_f64()
        )
    }
}

/// One `intcov test`: where, with which `go`, which arguments, what to write.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where `go test` runs (the user's current directory).
    pub dir: Utf8PathBuf,
    /// The `go` command.
    pub go: Utf8PathBuf,
    /// The user's `go test` flags and packages, passed through.
    pub go_args: Vec<String>,
    /// Where go test's own output goes.
    pub test_output: TestOutput,
    /// `--out DIR`: `DIR/raw` (what the run wrote) and `DIR/covdata` (merged).
    pub out_dir: Option<Utf8PathBuf>,
    pub outputs: Outputs,
    /// The overlay cache; `None` for [`overlay_cache::default_dir`].
    pub cache_dir: Option<Utf8PathBuf>,
}

/// What a run gave.
#[derive(Debug)]
pub struct Finished {
    /// go test's exit status.
    pub go_status: i32,
    pub summary: Summary,
    pub timings: Timings,
}

/// All the steps for the workspace around `req.dir`. Reports are written whatever go test's
/// status (a failing test still leaves the coverage of the rest).
pub fn run(req: &Request, progress: &dyn Progress) -> Result<Finished> {
    let mut timings = Timings::default();
    let started = Instant::now();
    req.outputs.prepare()?;
    let workspace = Workspace::find(&req.go, &req.dir)?;
    let cache = match &req.cache_dir {
        Some(d) => d.clone(),
        None => overlay_cache::default_dir()?,
    };
    let overlay = overlay_cache::ensure(&req.go, &cache, progress)?;
    timings.overlay = started.elapsed();

    let raw_dir = RawDir::create(req.out_dir.as_ref().map(|o| o.join("raw")).as_deref())?;
    let raw = raw_dir.path().to_owned();

    let started = Instant::now();
    let test = GoTest {
        go: req.go.clone(),
        dir: req.dir.clone(),
        overlay_json: overlay.json.clone(),
        raw_dir: raw.clone(),
        coverpkg: workspace.coverpkg(),
        user_args: req.go_args.clone(),
        output: req.test_output,
        first_build: overlay.fresh,
    };
    let outcome = gotest::run(&test, progress)?;
    timings.go_test = started.elapsed();

    let started = Instant::now();
    progress.step("merging the coverage data");
    let raw_dirs = [raw.clone()];
    let loaded = match outputs::load(&raw_dirs, req.outputs.attribution, progress) {
        Ok(loaded) => loaded,
        // Nothing to report: a build failure, or every package failed before writing data.
        Err(Error::Load(report::InputError::NoCoverageData { .. } | report::InputError::Empty))
            if outcome.status != 0 =>
        {
            return Err(Error::TestsFailedWithoutData {
                status: outcome.status,
            })
        }
        Err(e) => return Err(e),
    };
    let mut outs = req.outputs.clone();
    if let Some(out) = &req.out_dir {
        outs.covdata = Some(out.join("covdata"));
    }
    timings.merge = started.elapsed();

    let started = Instant::now();
    let summary = outputs::write(&loaded, &raw_dirs, &workspace.sources(), &outs, progress)?;
    raw_dir.keep()?;
    timings.reports = started.elapsed();
    Ok(Finished {
        go_status: outcome.status,
        summary,
        timings,
    })
}

/// The message `--min-coverage` fails with, or `None` when the total reaches it.
pub fn below_minimum(summary: &Summary, min: f64) -> Option<String> {
    let total = summary.total_percent.unwrap_or(0.0);
    (total < min).then(|| format!("total coverage {total:.1}% is below --min-coverage {min}%"))
}

/// `p` made absolute against `base`.
pub fn absolute(base: &Utf8Path, p: &Utf8Path) -> Utf8PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        base.join(p)
    }
}
