//! A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: a per-package
//! table and the total, percentages as Go prints them, then the files in a collapsed section.
//!
//! With [`PrSections`] (patch coverage, deltas against a baseline, a link to the HTML report)
//! it becomes a pull-request comment: the total first, then the patch section, the deltas, and
//! the package and file tables collapsed.

use std::fmt::Write;

use crate::baseline::{Delta, Deltas};
use crate::diff::PatchCoverage;
use crate::model::{Coverage, Totals};

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    pub title: String,
    pub pr: PrSections,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            title: "Coverage".to_owned(),
            pr: PrSections::default(),
        }
    }
}

/// What turns the summary into a pull-request comment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrSections {
    pub patch: Option<PatchCoverage>,
    pub deltas: Option<Deltas>,
    pub html_url: Option<String>,
}

impl PrSections {
    pub fn is_empty(&self) -> bool {
        self.patch.is_none() && self.deltas.is_none() && self.html_url.is_none()
    }
}

fn pct(t: Totals) -> String {
    t.go_percent().unwrap_or_else(|| "no statements".to_owned())
}

/// Backticks inside a code span would end it; package paths have none, but be safe.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('|', "\\|"))
}

pub fn render(cov: &Coverage, opts: &MarkdownOptions) -> String {
    if !opts.pr.is_empty() {
        return render_pr(cov, opts);
    }
    let total = cov.totals();
    let mut out = String::new();
    let _ = writeln!(out, "### {}: {} of statements\n", opts.title, pct(total));
    package_table(&mut out, cov, None);
    out.push_str("\n<details><summary>Files</summary>\n\n");
    file_table(&mut out, cov);
    out.push_str("\n</details>\n");
    out
}

fn package_table(out: &mut String, cov: &Coverage, deltas: Option<&Deltas>) {
    let total = cov.totals();
    let delta_of = |name: &str| {
        deltas.map(|d| {
            d.packages
                .iter()
                .find(|p| p.name == name)
                .map_or_else(String::new, Delta::display)
        })
    };
    let (head, rule) = match deltas {
        Some(_) => (" Δ |", " ---: |"),
        None => ("", ""),
    };
    let _ = writeln!(out, "| Package | Statements | Covered | Coverage |{head}");
    let _ = writeln!(out, "| :--- | ---: | ---: | ---: |{rule}");
    for p in &cov.packages {
        let t = p.totals();
        let d = delta_of(&p.import_path).map_or_else(String::new, |d| format!(" {d} |"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |{d}",
            code(&p.import_path),
            t.statements,
            t.covered,
            pct(t)
        );
    }
    let d = deltas.map_or_else(String::new, |d| format!(" **{}** |", d.total.display()));
    let _ = writeln!(
        out,
        "| **Total** | **{}** | **{}** | **{}** |{d}",
        total.statements,
        total.covered,
        pct(total)
    );
}

fn file_table(out: &mut String, cov: &Coverage) {
    out.push_str("| File | Statements | Covered | Coverage |\n");
    out.push_str("| :--- | ---: | ---: | ---: |\n");
    for (_, f) in cov.files() {
        let t = f.totals();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&f.path),
            t.statements,
            t.covered,
            pct(t)
        );
    }
}

fn before_after(out: &mut String, first: &str, rows: &[Delta]) {
    let _ = writeln!(out, "| {first} | Before | After | Δ |");
    out.push_str("| :--- | ---: | ---: | ---: |\n");
    for d in rows {
        let side = |t: Option<Totals>| t.map_or_else(|| "–".to_owned(), pct);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&d.name),
            side(d.before),
            side(d.after),
            d.display()
        );
    }
}

/// The pull-request form; see the module docs.
fn render_pr(cov: &Coverage, opts: &MarkdownOptions) -> String {
    let pr = &opts.pr;
    let total = cov.totals();
    let mut out = String::new();
    let against = pr.deltas.as_ref().map_or_else(String::new, |d| {
        format!(" ({} against the base)", d.total.display())
    });
    let _ = writeln!(
        out,
        "### {}: {} of statements{against}\n",
        opts.title,
        pct(total)
    );
    if let Some(url) = &pr.html_url {
        let _ = writeln!(
            out,
            "[Full report]({})\n",
            url.replace(['(', ')', ' '], "_")
        );
    }
    if let Some(p) = &pr.patch {
        let _ = writeln!(
            out,
            "**Patch:** {} of changed statements ({} of {})\n",
            p.totals
                .go_percent()
                .unwrap_or_else(|| "no changed statements".to_owned()),
            p.totals.covered,
            p.totals.statements
        );
        if !p.uncovered.is_empty() {
            out.push_str("Changed lines not covered:\n\n");
            for r in &p.uncovered {
                let _ = writeln!(out, "- {}", code(&r.to_string()));
            }
            out.push('\n');
        }
        if !p.uninstrumented.is_empty() {
            let files: Vec<String> = p.uninstrumented.iter().map(|f| code(f)).collect();
            let _ = writeln!(
                out,
                "<details><summary>Changed files without instrumented code ({})</summary>\n\n{}\n\n</details>\n",
                files.len(),
                files.join(", ")
            );
        }
    }
    if let Some(d) = &pr.deltas {
        let changed: Vec<Delta> = d.packages.iter().filter(|p| p.changed()).cloned().collect();
        if changed.is_empty() {
            out.push_str("No package changed its coverage.\n\n");
        } else {
            before_after(&mut out, "Package", &changed);
            out.push('\n');
        }
        if !d.dropped_files.is_empty() {
            out.push_str("<details><summary>Files whose coverage dropped</summary>\n\n");
            before_after(&mut out, "File", &d.dropped_files);
            out.push_str("\n</details>\n\n");
        }
    }
    out.push_str("<details><summary>Packages</summary>\n\n");
    package_table(&mut out, cov, pr.deltas.as_ref());
    out.push_str("\n</details>\n\n<details><summary>Files</summary>\n\n");
    file_table(&mut out, cov);
    out.push_str("\n</details>\n");
    out
}
