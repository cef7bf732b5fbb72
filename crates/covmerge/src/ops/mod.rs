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
//! first) the results are the same as Go's. Intersect follows Go's walk over the pods wherever
//! Go does not panic ([`crate::go_intersect`]): only the inputs with counter files for a
//! program take part (so a program no later input has data for keeps its counters), and
//! with several programs Go keeps only the first program's intersection and writes the others
//! with no counters; ours does the same. Where Go panics, the rule above holds.

mod args;
mod engine;
mod output;
mod pcombine;

use camino::{Utf8Path, Utf8PathBuf};
use covdata::encode::{meta_file_hash, meta_file_name, write_meta_file, EncodeError, HashAlgo};
use covdata::pods::Pod;
use covdata::{CounterGranularity, FileBytes, MetaFile, PackageMeta};

use self::args::ArgState;
use self::engine::{merge_pod, set_operation_of_pod, SetOperation};
use self::output::OutDir;
use self::pcombine::Combined;
use crate::go_intersect::{go_intersect_plan, GoIntersect};
use crate::screen::{Modes, Rules, UnitCheck};
use crate::{PackageFilter, Warning};

pub use self::output::INCOMPLETE_GUARD;

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
    /// Writing the output directory (staging it, or moving it into place).
    #[error(transparent)]
    Output(#[from] outfile::Error),
    /// `-o` names one of the inputs: writing there would double (Go: destroy) its counts.
    #[error("{output}: the output directory is input {input}; choose another")]
    OutputIsInput {
        output: Utf8PathBuf,
        input: Utf8PathBuf,
    },
    #[error("{path}: output is not a directory")]
    OutputNotADirectory { path: Utf8PathBuf },
    #[error("{operation} needs at least {needed} input directories, got {got}")]
    TooFewInputs {
        operation: &'static str,
        needed: usize,
        got: usize,
    },
}

/// Run `options.operation` over the directories `inputs`, writing into `output` (created if
/// missing; what else it holds stays). The output is staged and moved into place only when
/// complete: on error nothing is added to `output`, and a command killed while the files
/// move in leaves [`INCOMPLETE_GUARD`] there, which makes reading it fail.
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
    check_output(inputs, output)?;
    let mut pods = covdata::collect_pods(inputs)?;
    let mut warnings = Warnings::default();
    if pods.is_empty() {
        warnings.push(Warning::NoData);
    }
    crate::screen::warn_left_out(inputs, &mut |w| warnings.push(w))?;
    if options.skip_bad {
        let rules = Rules {
            modes: match options.operation {
                Operation::Merge { pcombine: true } => Modes::SameGranularity,
                _ => Modes::Any,
            },
            units: UnitCheck::Off,
            strays: true,
        };
        pods = crate::screen::screen(pods, inputs, &rules, &mut |w| warnings.push(w))?;
    }
    let mut out = OutDir::create(output)?;
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
            // Go's intersect, where it works, treats each pod by where it falls in Go's walk
            // over all of them; computed once, each pod gets its entry.
            let plan = match op {
                Operation::Intersect => go_intersect_plan(&pods),
                _ => None,
            };
            for (i, pod) in pods.iter().enumerate() {
                let go = plan.as_ref().map(|p| &p[i]);
                process_pod(pod, op, go, inputs.len(), options, &mut out, &mut warnings)?;
            }
        }
    }
    Ok(Outcome {
        written: out.commit()?,
        warnings: warnings.0,
    })
}

/// Refuse an output that is not a directory, or is one of the inputs (compared by device and
/// inode, so another name for the same directory is caught too).
fn check_output<P: AsRef<Utf8Path>>(inputs: &[P], output: &Utf8Path) -> Result<(), OpError> {
    let out = match std::fs::metadata(output) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(OpError::Write {
                path: output.to_owned(),
                source,
            })
        }
    };
    if !out.is_dir() {
        return Err(OpError::OutputNotADirectory {
            path: output.to_owned(),
        });
    }
    for input in inputs {
        let input = input.as_ref();
        if std::fs::metadata(input).is_ok_and(|m| same_file(&m, &out)) {
            return Err(OpError::OutputIsInput {
                output: output.to_owned(),
                input: input.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

#[derive(Debug, Default)]
struct Warnings(Vec<Warning>);

impl Warnings {
    fn push(&mut self, w: Warning) {
        if !self.0.contains(&w) {
            self.0.push(w);
        }
    }
}

/// Merge (without `-pcombine`), subtract or intersect one pod into `out`; `go` is Go's
/// intersect result for this pod, where Go's intersect works.
fn process_pod(
    pod: &Pod,
    op: Operation,
    go: Option<&GoIntersect>,
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
        Operation::Merge { .. } => merge_pod(pod, &meta, mode, &mut args, warnings)?,
        Operation::Subtract => set_operation_of_pod(
            pod,
            &meta,
            SetOperation::Subtract,
            None,
            num_inputs,
            warnings,
        )?,
        Operation::Intersect => set_operation_of_pod(
            pod,
            &meta,
            SetOperation::Intersect,
            go,
            num_inputs,
            warnings,
        )?,
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
        out.write(&meta_file_name(meta.hash()), &meta_bytes)?;
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
