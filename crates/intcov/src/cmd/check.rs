//! `intcov check`: the coverage gate, and the flags it shares with `intcov report`
//! (exclusions, the change, the baseline, `.intcov.toml`).

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use profile::pattern::PackageFilter;
use profile::text::MixedModes;
use report::baseline::{Baseline, Deltas};
use report::config::Found;
use report::diff::{Changes, PatchCoverage};
use report::gate::{Override, Shortfall, Thresholds};
use report::{Coverage, Exclusions, Filtered, LoadOptions, Sources};

/// Exclusions, for `check` and every `report` format.
#[derive(Args, Debug, Clone, Default)]
pub struct ExcludeFlags {
    /// Leave out files matching a glob (`**/*_mock.go`, matched against the path from the
    /// source root and the import-path name) or packages matching a Go package pattern
    /// (`example.com/m/internal/...`); repeatable
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Keep generated files (`// Code generated … DO NOT EDIT.` before the package clause),
    /// which are left out by default
    #[arg(long = "no-default-excludes")]
    pub no_default_excludes: bool,
}

/// The change and the baseline, for `check` and `report --format markdown`.
#[derive(Args, Debug, Clone, Default)]
pub struct ChangeFlags {
    /// Patch coverage of `git diff REF...HEAD` in the repository around the sources
    #[arg(long = "diff-base", value_name = "REF", conflicts_with = "diff")]
    pub diff_base: Option<String>,
    /// Patch coverage of a unified diff (`-` for stdin); paths relative to the repository root
    #[arg(long = "diff", value_name = "FILE")]
    pub diff: Option<Utf8PathBuf>,
    /// A JSON report (`intcov report --format json`) of the base branch: show deltas against it
    #[arg(long = "baseline", value_name = "OLD.json")]
    pub baseline: Option<Utf8PathBuf>,
    /// Link the Markdown summary to the HTML report at this URL
    #[arg(long = "html-url", value_name = "URL")]
    pub html_url: Option<String>,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Prints what falls short of a threshold, then `total: X%` and, with a change, \
`patch: X% (C of N changed statements)`. Exit status 1 when a threshold fails.

Thresholds, exclusions and badge bands may also come from `.intcov.toml`, found upward from \
the current directory; flags win over the file. A statement counts as changed when any line \
of its block was added or changed.")]
pub struct CheckArgs {
    /// Inputs: coverage directories or text profiles, comma-separated
    #[arg(
        short = 'i',
        long = "input",
        visible_alias = "i",
        value_name = "INPUTS",
        required = true
    )]
    pub input: String,
    /// Restrict to packages matching these comma-separated patterns
    #[arg(long = "pkg", value_name = "PATTERNS")]
    pub pkg: Option<String>,
    /// Directory of the module's go.mod (or go.work) that sources are found from
    #[arg(long = "source-root", value_name = "DIR")]
    pub source_root: Option<Utf8PathBuf>,
    /// Minimum total coverage, percent
    #[arg(long = "min-total", value_name = "PCT", value_parser = pct("--min-total"))]
    pub min_total: Option<f64>,
    /// Minimum coverage of every package, percent
    #[arg(long = "min-package", value_name = "PCT", value_parser = pct("--min-package"))]
    pub min_package: Option<f64>,
    /// Minimum coverage of every file, percent
    #[arg(long = "min-file", value_name = "PCT", value_parser = pct("--min-file"))]
    pub min_file: Option<f64>,
    /// Minimum coverage of the changed statements, percent
    #[arg(long = "min-patch", value_name = "PCT", value_parser = pct("--min-patch"))]
    pub min_patch: Option<f64>,
    /// PATTERN=PCT: minimum for packages matching a Go package pattern, or files matching a
    /// glob, instead of --min-package / --min-file; repeatable, the last match wins
    #[arg(long = "min", value_name = "PATTERN=PCT", value_parser = parse_override)]
    pub min: Vec<Override>,
    #[command(flatten)]
    pub exclude: ExcludeFlags,
    #[command(flatten)]
    pub change: ChangeFlags,
    /// Also write the Markdown summary (for a pull-request comment) to FILE
    #[arg(long = "markdown", value_name = "FILE")]
    pub markdown: Option<Utf8PathBuf>,
    /// Merging set-mode with count/atomic inputs: `refuse`, or `set` to reduce all to set mode
    #[arg(long = "mixed-modes", value_name = "RULE", default_value = "refuse", value_parser = super::report::parse_mixed)]
    pub mixed_modes: MixedModes,
    /// Keep going past bad inputs (listed on stderr); exit status 3 when all thresholds pass
    #[arg(long = "skip-bad")]
    pub skip_bad: bool,
}

