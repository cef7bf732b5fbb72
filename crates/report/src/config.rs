//! `.intcov.toml`, found upward from the current directory: thresholds, exclusions and badge
//! bands. Flags win over the file.
//!
//! ```toml
//! exclude = ["**/*_mock.go", "example.com/m/internal/testutil/..."]
//! default-excludes = true          # generated files; false = --no-default-excludes
//!
//! [check]
//! min-total = 80
//! min-package = 60
//! min-file = 0
//! min-patch = 90
//! [check.min]                      # per-pattern overrides, as --min PATTERN=PCT
//! "example.com/m/internal/..." = 90
//!
//! [badge]
//! label = "coverage"
//! bands = { "0" = "red", "60" = "yellow", "90" = "brightgreen" }
//! ```

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use crate::badge::{BadgeOptions, Bands};
use crate::gate::{Override, Thresholds};

pub const FILE_NAME: &str = ".intcov.toml";

#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct ConfigError {
    pub path: Utf8PathBuf,
    pub why: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub exclude: Vec<String>,
    pub default_excludes: Option<bool>,
    #[serde(default)]
    pub check: CheckConfig,
    #[serde(default)]
    pub badge: BadgeConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckConfig {
    pub min_total: Option<f64>,
    pub min_package: Option<f64>,
    pub min_file: Option<f64>,
    pub min_patch: Option<f64>,
    #[serde(default)]
    pub min: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeConfig {
    pub label: Option<String>,
    #[serde(default)]
    pub bands: BTreeMap<String, String>,
}

/// A config file and where it was found.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: Utf8PathBuf,
    pub config: Config,
}

/// The nearest `.intcov.toml` in `start` or a directory above it.
pub fn find(start: &Utf8Path) -> Result<Option<Found>, ConfigError> {
    for dir in start.ancestors() {
        let path = dir.join(FILE_NAME);
        if path.is_file() {
            let config = read(&path)?;
            return Ok(Some(Found { path, config }));
        }
    }
    Ok(None)
}

pub fn read(path: &Utf8Path) -> Result<Config, ConfigError> {
    let err = |why: String| ConfigError {
        path: path.to_owned(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let config: Config = toml::from_str(&text).map_err(|e| err(e.message().to_owned()))?;
    // Validate now, so that a bad value is reported against the file.
    config.thresholds().map_err(|e| err(e.to_string()))?;
    config.badge_options().map_err(|e| err(e.to_string()))?;
    Ok(config)
}

/// The exclusions of an optional config file plus the command line's: the file's patterns,
/// then `patterns`; generated files left out unless `no_default_excludes` or the file says
/// `default-excludes = false`. What `intcov report`, `check` and `test` all use.
pub fn exclusions(
    found: Option<&Found>,
    patterns: &[String],
    no_default_excludes: bool,
) -> Result<crate::Exclusions, ExclusionsError> {
    let file = found.map(|f| &f.config);
    let generated = !no_default_excludes && file.and_then(|c| c.default_excludes).unwrap_or(true);
    let mut ex = crate::Exclusions::new::<&str>(&[], generated)?;
    if let Some(found) = found {
        for p in &found.config.exclude {
            ex.add_pattern(p).map_err(|e| ConfigError {
                path: found.path.clone(),
                why: e.to_string(),
            })?;
        }
    }
    for p in patterns {
        ex.add_pattern(p)?;
    }
    Ok(ex)
}

#[derive(Debug, thiserror::Error)]
pub enum ExclusionsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Pattern(#[from] crate::filter::FilterError),
}

impl Config {
    /// The file's thresholds (flags then override them one by one).
    pub fn thresholds(&self) -> Result<Thresholds, crate::gate::GateError> {
        let c = &self.check;
        let pct = |what: &str, v: Option<f64>| {
            v.map(|v| crate::gate::parse_percent(what, &v.to_string()))
                .transpose()
        };
        Ok(Thresholds {
            total: pct("min-total", c.min_total)?,
            package: pct("min-package", c.min_package)?,
            file: pct("min-file", c.min_file)?,
            patch: pct("min-patch", c.min_patch)?,
            overrides: c
                .min
                .iter()
                .map(|(p, v)| {
                    Override::new(
                        p,
                        crate::gate::parse_percent(&format!("min.{p:?}"), &v.to_string())?,
                    )
                })
                .collect::<Result<_, _>>()?,
        })
    }

    pub fn badge_options(&self) -> Result<BadgeOptions, crate::badge::BadgeError> {
        let mut o = BadgeOptions::default();
        if let Some(l) = &self.badge.label {
            o.label.clone_from(l);
        }
        if !self.badge.bands.is_empty() {
            let spec = self
                .badge
                .bands
                .iter()
                .map(|(p, c)| format!("{p}={c}"))
                .collect::<Vec<_>>()
                .join(",");
            o.bands = Bands::parse(&spec)?;
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_example_and_rejects_typos() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
        let doc = include_str!("config.rs")
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.trim_start_matches("//!").trim_start_matches(' '))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(root.join(FILE_NAME), doc).unwrap();
        let sub = root.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let found = find(&sub).unwrap().unwrap();
        assert_eq!(found.path, root.join(FILE_NAME));
        let t = found.config.thresholds().unwrap();
        assert_eq!((t.total, t.patch), (Some(80.0), Some(90.0)));
        assert_eq!(t.overrides[0].pattern, "example.com/m/internal/...");
        assert_eq!(
            found.config.badge_options().unwrap().bands.colour_for(95.0),
            "#4c1"
        );

        std::fs::write(root.join(FILE_NAME), "[check]\nmin-totl = 3\n").unwrap();
        let e = find(&sub).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "{}: unknown field `min-totl`",
                root.join(FILE_NAME)
            )),
            "{e}"
        );
        std::fs::write(root.join(FILE_NAME), "[check]\nmin-total = 300\n").unwrap();
        assert!(find(&sub).is_err());
    }
}
