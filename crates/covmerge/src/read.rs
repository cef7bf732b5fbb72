//! Walking pods: meta-data, merged counters, and a visitor that sees each function once per pod.

use std::collections::HashSet;

use camino::{Utf8Path, Utf8PathBuf};
use covdata::pods::{collect_pods, meta_files_lists, PodCounterFile};
use covdata::{
    ByteCounters, CounterFile, CounterGranularity, CounterMode, FileBytes, FuncCounters, FuncDesc,
    MetaFile, MetaFileCollection, MetaHash, PackageMeta, Pod, Segment,
};
use profile::{FunctionRef, PackageCoverage, Profile, Unit};
use rayon::prelude::*;

use crate::error::{Error, Warning};
use crate::screen::{Modes, Rules};
use profile::pattern::{selected, PackageFilter};

/// What to do when programs were built with different counter modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModePolicy {
    /// A clash is an error (`textfmt`, `merge`).
    #[default]
    Strict,
    /// Allowed; counters within a pod merge by the widest mode seen so far, which only matters
    /// for whether a unit was executed (`percent`, `func`, `pkglist`).
    Relaxed,
    /// Each pod is read on its own terms (`debugdump`).
    PerPod,
}

/// How to read the input directories.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `-pkg`: packages to visit (`None`: all).
    pub packages: Option<PackageFilter>,
    pub mode_policy: ModePolicy,
    /// Also visit, after the pods, the meta-data files a `metafiles.txt` lists for packages no
    /// pod contained, with zero counters: what a `go test -coverpkg` binary does to report
    /// packages no test executed. `go tool covdata` does not do this.
    pub meta_files_lists: bool,
    /// Keep going past bad files: each is left out with a [`Warning::Skipped`] naming it and
    /// the reason, and the rest is read as if it had not been there. Off: the first bad file
    /// is an error.
    pub skip_bad: bool,
}

/// Hooks called while [`visit`] walks the pods, in this order for each pod: `begin_pod`,
/// `counter_file` for each counter file, then for each selected package `begin_package` and
/// `func` for each of its functions, then `end_pod`.
pub trait PodVisitor {
    /// The pod's meta-data file has been decoded and its mode accepted.
    fn begin_pod(&mut self, _pod: &Pod, _meta: &MetaFile<'_>) {}
    /// Whether [`PodVisitor::counter_file`] should be called. Visitors that do not need it let
    /// the counter files of a pod be read in parallel.
    fn wants_counter_files(&self) -> bool {
        true
    }
    /// A counter-data file has been opened (`first` is its first segment, whose args Go shows).
    fn counter_file(&mut self, _path: &Utf8Path, _file: &CounterFile<'_>, _first: &Segment<'_>) {}
    fn begin_package(&mut self, _pkg: &PackageMeta<'_>) {}
    /// A function and its counters merged over the pod's counter files (`None`: never
    /// executed). `counters` has at least as many values as `func.units`.
    fn func(
        &mut self,
        _pkg: &PackageMeta<'_>,
        _func_idx: u32,
        _func: &FuncDesc<'_>,
        _counters: Option<&[u32]>,
    ) {
    }
    fn end_pod(&mut self, _pod: &Pod) {}
}

/// Walk the pods of `dirs` (as `go tool covdata` reads `-i=dir1,dir2`), calling `visitor`.
/// Warnings go to `warn` as they happen; the first error stops the walk.
pub fn visit<P: AsRef<Utf8Path>>(
    dirs: &[P],
    opts: &ReadOptions,
    visitor: &mut dyn PodVisitor,
    warn: &mut dyn FnMut(Warning),
) -> Result<(), Error> {
    walk(dirs, opts, Sink::Visitor(visitor), warn).map(|_| ())
}

fn walk<'a, P: AsRef<Utf8Path>>(
    dirs: &[P],
    opts: &'a ReadOptions,
    sink: Sink<'a>,
    warn: &'a mut dyn FnMut(Warning),
) -> Result<Sink<'a>, Error> {
    let mut pods = collect_pods(dirs)?;
    if pods.is_empty() {
        warn(Warning::NoData);
    }
    crate::screen::warn_left_out(dirs, warn)?;
    if opts.skip_bad {
        let modes = match opts.mode_policy {
            ModePolicy::Strict => Modes::Same,
            ModePolicy::Relaxed => Modes::SameGranularity,
            ModePolicy::PerPod => Modes::Any,
        };
        let rules = Rules {
            modes,
            units: Some(opts.packages.as_ref()),
            strays: false,
        };
        pods = crate::screen::screen(pods, dirs, &rules, warn)?;
    }
    let mut walker = Walker {
        opts,
        sink,
        warn,
        mode: None,
        seen_packages: HashSet::new(),
    };
    for pod in &pods {
        walker.pod(pod)?;
    }
    if opts.meta_files_lists {
        for list in meta_files_lists(dirs) {
            let collection = MetaFileCollection::read(&list)?;
            for (import_path, meta_file) in collection.entries() {
                if walker.seen_packages.contains(import_path) {
                    continue;
                }
                let meta_file = Utf8PathBuf::from(meta_file);
                if !meta_file.is_file() {
                    (walker.warn)(Warning::MissingMetaFile {
                        list: list.clone(),
                        meta_file,
                    });
                    continue;
                }
                let pod = Pod {
                    meta_file,
                    tag: String::new(),
                    counter_files: Vec::new(),
                };
                walker.pod(&pod)?;
            }
        }
    }
    Ok(walker.sink)
}

