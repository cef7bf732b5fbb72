//! Pods: a program's meta-data file with the counter-data files that refer to it, gathered from
//! one or many directories exactly as `internal/coverage/pods` gathers them (same file-name
//! rules, same choice among duplicate meta-data files, same ordering).

use std::collections::HashMap;

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use crate::error::Error;
use crate::format::{COUNTER_FILE_PREFIX, META_FILES_LIST, META_FILE_PREFIX};

/// One counter-data file of a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodCounterFile {
    pub path: Utf8PathBuf,
    /// Index of the input directory it came from (`None` for [`collect_pods_from_files`]).
    pub origin: Option<usize>,
    /// Process id from the file name.
    pub pid: u64,
}

/// A meta-data file and its counter-data files, in Go's order: by input directory, then path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    pub meta_file: Utf8PathBuf,
    /// The hash part of the file names (hex in files Go writes).
    pub tag: String,
    pub counter_files: Vec<PodCounterFile>,
}

/// Gather the pods of `dirs` (non-recursively). Pods are sorted by meta-data file path; when
/// several directories hold the same meta-data file the first one listed is used. Counter files
/// without a meta-data file are skipped, as Go skips them.
pub fn collect_pods<P: AsRef<Utf8Path>>(dirs: &[P]) -> Result<Vec<Pod>, Error> {
    Ok(collect(list(dirs)?))
}

/// Files of `dirs` that [`collect_pods`] passes over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Counter-data files whose meta-data file is in none of the directories (Go skips them
    /// without a word), with the name of the missing file.
    pub orphans: Vec<(Utf8PathBuf, String)>,
    /// Meta-data files named like one in an earlier directory, which is used instead:
    /// (used, passed over).
    pub shadowed: Vec<(Utf8PathBuf, Utf8PathBuf)>,
}

/// What [`collect_pods`] over the same `dirs` leaves out (the directories are listed again).
pub fn left_out<P: AsRef<Utf8Path>>(dirs: &[P]) -> Result<LeftOut, Error> {
    let files = list(dirs)?;
    let mut metas: HashMap<&str, &Utf8PathBuf> = HashMap::new();
    let mut out = LeftOut::default();
    for (path, _) in &files {
        if let Some(tag) = path.file_name().and_then(meta_tag) {
            match metas.get(tag) {
                Some(used) => out.shadowed.push(((*used).clone(), path.clone())),
                None => {
                    metas.insert(tag, path);
                }
            }
        }
    }
    for (path, _) in &files {
        if let Some((tag, _)) = path.file_name().and_then(counter_tag) {
            if !metas.contains_key(tag) {
                out.orphans
                    .push((path.clone(), format!("{META_FILE_PREFIX}.{tag}")));
            }
        }
    }
    Ok(out)
}

/// The files of `dirs` as Go lists them: each directory's names sorted, with its index.
fn list<P: AsRef<Utf8Path>>(dirs: &[P]) -> Result<Vec<(Utf8PathBuf, Option<usize>)>, Error> {
    let mut files = Vec::new();
    for (k, dir) in dirs.iter().enumerate() {
        let dir = dir.as_ref();
        let mut names = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let ty = entry.file_type().map_err(|e| {
                Error::io(dir.join(entry.file_name().to_string_lossy().as_ref()), e)
            })?;
            // Regular files and links to them only: opening a FIFO or a device that carries a
            // coverage file's name would block or never end (Go's reader opens them). A link
            // that leads nowhere (dangling, looping) is kept: if it carries a coverage file's
            // name, opening it fails and names it, as Go's reader does, instead of silently
            // changing the totals.
            let regular = ty.is_file()
                || (ty.is_symlink()
                    && std::fs::metadata(entry.path()).map_or(true, |m| m.is_file()));
            if !regular {
                continue;
            }
            // Go matches names with a regexp over UTF-8; other names cannot be coverage files
            // Go writes.
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort_unstable();
        files.extend(
            names
                .into_iter()
                .map(|n| (go_join(dir.as_str(), &n), Some(k))),
        );
    }
    Ok(files)
}

/// Like [`collect_pods`] over an explicit list of files.
pub fn collect_pods_from_files<P: AsRef<Utf8Path>>(files: &[P]) -> Vec<Pod> {
    collect(
        files
            .iter()
            .map(|f| (Utf8PathBuf::from(f.as_ref()), None))
            .collect(),
    )
}

fn collect(files: Vec<(Utf8PathBuf, Option<usize>)>) -> Vec<Pod> {
    let mut by_tag: HashMap<String, Pod> = HashMap::new();
    for (path, _) in &files {
        if let Some(tag) = path.file_name().and_then(meta_tag) {
            by_tag.entry(tag.to_owned()).or_insert_with(|| Pod {
                meta_file: path.clone(),
                tag: tag.to_owned(),
                counter_files: Vec::new(),
            });
        }
    }
    for (path, origin) in files {
        let Some((tag, pid)) = path.file_name().and_then(counter_tag) else {
            continue;
        };
        if let Some(pod) = by_tag.get_mut(tag) {
            pod.counter_files.push(PodCounterFile {
                path: path.clone(),
                origin,
                pid,
            });
        }
    }
    let mut pods: Vec<Pod> = by_tag.into_values().collect();
    for pod in &mut pods {
        pod.counter_files.sort_by(|a, b| {
            // Go sorts origin -1 (no directory) first.
            let key = |o: Option<usize>| o.map_or(-1, |v| v as i64);
            key(a.origin)
                .cmp(&key(b.origin))
                .then_with(|| a.path.as_str().cmp(b.path.as_str()))
        });
    }
    pods.sort_by(|a, b| a.meta_file.as_str().cmp(b.meta_file.as_str()));
    pods
}

