//! `intcov`: a drop-in for `go tool covdata`, coverage reports, and the integration-coverage
//! overlay generator. The binary is thin: argument parsing here, the work in library crates.

mod args;
mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "intcov",
    version,
    about = "Go coverage data, merged and reported: a drop-in for `go tool covdata`",
    long_about = "Reads the covmeta/covcounters files that Go programs built with -cover write to \
                  GOCOVERDIR. Flags may be given Go-style (-i=dir, -pkg=p) or GNU-style (--input dir)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Convert coverage data to a legacy text profile (`mode: set` …)
    Textfmt(cmd::read::TextfmtArgs),
    /// Report statement coverage per package
    Percent(cmd::read::PercentArgs),
    /// Report coverage per function
    Func(cmd::read::FuncArgs),
    /// List the import paths of covered packages
    Pkglist(cmd::read::PkglistArgs),
    /// Dump coverage data in human-readable form
    Debugdump(cmd::read::DebugdumpArgs),
    /// Merge coverage data directories into one
    Merge(cmd::merge::MergeArgs),
    /// Subtract the coverage of later inputs from the first
    Subtract(cmd::merge::SetOpArgs),
    /// Keep only the coverage common to all inputs
    Intersect(cmd::merge::SetOpArgs),
    /// Write a report: lcov, cobertura, json, html, markdown or badge
    Report(cmd::report::ReportArgs),
    /// Gate on coverage: thresholds, changed-line (patch) coverage, deltas against a baseline
    Check(cmd::check::CheckArgs),
    /// Generate a `go test -overlay` for integration coverage
    Overlay(cmd::overlay::OverlayArgs),
    /// Run go test with integration coverage, merge and report it (`intcov test ./...`)
    Test(cmd::test::TestArgs),
}

fn main() -> ExitCode {
    tune_malloc();
    let argv: Vec<_> = std::env::args_os().collect();
    // go test's flags are Go-style too, and must reach it untouched.
    let argv = if argv.get(1).is_some_and(|a| a == "test") {
        cmd::test::arrange(argv)
    } else {
        args::normalize(argv)
    };
    let cli = Cli::parse_from(argv);
    let result = match cli.command {
        Command::Textfmt(a) => cmd::read::textfmt(a),
        Command::Percent(a) => cmd::read::percent(a),
        Command::Func(a) => cmd::read::func(a),
        Command::Pkglist(a) => cmd::read::pkglist(a),
        Command::Debugdump(a) => cmd::read::debugdump(a),
        Command::Merge(a) => cmd::merge::merge(a),
        Command::Subtract(a) => cmd::merge::subtract(a),
        Command::Intersect(a) => cmd::merge::intersect(a),
        Command::Report(a) => cmd::report::report(a),
        Command::Check(a) => cmd::check::check(a),
        Command::Overlay(a) => cmd::overlay::overlay(a),
        Command::Test(a) => cmd::test::test(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("intcov: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc grows each thread's malloc arena a page or so at a time and trims it back as soon as
/// the top is free, one `mprotect` per step. Every one takes the address-space lock that page
/// faults on the other threads wait for: reading a directory of coverage data made hundreds
/// of them, enough to serialize the reading threads. Growing in large steps (address space
/// only: untouched pages cost no memory) and not trimming avoids them.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}
