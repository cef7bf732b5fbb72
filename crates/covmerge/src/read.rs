//! Walking pods: meta-data, merged counters, and a visitor that sees each function once per pod.

use std::collections::HashSet;

use camino::{Utf8Path, Utf8PathBuf};
use covdata::pods::{collect_pods, meta_files_lists, PodCounterFile};
use covdata::{
    CounterFile, CounterGranularity, CounterMode, FileBytes, FuncCounters, FuncDesc, MetaFile,
    MetaFileCollection, MetaHash, PackageMeta, Pod, Segment,
};
use profile::{FunctionRef, PackageCoverage, Profile, Unit};
use rayon::prelude::*;

use crate::error::{Error, Warning};
use crate::screen::{Modes, Rules, UnitCheck};
use crate::table::{merge_records, merge_runs, CounterTable, Merge, Run};
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
            units: UnitCheck::In(opts.packages.as_ref()),
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

impl PodVisitor for ProfileBuilder {
    fn wants_counter_files(&self) -> bool {
        false
    }

    fn begin_pod(&mut self, _pod: &Pod, meta: &MetaFile<'_>) {
        self.profile
            .get_or_insert_with(|| Profile::new(crate::table::rule(meta.counter_mode())));
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
                p.get_or_insert_with(|| Profile::new(crate::table::rule(meta.counter_mode())));
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

    /// Merge the pod's counter files on all threads ([`merge_runs`]); warnings come out in
    /// file order and the first error in file order wins, as if read one after the other.
    fn merge_in_parallel(
        &mut self,
        pod: &Pod,
        meta_hash: MetaHash,
        num_funcs: &[u32],
        mode: CounterMode,
    ) -> Result<CounterTable, Error> {
        let (run, error) = merge_runs(pod.counter_files.len(), || ReadRun {
            pod,
            meta_hash,
            mode,
            table: CounterTable::new(num_funcs),
            warnings: Vec::new(),
            saturated: false,
        });
        for w in run.warnings {
            (self.warn)(w);
        }
        match error {
            Some(e) => Err(e),
            None => Ok(run.table),
        }
    }
}

/// A run of a pod's counter files merged for reading.
struct ReadRun<'p> {
    pod: &'p Pod,
    meta_hash: MetaHash,
    mode: CounterMode,
    table: CounterTable,
    warnings: Vec<Warning>,
    saturated: bool,
}

impl Run for ReadRun<'_> {
    type Error = Error;

    fn add(&mut self, index: usize) -> Result<(), Error> {
        let overflow = merge_counter_file(
            &self.pod.counter_files[index],
            (self.pod, self.meta_hash),
            index as u32,
            self.mode,
            &mut self.table,
            &mut |_, _, _| {},
            &mut |w| self.warnings.push(w),
        )?;
        self.saturated |= overflow;
        Ok(())
    }

    fn order_sensitive(&self) -> bool {
        self.saturated
    }

    fn append(&mut self, later: Self) -> bool {
        self.warnings.extend(later.warnings);
        self.table.append(later.table, self.mode)
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
        // A unit takes at least five bytes of the package's blob: room for all of them at once
        // (pages the vector does not fill are never touched).
        let mut units = Vec::with_capacity(pkg.bytes().len() / 5);
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
/// header and first segment are decoded. Returns whether a sum saturated (also warned about).
fn merge_counter_file(
    cf: &PodCounterFile,
    (pod, meta_hash): (&Pod, MetaHash),
    origin: u32,
    mode: CounterMode,
    table: &mut CounterTable,
    opened: &mut dyn FnMut(&Utf8Path, &CounterFile<'_>, &Segment<'_>),
    warn: &mut dyn FnMut(Warning),
) -> Result<bool, Error> {
    let path = &cf.path;
    let bytes = FileBytes::open(path)?;
    let file = CounterFile::parse(&bytes).map_err(|e| e.in_file(path))?;
    crate::pairing::check_pairing(pod, meta_hash, path, &file)?;
    let overflow = merge_records(
        &file,
        path,
        origin,
        mode,
        table,
        |first| opened(path, &file, first),
        |rare, record| unusual_record(rare, record, path, warn),
    )?;
    if overflow {
        warn(Warning::Overflow { file: path.clone() });
    }
    Ok(overflow)
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
