//! `intcov report`: LCOV, Cobertura, JSON, HTML and Markdown.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use profile::text::{self, MixedModes};
use profile::Profile;
use report::{Attribution, Coverage, Format, PackageFilter, Run, RunKind, Sources};

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
    let loaded = load(&inputs, a.attribution)?;
    let named: Vec<(&str, &Profile)> = loaded
        .profiles
        .iter()
        .map(|(n, p)| (n.as_str(), p))
        .collect();
    let merged = text::merge(named, a.mixed_modes)?.context("no coverage data in the inputs")?;
    let filter = PackageFilter::new(a.pkg.as_deref());
    let merged = if filter.is_all() {
        merged
    } else {
        report::pkgmatch::filter_profile(&merged, &filter)
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
        print!(
            "{}",
            report::render_text(a.format, &cov, &opts).expect("not html")
        );
    } else {
        report::write(a.format, &cov, &opts, out)
            .with_context(|| format!("writing the {} report", a.format.name()))?;
    }
    Ok(ExitCode::SUCCESS)
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
    /// (input name, profile) in input order.
    profiles: Vec<(String, Profile)>,
    attribution: Option<Attribution>,
}

fn load(inputs: &[Utf8PathBuf], attribute: bool) -> Result<Loaded> {
    let bar = progress(inputs.len() as u64);
    let mut profiles = Vec::new();
    let mut attribution = attribute.then(Attribution::new);
    for input in inputs {
        bar.set_message(input.to_string());
        let meta =
            std::fs::metadata(input).with_context(|| format!("{input}: cannot read input"))?;
        if meta.is_dir() {
            bail!(
                "{input}: reading coverage directories needs the covdata decoder, which is not \
                 built yet; convert with `go tool covdata textfmt -i={input} -o=profile.out` and \
                 pass the text profile"
            );
        }
        let data = std::fs::read(input).with_context(|| format!("{input}: cannot read"))?;
        if !text::is_text_profile(&data) {
            bail!("{input}: not a text profile (no `mode:` line) and not a directory");
        }
        let prof = text::parse(&data, input.as_str())?;
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
    bar.finish_and_clear();
    Ok(Loaded {
        profiles,
        attribution,
    })
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
