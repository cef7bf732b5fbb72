//! A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: a per-package
//! table and the total, percentages as Go prints them, then the files in a collapsed section.

use std::fmt::Write;

use crate::model::{Coverage, Totals};

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    pub title: String,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            title: "Coverage".to_owned(),
        }
    }
}

fn pct(t: Totals) -> String {
    t.go_percent().unwrap_or_else(|| "no statements".to_owned())
}

/// Backticks inside a code span would end it; package paths have none, but be safe.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('|', "\\|"))
}

/// Plain text in Markdown: the ASCII punctuation that Markdown or HTML would read inside a
/// heading is backslash-escaped (CommonMark allows it before any ASCII punctuation), line breaks become
/// spaces, so a title cannot end the heading, open a link, or inject HTML.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(cov: &Coverage, opts: &MarkdownOptions) -> String {
    let total = cov.totals();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### {}: {} of statements\n",
        text(&opts.title),
        pct(total)
    );
    out.push_str("| Package | Statements | Covered | Coverage |\n");
    out.push_str("| :--- | ---: | ---: | ---: |\n");
    for p in &cov.packages {
        let t = p.totals();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&p.import_path),
            t.statements,
            t.covered,
            pct(t)
        );
    }
    let _ = writeln!(
        out,
        "| **Total** | **{}** | **{}** | **{}** |",
        total.statements,
        total.covered,
        pct(total)
    );
    out.push_str("\n<details><summary>Files</summary>\n\n");
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
    out.push_str("\n</details>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_is_plain_text() {
        assert_eq!(super::text("Cov"), "Cov");
        assert_eq!(
            super::text("a <img src=x> [l](u)\n# h"),
            "a \\<img src=x\\> \\[l\\](u) \\# h"
        );
    }
}
