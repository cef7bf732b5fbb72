//! `cargo xtask gen-overlay`: write `overlay_integration.json` and the files it points to.

use anyhow::{Context, Result};
use camino::Utf8Path;

use crate::flags::GenOverlayArgs;

pub fn run(args: GenOverlayArgs) -> Result<()> {
    let go = args.go.as_deref().unwrap_or(Utf8Path::new("go"));
    let out = args
        .out
        .unwrap_or_else(|| crate::project_root().join("target/overlay"));
    let generated = generate(go, &out, args.coverdir.as_deref(), args.variant)?;
    eprintln!(
        "xtask: {} overlay for {} ({} files replaced or added)",
        args.variant,
        generated.version,
        generated.replace.len()
    );
    println!("{}", generated.overlay_json);
    Ok(())
}

/// Probes `go` and generates its overlay into `out`; shared with the overlay matrix.
pub fn generate(
    go: &Utf8Path,
    out: &Utf8Path,
    coverdir: Option<&Utf8Path>,
    variant: overlay::Variant,
) -> Result<overlay::Generated> {
    let install = overlay::probe(go)?;
    let opts = overlay::Options {
        out: out.to_owned(),
        coverdir: coverdir.map(Utf8Path::to_owned),
        variant,
    };
    overlay::generate(&install, &opts)
        .with_context(|| format!("generating the overlay for {} into {out}", install.version))
}
