//! Thresholds: the total, every package, every file and the patch (changed statements) must
//! reach a minimum percentage. Per-pattern overrides (`--min PATTERN=PCT`) replace the
//! package minimum for packages matching a Go package pattern, or the file minimum for files
//! matching a glob (see [`crate::filter::is_glob`]); the last override that matches wins.
//!
//! A figure passes when its exact percentage (100 × covered / statements, as Go computes it)
//! is at least the minimum: 2 of 3 statements (66.67%, printed `66.7%`) fails `66.7`.
//! Packages and files without statements are not judged.

use std::fmt;

use globset::{Glob, GlobMatcher};
use profile::pattern::PackageFilter;

use crate::diff::PatchCoverage;
use crate::model::{Coverage, Totals};

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("{what} {value:?}: want a percentage from 0 to 100")]
    BadPercent { what: String, value: String },
    #[error("--min {value:?}: want PATTERN=PCT")]
    BadOverride { value: String },
    #[error("--min {pattern:?}: bad glob: {why}")]
    BadGlob { pattern: String, why: String },
}

/// Parse a percentage (`80`, `72.5`, `80%`), 0 to 100; `what` names the setting in errors.
pub fn parse_percent(what: &str, value: &str) -> Result<f64, GateError> {
    let v = value.trim().trim_end_matches('%');
    match v.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(GateError::BadPercent {
            what: what.to_owned(),
            value: value.to_owned(),
        }),
    }
}

/// A minimum for the packages or files a pattern matches.
#[derive(Debug, Clone)]
pub struct Override {
    pub pattern: String,
    pub min: f64,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Package(PackageFilter),
    File(GlobMatcher),
}

impl Override {
    pub fn new(pattern: &str, min: f64) -> Result<Self, GateError> {
        let matcher = if crate::filter::is_glob(pattern) {
            let glob = Glob::new(pattern).map_err(|e| GateError::BadGlob {
                pattern: pattern.to_owned(),
                why: e.kind().to_string(),
            })?;
            Matcher::File(glob.compile_matcher())
        } else {
            Matcher::Package(
                PackageFilter::new(pattern).ok_or_else(|| GateError::BadOverride {
                    value: format!("={min}"),
                })?,
            )
        };
        Ok(Override {
            pattern: pattern.to_owned(),
            min,
            matcher,
        })
    }

    /// `PATTERN=PCT`, split at the last `=`.
    pub fn parse(spec: &str) -> Result<Self, GateError> {
        let bad = || GateError::BadOverride {
            value: spec.to_owned(),
        };
        let (pattern, pct) = spec.rsplit_once('=').ok_or_else(bad)?;
        if pattern.is_empty() {
            return Err(bad());
        }
        Override::new(pattern, parse_percent(&format!("--min {pattern}="), pct)?)
    }
}

/// The minimums; `None` is not checked.
#[derive(Debug, Clone, Default)]
pub struct Thresholds {
    pub total: Option<f64>,
    pub package: Option<f64>,
    pub file: Option<f64>,
    pub patch: Option<f64>,
    pub overrides: Vec<Override>,
}

impl Thresholds {
    fn for_package(&self, import_path: &str) -> Option<f64> {
        let over = self.overrides.iter().rev().find(|o| match &o.matcher {
            Matcher::Package(f) => f.matches(import_path),
            Matcher::File(_) => false,
        });
        over.map(|o| o.min).or(self.package)
    }

    fn for_file(&self, path: &str, name: &str) -> Option<f64> {
        let over = self.overrides.iter().rev().find(|o| match &o.matcher {
            Matcher::File(g) => g.is_match(path) || g.is_match(name),
            Matcher::Package(_) => false,
        });
        over.map(|o| o.min).or(self.file)
    }
}

/// What a figure is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Total,
    Patch,
    Package,
    File,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Total => "total",
            Scope::Patch => "patch",
            Scope::Package => "package",
            Scope::File => "file",
        })
    }
}

/// A figure below its minimum.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    pub scope: Scope,
    /// Import path, file path (relative to the source root), or empty for total and patch.
    pub name: String,
    pub actual: Totals,
    pub min: f64,
}

fn below(t: Totals, min: f64) -> bool {
    t.percent().is_some_and(|p| p < min)
}

/// Every figure below its minimum: total, patch, then packages and files in report order.
pub fn evaluate(
    cov: &Coverage,
    patch: Option<&PatchCoverage>,
    thresholds: &Thresholds,
) -> Vec<Shortfall> {
    let mut out = Vec::new();
    let mut check = |scope, name: &str, actual: Totals, min: Option<f64>| {
        if let Some(min) = min.filter(|&m| below(actual, m)) {
            out.push(Shortfall {
                scope,
                name: name.to_owned(),
                actual,
                min,
            });
        }
    };
    check(Scope::Total, "", cov.totals(), thresholds.total);
    if let Some(p) = patch {
        check(Scope::Patch, "", p.totals, thresholds.patch);
    }
    for p in &cov.packages {
        check(
            Scope::Package,
            &p.import_path,
            p.totals(),
            thresholds.for_package(&p.import_path),
        );
    }
    for (_, f) in cov.files() {
        check(
            Scope::File,
            &f.path,
            f.totals(),
            thresholds.for_file(&f.path, &f.name),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_overrides_parse() {
        assert_eq!(parse_percent("--min-total", "72.5%").unwrap(), 72.5);
        assert!(parse_percent("--min-total", "101").is_err());
        assert!(parse_percent("--min-total", "x").is_err());
        let o = Override::parse("example.com/m/internal/...=90").unwrap();
        assert_eq!(
            (o.pattern.as_str(), o.min),
            ("example.com/m/internal/...", 90.0)
        );
        assert!(matches!(o.matcher, Matcher::Package(_)));
        assert!(matches!(
            Override::parse("**/*.go=50").unwrap().matcher,
            Matcher::File(_)
        ));
        assert!(Override::parse("nopct").is_err());
        assert!(Override::parse("=5").is_err());
    }

    #[test]
    fn last_matching_override_wins() {
        let t = Thresholds {
            package: Some(50.0),
            overrides: vec![
                Override::parse("example.com/m/...=70").unwrap(),
                Override::parse("example.com/m/internal/...=90").unwrap(),
            ],
            ..Thresholds::default()
        };
        assert_eq!(t.for_package("example.com/m/internal/x"), Some(90.0));
        assert_eq!(t.for_package("example.com/m/p"), Some(70.0));
        assert_eq!(t.for_package("other.org/q"), Some(50.0));
        assert!(!below(
            Totals {
                statements: 3,
                covered: 2
            },
            66.0
        ));
        assert!(below(
            Totals {
                statements: 3,
                covered: 2
            },
            66.7
        ));
        assert!(!below(Totals::default(), 100.0));
    }
}
