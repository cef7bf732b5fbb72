//! Finding the Go source files a profile names.
//!
//! Profiles name files by import path (`example.com/m/pkg/file.go`). A [`Sources`] knows the
//! modules of a source tree (path and directory, from `go list -m -json` or, without `go`, from
//! `go.mod`/`go.work`) and the tree's root, and turns such a name into
//! - a path relative to the root (`pkg/file.go`), what LCOV `SF:` and Cobertura `filename`
//!   carry so that genhtml (run in the root), codecov, GitLab and Jenkins find the file, and
//! - the file on disk, for the HTML pages.
//!
//! A file outside every known module keeps its profile name and has no file on disk, unless
//! the name is itself an absolute path that exists.

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{dir}: not a directory")]
    NotADir { dir: Utf8PathBuf },
    #[error("{file}: {why}")]
    Read { file: Utf8PathBuf, why: String },
}

/// One module: its path and the directory holding its `go.mod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub dir: Utf8PathBuf,
}

/// Where the profile's files are, see the module docs.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    root: Option<Utf8PathBuf>,
    /// Longest path first, so nested modules win.
    modules: Vec<Module>,
}

/// A profile file name resolved against [`Sources`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Relative to the source root when the file is in a known module under it, else the
    /// absolute path (module outside the root) or the profile name (unknown module).
    pub rel: String,
    /// The file on disk, when it is in a known module (whether or not it exists).
    pub abs: Option<Utf8PathBuf>,
}

#[derive(Deserialize)]
struct GoListModule {
    #[serde(rename = "Path")]
    path: String,
    #[serde(rename = "Dir")]
    dir: Option<String>,
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
        Sources { root, modules }
    }

    /// The modules of the tree at `dir`: `go list -m -json` run there (workspaces list every
    /// module), falling back to reading `go.mod` / `go.work` when `go` is missing or fails.
    /// `dir` becomes the root.
    pub fn discover(dir: &Utf8Path) -> Result<Self, SourceError> {
        if !dir.is_dir() {
            return Err(SourceError::NotADir {
                dir: dir.to_owned(),
            });
        }
        let root = absolute(dir);
        let modules = match go_list_modules(&root) {
            Some(m) if !m.is_empty() => m,
            _ => read_mod_files(&root)?,
        };
        Ok(Sources::new(Some(root), modules))
    }

    pub fn root(&self) -> Option<&Utf8Path> {
        self.root.as_deref()
    }

    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// Resolve a profile file name (see [`Located`]).
    pub fn locate(&self, name: &str) -> Located {
        for m in &self.modules {
            let Some(rest) = name
                .strip_prefix(m.path.as_str())
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            let abs = m.dir.join(rest);
            let rel = match self.root.as_deref().and_then(|r| abs.strip_prefix(r).ok()) {
                Some(rel) => rel.as_str().to_owned(),
                None => abs.as_str().to_owned(),
            };
            return Located {
                rel,
                abs: Some(abs),
            };
        }
        let as_path = Utf8Path::new(name);
        Located {
            rel: name.to_owned(),
            abs: (as_path.is_absolute() && as_path.is_file()).then(|| as_path.to_owned()),
        }
    }
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
        assert_eq!(s.locate("ex.com/far/f.go").rel, "/elsewhere/f.go");
        assert_eq!(
            s.locate("ex.com/mm/f.go"),
            Located {
                rel: "ex.com/mm/f.go".into(),
                abs: None
            }
        );
    }
}
