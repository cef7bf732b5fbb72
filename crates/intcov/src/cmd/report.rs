//! `intcov report`: LCOV, Cobertura, JSON, HTML and Markdown.

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Report format
    #[arg(long, value_name = "FORMAT")]
    pub format: String,
    /// Inputs: coverage directories or text profiles, comma-separated
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "i",
        value_name = "INPUTS",
        required = true
    )]
    pub input: String,
    /// Output file (a directory for html)
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "o",
        value_name = "PATH",
        required = true
    )]
    pub output: String,
    /// Restrict to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
}

pub fn report(_a: ReportArgs) -> anyhow::Result<ExitCode> {
    super::not_built("report")
}
