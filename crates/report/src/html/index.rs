//! `index.html`: the files as a folder tree (folders fold; a filter box), the packages
//! (sortable), and with attribution the runs and a per-run column across folders and files.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{
    assets, esc, head, num_cells, pct_cell, run_kind, run_labels, run_select, HtmlOptions,
};
use crate::model::{Coverage, Totals};

/// A folder of the tree: sub-folders by name, files as indices into the report's files.
#[derive(Default)]
struct Dir {
    dirs: BTreeMap<String, Dir>,
    files: Vec<usize>,
    totals: Totals,
    /// Statements executed per run (sparse: run index → statements).
    runs: BTreeMap<u32, u64>,
}

/// One file as the tree sees it.
struct Leaf<'a> {
    path: &'a str,
    page: &'a str,
    totals: Totals,
    runs: BTreeMap<u32, u64>,
}

fn add_runs(to: &mut BTreeMap<u32, u64>, from: &BTreeMap<u32, u64>) {
    for (&r, &n) in from {
        *to.entry(r).or_default() += n;
    }
}

fn build(leaves: &[Leaf<'_>]) -> Dir {
    let mut root = Dir::default();
    for (i, leaf) in leaves.iter().enumerate() {
        let mut parts: Vec<&str> = leaf.path.split('/').filter(|p| !p.is_empty()).collect();
        parts.pop();
        let mut d = &mut root;
        d.totals.add(leaf.totals);
        add_runs(&mut d.runs, &leaf.runs);
        for p in parts {
            d = d.dirs.entry(p.to_owned()).or_default();
            d.totals.add(leaf.totals);
            add_runs(&mut d.runs, &leaf.runs);
        }
        d.files.push(i);
    }
    root
}

fn runs_cell(cov: &Coverage, runs: &BTreeMap<u32, u64>) -> String {
    if cov.runs.is_empty() {
        return String::new();
    }
    let rs: Vec<String> = runs.iter().map(|(r, n)| format!("{r}:{n}")).collect();
    format!("<td class=\"n\" data-rs=\"{}\"></td>", rs.join(" "))
}

/// Rows of `dir`'s children, depth first; single-child folder chains are shown as one row.
fn rows(
    out: &mut String,
    cov: &Coverage,
    dir: &Dir,
    prefix: &str,
    depth: usize,
    leaves: &[Leaf<'_>],
) {
    let indent = |depth: usize| 10 + 18 * depth;
    for (name, sub) in &dir.dirs {
        let (mut label, mut sub, mut path) = (
            name.clone(),
            sub,
            if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            },
        );
        while sub.files.is_empty() && sub.dirs.len() == 1 {
            let (n, s) = sub.dirs.iter().next().expect("one sub-folder");
            label = format!("{label}/{n}");
            path = format!("{path}/{n}");
            sub = s;
        }
        let _ = writeln!(
            out,
            "<tr class=\"dir\" data-path=\"{}\" data-depth=\"{depth}\"><td style=\"padding-left:{}px\"><span class=\"tw\"></span>{}/</td>{}{}{}</tr>",
            esc(&path),
            indent(depth),
            esc(&label),
            num_cells(sub.totals),
            pct_cell(sub.totals),
            runs_cell(cov, &sub.runs)
        );
        rows(out, cov, sub, &path, depth + 1, leaves);
    }
    for &i in &dir.files {
        let leaf = &leaves[i];
        let base = leaf.path.rsplit('/').next().unwrap_or(leaf.path);
        let _ = writeln!(
            out,
            "<tr data-path=\"{}\" data-depth=\"{depth}\"><td style=\"padding-left:{}px\"><span class=\"tw\"></span><a class=\"keep\" href=\"{}\">{}</a></td>{}{}{}</tr>",
            esc(leaf.path),
            indent(depth),
            esc(leaf.page),
            esc(base),
            num_cells(leaf.totals),
            pct_cell(leaf.totals),
            runs_cell(cov, &leaf.runs)
        );
    }
}

pub(super) fn page(cov: &Coverage, opts: &HtmlOptions, names: &[String]) -> String {
    let total = cov.totals();
    let labels = run_labels(cov);
    let mut out = String::new();
    head(&mut out, &opts.title);
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><span class=\"total\">{} of statements</span><span>mode: {}</span></header>\n<main>",
        esc(&opts.title),
        total.go_percent().unwrap_or_else(|| "no statements".into()),
        cov.mode
    );
    out.push_str("<p><input id=\"filter\" type=\"search\" placeholder=\"Filter files and packages\" aria-label=\"Filter files and packages\"></p>\n");
    run_select(&mut out, cov, &labels, "Statements executed by");

    let leaves: Vec<Leaf<'_>> = cov
        .files()
        .zip(names)
        .map(|((_, f), page)| {
            let mut runs = BTreeMap::new();
            for b in &f.blocks {
                for &r in &b.runs {
                    *runs.entry(r).or_default() += u64::from(b.statements);
                }
            }
            Leaf {
                path: &f.path,
                page,
                totals: f.totals(),
                runs,
            }
        })
        .collect();
    let tree = build(&leaves);
    let run_th = if cov.runs.is_empty() {
        ""
    } else {
        "<th class=\"n\">Run</th>"
    };
    let _ = writeln!(
        out,
        "<h2>Files</h2>\n<table id=\"tree\">\n<thead><tr><th>Folder / file</th><th class=\"n\">Statements</th><th class=\"n\">Covered</th><th class=\"n\">Coverage</th>{run_th}</tr></thead>\n<tbody>"
    );
    rows(&mut out, cov, &tree, "", 0, &leaves);
    let _ = writeln!(
        out,
        "</tbody>\n<tfoot><tr><th>Total</th>{}{}{}</tr></tfoot>\n</table>",
        num_cells(total),
        pct_cell(total),
        runs_cell(cov, &tree.runs)
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

    if !cov.runs.is_empty() {
        out.push_str("<h2>Runs</h2>\n<table class=\"sortable\" id=\"runs\">\n<thead><tr><th>Run</th><th>Kind</th><th class=\"n\">Statements executed</th><th>Data</th></tr></thead>\n<tbody>\n");
        for (i, (run, label)) in cov.runs.iter().zip(&labels).enumerate() {
            let n = tree.runs.get(&(i as u32)).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "<tr><td><span class=\"label\" title=\"{}\">{}</span></td><td>{}</td><td class=\"n\" data-v=\"{n}\">{n}</td><td><code class=\"label\" title=\"{}\">{}</code></td></tr>",
                esc(&run.label),
                esc(label),
                run_kind(run),
                esc(&run.source),
                esc(run.source.rsplit('/').next().unwrap_or(&run.source))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = write!(
        out,
        "</main>\n<script>{}{}{}</script>\n</body>\n</html>\n",
        assets::SORT_JS,
        assets::TREE_JS,
        assets::RUN_JS
    );
    out
}
