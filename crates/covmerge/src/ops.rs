//! The directory-to-directory operations of `go tool covdata`: `merge` (with `-pcombine`),
//! `subtract` and `intersect`. They read GOCOVERDIR-style directories and write a directory that
//! Go's own tools (and ours) read back.
//!
//! # What is written
//!
//! Inputs are grouped into pods (one program: one meta-data file and its counter files), in
//! Go's order. For each pod, unless `-pcombine` is given:
//! - the meta-data file, copied unchanged, or, when packages are selected (`-pkg`,
//!   `-modpaths`), rewritten with only the selected packages and named by the hash `covdata
//!   merge` computes ([`covdata::encode::meta_file_hash`]);
//! - one counter file `covcounters.<hash>.0.<nanotime>` (pid 0, as Go's merge writes it) with the
//!   pod's counters combined, functions ordered by package then function index, ULEB128 values,
//!   and (for merge; subtract and intersect write none, as Go's) an args table that keeps
//!   `argc`/`argv*`, `GOOS` and `GOARCH` only where every input counter file agreed.
//!
//! With `-pcombine` all pods fold into one meta-data file and one counter file: packages are
//! keyed by import path (first seen first), functions by their full description (name, file,
//! units, literal flag), so the same function built into several programs is counted once.
//!
//! # Counter modes
//!
//! Counters combine by the counter mode: `set` ORs (to 1), `count`/`atomic` add, saturating at
//! `u32::MAX` (with a warning, as Go). A merge across programs built with different modes
//! (`-pcombine`) is relaxed as Go's: the mode only ever rises (set < count < atomic) and each
//! program's counters combine by the mode in force when that program is reached, so Go's
//! results are reproduced exactly. Programs with different granularities do not combine.
//!
//! # Subtract and intersect
//!
//! Go's tool reaches an internal panic ("decreasing dir index") as soon as its inputs hold more
//! than one program, and its intersection compares every counter file separately. Here both
//! work per program, for any number of programs and counter files:
//! - each input's counter files for a program are first combined (so an input *covers* a unit
//!   when any of its runs did);
//! - **subtract** `-i=A,B,C…`: a unit keeps A's counter if no later input covers it; otherwise
//!   its counter becomes 0. Functions A has no data for are left out. (Go accepts exactly two
//!   inputs; this accepts two or more.)
//! - **intersect** `-i=A,B,…`: a function is kept only when every input has data for it, and a
//!   unit keeps A's counter only when every input covers it.
//! - Identity is per program (its meta-data hash) and, inside it, package and function index,
//!   which is what a counter file records.
//!
//! Where Go's tool works (one program, one counter file per program in each input after the
//! first, every program present in every input) the results are the same as Go's. Go leaves a
//! program's counters untouched by intersect when no later input has data for it; here, "no
//! data" means "not covered", so such a program keeps no counters.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use camino::{Utf8Path, Utf8PathBuf};
use covdata::encode::{
    counter_file_name, meta_file_hash, meta_file_name, write_meta_file, CounterFileWriter,
    EncodeError, HashAlgo, PackageBuilder,
};
use covdata::pods::Pod;
use covdata::{
    CounterFile, CounterFlavor, CounterGranularity, CounterMode, CoverableUnit, FileBytes,
    FuncDesc, MetaFile, MetaHash, PackageMeta, Segment,
};

use crate::table::{merge_records, merge_runs, CounterTable, Merge, Run};
use crate::{PackageFilter, Warning};

/// Which operation to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Combine the counters of every input; `pcombine` folds all programs into one pod.
    Merge { pcombine: bool },
    /// Keep what the first input covers and no other input does.
    Subtract,
    /// Keep what every input covers.
    Intersect,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Merge { .. } => "merge",
            Operation::Subtract => "subtract",
            Operation::Intersect => "intersect",
        }
    }
}

/// Which packages to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `-pkg` patterns.
    pub packages: Option<PackageFilter>,
    /// `-modpaths`: module paths; a package is kept when its module is one of them.
    pub modules: Option<Vec<String>>,
}

impl Selection {
    /// Every package.
    pub fn all() -> Self {
        Selection::default()
    }

