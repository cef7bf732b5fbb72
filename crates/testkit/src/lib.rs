//! Test support: find or install Go toolchains, build the Go fixtures under `go-fixtures/` with
//! `-cover`, run their integration scenarios into fresh GOCOVERDIRs, and redact snapshots.
//! Dev-only.
//!
//! The panicking functions ([`go`], [`go_release`], [`covdata`]) are what tests call; each has a
//! `try_` twin that returns [`Error`] instead.

mod fixtures;
mod snapshots;
mod toolchain;

pub use fixtures::{
    copy_fixture, covdata, fixture_names, fixtures_root, try_covdata, CoverDir, CoverMode,
};
pub use snapshots::{insta_settings, redact_hashes};
pub use toolchain::{
    go, go_release, try_go, try_go_release, try_go_release_verbose, GoToolchain, MIN_GO_MINOR,
};

use camino::{Utf8Path, Utf8PathBuf};

/// Everything testkit can fail on, naming the file or command involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        command: String,
        #[source]
        source: xshell::Error,
    },
    #[error("`{command}` failed ({status}):\n{output}")]
    Failed {
        command: String,
        status: String,
        output: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: path is not UTF-8")]
    NotUtf8 { path: std::path::PathBuf },
    #[error("no usable `go` on PATH: {reason}")]
    NoGo { reason: String },
    #[error("{go}: unexpected `go env GOROOT GOVERSION` output {output:?}")]
    GoEnv { go: String, output: String },
    #[error("{go} is {version}; intcov needs Go >= 1.{MIN_GO_MINOR}")]
    GoTooOld { go: String, version: String },
    #[error("{version:?} is not a Go release number like 1.21.13")]
    BadRelease { version: String },
    #[error("installed Go {want} into {dir}, but it reports {got}")]
    WrongRelease {
        want: String,
        got: String,
        dir: Utf8PathBuf,
    },
    #[error("no fixture {name:?} under {root} (have: {have})")]
    NoFixture {
        name: String,
        root: Utf8PathBuf,
        have: String,
    },
    #[error("fixture {fixture}: the tests ran but wrote no covmeta file into {dir}")]
    NoCovdata { fixture: String, dir: Utf8PathBuf },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The root of the intcov repository (found from this crate's manifest directory).
pub fn repo_root() -> Utf8PathBuf {
    let manifest = Utf8Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .expect("crates/testkit sits two levels below the repository root")
        .to_owned()
}

/// `<repo>/target`, where extra Go releases are installed whatever `CARGO_TARGET_DIR` says, so
/// every helper's target dir shares them.
pub fn target_dir() -> Utf8PathBuf {
    repo_root().join("target")
}

fn io_err(path: &Utf8Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs a command, returning stdout, or an error carrying everything it printed.
fn run(cmd: xshell::Cmd<'_>) -> Result<String> {
    let command = cmd.to_string();
    let out = cmd
        .quiet()
        .ignore_status()
        .output()
        .map_err(|source| Error::Spawn {
            command: command.clone(),
            source,
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Failed {
            command,
            status: out.status.to_string(),
            output: format!("{stdout}{stderr}"),
        });
    }
    Ok(stdout)
}
