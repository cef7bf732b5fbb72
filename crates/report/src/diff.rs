//! Changed-line (patch) coverage: which of a change's statements ran.
//!
//! The change is a unified diff (`--diff FILE`, parsed by `diffy`, plain or git's extended
//! format) or `git diff BASE...HEAD` in the repository around the sources (`--diff-base`).
//! A block counts as changed when any of its lines (under the line rule of [`crate::model`])
//! was added or changed in the new version; changed statements are the statements of changed
//! blocks, weighted as Go weights them. Files of the diff that hold no instrumented code are
//! left out of the figure and listed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use camino::{Utf8Path, Utf8PathBuf};
use diffy::patch_set::{FileOperation, ParseOptions, PatchKind, PatchSet};

use crate::model::{Coverage, FileCov, Totals};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{origin}: not a unified diff: {why}")]
    Parse { origin: String, why: String },
    #[error("{origin}: not UTF-8 text")]
    NotText { origin: String },
    #[error("{path}: cannot read the diff: {source}")]
    Io {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{dir}: `{command}` failed: {why}")]
    Git {
        dir: Utf8PathBuf,
        command: String,
        why: String,
    },
}

/// The lines each file of a change added or changed, numbered in the new version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Path in the diff (relative to the repository root, `a/`/`b/` prefixes removed) → lines.
    pub files: BTreeMap<String, BTreeSet<u32>>,
}

impl Changes {
    /// Parse a unified diff; `origin` names it in errors.
    pub fn parse(diff: &[u8], origin: &str) -> Result<Changes, DiffError> {
        let text = std::str::from_utf8(diff).map_err(|_| DiffError::NotText {
            origin: origin.to_owned(),
        })?;
        let git = text.starts_with("diff --git ") || text.contains("\ndiff --git ");
        let opts = if git {
            ParseOptions::gitdiff()
        } else {
            ParseOptions::unidiff()
        };
        let mut changes = Changes::default();
        for file in PatchSet::parse(text, opts) {
            let file = file.map_err(|e| DiffError::Parse {
                origin: origin.to_owned(),
                why: e.to_string(),
            })?;
            let Some(path) = new_path(file.operation()) else {
                continue; // deleted
            };
            let lines = changes.files.entry(path).or_default();
            if let PatchKind::Text(patch) = file.patch() {
                for hunk in patch.hunks() {
                    let mut line = hunk.new_range().start();
                    for l in hunk.lines() {
                        match l {
                            diffy::Line::Context(_) => line += 1,
                            diffy::Line::Insert(_) => {
                                lines.insert(u32::try_from(line).unwrap_or(u32::MAX));
                                line += 1;
                            }
                            diffy::Line::Delete(_) => {}
                        }
                    }
                }
            }
        }
        Ok(changes)
    }

    /// Read a diff file, or stdin for `-`.
    pub fn read(path: &Utf8Path) -> Result<Changes, DiffError> {
        let data = if path == "-" {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|source| {
                DiffError::Io {
                    path: path.to_owned(),
                    source,
                }
            })?;
            buf
        } else {
            std::fs::read(path).map_err(|source| DiffError::Io {
                path: path.to_owned(),
                source,
            })?
        };
        let origin = if path == "-" { "stdin" } else { path.as_str() };
        Changes::parse(&data, origin)
    }

    /// The changes of `git diff BASE...HEAD` (from the merge base to HEAD) in the repository
    /// holding `dir`, and that repository's root, which the paths are relative to.
    pub fn from_git(dir: &Utf8Path, base: &str) -> Result<(Changes, Utf8PathBuf), DiffError> {
        let root = repo_root(dir).map_err(|why| DiffError::Git {
            dir: dir.to_owned(),
            command: "git rev-parse --show-toplevel".to_owned(),
            why,
        })?;
        let range = format!("{base}...HEAD");
        let out = git(
            &root,
            &[
                "-c",
                "core.quotePath=false",
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--unified=0",
                "--src-prefix=a/",
                "--dst-prefix=b/",
                &range,
                "--",
            ],
        )
        .map_err(|why| DiffError::Git {
            dir: root.clone(),
            command: format!("git diff {range}"),
            why,
        })?;
        let changes = Changes::parse(&out, &format!("git diff {range}"))?;
        Ok((changes, root))
    }
}

