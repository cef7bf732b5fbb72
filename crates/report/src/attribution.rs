//! Which runs executed each block.
//!
//! A run is one unit of execution whose coverage is known separately: a counter file of a
//! program (labelled with the program's arguments), the per-test directory the overlay's
//! `RunWithIntegrationCoverage` writes (labelled with the test's name), or one input text
//! profile (labelled with its path). Attribution is the per-block list of runs whose counter
//! for the block was non-zero: the answer to "which test covers this line?".

use std::collections::HashMap;

use profile::{Profile, Unit};
use serde::Serialize;

/// One run, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Short human label: a test name, a command line, a file name.
    pub label: String,
    /// What the run is: `test`, `program` or `profile`.
    pub kind: RunKind,
    /// Where its data came from (a counter file or profile path).
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Test,
    Program,
    Profile,
}

/// Runs and, per (file, block), the indices of the runs that executed it.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    runs: Vec<Run>,
    hits: HashMap<(String, Unit), Vec<u32>>,
}

impl Attribution {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record `run` and every block its `profile` executed.
    pub fn add_run(&mut self, run: Run, profile: &Profile) {
        let id = self.runs.len() as u32;
        self.runs.push(run);
        for pkg in profile.packages().values() {
            let funcs = pkg.functions();
            for (f, unit, count) in pkg.units() {
                if count == 0 {
                    continue;
                }
                let ids = self
                    .hits
                    .entry((funcs[f as usize].file.clone(), *unit))
                    .or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Indices of the runs that executed `unit` of `file`, ascending.
    pub fn runs_of(&self, file: &str, unit: &Unit) -> &[u32] {
        self.hits
            .get(&(file.to_owned(), *unit))
            .map_or(&[], Vec::as_slice)
    }
}
