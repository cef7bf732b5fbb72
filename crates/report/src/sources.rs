//! Finding the Go source files a profile names.
//!
//! Profiles name files by import path (`example.com/m/pkg/file.go`). A [`Sources`] knows the
//! root that report paths are relative to, the modules under it, and (after
//! [`Sources::resolve_packages`]) each package's directory as `go list` gives it, which is
//! how `go tool cover` finds sources: the standard library, the module cache, `vendor/` and
//! go.work modules. It turns such a name into
//! - a path relative to the root (`pkg/file.go`), what LCOV `SF:` and Cobertura `filename`
//!   carry so that genhtml (run in the root), codecov, GitLab and Jenkins find the file; a
//!   file outside the root (standard library, module cache) keeps its profile name, so no
//!   report carries a machine's absolute paths, and
//! - the file on disk, for the HTML pages.
//!
//! The root is, by default, the repository's: the directory of a go.work, else the git top
//! level, else the module (see [`default_root`]). A repository root without go.mod (a
//! monorepo of several modules) is searched for the go.mod files under it. Explicit
//! [`PathMapping`]s (`--path-mapping OLD=NEW`) map an import-path prefix to a directory, and
//! a prefix directory (`--prefix-dir`) replaces the root that paths are relative to.

use std::collections::{HashMap, HashSet};

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{dir}: not a directory")]
    NotADir { dir: Utf8PathBuf },
    #[error("{file}: {why}")]
    Read { file: Utf8PathBuf, why: String },
    #[error(
        "path mapping {spec:?}: want OLD=NEW, with OLD an import path prefix and NEW a directory"
    )]
    BadMapping { spec: String },
}

/// One module: its path and the directory holding its `go.mod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub dir: Utf8PathBuf,
}

/// `OLD=NEW`: files whose import path starts with `OLD` are under the directory `NEW`
/// (relative to the root, or absolute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMapping {
    pub from: String,
    pub to: String,
}

impl PathMapping {
    /// Parse `OLD=NEW`.
    pub fn parse(spec: &str) -> Result<Self, SourceError> {
        match spec.split_once('=') {
            Some((from, to)) if !from.is_empty() && !to.is_empty() => Ok(PathMapping {
                from: from.trim_end_matches('/').to_owned(),
                to: to.trim_end_matches('/').to_owned(),
            }),
            _ => Err(SourceError::BadMapping {
                spec: spec.to_owned(),
            }),
        }
    }
}

/// Where the profile's files are, see the module docs.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    root: Option<Utf8PathBuf>,
    /// Longest path first, so nested modules win.
    modules: Vec<Module>,
    /// Import path → directory, from `go list`.
    packages: HashMap<String, Utf8PathBuf>,
    /// Longest prefix first.
    mappings: Vec<PathMapping>,
    /// What report paths are relative to, when not the root.
    prefix_dir: Option<Utf8PathBuf>,
}

/// A profile file name resolved against [`Sources`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Relative to the source root when the file is under it; else the profile name (or,
    /// with no root at all, the absolute path of a file in an explicitly given module).
    pub rel: String,
    /// The file on disk, when its directory is known (whether or not it exists).
    pub abs: Option<Utf8PathBuf>,
}

#[derive(Deserialize)]
struct GoListModule {
    #[serde(rename = "Path")]
    path: String,
    #[serde(rename = "Dir")]
    dir: Option<String>,
}

#[derive(Deserialize)]
struct GoListPackage {
    #[serde(rename = "ImportPath")]
    import_path: String,
    #[serde(rename = "Dir", default)]
    dir: Option<String>,
    #[serde(rename = "Module", default)]
    module: Option<GoListModule>,
}

/// Directories never searched for go.mod files.
fn skipped_dir(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('_')
        || matches!(name, "vendor" | "testdata" | "node_modules")
}

/// The default report root for a command run in `cwd`: the nearest directory holding a
/// go.work, else the git top level (a `.git` directory or file), else the nearest go.mod's.
pub fn default_root(cwd: &Utf8Path) -> Option<Utf8PathBuf> {
    let find = |marker: &str| cwd.ancestors().find(|d| d.join(marker).exists());
    find("go.work")
        .or_else(|| find(".git"))
        .or_else(|| find("go.mod"))
        .map(ToOwned::to_owned)
}

impl Sources {
    /// No sources: file names stay as the profile has them.
    pub fn none() -> Self {
        Sources::default()
    }