/// Read `dirs` into one profile, merged as `go tool covdata textfmt` merges it. `None` when
/// there was no meta-data file at all (Go then prints nothing, not even a `mode:` line).
pub fn read_profile<P: AsRef<Utf8Path>>(
    dirs: &[P],
    opts: &ReadOptions,
    warn: &mut dyn FnMut(Warning),
) -> Result<Option<Profile>, Error> {
    match walk(dirs, opts, Sink::Profile(None), warn)? {
        Sink::Profile(p) => Ok(p),
        Sink::Visitor(_) => unreachable!("walk returns the sink it was given"),
    }
}

/// The visitor behind [`read_profile`]: Go's `cformat.Formatter` fed as `go tool covdata` feeds
/// it. The profile's mode is that of the first pod.
#[derive(Debug, Default)]
pub struct ProfileBuilder {
    profile: Option<Profile>,
    /// The package being filled, out of the profile until the next package starts.
    current: Option<(String, PackageCoverage)>,
}

impl ProfileBuilder {
    pub fn into_profile(mut self) -> Option<Profile> {
        self.put_back();
        self.profile
    }

    fn put_back(&mut self) {
        if let (Some(p), Some((path, pkg))) = (&mut self.profile, self.current.take()) {
            p.put_package(path, pkg);
        }
    }
}

fn profile_mode(mode: CounterMode) -> profile::CounterMode {
    match mode {
        CounterMode::Set => profile::CounterMode::Set,
        CounterMode::Count => profile::CounterMode::Count,
        CounterMode::Atomic => profile::CounterMode::Atomic,
    }
}

impl PodVisitor for ProfileBuilder {
    fn wants_counter_files(&self) -> bool {
        false
    }

    fn begin_pod(&mut self, _pod: &Pod, meta: &MetaFile<'_>) {
        self.profile
            .get_or_insert_with(|| Profile::new(profile_mode(meta.counter_mode())));
    }

    fn begin_package(&mut self, pkg: &PackageMeta<'_>) {
        self.put_back();
        if let Some(p) = &mut self.profile {
            self.current = Some((pkg.path().to_owned(), p.take_package(pkg.path())));
        }
    }

    fn func(
        &mut self,
        _pkg: &PackageMeta<'_>,
        _func_idx: u32,
        func: &FuncDesc<'_>,
        counters: Option<&[u32]>,
    ) {
        let (Some(p), Some((_, pkg))) = (&self.profile, &mut self.current) else {
            return;
        };
        let function = FunctionRef {
            file: func.file,
            name: func.name,
            literal: func.literal,
        };
        let units = func.units.iter().enumerate().map(|(i, u)| {
            let unit = Unit {
                start_line: u.start_line,
                start_col: u.start_col,
                end_line: u.end_line,
                end_col: u.end_col,
                num_stmts: u.num_stmts,
            };
            (unit, counters.map_or(0, |c| c[i]))
        });
        pkg.add_function_units(p.mode(), function, units);
    }

