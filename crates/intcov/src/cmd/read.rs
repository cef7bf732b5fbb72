//! The reading commands of `go tool covdata`: textfmt, percent, func, pkglist, debugdump.
//!
//! Output bytes equal Go's; so do the edge cases: with no coverage data at all Go warns on
//! stderr, prints nothing (textfmt leaves an empty file, debugdump its header and zero totals)
//! and exits 0; a missing input directory or a bad file is an error (exit 1).

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use covmerge::covdata::{CounterFile, FuncDesc, MetaFile, PackageMeta, Pod, Segment};
use covmerge::{ModePolicy, PackageFilter, PodVisitor, ReadOptions};
use profile::gofmt;

use super::diag::{Diagnostics, UsageError, WarningIsFatal};
use crate::args::{go_bool, GoFlags};

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct InputArgs {
    /// Input coverage directories, comma-separated
    #[arg(short = 'i', long = "input", value_name = "DIRS", required = true)]
    pub input: String,
    /// Restrict output to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
    /// Keep going past bad files: list each on stderr with the reason, report the rest, and
    /// exit with status 3
    #[arg(long = "skip-bad", value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true", value_parser = go_bool)]
    pub skip_bad: bool,
    #[command(flatten)]
    pub go: GoFlags,
}

#[derive(Args, Debug)]
pub struct TextfmtArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output text profile
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: String,
}

#[derive(Args, Debug)]
pub struct PercentArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write a text profile to this file (as `go tool covdata percent -o` does)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
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
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true", value_parser = go_bool)]
    pub live: bool,
}

