//! A file page: totals, the function table (`go tool cover -func`'s figures), the legend, the
//! run selector, and the source with its blocks highlighted, a hit-count gutter (partly
//! covered lines marked), and `n` / `p` jumps between uncovered blocks.

use std::fmt::Write;

use super::{
    assets, class_of, esc, head, num_cells, pct_cell, run_labels, run_select, up, HtmlOptions,
};
use crate::model::{BlockCov, Coverage, FileCov};
use profile::CounterMode;

/// Runs named per block in tooltips and in the block table of a page without source.
const SHOWN: usize = 12;

pub(super) fn page(
    cov: &Coverage,
    opts: &HtmlOptions,
    file: &FileCov,
    page: &str,
    source: Option<&[u8]>,
) -> String {
    let t = file.totals();
    let labels = run_labels(cov);
    let mut out = String::new();
    head(&mut out, &format!("{} — {}", file.path, opts.title));
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><span class=\"total\">{} of statements</span><a class=\"keep\" href=\"{}index.html\">all files</a></header>\n<main>",
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
    functions(&mut out, file);
    let max = file.blocks.iter().map(|b| b.count).max().unwrap_or(0);
    legend(&mut out, cov.mode, max);
    run_select(&mut out, cov, &labels, "Highlight the blocks executed by");
    match source {
        Some(src) => {
            let uncovered = file.blocks.iter().filter(|b| b.count == 0).count();
            let _ = writeln!(
                out,
                "<p class=\"meta\">{uncovered} uncovered block(s): <button id=\"prev\" type=\"button\">previous</button> <button id=\"next\" type=\"button\">next</button> (keys <kbd>p</kbd> / <kbd>n</kbd>) <span id=\"at\"></span></p>"
            );
            source_listing(&mut out, cov, &labels, file, src, max);
        }
        None => missing_source(&mut out, cov, &labels, file),
    }
    let _ = write!(
        out,
        "</main>\n<script>{}{}{}</script>\n</body>\n</html>\n",
        assets::SORT_JS,
        assets::RUN_JS,
        assets::KEYS_JS
    );
    out
}

/// The function table, as `go tool cover -func` figures it: each function's covered
/// statements over its statements.
fn functions(out: &mut String, file: &FileCov) {
    if file.functions.is_empty() {
        return;
    }
    out.push_str("<table class=\"sortable\" id=\"functions\">\n<thead><tr><th>Function</th><th class=\"n\">Line</th><th class=\"n\">Statements</th><th class=\"n\">Covered</th><th class=\"n\">Coverage</th></tr></thead>\n<tbody>\n");
    for f in &file.functions {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#L{l}\"><code>{}</code></a></td><td class=\"n\" data-v=\"{l}\">{l}</td>{}{}</tr>",
            esc(&f.name),
            num_cells(f.totals),
            pct_cell(f.totals),
            l = f.start_line
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Set mode knows only executed or not; count modes shade by count up to the file's largest.
fn legend(out: &mut String, mode: CounterMode, max: u32) {
    out.push_str("<p class=\"legend\"><span class=\"u\">not executed</span>");
    if mode == CounterMode::Set || max <= 1 {
        let _ = write!(
            out,
            "<span class=\"{}\">executed</span>",
            class_of(1, max.max(1))
        );
    } else {
        let _ = write!(
            out,
            "<span class=\"c1\">executed once</span><span class=\"c4\">executed often (up to {max} times)</span>"
        );
    }
    out.push_str("<span style=\"color:#6e7781\">not instrumented</span></p>\n");
}

fn block_title(cov: &Coverage, labels: &[String], b: &BlockCov) -> String {
    let mut t = format!(
        "{} statement{}, count {}",
        b.statements,
        if b.statements == 1 { "" } else { "s" },
        b.count
    );
    if !cov.runs.is_empty() {
        let names: Vec<&str> = b
            .runs
            .iter()
            .take(SHOWN)
            .filter_map(|&r| labels.get(r as usize).map(String::as_str))
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

fn source_listing(
    out: &mut String,
    cov: &Coverage,
    labels: &[String],
    file: &FileCov,
    src: &[u8],
    max: u32,
) {
    let lines = file.line_coverage();
    // The first span of each uncovered block is where `n` / `p` jump.
    let mut started = vec![false; file.blocks.len()];
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
        if let Some(c) = lines.get(&((l + 1) as u32)) {
            match c.branches() {
                Some((taken, total)) if taken < total => {
                    let _ = write!(
                        out,
                        "<span class=\"hc part\" title=\"{taken} of {total} blocks on this line ran\">{}</span>",
                        c.hits
                    );
                }
                _ => {
                    let _ = write!(out, "<span class=\"hc\">{}</span>", c.hits);
                }
            }
        }
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
                let first = b.count == 0 && !std::mem::replace(&mut started[who as usize], true);
                let _ = write!(
                    out,
                    "<span class=\"b {}{}\" title=\"{}\" data-runs=\"{}\">{}</span>",
                    class_of(b.count, max),
                    if first { " ustart" } else { "" },
                    esc(&block_title(cov, labels, b)),
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

fn missing_source(out: &mut String, cov: &Coverage, labels: &[String], file: &FileCov) {
    let where_ = match &file.source {
        Some(_) => format!("it is not at <code>{}</code>", esc(&file.path)),
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
                .take(SHOWN)
                .filter_map(|&r| labels.get(r as usize).map(|l| esc(l).into_owned()))
                .collect();
            let more = match b.runs.len().saturating_sub(SHOWN) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let _ = write!(out, "<td>{}{more}</td>", names.join(", "));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}
