//! `intcov overlay`: the same as `cargo xtask gen-overlay`, for users outside this repository.

use std::process::ExitCode;

use anyhow::Context;
use camino::Utf8PathBuf;
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  intcov overlay --out .intcov\n  intcov overlay minimal --out .intcov   \
                  (the variant word as generate_integration_overlay.go takes it)"
)]
pub struct OverlayArgs {
    /// `full` or `minimal`, as a word: the same as --variant
    #[arg(value_name = "VARIANT", conflicts_with = "variant")]
    pub variant_word: Option<overlay::Variant>,
    /// Directory to write overlay_integration.json and the files it points to
    #[arg(long, value_name = "DIR", required = true)]
    pub out: String,
    /// The go command whose GOROOT is patched (default: `go` on PATH)
    #[arg(long, value_name = "PATH")]
    pub go: Option<String>,
    /// Default GO_INTEGRATION_COVERDIR baked into the overlay
    #[arg(long, value_name = "DIR")]
    pub coverdir: Option<String>,
    /// `full` (everything) or `minimal` (only the report step of `go test -cover`)
    #[arg(long, value_name = "VARIANT", default_value = "full")]
    pub variant: overlay::Variant,
}

/// Prints the path of `overlay_integration.json`, ready for `go test -overlay=`.
pub fn overlay(a: OverlayArgs) -> anyhow::Result<ExitCode> {
    let variant = a.variant_word.unwrap_or(a.variant);
    let go = Utf8PathBuf::from(a.go.as_deref().unwrap_or("go"));
    let install = overlay::probe(&go)?;
    let opts = overlay::Options {
        out: Utf8PathBuf::from(&a.out),
        coverdir: a.coverdir.map(Utf8PathBuf::from),
        variant,
    };
    let generated = overlay::generate(&install, &opts).with_context(|| {
        format!(
            "generating the overlay for {} into {}",
            install.version, a.out
        )
    })?;
    eprintln!(
        "intcov: {} overlay for {}: use `go test -overlay={}` with GO_INTEGRATION_COVERAGE=1",
        variant, generated.version, generated.overlay_json
    );
    println!("{}", generated.overlay_json);
    Ok(ExitCode::SUCCESS)
}