impl InputArgs {
    /// `-i` split as Go splits it: on every comma, empty pieces kept (and then failing to
    /// open, as in Go). An empty `-i=` is Go's usage error.
    pub(crate) fn dirs(&self) -> anyhow::Result<Vec<Utf8PathBuf>> {
        if self.input.is_empty() {
            return Err(UsageError("select input directories with '-i' option".into()).into());
        }
        Ok(self.input.split(',').map(Utf8PathBuf::from).collect())
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

/// Run a drop-in command: its warnings through one [`Diagnostics`], its failure ended as Go
/// ends it, `-hw` and the self-profiles of [`GoFlags`] honoured.
pub(crate) fn drop_in(
    go: &GoFlags,
    usage: &str,
    body: impl FnOnce(&mut Diagnostics) -> anyhow::Result<()>,
) -> anyhow::Result<ExitCode> {
    let mut diag = Diagnostics::new(go.v >= 1);
    let result = body(&mut diag).and_then(|()| write_self_profiles(go));
    Ok(match result {
        Ok(()) => diag.finish(),
        Err(e) => diag.fail_go_style(&e, usage, go.h),
    })
}

/// `-hw`: a warning fails the command before it writes its result.
pub(crate) fn check_hw(go: &GoFlags, diag: &Diagnostics) -> anyhow::Result<()> {
    if go.hw && diag.warned() {
        return Err(WarningIsFatal.into());
    }
    Ok(())
}

/// `-cpuprofile` and `-memprofile` name files Go's tool writes its own profiles to. intcov has
/// no Go runtime to profile: it writes profiles with no samples, in the formats Go writes
/// (gzipped pprof protobuf; the legacy heap text format), so tools reading them still work.
fn write_self_profiles(go: &GoFlags) -> anyhow::Result<()> {
    // A gzip stream holding an empty profile.proto message.
    const EMPTY_PPROF: [u8; 20] = [
        0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    if let Some(path) = &go.cpuprofile {
        outfile::write(Utf8Path::new(path), &EMPTY_PPROF)?;
    }
    if let Some(path) = &go.memprofile {
        let rate = if go.memprofilerate > 0 {
            go.memprofilerate
        } else {
            512 * 1024
        };
        let text = format!("heap profile: 0: 0 [0: 0] @ heap/{rate}\n");
        outfile::write(Utf8Path::new(path), text.as_bytes())?;
    }
    Ok(())
}

/// A reading error in Go's words where Go has words for it: an input directory that cannot
/// be listed is `reading inputs: open DIR: …` (with a hint when it is a text profile).
fn input_error(err: covmerge::Error, dirs: &[Utf8PathBuf]) -> anyhow::Error {
    if let covmerge::Error::Data(covmerge::covdata::Error::Io { path, error }) = &err {
        if dirs.contains(path) {
            let hint = if is_text_profile(path) {
                " (a text profile: `intcov report` reads those)"
            } else {
                ""
            };
            return anyhow::anyhow!("reading inputs: open {path}: {error}{hint}");
        }
    }
    err.into()
}

fn is_text_profile(path: &Utf8Path) -> bool {
    let mut head = [0u8; 5];
    std::fs::File::open(path)
        .and_then(|mut f| io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"mode:"
}

fn read(
    input: &InputArgs,
    policy: ModePolicy,
    diag: &mut Diagnostics,
) -> anyhow::Result<Option<profile::Profile>> {
    let dirs = input.dirs()?;
    let profile = covmerge::read_profile(&dirs, &input.options(policy), &mut |w| diag.warn(w))
        .map_err(|e| input_error(e, &dirs))?;
    check_hw(&input.go, diag)?;
    Ok(profile)
}

/// Go opens the output file before reading anything: one that cannot be created is a usage
/// error (status 2). Here it is a temporary beside it, renamed into place once complete, so a
/// failed run leaves an existing file as it was (Go truncates it).
fn create(path: &str) -> anyhow::Result<outfile::AtomicFile> {
    outfile::AtomicFile::create(Utf8Path::new(path)).map_err(|e| {
        // The OS error without the temporary's name, which the user never gave.
        let why = e.source.to_string();
        let why = why.split(" at path ").next().unwrap_or_default();
        UsageError(format!(
            "unable to open textfmt output file {path:?}: open {path}: {why}"
        ))
        .into()
    })
}

fn write_textual(
    file: outfile::AtomicFile,
    path: &str,
    profile: Option<&profile::Profile>,
) -> anyhow::Result<()> {
    let mut out = io::BufWriter::new(file);
    if let Some(p) = profile {
        gofmt::emit_textual(p, &mut out).with_context(|| format!("writing to {path}"))?;
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("closing textfmt output file {path}"))?
        .commit()?;
    Ok(())
}

/// The process exits right after a command; freeing a large profile piece by piece would only
/// cost time.
fn discard(profile: Option<profile::Profile>) {
    std::mem::forget(profile);
}

pub fn textfmt(a: TextfmtArgs) -> anyhow::Result<ExitCode> {
    let usage = "intcov textfmt -i=<directories> -o=<file>";
    drop_in(&a.input.go, usage, |diag| {
        let file = create(&a.output)?;
        let profile = read(&a.input, ModePolicy::Strict, diag)?;
        write_textual(file, &a.output, profile.as_ref())?;
        discard(profile);
        Ok(())
    })
}

/// Write to stdout; a closed pipe (`| head`) is not worth an error message, any other failure
/// (a full disk, `/dev/full`) is an error naming stdout, never a panic.
pub(crate) fn stdout_with(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    f(&mut out)
        .and_then(|()| out.flush())
        .or_else(|e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(e)
            }
        })
        .context("writing to standard output")
}

pub fn percent(a: PercentArgs) -> anyhow::Result<ExitCode> {
    let usage = "intcov percent -i=<directories> [-o=<file>]";
    drop_in(&a.input.go, usage, |diag| {
        let file = a.output.as_deref().map(create).transpose()?;
        let profile = read(&a.input, ModePolicy::Relaxed, diag)?;
        diag.flush();
        if let Some(p) = &profile {
            stdout_with(|w| gofmt::emit_percent(p, w))?;
        }
        if let (Some(file), Some(path)) = (file, a.output.as_deref()) {
            write_textual(file, path, profile.as_ref())?;
        }
        discard(profile);
        Ok(())
    })
}

pub fn func(a: FuncArgs) -> anyhow::Result<ExitCode> {
    read_and_print(&a.input, "intcov func -i=<directories>", |p, w| {
        gofmt::emit_funcs(p, w)
    })
}

pub fn pkglist(a: PkglistArgs) -> anyhow::Result<ExitCode> {
    read_and_print(&a.input, "intcov pkglist -i=<directories>", |p, w| {
        gofmt::emit_pkglist(p, w)
    })
}

/// A command that reads the inputs and prints the result on stdout.
fn read_and_print(
    input: &InputArgs,
    usage: &str,
    emit: impl FnOnce(&profile::Profile, &mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<ExitCode> {
    drop_in(&input.go, usage, |diag| {
        let profile = read(input, ModePolicy::Relaxed, diag)?;
        diag.flush();
        if let Some(p) = &profile {
            stdout_with(|w| emit(p, w))?;
        }
        discard(profile);
        Ok(())
    })
}

pub fn debugdump(a: DebugdumpArgs) -> anyhow::Result<ExitCode> {
    let usage = "intcov debugdump [-live] -i=<directories>";
    drop_in(&a.input.go, usage, |diag| {
        let dirs = a.input.dirs()?;
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
        // Output already written stays written if reading fails, as in Go. Warnings are
        // flushed as they come here, since the dump goes to stdout as it is read.
        let result = covmerge::visit(
            &dirs,
            &a.input.options(ModePolicy::PerPod),
            &mut dumper,
            &mut |w| {
                diag.warn(w);
                diag.flush();
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
        result.map_err(|e| input_error(e, &dirs))?;
        check_hw(&a.input.go, diag)?;
        match io_result {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(e).context("writing to standard output")
            }
            _ => Ok(()),
        }
    })
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
