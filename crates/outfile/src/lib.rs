//! Outputs that appear whole or not at all.
//!
//! Every file or directory a command writes as its result goes through here: it is written under
//! a unique hidden name beside its destination (same file system, so the final step is a
//! rename), flushed to disk, then renamed into place. A command that fails or is killed before
//! [`AtomicFile::commit`] / [`StagedDir::commit_replace`] leaves the destination as it was: an
//! existing file is never truncated, and nothing half-written ever carries the destination's
//! name. Dropping an uncommitted output removes its temporary.
//!
//! Temporary names are unique per call (`tempfile`), created with `O_EXCL`, so two writers never
//! share one and a link planted under a temporary name is never followed.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};

/// What went wrong, and with which path.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {op}: {source}")]
pub struct Error {
    pub path: Utf8PathBuf,
    /// What was being done, in a few words ("cannot create", "cannot rename into place").
    pub op: &'static str,
    #[source]
    pub source: io::Error,
}

impl Error {
    fn new(path: &Utf8Path, op: &'static str, source: io::Error) -> Self {
        Error {
            path: path.to_owned(),
            op,
            source,
        }
    }
}

/// The directory a destination lives in ("." for a bare file name).
fn parent_of(dest: &Utf8Path) -> &Utf8Path {
    match dest.parent() {
        Some(p) if !p.as_str().is_empty() => p,
        _ => Utf8Path::new("."),
    }
}

/// Hidden, recognisable prefix for temporaries beside `dest`.
fn temp_prefix(dest: &Utf8Path) -> String {
    format!(".{}.intcov-", dest.file_name().unwrap_or("out"))
}

/// Make a rename in `dir` durable. Failure is ignored where the platform cannot open
/// directories (the data itself was already synced).
fn sync_dir(dir: &Utf8Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A file written under a temporary name and renamed over `dest` by [`commit`](Self::commit).
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    dest: Utf8PathBuf,
}

impl AtomicFile {
    /// Start writing `dest`. Its directory must exist; `dest` itself is not touched yet.
    pub fn create(dest: &Utf8Path) -> Result<Self, Error> {
        if dest.is_dir() {
            return Err(Error::new(
                dest,
                "cannot write",
                io::Error::other("is a directory"),
            ));
        }
        let temp = tempfile::Builder::new()
            .prefix(&temp_prefix(dest))
            .suffix(".tmp")
            .tempfile_in(parent_of(dest))
            .map_err(|e| Error::new(dest, "cannot create", e))?;
        Ok(AtomicFile {
            temp,
            dest: dest.to_owned(),
        })
    }

    /// The destination this file will have.
    pub fn dest(&self) -> &Utf8Path {
        &self.dest
    }

    /// Flush, sync and rename into place. Nothing carries `dest`'s name until this succeeds.
    pub fn commit(mut self) -> Result<(), Error> {
        let dest = self.dest;
        self.temp
            .flush()
            .map_err(|e| Error::new(&dest, "cannot write", e))?;
        self.temp
            .as_file()
            .sync_all()
            .map_err(|e| Error::new(&dest, "cannot sync", e))?;
        self.temp
            .persist(&dest)
            .map_err(|e| Error::new(&dest, "cannot rename into place", e.error))?;
        sync_dir(parent_of(&dest));
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.temp.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Write `bytes` to `dest` atomically.
pub fn write(dest: &Utf8Path, bytes: &[u8]) -> Result<(), Error> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(bytes)
        .map_err(|e| Error::new(dest, "cannot write", e))?;
    f.commit()
}

/// A directory built under a temporary name beside `dest`, then put in place whole.
pub struct StagedDir {
    staging: tempfile::TempDir,
    staging_path: Utf8PathBuf,
    dest: Utf8PathBuf,
}

impl StagedDir {
    /// Start building `dest`. Its parent is created if missing; `dest` itself is not touched.
    pub fn create(dest: &Utf8Path) -> Result<Self, Error> {
        let parent = parent_of(dest);
        std::fs::create_dir_all(parent).map_err(|e| Error::new(parent, "cannot create", e))?;
        let staging = tempfile::Builder::new()
            .prefix(&temp_prefix(dest))
            .tempdir_in(parent)
            .map_err(|e| Error::new(dest, "cannot create a staging directory", e))?;
        let staging_path = Utf8PathBuf::from_path_buf(staging.path().to_owned()).map_err(|p| {
            Error::new(
                dest,
                "cannot create a staging directory",
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is not UTF-8", p.display()),
                ),
            )
        })?;
        Ok(StagedDir {
            staging,
            staging_path,
            dest: dest.to_owned(),
        })
    }

