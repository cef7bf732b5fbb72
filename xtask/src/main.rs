//! `cargo xtask`: the project's automation, in Rust (the rust-analyzer pattern).

mod bench;
mod bench_flush;
mod bench_hugemeta;
mod bench_pipeline;
mod bench_reports;
mod bench_setops;
mod bench_warnings;
mod conformance;
mod cover;
mod cover_outputs;
mod dist;
mod dist_archive;
mod flags;
mod gen_overlay;
mod overlay_matrix;
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
        flags::Command::Cover(args) => cover::run(args),
        flags::Command::GenOverlay(args) => gen_overlay::run(args),
        flags::Command::OverlayMatrix(args) => overlay_matrix::run(args),
        flags::Command::Bench(args) => bench::run(args),
        flags::Command::Test(args) => test::run(args),
        flags::Command::Conformance(args) => conformance::run(args),
        flags::Command::Dist(args) => dist::run(args),
    }
}

/// The workspace root (xtask lives one level below it).
pub fn project_root() -> camino::Utf8PathBuf {
    let dir = camino::Utf8Path::new(env!("CARGO_MANIFEST_DIR"));
    dir.parent()
        .expect("xtask is inside the workspace")
        .to_owned()
}
