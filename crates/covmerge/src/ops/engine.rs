//! How `merge`, `subtract` and `intersect` combine a pod's counter files: through the one
//! merge engine ([`crate::table`]), on all threads. [`set_operation`] is what subtract and
//! intersect mean.

use std::collections::{BTreeMap, HashMap};

use covdata::pods::{Pod, PodCounterFile};
use covdata::{CounterFile, CounterMode, FileBytes, MetaFile, MetaHash};

use super::args::ArgState;
use super::{OpError, Warnings};
use crate::go_intersect::GoIntersect;
use crate::table::{combine_all, merge_records, merge_runs, CounterTable, Merge, Run};
use crate::Warning;

/// Counters of functions the meta-data does not describe, by (package, function) index.
type Strays = BTreeMap<(u32, u32), Vec<u32>>;

/// The counters of one pod, merged: the functions its meta-data describes in a dense table;
/// records naming any other function are kept apart (Go keeps them too, and checks their
/// lengths agree, but writes only the functions the meta-data describes).
pub(super) struct MergedCounts {
    table: CounterTable,
    strays: Strays,
}

impl MergedCounts {
    pub(super) fn get(&self, pkg: u32, func: u32) -> Option<&[u32]> {
        self.table.get(pkg, func).map(|(values, _)| values)
    }
}

/// The number of functions of each package of `meta`. A package whose header is damaged
/// gets no slots: its records are kept as strays, and the damage is reported when the
/// package is read.
fn num_funcs(meta: &MetaFile<'_>) -> Vec<u32> {
    (0..meta.num_packages())
        .map(|i| meta.package(i).map_or(0, |p| p.num_funcs()))
        .collect()
}

/// Merge every counter file of `pod` (whose meta-data is `meta`) by `mode` on all threads,
/// the args of each file's first run into `args`; the same counters, warnings and errors as
/// reading the files in order.
pub(super) fn merge_pod(
    pod: &Pod,
    meta: &MetaFile<'_>,
    mode: CounterMode,
    args: &mut ArgState,
    warnings: &mut Warnings,
) -> Result<MergedCounts, OpError> {
    let files = &pod.counter_files;
    merge_files(
        pod,
        files,
        meta.hash(),
        &num_funcs(meta),
        mode,
        args,
        warnings,
    )
}

