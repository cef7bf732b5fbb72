//! Files the pods leave out, and `--skip-bad`.
//!
//! [`warn_left_out`] reports what Go passes over in silence: counter files with no meta-data
//! file, and meta-data files hidden behind a different one of the same name.
//!
//! [`screen`] is the keep-going mode: before the real read, every file is decoded on its own
//! and checked against what the files accepted before it established (the program's meta-data,
//! the number of counters of each function, the counter mode). A bad file is left out with a
//! [`Warning::Skipped`] that names it and says why; a pod whose meta-data file is bad is left
//! out whole. The read that follows is the strict one, over good files only, so its results
//! are those of a strict read of the directories without the bad files.

use std::collections::HashMap;

use camino::{Utf8Path, Utf8PathBuf};
use covdata::pods::{left_out, PodCounterFile};
use covdata::{CounterGranularity, CounterMode, FileBytes, FuncDesc, MetaFile, MetaHash, Pod};
use profile::pattern::{selected, PackageFilter};

use crate::error::{Error, Warning};

/// Report the files [`covdata::collect_pods`] passes over in `dirs`.
pub(crate) fn warn_left_out<P: AsRef<Utf8Path>>(
    dirs: &[P],
    warn: &mut dyn FnMut(Warning),
) -> Result<(), covdata::Error> {
    let out = left_out(dirs)?;
    for (file, meta_file) in out.orphans {
        warn(Warning::OrphanCounterFile { file, meta_file });
    }
    for (used, shadowed) in out.shadowed {
        // Copies of one program's meta-data file in several directories are the usual case
        // (one GOCOVERDIR per test run); only a different file is worth a word.
        let differs = match (std::fs::read(&used), std::fs::read(&shadowed)) {
            (Ok(a), Ok(b)) => a != b,
            _ => true,
        };
        if differs {
            warn(Warning::ShadowedMetaFile { used, shadowed });
        }
    }
    Ok(())
}

/// How programs may differ from each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Modes {
    /// Same counter mode and granularity (`textfmt`, `merge` of one kind).
    Same,
    /// Same granularity; the mode may differ (`percent`, `func`, `merge -pcombine`).
    SameGranularity,
    /// Each program stands alone (`debugdump`, `merge`, `subtract`, `intersect`).
    Any,
}

/// What the read that follows will insist on.
pub(crate) struct Rules<'a> {
    pub modes: Modes,
    /// Whether a function's counters must cover its units.
    pub units: UnitCheck<'a>,
    /// Records of functions the meta-data does not have must also agree on their length
    /// (the directory operations keep them; reading ignores them).
    pub strays: bool,
}

/// Whether a function's counters must cover its units.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UnitCheck<'a> {
    Off,
    /// In the packages the filter selects (all of them with `None`).
    In(Option<&'a PackageFilter>),
}

/// The program read first: what later ones must agree with.
#[derive(Debug, Clone)]
struct Kind {
    mode: CounterMode,
    granularity: CounterGranularity,
    meta_file: Utf8PathBuf,
}

type First = Option<Kind>;

/// The pods of `dirs` without their bad files; one [`Warning::Skipped`] per file left out. A
/// bad meta-data file gives way to a file of the same name in a later directory, as it would
/// if it were not there; with none, its program is left out.
pub(crate) fn screen<P: AsRef<Utf8Path>>(
    pods: Vec<Pod>,
    dirs: &[P],
    rules: &Rules<'_>,
    warn: &mut dyn FnMut(Warning),
) -> Result<Vec<Pod>, covdata::Error> {
    let mut stand_ins: HashMap<Utf8PathBuf, Vec<Utf8PathBuf>> = HashMap::new();
    for (used, shadowed) in left_out(dirs)?.shadowed {
        stand_ins.entry(used).or_default().push(shadowed);
    }
    let mut first: First = None;
    let mut kept = Vec::with_capacity(pods.len());
    for mut pod in pods {
        let mut candidates = vec![pod.meta_file.clone()];
        candidates.extend(stand_ins.remove(&pod.meta_file).unwrap_or_default());
        let mut failed: Vec<(Utf8PathBuf, Error)> = Vec::new();
        let mut accepted = None;
        for meta_file in candidates {
            pod.meta_file = meta_file;
            match screen_pod(&pod, &first, rules) {
                Ok(ok) => {
                    accepted = Some(ok);
                    break;
                }
                Err(e) => failed.push((pod.meta_file.clone(), e)),
            }
        }
        let n = failed.len();
        for (k, (file, e)) in failed.into_iter().enumerate() {
            let left = pod.counter_files.len();
            let reason = match (accepted.is_some() || k + 1 < n, left) {
                (true, _) | (false, 0) => e.to_string(),
                (false, 1) => format!("{e} (and its counter file)"),
                (false, _) => format!("{e} (and its {left} counter files)"),
            };
            warn(Warning::Skipped { file, reason });
        }
        let Some(Screened {
            kind,
            good,
            skipped,
        }) = accepted
        else {
            continue;
        };
        first.get_or_insert(kind);
        for w in skipped {
            warn(w);
        }
        pod.counter_files = good;
        kept.push(pod);
    }
    Ok(kept)
}

/// A pod that passed.
struct Screened {
    /// Its program's mode and granularity.
    kind: Kind,
    /// The counter files kept.
    good: Vec<PodCounterFile>,
    /// A warning for each counter file left out.
    skipped: Vec<Warning>,
}

