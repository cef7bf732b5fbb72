//! The raw data merged by our crates, the reports the user asked for, and the summary.

use std::fmt::Write as _;

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::ops::{self, Operation};
use profile::gofmt;
use report::{Coverage, Format, LoadOptions, Loaded, RenderOptions, Sources};

use crate::{Error, Progress, Result};

/// What to write; every path is optional.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// The merged binary data (a directory `go tool covdata` reads).
    pub covdata: Option<Utf8PathBuf>,
    /// Text profile, as `go tool covdata textfmt` writes it.
    pub coverprofile: Option<Utf8PathBuf>,
    /// A directory holding `index.html`.
    pub html: Option<Utf8PathBuf>,
    pub lcov: Option<Utf8PathBuf>,
    pub cobertura: Option<Utf8PathBuf>,
    pub json: Option<Utf8PathBuf>,
    pub markdown: Option<Utf8PathBuf>,
    /// json and html record which runs executed each block.
    pub attribution: bool,
    /// Title of the html and markdown reports.
    pub title: Option<String>,
    /// What the report formats leave out (generated files and `//coverage:ignore` by default);
    /// the printed figures and the text profile are Go's, never filtered.
    pub exclusions: report::Exclusions,
}

/// What is printed at the end.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Per-package lines exactly as `go tool covdata percent` prints them, then `total: X%`
    /// (Go's rounding, `go tool cover -func`'s figure).
    pub text: String,
    /// The total, `None` without statements.
    pub total_percent: Option<f64>,
}

impl Outputs {
    fn paths(&self) -> impl Iterator<Item = &Utf8PathBuf> {
        [
            &self.covdata,
            &self.coverprofile,
            &self.html,
            &self.lcov,
            &self.cobertura,
            &self.json,
            &self.markdown,
        ]
        .into_iter()
        .flatten()
    }

    /// Create every output's parent directory, so that a bad path fails before the tests run,
    /// not after.
    pub fn prepare(&self) -> Result<()> {
        for path in self.paths() {
            if let Some(parent) = path.parent().filter(|p| !p.as_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_owned(),
                    what: "cannot create the output's directory",
                    error: source,
                })?;
            }
        }
        Ok(())
    }
}

/// Read and merge the raw directories (as `go tool covdata` reads several `-i` inputs).
pub fn load(
    raw_dirs: &[Utf8PathBuf],
    attribution: bool,
    progress: &dyn Progress,
) -> Result<Loaded> {
    let opts = LoadOptions {
        attribution,
        ..Default::default()
    };
    let mut warn = |w: covmerge::Warning| progress.warn(&w.to_string());
    Ok(report::load(
        raw_dirs,
        &opts,
        &report::inputs::NoProgress,
        &mut warn,
    )?)
}

/// Write every requested output (each one atomically) and build the summary.
pub fn write(
    loaded: &Loaded,
    raw_dirs: &[Utf8PathBuf],
    sources: &Sources,
    outs: &Outputs,
    progress: &dyn Progress,
) -> Result<Summary> {
    outs.prepare()?;
    if let Some(dir) = &outs.covdata {
        let staged = outfile::StagedDir::create(dir)?;
        let outcome = ops::run(
            raw_dirs,
            staged.path(),
            &ops::Options::new(Operation::Merge { pcombine: false }),
        )
        .map_err(|source| Error::Merge {
            dir: dir.clone(),
            error: source,
        })?;
        for w in &outcome.warnings {
            progress.warn(&w.to_string());
        }
        staged.commit_replace()?;
    }
    let profile = &loaded.profile;
    if let Some(path) = &outs.coverprofile {
        let mut text = Vec::new();
        gofmt::emit_textual(profile, &mut text).map_err(io(path))?;
        outfile::write(path, &text)?;
    }
    let filtered = report::filtered_coverage(loaded, sources, &outs.exclusions);
    let left_out = filtered.excluded_statements();
    if left_out > 0
        && outs
            .paths()
            .any(|p| Some(p) != outs.covdata.as_ref() && Some(p) != outs.coverprofile.as_ref())
    {
        progress.step(&format!(
            "the reports leave out {left_out} statement{} (generated files, --exclude, //coverage:ignore); the figures printed here count them, as go tool covdata does",
            if left_out == 1 { "" } else { "s" }
        ));
    }
    let cov = filtered.coverage;
    let opts = RenderOptions {
        title: outs.title.clone(),
        ..Default::default()
    };
    for (format, path) in [
        (Format::Lcov, &outs.lcov),
        (Format::Cobertura, &outs.cobertura),
        (Format::Json, &outs.json),
        (Format::Markdown, &outs.markdown),
        (Format::Html, &outs.html),
    ] {
        let Some(path) = path else { continue };
        match report::render_text(format, &cov, &opts) {
            Some(text) => outfile::write(path, text.as_bytes())?,
            None => {
                let staged = outfile::StagedDir::create(path)?;
                report::write(format, &cov, &opts, staged.path()).map_err(|source| {
                    Error::Report {
                        format: format.name(),
                        error: source,
                    }
                })?;
                staged.commit_replace()?;
            }
        }
    }

    let mut percent = Vec::new();
    gofmt::emit_percent(profile, &mut percent).map_err(io(Utf8Path::new("<stdout>")))?;
    let mut text = String::from_utf8_lossy(&percent).into_owned();
    // Go's total (`go tool cover -func`), over the same profile as the per-package lines.
    let totals = Coverage::build(profile, &Sources::none(), None).totals();
    let _ = writeln!(
        text,
        "total: {}",
        totals
            .go_percent()
            .unwrap_or_else(|| "[no statements]".to_owned())
    );
    Ok(Summary {
        text,
        total_percent: totals.percent(),
    })
}

fn io(path: &Utf8Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        what: "cannot write",
        error: source,
    }
}
