//! The merged counters of one pod, and how a pod's counter files are merged into them: each
//! file's records through a fast path for the common shape, contiguous runs of files on all
//! threads, joined in file order.

use camino::Utf8Path;
use covdata::{ByteCounters, CounterFile, CounterMode, FuncCounters, Segment};
use rayon::prelude::*;

/// The combine rule ([`profile::CounterMode::combine_into`]) of a file's counter mode.
#[inline(always)]
pub(crate) fn rule(mode: CounterMode) -> profile::CounterMode {
    match mode {
        CounterMode::Set => profile::CounterMode::Set,
        CounterMode::Count => profile::CounterMode::Count,
        CounterMode::Atomic => profile::CounterMode::Atomic,
    }
}

/// Combine `src` into `dst` value by value by the rule of `mode`; whether a sum saturated.
pub(crate) fn combine_all(mode: CounterMode, dst: &mut [u32], src: &[u32]) -> bool {
    let rule = rule(mode);
    let mut saturated = false;
    for (d, &s) in dst.iter_mut().zip(src) {
        saturated |= rule.combine_into(d, s);
    }
    saturated
}

/// Merge every record of every segment of `file` (file number `origin`, at `path`) into
/// `table`, after showing the first segment to `first`. Records of the common shape go
/// straight in; `unusual` gets each record the table did not simply
/// take (a stray, a count clash) and says whether to go on. Returns whether a sum saturated.
///
/// Go's reader stops after the first segment; the runtime never writes more, and a file that
/// has more holds more runs, so all of them count here.
pub(crate) fn merge_records<E: From<covdata::Error>>(
    file: &CounterFile<'_>,
    path: &Utf8Path,
    origin: u32,
    mode: CounterMode,
    table: &mut CounterTable,
    mut first: impl FnMut(&Segment<'_>),
    mut unusual: impl FnMut(Merge, &FuncCounters<'_>) -> Result<(), E>,
) -> Result<bool, E> {
    let mut overflow = false;
    for (i, segment) in file.segments().enumerate() {
        let segment = segment.map_err(|e| e.in_file(path))?;
        if i == 0 {
            first(&segment);
        }
        let mut records = segment.funcs();
        loop {
            if mode == CounterMode::Set {
                records.scan_byte_records(|pkg_idx, func_idx, counters, _| {
                    table.merge_bytes::<true>(pkg_idx, func_idx, counters, origin, &mut overflow)
                });
            } else {
                records.scan_byte_records(|pkg_idx, func_idx, counters, _| {
                    table.merge_bytes::<false>(pkg_idx, func_idx, counters, origin, &mut overflow)
                });
            }
            let Some(record) = records.next() else {
                break;
            };
            let record = record.map_err(|e| e.in_file(path))?;
            match table.merge(&record, mode, origin) {
                Merge::Done { overflowed } => overflow |= overflowed,
                rare => unusual(rare, &record)?,
            }
        }
    }
    Ok(overflow)
}

/// What merging a contiguous run of a pod's counter files accumulates.
pub(crate) trait Run: Send + Sized {
    type Error: Send;
    /// Merge file number `index` (runs are fed files in increasing order).
    fn add(&mut self, index: usize) -> Result<(), Self::Error>;
    /// Whether what the run reported depends on what came before it (a saturated sum: which
    /// file is blamed depends on the running total).
    fn order_sensitive(&self) -> bool;
    /// Append the run of the files that follow; `false` when joining the two raised
    /// something whose report depends on file order (see [`CounterTable::append`]).
    fn append(&mut self, later: Self) -> bool;
}

/// Merge files `0..n` with runs made by `new_run`: contiguous runs on all threads (several per
/// thread, so that a thread slowed by other work hands files over), joined in order. Anything
/// whose report depends on file order (an error, a saturated count) sends the whole pod
/// through one run, in order, so that errors and warnings are exactly those of reading the
/// files one after the other. Returns the run and, if a file failed, the error (the run then
/// holds what came before it).
pub(crate) fn merge_runs<R: Run>(
    n: usize,
    new_run: impl Fn() -> R + Sync + Send,
) -> (R, Option<R::Error>) {
    let threads = rayon::current_num_threads();
    if threads > 1 && n > 1 {
        let max_len = n.div_ceil(2 * threads).max(1);
        let joined = (0..n)
            .into_par_iter()
            .with_max_len(max_len)
            .fold(
                || Some(new_run()),
                |run, i| {
                    let mut run = run?;
                    if run.add(i).is_err() || run.order_sensitive() {
                        return None;
                    }
                    Some(run)
                },
            )
            .reduce_with(|a, b| {
                let (mut a, b) = (a?, b?);
                a.append(b).then_some(a)
            });
        match joined {
            Some(Some(run)) => return (run, None),
            None => return (new_run(), None),
            Some(None) => {}
        }
    }
    let mut run = new_run();
    for i in 0..n {
        if let Err(e) = run.add(i) {
            return (run, Some(e));
        }
    }
    (run, None)
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

/// The merged counters of one pod: one slot per (package, function) of its meta-data, the
/// values of all executed functions in one vector.
pub(crate) struct CounterTable {
    /// Per package: index of its first slot, number of functions.
    packages: Vec<(u32, u32)>,
    spans: Vec<Span>,
    /// Per slot: the number of the first file that had the function (for error messages).
    firsts: Vec<u32>,
    values: Vec<u32>,
}

/// What became of a record offered to [`CounterTable::merge`].
pub(crate) enum Merge {
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
    /// An empty table for a meta-data file whose packages have `num_funcs` functions each.
    pub(crate) fn new(num_funcs: &[u32]) -> Self {
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
            firsts: vec![0; total as usize],
            values: vec![0; PAD],
        }
    }

    /// Combine one record (from file number `origin`) into the table.
    #[inline]
    pub(crate) fn merge(
        &mut self,
        rec: &FuncCounters<'_>,
        mode: CounterMode,
        origin: u32,
    ) -> Merge {
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
            self.firsts[slot] = origin;
        } else if span.len as usize != n {
            return Merge::CountClash {
                expected: span.len as usize,
            };
        }
        let start = span.start as usize;
        let dst = &mut self.values[start..start + n];
        let (rule, mut overflowed) = (rule(mode), false);
        rec.counters
            .zip_into(dst, |d, v| overflowed |= rule.combine_into(d, v));
        Merge::Done { overflowed }
    }

    /// [`CounterTable::merge`] for counters that are one byte each, in set mode (`SET`) or
    /// count mode. `false` (nothing merged) for a record that is not simply merged: a stray, a
    /// count that disagrees with an earlier record's.
    #[inline(always)]
    pub(crate) fn merge_bytes<const SET: bool>(
        &mut self,
        pkg_idx: u32,
        func_idx: u32,
        counters: ByteCounters<'_>,
        origin: u32,
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
            self.firsts[slot] = origin;
        } else if span.len as usize != n {
            return false;
        }
        let start = span.start as usize;
        let rule = if SET {
            profile::CounterMode::Set
        } else {
            profile::CounterMode::Count
        };
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
                over |= rule.combine_into(d, u32::from(b));
            }
        } else {
            let Some(dst) = self.values.get_mut(start..start + n) else {
                return false;
            };
            for (d, &b) in dst.iter_mut().zip(counters.as_bytes()) {
                over |= rule.combine_into(d, u32::from(b));
            }
        }
        *overflow |= over;
        true
    }

    /// Append another table of the same pod, made from the files that follow this one's.
    /// `false` (this table is then unusable) when the two disagree on a function's counter
    /// count or a sum saturates: which file gets the blame for those depends on the order
    /// records are met in, so the caller starts over in file order.
    pub(crate) fn append(&mut self, other: CounterTable, mode: CounterMode) -> bool {
        for (i, theirs) in other.spans.iter().enumerate() {
            if theirs.start == NONE {
                continue;
            }
            let src = &other.values[theirs.start as usize..][..theirs.len as usize];
            let Some(ours) = self.spans.get_mut(i) else {
                return false;
            };
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
                return false;
            }
            let dst = &mut self.values[ours.start as usize..][..ours.len as usize];
            if combine_all(mode, dst, src) {
                return false;
            }
        }
        true
    }

    /// The (package, function) of every function that has counters, in index order.
    pub(crate) fn functions(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.packages
            .iter()
            .enumerate()
            .flat_map(move |(p, &(base, nf))| {
                (0..nf).filter_map(move |f| {
                    let span = self.spans.get((base + f) as usize)?;
                    (span.start != NONE).then_some((p as u32, f))
                })
            })
    }

    /// The merged counters of a function, to change them in place.
    pub(crate) fn get_mut(&mut self, pkg_idx: u32, func_idx: u32) -> Option<&mut [u32]> {
        let span = *self.spans.get(self.slot(pkg_idx, func_idx)?)?;
        if span.start == NONE {
            return None;
        }
        self.values
            .get_mut(span.start as usize..)?
            .get_mut(..span.len as usize)
    }

    /// Forget a function's counters (as if no file had it).
    pub(crate) fn remove(&mut self, pkg_idx: u32, func_idx: u32) {
        if let Some(span) = self
            .slot(pkg_idx, func_idx)
            .and_then(|slot| self.spans.get_mut(slot))
        {
            span.start = NONE;
        }
    }

    fn slot(&self, pkg_idx: u32, func_idx: u32) -> Option<usize> {
        let &(base, nf) = self.packages.get(pkg_idx as usize)?;
        (func_idx < nf).then_some((base + func_idx) as usize)
    }

    /// The merged counters of a function and the index of the first file that had it.
    pub(crate) fn get(&self, pkg_idx: u32, func_idx: u32) -> Option<(&[u32], usize)> {
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
            self.firsts[slot] as usize,
        ))
    }
}
