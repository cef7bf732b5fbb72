//! The reading commands of `go tool covdata`: textfmt, percent, func, pkglist, debugdump.

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Input coverage directories, comma-separated
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "i",
        value_name = "DIRS",
        required = true
    )]
    pub input: String,
    /// Restrict output to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
}

#[derive(Args, Debug)]
pub struct TextfmtArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output text profile
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "o",
        value_name = "FILE",
        required = true
    )]
    pub output: String,
}

#[derive(Args, Debug)]
pub struct PercentArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct FuncArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct PkglistArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct DebugdumpArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Dump only live (executed) functions
    #[arg(long)]
    pub live: bool,
}

pub fn textfmt(_a: TextfmtArgs) -> anyhow::Result<ExitCode> {
    super::not_built("textfmt")
}
pub fn percent(_a: PercentArgs) -> anyhow::Result<ExitCode> {
    super::not_built("percent")
}
pub fn func(_a: FuncArgs) -> anyhow::Result<ExitCode> {
    super::not_built("func")
}
pub fn pkglist(_a: PkglistArgs) -> anyhow::Result<ExitCode> {
    super::not_built("pkglist")
}
pub fn debugdump(_a: DebugdumpArgs) -> anyhow::Result<ExitCode> {
    super::not_built("debugdump")
}