    fn end_pod(&mut self, _pod: &Pod) {
        self.put_back();
    }
}

/// Where the walk's results go.
enum Sink<'a> {
    Visitor(&'a mut dyn PodVisitor),
    /// Straight into a profile, each pod's packages built in parallel.
    Profile(Option<Profile>),
}

struct Walker<'a> {
    opts: &'a ReadOptions,
    sink: Sink<'a>,
    warn: &'a mut dyn FnMut(Warning),
    /// Mode and granularity in force, and the meta-data file that set them.
    mode: Option<(CounterMode, CounterGranularity, Utf8PathBuf)>,
    /// Import paths of every package of every pod read (for `metafiles.txt`).
    seen_packages: HashSet<String>,
}

impl Walker<'_> {
    /// Go's `cmerge.Merger.SetModeAndGranularity` under the chosen policy; returns the mode
    /// counters of this pod merge by.
    fn check_mode(&mut self, file: &Utf8Path, meta: &MetaFile<'_>) -> Result<CounterMode, Error> {
        let (mode, gran) = (meta.counter_mode(), meta.granularity());
        if self.opts.mode_policy == ModePolicy::PerPod {
            return Ok(mode);
        }
        let Some((prev_mode, prev_gran, prev_file)) = &mut self.mode else {
            self.mode = Some((mode, gran, file.to_owned()));
            return Ok(mode);
        };
        if *prev_gran != gran {
            return Err(Error::GranularityClash {
                file: file.to_owned(),
                previous: prev_file.clone(),
                previous_granularity: *prev_gran,
                granularity: gran,
            });
        }
        if *prev_mode != mode {
            if self.opts.mode_policy == ModePolicy::Strict {
                return Err(Error::ModeClash {
                    file: file.to_owned(),
                    previous: prev_file.clone(),
                    previous_mode: *prev_mode,
                    mode,
                });
            }
            if mode > *prev_mode {
                *prev_mode = mode;
                *prev_file = file.to_owned();
            }
        }
        Ok(*prev_mode)
    }

    fn pod(&mut self, pod: &Pod) -> Result<(), Error> {
        let meta_path = &pod.meta_file;
        let bytes = FileBytes::open(meta_path)?;
        let meta = MetaFile::parse(&bytes).map_err(|e| e.in_file(meta_path))?;
        let merge_mode = self.check_mode(meta_path, &meta)?;
        match &mut self.sink {
            Sink::Visitor(v) => v.begin_pod(pod, &meta),
            Sink::Profile(p) => {
                p.get_or_insert_with(|| Profile::new(profile_mode(meta.counter_mode())));
            }
        }

        let packages: Vec<PackageMeta<'_>> = meta
            .packages()
            .collect::<Result<_, _>>()
            .map_err(|e| e.in_file(meta_path))?;
        if self.opts.meta_files_lists {
            self.seen_packages
                .extend(packages.iter().map(|p| p.path().to_owned()));
        }
        let num_funcs: Vec<u32> = packages.iter().map(PackageMeta::num_funcs).collect();
        let sequential = match &self.sink {
            Sink::Visitor(v) => v.wants_counter_files(),
            Sink::Profile(_) => false,
        };
        let table = if sequential || pod.counter_files.len() < 2 {
            let mut table = CounterTable::new(&num_funcs);
            for (origin, cf) in pod.counter_files.iter().enumerate() {
                let sink = &mut self.sink;
                merge_counter_file(
                    cf,
                    (pod, meta.hash()),
                    origin as u32,
                    merge_mode,
                    &mut table,
                    &mut |path, file, first| {
                        if let Sink::Visitor(v) = sink {
                            v.counter_file(path, file, first);
                        }
                    },
                    &mut *self.warn,
                )?;
            }
            table
        } else {
            self.merge_in_parallel(pod, meta.hash(), &num_funcs, merge_mode)?
        };
        let selected: Vec<(u32, &PackageMeta<'_>)> = packages
            .iter()
            .enumerate()
            .filter(|(_, p)| selected(self.opts.packages.as_ref(), p.path()))
            .map(|(i, p)| (i as u32, p))
            .collect();
        let ctx = PodContext {
            meta_path,
            pod,
            table: &table,
        };
        match &mut self.sink {
            Sink::Visitor(visitor) => {
                let mut func = FuncDesc::default();
                for &(pkg_idx, pkg) in &selected {
                    visitor.begin_package(pkg);
                    for func_idx in 0..pkg.num_funcs() {
                        let counters = ctx.func(pkg_idx, pkg, func_idx, &mut func)?;
                        visitor.func(pkg, func_idx, &func, counters);
                    }
                }
                visitor.end_pod(pod);
            }
            Sink::Profile(profile) => {
                let Some(profile) = profile else {
                    return Ok(());
                };
                let mode = profile.mode();
                // Packages are independent: build each pod's packages in parallel, then fold
                // them into the profile in order.
                let built: Vec<Result<PackageCoverage, Error>> = selected
                    .par_iter()
                    .map(|&(pkg_idx, pkg)| ctx.package_coverage(mode, pkg_idx, pkg))
                    .collect();
                for (&(_, pkg), coverage) in selected.iter().zip(built) {
                    profile.absorb_package(pkg.path().to_owned(), coverage?);
                }
            }
        }
        Ok(())
    }

    /// Merge the counter files in one contiguous run per thread, then the runs in order. The
    /// first error in file order wins and warnings come out in file order, as if sequential.
    fn merge_in_parallel(
        &mut self,
        pod: &Pod,
        meta_hash: MetaHash,
        num_funcs: &[u32],
        mode: CounterMode,
    ) -> Result<CounterTable, Error> {
        let files = &pod.counter_files[..];
        let threads = rayon::current_num_threads().max(1);
        let chunk = files.len().div_ceil(threads);
        let runs: Vec<(CounterTable, Vec<Warning>, Option<Error>)> = files
            .par_chunks(chunk)
            .enumerate()
            .map(|(c, run)| {
                let mut table = CounterTable::new(num_funcs);
                let mut warnings = Vec::new();
                let mut error = None;
                for (k, cf) in run.iter().enumerate() {
                    let origin = (c * chunk + k) as u32;
                    if let Err(e) = merge_counter_file(
                        cf,
                        (pod, meta_hash),
                        origin,
                        mode,
                        &mut table,
                        &mut |_, _, _| {},
                        &mut |w| warnings.push(w),
                    ) {
                        error = Some(e);
                        break;
                    }
                }
                (table, warnings, error)
            })
            .collect();
        let mut merged: Option<CounterTable> = None;
        for (table, warnings, error) in runs {
            for w in warnings {
                (self.warn)(w);
            }
            if let Some(e) = error {
                return Err(e);
            }
            match &mut merged {
                None => merged = Some(table),
                Some(m) => {
                    if let Some(origin) = m.absorb(table, mode, files)? {
                        (self.warn)(Warning::Overflow {
                            file: files[origin as usize].path.clone(),
                        });
                    }
                }
            }
        }
        Ok(merged.unwrap_or_else(|| CounterTable::new(num_funcs)))
    }
}