/// Go's `\s` in regexp: ASCII tab, newline, form feed, carriage return, space.
fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// `^covmeta\.(\S+)$`
fn meta_tag(name: &str) -> Option<&str> {
    let tag = name.strip_prefix(META_FILE_PREFIX)?.strip_prefix('.')?;
    (!tag.is_empty() && !tag.contains(is_go_space)).then_some(tag)
}

/// `^covcounters\.(\S+)\.(\d+)\.(\d+)+$`, then the pid through `strconv.Atoi`.
fn counter_tag(name: &str) -> Option<(&str, u64)> {
    let rest = name.strip_prefix(COUNTER_FILE_PREFIX)?.strip_prefix('.')?;
    let (rest, time) = rest.rsplit_once('.')?;
    let (tag, pid) = rest.rsplit_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if tag.is_empty() || tag.contains(is_go_space) || !digits(pid) || !digits(time) {
        return None;
    }
    // Atoi on a 64-bit int: out-of-range pids make Go skip the file.
    let pid: i64 = pid.parse().ok()?;
    Some((tag, pid as u64))
}

/// `filepath.Join(dir, name)` on Unix: join with `/` and clean lexically, so paths print and
/// sort exactly as Go's do.
pub fn go_join(dir: &str, name: &str) -> Utf8PathBuf {
    let joined = match (dir.is_empty(), name.is_empty()) {
        (true, true) => return Utf8PathBuf::new(),
        (true, false) => name.to_owned(),
        (false, true) => dir.to_owned(),
        (false, false) => format!("{dir}/{name}"),
    };
    Utf8PathBuf::from(go_clean(&joined))
}

/// `filepath.Clean` on Unix.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let p = path.as_bytes();
    let n = p.len();
    let rooted = p[0] == b'/';
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        r = 1;
        dotdot = 1;
    }
    while r < n {
        if p[r] == b'/' || (p[r] == b'.' && (r + 1 == n || p[r + 1] == b'/')) {
            // empty or `.` element
            r += 1;
        } else if p[r] == b'.' && p[r + 1] == b'.' && (r + 2 == n || p[r + 2] == b'/') {
            r += 2;
            if out.len() > dotdot {
                // Drop the last element and the separator before it.
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && p[r] != b'/' {
                out.push(p[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        return ".".to_owned();
    }
    // Only whole UTF-8 sequences and ASCII separators were moved, so this cannot fail.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The JSON object `go test -coverpkg` writes to `metafiles.txt` in a test's coverage
/// directory: the packages being covered and a stand-alone meta-data file for each (in the
/// go command's work directory, which is gone once `go test` exits unless `-work` is given).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct MetaFileCollection {
    #[serde(rename = "ImportPaths", default)]
    pub import_paths: Vec<String>,
    #[serde(rename = "MetaFileFragments", default)]
    pub meta_file_fragments: Vec<String>,
}

impl MetaFileCollection {
    pub fn read(path: &Utf8Path) -> Result<Self, Error> {
        let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let c: MetaFileCollection =
            serde_json::from_slice(&data).map_err(|e| Error::MetaFilesList {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        if c.import_paths.len() != c.meta_file_fragments.len() {
            return Err(Error::MetaFilesList {
                path: path.to_owned(),
                message: format!(
                    "{} import paths but {} meta-data files",
                    c.import_paths.len(),
                    c.meta_file_fragments.len()
                ),
            });
        }
        Ok(c)
    }

    /// (import path, meta-data file) pairs.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.import_paths
            .iter()
            .map(String::as_str)
            .zip(self.meta_file_fragments.iter().map(String::as_str))
    }
}

/// The `metafiles.txt` files present in `dirs`, in directory order.
pub fn meta_files_lists<P: AsRef<Utf8Path>>(dirs: &[P]) -> Vec<Utf8PathBuf> {
    dirs.iter()
        .map(|d| d.as_ref().join(META_FILES_LIST))
        .filter(|p| p.is_file())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        // Cases from Go's path/filepath tests.
        let cases = [
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("", "."),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("/../abc", "/abc"),
            ("a/../b:/../../c", "../c"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ];
        for (input, want) in cases {
            assert_eq!(go_clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn file_name_rules() {
        assert_eq!(meta_tag("covmeta.abc"), Some("abc"));
        assert_eq!(meta_tag("covmeta."), None);
        assert_eq!(meta_tag("covmeta.a b"), None);
        assert_eq!(meta_tag("tmp.covmeta.abc"), None);
        assert_eq!(counter_tag("covcounters.abc.12.34"), Some(("abc", 12)));
        assert_eq!(counter_tag("covcounters.a.b.12.34"), Some(("a.b", 12)));
        assert_eq!(counter_tag("covcounters.abc.12"), None);
        assert_eq!(counter_tag("covcounters.abc.x.34"), None);
        assert_eq!(counter_tag("covcounters..12.34"), None);
        assert_eq!(counter_tag("covcounters.abc.99999999999999999999.1"), None);
    }
}