fn pct(what: &'static str) -> impl Fn(&str) -> Result<f64, String> + Clone {
    move |s| report::gate::parse_percent(what, s).map_err(|e| e.to_string())
}

fn parse_override(s: &str) -> Result<Override, String> {
    Override::parse(s).map_err(|e| e.to_string())
}

/// `.intcov.toml` above the current directory.
pub(crate) fn config() -> Result<Option<Found>> {
    let cwd = std::env::current_dir().context("the current directory")?;
    let Ok(cwd) = Utf8PathBuf::from_path_buf(cwd) else {
        return Ok(None);
    };
    Ok(report::config::find(&cwd)?)
}

/// The exclusions of the config file plus the flags'.
pub(crate) fn exclusions(flags: &ExcludeFlags, config: Option<&Found>) -> Result<Exclusions> {
    Ok(report::config::exclusions(
        config,
        &flags.exclude,
        flags.no_default_excludes,
    )?)
}

/// The inputs loaded as `intcov report` loads them, then filtered.
pub(crate) fn load(
    input: &str,
    opts: &LoadOptions,
    source_root: Option<&Utf8Path>,
    exclusions: &Exclusions,
) -> Result<(Filtered, Sources)> {
    let inputs = report::inputs::split_inputs(input);
    let bar = super::report::Bar(super::report::progress());
    let loaded = report::load(&inputs, opts, &bar, &mut super::read::print_warning)?;
    let sources = match source_root {
        Some(dir) => Sources::discover(dir)?,
        None => super::report::discover_around_cwd(),
    };
    let filtered = report::filtered_coverage(&loaded, &sources, exclusions);
    Ok((filtered, sources))
}

/// The directory whose repository a diff is taken in: the source root, else the current one.
fn repo_dir(sources: &Sources) -> Utf8PathBuf {
    sources.root().map_or_else(
        || {
            std::env::current_dir()
                .ok()
                .and_then(|d| Utf8PathBuf::from_path_buf(d).ok())
                .unwrap_or_else(|| ".".into())
        },
        ToOwned::to_owned,
    )
}

/// Patch coverage and deltas, as the flags ask.
pub(crate) fn change_sections(
    flags: &ChangeFlags,
    cov: &Coverage,
    sources: &Sources,
) -> Result<(Option<PatchCoverage>, Option<Deltas>)> {
    let dir = repo_dir(sources);
    let patch = if let Some(base) = &flags.diff_base {
        let (changes, root) = Changes::from_git(&dir, base)?;
        Some(report::diff::patch_coverage(cov, &changes, Some(&root)))
    } else if let Some(file) = &flags.diff {
        let changes = Changes::read(file)?;
        let root = report::diff::repo_root(&dir).unwrap_or(dir);
        Some(report::diff::patch_coverage(cov, &changes, Some(&root)))
    } else {
        None
    };
    let deltas = match &flags.baseline {
        Some(path) => Some(report::baseline::compare(&Baseline::read(path)?, cov)),
        None => None,
    };
    Ok((patch, deltas))
}

fn thresholds(a: &CheckArgs, config: Option<&Found>) -> Result<Thresholds> {
    let mut t = match config {
        Some(f) => f.config.thresholds().with_context(|| f.path.to_string())?,
        None => Thresholds::default(),
    };
    t.total = a.min_total.or(t.total);
    t.package = a.min_package.or(t.package);
    t.file = a.min_file.or(t.file);
    t.patch = a.min_patch.or(t.patch);
    t.overrides.extend(a.min.iter().cloned());
    Ok(t)
}

