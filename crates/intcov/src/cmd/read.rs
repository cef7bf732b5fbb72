//! The reading commands of `go tool covdata`: textfmt, percent, func, pkglist, debugdump.
//!
//! Output bytes equal Go's; so do the edge cases: with no coverage data at all Go warns on
//! stderr, prints nothing (textfmt leaves an empty file, debugdump its header and zero totals)
//! and exits 0; a missing input directory or a bad file is an error (exit 1).

use std::fs::File;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use covmerge::covdata::{CounterFile, FuncDesc, MetaFile, PackageMeta, Pod, Segment};
use covmerge::{ModePolicy, PackageFilter, PodVisitor, ReadOptions, Warning};
use profile::gofmt;

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
    /// Keep going past bad files: list each on stderr with the reason, report the rest, and
    /// exit with status 3
    #[arg(long = "skip-bad")]
    pub skip_bad: bool,
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
    /// Also write a text profile to this file (as `go tool covdata percent -o` does)
    #[arg(short = 'o', long = "output", visible_alias = "o", value_name = "FILE")]
    pub output: Option<String>,
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

impl InputArgs {
    /// `-i` split as Go splits it: on every comma, empty pieces kept (and then failing to
    /// open, as in Go).
    fn dirs(&self) -> Vec<Utf8PathBuf> {
        self.input.split(',').map(Utf8PathBuf::from).collect()
    }

    fn options(&self, mode_policy: ModePolicy) -> ReadOptions {
        ReadOptions {
            packages: self.pkg.as_deref().and_then(PackageFilter::new),
            mode_policy,
            meta_files_lists: false,
            skip_bad: self.skip_bad,
        }
    }
}

/// Exit status of a run that left bad files out (`--skip-bad`): the output is complete for
/// the files that were read, and something was not.
pub(crate) const EXIT_SKIPPED: u8 = 3;

/// Whether a `--skip-bad` run left a file out.
static SKIPPED: AtomicBool = AtomicBool::new(false);

pub(crate) fn print_warning(w: Warning) {
    if matches!(w, Warning::Skipped { .. }) {
        SKIPPED.store(true, Ordering::Relaxed);
    }
    eprintln!("warning: {w}");
}

/// Success, or [`EXIT_SKIPPED`] when bad files were left out.
pub(crate) fn finished() -> ExitCode {
    if SKIPPED.load(Ordering::Relaxed) {
        ExitCode::from(EXIT_SKIPPED)
    } else {
        ExitCode::SUCCESS
    }
}

fn read(input: &InputArgs, policy: ModePolicy) -> anyhow::Result<Option<profile::Profile>> {
    Ok(covmerge::read_profile(
        &input.dirs(),
        &input.options(policy),
        &mut print_warning,
    )?)
}

/// Go creates the output file before reading anything, so a run that finds no data (or fails)
/// still leaves it behind, empty.
fn create(path: &str) -> anyhow::Result<File> {
    File::create(path).with_context(|| format!("unable to open textfmt output file {path:?}"))
}

fn write_textual(file: File, path: &str, profile: Option<&profile::Profile>) -> anyhow::Result<()> {
    let mut out = io::BufWriter::new(file);
    if let Some(p) = profile {
        gofmt::emit_textual(p, &mut out).with_context(|| format!("writing to {path}"))?;
    }
    // Flushed, then closed when dropped; like Go, no fsync.
    out.into_inner()
        .map(drop)
        .map_err(|e| e.into_error())
        .with_context(|| format!("closing textfmt output file {path}"))
}

/// The process exits right after a command; freeing a large profile piece by piece would only
/// cost time.
fn discard(profile: Option<profile::Profile>) {
    std::mem::forget(profile);
}

pub fn textfmt(a: TextfmtArgs) -> anyhow::Result<ExitCode> {
    let file = create(&a.output)?;
    let profile = read(&a.input, ModePolicy::Strict)?;
    write_textual(file, &a.output, profile.as_ref())?;
    discard(profile);
    Ok(finished())
}

fn stdout_with(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    f(&mut out)
        .and_then(|()| out.flush())
        .or_else(|e| {
            // A closed pipe (`| head`) is not worth an error message.
            if e.kind() == io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(e)
            }
        })
        .context("writing to standard output")
}

pub fn percent(a: PercentArgs) -> anyhow::Result<ExitCode> {
    let file = a.output.as_deref().map(create).transpose()?;
    let profile = read(&a.input, ModePolicy::Relaxed)?;
    if let Some(p) = &profile {
        stdout_with(|w| gofmt::emit_percent(p, w))?;
    }
    if let (Some(file), Some(path)) = (file, a.output.as_deref()) {
        write_textual(file, path, profile.as_ref())?;
    }
    discard(profile);
    Ok(finished())
}

pub fn func(a: FuncArgs) -> anyhow::Result<ExitCode> {
    let profile = read(&a.input, ModePolicy::Relaxed)?;
    if let Some(p) = &profile {
        stdout_with(|w| gofmt::emit_funcs(p, w))?;
    }
    discard(profile);
    Ok(finished())
}

