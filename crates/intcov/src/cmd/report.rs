//! `intcov report`: LCOV, Cobertura, JSON, HTML, Markdown and a badge.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use profile::pattern::PackageFilter;
use profile::text::MixedModes;
use report::{Format, LoadOptions, Sources};

#[derive(Args, Debug)]
#[command(after_help = "\
Inputs are text profiles (files starting with `mode:`, as `go test -coverprofile` writes them) \
and coverage directories (covmeta/covcounters files); all of them are merged.

File paths in the reports are relative to the source root: --source-root, or else the module \
(or go.work workspace) around the current directory, found with `go list -m -json`.

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
    let (filtered, sources) =
        super::check::load(&a.input, &opts, a.source_root.as_deref(), &exclusions)?;
    let cov = filtered.coverage;
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
        print!(
            "{}",
            report::render_text(a.format, &cov, &opts).expect("not html")
        );
    } else {
        report::write(a.format, &cov, &opts, out)
            .with_context(|| format!("writing the {} report", a.format.name()))?;
    }
    Ok(super::read::finished())
}

/// The module or workspace around the current directory; none when there is no go.mod.
pub(crate) fn discover_around_cwd() -> Sources {
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