    /// Explicit root and modules.
    pub fn new(root: Option<Utf8PathBuf>, modules: Vec<Module>) -> Self {
        let mut modules = modules;
        modules.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(a.path.cmp(&b.path)));
        modules.dedup();
        Sources {
            root,
            modules,
            ..Sources::default()
        }
    }

    /// The modules of the tree at `dir`: `go list -m -json` run there (workspaces list every
    /// module), falling back to reading `go.mod` / `go.work` when `go` is missing or fails,
    /// plus every go.mod found under `dir` (skipping hidden, `_`, `vendor`, `testdata` and
    /// `node_modules` directories). `dir` becomes the root.
    pub fn discover(dir: &Utf8Path) -> Result<Self, SourceError> {
        if !dir.is_dir() {
            return Err(SourceError::NotADir {
                dir: dir.to_owned(),
            });
        }
        let root = absolute(dir);
        let mut modules = match go_list_modules(&root) {
            Some(m) if !m.is_empty() => m,
            _ => read_mod_files(&root)?,
        };
        modules.extend(modules_under(&root));
        Ok(Sources::new(Some(root), modules))
    }

    /// Map import-path prefixes to directories (see [`PathMapping`]); they win over modules
    /// and packages.
    pub fn with_mappings(mut self, mappings: Vec<PathMapping>) -> Self {
        self.mappings = mappings;
        self.mappings
            .sort_by(|a, b| b.from.len().cmp(&a.from.len()).then(a.from.cmp(&b.from)));
        self
    }

    /// Make paths relative to `dir` instead of the root (grcov's `--prefix-dir`).
    pub fn with_prefix_dir(mut self, dir: &Utf8Path) -> Self {
        self.prefix_dir = Some(absolute(dir));
        self
    }

    /// The directory report paths are relative to: the prefix directory, else the root.
    pub fn root(&self) -> Option<&Utf8Path> {
        self.prefix_dir.as_deref().or(self.root.as_deref())
    }

    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// Find the directories of `import_paths` that no module or mapping covers, as `go tool
    /// cover` does, with `go list -find -e`: run in the root, then in the directories of the
    /// modules holding the profile's packages (their dependencies resolve there: module
    /// cache, `vendor/`), then in the modules `go list` itself reported (GOROOT's `cmd`
    /// module for its vendored packages). Packages still unresolved stay without source;
    /// without `go` nothing changes.
    pub fn resolve_packages<'a>(&mut self, import_paths: impl IntoIterator<Item = &'a str>) {
        let mut wanted: Vec<&str> = Vec::new();
        let mut dirs: Vec<Utf8PathBuf> = self.root.iter().cloned().collect();
        for p in import_paths {
            match self.module_of(p) {
                Some(m) if !dirs.contains(&m.dir) => dirs.push(m.dir.clone()),
                Some(_) => {}
                None if self.mapping_of(p).is_none() => wanted.push(p),
                None => {}
            }
        }
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(cwd) = Utf8PathBuf::from_path_buf(cwd) {
                dirs.push(cwd);
            }
        }
        let mut tried = HashSet::new();
        let mut i = 0;
        while i < dirs.len() && !wanted.is_empty() {
            let dir = dirs[i].clone();
            i += 1;
            if !tried.insert(dir.clone()) || !dir.is_dir() {
                continue;
            }
            let Some(found) = go_list_packages(&dir, &wanted) else {
                return; // no `go`
            };
            for pkg in found {
                if let Some(mdir) = pkg.module.and_then(|m| m.dir) {
                    let mdir = Utf8PathBuf::from(mdir);
                    if !dirs.contains(&mdir) {
                        dirs.push(mdir);
                    }
                }
                if let Some(d) = pkg.dir.filter(|d| !d.is_empty()) {
                    self.packages.insert(pkg.import_path, Utf8PathBuf::from(d));
                }
            }
            wanted.retain(|p| !self.packages.contains_key(*p));
        }
    }

    fn module_of(&self, import_path: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| under(import_path, &m.path).is_some())
    }

    fn mapping_of<'n>(&self, name: &'n str) -> Option<(&PathMapping, &'n str)> {
        self.mappings
            .iter()
            .find_map(|m| under(name, &m.from).map(|rest| (m, rest)))
    }

    /// Resolve a profile file name (see [`Located`]).
    pub fn locate(&self, name: &str) -> Located {
        let mut from_module = false;
        let abs = if let Some((m, rest)) = self.mapping_of(name) {
            let to = Utf8Path::new(&m.to);
            let dir = match &self.root {
                Some(root) if to.is_relative() => root.join(to),
                _ => to.to_owned(),
            };
            Some(if rest.is_empty() { dir } else { dir.join(rest) })
        } else if let Some((m, rest)) = self
            .modules
            .iter()
            .find_map(|m| under(name, &m.path).map(|rest| (m, rest)))
        {
            from_module = true;
            Some(m.dir.join(rest))
        } else {
            name.rsplit_once('/')
                .and_then(|(pkg, base)| self.packages.get(pkg).map(|d| d.join(base)))
        };
        let Some(abs) = abs else {
            let as_path = Utf8Path::new(name);
            return Located {
                rel: name.to_owned(),
                abs: (as_path.is_absolute() && as_path.is_file()).then(|| as_path.to_owned()),
            };
        };
        let rel = match self.root() {
            Some(root) => match abs.strip_prefix(root) {
                Ok(rel) => rel.as_str().to_owned(),
                Err(_) => name.to_owned(),
            },
            // Explicit modules without a root: absolute, as callers that name them expect.
            None if from_module => abs.as_str().to_owned(),
            None => name.to_owned(),
        };
        Located {
            rel,
            abs: Some(abs),
        }
    }
}

