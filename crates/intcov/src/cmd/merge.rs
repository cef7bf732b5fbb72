//! merge, subtract and intersect: directory-to-directory operations on covdata.

use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use covmerge::ops::{self, Operation, Options, Selection};

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
    /// Keep going past bad files: list each on stderr with the reason, write the rest, and
    /// exit with status 3
    #[arg(long = "skip-bad")]
    pub skip_bad: bool,
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
    /// Keep going past bad files: list each on stderr with the reason, write the rest, and
    /// exit with status 3
    #[arg(long = "skip-bad")]
    pub skip_bad: bool,
}

pub fn merge(a: MergeArgs) -> anyhow::Result<ExitCode> {
    let selection = Selection::from_flags(a.pkg.as_deref(), a.modpaths.as_deref());
    run(
        &a.input,
        &a.output,
        Operation::Merge {
            pcombine: a.pcombine,
        },
        selection,
        a.skip_bad,
    )
}

pub fn subtract(a: SetOpArgs) -> anyhow::Result<ExitCode> {
    let selection = Selection::from_flags(a.pkg.as_deref(), None);
    run(
        &a.input,
        &a.output,
        Operation::Subtract,
        selection,
        a.skip_bad,
    )
}

pub fn intersect(a: SetOpArgs) -> anyhow::Result<ExitCode> {
    let selection = Selection::from_flags(a.pkg.as_deref(), None);
    run(
        &a.input,
        &a.output,
        Operation::Intersect,
        selection,
        a.skip_bad,
    )
}

fn run(
    input: &str,
    output: &str,
    operation: Operation,
    selection: Selection,
    skip_bad: bool,
) -> anyhow::Result<ExitCode> {
    // Go splits -i on commas and keeps empty names (which then fail to open); dropping them is
    // kinder and changes nothing else.
    let inputs: Vec<Utf8PathBuf> = input
        .split(',')
        .filter(|d| !d.is_empty())
        .map(Utf8PathBuf::from)
        .collect();
    if output.is_empty() {
        anyhow::bail!("select output directory with '-o' option");
    }
    let mut options = Options::new(operation);
    options.selection = selection;
    options.skip_bad = skip_bad;
    let outcome = ops::run(&inputs, Utf8Path::new(output), &options)?;
    for w in outcome.warnings {
        super::read::print_warning(w);
    }
    Ok(super::read::finished())
}
