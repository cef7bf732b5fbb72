//! A static HTML report: `index.html` (packages and files, sortable) and one page per Go file
//! with its blocks highlighted as `go tool cover -html` does (red: not executed; green, darker
//! with higher counts: executed; grey: not instrumented). Self-contained: inline CSS and JS,
//! no network. A file whose source is not found gets a page saying so, listing its blocks.
//!
//! With attribution, each block's tooltip names the runs that executed it and a selector on
//! each page highlights the blocks one run executed.

use std::fmt::Write;

use camino::{Utf8Path, Utf8PathBuf};

use crate::escape::html as esc;
use crate::model::{BlockCov, Coverage, FileCov, Totals};

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("{path}: {source}")]
    Write {
        path: Utf8PathBuf,
        source: std::io::Error,
    },
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
        html: index(cov, opts, &names),
    }];
    for ((_, file), name) in cov.files().zip(&names) {
        let source = file.source.as_deref().and_then(read);
        pages.push(Page {
            path: name.clone(),
            html: file_page(cov, opts, file, name, source.as_deref()),
        });
    }
    pages
}

/// Render and write into `dir` (created if needed).
pub fn write_dir(cov: &Coverage, opts: &HtmlOptions, dir: &Utf8Path) -> Result<(), HtmlError> {
    for page in render(cov, opts) {
        let path = dir.join(&page.path);
        let err = |source| HtmlError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        std::fs::write(&path, page.html).map_err(err)?;
    }
    Ok(())
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

const CSS: &str = r#"
:root { --red: #f8d0d0; --g1: #dcf3dc; --g2: #bfe8bf; --g3: #9ddc9d; --g4: #7acc7a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { padding: 14px 24px; background: #24292f; color: #fff; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
header a { color: #9ecbff; }
header .total { font-size: 16px; }
main { padding: 16px 24px 40px; }
h2 { font-size: 15px; margin: 22px 0 8px; }
table { border-collapse: collapse; width: 100%; max-width: 1100px; }
th, td { padding: 5px 10px; border-bottom: 1px solid #d8dee4; text-align: left; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; user-select: none; }
thead th { cursor: pointer; position: sticky; top: 0; }
tfoot td { background: #f6f8fa; font-weight: 600; }
th.sorted-asc::after { content: " \25B2"; font-size: 10px; }
th.sorted-desc::after { content: " \25BC"; font-size: 10px; }
tr:hover td { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
.bar { display: inline-block; width: 120px; height: 10px; background: var(--red); border-radius: 2px; vertical-align: middle; margin-right: 8px; overflow: hidden; }
.bar span { display: block; height: 100%; background: #2da44e; }
code, pre { font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.src { tab-size: 4; margin: 0; padding: 8px 0; background: #fff; border: 1px solid #d8dee4; border-radius: 6px; overflow-x: auto; color: #6e7781; }
pre.src .l { display: block; position: relative; padding: 0 16px 0 5.5em; min-height: 1.5em; }
pre.src .l:target { background: #fff8c5; }
pre.src .ln { position: absolute; left: 0; width: 4.5em; text-align: right; color: #8c959f; user-select: none; }
.b { color: #1f2328; border-radius: 2px; }
.u { background: var(--red); }
.c1 { background: var(--g1); } .c2 { background: var(--g2); } .c3 { background: var(--g3); } .c4 { background: var(--g4); }
.dim { opacity: .25; }
.legend span { padding: 1px 8px; margin-right: 6px; border-radius: 2px; color: #1f2328; }
.missing { padding: 10px 14px; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; max-width: 1100px; }
.meta { color: #57606a; margin: 4px 0 12px; }
select { font: inherit; }
"#;

const SORT_JS: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("sorted-asc");
      table.querySelectorAll("thead th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
        var r = (x !== null && y !== null) ? (parseFloat(x) - parseFloat(y))
                                           : a.cells[col].textContent.localeCompare(b.cells[col].textContent);
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"#;

const RUN_JS: &str = r#"
var sel = document.getElementById("run");
if (sel) sel.addEventListener("change", function () {
  var v = sel.value;
  document.querySelectorAll("span.b").forEach(function (s) {
    var runs = " " + (s.getAttribute("data-runs") || "") + " ";
    s.classList.toggle("dim", v !== "" && runs.indexOf(" " + v + " ") < 0);
  });
});
"#;

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

fn pct_cell(t: Totals) -> String {
    match t.go_percent() {
        Some(p) => format!(
            "<td class=\"n\" data-v=\"{:.4}\"><span class=\"bar\"><span style=\"width:{:.1}%\"></span></span>{p}</td>",
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

fn index(cov: &Coverage, opts: &HtmlOptions, names: &[String]) -> String {
    let total = cov.totals();
    let mut out = String::new();
    head(&mut out, &opts.title);
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><span class=\"total\">{} of statements</span><span>mode: {}</span></header>\n<main>",
        esc(&opts.title),
        total.go_percent().unwrap_or_else(|| "no statements".into()),
        cov.mode
    );
    out.push_str("<h2>Packages</h2>\n<table class=\"sortable\" id=\"packages\">\n<thead><tr><th>Package</th><th class=\"n\">Statements</th><th class=\"n\">Covered</th><th class=\"n\">Coverage</th></tr></thead>\n<tbody>\n");
    for p in &cov.packages {
        let t = p.totals();
        let _ = writeln!(
            out,
            "<tr><td>{}</td>{}{}</tr>",
            esc(&p.import_path),
            num_cells(t),
            pct_cell(t)
        );
    }
    let _ = writeln!(
        out,
        "</tbody>\n<tfoot><tr><th>Total</th>{}{}</tr></tfoot>\n</table>",
        num_cells(total),
        pct_cell(total)
    );
    out.push_str("<h2>Files</h2>\n<table class=\"sortable\" id=\"files\">\n<thead><tr><th>File</th><th>Package</th><th class=\"n\">Statements</th><th class=\"n\">Covered</th><th class=\"n\">Coverage</th></tr></thead>\n<tbody>\n");
    for ((p, f), name) in cov.files().zip(names) {
        let t = f.totals();
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td>{}{}</tr>",
            esc(name),
            esc(&f.path),
            esc(&p.import_path),
            num_cells(t),
            pct_cell(t)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if !cov.runs.is_empty() {
        out.push_str("<h2>Runs</h2>\n<table class=\"sortable\" id=\"runs\">\n<thead><tr><th>Run</th><th>Kind</th><th class=\"n\">Statements executed</th><th>Data</th></tr></thead>\n<tbody>\n");
        let mut per_run = vec![0u64; cov.runs.len()];
        for (_, f) in cov.files() {
            for b in &f.blocks {
                for &r in &b.runs {
                    if let Some(slot) = per_run.get_mut(r as usize) {
                        *slot += u64::from(b.statements);
                    }
                }
            }
        }
        for (run, n) in cov.runs.iter().zip(per_run) {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{n}\">{n}</td><td><code>{}</code></td></tr>",
                esc(&run.label),
                run_kind(run),
                esc(&run.source)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = write!(
        out,
        "</main>\n<script>{SORT_JS}</script>\n</body>\n</html>\n"
    );
    out
}

fn run_kind(run: &crate::attribution::Run) -> &'static str {
    match run.kind {
        crate::attribution::RunKind::Test => "test",
        crate::attribution::RunKind::Program => "program",
        crate::attribution::RunKind::Profile => "profile",
    }
}

fn file_page(
    cov: &Coverage,
    opts: &HtmlOptions,
    file: &FileCov,
    page: &str,
    source: Option<&[u8]>,
) -> String {
    let t = file.totals();
    let mut out = String::new();
    head(&mut out, &format!("{} — {}", file.path, opts.title));
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><span class=\"total\">{} of statements</span><a href=\"{}index.html\">all files</a></header>\n<main>",
        esc(&file.path),
        t.go_percent().unwrap_or_else(|| "no statements".into()),
        up(page)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\"><code>{}</code> · {} of {} statements covered · mode: {}</p>",
        esc(&file.name),
        t.covered,
        t.statements,
        cov.mode
    );
    out.push_str("<p class=\"legend\"><span class=\"u\">not executed</span><span class=\"c1\">executed</span><span class=\"c4\">executed often</span><span style=\"color:#6e7781\">not instrumented</span></p>\n");
    if !cov.runs.is_empty() {
        out.push_str("<p><label>Highlight the blocks executed by <select id=\"run\"><option value=\"\">any run</option>");
        for (i, r) in cov.runs.iter().enumerate() {
            let _ = write!(out, "<option value=\"{i}\">{}</option>", esc(&r.label));
        }
        out.push_str("</select></label></p>\n");
    }
    let max = file.blocks.iter().map(|b| b.count).max().unwrap_or(0);
    match source {
        Some(src) => source_listing(&mut out, cov, file, src, max),
        None => missing_source(&mut out, cov, file),
    }
    let _ = write!(
        out,
        "</main>\n<script>{RUN_JS}</script>\n</body>\n</html>\n"
    );
    out
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

fn block_title(cov: &Coverage, b: &BlockCov) -> String {
    let mut t = format!(
        "{} statement{}, count {}",
        b.statements,
        if b.statements == 1 { "" } else { "s" },
        b.count
    );
    if !cov.runs.is_empty() {
        const SHOWN: usize = 12;
        let names: Vec<&str> = b
            .runs
            .iter()
            .take(SHOWN)
            .filter_map(|&r| cov.runs.get(r as usize).map(|r| r.label.as_str()))
            .collect();
        if names.is_empty() {
            t.push_str("\nexecuted by no run");
        } else {
            let _ = write!(t, "\nexecuted by: {}", names.join(", "));
            if b.runs.len() > SHOWN {
                let _ = write!(t, " and {} more", b.runs.len() - SHOWN);
            }
        }
    }
    t
}

fn source_listing(out: &mut String, cov: &Coverage, file: &FileCov, src: &[u8], max: u32) {
    // Byte offsets where each line starts.
    let mut starts = vec![0usize];
    starts.extend(
        src.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let line_end = |l: usize| -> usize {
        starts
            .get(l + 1)
            .map_or(src.len(), |&next| next.saturating_sub(1))
    };
    // Go columns are 1-based byte offsets within the line.
    let offset = |line: u32, col: u32| -> Option<usize> {
        let l = (line as usize).checked_sub(1)?;
        let start = *starts.get(l)?;
        Some((start + (col as usize).saturating_sub(1)).min(line_end(l)))
    };
    const NONE: u32 = u32::MAX;
    let mut owner = vec![NONE; src.len()];
    let mut mismatched = 0usize;
    for (i, b) in file.blocks.iter().enumerate() {
        match (
            offset(b.start_line, b.start_col),
            offset(b.end_line, b.end_col),
        ) {
            (Some(s), Some(e)) if s <= e => owner[s..e].fill(i as u32),
            _ => mismatched += 1,
        }
    }
    if mismatched > 0 {
        let _ = writeln!(
            out,
            "<p class=\"missing\">{mismatched} block(s) lie outside this file: the source on disk differs from the one that was measured.</p>"
        );
    }
    out.push_str("<pre class=\"src\">");
    // Source lines past the last newline-terminated one still count.
    let nlines = if src.ends_with(b"\n") {
        starts.len() - 1
    } else {
        starts.len()
    };
    for (l, &s) in starts.iter().enumerate().take(nlines) {
        let e = line_end(l);
        let _ = write!(
            out,
            "<span class=\"l\" id=\"L{n}\"><span class=\"ln\">{n}</span>",
            n = l + 1
        );
        let mut i = s;
        while i < e {
            let who = owner[i];
            let mut j = i + 1;
            while j < e && owner[j] == who {
                j += 1;
            }
            let text = String::from_utf8_lossy(&src[i..j]);
            let text = text.strip_suffix('\r').unwrap_or(&text);
            if who == NONE {
                out.push_str(&esc(text));
            } else {
                let b = &file.blocks[who as usize];
                let runs: Vec<String> = b.runs.iter().map(u32::to_string).collect();
                let _ = write!(
                    out,
                    "<span class=\"b {}\" title=\"{}\" data-runs=\"{}\">{}</span>",
                    class_of(b.count, max),
                    esc(&block_title(cov, b)),
                    runs.join(" "),
                    esc(text)
                );
            }
            i = j;
        }
        out.push_str("</span>");
    }
    out.push_str("</pre>\n");
}

fn missing_source(out: &mut String, cov: &Coverage, file: &FileCov) {
    let where_ = match &file.source {
        Some(p) => format!("it is not at <code>{}</code>", esc(p.as_str())),
        None => "its module is not known (give <code>--source-root</code>, the directory of the module's go.mod)".to_owned(),
    };
    let _ = writeln!(
        out,
        "<p class=\"missing\">Source file not found: {where_}. The blocks measured in it:</p>"
    );
    out.push_str(
        "<table><thead><tr><th>Lines</th><th class=\"n\">Statements</th><th class=\"n\">Count</th>",
    );
    if !cov.runs.is_empty() {
        out.push_str("<th>Executed by</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for b in &file.blocks {
        let _ = write!(
            out,
            "<tr><td><span class=\"b {}\">{}.{}–{}.{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            class_of(b.count, u32::MAX),
            b.start_line,
            b.start_col,
            b.end_line,
            b.end_col,
            b.statements,
            b.count
        );
        if !cov.runs.is_empty() {
            let names: Vec<String> = b
                .runs
                .iter()
                .filter_map(|&r| cov.runs.get(r as usize).map(|r| esc(&r.label).into_owned()))
                .collect();
            let _ = write!(out, "<td>{}</td>", names.join(", "));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}