    /// From the flag values: `-pkg` (Go's patterns) and `-modpaths` (comma-separated).
    pub fn from_flags(pkg: Option<&str>, modpaths: Option<&str>) -> Self {
        Selection {
            packages: pkg.and_then(PackageFilter::new),
            modules: modpaths.filter(|m| !m.is_empty()).map(|m| {
                m.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
        }
    }

    /// Whether every package is kept (meta-data files can then be copied as they are).
    pub fn is_all(&self) -> bool {
        self.packages.is_none() && self.modules.is_none()
    }

    fn keeps(&self, pkg: &PackageMeta<'_>) -> bool {
        self.packages
            .as_ref()
            .map_or(true, |f| f.matches(pkg.path()))
            && self
                .modules
                .as_ref()
                .map_or(true, |m| m.iter().any(|m| m == pkg.module_path()))
    }
}

/// Options of [`run`].
#[derive(Debug, Clone)]
pub struct Options {
    pub operation: Operation,
    pub selection: Selection,
    /// Hash for the meta-data files this writes (Go 1.24+ uses FNV-1a/128, older Go MD5).
    pub hash: HashAlgo,
    /// Leave bad input files out (each with a [`Warning::Skipped`]) instead of failing.
    pub skip_bad: bool,
}

impl Options {
    pub fn new(operation: Operation) -> Self {
        Options {
            operation,
            selection: Selection::all(),
            hash: HashAlgo::default(),
            skip_bad: false,
        }
    }
}

/// What [`run`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files written, in order.
    pub written: Vec<Utf8PathBuf>,
    /// Things Go would warn about on stderr (no input files, counter overflow).
    pub warnings: Vec<Warning>,
}

/// Why an operation failed. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// Reading or decoding an input.
    #[error(transparent)]
    Input(#[from] covdata::Error),
    #[error("{path}: {source}")]
    Write {
        path: Utf8PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Encode {
        path: Utf8PathBuf,
        source: EncodeError,
    },
    /// The same function has counter arrays of different lengths in two places.
    #[error(
        "{path}: package {pkg} function {func} has {found} counters, \
         {expected} elsewhere for the same program"
    )]
    CounterLength {
        path: Utf8PathBuf,
        pkg: u32,
        func: u32,
        expected: usize,
        found: usize,
    },
    #[error(
        "{path}: counter granularity clash: previous meta-data file had {previous}, this one \
         has {found}"
    )]
    GranularityClash {
        path: Utf8PathBuf,
        previous: CounterGranularity,
        found: CounterGranularity,
    },
    #[error("{operation} needs at least {needed} input directories, got {got}")]
    TooFewInputs {
        operation: &'static str,
        needed: usize,
        got: usize,
    },
}

/// Run `options.operation` over the directories `inputs`, writing into `output` (created if
/// missing).
pub fn run<P: AsRef<Utf8Path>>(
    inputs: &[P],
    output: &Utf8Path,
    options: &Options,
) -> Result<Outcome, OpError> {
    let needed = match options.operation {
        Operation::Subtract => 2,
        _ => 1,
    };
    if inputs.len() < needed {
        return Err(OpError::TooFewInputs {
            operation: options.operation.name(),
            needed,
            got: inputs.len(),
        });
    }
    let mut pods = covdata::collect_pods(inputs)?;
    let mut out = OutDir::create(output)?;
    let mut warnings = Warnings::default();
    if pods.is_empty() {
        warnings.push(Warning::NoData);
    }
    crate::screen::warn_left_out(inputs, &mut |w| warnings.push(w))?;
    if options.skip_bad {
        let rules = crate::screen::Rules {
            modes: match options.operation {
                Operation::Merge { pcombine: true } => crate::screen::Modes::SameGranularity,
                _ => crate::screen::Modes::Any,
            },
            units: None,
            strays: true,
        };
        pods = crate::screen::screen(pods, inputs, &rules, &mut |w| warnings.push(w))?;
    }
    match options.operation {
        Operation::Merge { pcombine: true } => {
            let mut combined = Combined::new(options.hash);
            for pod in &pods {
                combined.add_pod(pod, &options.selection, &mut warnings)?;
            }
            // Go writes a header with an invalid mode when there is nothing at all; there is
            // nothing useful to write.
            if !pods.is_empty() {
                combined.emit(&mut out)?;
            }
        }
        op => {
            for pod in &pods {
                process_pod(pod, op, inputs.len(), options, &mut out, &mut warnings)?;
            }
        }
    }
    Ok(Outcome {
        written: out.written,
        warnings: warnings.0,
    })
}

