//! The fresh directory `go test` writes its coverage data into.

use camino::{Utf8Path, Utf8PathBuf};

use crate::{Error, Result};

/// A new empty directory: beside `dest` when the data is kept (renamed into place by
/// [`RawDir::keep`], replacing the previous run's), else in the temporary directory, removed on
/// drop. Unlike the reports it is not synced file by file: Go wrote these files without fsync,
/// and syncing them right after a build cost up to 0.4 s of a 5 s run (the journal flushes the
/// build cache's writes with them).
pub struct RawDir {
    dir: tempfile::TempDir,
    path: Utf8PathBuf,
    dest: Option<Utf8PathBuf>,
}

impl RawDir {
    pub fn create(dest: Option<&Utf8Path>) -> Result<Self> {
        let builder = tempfile::Builder::new().prefix(".raw.intcov-").to_owned();
        let (dir, at) = match dest {
            Some(dest) => {
                let parent = dest.parent().unwrap_or(Utf8Path::new("."));
                std::fs::create_dir_all(parent).map_err(io(parent, "cannot create"))?;
                (builder.tempdir_in(parent), parent.to_owned())
            }
            None => {
                let tmp = Utf8PathBuf::from(std::env::temp_dir().to_string_lossy().into_owned());
                (builder.tempdir(), tmp)
            }
        };
        let dir = dir.map_err(io(&at, "cannot create a directory for the raw data"))?;
        let path = Utf8PathBuf::from_path_buf(dir.path().to_owned()).map_err(|p| Error::Io {
            path: Utf8PathBuf::from(p.to_string_lossy().into_owned()),
            what: "raw data directory",
            error: std::io::Error::other("path is not UTF-8"),
        })?;
        Ok(RawDir {
            dir,
            path,
            dest: dest.map(Utf8Path::to_owned),
        })
    }

    /// Where go test writes.
    pub fn path(&self) -> &Utf8Path {
        &self.path
    }

    /// Put the data at its destination (the previous run's moved aside, then removed); without
    /// one, the data is removed.
    pub fn keep(self) -> Result<()> {
        let Some(dest) = self.dest else {
            return Ok(());
        };
        let path = self.dir.keep();
        let old = dest.with_file_name(format!(
            ".{}.intcov-old-{}",
            dest.file_name().unwrap_or("raw"),
            std::process::id()
        ));
        let had_old = match std::fs::rename(&dest, &old) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io(&dest, "cannot move the previous raw data aside")(e)),
        };
        if let Err(e) = std::fs::rename(&path, &dest) {
            if had_old {
                let _ = std::fs::rename(&old, &dest);
            }
            return Err(io(&dest, "cannot rename into place")(e));
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

fn io(path: &Utf8Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_owned();
    move |error| Error::Io { path, what, error }
}