/// The root of the git work tree holding `dir`.
pub fn repo_root(dir: &Utf8Path) -> Result<Utf8PathBuf, String> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    let top = String::from_utf8(out).map_err(|_| "a non-UTF-8 path".to_owned())?;
    let top = Utf8PathBuf::from(top.trim_end_matches(['\n', '\r']));
    Ok(top.canonicalize_utf8().unwrap_or(top))
}

fn git(dir: &Utf8Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let sh = xshell::Shell::new().map_err(|e| e.to_string())?;
    let out = xshell::cmd!(sh, "git -C {dir} {args...}")
        .quiet()
        .ignore_status()
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().next().unwrap_or("failed").trim().to_owned());
    }
    Ok(out.stdout)
}

/// The path a file has after the change; `None` when the change deletes it.
fn new_path(op: &FileOperation<'_, str>) -> Option<String> {
    let (old, new) = match op {
        FileOperation::Delete(_) => return None,
        FileOperation::Create(p) => (None, p.as_ref()),
        FileOperation::Modify { original, modified } => {
            (Some(original.as_ref()), modified.as_ref())
        }
        FileOperation::Rename { from, to } | FileOperation::Copy { from, to } => {
            (Some(from.as_ref()), to.as_ref())
        }
    };
    // git's `a/` and `b/` prefixes (a diff made with --no-prefix has none).
    let prefixed = new.starts_with("b/") && old.map_or(true, |o| o.starts_with("a/"));
    Some(if prefixed { &new[2..] } else { new }.to_owned())
}

/// Lines `first..=last` of a file (relative to the source root, as the reports name it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRange {
    pub path: String,
    pub first: u32,
    pub last: u32,
}

impl std::fmt::Display for LineRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}-{}", self.path, self.first, self.last)
    }
}

/// The coverage of a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchCoverage {
    /// Changed statements, and how many of them ran.
    pub totals: Totals,
    /// Changed lines in changed blocks that never ran, by file and line.
    pub uncovered: Vec<LineRange>,
    /// Files of the diff without instrumented code (paths as in the diff).
    pub uninstrumented: Vec<String>,
    /// Changed statements per instrumented file of the diff (path relative to the source root).
    pub files: Vec<(String, Totals)>,
}

/// Match the change against the coverage. Paths in `changes` are relative to `root` (the
/// repository root); files are matched by their location on disk under it, else by their
/// report path, else (a file whose module is unknown) by the longest tail of the diff's path
/// that ends exactly one profile name.
pub fn patch_coverage(cov: &Coverage, changes: &Changes, root: Option<&Utf8Path>) -> PatchCoverage {
    let root = root.map(|r| r.canonicalize_utf8().unwrap_or_else(|_| r.to_owned()));
    let mut by_key: HashMap<String, &FileCov> = HashMap::new();
    for (_, f) in cov.files() {
        by_key.entry(f.path.clone()).or_insert(f);
        let in_root = root
            .as_deref()
            .zip(f.source.as_deref())
            .and_then(|(r, s)| s.strip_prefix(r).ok());
        if let Some(rel) = in_root {
            // Exact location wins over a report path that happens to be equal.
            by_key.insert(rel.as_str().to_owned(), f);
        }
    }
    let unlocated: Vec<&FileCov> = cov
        .files()
        .map(|(_, f)| f)
        .filter(|f| f.source.is_none())
        .collect();
    let mut out = PatchCoverage::default();
    for (path, lines) in &changes.files {
        let found = by_key
            .get(path.as_str())
            .copied()
            .or_else(|| by_suffix(&unlocated, path));
        let Some(f) = found else {
            out.uninstrumented.push(path.clone());
            continue;
        };
        let mut file_totals = Totals::default();
        let mut uncovered: BTreeSet<u32> = BTreeSet::new();
        for b in &f.blocks {
            let span = b.lines();
            if lines.range(span.clone()).next().is_none() {
                continue;
            }
            file_totals.add(b.totals());
            if b.count == 0 {
                uncovered.extend(lines.range(span));
            }
        }
        out.totals.add(file_totals);
        out.files.push((f.path.clone(), file_totals));
        out.uncovered
            .extend(ranges(&uncovered).map(|(first, last)| LineRange {
                path: f.path.clone(),
                first,
                last,
            }));
    }
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    out.uncovered
        .sort_by(|a, b| (&a.path, a.first).cmp(&(&b.path, b.first)));
    out
}

