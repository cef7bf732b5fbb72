use std::fmt;

use camino::Utf8PathBuf;
use covdata::{CounterGranularity, CounterMode};

/// Why reading coverage data failed; every variant names the file(s) involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or decoded (names the file and the offset/field).
    #[error(transparent)]
    Data(#[from] covdata::Error),
    /// Two programs were built with different `-covermode`s and the operation needs one.
    #[error(
        "counter mode clash while reading meta-data file {file}: previous file {previous} had \
         {previous_mode}, new file has {mode}"
    )]
    ModeClash {
        file: Utf8PathBuf,
        previous: Utf8PathBuf,
        previous_mode: CounterMode,
        mode: CounterMode,
    },
    #[error(
        "counter granularity clash while reading meta-data file {file}: previous file \
         {previous} had {previous_granularity}, new file has {granularity}"
    )]
    GranularityClash {
        file: Utf8PathBuf,
        previous: Utf8PathBuf,
        previous_granularity: CounterGranularity,
        granularity: CounterGranularity,
    },
    /// One function's counters differ in number between two counter files of a program.
    #[error(
        "{file}: offset {offset}: package {pkg_idx} function {func_idx} has {found} counters, \
         an earlier counter file had {expected}"
    )]
    CounterCountClash {
        file: Utf8PathBuf,
        offset: u64,
        pkg_idx: u32,
        func_idx: u32,
        found: usize,
        expected: usize,
    },
    /// The counter data of a function has fewer values than its meta-data has units.
    #[error(
        "{meta_file}: function {function} of package {package} has {units} coverable units but \
         its counter data (first in {counter_file}) has {counters} values"
    )]
    TooFewCounters {
        meta_file: Utf8PathBuf,
        counter_file: Utf8PathBuf,
        package: String,
        function: String,
        units: usize,
        counters: usize,
    },
}

/// Something odd but survivable, reported as Go reports it (on stderr, `warning: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The input directories hold no meta-data file.
    NoData,
    /// Merging counters of this file saturated at `u32::MAX`.
    Overflow { file: Utf8PathBuf },
    /// A counter record names a package or function the meta-data does not have; it is
    /// ignored.
    StrayRecord {
        file: Utf8PathBuf,
        offset: u64,
        pkg_idx: u32,
        func_idx: u32,
        num_funcs: Option<u32>,
        num_counters: usize,
    },
    /// A `metafiles.txt` names a meta-data file that is gone (the go command's work directory
    /// is removed when `go test` ends).
    MissingMetaFile {
        list: Utf8PathBuf,
        meta_file: Utf8PathBuf,
    },
    /// A counter-data file whose program has no meta-data file in the inputs: its counters
    /// cannot be placed, so it is left out (Go leaves it out silently).
    OrphanCounterFile {
        file: Utf8PathBuf,
        meta_file: String,
    },
    /// Two input directories hold a meta-data file of the same name with different contents;
    /// the first is read, as by Go, and every counter file of that name is checked against it.
    ShadowedMetaFile {
        used: Utf8PathBuf,
        shadowed: Utf8PathBuf,
    },
    /// `--skip-bad`: a file that cannot be read was left out; `reason` is the error, naming it.
    Skipped { file: Utf8PathBuf, reason: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NoData => f.write_str("no applicable files found in input directories"),
            Warning::Overflow { file } => {
                write!(f, "uint32 overflow during counter merge ({file})")
            }
            Warning::StrayRecord {
                file,
                offset,
                pkg_idx,
                func_idx,
                num_funcs,
                num_counters,
            } => write!(
                f,
                "func payload inconsistency: id [p={pkg_idx},f={func_idx}] nf={} \
                 len(ctrs)={num_counters} in {file} at offset {offset}, ignored",
                num_funcs.unwrap_or(0)
            ),
            Warning::MissingMetaFile { list, meta_file } => {
                write!(f, "{list}: meta-data file {meta_file} is missing, skipped")
            }
            Warning::OrphanCounterFile { file, meta_file } => write!(
                f,
                "{file}: no meta-data file {meta_file} in the input directories, skipped"
            ),
            Warning::ShadowedMetaFile { used, shadowed } => write!(
                f,
                "{shadowed} differs from {used}, which has the same name and is read instead"
            ),
            Warning::Skipped { reason, .. } => write!(f, "skipped bad input: {reason}"),
        }
    }
}
