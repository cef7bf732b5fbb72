//! `cargo xtask`: the project's automation, in Rust (the rust-analyzer pattern).

mod flags;
mod test;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

fn main() -> ExitCode {
    let cli = flags::Xtask::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: flags::Xtask) -> Result<()> {
    match cli.command {
        flags::Command::Cover(_) => not_built("cover"),
        flags::Command::GenOverlay(_) => not_built("gen-overlay"),
        flags::Command::Bench(_) => not_built("bench"),
        flags::Command::Test(args) => test::run(args),
    }
}

fn not_built(what: &str) -> Result<()> {
    anyhow::bail!("`cargo xtask {what}` is not built yet (see the project's issues)")
}
