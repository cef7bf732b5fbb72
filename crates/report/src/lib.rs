//! Coverage reports over a [`profile::Profile`]: LCOV, Cobertura, JSON, HTML and Markdown.
//!
//! Build a [`Coverage`] (the profile arranged by package, file, function and block, files
//! located through [`Sources`], optionally with per-run [`Attribution`]), then render it.
//! Line-based formats map Go's statement blocks to lines by the rule documented in [`model`].

#![forbid(unsafe_code)]

pub mod attribution;
pub mod badge;
pub mod baseline;
pub mod cobertura;
pub mod config;
pub mod diff;
mod escape;
pub mod filter;
pub mod gate;
pub mod gosrc;
pub mod html;
pub mod inputs;
pub mod json;
pub mod lcov;
pub mod markdown;
pub mod model;
pub mod percent;
pub mod sources;

pub use attribution::{Attribution, Run, RunKind};
pub use filter::{filtered_coverage, Exclusions, Filtered};
pub use inputs::{load, InputError, LoadOptions, Loaded};
pub use model::{Coverage, Totals};
pub use sources::{Module, Sources};

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Lcov,
    Cobertura,
    Json,
    Html,
    Markdown,
    /// A shields-style SVG badge of the total.
    Badge,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Lcov,
        Format::Cobertura,
        Format::Json,
        Format::Html,
        Format::Markdown,
        Format::Badge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Lcov => "lcov",
            Format::Cobertura => "cobertura",
            Format::Json => "json",
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Badge => "badge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Options shared by the renderers; each format uses the ones that concern it.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// html and markdown title.
    pub title: Option<String>,
    /// lcov: absolute `SF:` paths.
    pub absolute_paths: bool,
    /// cobertura: the timestamp, ms since the epoch; default `SOURCE_DATE_EPOCH` (seconds) when
    /// set, else now.
    pub timestamp_ms: Option<u64>,
    /// markdown: the pull-request sections (patch, deltas, link to the HTML).
    pub pr: markdown::PrSections,
    /// badge: label and colour bands.
    pub badge: badge::BadgeOptions,
}

impl RenderOptions {
    fn timestamp_ms(&self) -> u64 {
        if let Some(t) = self.timestamp_ms {
            return t;
        }
        if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
        {
            return secs.saturating_mul(1000);
        }
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

/// A single-file format rendered to text; `None` for html, which is a directory.
pub fn render_text(format: Format, cov: &Coverage, opts: &RenderOptions) -> Option<String> {
    Some(match format {
        Format::Lcov => lcov::render(
            cov,
            &lcov::LcovOptions {
                test_name: String::new(),
                absolute_paths: opts.absolute_paths,
            },
        ),
        Format::Cobertura => cobertura::render(
            cov,
            &cobertura::CoberturaOptions {
                timestamp_ms: opts.timestamp_ms(),
            },
        ),
        Format::Json => json::render(cov),
        Format::Markdown => {
            let mut m = markdown::MarkdownOptions::default();
            if let Some(t) = &opts.title {
                m.title.clone_from(t);
            }
            m.pr.clone_from(&opts.pr);
            markdown::render(cov, &m)
        }
        Format::Badge => badge::render(cov.totals(), &opts.badge),
        Format::Html => return None,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Html(#[from] html::HtmlError),
    #[error("{path}: {source}")]
    Io {
        path: camino::Utf8PathBuf,
        source: std::io::Error,
    },
}

/// Render `format` to `path`: a file, or for html a directory holding `index.html`.
pub fn write(
    format: Format,
    cov: &Coverage,
    opts: &RenderOptions,
    path: &camino::Utf8Path,
) -> Result<(), WriteError> {
    match render_text(format, cov, opts) {
        Some(text) => std::fs::write(path, text).map_err(|source| WriteError::Io {
            path: path.to_owned(),
            source,
        }),
        None => {
            let mut h = html::HtmlOptions::default();
            if let Some(t) = &opts.title {
                h.title.clone_from(t);
            }
            Ok(html::write_dir(cov, &h, path)?)
        }
    }
}