/// What reading a pod's functions needs: the meta-data file's name, the pod, its counters.
struct PodContext<'p> {
    meta_path: &'p Utf8Path,
    pod: &'p Pod,
    table: &'p CounterTable,
}

impl PodContext<'_> {
    /// Decode function `func_idx` of a package into `func` and find its merged counters,
    /// checking there are enough of them.
    fn func<'m>(
        &self,
        pkg_idx: u32,
        pkg: &PackageMeta<'m>,
        func_idx: u32,
        func: &mut FuncDesc<'m>,
    ) -> Result<Option<&[u32]>, Error> {
        pkg.read_func(func_idx, func)
            .map_err(|e| e.in_file(self.meta_path))?;
        let counters = self.table.get(pkg_idx, func_idx);
        if let Some((values, origin)) = counters {
            if values.len() < func.units.len() {
                return Err(Error::TooFewCounters {
                    meta_file: self.meta_path.to_owned(),
                    counter_file: self.pod.counter_files[origin].path.clone(),
                    package: pkg.path().to_owned(),
                    function: func.name.to_owned(),
                    units: func.units.len(),
                    counters: values.len(),
                });
            }
        }
        Ok(counters.map(|(v, _)| v))
    }

    /// One package of the pod as the formatter would accumulate it on its own.
    fn package_coverage(
        &self,
        mode: profile::CounterMode,
        pkg_idx: u32,
        pkg: &PackageMeta<'_>,
    ) -> Result<PackageCoverage, Error> {
        let mut functions = Vec::with_capacity(pkg.num_funcs() as usize);
        let mut units = Vec::new();
        let mut func = FuncDesc::default();
        for func_idx in 0..pkg.num_funcs() {
            let counters = self.func(pkg_idx, pkg, func_idx, &mut func)?;
            units.extend(func.units.iter().enumerate().map(|(i, u)| {
                let unit = Unit {
                    start_line: u.start_line,
                    start_col: u.start_col,
                    end_line: u.end_line,
                    end_col: u.end_col,
                    num_stmts: u.num_stmts,
                };
                (func_idx, unit, counters.map_or(0, |c| c[i]))
            }));
            functions.push(FunctionRef {
                file: func.file,
                name: func.name,
                literal: func.literal,
            });
        }
        Ok(PackageCoverage::from_parts(mode, &functions, units))
    }
}