/// `name` with the path prefix `prefix` removed (at a `/` boundary), or `None`.
fn under<'n>(name: &'n str, prefix: &str) -> Option<&'n str> {
    let rest = name.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

/// The go.mod files under `root`, by walking it.
fn modules_under(root: &Utf8Path) -> Vec<Module> {
    // A bound on the walk, so that a root like `/` does not take forever.
    const MAX_DIRS: usize = 50_000;
    let mut modules = Vec::new();
    let mut stack = vec![root.to_owned()];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        seen += 1;
        if seen > MAX_DIRS {
            break;
        }
        let gomod = dir.join("go.mod");
        if let Some(path) = std::fs::read_to_string(&gomod)
            .ok()
            .and_then(|t| module_path(&t))
        {
            modules.push(Module {
                path,
                dir: dir.clone(),
            });
        }
        let Ok(entries) = dir.read_dir_utf8() else {
            continue;
        };
        let mut subdirs: Vec<Utf8PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && !skipped_dir(e.file_name()))
            .map(|e| e.path().to_owned())
            .collect();
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    modules
}

fn go_list_packages(dir: &Utf8Path, import_paths: &[&str]) -> Option<Vec<GoListPackage>> {
    let sh = xshell::Shell::new().ok()?;
    sh.change_dir(dir);
    let mut found = Vec::new();
    // Bounded command lines.
    for chunk in import_paths.chunks(500) {
        let out = xshell::cmd!(
            sh,
            "go list -find -e -json=ImportPath,Dir,Module {chunk...}"
        )
        .quiet()
        .ignore_stderr()
        .ignore_status()
        .output()
        .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        found.extend(
            serde_json::Deserializer::from_str(&text)
                .into_iter::<GoListPackage>()
                .map_while(Result::ok),
        );
    }
    Some(found)
}

fn absolute(dir: &Utf8Path) -> Utf8PathBuf {
    dir.canonicalize_utf8().unwrap_or_else(|_| dir.to_owned())
}

fn go_list_modules(dir: &Utf8Path) -> Option<Vec<Module>> {
    let sh = xshell::Shell::new().ok()?;
    sh.change_dir(dir);
    let out = xshell::cmd!(sh, "go list -m -json")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()?;
    let mut modules = Vec::new();
    for item in serde_json::Deserializer::from_str(&out).into_iter::<GoListModule>() {
        let item = item.ok()?;
        if let Some(d) = item.dir {
            modules.push(Module {
                path: item.path,
                dir: absolute(Utf8Path::new(&d)),
            });
        }
    }
    Some(modules)
}

/// `go.work`'s `use` directories, or `go.mod` itself, in `dir`.
fn read_mod_files(dir: &Utf8Path) -> Result<Vec<Module>, SourceError> {
    let work = dir.join("go.work");
    let mod_dirs: Vec<Utf8PathBuf> = if work.is_file() {
        let text = read(&work)?;
        use_dirs(&text).into_iter().map(|d| dir.join(d)).collect()
    } else {
        vec![dir.to_owned()]
    };
    let mut modules = Vec::new();
    for d in mod_dirs {
        let gomod = d.join("go.mod");
        if !gomod.is_file() {
            continue;
        }
        if let Some(path) = module_path(&read(&gomod)?) {
            modules.push(Module {
                path,
                dir: absolute(&d),
            });
        }
    }
    Ok(modules)
}

