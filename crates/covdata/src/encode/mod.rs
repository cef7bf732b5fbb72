//! Writers of both file kinds, producing exactly the bytes Go's own encoders
//! (`internal/coverage/encodemeta`, `encodecounter`) produce for the same input, so that Go's
//! tools read our output back and, where Go's output is deterministic, byte for byte agree.
//!
//! - [`PackageBuilder`]: one package's meta-data blob, as the compiler (and `covdata merge
//!   -pcombine`) builds it;
//! - [`write_meta_file`] and [`meta_file_hash`]: a `covmeta.<hash>` file from package blobs, with
//!   the file hash `covdata merge` computes;
//! - [`CounterFileWriter`]: a `covcounters.<hash>.<pid>.<nanotime>` file;
//! - [`meta_file_name`] / [`counter_file_name`]: the names Go gives them.
//!
//! Everything is built in memory: the callers write whole files at once, which keeps a failed
//! write from leaving half a file behind under a name Go would pick up.

mod counter;
mod hash;
mod meta;
mod strtab;

pub use counter::CounterFileWriter;
pub use hash::{HashAlgo, Hasher128};
pub use meta::{func_hash, meta_file_hash, write_meta_file, PackageBuilder};

use crate::format::{MetaHash, COUNTER_FILE_PREFIX, META_FILE_PREFIX};

/// Why something could not be encoded. Encoding works on values, not files, so these name the
/// field at fault; callers add the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Go refuses to build meta-data for a package without an import path.
    #[error("package import path is empty")]
    EmptyPackagePath,
    /// A count or length that the format stores in 32 bits does not fit.
    #[error("{what} is {value}, more than the format's 32-bit field holds")]
    TooLarge { what: &'static str, value: u64 },
    /// The args table is a map: one value per key.
    #[error("duplicate args key {0:?}")]
    DuplicateArg(String),
}

pub(crate) fn to_u32(what: &'static str, value: usize) -> Result<u32, EncodeError> {
    u32::try_from(value).map_err(|_| EncodeError::TooLarge {
        what,
        value: value as u64,
    })
}

/// `covmeta.<hash>`, the name of a meta-data file.
pub fn meta_file_name(hash: MetaHash) -> String {
    format!("{META_FILE_PREFIX}.{hash}")
}

/// `covcounters.<hash>.<pid>.<nanotime>`, the name of a counter-data file. `covdata merge`
/// uses pid 0 (there is no meaningful process) and the wall clock in Unix nanoseconds.
pub fn counter_file_name(hash: MetaHash, pid: u64, nanotime: u64) -> String {
    format!("{COUNTER_FILE_PREFIX}.{hash}.{pid}.{nanotime}")
}

#[cfg(test)]
mod tests;
