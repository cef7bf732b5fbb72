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

#![forbid(unsafe_code)]

pub mod gofmt;
pub mod pattern;
pub mod text;

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

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

    /// The rule for combining two counter values of one unit, which every merge in the
    /// workspace goes through (reading, `merge`, `-pcombine`, `subtract`, `intersect`, text
    /// profiles): set mode ORs (to 1), count and atomic add, saturating at `u32::MAX`.
    /// Combines `value` into `*dst`; returns whether the sum saturated (Go warns then).
    #[inline(always)]
    pub fn combine_into(self, dst: &mut u32, value: u32) -> bool {
        match self {
            CounterMode::Set => {
                *dst = u32::from(*dst != 0 || value != 0);
                false
            }
            CounterMode::Count | CounterMode::Atomic => {
                let (sum, saturated) = dst.overflowing_add(value);
                *dst = if saturated { u32::MAX } else { sum };
                saturated
            }
        }
    }

    /// [`CounterMode::combine_into`] as a value.
    #[inline]
    pub fn combine(self, mut a: u32, b: u32) -> u32 {
        self.combine_into(&mut a, b);
        a
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

/// A borrowed [`Function`], to look one up without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FunctionRef<'a> {
    pub file: &'a str,
    pub name: &'a str,
    pub literal: bool,
}

impl FunctionRef<'_> {
    pub fn to_function(self) -> Function {
        Function {
            file: self.file.to_owned(),
            name: self.name.to_owned(),
            literal: self.literal,
        }
    }
}

/// Lets a `HashMap<Function, _>` be searched with a [`FunctionRef`]: both hash their fields in
/// the same order, as the derived `Hash` of each does.
trait FunctionKey {
    fn key(&self) -> FunctionRef<'_>;
}

impl FunctionKey for Function {
    fn key(&self) -> FunctionRef<'_> {
        FunctionRef {
            file: &self.file,
            name: &self.name,
            literal: self.literal,
        }
    }
}

impl FunctionKey for FunctionRef<'_> {
    fn key(&self) -> FunctionRef<'_> {
        *self
    }
}

impl<'a> Borrow<dyn FunctionKey + 'a> for Function {
    fn borrow(&self) -> &(dyn FunctionKey + 'a) {
        self
    }
}

impl Hash for dyn FunctionKey + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialEq for dyn FunctionKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for dyn FunctionKey + '_ {}

/// One package's functions and merged unit counters.
#[derive(Debug, Clone, Default)]
pub struct PackageCoverage {
    functions: Vec<Function>,
    /// Index of each function in `functions`; empty while the units are [`Units::Sorted`]
    /// (nothing is looked up then), built when they become a map.
    function_index: HashMap<Function, u32, FastHash>,
    units: Units,
}

/// A package's units, in one of two shapes: a map to merge into, or (how packages read from
/// binary coverage data arrive) a vector already in output order. A sorted package turns
/// into a map the first time something is merged into it.
#[derive(Debug, Clone)]
enum Units {
    Map(HashMap<(u32, Unit), u32, FastHash>),
    /// Unique by (function, unit), sorted by [`PackageCoverage::sorted_units`]' order.
    Sorted(Vec<(u32, Unit, u32)>),
}

impl Default for Units {
    fn default() -> Self {
        Units::Map(HashMap::default())
    }
}