fn read(file: &Utf8Path) -> Result<String, SourceError> {
    std::fs::read_to_string(file).map_err(|e| SourceError::Read {
        file: file.to_owned(),
        why: e.to_string(),
    })
}

/// The `module` directive of a go.mod.
pub fn module_path(gomod: &str) -> Option<String> {
    gomod.lines().find_map(|l| {
        let rest = strip_comment(l).trim().strip_prefix("module")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        Some(rest.trim().trim_matches('"').to_owned()).filter(|p| !p.is_empty())
    })
}

/// The directories of a go.work's `use` directives, single-line and block forms.
fn use_dirs(gowork: &str) -> Vec<String> {
    let mut dirs = Vec::new();
    let mut in_block = false;
    for line in gowork.lines() {
        let line = strip_comment(line).trim();
        if in_block {
            if line == ")" {
                in_block = false;
            } else if !line.is_empty() {
                dirs.push(line.trim_matches('"').to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("use") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
            } else if !rest.is_empty() {
                dirs.push(rest.trim_matches('"').to_owned());
            }
        }
    }
    dirs
}

fn strip_comment(line: &str) -> &str {
    line.split_once("//").map_or(line, |(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mod_and_work_files() {
        assert_eq!(
            module_path("// c\nmodule example.com/x // trailing\n\ngo 1.21\n").as_deref(),
            Some("example.com/x")
        );
        assert_eq!(module_path("modulex y\n"), None);
        assert_eq!(
            use_dirs("go 1.22\nuse ./a\nuse (\n\t./b // c\n\t\"./c d\"\n)\n"),
            ["./a", "./b", "./c d"]
        );
    }

    #[test]
    fn path_mappings_and_prefix_dir() {
        assert!(PathMapping::parse("a=").is_err() && PathMapping::parse("nothing").is_err());
        let s = Sources::new(Some("/repo".into()), vec![]).with_mappings(vec![
            PathMapping::parse("ex.com/svc=services/svc/").unwrap(),
            PathMapping::parse("ex.com/svc/gen=/abs/gen").unwrap(),
        ]);
        let l = s.locate("ex.com/svc/pkg/f.go");
        assert_eq!(l.rel, "services/svc/pkg/f.go");
        assert_eq!(l.abs.unwrap(), "/repo/services/svc/pkg/f.go");
        // The longest prefix wins; outside the root the profile name stays.
        let l = s.locate("ex.com/svc/gen/g.go");
        assert_eq!(
            (l.rel.as_str(), l.abs.unwrap().as_str()),
            ("ex.com/svc/gen/g.go", "/abs/gen/g.go")
        );
        // Only at a `/` boundary.
        assert_eq!(s.locate("ex.com/svcx/f.go").abs, None);
        let s = s.with_prefix_dir(Utf8Path::new("/repo/services"));
        assert_eq!(s.locate("ex.com/svc/pkg/f.go").rel, "svc/pkg/f.go");
    }

    #[test]
    fn locates_nested_modules_and_unknown_files() {
        let s = Sources::new(
            Some("/src".into()),
            vec![
                Module {
                    path: "ex.com/m".into(),
                    dir: "/src".into(),
                },
                Module {
                    path: "ex.com/m/sub".into(),
                    dir: "/src/sub".into(),
                },
                Module {
                    path: "ex.com/far".into(),
                    dir: "/elsewhere".into(),
                },
            ],
        );
        assert_eq!(s.locate("ex.com/m/a/b.go").rel, "a/b.go");
        assert_eq!(s.locate("ex.com/m/sub/x.go").abs.unwrap(), "/src/sub/x.go");
        assert_eq!(s.locate("ex.com/m/sub/x.go").rel, "sub/x.go");
        // Outside the root: the profile name, never a machine's absolute path.
        assert_eq!(s.locate("ex.com/far/f.go").rel, "ex.com/far/f.go");
        assert_eq!(s.locate("ex.com/far/f.go").abs.unwrap(), "/elsewhere/f.go");
        assert_eq!(
            s.locate("ex.com/mm/f.go"),
            Located {
                rel: "ex.com/mm/f.go".into(),
                abs: None
            }
        );
    }
}