/// Read one counter file and merge its records into `table`. `opened` sees the file once its
/// header and first segment are decoded.
fn merge_counter_file(
    cf: &PodCounterFile,
    (pod, meta_hash): (&Pod, MetaHash),
    origin: u32,
    mode: CounterMode,
    table: &mut CounterTable,
    opened: &mut dyn FnMut(&Utf8Path, &CounterFile<'_>, &Segment<'_>),
    warn: &mut dyn FnMut(Warning),
) -> Result<(), Error> {
    let path = &cf.path;
    let bytes = FileBytes::open(path)?;
    let file = CounterFile::parse(&bytes).map_err(|e| e.in_file(path))?;
    crate::ops::check_pairing(pod, meta_hash, path, &file)?;
    let first = file.first_segment().map_err(|e| e.in_file(path))?;
    opened(path, &file, &first);
    let mut overflow = false;
    // Go's reader stops after the first segment; the runtime never writes more, and a file
    // that has more holds more runs, so all of them count here.
    for segment in file.segments() {
        let segment = segment.map_err(|e| e.in_file(path))?;
        let mut records = segment.funcs();
        loop {
            // Records of the common shape go straight into the table; any other (or one the
            // table has something to say about) comes through the checked path below.
            if mode == CounterMode::Set {
                records.scan_byte_records(|pkg_idx, func_idx, counters, offset| {
                    table.merge_bytes::<true>(
                        pkg_idx,
                        func_idx,
                        counters,
                        origin,
                        offset,
                        &mut overflow,
                    )
                });
            } else {
                records.scan_byte_records(|pkg_idx, func_idx, counters, offset| {
                    table.merge_bytes::<false>(
                        pkg_idx,
                        func_idx,
                        counters,
                        origin,
                        offset,
                        &mut overflow,
                    )
                });
            }
            let Some(record) = records.next() else {
                break;
            };
            let record = record.map_err(|e| e.in_file(path))?;
            match table.merge(&record, mode, origin) {
                Merge::Done { overflowed } => overflow |= overflowed,
                rare => unusual_record(rare, &record, path, warn)?,
            }
        }
    }
    if overflow {
        warn(Warning::Overflow { file: path.clone() });
    }
    Ok(())
}

/// A record that names no function of the meta-data (a warning) or disagrees with an earlier
/// one (an error). Kept out of line so that the per-record loop stays small.
#[cold]
#[inline(never)]
fn unusual_record(
    outcome: Merge,
    record: &FuncCounters<'_>,
    path: &Utf8Path,
    warn: &mut dyn FnMut(Warning),
) -> Result<(), Error> {
    match outcome {
        Merge::Done { .. } | Merge::Ignored => Ok(()),
        Merge::Stray { num_funcs } => {
            warn(Warning::StrayRecord {
                file: path.to_owned(),
                offset: record.offset,
                pkg_idx: record.pkg_idx,
                func_idx: record.func_idx,
                num_funcs,
                num_counters: record.counters.len(),
            });
            Ok(())
        }
        Merge::CountClash { expected } => Err(Error::CounterCountClash {
            file: path.to_owned(),
            offset: record.offset,
            pkg_idx: record.pkg_idx,
            func_idx: record.func_idx,
            found: record.counters.len(),
            expected,
        }),
    }
}

