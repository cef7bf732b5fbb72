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
pub use generate::{generate, Generated, Options, Variant, OVERLAY_JSON, PROGRAMS_OVERLAY_JSON};
pub use go::{probe, GoInstall};
pub use layout::{plan, FilePatch, Layout, Release, SUPPORTED_MINORS};
pub use patch::{apply_edits, Edit};

/// A fingerprint of what this build of the crate generates: every template and the code that
/// places them (the release layouts, anchors and edits). A cache of generated overlays keys on
/// it, so that a changed template is never served from an overlay generated before the change,
/// even within one version number (development builds).
pub fn fingerprint() -> u64 {
    const GENERATOR_SOURCES: [&str; 4] = [
        include_str!("layout.rs"),
        include_str!("patch.rs"),
        include_str!("merge.rs"),
        include_str!("generate.rs"),
    ];
    // FNV-1a, 64 bits: stable across Rust releases, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let texts = templates::ALL
        .iter()
        .flat_map(|t| [t.name, t.text])
        .chain(GENERATOR_SOURCES);
    for text in texts {
        for b in text.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    h
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