/// Counters of one pod, by (package index, function index) in the pod's meta-data file.
type Counts = BTreeMap<(u32, u32), Vec<u32>>;

#[derive(Debug, Default)]
struct Warnings(Vec<Warning>);

impl Warnings {
    fn push(&mut self, w: Warning) {
        if !self.0.contains(&w) {
            self.0.push(w);
        }
    }
}

/// Combine `src` into `dst` by `mode`; true on saturation.
fn combine(mode: CounterMode, dst: &mut [u32], src: impl IntoIterator<Item = u32>) -> bool {
    let mut overflow = false;
    for (d, s) in dst.iter_mut().zip(src) {
        match mode {
            CounterMode::Set => {
                if s != 0 {
                    *d = 1;
                }
            }
            CounterMode::Count | CounterMode::Atomic => {
                let (sum, o) = d.overflowing_add(s);
                *d = if o { u32::MAX } else { sum };
                overflow |= o;
            }
        }
    }
    overflow
}

/// Add one function's counters to `counts`, refusing arrays whose length differs from what is
/// already there (the same program cannot have two shapes of one function).
fn accumulate(
    counts: &mut Counts,
    key: (u32, u32),
    values: impl ExactSizeIterator<Item = u32>,
    mode: CounterMode,
    path: &Utf8Path,
    warnings: &mut Warnings,
) -> Result<(), OpError> {
    let len = values.len();
    let slot = counts.entry(key).or_insert_with(|| vec![0; len]);
    if slot.len() != len {
        return Err(OpError::CounterLength {
            path: path.to_owned(),
            pkg: key.0,
            func: key.1,
            expected: slot.len(),
            found: len,
        });
    }
    if combine(mode, slot, values) {
        warnings.push(Warning::Overflow {
            file: path.to_owned(),
        });
    }
    Ok(())
}

/// The args table of merged counter files: each field survives only if every input agreed on
/// it (Go's `argstate`). Kept as bytes: os.Args need not be UTF-8.
#[derive(Debug, Default)]
struct ArgState {
    seen: bool,
    os_args: Option<Vec<Vec<u8>>>,
    goos: Vec<u8>,
    goarch: Vec<u8>,
}

impl ArgState {
    fn merge(&mut self, seg: &Segment<'_>) {
        // The decoder has checked argc (its os_args has that many entries).
        let os_args: Vec<Vec<u8>> = (0..seg.os_args().len())
            .map(|i| {
                seg.raw_arg(format!("argv{i}").as_bytes())
                    .unwrap_or_default()
                    .to_vec()
            })
            .collect();
        let goos = seg.raw_arg(b"GOOS").unwrap_or_default();
        let goarch = seg.raw_arg(b"GOARCH").unwrap_or_default();
        if !self.seen {
            self.seen = true;
            self.os_args = Some(os_args);
            self.goos = goos.to_vec();
            self.goarch = goarch.to_vec();
            return;
        }
        // Go compares with slices.Equal, for which a cleared (nil) list equals an empty one.
        let have = self.os_args.as_deref().unwrap_or(&[]);
        if have != os_args.as_slice() {
            self.os_args = None;
        }
        if self.goos != goos {
            self.goos.clear();
        }
        if self.goarch != goarch {
            self.goarch.clear();
        }
    }

    /// Take in the state of the files that follow (merged on their own): the same as
    /// merging those files here one by one.
    fn append(&mut self, later: ArgState) {
        if !later.seen {
            return;
        }
        if !self.seen {
            *self = later;
            return;
        }
        // A list survives only if both sides kept the same one (a cleared list stays cleared:
        // every later list either equals the empty one it then reads as, or clears it again).
        if self.os_args != later.os_args {
            self.os_args = None;
        }
        if self.goos != later.goos {
            self.goos.clear();
        }
        if self.goarch != later.goarch {
            self.goarch.clear();
        }
    }

