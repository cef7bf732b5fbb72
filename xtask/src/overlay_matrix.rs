//! `cargo xtask overlay-matrix`: placeholder.
use anyhow::Result;
pub fn run(_args: crate::flags::OverlayMatrixArgs) -> Result<()> {
    anyhow::bail!("not yet")
}