/// Screen one pod; an error makes its meta-data file the bad one.
fn screen_pod(pod: &Pod, first: &First, rules: &Rules<'_>) -> Result<Screened, Error> {
    let bytes = FileBytes::open(&pod.meta_file)?;
    let program = Program::read(&pod.meta_file, &bytes)?;
    if let Some(clash) = clash(first, pod, &program.meta, rules.modes) {
        return Err(clash);
    }
    let mut shapes: HashMap<(u32, u32), usize> = HashMap::new();
    let mut good = Vec::with_capacity(pod.counter_files.len());
    let mut skipped = Vec::new();
    for cf in &pod.counter_files {
        match program.check_counter_file(pod, cf, &shapes, rules) {
            Ok(found) => {
                shapes.extend(found);
                good.push(cf.clone());
            }
            // The counter file agrees with the names and the meta-data file does not.
            Err(Error::Data(e)) if e.path() == pod.meta_file => return Err(Error::Data(e)),
            Err(e) => skipped.push(Warning::Skipped {
                file: cf.path.clone(),
                reason: e.to_string(),
            }),
        }
    }
    let m = &program.meta;
    let kind = Kind {
        mode: m.counter_mode(),
        granularity: m.granularity(),
        meta_file: pod.meta_file.clone(),
    };
    Ok(Screened {
        kind,
        good,
        skipped,
    })
}

/// The clash the read would report between the first program and this one.
fn clash(first: &First, pod: &Pod, meta: &MetaFile<'_>, modes: Modes) -> Option<Error> {
    let first = first.as_ref()?;
    if modes != Modes::Any && first.granularity != meta.granularity() {
        return Some(Error::GranularityClash {
            file: pod.meta_file.clone(),
            previous: first.meta_file.clone(),
            previous_granularity: first.granularity,
            granularity: meta.granularity(),
        });
    }
    if modes == Modes::Same && first.mode != meta.counter_mode() {
        return Some(Error::ModeClash {
            file: pod.meta_file.clone(),
            previous: first.meta_file.clone(),
            previous_mode: first.mode,
            mode: meta.counter_mode(),
        });
    }
    None
}

/// A decoded meta-data file and the number of units of each of its functions.
struct Program<'a> {
    meta: MetaFile<'a>,
    hash: MetaHash,
    units: Vec<Vec<u32>>,
}

impl<'a> Program<'a> {
    fn read(path: &Utf8Path, bytes: &'a [u8]) -> Result<Self, Error> {
        let meta = MetaFile::parse(bytes).map_err(|e| e.in_file(path))?;
        let mut units = Vec::with_capacity(meta.num_packages() as usize);
        let mut fd = FuncDesc::default();
        for pkg in meta.packages() {
            let pkg = pkg.map_err(|e| e.in_file(path))?;
            let mut counts = Vec::with_capacity(pkg.num_funcs() as usize);
            for f in 0..pkg.num_funcs() {
                pkg.read_func(f, &mut fd).map_err(|e| e.in_file(path))?;
                counts.push(fd.units.len() as u32);
            }
            units.push(counts);
        }
        Ok(Program {
            hash: meta.hash(),
            meta,
            units,
        })
    }

    /// Decode one counter file whole and check it against the program and the files accepted
    /// so far (`shapes`: each function's counter count). Returns the shapes it adds.
    fn check_counter_file(
        &self,
        pod: &Pod,
        cf: &PodCounterFile,
        shapes: &HashMap<(u32, u32), usize>,
        rules: &Rules<'_>,
    ) -> Result<HashMap<(u32, u32), usize>, Error> {
        let path = &cf.path;
        let bytes = FileBytes::open(path)?;
        let file = covdata::CounterFile::parse(&bytes).map_err(|e| e.in_file(path))?;
        crate::pairing::check_pairing(pod, self.hash, path, &file)?;
        file.first_segment().map_err(|e| e.in_file(path))?;
        let mut found: HashMap<(u32, u32), usize> = HashMap::new();
        for seg in file.segments() {
            let seg = seg.map_err(|e| e.in_file(path))?;
            for rec in seg.funcs() {
                let rec = rec.map_err(|e| e.in_file(path))?;
                let key = (rec.pkg_idx, rec.func_idx);
                let n = rec.counters.len();
                let units = self
                    .units
                    .get(rec.pkg_idx as usize)
                    .and_then(|p| p.get(rec.func_idx as usize));
                if units.is_none() && !rules.strays {
                    continue;
                }
                let expected = shapes.get(&key).or_else(|| found.get(&key));
                if let Some(&expected) = expected.filter(|&&e| e != n) {
                    return Err(Error::CounterCountClash {
                        file: path.clone(),
                        offset: rec.offset,
                        pkg_idx: rec.pkg_idx,
                        func_idx: rec.func_idx,
                        found: n,
                        expected,
                    });
                }
                found.entry(key).or_insert(n);
                if let (Some(&units), UnitCheck::In(filter)) = (units, rules.units) {
                    if n < units as usize {
                        self.too_few(pod, path, key, units as usize, n, filter)?;
                    }
                }
            }
        }
        Ok(found)
    }

    /// The read's error for a function whose counters do not cover its units, if its package
    /// is one the read looks at.
    fn too_few(
        &self,
        pod: &Pod,
        path: &Utf8Path,
        (p, f): (u32, u32),
        units: usize,
        counters: usize,
        filter: Option<&PackageFilter>,
    ) -> Result<(), Error> {
        let meta_path = &pod.meta_file;
        let pkg = self.meta.package(p).map_err(|e| e.in_file(meta_path))?;
        if !selected(filter, pkg.path()) {
            return Ok(());
        }
        let func = pkg.func(f).map_err(|e| e.in_file(meta_path))?;
        Err(Error::TooFewCounters {
            meta_file: meta_path.clone(),
            counter_file: path.to_owned(),
            package: pkg.path().to_owned(),
            function: func.name.to_owned(),
            units,
            counters,
        })
    }
}
