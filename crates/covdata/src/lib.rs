//! Zero-copy readers (and writers) of Go's binary coverage formats: `covmeta.<hash>` meta-data
//! files and `covcounters.<hash>.<pid>.<nanotime>` counter-data files, plus pod discovery over
//! GOCOVERDIR-style directories. The specification is `$GOROOT/src/internal/coverage`.
//!
//! Layout of the crate:
//! - [`format`](mod@format): constants and small enums shared by the decoder and the encoder;
//! - [`uleb128`], [`stringtab`]: the two primitive encodings both file kinds use;
//! - [`decode`]: [`MetaFile`] / [`PackageMeta`] and [`CounterFile`] / [`Segment`] views over
//!   byte slices, every read bounds-checked;
//! - [`pods`]: grouping the files of one or many directories as `go tool covdata` does;
//! - [`FileBytes`]: a file's bytes, read once or memory-mapped.

pub mod decode;
pub mod encode;
mod error;
mod file;
pub mod format;
pub mod pods;
pub mod stringtab;
pub mod uleb128;

pub use decode::counter::{
    ByteCounters, CounterFile, Counters, FuncCounters, FuncCountersIter, Segment,
};
pub use decode::meta::{FuncDesc, MetaFile, PackageMeta};
pub use error::{Error, FormatError, Problem};
pub use file::FileBytes;
pub use format::{CounterFlavor, CounterGranularity, CounterMode, CoverableUnit, MetaHash};
pub use pods::{collect_pods, collect_pods_from_files, MetaFileCollection, Pod};
