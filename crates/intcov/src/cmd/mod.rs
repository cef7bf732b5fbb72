//! One module per command family; each owns its clap `Args` structs.

pub mod check;
pub mod merge;
pub mod overlay;
pub mod read;
pub mod report;
pub mod test;