    fn summary(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut args = Vec::new();
        if let Some(os_args) = self.os_args.as_ref().filter(|a| !a.is_empty()) {
            args.push((b"argc".to_vec(), os_args.len().to_string().into_bytes()));
            for (i, a) in os_args.iter().enumerate() {
                args.push((format!("argv{i}").into_bytes(), a.clone()));
            }
        }
        if !self.goos.is_empty() {
            args.push((b"GOOS".to_vec(), self.goos.clone()));
        }
        if !self.goarch.is_empty() {
            args.push((b"GOARCH".to_vec(), self.goarch.clone()));
        }
        args
    }
}

/// Read every counter file of `pod`, combining counters by `mode`. With `per_input: Some(n)`
/// the counters are kept apart per input directory (n maps, by origin); with `None` one map
/// holds all and the args are merged into `args`.
fn read_counters(
    pod: &Pod,
    meta_hash: MetaHash,
    mode: CounterMode,
    per_input: Option<usize>,
    args: &mut ArgState,
    warnings: &mut Warnings,
) -> Result<Vec<Counts>, OpError> {
    let mut maps: Vec<Counts> = vec![Counts::new(); per_input.unwrap_or(1).max(1)];
    // One shape per function across all inputs, so a mismatch is blamed on the file that
    // brought it (with a single map, `accumulate` sees every shape already).
    let mut shapes: HashMap<(u32, u32), usize> = HashMap::new();
    let check_shapes = per_input.is_some();
    for cf in &pod.counter_files {
        let slot = match per_input {
            Some(_) => cf.origin.unwrap_or(0),
            None => 0,
        };
        if slot >= maps.len() {
            maps.resize_with(slot + 1, Counts::new);
        }
        let bytes = FileBytes::open(&cf.path)?;
        let file = CounterFile::parse(&bytes).map_err(|e| e.in_file(&cf.path))?;
        check_pairing(pod, meta_hash, &cf.path, &file)?;
        for (i, seg) in file.segments().enumerate() {
            let seg = seg.map_err(|e| e.in_file(&cf.path))?;
            // Go's subtract and intersect never look at the args: their output has none.
            if i == 0 && per_input.is_none() {
                args.merge(&seg);
            }
            for rec in seg.funcs() {
                let rec = rec.map_err(|e| e.in_file(&cf.path))?;
                let key = (rec.pkg_idx, rec.func_idx);
                let expected = match check_shapes {
                    true => *shapes.entry(key).or_insert(rec.counters.len()),
                    false => rec.counters.len(),
                };
                if expected != rec.counters.len() {
                    return Err(OpError::CounterLength {
                        path: cf.path.clone(),
                        pkg: key.0,
                        func: key.1,
                        expected,
                        found: rec.counters.len(),
                    });
                }
                accumulate(
                    &mut maps[slot],
                    (rec.pkg_idx, rec.func_idx),
                    rec.counters.iter(),
                    mode,
                    &cf.path,
                    warnings,
                )?;
            }
        }
    }
    Ok(maps)
}

/// A counter file records the hash of its program's meta-data, which Go's tools never compare
/// with the meta-data file the name pairs it with: a misfiled counter file, or a damaged hash,
/// would have counters applied to another program's functions. Here that is an error, blamed
/// on the file that disagrees with the file names.
pub(crate) fn check_pairing(
    pod: &Pod,
    meta_hash: MetaHash,
    path: &Utf8Path,
    file: &CounterFile<'_>,
) -> Result<(), covdata::Error> {
    let theirs = file.meta_hash();
    if theirs == meta_hash {
        return Ok(());
    }
    let problem = |what: String| covdata::Problem::Inconsistent(what);
    if theirs.to_string() == pod.tag {
        return Err(covdata::FormatError::new(
            24,
            "meta-data hash",
            problem(format!(
                "the header says {meta_hash}, the file name and the counter file {path} say {theirs}"
            )),
        )
        .in_file(&pod.meta_file));
    }
    Err(covdata::FormatError::new(
        8,
        "meta-data hash",
        problem(format!(
            "counters of the program with meta-data hash {theirs}, but the file name pairs them \
             with {} (hash {meta_hash})",
            pod.meta_file
        )),
    )
    .in_file(path))
}

