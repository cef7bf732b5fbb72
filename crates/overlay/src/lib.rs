//! Generation of `go test -overlay` files that patch GOROOT's coverage runtime and `testing` so
//! that the coverage of binaries executed by tests counts (Go issue 60182).
//!
//! [`probe`] asks a `go` for its GOROOT and release; [`generate`] copies the GOROOT files the
//! overlay replaces, applies anchored edits to them, appends the rendered templates of the
//! repository's `overlays/` (embedded in this crate) to them, and writes
//! `overlay_integration.json`. GOROOT itself is only read.
//! A release outside 1.21–1.27, a GOROOT file missing or an anchor not found exactly once is
//! refused with an [`Error`] naming the release, the file and the anchor.

#![forbid(unsafe_code)]

mod error;
mod generate;
mod go;
mod layout;
mod merge;
mod patch;
mod templates;

pub use error::Error;
pub use generate::{generate, Generated, Options, Variant, OVERLAY_JSON};
pub use go::{probe, GoInstall};
pub use layout::{plan, FilePatch, Layout, Release, SUPPORTED_MINORS};
pub use patch::{apply_edits, Edit};

pub type Result<T, E = Error> = std::result::Result<T, E>;
