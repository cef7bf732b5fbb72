//! `intcov report`: LCOV, Cobertura, JSON, HTML and Markdown.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use covmerge::covdata::{CounterFile, FuncDesc, MetaFile, PackageMeta, Pod, Segment};
use covmerge::{ModePolicy, PodVisitor, ProfileBuilder, ReadOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use profile::pattern::PackageFilter;
use profile::text::{self, MixedModes};
use profile::Profile;
use report::{Attribution, Coverage, Format, Run, RunKind, Sources};

#[derive(Args, Debug)]
#[command(after_help = "\
Inputs are text profiles (files starting with `mode:`, as `go test -coverprofile` writes them) \
and coverage directories (covmeta/covcounters files); all of them are merged.

File paths in the reports are relative to the source root: --source-root, or else the module \
(or go.work workspace) around the current directory, found with `go list -m -json`.")]
pub struct ReportArgs {
    /// Report format: lcov, cobertura, json, html or markdown
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Format,
    /// Inputs: coverage directories or text profiles, comma-separated
    #[arg(short = 'i', long = "input", value_name = "INPUTS", required = true)]
    pub input: String,
    /// Output file (a directory for html; `-` for stdout otherwise)
    #[arg(short = 'o', long = "output", value_name = "PATH", required = true)]
    pub output: String,
    /// Restrict to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
    /// Directory of the module's go.mod (or go.work) that file paths are relative to and
    /// sources are read from
    #[arg(long = "source-root", value_name = "DIR")]
    pub source_root: Option<Utf8PathBuf>,
    /// json, html: record which runs (tests, program invocations, input profiles) executed
    /// each block
    #[arg(long)]
    pub attribution: bool,
    /// lcov: write absolute source paths in SF: records
    #[arg(long = "absolute-paths")]
    pub absolute_paths: bool,
    /// Merging set-mode with count/atomic inputs: `refuse`, or `set` to reduce all to set mode
    #[arg(long = "mixed-modes", value_name = "RULE", default_value = "refuse", value_parser = parse_mixed)]
    pub mixed_modes: MixedModes,
    /// Title of the html and markdown reports
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Keep going past bad inputs: list each on stderr with the reason, report the rest, and
    /// exit with status 3
    #[arg(long = "skip-bad")]
    pub skip_bad: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| {
        format!("unknown format {s:?}; want one of lcov, cobertura, json, html, markdown")
    })
}

fn parse_mixed(s: &str) -> Result<MixedModes, String> {
    match s {
        "refuse" => Ok(MixedModes::Refuse),
        "set" => Ok(MixedModes::ToSet),
        _ => Err(format!("unknown rule {s:?}; want `refuse` or `set`")),
    }
}

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    let mut diag = super::diag::Diagnostics::new(false);
    let inputs: Vec<Utf8PathBuf> = a
        .input
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Utf8PathBuf::from)
        .collect();
    if inputs.is_empty() {
        bail!("-i: no inputs given");
    }
    let loaded = load(&inputs, a.attribution, a.skip_bad, &mut diag)?;
    diag.flush();
    let named: Vec<(&str, &Profile)> = loaded
        .profiles
        .iter()
        .map(|(n, p)| (n.as_str(), p))
        .collect();
    let merged = text::merge(named, a.mixed_modes)?.context("no coverage data in the inputs")?;
    let merged = match a.pkg.as_deref().and_then(PackageFilter::new) {
        Some(filter) => merged.filtered(&filter),
        None => merged,
    };
    let sources = match &a.source_root {
        Some(dir) => Sources::discover(dir)?,
        None => discover_around_cwd(),
    };
    let cov = Coverage::build(&merged, &sources, loaded.attribution.as_ref());
    let opts = report::RenderOptions {
        title: a.title.clone(),
        absolute_paths: a.absolute_paths,
        timestamp_ms: None,
    };
    let out = Utf8Path::new(&a.output);
    if a.format != Format::Html && a.output == "-" {
        let text = report::render_text(a.format, &cov, &opts).context("no text form")?;
        super::read::stdout_with(|w| w.write_all(text.as_bytes()))?;
    } else {
        report::write(a.format, &cov, &opts, out)
            .with_context(|| format!("writing the {} report", a.format.name()))?;
    }
    Ok(diag.finish())
}

