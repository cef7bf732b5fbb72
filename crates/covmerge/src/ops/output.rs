//! Writing an operation's output directory: staged, then put in place whole
//! ([`outfile::StagedDir::commit_into`]), so that a failed or killed command never leaves
//! anything that reads as coverage.

use std::time::{SystemTime, UNIX_EPOCH};

use camino::{Utf8Path, Utf8PathBuf};
use covdata::encode::{counter_file_name, CounterFileWriter, EncodeError};
use covdata::format::META_FILE_PREFIX;
use covdata::{CounterFlavor, MetaHash};

use super::OpError;

/// Stands in the output directory while files move into one that holds others, and stays
/// there if the command is killed meanwhile: named like a meta-data file, it makes every
/// read of the directory fail (Go's tool included) until someone looks.
pub const INCOMPLETE_GUARD: &str = "covmeta.intcov-incomplete";

/// The output directory being built.
pub(super) struct OutDir {
    staged: outfile::StagedDir,
    last_nanos: u64,
    written: Vec<Utf8PathBuf>,
}

impl OutDir {
    /// Start building `dir`; nothing is written there before [`OutDir::commit`].
    pub(super) fn create(dir: &Utf8Path) -> Result<Self, OpError> {
        Ok(OutDir {
            staged: outfile::StagedDir::create(dir)?,
            last_nanos: 0,
            written: Vec::new(),
        })
    }

    /// Put the files in place (counter files first, meta-data files last, so that a program
    /// is only ever seen with all its counters); the paths written.
    pub(super) fn commit(self) -> Result<Vec<Utf8PathBuf>, OpError> {
        let meta_prefix = format!("{META_FILE_PREFIX}.");
        self.staged
            .commit_into(INCOMPLETE_GUARD, |name| name.starts_with(&meta_prefix))?;
        Ok(self.written)
    }

    /// Where the output goes.
    pub(super) fn dest(&self) -> &Utf8Path {
        self.staged.dest()
    }

    pub(super) fn encode_error(&self, name: &str, source: EncodeError) -> OpError {
        OpError::Encode {
            path: self.staged.dest().join(name),
            source,
        }
    }

    /// Write file `name` (its content) into the staging directory.
    pub(super) fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), OpError> {
        let path = self.staged.dest().join(name);
        let staged = self.staged.path().join(name);
        let err = |source| OpError::Write {
            path: path.clone(),
            source,
        };
        // `create_new` never follows a link. Two programs reduced to the same packages by
        // `-pkg` give one meta-data file twice: the same name, the same bytes.
        let again = self.written.contains(&path);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(!again)
            .truncate(again)
            .open(&staged)
            .map_err(err)?;
        std::io::Write::write_all(&mut file, bytes).map_err(err)?;
        self.written.push(path);
        Ok(())
    }

    /// Unix nanoseconds, strictly increasing within a run so that two pods with the same
    /// meta-data hash never share a counter file name.
    fn nanotime(&mut self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        self.last_nanos = now.max(self.last_nanos + 1);
        self.last_nanos
    }

    /// Write one counter file (pid 0, as Go's merge) for the program with meta-data `hash`.
    pub(super) fn write_counters<'c>(
        &mut self,
        hash: MetaHash,
        args: Vec<(Vec<u8>, Vec<u8>)>,
        funcs: impl IntoIterator<Item = (u32, u32, &'c [u32])>,
    ) -> Result<(), OpError> {
        let nanos = self.nanotime();
        let name = counter_file_name(hash, 0, nanos);
        let mut w = CounterFileWriter::new(hash, CounterFlavor::Uleb128);
        w.append_segment(args, funcs)
            .map_err(|source| self.encode_error(&name, source))?;
        self.write(&name, &w.finish())
    }
}
