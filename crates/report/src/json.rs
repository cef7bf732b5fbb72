//! The JSON report, schema `intcov-coverage` version 1, described by the JSON Schema
//! `crates/report/schema/intcov-coverage.schema.json` ([`JSON_SCHEMA`]); tests validate every
//! report they write against it.
//!
//! ```text
//! {
//!   "schema": "intcov-coverage", "version": 1,
//!   "mode": "set" | "count" | "atomic",
//!   "source_root": "/abs/dir" | null,       // what file "path"s are relative to
//!   "totals": Totals,
//!   "runs": [ { "id": 0, "label": "TestFoo", "kind": "test" | "program" | "profile",
//!               "source": "path of its data" } ],   // empty without --attribution
//!   "packages": [ {
//!     "import_path": "example.com/m/pkg", "totals": Totals,
//!     "files": [ {
//!       "name": "example.com/m/pkg/f.go",   // as the profile names it
//!       "path": "pkg/f.go",                 // relative to source_root when known
//!       "totals": Totals,
//!       "functions": [ { "name": "*T.M", "literal": false, "start_line": 3, "end_line": 9,
//!                        "entries": 4, "totals": Totals } ],   // empty for text profiles
//!       "blocks": [ { "start_line": 3, "start_col": 20, "end_line": 5, "end_col": 2,
//!                     "statements": 2, "count": 4,
//!                     "function": 0 | null,     // index into "functions"
//!                     "runs": [0, 2] } ]        // ids into "runs"; only with --attribution
//!     } ]
//!   } ]
//! }
//! Totals = { "statements": 13, "covered": 9,
//!            "percent": 69.23076923076923 | null,   // 100*covered/statements, null if none
//!            "display": "69.2%" | null }            // as Go prints it
//! ```
//!
//! Packages are sorted by import path, files by name, functions and blocks by position.
//! Version 1 only grows by new fields; a field changing meaning bumps the version.

use serde::Serialize;

use crate::attribution::{Run, RunKind};
use crate::model::{Coverage, Totals};

pub const SCHEMA: &str = "intcov-coverage";
pub const VERSION: u32 = 1;
/// The JSON Schema (draft 2020-12) of the report.
pub const JSON_SCHEMA: &str = include_str!("../schema/intcov-coverage.schema.json");

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    version: u32,
    mode: &'static str,
    source_root: Option<&'a str>,
    totals: JTotals,
    runs: Vec<JRun<'a>>,
    packages: Vec<JPackage<'a>>,
}

#[derive(Serialize)]
struct JTotals {
    statements: u64,
    covered: u64,
    percent: Option<f64>,
    display: Option<String>,
}

impl From<Totals> for JTotals {
    fn from(t: Totals) -> Self {
        JTotals {
            statements: t.statements,
            covered: t.covered,
            percent: t.percent(),
            display: t.go_percent(),
        }
    }
}

#[derive(Serialize)]
struct JRun<'a> {
    id: usize,
    label: &'a str,
    kind: RunKind,
    source: &'a str,
}

#[derive(Serialize)]
struct JPackage<'a> {
    import_path: &'a str,
    totals: JTotals,
    files: Vec<JFile<'a>>,
}

#[derive(Serialize)]
struct JFile<'a> {
    name: &'a str,
    path: &'a str,
    totals: JTotals,
    functions: Vec<JFunc<'a>>,
    blocks: Vec<JBlock<'a>>,
}

#[derive(Serialize)]
struct JFunc<'a> {
    name: &'a str,
    literal: bool,
    start_line: u32,
    end_line: u32,
    entries: u32,
    totals: JTotals,
}

#[derive(Serialize)]
struct JBlock<'a> {
    start_line: u32,
    start_col: u32,
    end_line: u32,
    end_col: u32,
    statements: u32,
    count: u32,
    function: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runs: Option<&'a [u32]>,
}

pub fn render(cov: &Coverage) -> String {
    let attributed = !cov.runs.is_empty();
    let doc = Doc {
        schema: SCHEMA,
        version: VERSION,
        mode: cov.mode.as_str(),
        source_root: cov.source_root.as_ref().map(|r| r.as_str()),
        totals: cov.totals().into(),
        runs: cov
            .runs
            .iter()
            .enumerate()
            .map(|(id, r): (usize, &Run)| JRun {
                id,
                label: &r.label,
                kind: r.kind,
                source: &r.source,
            })
            .collect(),
        packages: cov
            .packages
            .iter()
            .map(|p| JPackage {
                import_path: &p.import_path,
                totals: p.totals().into(),
                files: p
                    .files
                    .iter()
                    .map(|f| JFile {
                        name: &f.name,
                        path: &f.path,
                        totals: f.totals().into(),
                        functions: f
                            .functions
                            .iter()
                            .map(|fc| JFunc {
                                name: &fc.name,
                                literal: fc.literal,
                                start_line: fc.start_line,
                                end_line: fc.end_line,
                                entries: fc.entries,
                                totals: fc.totals.into(),
                            })
                            .collect(),
                        blocks: f
                            .blocks
                            .iter()
                            .map(|b| JBlock {
                                start_line: b.start_line,
                                start_col: b.start_col,
                                end_line: b.end_line,
                                end_col: b.end_col,
                                statements: b.statements,
                                count: b.count,
                                function: b.function,
                                runs: attributed.then_some(b.runs.as_slice()),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("the report serializes");
    s.push('\n');
    s
}
