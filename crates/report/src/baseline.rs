//! Baselines: the JSON report of the base branch (schema in [`crate::json`]), and the deltas
//! of the current coverage against it (total, per package, and the files whose coverage
//! dropped).

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use crate::model::{Coverage, Totals};

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline: {source}")]
    Io {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not an intcov JSON report: {why}")]
    Json { path: Utf8PathBuf, why: String },
    #[error("{path}: schema {schema:?} version {version}; want {want:?} version {want_version}")]
    Schema {
        path: Utf8PathBuf,
        schema: String,
        version: u32,
        want: &'static str,
        want_version: u32,
    },
}

/// The figures of a previous report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub total: Totals,
    pub packages: BTreeMap<String, Totals>,
    /// By profile name (`example.com/m/pkg/f.go`), with the report path beside the totals.
    pub files: BTreeMap<String, (String, Totals)>,
}

// Only what a baseline needs of the schema; unknown fields are allowed (version 1 grows).
#[derive(Deserialize)]
struct Doc {
    schema: String,
    version: u32,
    totals: JTotals,
    packages: Vec<JPackage>,
}

#[derive(Deserialize)]
struct JTotals {
    statements: u64,
    covered: u64,
}

#[derive(Deserialize)]
struct JPackage {
    import_path: String,
    totals: JTotals,
    files: Vec<JFile>,
}

#[derive(Deserialize)]
struct JFile {
    name: String,
    path: String,
    totals: JTotals,
}

impl From<JTotals> for Totals {
    fn from(t: JTotals) -> Self {
        Totals {
            statements: t.statements,
            covered: t.covered,
        }
    }
}

impl Baseline {
    pub fn read(path: &Utf8Path) -> Result<Baseline, BaselineError> {
        let data = std::fs::read(path).map_err(|source| BaselineError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&data, path)
    }

    /// Parse a JSON report; `path` names it in errors.
    pub fn parse(data: &[u8], path: &Utf8Path) -> Result<Baseline, BaselineError> {
        let doc: Doc = serde_json::from_slice(data).map_err(|e| BaselineError::Json {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
        if doc.schema != crate::json::SCHEMA || doc.version != crate::json::VERSION {
            return Err(BaselineError::Schema {
                path: path.to_owned(),
                schema: doc.schema,
                version: doc.version,
                want: crate::json::SCHEMA,
                want_version: crate::json::VERSION,
            });
        }
        let mut b = Baseline {
            total: doc.totals.into(),
            ..Baseline::default()
        };
        for p in doc.packages {
            for f in p.files {
                b.files.insert(f.name, (f.path, f.totals.into()));
            }
            b.packages.insert(p.import_path, p.totals.into());
        }
        Ok(b)
    }
}

/// Before and after; either side may be missing (a package added or removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta {
    pub name: String,
    pub before: Option<Totals>,
    pub after: Option<Totals>,
}

impl Delta {
    /// Percentage points gained (negative: lost), when both sides have statements.
    pub fn points(&self) -> Option<f64> {
        Some(self.after?.percent()? - self.before?.percent()?)
    }

    /// Added, removed, or its figure moved by at least 0.05 points (what shows as a change).
    pub fn changed(&self) -> bool {
        self.display() != "±0.0"
    }

    /// `+1.3`, `-0.4`, `±0.0`, or `new` / `removed`.
    pub fn display(&self) -> String {
        match (self.before, self.after) {
            (None, Some(_)) => "new".to_owned(),
            (Some(_), None) => "removed".to_owned(),
            _ => self.points().map_or_else(|| "–".to_owned(), points),
        }
    }
}

/// Percentage points with a sign, one decimal: `+1.3`, `-0.4`, `±0.0`.
pub fn points(d: f64) -> String {
    let s = format!("{d:+.1}");
    if s == "+0.0" || s == "-0.0" {
        "±0.0".to_owned()
    } else {
        s
    }
}

/// The current coverage against a baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deltas {
    pub total: Delta,
    /// Every package of either side, by import path.
    pub packages: Vec<Delta>,
    /// Files whose coverage dropped, named by their report path.
    pub dropped_files: Vec<Delta>,
}

pub fn compare(baseline: &Baseline, cov: &Coverage) -> Deltas {
    let mut packages: BTreeMap<&str, Delta> = BTreeMap::new();
    for (name, t) in &baseline.packages {
        packages.insert(name, delta(name, Some(*t), None));
    }
    for p in &cov.packages {
        packages
            .entry(&p.import_path)
            .or_insert_with(|| delta(&p.import_path, None, None))
            .after = Some(p.totals());
    }
    let mut dropped_files = Vec::new();
    for (_, f) in cov.files() {
        let Some((_, before)) = baseline.files.get(&f.name) else {
            continue;
        };
        let d = delta(&f.path, Some(*before), Some(f.totals()));
        if d.points().is_some_and(|p| p < 0.0) {
            dropped_files.push(d);
        }
    }
    Deltas {
        total: delta("total", Some(baseline.total), Some(cov.totals())),
        packages: packages.into_values().collect(),
        dropped_files,
    }
}

fn delta(name: &str, before: Option<Totals>, after: Option<Totals>) -> Delta {
    Delta {
        name: name.to_owned(),
        before,
        after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_signed() {
        assert_eq!(points(1.25), "+1.2");
        assert_eq!(points(-0.04), "±0.0");
        assert_eq!(points(-3.0), "-3.0");
    }

    #[test]
    fn wrong_schema_and_bad_json_name_the_file() {
        let p = Utf8Path::new("old.json");
        let e = Baseline::parse(b"{\"schema\":\"x\",\"version\":1,\"totals\":{\"statements\":1,\"covered\":1},\"packages\":[]}", p)
            .unwrap_err();
        assert!(e.to_string().starts_with("old.json: schema \"x\""), "{e}");
        let e = Baseline::parse(b"[1,", p).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("old.json: not an intcov JSON report"),
            "{e}"
        );
    }
}
