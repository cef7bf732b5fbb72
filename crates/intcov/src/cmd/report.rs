//! `intcov report`: LCOV, Cobertura, JSON, HTML, Markdown and a badge.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use profile::pattern::PackageFilter;
use profile::text::MixedModes;
use report::sources::PathMapping;
use report::{Format, LoadOptions, Sources};

#[derive(Args, Debug)]
#[command(after_help = "\
Inputs are text profiles (files starting with `mode:`, as `go test -coverprofile` writes them) \
and coverage directories (covmeta/covcounters files); all of them are merged.

File paths in the reports are relative to the source root: --source-root, or else the repository \
around the current directory (the nearest go.work's directory, else the git top level, else the \
module's). Modules under the root are found with `go list -m -json` and by their go.mod files; other \
packages (standard library, module cache, vendor/) through `go list`, as `go tool cover` finds them. \
Files outside the root keep their import path. A warning counts the files whose source was not found.

Generated files (`// Code generated … DO NOT EDIT.` before the package clause), --exclude \
patterns and `//coverage:ignore` functions and blocks are left out of every format; \
`.intcov.toml` (found upward from the current directory) may add exclusions and badge bands.")]
pub struct ReportArgs {
    /// Report format: lcov, cobertura, json, html, markdown or badge (an SVG)
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Format,
    /// Inputs: coverage directories or text profiles, comma-separated
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "i",
        value_name = "INPUTS",
        required = true
    )]
    pub input: String,
    /// Output file (a directory for html; `-` for stdout otherwise)
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
    /// Directory of the module's go.mod (or go.work) that file paths are relative to and
    /// sources are read from
    #[arg(long = "source-root", value_name = "DIR")]
    pub source_root: Option<Utf8PathBuf>,
    #[command(flatten)]
    pub paths: PathFlags,
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
    #[command(flatten)]
    pub exclude: super::check::ExcludeFlags,
    /// markdown: patch coverage, deltas against a baseline, a link to the HTML report
    #[command(flatten)]
    pub change: super::check::ChangeFlags,
    /// badge: the label (default `coverage`)
    #[arg(long = "badge-label", value_name = "TEXT")]
    pub badge_label: Option<String>,
    /// badge: colour bands, PCT=COLOUR,… (lower bounds; shields colour names or #hex)
    #[arg(long = "badge-bands", value_name = "BANDS", value_parser = parse_bands)]
    pub badge_bands: Option<report::badge::Bands>,
}

/// How report paths are mapped, as grcov maps them.
#[derive(Args, Debug, Default, Clone)]
pub struct PathFlags {
    /// Map files whose import path starts with OLD to the directory NEW (relative to the source
    /// root, or absolute); repeatable
    #[arg(long = "path-mapping", value_name = "OLD=NEW", value_parser = parse_mapping)]
    pub path_mapping: Vec<PathMapping>,
    /// Make file paths relative to DIR instead of the source root
    #[arg(long = "prefix-dir", value_name = "DIR")]
    pub prefix_dir: Option<Utf8PathBuf>,
}

fn parse_mapping(s: &str) -> Result<PathMapping, String> {
    PathMapping::parse(s).map_err(|e| e.to_string())
}

/// The sources of a report: the source root (or the repository around the current
/// directory) with the path flags, and every package of `profile` resolved through `go list`.
pub(crate) fn sources(
    source_root: Option<&Utf8Path>,
    paths: &PathFlags,
    profile: &profile::Profile,
) -> Result<Sources> {
    let mut sources = match source_root {
        Some(dir) => Sources::discover(dir)?,
        None => discover_around_cwd(),
    }
    .with_mappings(paths.path_mapping.clone());
    if let Some(dir) = &paths.prefix_dir {
        sources = sources.with_prefix_dir(dir);
    }
    sources.resolve_packages(profile.packages().keys().map(String::as_str));
    Ok(sources)
}

fn parse_bands(s: &str) -> Result<report::badge::Bands, String> {
    report::badge::Bands::parse(s).map_err(|e| e.to_string())
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| {
        format!("unknown format {s:?}; want one of lcov, cobertura, json, html, markdown, badge")
    })
}

pub(crate) fn parse_mixed(s: &str) -> Result<MixedModes, String> {
    match s {
        "refuse" => Ok(MixedModes::Refuse),
        "set" => Ok(MixedModes::ToSet),
        _ => Err(format!("unknown rule {s:?}; want `refuse` or `set`")),
    }
}

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    let config = super::check::config()?;
    let exclusions = super::check::exclusions(&a.exclude, config.as_ref())?;
    let opts = LoadOptions {
        attribution: a.attribution,
        skip_bad: a.skip_bad,
        mixed_modes: a.mixed_modes,
        packages: a.pkg.as_deref().and_then(PackageFilter::new),
    };
    let mut diag = super::diag::Diagnostics::new(false);
    let (filtered, sources) = super::check::load(
        &a.input,
        &opts,
        a.source_root.as_deref(),
        &a.paths,
        &exclusions,
        &mut diag,
    )?;
    let cov = filtered.coverage;
    if let Some(w) = cov.missing_sources_warning() {
        eprintln!("warning: {w}");
    }
    let (patch, deltas) = super::check::change_sections(&a.change, &cov, &sources)?;
    let mut badge = match &config {
        Some(f) => f
            .config
            .badge_options()
            .with_context(|| f.path.to_string())?,
        None => report::badge::BadgeOptions::default(),
    };
    if let Some(l) = &a.badge_label {
        badge.label.clone_from(l);
    }
    if let Some(b) = &a.badge_bands {
        badge.bands.clone_from(b);
    }
    let opts = report::RenderOptions {
        title: a.title.clone(),
        absolute_paths: a.absolute_paths,
        timestamp_ms: None,
        pr: report::markdown::PrSections {
            patch,
            deltas,
            html_url: a.change.html_url.clone(),
        },
        badge,
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

/// The repository around the current directory (see [`report::sources::default_root`]);
/// none outside any.
pub(crate) fn discover_around_cwd() -> Sources {
    let Ok(cwd) = std::env::current_dir() else {
        return Sources::none();
    };
    let Ok(cwd) = Utf8PathBuf::from_path_buf(cwd) else {
        return Sources::none();
    };
    match report::sources::default_root(&cwd) {
        Some(root) => Sources::discover(&root).unwrap_or_else(|_| Sources::none()),
        None => Sources::none(),
    }
}

/// The loader's progress, drawn as a bar.
pub(crate) struct Bar(pub(crate) ProgressBar);

impl report::inputs::Progress for Bar {
    fn start(&self, steps: u64) {
        if steps >= 4 && std::io::stderr().is_terminal() {
            self.0.set_length(steps);
            self.0.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
    fn message(&self, msg: &str) {
        self.0.set_message(msg.to_owned());
    }
    fn step(&self) {
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A hidden bar, shown on stderr once [`Bar::start`] finds a terminal and enough to read for
/// it to matter.
pub(crate) fn progress() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} reading {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