fn check_same_length(pod: &Pod, key: (u32, u32), a: &[u32], b: &[u32]) -> Result<(), OpError> {
    if a.len() == b.len() {
        return Ok(());
    }
    Err(OpError::CounterLength {
        path: pod.meta_file.clone(),
        pkg: key.0,
        func: key.1,
        expected: a.len(),
        found: b.len(),
    })
}

/// Subtract or intersect the per-input counters of one pod (the first map is the first input).
fn set_operation(pod: &Pod, op: Operation, mut maps: Vec<Counts>) -> Result<Counts, OpError> {
    let mut rest = maps.split_off(1);
    let mut result = maps.pop().unwrap_or_default();
    match op {
        Operation::Subtract => {
            for (key, values) in result.iter_mut() {
                for other in rest.iter().filter_map(|m| m.get(key)) {
                    check_same_length(pod, *key, values, other)?;
                    for (v, o) in values.iter_mut().zip(other) {
                        if *o != 0 {
                            *v = 0;
                        }
                    }
                }
            }
        }
        Operation::Intersect => {
            let mut kept = Counts::new();
            'funcs: for (key, mut values) in std::mem::take(&mut result) {
                for other in rest.iter_mut() {
                    let Some(other) = other.remove(&key) else {
                        continue 'funcs;
                    };
                    check_same_length(pod, key, &values, &other)?;
                    for (v, o) in values.iter_mut().zip(other) {
                        if o == 0 {
                            *v = 0;
                        }
                    }
                }
                kept.insert(key, values);
            }
            result = kept;
        }
        Operation::Merge { .. } => {}
    }
    Ok(result)
}