const NONE: u32 = u32::MAX;

/// Zeros kept at the end of [`CounterTable::values`], so that counters can be combined eight
/// at a time.
const PAD: usize = 8;

/// Room for `n` more values (zeros) before the padding; where they start.
fn alloc_values(values: &mut Vec<u32>, n: usize) -> u32 {
    let start = values.len() - PAD;
    values.resize(values.len() + n, 0);
    start as u32
}

/// Where one function's merged counters live in `values` (`start == NONE`: not seen yet).
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

/// The first record seen for a function: its file's index and offset (for error messages).
#[derive(Clone, Copy, Default)]
struct First {
    origin: u32,
    offset: u64,
}

/// The merged counters of one pod: one slot per (package, function) of its meta-data, the
/// values of all executed functions in one vector.
struct CounterTable {
    /// Per package: index of its first slot, number of functions.
    packages: Vec<(u32, u32)>,
    spans: Vec<Span>,
    firsts: Vec<First>,
    values: Vec<u32>,
}

enum Merge {
    Done {
        overflowed: bool,
    },
    /// Not a function of the meta-data: warn and ignore (Go's `pkm` check).
    Stray {
        num_funcs: Option<u32>,
    },
    /// Go's check lets `func == num_funcs` through, and then nothing reads it.
    Ignored,
    CountClash {
        expected: usize,
    },
}

impl CounterTable {
    fn new(num_funcs: &[u32]) -> Self {
        let mut packages = Vec::with_capacity(num_funcs.len());
        let mut total = 0u32;
        for &n in num_funcs {
            packages.push((total, n));
            // Bounded by the meta-data file's size, far below u32::MAX slots.
            total = total.saturating_add(n);
        }
        CounterTable {
            packages,
            spans: vec![
                Span {
                    start: NONE,
                    len: 0
                };
                total as usize
            ],
            firsts: vec![First::default(); total as usize],
            values: vec![0; PAD],
        }
    }

    #[inline]
    fn merge(&mut self, rec: &FuncCounters<'_>, mode: CounterMode, origin: u32) -> Merge {
        let Some(&(base, nf)) = self.packages.get(rec.pkg_idx as usize) else {
            return Merge::Stray { num_funcs: None };
        };
        if rec.func_idx >= nf {
            return if rec.func_idx == nf {
                Merge::Ignored
            } else {
                Merge::Stray {
                    num_funcs: Some(nf),
                }
            };
        }
        let slot = (base + rec.func_idx) as usize;
        let Some(span) = self.spans.get_mut(slot) else {
            return Merge::Ignored;
        };
        let n = rec.counters.len();
        if span.start == NONE {
            // The function's first record merges into zeros, as in Go: set mode keeps only
            // 0 or 1.
            *span = Span {
                start: alloc_values(&mut self.values, n),
                len: n as u32,
            };
            self.firsts[slot] = First {
                origin,
                offset: rec.offset,
            };
        } else if span.len as usize != n {
            return Merge::CountClash {
                expected: span.len as usize,
            };
        }
        let start = span.start as usize;
        let dst = &mut self.values[start..start + n];
        let overflowed = if mode == CounterMode::Set {
            rec.counters.set_into(dst);
            false
        } else {
            rec.counters.add_to(dst)
        };
        Merge::Done { overflowed }
    }

