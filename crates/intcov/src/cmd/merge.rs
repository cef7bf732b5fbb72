//! merge, subtract and intersect: directory-to-directory operations on covdata.

use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use covmerge::ops::{self, Operation, Options, Selection};

use super::diag::UsageError;
use super::read::{check_hw, drop_in, InputArgs};
use crate::args::go_bool;

#[derive(Args, Debug)]
pub struct MergeArgs {
    #[command(flatten)]
    pub dirs: SetOpArgs,
    /// Combine distinct programs into one pod, merging meta-data by package
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true", value_parser = go_bool)]
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
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: String,
}

pub fn merge(a: MergeArgs) -> anyhow::Result<ExitCode> {
    let operation = Operation::Merge {
        pcombine: a.pcombine,
    };
    let usage = "intcov merge -i=<directories> -o=<dir>";
    run(&a.dirs, operation, a.modpaths.as_deref(), usage)
}

pub fn subtract(a: SetOpArgs) -> anyhow::Result<ExitCode> {
    run(
        &a,
        Operation::Subtract,
        None,
        "intcov subtract -i=dir1,dir2 -o=<dir>",
    )
}

pub fn intersect(a: SetOpArgs) -> anyhow::Result<ExitCode> {
    run(
        &a,
        Operation::Intersect,
        None,
        "intcov intersect -i=dir1,dir2 -o=<dir>",
    )
}

fn run(
    args: &SetOpArgs,
    operation: Operation,
    modpaths: Option<&str>,
    usage: &str,
) -> anyhow::Result<ExitCode> {
    drop_in(&args.input.go, usage, |diag| {
        let (input, output) = (&args.input.input, &args.output);
        if input.is_empty() {
            return Err(UsageError("select input directories with '-i' option".into()).into());
        }
        // Go refuses anything but two inputs; intcov subtracts every later input from the
        // first, so only one input is the usage error Go's is.
        if operation == Operation::Subtract && !input.contains(',') {
            let msg = "supply exactly two input dirs for subtract operation";
            return Err(UsageError(msg.into()).into());
        }
        if output.is_empty() {
            return Err(UsageError("select output directory with '-o' option".into()).into());
        }
        let output = Utf8Path::new(output);
        // Go fails later on the first file it writes there; say what is wrong, once.
        if output.exists() && !output.is_dir() {
            anyhow::bail!("output {output}: not a directory");
        }
        // Go splits -i on commas and keeps empty names (which then fail to open); dropping
        // them is kinder and changes nothing else.
        let inputs: Vec<Utf8PathBuf> = input
            .split(',')
            .filter(|d| !d.is_empty())
            .map(Utf8PathBuf::from)
            .collect();
        for dir in &inputs {
            if let Err(e) = std::fs::read_dir(dir) {
                anyhow::bail!("reading inputs: open {dir}: {e}");
            }
        }
        let mut options = Options::new(operation);
        options.selection = Selection::from_flags(args.input.pkg.as_deref(), modpaths);
        options.skip_bad = args.input.skip_bad;
        let outcome = ops::run(&inputs, output, &options)?;
        for w in outcome.warnings {
            diag.warn(w);
        }
        check_hw(&args.input.go, diag)
    })
}