    /// Where to write the directory's contents.
    pub fn path(&self) -> &Utf8Path {
        &self.staging_path
    }

    /// The destination.
    pub fn dest(&self) -> &Utf8Path {
        &self.dest
    }

    /// Put the staged directory in place of `dest`, replacing whatever directory was there.
    /// Every file in it is synced first. Between the two renames `dest` is briefly absent,
    /// never partial; the old directory is removed afterwards.
    pub fn commit_replace(self) -> Result<(), Error> {
        sync_tree(&self.staging_path)?;
        let staging = self.staging.keep();
        let staging = Utf8PathBuf::from_path_buf(staging).expect("checked UTF-8 at creation");
        let parent = parent_of(&self.dest).to_owned();
        let old = match std::fs::symlink_metadata(&self.dest) {
            Ok(m) if m.is_dir() => {
                let old = tempfile::Builder::new()
                    .prefix(&format!("{}old-", temp_prefix(&self.dest)))
                    .tempdir_in(&parent)
                    .map_err(|e| Error::new(&self.dest, "cannot create a temporary name", e))?
                    .keep();
                // Renaming over the empty placeholder directory is allowed.
                std::fs::rename(&self.dest, &old).map_err(|e| {
                    let _ = std::fs::remove_dir_all(&staging);
                    Error::new(&self.dest, "cannot move the old directory aside", e)
                })?;
                Some(old)
            }
            Ok(_) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(Error::new(
                    &self.dest,
                    "cannot replace",
                    io::Error::other("not a directory"),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(Error::new(&self.dest, "cannot inspect", e));
            }
        };
        if let Err(e) = std::fs::rename(&staging, &self.dest) {
            // Put the old directory back; the new one is discarded.
            if let Some(old) = &old {
                let _ = std::fs::rename(old, &self.dest);
            }
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Error::new(&self.dest, "cannot rename into place", e));
        }
        sync_dir(&parent);
        if let Some(old) = old {
            let _ = std::fs::remove_dir_all(old);
        }
        Ok(())
    }
}

impl StagedDir {
    /// Put the staged files into `dest`, keeping whatever else `dest` holds (a directory
    /// that a tool like Go's `covdata merge` writes into).
    ///
    /// When `dest` is missing or empty the staged directory takes its place in one rename:
    /// readers see nothing or everything. Otherwise the files move in one by one, so while
    /// they do, a file named `guard` stands in `dest` (created exclusively: a second writer
    /// is refused, naming it) and is removed last. A command killed in between leaves the
    /// guard behind; pick a `guard` name that readers of `dest` treat as an error. Files for
    /// which `late` holds move in after the others and may replace a file of the same name
    /// (for files named by a hash of their content); the others never replace anything. On
    /// error, what was moved in is taken out again where that loses nothing.
    pub fn commit_into(self, guard: &str, late: impl Fn(&str) -> bool) -> Result<(), Error> {
        sync_tree(&self.staging_path)?;
        let dest = self.dest.clone();
        let target = match std::fs::symlink_metadata(&dest) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(&dest) {
                Ok(()) => Target::Empty(dest.clone()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Target::Filled(dest.clone()),
                Err(e) => return Err(Error::new(&dest, "cannot create", e)),
            },
            Err(e) => return Err(Error::new(&dest, "cannot inspect", e)),
            Ok(m) if m.is_dir() => Target::Empty(dest.clone()),
            // A link to a directory: write into the directory, leave the link alone.
            Ok(m) if m.is_symlink() && dest.is_dir() => Target::Filled(dest.clone()),
            Ok(_) => {
                return Err(Error::new(
                    &dest,
                    "cannot write into",
                    io::Error::other("not a directory"),
                ))
            }
        };
        let dir = match target {
            Target::Empty(dir) => match self.swap_into_empty(&dir)? {
                None => return Ok(()),
                Some(staged) => return fill(&dir, &staged.staging_path, guard, &late),
            },
            Target::Filled(dir) => dir,
        };
        fill(&dir, &self.staging_path, guard, &late)
    }

    /// Rename the staged directory over `dir` if `dir` is empty (it takes `dir`'s
    /// permissions). `Some(self)` when `dir` is not empty.
    fn swap_into_empty(self, dir: &Utf8Path) -> Result<Option<Self>, Error> {
        let perms = std::fs::metadata(dir)
            .map_err(|e| Error::new(dir, "cannot inspect", e))?
            .permissions();
        std::fs::set_permissions(&self.staging_path, perms)
            .map_err(|e| Error::new(&self.staging_path, "cannot set permissions", e))?;
        match std::fs::rename(&self.staging_path, dir) {
            Ok(()) => {
                // The staging directory is `dir` now: nothing to remove.
                let _ = self.staging.keep();
                sync_dir(parent_of(dir));
                Ok(None)
            }
            // Not empty (POSIX allows ENOTEMPTY or EEXIST): fill it instead.
            Err(_) if dir.read_dir_utf8().is_ok_and(|mut d| d.next().is_some()) => Ok(Some(self)),
            Err(e) => Err(Error::new(dir, "cannot rename into place", e)),
        }
    }
}