    /// [`CounterTable::merge`] for counters that are one byte each, in set mode (`SET`) or
    /// count mode. `false` (nothing merged) for a record that is not simply merged: a stray, a
    /// count that disagrees with an earlier record's.
    #[inline(always)]
    fn merge_bytes<const SET: bool>(
        &mut self,
        pkg_idx: u32,
        func_idx: u32,
        counters: ByteCounters<'_>,
        origin: u32,
        offset: u64,
        overflow: &mut bool,
    ) -> bool {
        let Some(&(base, nf)) = self.packages.get(pkg_idx as usize) else {
            return false;
        };
        if func_idx >= nf {
            return false;
        }
        let slot = (base + func_idx) as usize;
        let Some(span) = self.spans.get_mut(slot) else {
            return false;
        };
        let n = counters.len();
        if span.start == NONE {
            let start = alloc_values(&mut self.values, n);
            *span = Span {
                start,
                len: n as u32,
            };
            self.firsts[slot] = First { origin, offset };
        } else if span.len as usize != n {
            return false;
        }
        let start = span.start as usize;
        let mut over = false;
        if n <= 8 {
            // Most records: eight lanes at once, whatever n is (no branch on it). The values
            // end with PAD zeros, so the lanes exist; those past the function's counters
            // combine with zero and do not change.
            let Some(dst) = self.values.get_mut(start..start + PAD) else {
                return false;
            };
            let lanes = counters.first_word().to_le_bytes();
            for (d, &b) in dst.iter_mut().zip(&lanes) {
                if SET {
                    *d |= u32::from(b != 0);
                } else {
                    let (sum, o) = d.overflowing_add(u32::from(b));
                    *d = if o { u32::MAX } else { sum };
                    over |= o;
                }
            }
        } else {
            let Some(dst) = self.values.get_mut(start..start + n) else {
                return false;
            };
            for (d, &b) in dst.iter_mut().zip(counters.as_bytes()) {
                if SET {
                    *d |= u32::from(b != 0);
                } else {
                    let (sum, o) = d.overflowing_add(u32::from(b));
                    *d = if o { u32::MAX } else { sum };
                    over |= o;
                }
            }
        }
        *overflow |= over;
        true
    }

    /// Merge another table of the same pod (made from later files) into this one. Returns
    /// the file of the first function whose counts saturated, if any did.
    fn absorb(
        &mut self,
        other: CounterTable,
        mode: CounterMode,
        files: &[PodCounterFile],
    ) -> Result<Option<u32>, Error> {
        let mut saturated = None;
        for (i, theirs) in other.spans.iter().enumerate() {
            if theirs.start == NONE {
                continue;
            }
            let src = &other.values[theirs.start as usize..][..theirs.len as usize];
            let ours = &mut self.spans[i];
            if ours.start == NONE {
                let start = alloc_values(&mut self.values, src.len());
                *ours = Span {
                    start,
                    len: theirs.len,
                };
                self.firsts[i] = other.firsts[i];
                self.values[start as usize..][..src.len()].copy_from_slice(src);
                continue;
            }
            if ours.len != theirs.len {
                let pkg_idx = self.packages.partition_point(|&(b, _)| b as usize <= i) - 1;
                let first = other.firsts[i];
                return Err(Error::CounterCountClash {
                    file: files[first.origin as usize].path.clone(),
                    offset: first.offset,
                    pkg_idx: pkg_idx as u32,
                    func_idx: i as u32 - self.packages[pkg_idx].0,
                    found: theirs.len as usize,
                    expected: ours.len as usize,
                });
            }
            let dst = &mut self.values[ours.start as usize..][..ours.len as usize];
            if mode == CounterMode::Set {
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d |= s;
                }
            } else {
                let mut over_any = false;
                for (d, &s) in dst.iter_mut().zip(src) {
                    let (sum, over) = d.overflowing_add(s);
                    *d = if over { u32::MAX } else { sum };
                    over_any |= over;
                }
                if over_any && saturated.is_none() {
                    saturated = Some(other.firsts[i].origin);
                }
            }
        }
        Ok(saturated)
    }

    /// The merged counters of a function and the index of the first file that had it.
    fn get(&self, pkg_idx: u32, func_idx: u32) -> Option<(&[u32], usize)> {
        let &(base, nf) = self.packages.get(pkg_idx as usize)?;
        if func_idx >= nf {
            return None;
        }
        let slot = (base + func_idx) as usize;
        let span = self.spans.get(slot)?;
        if span.start == NONE {
            return None;
        }
        let start = span.start as usize;
        Some((
            &self.values[start..start + span.len as usize],
            self.firsts[slot].origin as usize,
        ))
    }
}
