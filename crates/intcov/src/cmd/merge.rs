//! merge, subtract and intersect: directory-to-directory operations on covdata.

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Input coverage directories, comma-separated
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "i",
        value_name = "DIRS",
        required = true
    )]
    pub input: String,
    /// Output directory
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "o",
        value_name = "DIR",
        required = true
    )]
    pub output: String,
    /// Restrict to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
    /// Combine distinct programs into one pod, merging meta-data by package
    #[arg(long)]
    pub pcombine: bool,
    /// Restrict to packages in these comma-separated modules
    #[arg(long, value_name = "PATHS")]
    pub modpaths: Option<String>,
}

#[derive(Args, Debug)]
pub struct SetOpArgs {
    /// Input coverage directories, comma-separated
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "i",
        value_name = "DIRS",
        required = true
    )]
    pub input: String,
    /// Output directory
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "o",
        value_name = "DIR",
        required = true
    )]
    pub output: String,
    /// Restrict to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
}

pub fn merge(_a: MergeArgs) -> anyhow::Result<ExitCode> {
    super::not_built("merge")
}
pub fn subtract(_a: SetOpArgs) -> anyhow::Result<ExitCode> {
    super::not_built("subtract")
}
pub fn intersect(_a: SetOpArgs) -> anyhow::Result<ExitCode> {
    super::not_built("intersect")
}
