//! The in-memory coverage model shared by every reader and report.
//!
//! A [`Profile`] is what Go's `internal/coverage/cformat.Formatter` accumulates: for each package,
//! the functions seen (file, name, literal flag) and, for each coverable unit of each function,
//! one merged counter value. Binary covdata (via `covmerge`) and legacy text profiles
//! (`mode: set` files) both feed it; every output format reads from it.
//!
//! Invariant: a unit is keyed by its function *and* its source span, as Go keys it, so that the
//! Go-compatible emitters reproduce `go tool covdata` byte for byte (including the way a closure
//! splits its enclosing function in `func` output).

pub mod gofmt;
pub mod text;

use std::collections::{BTreeMap, HashMap};

/// How counters were collected; decides how two values for one unit combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CounterMode {
    Set,
    Count,
    Atomic,
}

impl CounterMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CounterMode::Set => "set",
            CounterMode::Count => "count",
            CounterMode::Atomic => "atomic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "set" => Some(CounterMode::Set),
            "count" => Some(CounterMode::Count),
            "atomic" => Some(CounterMode::Atomic),
            _ => None,
        }
    }

    /// Combine two counter values for the same unit: set mode ORs, the others add, saturating.
    pub fn combine(self, a: u32, b: u32) -> u32 {
        match self {
            CounterMode::Set => u32::from(a != 0 || b != 0),
            CounterMode::Count | CounterMode::Atomic => a.saturating_add(b),
        }
    }
}

impl std::fmt::Display for CounterMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A coverable unit: a source span and the number of statements it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
    pub num_stmts: u32,
}

/// A function as the profile knows it. Text profiles carry no function names: their units
/// live in one function per file whose name is empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Function {
    /// Source file as Go records it (import path + "/" + base name for module code).
    pub file: String,
    pub name: String,
    /// A function literal (closure).
    pub literal: bool,
}

/// One package's functions and merged unit counters.
#[derive(Debug, Clone, Default)]
pub struct PackageCoverage {
    functions: Vec<Function>,
    function_index: HashMap<Function, u32>,
    counters: HashMap<(u32, Unit), u32>,
}

impl PackageCoverage {
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// Every unit with its function index and merged counter value, in no particular order.
    pub fn units(&self) -> impl Iterator<Item = (u32, &Unit, u32)> + '_ {
        self.counters.iter().map(|(&(f, ref u), &c)| (f, u, c))
    }

    /// Units sorted as Go's formatter sorts them: file, start line, end line, start column,
    /// end column, statement count.
    pub fn sorted_units(&self) -> Vec<(u32, Unit, u32)> {
        let mut v: Vec<(u32, Unit, u32)> = self
            .counters
            .iter()
            .map(|(&(f, u), &c)| (f, u, c))
            .collect();
        v.sort_by(|a, b| {
            let fa = &self.functions[a.0 as usize].file;
            let fb = &self.functions[b.0 as usize].file;
            fa.cmp(fb)
                .then(a.1.start_line.cmp(&b.1.start_line))
                .then(a.1.end_line.cmp(&b.1.end_line))
                .then(a.1.start_col.cmp(&b.1.start_col))
                .then(a.1.end_col.cmp(&b.1.end_col))
                .then(a.1.num_stmts.cmp(&b.1.num_stmts))
        });
        v
    }

    pub fn is_empty(&self) -> bool {
        self.counters.is_empty()
    }
}

/// Merged coverage of any number of runs, programs and profiles.
#[derive(Debug, Clone)]
pub struct Profile {
    mode: CounterMode,
    packages: BTreeMap<String, PackageCoverage>,
}

impl Profile {
    pub fn new(mode: CounterMode) -> Self {
        Profile {
            mode,
            packages: BTreeMap::new(),
        }
    }

    pub fn mode(&self) -> CounterMode {
        self.mode
    }

    /// Packages by import path, sorted.
    pub fn packages(&self) -> &BTreeMap<String, PackageCoverage> {
        &self.packages
    }

    /// Make sure `import_path` is listed even if no unit of it is ever added (Go's formatter
    /// lists a package it was told about, e.g. one with no functions).
    pub fn ensure_package(&mut self, import_path: &str) -> &mut PackageCoverage {
        if !self.packages.contains_key(import_path) {
            self.packages
                .insert(import_path.to_owned(), PackageCoverage::default());
        }
        self.packages.get_mut(import_path).expect("inserted above")
    }

    /// Record every `(unit, count)` of one function: [`Profile::add_unit`] with the package and
    /// function looked up once.
    pub fn add_function_units(
        &mut self,
        import_path: &str,
        function: &Function,
        units: impl IntoIterator<Item = (Unit, u32)>,
    ) {
        let mode = self.mode;
        let pkg = self.ensure_package(import_path);
        let idx = match pkg.function_index.get(function) {
            Some(&i) => i,
            None => {
                let i = pkg.functions.len() as u32;
                pkg.functions.push(function.clone());
                pkg.function_index.insert(function.clone(), i);
                i
            }
        };
        for (unit, count) in units {
            let slot = pkg.counters.entry((idx, unit)).or_insert(0);
            *slot = mode.combine(*slot, count);
        }
    }

    /// Record `count` for `unit` of `function` in package `import_path`, combining with what is
    /// already there by the profile's counter mode.
    pub fn add_unit(&mut self, import_path: &str, function: &Function, unit: Unit, count: u32) {
        let mode = self.mode;
        let pkg = match self.packages.get_mut(import_path) {
            Some(p) => p,
            None => self.packages.entry(import_path.to_owned()).or_default(),
        };
        let idx = match pkg.function_index.get(function) {
            Some(&i) => i,
            None => {
                let i = pkg.functions.len() as u32;
                pkg.functions.push(function.clone());
                pkg.function_index.insert(function.clone(), i);
                i
            }
        };
        let slot = pkg.counters.entry((idx, unit)).or_insert(0);
        *slot = mode.combine(*slot, count);
    }
}