/// Merge (without `-pcombine`), subtract or intersect one pod into `out`.
fn process_pod(
    pod: &Pod,
    op: Operation,
    num_inputs: usize,
    options: &Options,
    out: &mut OutDir,
    warnings: &mut Warnings,
) -> Result<(), OpError> {
    let meta_bytes = FileBytes::open(&pod.meta_file)?;
    let meta = MetaFile::parse(&meta_bytes).map_err(|e| e.in_file(&pod.meta_file))?;
    let mode = meta.counter_mode();
    let mut args = ArgState::default();
    let counts = match op {
        Operation::Merge { .. } => {
            PodCounts::Merged(merge_pod(pod, &meta, mode, &mut args, warnings)?)
        }
        _ => {
            let maps = read_counters(
                pod,
                meta.hash(),
                mode,
                Some(num_inputs),
                &mut args,
                warnings,
            )?;
            PodCounts::Map(set_operation(pod, op, maps)?)
        }
    };

    // The packages kept, with their index in the input file.
    let mut kept: Vec<(u32, PackageMeta<'_>)> = Vec::new();
    for idx in 0..meta.num_packages() {
        let pkg = meta.package(idx).map_err(|e| e.in_file(&pod.meta_file))?;
        if options.selection.keeps(&pkg) {
            kept.push((idx, pkg));
        }
    }

    let hash = if options.selection.is_all() {
        // Named by the hash its counters are written under, which is the header's: a pair of
        // files renamed together reads back as one program.
        out.copy_meta(&pod.meta_file, &meta_file_name(meta.hash()))?;
        meta.hash()
    } else {
        let blobs: Vec<&[u8]> = kept.iter().map(|(_, p)| p.bytes()).collect();
        let hash = meta_file_hash(options.hash, &blobs);
        let name = meta_file_name(hash);
        let bytes = write_meta_file(&blobs, hash, mode, meta.granularity())
            .map_err(|source| out.encode_error(&name, source))?;
        out.write(&name, &bytes)?;
        hash
    };

    // Go only visits the functions the meta-data describes.
    let counts = &counts;
    let funcs = kept.iter().enumerate().flat_map(|(new_idx, (idx, pkg))| {
        (0..pkg.num_funcs())
            .filter_map(move |f| counts.get(*idx, f).map(|v| (new_idx as u32, f, v)))
    });
    out.write_counters(hash, args.summary(), funcs)
}

/// A pod's counters as `process_pod` writes them.
enum PodCounts {
    Merged(MergedCounts),
    Map(Counts),
}

impl PodCounts {
    fn get(&self, pkg: u32, func: u32) -> Option<&[u32]> {
        match self {
            PodCounts::Merged(m) => m.get(pkg, func),
            PodCounts::Map(m) => m.get(&(pkg, func)).map(Vec::as_slice),
        }
    }
}

/// The counters of one pod, merged: the functions its meta-data describes in a dense table;
/// records naming any other function are kept apart (Go keeps them too, and checks their
/// lengths agree, but writes only the functions the meta-data describes).
struct MergedCounts {
    table: CounterTable,
    strays: Counts,
}

impl MergedCounts {
    fn get(&self, pkg: u32, func: u32) -> Option<&[u32]> {
        self.table.get(pkg, func).map(|(values, _)| values)
    }
}

/// Merge every counter file of `pod` (whose meta-data is `meta`) by `mode` on all threads,
/// the args of each file's first run into `args`; the same counters, warnings and errors as
/// reading the files in order.
fn merge_pod(
    pod: &Pod,
    meta: &MetaFile<'_>,
    mode: CounterMode,
    args: &mut ArgState,
    warnings: &mut Warnings,
) -> Result<MergedCounts, OpError> {
    // A package whose header is damaged gets no slots: its records are kept as strays, and
    // the damage is reported when the package is read.
    let num_funcs: Vec<u32> = (0..meta.num_packages())
        .map(|i| meta.package(i).map_or(0, |p| p.num_funcs()))
        .collect();
    let (run, error) = merge_runs(pod.counter_files.len(), || MergeRun {
        pod,
        meta_hash: meta.hash(),
        mode,
        counts: MergedCounts {
            table: CounterTable::new(&num_funcs),
            strays: Counts::new(),
        },
        args: ArgState::default(),
        warnings: Vec::new(),
        saturated: false,
    });
    for w in run.warnings {
        warnings.push(w);
    }
    if let Some(e) = error {
        return Err(e);
    }
    args.append(run.args);
    Ok(run.counts)
}

/// A run of a pod's counter files merged for `merge`.
struct MergeRun<'p> {
    pod: &'p Pod,
    meta_hash: MetaHash,
    mode: CounterMode,
    counts: MergedCounts,
    args: ArgState,
    warnings: Vec<Warning>,
    saturated: bool,
}

impl Run for MergeRun<'_> {
    type Error = OpError;

    fn add(&mut self, index: usize) -> Result<(), OpError> {
        let path = &self.pod.counter_files[index].path;
        let bytes = FileBytes::open(path)?;
        let file = CounterFile::parse(&bytes).map_err(|e| e.in_file(path))?;
        check_pairing(self.pod, self.meta_hash, path, &file)?;
        let (mode, strays, args) = (self.mode, &mut self.counts.strays, &mut self.args);
        let mut stray_overflow = false;
        let overflow = merge_records(
            &file,
            path,
            index as u32,
            mode,
            &mut self.counts.table,
            |first| args.merge(first),
            |outcome, rec| {
                let found = rec.counters.len();
                match outcome {
                    Merge::Done { .. } => Ok(()),
                    Merge::CountClash { expected } => Err(OpError::CounterLength {
                        path: path.clone(),
                        pkg: rec.pkg_idx,
                        func: rec.func_idx,
                        expected,
                        found,
                    }),
                    Merge::Stray { .. } | Merge::Ignored => {
                        let key = (rec.pkg_idx, rec.func_idx);
                        let slot = strays.entry(key).or_insert_with(|| vec![0; found]);
                        if slot.len() != found {
                            return Err(OpError::CounterLength {
                                path: path.clone(),
                                pkg: key.0,
                                func: key.1,
                                expected: slot.len(),
                                found,
                            });
                        }
                        stray_overflow |= combine(mode, slot, rec.counters.iter());
                        Ok(())
                    }
                }
            },
        )?;
        if overflow || stray_overflow {
            self.warnings.push(Warning::Overflow { file: path.clone() });
            self.saturated = true;
        }
        Ok(())
    }

    fn order_sensitive(&self) -> bool {
        self.saturated
    }

    fn append(&mut self, later: Self) -> bool {
        self.warnings.extend(later.warnings);
        self.args.append(later.args);
        for (key, values) in later.counts.strays {
            match self.counts.strays.get_mut(&key) {
                None => {
                    self.counts.strays.insert(key, values);
                }
                Some(have) => {
                    if have.len() != values.len() || combine(self.mode, have, values) {
                        return false;
                    }
                }
            }
        }
        self.counts.table.append(later.counts.table, self.mode)
    }
}

