//! Asking a `go` command which GOROOT and release it is.

use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::Error;

/// A Go installation as its `go env` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoInstall {
    /// The command that was asked.
    pub go: Utf8PathBuf,
    /// `go env GOROOT`.
    pub goroot: Utf8PathBuf,
    /// `go env GOVERSION`, e.g. `go1.26.8`.
    pub version: String,
}

impl GoInstall {
    /// An installation described by hand (for a GOROOT tree that has no working `go`).
    pub fn new(goroot: impl Into<Utf8PathBuf>, version: impl Into<String>) -> Self {
        let goroot = goroot.into();
        GoInstall {
            go: goroot.join("bin").join("go"),
            goroot,
            version: version.into(),
        }
    }
}

/// Runs `go env GOROOT GOVERSION` with the given `go` (a path, or a name looked up on PATH).
/// The environment is inherited, so `GOTOOLCHAIN` and `GOROOT` mean what they mean to the user's
/// own `go test`.
pub fn probe(go: &Utf8Path) -> Result<GoInstall, Error> {
    let spawn = |source| Error::GoSpawn {
        go: go.to_string(),
        source,
    };
    let sh = Shell::new().map_err(spawn)?;
    let out = cmd!(sh, "{go} env GOROOT GOVERSION")
        .quiet()
        .ignore_status()
        .output()
        .map_err(spawn)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(Error::GoEnvFailed {
            go: go.to_string(),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    let mut lines = stdout.lines().map(str::trim);
    match (lines.next(), lines.next(), lines.next()) {
        (Some(goroot), Some(version), None) if !goroot.is_empty() && !version.is_empty() => {
            Ok(GoInstall {
                go: go.to_owned(),
                goroot: Utf8PathBuf::from(goroot),
                version: version.to_owned(),
            })
        }
        _ => Err(Error::GoEnvOutput {
            go: go.to_string(),
            output: stdout.into_owned(),
        }),
    }
}
