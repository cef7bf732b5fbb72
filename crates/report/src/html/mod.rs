//! A static HTML report: `index.html` (a folder tree of the files with a filter box, and the
//! packages, sortable) and one page per Go file with its function table (`go tool cover -func`'s
//! figures) and its blocks highlighted as `go tool cover -html` does (red: not executed; green,
//! darker with higher counts: executed; grey: not instrumented), `n` / `p` jumping between
//! uncovered blocks. Self-contained: inline CSS and JS, no network. A file whose source is not
//! found gets a page saying so, listing its blocks.
//!
//! With attribution, each block's tooltip names the runs that executed it (capped), and a run
//! selector on every page highlights the blocks one run executed (file pages) or counts the
//! statements it executed per folder and file (index); the choice is kept in the URL fragment
//! across pages. Run labels are truncated for display and identical ones numbered.
//!
//! Modules: `index` (the index page), `file` (file pages), `assets` (CSS and JS).

mod assets;
mod file;
mod index;

use std::fmt::Write;

use camino::{Utf8Path, Utf8PathBuf};

use crate::escape::html as esc;
use crate::model::{Coverage, Totals};

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("{path}: {source}")]
    Write {
        path: Utf8PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Output(#[from] outfile::Error),
    #[error(
        "{path}: holds files that are not an intcov HTML report; give a new or empty directory \
         (a report replaces the whole directory)"
    )]
    NotAReport { path: Utf8PathBuf },
}

#[derive(Debug, Clone)]
pub struct HtmlOptions {
    pub title: String,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: "Coverage report".to_owned(),
        }
    }
}

/// One page of the report, relative to the report directory.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: String,
    pub html: String,
}

/// Render every page; sources are read from disk.
pub fn render(cov: &Coverage, opts: &HtmlOptions) -> Vec<Page> {
    render_with(cov, opts, &|p: &Utf8Path| std::fs::read(p).ok())
}

/// Render every page, reading sources with `read`.
pub fn render_with(
    cov: &Coverage,
    opts: &HtmlOptions,
    read: &dyn Fn(&Utf8Path) -> Option<Vec<u8>>,
) -> Vec<Page> {
    let names = page_names(cov);
    let mut pages = vec![Page {
        path: "index.html".to_owned(),
        html: index::page(cov, opts, &names),
    }];
    for ((_, file), name) in cov.files().zip(&names) {
        let source = file.source.as_deref().and_then(read);
        pages.push(Page {
            path: name.clone(),
            html: file::page(cov, opts, file, name, source.as_deref()),
        });
    }
    pages
}

/// Render and write into `dir` (created if needed).
pub fn write_dir(cov: &Coverage, opts: &HtmlOptions, dir: &Utf8Path) -> Result<(), HtmlError> {
    if !replaceable(dir) {
        return Err(HtmlError::NotAReport {
            path: dir.to_owned(),
        });
    }
    // Built aside and put in place whole: a failed run leaves the previous report as it was.
    let staged = outfile::StagedDir::create(dir)?;
    for page in render(cov, opts) {
        let path = staged.path().join(&page.path);
        let err = |source| HtmlError::Write {
            path: dir.join(&page.path),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        std::fs::write(&path, page.html).map_err(err)?;
    }
    Ok(staged.commit_replace()?)
}

/// A directory a report may replace: missing, empty, or a previous report (`index.html`,
/// `files/` and nothing else), never a directory holding anything of the user's.
fn replaceable(dir: &Utf8Path) -> bool {
    let Ok(entries) = dir.read_dir_utf8() else {
        return !dir.exists();
    };
    entries.into_iter().all(|e| {
        e.is_ok_and(|e| {
            let name = e.file_name();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name == "index.html" && !is_dir) || (name == "files" && is_dir)
        })
    })
}

/// `files/<path>.html`, the path made safe to use as relative file name.
fn page_names(cov: &Coverage) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    cov.files()
        .map(|(_, f)| {
            let base = if is_clean_relative(&f.path) {
                f.path.clone()
            } else {
                f.name.clone()
            };
            let safe: Vec<String> = base
                .split('/')
                .filter(|c| !c.is_empty())
                .map(|c| {
                    let c: String = c
                        .chars()
                        .map(|ch| {
                            if ch.is_ascii_alphanumeric() || "._-+~".contains(ch) {
                                ch
                            } else {
                                '_'
                            }
                        })
                        .collect();
                    if c == "." || c == ".." {
                        "_".to_owned()
                    } else {
                        c
                    }
                })
                .collect();
            let mut name = format!("files/{}.html", safe.join("/"));
            let mut n = 1;
            while !seen.insert(name.clone()) {
                n += 1;
                name = format!("files/{}.{n}.html", safe.join("/"));
            }
            name
        })
        .collect()
}