pub fn check(a: CheckArgs) -> Result<ExitCode> {
    let config = config()?;
    let exclusions = exclusions(&a.exclude, config.as_ref())?;
    let thresholds = thresholds(&a, config.as_ref())?;
    let opts = LoadOptions {
        attribution: false,
        skip_bad: a.skip_bad,
        mixed_modes: a.mixed_modes,
        packages: a.pkg.as_deref().and_then(PackageFilter::new),
    };
    let (filtered, sources) = load(&a.input, &opts, a.source_root.as_deref(), &exclusions)?;
    let cov = &filtered.coverage;
    let (patch, deltas) = change_sections(&a.change, cov, &sources)?;
    let shortfalls = report::gate::evaluate(cov, patch.as_ref(), &thresholds);

    let text = check_text(&filtered, &shortfalls, patch.as_ref(), deltas.as_ref());
    print!("{text}");
    if let Some(path) = &a.markdown {
        let md = report::markdown::render(
            cov,
            &report::markdown::MarkdownOptions {
                pr: report::markdown::PrSections {
                    patch,
                    deltas,
                    html_url: a.change.html_url.clone(),
                },
                ..Default::default()
            },
        );
        outfile::write(path, md.as_bytes()).with_context(|| format!("writing {path}"))?;
    }
    if shortfalls.is_empty() {
        Ok(super::read::finished())
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// What `check` prints; the last lines are `total: X%` and, with a change, the patch figure.
fn check_text(
    filtered: &Filtered,
    shortfalls: &[Shortfall],
    patch: Option<&PatchCoverage>,
    deltas: Option<&Deltas>,
) -> String {
    let pct = |t: report::Totals| t.go_percent().unwrap_or_else(|| "n/a".to_owned());
    let mut out = String::new();
    if !shortfalls.is_empty() {
        let _ = writeln!(out, "below the minimum:");
        let what = |s: &Shortfall| {
            if s.name.is_empty() {
                s.scope.to_string()
            } else {
                format!("{} {}", s.scope, s.name)
            }
        };
        let width = shortfalls.iter().map(|s| what(s).len()).max().unwrap_or(0);
        for s in shortfalls {
            let what = what(s);
            let _ = writeln!(
                out,
                "  {what:<width$}  {:>6} < {}%  ({} of {} statements)",
                pct(s.actual),
                s.min,
                s.actual.covered,
                s.actual.statements
            );
        }
    }
    if let Some(p) = patch {
        if !p.uncovered.is_empty() {
            let _ = writeln!(out, "changed lines not covered:");
            for r in &p.uncovered {
                let _ = writeln!(out, "  {r}");
            }
        }
        if !p.uninstrumented.is_empty() {
            let _ = writeln!(
                out,
                "changed files without instrumented code, or all of it excluded (not counted):"
            );
            for f in &p.uninstrumented {
                let _ = writeln!(out, "  {f}");
            }
        }
    }
    if let Some(d) = deltas {
        let delta_line = |d: &report::baseline::Delta| {
            let side = |t: Option<report::Totals>| t.map_or_else(|| "–".to_owned(), pct);
            format!(
                "  {}  {} -> {}  ({})\n",
                d.name,
                side(d.before),
                side(d.after),
                d.display()
            )
        };
        let changed: Vec<_> = d.packages.iter().filter(|p| p.changed()).collect();
        if !changed.is_empty() {
            out.push_str("packages against the baseline:\n");
            out.extend(changed.into_iter().map(delta_line));
        }
        if !d.dropped_files.is_empty() {
            out.push_str("files whose coverage dropped:\n");
            out.extend(d.dropped_files.iter().map(delta_line));
        }
    }
    if !filtered.excluded.is_empty() {
        let _ = writeln!(
            out,
            "excluded: {} statements",
            filtered.excluded_statements()
        );
        for e in &filtered.excluded {
            let _ = writeln!(out, "  {e}");
        }
    }
    let total = filtered.coverage.totals();
    if let Some(d) = deltas {
        let before = d.total.before.map_or_else(|| "–".to_owned(), pct);
        let _ = writeln!(
            out,
            "total against the baseline: {before} -> {} ({})",
            pct(total),
            d.total.display()
        );
    }
    let _ = writeln!(out, "total: {}", pct(total));
    if let Some(p) = patch {
        let _ = writeln!(
            out,
            "patch: {} ({} of {} changed statements)",
            pct(p.totals),
            p.totals.covered,
            p.totals.statements
        );
    }
    out
}
