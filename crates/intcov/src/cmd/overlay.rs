//! `intcov overlay`: the same as `cargo xtask gen-overlay`, for users outside this repository.

use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct OverlayArgs {
    /// Directory to write overlay_integration.json and the files it points to
    #[arg(long, value_name = "DIR", required = true)]
    pub out: String,
    /// The go command whose GOROOT is patched (default: `go` on PATH)
    #[arg(long, value_name = "PATH")]
    pub go: Option<String>,
    /// Default GO_INTEGRATION_COVERDIR baked into the overlay
    #[arg(long, value_name = "DIR")]
    pub coverdir: Option<String>,
}

pub fn overlay(_a: OverlayArgs) -> anyhow::Result<ExitCode> {
    super::not_built("overlay")
}
