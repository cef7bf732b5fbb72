//! Reading pods into a merged [`profile::Profile`], and the directory-to-directory operations of
//! `go tool covdata` (merge, subtract, intersect, `-pcombine`).
//!
//! [`read_profile`] is what `textfmt`, `percent`, `func` and `pkglist` use; [`visit`] walks the
//! pods with a [`PodVisitor`] for anything that needs to see each program separately
//! (`debugdump`). Both follow `cmd/internal/cov.CovDataReader`: pods in Go's order, each pod's
//! meta-data file first, then its counter files merged per function, then its packages (those
//! the `-pkg` filter selects) and functions with their merged counters.

#![forbid(unsafe_code)]

mod error;
pub mod ops;
mod pairing;
mod read;
mod screen;
mod table;

pub use error::{Error, Warning};
pub use profile::pattern::{selected, PackageFilter};
pub use read::{read_profile, visit, ModePolicy, PodVisitor, ProfileBuilder, ReadOptions};

pub use covdata;
pub use profile;
