//! Every way overlay generation can fail, each naming the release, file or command involved.

use camino::Utf8PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot run `{go} env GOROOT GOVERSION`")]
    GoSpawn {
        go: String,
        #[source]
        source: xshell::Error,
    },
    #[error("`{go} env GOROOT GOVERSION` failed ({status}): {stderr}")]
    GoEnvFailed {
        go: String,
        status: String,
        stderr: String,
    },
    #[error("`{go} env GOROOT GOVERSION` printed {output:?}, not a GOROOT and a Go version")]
    GoEnvOutput { go: String, output: String },
    #[error(
        "{version} (GOROOT {goroot}) is not supported: the integration-coverage overlay knows Go \
         1.21 to 1.27 and never patches an unknown release"
    )]
    Unsupported {
        version: String,
        goroot: Utf8PathBuf,
    },
    #[error(
        "{version}: GOROOT {goroot} has no {file}, which the overlay for this release patches; \
         is the installation complete?"
    )]
    MissingFile {
        version: String,
        goroot: Utf8PathBuf,
        file: String,
    },
    #[error(
        "{version}: {file}: anchor not found, refusing to patch an unknown version of this \
         file:\n{anchor}"
    )]
    MissingAnchor {
        version: String,
        file: String,
        anchor: String,
    },
    #[error("{version}: {file}: anchor found {count} times, expected once:\n{anchor}")]
    AmbiguousAnchor {
        version: String,
        file: String,
        anchor: String,
        count: usize,
    },
    #[error("{version}: cannot append template {template} to {file}: {reason}")]
    Merge {
        version: String,
        file: String,
        template: String,
        reason: String,
    },
    #[error("template {template}: placeholder {placeholder} left unrendered")]
    Template {
        template: String,
        placeholder: String,
    },
    #[error("{path}")]
    Io {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: path is not UTF-8")]
    NotUtf8 { path: std::path::PathBuf },
}

pub(crate) fn io(path: impl Into<Utf8PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
