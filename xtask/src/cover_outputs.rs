//! The outputs of `cargo xtask cover`, made by our own crates from the raw data directories,
//! and `--verify`, which re-derives them with `go tool covdata`.

use std::fmt::Write as _;

use anyhow::{ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use covmerge::ops::{self, Operation, Options};
use covmerge::ReadOptions;
use profile::{gofmt, Profile};
use report::{Coverage, Format, Module, RenderOptions, Sources};
use xshell::{cmd, Shell};

/// What `cover` prints, and the total it checks against `--min-coverage`.
pub struct Summary {
    pub text: String,
    pub total_percent: f64,
}

pub fn write_all(
    modules: &[Utf8PathBuf],
    raw_dirs: &[Utf8PathBuf],
    out: &Utf8Path,
) -> Result<Summary> {
    let merged_dir = out.join("covdata");
    let outcome = ops::run(
        raw_dirs,
        &merged_dir,
        &Options::new(Operation::Merge { pcombine: false }),
    )
    .context("merging the raw coverage data")?;
    for w in &outcome.warnings {
        eprintln!("cover: warning: {w}");
    }

    let profile = read(raw_dirs)?;
    let mut text_profile = Vec::new();
    gofmt::emit_textual(&profile, &mut text_profile)?;
    write(&out.join("coverage.out"), &text_profile)?;

    let sources = Sources::new(None, module_list(modules)?);
    let cov = Coverage::build(&profile, &sources, None);
    let opts = RenderOptions {
        title: Some("Integration coverage".to_owned()),
        ..Default::default()
    };
    for (format, name) in [
        (Format::Lcov, "lcov.info"),
        (Format::Cobertura, "cobertura.xml"),
        (Format::Html, "html"),
        (Format::Markdown, "summary.md"),
    ] {
        report::write(format, &cov, &opts, &out.join(name))
            .with_context(|| format!("writing {}", out.join(name)))?;
    }

    let mut percent = Vec::new();
    gofmt::emit_percent(&profile, &mut percent)?;
    let totals = cov.totals();
    let mut text = String::from_utf8(percent).context("percent output is not UTF-8")?;
    writeln!(
        text,
        "total: {}",
        totals
            .go_percent()
            .unwrap_or_else(|| "[no statements]".to_owned())
    )?;
    Ok(Summary {
        text,
        total_percent: totals.percent().unwrap_or(0.0),
    })
}

/// The reports' source map: each module's path (from its go.mod) and directory.
fn module_list(modules: &[Utf8PathBuf]) -> Result<Vec<Module>> {
    modules
        .iter()
        .map(|dir| {
            let gomod = dir.join("go.mod");
            let text =
                std::fs::read_to_string(&gomod).with_context(|| format!("reading {gomod}"))?;
            let path = report::sources::module_path(&text)
                .with_context(|| format!("{gomod}: no module line"))?;
            Ok(Module {
                path,
                dir: dir.clone(),
            })
        })
        .collect()
}

fn read(dirs: &[Utf8PathBuf]) -> Result<Profile> {
    covmerge::read_profile(dirs, &ReadOptions::default(), &mut |w| {
        eprintln!("cover: warning: {w}")
    })
    .context("reading the raw coverage data")?
    .context("the tests wrote no coverage data")
}

fn write(path: &Utf8Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {path}"))
}

/// `--verify`: Go's own tool over the raw data, and over our merged `covdata/`, must give what
/// we wrote and printed.
pub fn verify_against_go(sh: &Shell, raw_dirs: &[Utf8PathBuf], out: &Utf8Path) -> Result<()> {
    let inputs = raw_dirs
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let merged = out.join("covdata");
    let ours = std::fs::read(out.join("coverage.out"))?;
    let mut our_percent = Vec::new();
    gofmt::emit_percent(&read(raw_dirs)?, &mut our_percent)?;
    for (what, input) in [
        ("the raw data", inputs.as_str()),
        ("our merged covdata/", merged.as_str()),
    ] {
        let go_profile = out.join("verify-textfmt.out");
        cmd!(sh, "go tool covdata textfmt -i={input} -o={go_profile}")
            .quiet()
            .run()?;
        let go = std::fs::read(&go_profile)?;
        std::fs::remove_file(&go_profile)?;
        ensure!(
            go == ours,
            "coverage.out differs from go tool covdata textfmt over {what}"
        );

        let go_percent = cmd!(sh, "go tool covdata percent -i={input}")
            .quiet()
            .output()?
            .stdout;
        ensure!(
            go_percent == our_percent,
            "percent differs from go tool covdata percent over {what}"
        );
    }
    Ok(())
}