/// The module or workspace around the current directory; none when there is no go.mod.
fn discover_around_cwd() -> Sources {
    let Ok(cwd) = std::env::current_dir() else {
        return Sources::none();
    };
    let Ok(cwd) = Utf8PathBuf::from_path_buf(cwd) else {
        return Sources::none();
    };
    let root = cwd
        .ancestors()
        .find(|d| d.join("go.work").is_file())
        .or_else(|| cwd.ancestors().find(|d| d.join("go.mod").is_file()));
    match root {
        Some(root) => Sources::discover(root).unwrap_or_else(|_| Sources::none()),
        None => Sources::none(),
    }
}

struct Loaded {
    /// (input name, profile) in input order; all coverage directories make one entry.
    profiles: Vec<(String, Profile)>,
    attribution: Option<Attribution>,
}

fn load(
    inputs: &[Utf8PathBuf],
    attribute: bool,
    skip_bad: bool,
    diag: &mut super::diag::Diagnostics,
) -> Result<Loaded> {
    let mut text_files = Vec::new();
    let mut dirs = Vec::new();
    for input in inputs {
        let meta =
            std::fs::metadata(input).with_context(|| format!("{input}: cannot read input"))?;
        if meta.is_dir() {
            dirs.push(input.clone());
        } else {
            text_files.push(input.clone());
        }
    }
    let pods = if dirs.is_empty() {
        Vec::new()
    } else {
        covmerge::covdata::pods::collect_pods(&dirs)?
    };
    let counter_files: usize = pods.iter().map(|p| p.counter_files.len()).sum();
    let work = text_files.len() + counter_files * if attribute { 2 } else { 1 };
    let bar = progress(work as u64);

    let mut profiles = Vec::new();
    let mut attribution = attribute.then(Attribution::new);
    for input in &text_files {
        bar.set_message(input.to_string());
        let prof = match read_text(input) {
            Ok(p) => p,
            Err(e) if skip_bad => {
                diag.warn(covmerge::Warning::Skipped {
                    file: input.clone(),
                    reason: format!("{e:#}"),
                });
                bar.inc(1);
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(att) = attribution.as_mut() {
            att.add_run(
                Run {
                    label: input.file_name().unwrap_or(input.as_str()).to_owned(),
                    kind: RunKind::Profile,
                    source: input.to_string(),
                },
                &prof,
            );
        }
        profiles.push((input.to_string(), prof));
        bar.inc(1);
    }
    if !dirs.is_empty() {
        bar.set_message(format!("{counter_files} counter files"));
        let mut visitor = Ticking {
            inner: ProfileBuilder::default(),
            bar: &bar,
            first_args: None,
        };
        let opts = read_options(skip_bad);
        covmerge::visit(&dirs, &opts, &mut visitor, &mut |w| diag.warn(w))?;
        match visitor.inner.into_profile() {
            Some(p) => profiles.push((dirs_name(&dirs), p)),
            None => bail!(
                "{}: no coverage data (no covmeta.* file) in the input directories",
                dirs_name(&dirs)
            ),
        }
        if let Some(att) = attribution.as_mut() {
            attribute_programs(att, &pods, &bar, &opts)?;
            for dir in &dirs {
                attribute_tests(att, dir, &opts)?;
            }
        }
    }
    bar.finish_and_clear();
    Ok(Loaded {
        profiles,
        attribution,
    })
}

fn dirs_name(dirs: &[Utf8PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn read_text(input: &Utf8Path) -> Result<Profile> {
    let data = std::fs::read(input).with_context(|| format!("{input}: cannot read"))?;
    if !text::is_text_profile(&data) {
        bail!("{input}: not a text profile (no `mode:` line) and not a coverage directory");
    }
    Ok(text::parse(&data, input.as_str())?)
}

fn read_options(skip_bad: bool) -> ReadOptions {
    ReadOptions {
        packages: None,
        mode_policy: ModePolicy::Strict,
        meta_files_lists: false,
        skip_bad,
    }
}

/// [`ProfileBuilder`] that ticks the progress bar per counter file and remembers the first
/// counter file's program arguments.
struct Ticking<'a> {
    inner: ProfileBuilder,
    bar: &'a ProgressBar,
    first_args: Option<Vec<String>>,
}

impl PodVisitor for Ticking<'_> {
    fn begin_pod(&mut self, pod: &Pod, meta: &MetaFile<'_>) {
        self.inner.begin_pod(pod, meta);
    }
    fn counter_file(&mut self, path: &Utf8Path, file: &CounterFile<'_>, first: &Segment<'_>) {
        self.inner.counter_file(path, file, first);
        if self.first_args.is_none() {
            self.first_args = Some(first.os_args().iter().map(|s| (*s).to_owned()).collect());
        }
        self.bar.inc(1);
    }
    fn begin_package(&mut self, pkg: &PackageMeta<'_>) {
        self.inner.begin_package(pkg);
    }
    fn func(
        &mut self,
        pkg: &PackageMeta<'_>,
        func_idx: u32,
        func: &FuncDesc<'_>,
        counters: Option<&[u32]>,
    ) {
        self.inner.func(pkg, func_idx, func, counters);
    }
    fn end_pod(&mut self, pod: &Pod) {
        self.inner.end_pod(pod);
    }
}

/// A scratch directory removed on drop.
struct Scratch(Utf8PathBuf);

impl Scratch {
    fn new() -> Result<Self> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .map_err(|p| anyhow::anyhow!("{}: temp dir path is not UTF-8", p.display()))?;
        let dir = tmp.join(format!("intcov-report-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("{dir}: cannot create"))?;
        Ok(Scratch(dir))
    }

    /// Make `file` appear in the directory under its own name.
    fn link(&self, file: &Utf8Path) -> Result<()> {
        let name = file.file_name().context("file without a name")?;
        let to = self.0.join(name);
        let abs = file.canonicalize_utf8().unwrap_or_else(|_| file.to_owned());
        #[cfg(unix)]
        let linked = std::os::unix::fs::symlink(&abs, &to).is_ok();
        #[cfg(not(unix))]
        let linked = false;
        if !linked {
            std::fs::copy(&abs, &to).with_context(|| format!("{abs}: cannot copy to {to}"))?;
        }
        Ok(())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Each counter file is a run of its program, labelled with the program's command line.
fn attribute_programs(
    att: &mut Attribution,
    pods: &[Pod],
    bar: &ProgressBar,
    opts: &ReadOptions,
) -> Result<()> {
    for pod in pods {
        for cf in &pod.counter_files {
            let scratch = Scratch::new()?;
            scratch.link(&pod.meta_file)?;
            scratch.link(&cf.path)?;
            let mut visitor = Ticking {
                inner: ProfileBuilder::default(),
                bar,
                first_args: None,
            };
            // Bad files were reported by the main read; a run that lost one is left out.
            let mut skipped = false;
            covmerge::visit(&[&scratch.0], opts, &mut visitor, &mut |w| {
                skipped |= matches!(w, covmerge::Warning::Skipped { .. });
            })?;
            if skipped {
                continue;
            }
            let label = match visitor.first_args.as_deref() {
                Some([prog, rest @ ..]) => {
                    let prog = Utf8Path::new(prog).file_name().unwrap_or(prog);
                    std::iter::once(prog)
                        .chain(rest.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                _ => cf.path.file_name().unwrap_or(cf.path.as_str()).to_owned(),
            };
            if let Some(p) = visitor.inner.into_profile() {
                att.add_run(
                    Run {
                        label,
                        kind: RunKind::Program,
                        source: cf.path.to_string(),
                    },
                    &p,
                );
            }
        }
    }
    Ok(())
}

/// The overlay exports each `RunWithIntegrationCoverage` test's data to `DIR/pertest/<test>`:
/// every directory below `pertest` holding a meta-data file is a run named by its path.
fn attribute_tests(att: &mut Attribution, dir: &Utf8Path, opts: &ReadOptions) -> Result<()> {
    let root = dir.join("pertest");
    if !root.is_dir() {
        return Ok(());
    }
    let mut stack = vec![root.clone()];
    let mut test_dirs = Vec::new();
    while let Some(d) = stack.pop() {
        let mut has_meta = false;
        for entry in d
            .read_dir_utf8()
            .with_context(|| format!("{d}: cannot list"))?
        {
            let entry = entry.with_context(|| format!("{d}: cannot list"))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path.to_owned());
            } else if entry.file_name().starts_with("covmeta.") {
                has_meta = true;
            }
        }
        if has_meta {
            test_dirs.push(d);
        }
    }
    test_dirs.sort();
    for d in test_dirs {
        let Some(p) = covmerge::read_profile(&[&d], opts, &mut |_| {})? else {
            continue;
        };
        let label = d.strip_prefix(&root).map_or(d.as_str(), |r| r.as_str());
        att.add_run(
            Run {
                label: label.to_owned(),
                kind: RunKind::Test,
                source: d.to_string(),
            },
            &p,
        );
    }
    Ok(())
}

/// A bar on stderr when it is a terminal and there is enough to read for it to matter.
fn progress(len: u64) -> ProgressBar {
    if len < 4 || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} reading {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
