//! The module or `go.work` workspace around a directory.

use camino::{Utf8Path, Utf8PathBuf};
use report::{Module, Sources};
use xshell::{cmd, Shell};

use crate::{Error, Result};

/// The main module(s) `go test` sees from a directory.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory of `go.work`, or of `go.mod` outside a workspace: report paths are
    /// relative to it.
    pub root: Utf8PathBuf,
    /// Every main module, sorted by path.
    pub modules: Vec<Module>,
}

impl Workspace {
    /// Ask `go` (run in `dir`, which may be any directory below the module or workspace).
    pub fn find(go: &Utf8Path, dir: &Utf8Path) -> Result<Self> {
        let sh = Shell::new().map_err(|source| go_err("go env", dir, source))?;
        sh.change_dir(dir);
        let env = cmd!(sh, "{go} env GOWORK GOMOD")
            .quiet()
            .read()
            .map_err(|source| go_err("go env GOWORK GOMOD", dir, source))?;
        let mut lines = env.lines().map(str::trim);
        let gowork = lines.next().unwrap_or("");
        let gomod = lines.next().unwrap_or("");
        let marker = if !gowork.is_empty() && gowork != "off" {
            gowork
        } else if !gomod.is_empty() && gomod != std::path::MAIN_SEPARATOR_STR && !is_null(gomod) {
            gomod
        } else {
            return Err(Error::NoModule {
                dir: dir.to_owned(),
            });
        };
        let root = Utf8Path::new(marker).parent().unwrap_or(dir).to_owned();
        let sources = Sources::discover(&root)?;
        let mut modules = sources.modules().to_vec();
        modules.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Workspace { root, modules })
    }

    /// Several workspaces as one (`cargo xtask cover --module A --module B`); the root is the
    /// first one's.
    pub fn join(all: Vec<Workspace>) -> Option<Self> {
        let mut iter = all.into_iter();
        let mut first = iter.next()?;
        for w in iter {
            for m in w.modules {
                if !first.modules.contains(&m) {
                    first.modules.push(m);
                }
            }
        }
        first.modules.sort_by(|a, b| a.path.cmp(&b.path));
        Some(first)
    }

    /// `-coverpkg`'s value: every main module and its packages.
    pub fn coverpkg(&self) -> String {
        self.modules
            .iter()
            .map(|m| format!("{}/...", m.path))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Where the reports find the source files.
    pub fn sources(&self) -> Sources {
        Sources::new(Some(self.root.clone()), self.modules.clone())
    }
}

/// `go env GOMOD` says `/dev/null` (or `NUL`) in GOPATH mode with GO111MODULE=on.
fn is_null(gomod: &str) -> bool {
    gomod == "/dev/null" || gomod.eq_ignore_ascii_case("NUL")
}

fn go_err(command: &str, dir: &Utf8Path, source: xshell::Error) -> Error {
    Error::Go {
        command: command.to_owned(),
        dir: dir.to_owned(),
        error: source,
    }
}