/// Merge `files` (some of `pod`'s counter files) on all threads.
fn merge_files(
    pod: &Pod,
    files: &[PodCounterFile],
    meta_hash: MetaHash,
    num_funcs: &[u32],
    mode: CounterMode,
    args: &mut ArgState,
    warnings: &mut Warnings,
) -> Result<MergedCounts, OpError> {
    let (run, error) = merge_runs(files.len(), || MergeRun {
        pod,
        files,
        meta_hash,
        mode,
        counts: MergedCounts {
            table: CounterTable::new(num_funcs),
            strays: Strays::new(),
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

/// The set operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SetOperation {
    Subtract,
    Intersect,
}

/// Subtract or intersect the inputs of one pod: each input's counter files merged on their
/// own (an input *covers* a unit when any of its runs did), then [`set_operation`]. Errors
/// are those of reading every file in order. `go` is Go's result for this pod where Go's
/// intersect works ([`crate::go_intersect`]): only the inputs it names take part, or none
/// (no counters); without it every input takes part.
pub(super) fn set_operation_of_pod(
    pod: &Pod,
    meta: &MetaFile<'_>,
    op: SetOperation,
    go: Option<&GoIntersect>,
    num_inputs: usize,
    warnings: &mut Warnings,
) -> Result<MergedCounts, OpError> {
    let num_funcs = num_funcs(meta);
    let mode = meta.counter_mode();
    // Go's subtract and intersect never look at the args: their output has none.
    let mut args = ArgState::default();
    // Files come by input directory (`origin`), so each input's are a contiguous run.
    let groups = pod
        .counter_files
        .iter()
        .map(|cf| cf.origin.unwrap_or(0) + 1)
        .max()
        .unwrap_or(0)
        .max(num_inputs)
        .max(1);
    let mut inputs: Vec<MergedCounts> = Vec::with_capacity(groups);
    let mut rest = &pod.counter_files[..];
    let mut failed = None;
    for k in 0..groups {
        let n = rest
            .iter()
            .take_while(|cf| cf.origin.unwrap_or(0) == k)
            .count();
        let (files, later) = rest.split_at(n);
        rest = later;
        match merge_files(
            pod,
            files,
            meta.hash(),
            &num_funcs,
            mode,
            &mut args,
            warnings,
        ) {
            Ok(counts) => inputs.push(counts),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let clash = shapes_clash(pod, &inputs);
    if failed.is_some() || clash.is_some() {
        // Which error comes first depends on file order: find it the slow way.
        let error = first_error_in_order(pod, meta.hash()).or(failed).or(clash);
        if let Some(error) = error {
            return Err(error);
        }
    }
    let mut inputs: Vec<Option<MergedCounts>> = inputs.into_iter().map(Some).collect();
    let taking_part: Vec<usize> = match go {
        None => (0..inputs.len()).collect(),
        Some(GoIntersect::Inputs(list)) => list.clone(),
        Some(GoIntersect::Empty) => Vec::new(),
    };
    let mut taking_part = taking_part
        .into_iter()
        .filter_map(|k| inputs.get_mut(k).and_then(Option::take));
    let Some(mut first) = taking_part.next() else {
        return Ok(MergedCounts {
            table: CounterTable::new(&num_funcs),
            strays: Strays::new(),
        });
    };
    let later: Vec<CounterTable> = taking_part.map(|c| c.table).collect();
    set_operation(op, &mut first.table, &later);
    Ok(first)
}

/// What subtract and intersect mean, function by function of the first input's counters
/// (`first`, changed in place) against each later input's (`later`, with the same shapes):
/// - **subtract**: a unit keeps its counter unless a later input covers it (counter not 0);
/// - **intersect**: a function is kept only when every later input has data for it, and a
///   unit keeps its counter only when every later input covers it.
pub(super) fn set_operation(op: SetOperation, first: &mut CounterTable, later: &[CounterTable]) {
    let funcs: Vec<(u32, u32)> = first.functions().collect();
    'funcs: for (p, f) in funcs {
        for other in later {
            let Some((theirs, _)) = other.get(p, f) else {
                if op == SetOperation::Intersect {
                    first.remove(p, f);
                    continue 'funcs;
                }
                continue;
            };
            let Some(ours) = first.get_mut(p, f) else {
                continue 'funcs;
            };
            for (v, &t) in ours.iter_mut().zip(theirs) {
                let covered = t != 0;
                if covered == (op == SetOperation::Subtract) {
                    *v = 0;
                }
            }
        }
    }
}

/// A function on whose number of counters two inputs disagree.
fn shapes_clash(pod: &Pod, inputs: &[MergedCounts]) -> Option<OpError> {
    let clash = |(pkg, func): (u32, u32), expected: &[u32], found: &[u32]| {
        (expected.len() != found.len()).then(|| OpError::CounterLength {
            path: pod.meta_file.clone(),
            pkg,
            func,
            expected: expected.len(),
            found: found.len(),
        })
    };
    for (k, later) in inputs.iter().enumerate().skip(1) {
        for (p, f) in later.table.functions() {
            let ours = later.get(p, f).unwrap_or_default();
            let earlier = inputs[..k].iter().find_map(|c| c.get(p, f));
            if let Some(e) = earlier.and_then(|e| clash((p, f), e, ours)) {
                return Some(e);
            }
        }
        for (&key, values) in &later.strays {
            let earlier = inputs[..k].iter().find_map(|c| c.strays.get(&key));
            if let Some(e) = earlier.and_then(|e| clash(key, e, values)) {
                return Some(e);
            }
        }
    }
    None
}

/// The first error met reading `pod`'s counter files one after the other: a file that does
/// not decode or pair with the meta-data, or a function whose number of counters differs
/// from the first file that had it (blamed on the later file).
fn first_error_in_order(pod: &Pod, meta_hash: MetaHash) -> Option<OpError> {
    let mut shapes: HashMap<(u32, u32), usize> = HashMap::new();
    let mut check = |cf: &PodCounterFile| -> Result<(), OpError> {
        let bytes = FileBytes::open(&cf.path)?;
        let file = CounterFile::parse(&bytes).map_err(|e| e.in_file(&cf.path))?;
        crate::pairing::check_pairing(pod, meta_hash, &cf.path, &file)?;
        for seg in file.segments() {
            let seg = seg.map_err(|e| e.in_file(&cf.path))?;
            for rec in seg.funcs() {
                let rec = rec.map_err(|e| e.in_file(&cf.path))?;
                let key = (rec.pkg_idx, rec.func_idx);
                let expected = *shapes.entry(key).or_insert(rec.counters.len());
                if expected != rec.counters.len() {
                    return Err(OpError::CounterLength {
                        path: cf.path.clone(),
                        pkg: key.0,
                        func: key.1,
                        expected,
                        found: rec.counters.len(),
                    });
                }
            }
        }
        Ok(())
    };
    pod.counter_files.iter().find_map(|cf| check(cf).err())
}

/// A run of a pod's counter files merged.
struct MergeRun<'p> {
    pod: &'p Pod,
    files: &'p [PodCounterFile],
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
        let path = &self.files[index].path;
        let bytes = FileBytes::open(path)?;
        let file = CounterFile::parse(&bytes).map_err(|e| e.in_file(path))?;
        crate::pairing::check_pairing(self.pod, self.meta_hash, path, &file)?;
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
                        stray_overflow |= combine_all(mode, slot, &rec.counters.to_vec());
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
                    if have.len() != values.len() || combine_all(self.mode, have, &values) {
                        return false;
                    }
                }
            }
        }
        self.counts.table.append(later.counts.table, self.mode)
    }
}
