//! merge, subtract and intersect: directory-to-directory operations on covdata.

use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use covmerge::ops::{self, Operation, Options, Selection};

use super::read::InputArgs;

#[derive(Args, Debug)]
pub struct MergeArgs {
    #[command(flatten)]
    pub dirs: SetOpArgs,
    /// Combine distinct programs into one pod, merging meta-data by package
    #[arg(long)]
    pub pcombine: bool,
    /// Restrict to packages in these comma-separated modules
    #[arg(long, value_name = "PATHS")]
    pub modpaths: Option<String>,
}

/// Inputs and output of every directory-to-directory operation.
#[derive(Args, Debug)]
pub struct SetOpArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "o",
        value_name = "DIR",
        required = true
    )]
    pub output: String,
}

pub fn merge(a: MergeArgs) -> anyhow::Result<ExitCode> {
    let operation = Operation::Merge {
        pcombine: a.pcombine,
    };
    run(&a.dirs, operation, a.modpaths.as_deref())
}

pub fn subtract(a: SetOpArgs) -> anyhow::Result<ExitCode> {
    run(&a, Operation::Subtract, None)
}

pub fn intersect(a: SetOpArgs) -> anyhow::Result<ExitCode> {
    run(&a, Operation::Intersect, None)
}

fn run(args: &SetOpArgs, operation: Operation, modpaths: Option<&str>) -> anyhow::Result<ExitCode> {
    let (input, output) = (&args.input.input, &args.output);
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
    options.selection = Selection::from_flags(args.input.pkg.as_deref(), modpaths);
    options.skip_bad = args.input.skip_bad;
    let outcome = ops::run(&inputs, Utf8Path::new(output), &options)?;
    for w in outcome.warnings {
        super::read::print_warning(w);
    }
    Ok(super::read::finished())
}