/// Where [`StagedDir::commit_into`] puts the files.
enum Target {
    /// A directory that was empty when looked at.
    Empty(Utf8PathBuf),
    Filled(Utf8PathBuf),
}

/// Move the files of `staging` into `dir`, under `guard` (see [`StagedDir::commit_into`]).
fn fill(
    dir: &Utf8Path,
    staging: &Utf8Path,
    guard: &str,
    late: &dyn Fn(&str) -> bool,
) -> Result<(), Error> {
    let guard = dir.join(guard);
    let mut g = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&guard)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Error::new(
                &guard,
                "another command is writing into this directory, or one was interrupted \
                 (remove this file once none is)",
                e,
            ),
            _ => Error::new(&guard, "cannot create", e),
        })?;
    let note = b"an output was being written into this directory and did not finish\n";
    g.write_all(note)
        .and_then(|()| g.sync_all())
        .map_err(|e| Error::new(&guard, "cannot write", e))?;
    drop(g);
    sync_dir(dir);

    let mut names: Vec<String> = Vec::new();
    let entries = staging
        .read_dir_utf8()
        .map_err(|e| Error::new(staging, "cannot list", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::new(staging, "cannot list", e))?;
        names.push(entry.file_name().to_owned());
    }
    // The others first, in name order, then the late ones.
    names.sort_by_key(|n| (late(n), n.clone()));

    let mut placed: Vec<Utf8PathBuf> = Vec::new();
    let mut result = Ok(());
    for name in &names {
        let (from, to) = (staging.join(name), dir.join(name));
        let moved = if late(name) {
            let existed = std::fs::symlink_metadata(&to).is_ok();
            std::fs::rename(&from, &to).map(|()| !existed)
        } else {
            // A link fails on an existing name instead of replacing it.
            std::fs::hard_link(&from, &to).map(|()| true)
        };
        match moved {
            Ok(new) => {
                if new {
                    placed.push(to);
                }
            }
            Err(e) => {
                result = Err(Error::new(&to, "cannot move into place", e));
                break;
            }
        }
    }
    let _ = std::fs::remove_dir_all(staging);
    if result.is_err() {
        for p in &placed {
            if std::fs::remove_file(p).is_err() {
                // Something this command wrote stays: the guard stays with it.
                return result;
            }
        }
    }
    sync_dir(dir);
    std::fs::remove_file(&guard).map_err(|e| Error::new(&guard, "cannot remove", e))?;
    sync_dir(dir);
    result
}