/// Owned identity of a function for `-pcombine`: everything Go hashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FuncKey {
    name: String,
    file: String,
    literal: bool,
    units: Vec<CoverableUnit>,
}

impl FuncKey {
    fn of(f: &FuncDesc<'_>) -> Self {
        FuncKey {
            name: f.name.to_owned(),
            file: f.file.to_owned(),
            literal: f.literal,
            units: f.units.clone(),
        }
    }
}

struct CombinedPackage {
    builder: PackageBuilder,
    funcs: HashMap<FuncKey, u32>,
    counters: BTreeMap<u32, Vec<u32>>,
}

/// State of a `-pcombine` merge: every pod folds into it.
struct Combined {
    hash: HashAlgo,
    mode: Option<CounterMode>,
    granularity: Option<CounterGranularity>,
    packages: Vec<CombinedPackage>,
    by_path: HashMap<String, usize>,
    args: ArgState,
}

impl Combined {
    fn new(hash: HashAlgo) -> Self {
        Combined {
            hash,
            mode: None,
            granularity: None,
            packages: Vec::new(),
            by_path: HashMap::new(),
            args: ArgState::default(),
        }
    }

    fn add_pod(
        &mut self,
        pod: &Pod,
        selection: &Selection,
        warnings: &mut Warnings,
    ) -> Result<(), OpError> {
        let meta_bytes = FileBytes::open(&pod.meta_file)?;
        let meta = MetaFile::parse(&meta_bytes).map_err(|e| e.in_file(&pod.meta_file))?;
        if let Some(previous) = self.granularity {
            if previous != meta.granularity() {
                return Err(OpError::GranularityClash {
                    path: pod.meta_file.clone(),
                    previous,
                    found: meta.granularity(),
                });
            }
        }
        self.granularity = Some(meta.granularity());
        // Relaxed mode merge: the mode only rises, and this pod's counters combine by it.
        let mode = self
            .mode
            .map_or(meta.counter_mode(), |m| m.max(meta.counter_mode()));
        self.mode = Some(mode);

        let counts = merge_pod(pod, &meta, mode, &mut self.args, warnings)?;

        let mut fd = FuncDesc::default();
        for idx in 0..meta.num_packages() {
            let pkg = meta.package(idx).map_err(|e| e.in_file(&pod.meta_file))?;
            if !selection.keeps(&pkg) {
                continue;
            }
            let slot = match self.by_path.get(pkg.path()) {
                Some(&slot) => slot,
                None => {
                    let builder =
                        PackageBuilder::new(self.hash, pkg.path(), pkg.name(), pkg.module_path())
                            .map_err(|source| OpError::Encode {
                            path: pod.meta_file.clone(),
                            source,
                        })?;
                    self.packages.push(CombinedPackage {
                        builder,
                        funcs: HashMap::new(),
                        counters: BTreeMap::new(),
                    });
                    self.by_path
                        .insert(pkg.path().to_owned(), self.packages.len() - 1);
                    self.packages.len() - 1
                }
            };
            let target = &mut self.packages[slot];
            for fidx in 0..pkg.num_funcs() {
                pkg.read_func(fidx, &mut fd)
                    .map_err(|e| e.in_file(&pod.meta_file))?;
                let key = FuncKey::of(&fd);
                let new_idx = match target.funcs.get(&key) {
                    Some(&i) => i,
                    None => {
                        let i = target.builder.add_func(&fd);
                        target.funcs.insert(key, i);
                        i
                    }
                };
                let Some(values) = counts.get(idx, fidx) else {
                    continue;
                };
                match target.counters.get_mut(&new_idx) {
                    None => {
                        target.counters.insert(new_idx, values.to_vec());
                    }
                    Some(have) => {
                        check_same_length(pod, (idx, fidx), have, values)?;
                        if combine(mode, have, values.iter().copied()) {
                            warnings.push(Warning::Overflow {
                                file: pod.meta_file.clone(),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn emit(self, out: &mut OutDir) -> Result<(), OpError> {
        let (Some(mode), Some(granularity)) = (self.mode, self.granularity) else {
            return Ok(());
        };
        let mut blobs = Vec::with_capacity(self.packages.len());
        let mut counters = Vec::with_capacity(self.packages.len());
        for p in self.packages {
            let blob = p.builder.finish().map_err(|source| OpError::Encode {
                path: out.dir.clone(),
                source,
            })?;
            blobs.push(blob);
            counters.push(p.counters);
        }
        let hash = meta_file_hash(self.hash, &blobs);
        let name = meta_file_name(hash);
        let bytes = write_meta_file(&blobs, hash, mode, granularity)
            .map_err(|source| out.encode_error(&name, source))?;
        out.write(&name, &bytes)?;
        let funcs = counters
            .iter()
            .enumerate()
            .flat_map(|(p, ctab)| ctab.iter().map(move |(f, v)| (p as u32, *f, v.as_slice())));
        out.write_counters(hash, self.args.summary(), funcs)
    }
}

/// The output directory: whole files written under a hidden temporary name, then renamed, so
/// no reader ever sees half a file under a name it would pick up.
struct OutDir {
    dir: Utf8PathBuf,
    last_nanos: u64,
    written: Vec<Utf8PathBuf>,
}

impl OutDir {
    fn create(dir: &Utf8Path) -> Result<Self, OpError> {
        std::fs::create_dir_all(dir).map_err(|source| OpError::Write {
            path: dir.to_owned(),
            source,
        })?;
        Ok(OutDir {
            dir: dir.to_owned(),
            last_nanos: 0,
            written: Vec::new(),
        })
    }

    fn encode_error(&self, name: &str, source: EncodeError) -> OpError {
        OpError::Encode {
            path: self.dir.join(name),
            source,
        }
    }

    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), OpError> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let err = |source| OpError::Write {
            path: path.clone(),
            source,
        };
        std::fs::write(&tmp, bytes).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        self.written.push(path);
        Ok(())
    }

    fn copy_meta(&mut self, from: &Utf8Path, name: &str) -> Result<(), OpError> {
        let path = self.dir.join(name);
        if same_file(from, &path) {
            self.written.push(path);
            return Ok(());
        }
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::copy(from, &tmp)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|source| OpError::Write {
                path: path.clone(),
                source,
            })?;
        self.written.push(path);
        Ok(())
    }

    /// Unix nanoseconds, strictly increasing within a run so that two pods with the same
    /// meta-data hash never share a counter file name.
    fn nanotime(&mut self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        self.last_nanos = now.max(self.last_nanos + 1);
        self.last_nanos
    }

    fn write_counters<'c>(
        &mut self,
        hash: MetaHash,
        args: Vec<(Vec<u8>, Vec<u8>)>,
        funcs: impl IntoIterator<Item = (u32, u32, &'c [u32])>,
    ) -> Result<(), OpError> {
        let nanos = self.nanotime();
        let name = counter_file_name(hash, 0, nanos);
        let mut w = CounterFileWriter::new(hash, CounterFlavor::Uleb128);
        w.append_segment(args, funcs)
            .map_err(|source| self.encode_error(&name, source))?;
        self.write(&name, &w.finish())
    }
}

fn same_file(a: &Utf8Path, b: &Utf8Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
