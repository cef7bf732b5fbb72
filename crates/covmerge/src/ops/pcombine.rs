//! `merge -pcombine`: every program folds into one meta-data file and one counter file.

use std::collections::{BTreeMap, HashMap};

use covdata::encode::{meta_file_hash, meta_file_name, write_meta_file, HashAlgo, PackageBuilder};
use covdata::pods::Pod;
use covdata::{CounterGranularity, CounterMode, CoverableUnit, FileBytes, FuncDesc, MetaFile};

use super::args::ArgState;
use super::engine::merge_pod;
use super::output::OutDir;
use super::{OpError, Selection, Warnings};
use crate::table::combine_all;
use crate::Warning;

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
pub(super) struct Combined {
    hash: HashAlgo,
    mode: Option<CounterMode>,
    granularity: Option<CounterGranularity>,
    packages: Vec<CombinedPackage>,
    by_path: HashMap<String, usize>,
    args: ArgState,
}

impl Combined {
    pub(super) fn new(hash: HashAlgo) -> Self {
        Combined {
            hash,
            mode: None,
            granularity: None,
            packages: Vec::new(),
            by_path: HashMap::new(),
            args: ArgState::default(),
        }
    }

    pub(super) fn add_pod(
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
                        if have.len() != values.len() {
                            return Err(OpError::CounterLength {
                                path: pod.meta_file.clone(),
                                pkg: idx,
                                func: fidx,
                                expected: have.len(),
                                found: values.len(),
                            });
                        }
                        if combine_all(mode, have, values) {
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

    pub(super) fn emit(self, out: &mut OutDir) -> Result<(), OpError> {
        let (Some(mode), Some(granularity)) = (self.mode, self.granularity) else {
            return Ok(());
        };
        let mut blobs = Vec::with_capacity(self.packages.len());
        let mut counters = Vec::with_capacity(self.packages.len());
        for p in self.packages {
            let blob = p.builder.finish().map_err(|source| OpError::Encode {
                path: out.dest().to_owned(),
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
