//! The pairing of counter files with their meta-data file.

use camino::Utf8Path;
use covdata::{CounterFile, MetaHash, Pod};

use covdata::format::{counter_header, meta_header};

/// A counter file records the hash of its program's meta-data, which Go's tools never compare
/// with the meta-data file the name pairs it with: a misfiled counter file, or a damaged hash,
/// would have counters applied to another program's functions. Here that is an error, blamed
/// on the file that disagrees with the file names.
pub(crate) fn check_pairing(
    pod: &Pod,
    meta_hash: MetaHash,
    path: &Utf8Path,
    file: &CounterFile<'_>,
) -> Result<(), covdata::Error> {
    let theirs = file.meta_hash();
    if theirs == meta_hash {
        return Ok(());
    }
    let problem = |what: String| covdata::Problem::Inconsistent(what);
    if theirs.to_string() == pod.tag {
        return Err(covdata::FormatError::new(
            meta_header::META_HASH,
            "meta-data hash",
            problem(format!(
                "the header says {meta_hash}, the file name and the counter file {path} say {theirs}"
            )),
        )
        .in_file(&pod.meta_file));
    }
    Err(covdata::FormatError::new(
        counter_header::META_HASH,
        "meta-data hash",
        problem(format!(
            "counters of the program with meta-data hash {theirs}, but the file name pairs them \
             with {} (hash {meta_hash})",
            pod.meta_file
        )),
    )
    .in_file(path))
}