impl PackageCoverage {
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// Every unit with its function index and merged counter value, in no particular order.
    pub fn units(&self) -> Box<dyn Iterator<Item = (u32, &Unit, u32)> + '_> {
        match &self.units {
            Units::Map(m) => Box::new(m.iter().map(|(&(f, ref u), &c)| (f, u, c))),
            Units::Sorted(v) => Box::new(v.iter().map(|(f, u, c)| (*f, u, *c))),
        }
    }

    /// Units sorted as Go's formatter sorts them: file, start line, end line, start column,
    /// end column, statement count.
    pub fn sorted_units(&self) -> Vec<(u32, Unit, u32)> {
        self.sorted_units_cow().into_owned()
    }

    /// [`PackageCoverage::sorted_units`], borrowed when the package is already in that order.
    pub fn sorted_units_cow(&self) -> std::borrow::Cow<'_, [(u32, Unit, u32)]> {
        match &self.units {
            Units::Sorted(v) => std::borrow::Cow::Borrowed(v),
            Units::Map(m) => {
                let mut v: Vec<(u32, Unit, u32)> =
                    m.iter().map(|(&(f, u), &c)| (f, u, c)).collect();
                sort_units(&self.functions, &mut v, false);
                std::borrow::Cow::Owned(v)
            }
        }
    }

    /// The units when they are already kept in output order (no sort needed to read them).
    pub(crate) fn units_in_order(&self) -> Option<&[(u32, Unit, u32)]> {
        match &self.units {
            Units::Sorted(v) => Some(v),
            Units::Map(_) => None,
        }
    }

    /// The number of units.
    pub fn num_units(&self) -> usize {
        match &self.units {
            Units::Map(m) => m.len(),
            Units::Sorted(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.units {
            Units::Map(m) => m.is_empty(),
            Units::Sorted(v) => v.is_empty(),
        }
    }

    /// An empty package with room for `functions` functions and `units` units.
    pub fn with_capacity(functions: usize, units: usize) -> Self {
        PackageCoverage {
            functions: Vec::with_capacity(functions),
            function_index: HashMap::with_capacity_and_hasher(functions, FastHash::default()),
            units: Units::Map(HashMap::with_capacity_and_hasher(
                units,
                FastHash::default(),
            )),
        }
    }

    /// A package made of `functions` and `units` (function index, unit, count), in the order
    /// met: the same as calling [`PackageCoverage::add_function_units`] for each function in
    /// turn, with one sort instead of a hash insertion per unit. Functions may repeat (their
    /// units are then combined); a unit naming no function is dropped.
    pub fn from_parts(
        mode: CounterMode,
        functions: &[FunctionRef<'_>],
        mut units: Vec<(u32, Unit, u32)>,
    ) -> Self {
        // Functions equal by (file, name, literal) are one function: map each to its first.
        let mut first: HashMap<FunctionRef<'_>, u32, FastHash> =
            HashMap::with_capacity_and_hasher(functions.len(), FastHash::default());
        let mut slot = Vec::with_capacity(functions.len());
        let mut kept = Vec::with_capacity(functions.len());
        for f in functions {
            let next = kept.len() as u32;
            let i = *first.entry(*f).or_insert(next);
            if i == next {
                kept.push(f.to_function());
            }
            slot.push(i);
        }
        if kept.len() != functions.len() || units.iter().any(|u| u.0 as usize >= slot.len()) {
            units.retain(|u| (u.0 as usize) < slot.len());
            for u in &mut units {
                u.0 = slot[u.0 as usize];
            }
        }
        if mode == CounterMode::Set {
            // As if each count were combined into the map's initial zero.
            for u in &mut units {
                u.2 = mode.combine(0, u.2);
            }
        }
        sort_units(&kept, &mut units, true);
        // Equal (function, unit) pairs are now adjacent: combine them as the map would.
        units.dedup_by(|later, kept| {
            if later.0 == kept.0 && later.1 == kept.1 {
                kept.2 = mode.combine(kept.2, later.2);
                true
            } else {
                false
            }
        });
        PackageCoverage {
            functions: kept,
            function_index: HashMap::default(),
            units: Units::Sorted(units),
        }
    }

    /// The index of `function`, added if new (the package becomes mergeable).
    fn function_slot(&mut self, function: FunctionRef<'_>) -> u32 {
        self.unit_map();
        match self.function_index.get(&function as &dyn FunctionKey) {
            Some(&i) => i,
            None => {
                let i = self.functions.len() as u32;
                self.functions.push(function.to_function());
                self.function_index.insert(function.to_function(), i);
                i
            }
        }
    }

    /// The units as a map, to merge into (and the function index, to look functions up).
    fn unit_map(&mut self) -> &mut HashMap<(u32, Unit), u32, FastHash> {
        if let Units::Sorted(v) = &mut self.units {
            let mut m = HashMap::with_capacity_and_hasher(v.len(), FastHash::default());
            m.extend(v.drain(..).map(|(f, u, c)| ((f, u), c)));
            self.units = Units::Map(m);
            self.function_index = self
                .functions
                .iter()
                .enumerate()
                .map(|(i, f)| (f.clone(), i as u32))
                .collect();
        }
        match &mut self.units {
            Units::Map(m) => m,
            Units::Sorted(_) => unreachable!("converted above"),
        }
    }

    /// Add everything `other` holds, combining counts by `mode` (the mode of the profile this
    /// package belongs to): the same as adding `other`'s functions and units one by one.
    pub fn absorb(&mut self, mode: CounterMode, other: PackageCoverage) {
        if self.is_empty() && self.functions.is_empty() {
            *self = other;
            return;
        }
        self.unit_map();
        let map: Vec<u32> = other
            .functions
            .into_iter()
            .map(|f| match self.function_index.get(&f) {
                Some(&i) => i,
                None => {
                    let i = self.functions.len() as u32;
                    self.function_index.insert(f.clone(), i);
                    self.functions.push(f);
                    i
                }
            })
            .collect();
        let counters = self.unit_map();
        counters.reserve(match &other.units {
            Units::Map(m) => m.len(),
            Units::Sorted(v) => v.len(),
        });
        let mut add = |f: u32, unit: Unit, count: u32| {
            let slot = counters.entry((map[f as usize], unit)).or_insert(0);
            *slot = mode.combine(*slot, count);
        };
        match other.units {
            Units::Map(m) => {
                for ((f, unit), count) in m {
                    add(f, unit, count);
                }
            }
            Units::Sorted(v) => {
                for (f, unit, count) in v {
                    add(f, unit, count);
                }
            }
        }
    }

    /// Record every `(unit, count)` of one function, combining counts by `mode` (which must be
    /// the mode of the profile this package belongs to).
    pub fn add_function_units(
        &mut self,
        mode: CounterMode,
        function: FunctionRef<'_>,
        units: impl IntoIterator<Item = (Unit, u32)>,
    ) {
        let idx = self.function_slot(function);
        let counters = self.unit_map();
        for (unit, count) in units {
            let slot = counters.entry((idx, unit)).or_insert(0);
            *slot = mode.combine(*slot, count);
        }
    }
}

/// Sort units in Go's formatter order (file, start line, end line, start column, end column,
/// statement count), then by function so that equal keys of one function are adjacent.
fn sort_units(functions: &[Function], units: &mut [(u32, Unit, u32)], presort_runs: bool) {
    // Rank the files once so that the sort compares integers, not strings. Neighbouring
    // functions mostly share a file: sort and search only the distinct runs of names.
    let mut files: Vec<&str> = Vec::new();
    for f in functions {
        if files.last() != Some(&f.file.as_str()) {
            files.push(&f.file);
        }
    }
    files.sort_unstable();
    files.dedup();
    let mut rank = Vec::with_capacity(functions.len());
    let mut last: Option<(&str, u32)> = None;
    for f in functions {
        let r = match last {
            Some((file, r)) if file == f.file => r,
            _ => files.binary_search(&f.file.as_str()).unwrap_or(0) as u32,
        };
        last = Some((&f.file, r));
        rank.push(r);
    }
    // The function breaks ties: two functions can hold a block of one position (a renamed
    // function, damaged meta-data), and the order would otherwise depend on the input's.
    let key = |&(f, u, _): &(u32, Unit, u32)| {
        (
            rank[f as usize],
            u.start_line,
            u.end_line,
            u.start_col,
            u.end_col,
            u.num_stmts,
            f,
        )
    };
    if presort_runs {
        // Units arrive function by function and functions mostly in source order: sort each
        // function's run (a few units), and the whole only if the runs are then out of order.
        for run in units.chunk_by_mut(|a, b| a.0 == b.0) {
            run.sort_unstable_by_key(key);
        }
        if units.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            return;
        }
    }
    units.sort_unstable_by_key(key);
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
        self.ensure_package(import_path)
            .add_function_units(mode, function.key(), units);
    }

    /// Remove a package to fill it without a lookup per function; give it back with
    /// [`Profile::put_package`].
    pub fn take_package(&mut self, import_path: &str) -> PackageCoverage {
        self.packages.remove(import_path).unwrap_or_default()
    }

    pub fn put_package(&mut self, import_path: String, package: PackageCoverage) {
        self.packages.insert(import_path, package);
    }

    /// Merge a package's coverage built elsewhere (e.g. on another thread) into this profile.
    pub fn absorb_package(&mut self, import_path: String, package: PackageCoverage) {
        let mode = self.mode;
        match self.packages.get_mut(&import_path) {
            Some(existing) => existing.absorb(mode, package),
            None => {
                self.packages.insert(import_path, package);
            }
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
        pkg.add_function_units(mode, function.key(), [(unit, count)]);
    }

    /// A copy holding only the packages `filter` selects (`-pkg`).
    pub fn filtered(&self, filter: &pattern::PackageFilter) -> Profile {
        let mut out = Profile::new(self.mode);
        for (path, pkg) in self.packages.iter().filter(|(p, _)| filter.matches(p)) {
            out.packages.insert(path.clone(), pkg.clone());
        }
        out
    }
}

/// A fast hasher for the model's integer-heavy keys (FxHash's mixing step), keyed per process
/// so that crafted input cannot aim for collisions.
#[derive(Clone, Copy)]
pub struct FastHash {
    seed: u64,
}

impl Default for FastHash {
    fn default() -> Self {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let seed =
            *SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u64));
        FastHash { seed }
    }
}

impl BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher { hash: self.seed }
    }
}

pub struct FastHasher {
    hash: u64,
}

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // Spread the high bits down: hashbrown takes its control byte from the top.
        self.hash ^ (self.hash >> 29)
    }
}
