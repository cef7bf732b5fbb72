//! Cobertura XML (coverage-04.dtd), as GitLab, Jenkins and codecov read it.
//!
//! - `<sources>` holds the absolute source root; each `<class>` is one Go file, its `filename`
//!   relative to that root, inside the `<package>` named by the import path.
//! - `<line>` elements follow the line rule of [`crate::model`].
//! - Every `line-rate` is Go's **statement** coverage (covered statements / statements), so the
//!   percentage a CI shows from it is the one `go tool cover` and `go tool covdata percent`
//!   print. `lines-valid` / `lines-covered` count the `<line>` elements, as their names say.
//! - No branch data: `branch-rate` is 0, `branches-valid` 0.
//! - `timestamp` is milliseconds since the epoch (as coverage.py writes it).

use std::fmt::Write;

use crate::escape::xml;
use crate::model::{Coverage, FileCov, Totals};

#[derive(Debug, Clone)]
pub struct CoberturaOptions {
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

fn rate(t: Totals) -> String {
    // Shortest representation that reads back as the same f64.
    if t.statements == 0 {
        "1".to_owned()
    } else {
        format!("{}", t.ratio())
    }
}

pub fn render(cov: &Coverage, opts: &CoberturaOptions) -> String {
    let mut out = String::new();
    let (mut lines_valid, mut lines_covered) = (0usize, 0usize);
    let mut body = String::new();
    for pkg in &cov.packages {
        let _ = writeln!(
            body,
            "    <package name=\"{}\" line-rate=\"{}\" branch-rate=\"0\" complexity=\"0\">",
            xml(&pkg.import_path),
            rate(pkg.totals())
        );
        body.push_str("      <classes>\n");
        for file in &pkg.files {
            let (valid, covered) = class(&mut body, file);
            lines_valid += valid;
            lines_covered += covered;
        }
        body.push_str("      </classes>\n    </package>\n");
    }
    out.push_str("<?xml version=\"1.0\" ?>\n");
    out.push_str(
        "<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n",
    );
    let _ = writeln!(
        out,
        "<coverage line-rate=\"{}\" branch-rate=\"0\" lines-covered=\"{lines_covered}\" \
         lines-valid=\"{lines_valid}\" branches-covered=\"0\" branches-valid=\"0\" \
         complexity=\"0\" version=\"intcov {}\" timestamp=\"{}\">",
        rate(cov.totals()),
        env!("CARGO_PKG_VERSION"),
        opts.timestamp_ms
    );
    out.push_str("  <sources>\n");
    let root = cov.source_root.as_ref().map_or(".", |r| r.as_str());
    let _ = writeln!(out, "    <source>{}</source>", xml(root));
    out.push_str("  </sources>\n  <packages>\n");
    out.push_str(&body);
    out.push_str("  </packages>\n</coverage>\n");
    out
}

/// One `<class>`; returns (lines valid, lines covered).
fn class(out: &mut String, file: &FileCov) -> (usize, usize) {
    let _ = writeln!(
        out,
        "        <class name=\"{}\" filename=\"{}\" line-rate=\"{}\" branch-rate=\"0\" complexity=\"0\">",
        xml(file.base_name()),
        xml(&file.path),
        rate(file.totals())
    );
    out.push_str("          <methods>\n");
    for (i, f) in file.functions.iter().enumerate() {
        let _ = writeln!(
            out,
            "            <method name=\"{}\" signature=\"\" line-rate=\"{}\" branch-rate=\"0\" complexity=\"0\">",
            xml(&f.name),
            rate(f.totals)
        );
        out.push_str("              <lines>\n");
        let mut lines = std::collections::BTreeMap::new();
        for b in file.blocks.iter().filter(|b| b.function == Some(i)) {
            for l in b.lines() {
                let slot = lines.entry(l).or_insert(0u32);
                *slot = (*slot).max(b.count);
            }
        }
        for (l, hits) in lines {
            let _ = writeln!(
                out,
                "                <line number=\"{l}\" hits=\"{hits}\"/>"
            );
        }
        out.push_str("              </lines>\n            </method>\n");
    }
    out.push_str("          </methods>\n          <lines>\n");
    let hits = file.line_hits();
    for (l, h) in &hits {
        let _ = writeln!(out, "            <line number=\"{l}\" hits=\"{h}\"/>");
    }
    out.push_str("          </lines>\n        </class>\n");
    (hits.len(), hits.values().filter(|&&h| h != 0).count())
}