/// fsync every regular file below `dir`, and the directories themselves.
fn sync_tree(dir: &Utf8Path) -> Result<(), Error> {
    let entries = dir
        .read_dir_utf8()
        .map_err(|e| Error::new(dir, "cannot list", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::new(dir, "cannot list", e))?;
        let path = entry.path();
        let ty = entry
            .file_type()
            .map_err(|e| Error::new(path, "cannot inspect", e))?;
        if ty.is_dir() {
            sync_tree(path)?;
        } else if ty.is_file() {
            File::open(path)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::new(path, "cannot sync", e))?;
        }
    }
    sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> (tempfile::TempDir, Utf8PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
        (t, p)
    }

    fn names(dir: &Utf8Path) -> Vec<String> {
        let mut v: Vec<String> = dir
            .read_dir_utf8()
            .unwrap()
            .map(|e| e.unwrap().file_name().to_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn file_appears_only_on_commit() {
        let (_t, dir) = tmp();
        let dest = dir.join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert_eq!(names(&dir), ["out.txt"]);
    }

    #[test]
    fn dropped_file_leaves_old_content_and_no_temporary() {
        let (_t, dir) = tmp();
        let dest = dir.join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(names(&dir), ["out.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn commit_replaces_a_planted_link_instead_of_following_it() {
        let (_t, dir) = tmp();
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let dest = dir.join("out.txt");
        std::os::unix::fs::symlink(&victim, &dest).unwrap();
        write(&dest, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&dest).unwrap().is_symlink());
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let (_t, dir) = tmp();
        let dest = dir.join("nope/out.txt");
        let err = write(&dest, b"x").unwrap_err();
        assert!(err.to_string().starts_with(dest.as_str()), "{err}");
    }

    #[test]
    fn staged_dir_replaces_whole() {
        let (_t, dir) = tmp();
        let dest = dir.join("html");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("stale.html"), "old").unwrap();
        let staged = StagedDir::create(&dest).unwrap();
        std::fs::write(staged.path().join("index.html"), "new").unwrap();
        assert!(dest.join("stale.html").exists());
        staged.commit_replace().unwrap();
        assert_eq!(names(&dest), ["index.html"]);
        assert_eq!(names(&dir), ["html"]);
    }

    #[test]
    fn dropped_staged_dir_leaves_nothing() {
        let (_t, dir) = tmp();
        let dest = dir.join("html");
        {
            let staged = StagedDir::create(&dest).unwrap();
            std::fs::write(staged.path().join("index.html"), "x").unwrap();
        }
        assert!(names(&dir).is_empty());
    }

    #[test]
    fn staged_dir_refuses_to_replace_a_file() {
        let (_t, dir) = tmp();
        let dest = dir.join("html");
        std::fs::write(&dest, "a file").unwrap();
        let staged = StagedDir::create(&dest).unwrap();
        let err = staged.commit_replace().unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "a file");
        assert_eq!(names(&dir), ["html"]);
    }

    fn late(name: &str) -> bool {
        name.starts_with("meta")
    }

    #[test]
    fn commit_into_a_missing_or_empty_directory_is_one_rename() {
        let (_t, dir) = tmp();
        for dest in [dir.join("new"), dir.join("empty")] {
            if dest.ends_with("empty") {
                std::fs::create_dir(&dest).unwrap();
            }
            let staged = StagedDir::create(&dest).unwrap();
            std::fs::write(staged.path().join("meta.1"), "m").unwrap();
            std::fs::write(staged.path().join("counts.1"), "c").unwrap();
            staged.commit_into("meta.guard", late).unwrap();
            assert_eq!(names(&dest), ["counts.1", "meta.1"]);
        }
        assert_eq!(names(&dir), ["empty", "new"]);
    }

    #[test]
    fn commit_into_keeps_other_files_and_replaces_only_late_ones() {
        let (_t, dir) = tmp();
        let dest = dir.join("out");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("other"), "keep").unwrap();
        std::fs::write(dest.join("meta.1"), "old").unwrap();
        let staged = StagedDir::create(&dest).unwrap();
        std::fs::write(staged.path().join("meta.1"), "new").unwrap();
        std::fs::write(staged.path().join("counts.1"), "c").unwrap();
        staged.commit_into("meta.guard", late).unwrap();
        assert_eq!(names(&dest), ["counts.1", "meta.1", "other"]);
        assert_eq!(std::fs::read_to_string(dest.join("meta.1")).unwrap(), "new");
        assert_eq!(names(&dir), ["out"]);

        // An early file never replaces one: the command fails and takes back what it placed.
        let staged = StagedDir::create(&dest).unwrap();
        std::fs::write(staged.path().join("counts.0"), "c0").unwrap();
        std::fs::write(staged.path().join("counts.1"), "c2").unwrap();
        let err = staged.commit_into("meta.guard", late).unwrap_err();
        assert!(err.to_string().contains("counts.1"), "{err}");
        assert_eq!(names(&dest), ["counts.1", "meta.1", "other"]);
        assert_eq!(std::fs::read_to_string(dest.join("counts.1")).unwrap(), "c");
        assert_eq!(names(&dir), ["out"]);
    }

    #[test]
    fn commit_into_refuses_while_a_guard_stands() {
        let (_t, dir) = tmp();
        let dest = dir.join("out");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("other"), "keep").unwrap();
        std::fs::write(dest.join("meta.guard"), "left by a killed writer").unwrap();
        let staged = StagedDir::create(&dest).unwrap();
        std::fs::write(staged.path().join("counts.1"), "c").unwrap();
        let err = staged.commit_into("meta.guard", late).unwrap_err();
        assert!(err.to_string().contains("another command"), "{err}");
        assert_eq!(names(&dest), ["meta.guard", "other"]);
        assert_eq!(names(&dir), ["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn commit_into_a_link_writes_into_its_directory() {
        let (_t, dir) = tmp();
        let real = dir.join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("other"), "keep").unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let staged = StagedDir::create(&link).unwrap();
        std::fs::write(staged.path().join("counts.1"), "c").unwrap();
        staged.commit_into("meta.guard", late).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(names(&real), ["counts.1", "other"]);
    }
}
