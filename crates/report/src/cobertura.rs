//! Cobertura XML (coverage-04.dtd), as GitLab, Jenkins, Codecov, pycobertura and
//! ReportGenerator read it.
//!
//! - `<sources>` holds the absolute source root; each `<class>` is one Go file, its `filename`
//!   relative to that root, inside the `<package>` named by the import path.
//! - `<line>` elements follow the line rule of [`crate::model`]. A line that two or more
//!   blocks touch is a branch line: `branch="true" condition-coverage="50% (1/2)"` (blocks
//!   that ran / blocks on the line), written as coverage.py writes it.
//! - **Self-consistent:** every `line-rate` is lines covered / lines of the `<line>` elements
//!   it sums (the class's, the package's classes', the method's), every `branch-rate` is
//!   branches taken / branches the same way, and the root's `lines-covered`/`lines-valid`
//!   and `branches-covered`/`branches-valid` are those sums. Consumers that read the rates and
//!   those that count `<line>`s show the same figure, a **line** coverage. It is not Go's
//!   statement coverage (`go tool cover`, and our HTML, JSON and Markdown): a line's statements
//!   count once however many there are. A rate with nothing to count is `1`.
//! - Each `<method>`'s `<lines>` lists the lines of its own blocks (where ReportGenerator
//!   places the method), so a method's rates are those of its lines too. Nested elements are
//!   not indented. A report that would still exceed GitLab's 10 MiB limit
//!   ([`SIZE_LIMIT`]) lists only each method's first line under `<method>` (its rates stay
//!   those of all its lines, and the class's `<lines>` keep every line): the one place the
//!   rule above bends, and only where the full form could not be uploaded at all.
//! - `timestamp` is milliseconds since the epoch (as coverage.py writes it).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::escape::xml;
use crate::model::{line_coverage, Coverage, FileCov, LineCov};

#[derive(Debug, Clone)]
pub struct CoberturaOptions {
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

/// Lines and branches of a set of `<line>` elements.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    lines: usize,
    lines_covered: usize,
    branches: usize,
    branches_taken: usize,
}

impl Counts {
    fn of(lines: &BTreeMap<u32, LineCov>) -> Self {
        let mut c = Counts {
            lines: lines.len(),
            ..Counts::default()
        };
        for l in lines.values() {
            c.lines_covered += usize::from(l.hits != 0);
            if let Some((taken, total)) = l.branches() {
                c.branches += total;
                c.branches_taken += taken;
            }
        }
        c
    }

    fn add(&mut self, o: Counts) {
        self.lines += o.lines;
        self.lines_covered += o.lines_covered;
        self.branches += o.branches;
        self.branches_taken += o.branches_taken;
    }

    /// `line-rate="…" branch-rate="…"`.
    fn rates(&self) -> String {
        format!(
            "line-rate=\"{}\" branch-rate=\"{}\"",
            rate(self.lines_covered, self.lines),
            rate(self.branches_taken, self.branches)
        )
    }
}

/// Shortest representation that reads back as the same f64; 1 with nothing to count.
pub fn rate(covered: usize, valid: usize) -> String {
    if valid == 0 {
        "1".to_owned()
    } else {
        format!("{}", covered as f64 / valid as f64)
    }
}

/// GitLab's limit on a coverage report, 10 MiB.
pub const SIZE_LIMIT: usize = 10 << 20;

pub fn render(cov: &Coverage, opts: &CoberturaOptions) -> String {
    let full = render_with(cov, opts, false);
    if full.len() <= SIZE_LIMIT {
        return full;
    }
    render_with(cov, opts, true)
}

/// With `compact_methods`, each method lists its first line only.
fn render_with(cov: &Coverage, opts: &CoberturaOptions, compact_methods: bool) -> String {
    let mut total = Counts::default();
    let mut body = String::new();
    for pkg in &cov.packages {
        let mut classes = String::new();
        let mut counts = Counts::default();
        for file in &pkg.files {
            counts.add(class(&mut classes, file, compact_methods));
        }
        let _ = writeln!(
            body,
            "<package name=\"{}\" {} complexity=\"0\">\n<classes>",
            xml(&pkg.import_path),
            counts.rates()
        );
        body.push_str(&classes);
        body.push_str("</classes>\n</package>\n");
        total.add(counts);
    }
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("<?xml version=\"1.0\" ?>\n");
    out.push_str(
        "<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n",
    );
    let _ = writeln!(
        out,
        "<coverage {} lines-covered=\"{}\" lines-valid=\"{}\" branches-covered=\"{}\" \
         branches-valid=\"{}\" complexity=\"0\" version=\"intcov {}\" timestamp=\"{}\">",
        total.rates(),
        total.lines_covered,
        total.lines,
        total.branches_taken,
        total.branches,
        env!("CARGO_PKG_VERSION"),
        opts.timestamp_ms
    );
    let root = cov.source_root.as_ref().map_or(".", |r| r.as_str());
    let _ = writeln!(out, "<sources>\n<source>{}</source>\n</sources>", xml(root));
    out.push_str("<packages>\n");
    out.push_str(&body);
    out.push_str("</packages>\n</coverage>\n");
    out
}

/// One `<class>`; returns its counts.
fn class(out: &mut String, file: &FileCov, compact_methods: bool) -> Counts {
    let lines = file.line_coverage();
    let counts = Counts::of(&lines);
    let _ = writeln!(
        out,
        "<class name=\"{}\" filename=\"{}\" {} complexity=\"0\">\n<methods>",
        xml(file.base_name()),
        xml(&file.path),
        counts.rates()
    );
    for (i, f) in file.functions.iter().enumerate() {
        let mlines = line_coverage(file.blocks.iter().filter(|b| b.function == Some(i)));
        let _ = writeln!(
            out,
            "<method name=\"{}\" signature=\"\" {} complexity=\"0\">\n<lines>",
            xml(&f.name),
            Counts::of(&mlines).rates()
        );
        if compact_methods {
            let first = mlines.first_key_value().map(|(&l, c)| (l, c.clone()));
            lines_of(out, &first.into_iter().collect());
        } else {
            lines_of(out, &mlines);
        }
        out.push_str("</lines>\n</method>\n");
    }
    out.push_str("</methods>\n<lines>\n");
    lines_of(out, &lines);
    out.push_str("</lines>\n</class>\n");
    counts
}

fn lines_of(out: &mut String, lines: &BTreeMap<u32, LineCov>) {
    for (l, c) in lines {
        match c.branches() {
            Some((taken, total)) => {
                let _ = writeln!(
                    out,
                    "<line number=\"{l}\" hits=\"{}\" branch=\"true\" condition-coverage=\"{}% ({taken}/{total})\"/>",
                    c.hits,
                    100 * taken / total
                );
            }
            None => {
                let _ = writeln!(out, "<line number=\"{l}\" hits=\"{}\"/>", c.hits);
            }
        }
    }
}