pub fn pkglist(a: PkglistArgs) -> anyhow::Result<ExitCode> {
    let profile = read(&a.input, ModePolicy::Relaxed)?;
    if let Some(p) = &profile {
        stdout_with(|w| gofmt::emit_pkglist(p, w))?;
    }
    discard(profile);
    Ok(finished())
}

pub fn debugdump(a: DebugdumpArgs) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut dumper = Dumper {
        out: io::BufWriter::new(stdout.lock()),
        live_only: a.live,
        error: None,
        preamble_pending: None,
        total_stmts: 0,
        covered_stmts: 0,
    };
    let args: Vec<String> = std::env::args().collect();
    dumper.header(&args);
    // Output already written stays written if reading fails, as in Go.
    let result = covmerge::visit(
        &a.input.dirs(),
        &a.input.options(ModePolicy::PerPod),
        &mut dumper,
        &mut |w| {
            print_warning(w);
        },
    );
    if result.is_ok() {
        let (t, c) = (dumper.total_stmts, dumper.covered_stmts);
        dumper.line(format_args!("totalStmts: {t} coveredStmts: {c}\n"));
    }
    let io_result = match dumper.error.take() {
        Some(e) => Err(e),
        None => dumper.out.flush(),
    };
    result?;
    match io_result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(e).context("writing to standard output")
        }
        _ => Ok(finished()),
    }
}

/// `go tool covdata debugdump`'s output, built from the pod walk.
struct Dumper<W: Write> {
    out: W,
    live_only: bool,
    /// The first write error; later writes are skipped.
    error: Option<io::Error>,
    /// Package path, name and module of a package whose header is not printed yet.
    preamble_pending: Option<(String, String, String)>,
    total_stmts: u64,
    covered_stmts: u64,
}

impl<W: Write> Dumper<W> {
    fn line(&mut self, args: std::fmt::Arguments<'_>) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_fmt(args) {
                self.error = Some(e);
            }
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(b) {
                self.error = Some(e);
            }
        }
    }

    fn header(&mut self, args: &[String]) {
        // Go shows its own command line with the subcommand put back in place.
        let produced_by = args.join(" ");
        self.line(format_args!(
            "/* WARNING: the format of this dump is not stable and is\n \
             * expected to change from one Go release to the next.\n \
             *\n \
             * produced by:\n \
             *\t{produced_by}\n \
             */\n"
        ));
    }
}

impl<W: Write> PodVisitor for Dumper<W> {
    fn begin_pod(&mut self, _pod: &Pod, meta: &MetaFile<'_>) {
        let (m, g) = (meta.counter_mode(), meta.granularity());
        self.line(format_args!("Cover mode: {m}\nCover granularity: {g}\n"));
    }

    fn counter_file(&mut self, path: &Utf8Path, _file: &CounterFile<'_>, first: &Segment<'_>) {
        // Go prints the args' bytes as they are, UTF-8 or not.
        self.line(format_args!("data file {path}"));
        for key in ["GOOS", "GOARCH"] {
            if let Some(v) = first.raw_arg(key.as_bytes()).filter(|v| !v.is_empty()) {
                self.line(format_args!(" {key}="));
                self.bytes(v);
            }
        }
        let argc = first.os_args().len();
        if argc != 0 {
            self.line(format_args!("  program args: ["));
            for i in 0..argc {
                if i > 0 {
                    self.bytes(b" ");
                }
                let arg = first.raw_arg(format!("argv{i}").as_bytes());
                self.bytes(arg.unwrap_or_default());
            }
            self.line(format_args!("]\n"));
        }
        self.line(format_args!("\n"));
    }

    fn begin_package(&mut self, pkg: &PackageMeta<'_>) {
        self.preamble_pending = Some((
            pkg.path().to_owned(),
            pkg.name().to_owned(),
            pkg.module_path().to_owned(),
        ));
    }

    fn func(
        &mut self,
        _pkg: &PackageMeta<'_>,
        _func_idx: u32,
        func: &FuncDesc<'_>,
        counters: Option<&[u32]>,
    ) {
        let show = counters.is_some() || !self.live_only;
        if show {
            if let Some((path, name, module)) = self.preamble_pending.take() {
                self.line(format_args!(
                    "\nPackage path: {path}\nPackage name: {name}\nModule path: {module}\n"
                ));
            }
            self.line(format_args!(
                "\nFunc: {}\nSrcfile: {}\nLiteral: {}\n",
                func.name, func.file, func.literal
            ));
        }
        for (i, u) in func.units.iter().enumerate() {
            let count = counters.map_or(0, |c| c[i]);
            if show {
                self.line(format_args!(
                    "{i}: L{}:C{} -- L{}:C{} NS={} = {count}\n",
                    u.start_line, u.start_col, u.end_line, u.end_col, u.num_stmts
                ));
            }
            self.total_stmts += u64::from(u.num_stmts);
            if count != 0 {
                self.covered_stmts += u64::from(u.num_stmts);
            }
        }
    }
}
