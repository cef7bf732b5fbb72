//! One module per command family; each owns its clap `Args` structs.

pub mod merge;
pub mod overlay;
pub mod read;
pub mod report;

/// Shared by the stubs of commands whose issue has not landed yet.
pub(crate) fn not_built(what: &str) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`intcov {what}` is not built yet (see the project's issues)")
}