/// A file whose source was not found (no module known for it), matched by the longest tail
/// of `path` (whole components) that ends exactly one profile name.
fn by_suffix<'a>(unlocated: &[&'a FileCov], path: &str) -> Option<&'a FileCov> {
    let mut tail = path;
    loop {
        let mut hits = unlocated.iter().filter(|f| {
            f.name
                .strip_suffix(tail)
                .is_some_and(|head| head.ends_with('/'))
        });
        match (hits.next(), hits.next()) {
            (Some(f), None) => return Some(f),
            (Some(_), Some(_)) => return None, // ambiguous
            _ => tail = tail.split_once('/')?.1,
        }
    }
}

/// Runs of consecutive numbers.
fn ranges(lines: &BTreeSet<u32>) -> impl Iterator<Item = (u32, u32)> + '_ {
    let mut it = lines.iter().copied().peekable();
    std::iter::from_fn(move || {
        let first = it.next()?;
        let mut last = first;
        while it.peek() == Some(&(last + 1)) {
            last += 1;
            it.next();
        }
        Some((first, last))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_and_plain_diffs() {
        let git = "diff --git a/p/a.go b/p/a.go
index 1..2 100644
--- a/p/a.go
+++ b/p/a.go
@@ -3,0 +4,2 @@ func A() {
+\tx()
+\ty()
@@ -10 +12 @@ func B() {
-\told()
+\tnew()
diff --git a/gone.go b/gone.go
deleted file mode 100644
index 1..0
--- a/gone.go
+++ /dev/null
@@ -1 +0,0 @@
-package p
diff --git a/new.txt b/new.txt
new file mode 100644
index 0..1
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+hello
";
        let c = Changes::parse(git.as_bytes(), "t").unwrap();
        assert_eq!(c.files.len(), 2, "{c:?}");
        assert_eq!(c.files["p/a.go"], BTreeSet::from([4, 5, 12]));
        assert_eq!(c.files["new.txt"], BTreeSet::from([1]));

        let plain = "--- a.go\t2024-01-01\n+++ a.go\t2024-01-02\n@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n";
        let c = Changes::parse(plain.as_bytes(), "t").unwrap();
        assert_eq!(c.files["a.go"], BTreeSet::from([2]));
    }

    #[test]
    fn bad_diffs_are_errors_naming_the_origin() {
        let e = Changes::parse(b"--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n+only one\n", "my.diff")
            .unwrap_err();
        assert!(
            e.to_string().starts_with("my.diff: not a unified diff"),
            "{e}"
        );
        let e = Changes::parse(b"\xff\xfe", "bin.diff").unwrap_err();
        assert_eq!(e.to_string(), "bin.diff: not UTF-8 text");
    }

    #[test]
    fn damaged_diffs_never_panic() {
        let diff = "diff --git a/p/a.go b/p/a.go\nindex 1..2 100644\n--- a/p/a.go\n+++ b/p/a.go\n\
                    @@ -3,0 +4,2 @@ func A() {\n+\tx()\n+\ty()\n@@ -10 +12 @@\n-\told()\n+\tnew()\n";
        for cut in 0..=diff.len() {
            let _ = Changes::parse(&diff.as_bytes()[..cut], "t");
        }
        for (i, _) in diff.char_indices() {
            for junk in ["9999999999999999999999", "@@", "\n", "-", "+", " "] {
                let damaged = format!("{}{junk}{}", &diff[..i], &diff[i..]);
                let _ = Changes::parse(damaged.as_bytes(), "t");
            }
        }
    }

    #[test]
    fn files_without_sources_match_by_unique_tail() {
        let file = |name: &str| FileCov {
            name: name.into(),
            path: name.into(),
            source: None,
            functions: Vec::new(),
            blocks: Vec::new(),
        };
        let (a, b, c) = (
            file("example.com/m/pkg/a.go"),
            file("example.com/m/x/util.go"),
            file("example.com/m/y/util.go"),
        );
        let files = [&a, &b, &c];
        assert_eq!(
            by_suffix(&files, "sub/pkg/a.go").map(|f| &f.name),
            Some(&a.name)
        );
        assert_eq!(
            by_suffix(&files, "x/util.go").map(|f| &f.name),
            Some(&b.name)
        );
        assert!(by_suffix(&files, "util.go").is_none(), "ambiguous");
        assert!(by_suffix(&files, "README.md").is_none());
        assert!(by_suffix(&files, "pkg/xa.go").is_none());
    }

    #[test]
    fn runs_of_lines() {
        let s = BTreeSet::from([1, 2, 3, 5, 7, 8]);
        assert_eq!(ranges(&s).collect::<Vec<_>>(), [(1, 3), (5, 5), (7, 8)]);
    }
}