fn is_clean_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains(':')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// `../` repeated to climb from `page` back to the report root.
fn up(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(title),
        assets::CSS
    );
}

/// The coverage cell: a bar of fixed width, then the percentage in a fixed-width box, so bars
/// line up whatever the text.
fn pct_cell(t: Totals) -> String {
    match t.go_percent() {
        Some(p) => format!(
            "<td class=\"n\" data-v=\"{:.4}\"><span class=\"bar\"><span style=\"width:{:.1}%\"></span></span><span class=\"p\">{p}</span></td>",
            t.ratio() * 100.0,
            t.ratio() * 100.0
        ),
        None => "<td class=\"n\" data-v=\"-1\">no statements</td>".to_owned(),
    }
}

fn num_cells(t: Totals) -> String {
    format!(
        "<td class=\"n\" data-v=\"{0}\">{0}</td><td class=\"n\" data-v=\"{1}\">{1}</td>",
        t.statements, t.covered
    )
}

fn run_kind(run: &crate::attribution::Run) -> &'static str {
    match run.kind {
        crate::attribution::RunKind::Test => "test",
        crate::attribution::RunKind::Program => "program",
        crate::attribution::RunKind::Profile => "profile",
    }
}

/// Class of a block: `u` for never executed, `c1`–`c4` by count on a log scale up to `max`.
fn class_of(count: u32, max: u32) -> &'static str {
    if count == 0 {
        return "u";
    }
    if max <= 1 {
        return "c2";
    }
    let x = f64::from(count).ln() / f64::from(max).ln();
    ["c1", "c2", "c3", "c4"][((x * 3.0).round() as usize).min(3)]
}

/// The longest run label shown in full; longer ones are cut with `…` (the full label stays in
/// the tooltip).
const LABEL_CHARS: usize = 80;

/// The runs' display labels: truncated to [`LABEL_CHARS`], and identical labels told apart
/// by a ` #k` suffix (k counting them in run order).
fn run_labels(cov: &Coverage) -> Vec<String> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut dup: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in &cov.runs {
        *dup.entry(r.label.as_str()).or_default() += 1;
    }
    cov.runs
        .iter()
        .map(|r| {
            let mut label: String = r.label.chars().take(LABEL_CHARS).collect();
            if r.label.chars().count() > LABEL_CHARS {
                label.push('…');
            }
            if dup[r.label.as_str()] > 1 {
                let k = seen.entry(r.label.as_str()).or_default();
                *k += 1;
                let _ = write!(label, " #{k}");
            }
            label
        })
        .collect()
}

/// The run selector; `what` says what choosing a run does on this page.
fn run_select(out: &mut String, cov: &Coverage, labels: &[String], what: &str) {
    if cov.runs.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<p><label>{what} <select id=\"run\"><option value=\"\">any run</option>"
    );
    for (i, (r, l)) in cov.runs.iter().zip(labels).enumerate() {
        let _ = write!(
            out,
            "<option value=\"{i}\" title=\"{}\">{}</option>",
            esc(&r.label),
            esc(l)
        );
    }
    out.push_str("</select></label></p>\n");
}

#[cfg(test)]
mod write_tests {
    use super::*;

    fn tmp() -> (tempfile::TempDir, Utf8PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
        (t, p)
    }

    #[test]
    fn a_report_replaces_only_a_previous_report() {
        let (_t, root) = tmp();
        let cov = Coverage {
            mode: profile::CounterMode::Set,
            packages: Vec::new(),
            runs: Vec::new(),
            source_root: None,
        };
        let dir = root.join("html");
        write_dir(&cov, &HtmlOptions::default(), &dir).unwrap();
        assert!(dir.join("index.html").is_file());
        // A second report replaces the first.
        write_dir(&cov, &HtmlOptions::default(), &dir).unwrap();
        // A directory of the user's is refused, and kept as it was.
        std::fs::write(root.join("notes.txt"), "mine").unwrap();
        let err = write_dir(&cov, &HtmlOptions::default(), &root).unwrap_err();
        assert!(
            err.to_string().contains("not an intcov HTML report"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(root.join("notes.txt")).unwrap(),
            "mine"
        );
        // Nothing is left beside the report.
        let names: Vec<String> = root
            .read_dir_utf8()
            .unwrap()
            .map(|e| e.unwrap().file_name().to_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
