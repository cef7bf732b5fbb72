//! `cargo xtask cover`: integration coverage of Go modules, end to end.
//!
//! A thin caller of the `pipeline` crate, the steps `intcov test` takes: the overlay for the
//! `go` on PATH (cached per Go release), each module's tests with integration coverage into
//! `raw/NN-module`, then one merge and every report. `--shard K/N` runs a deterministic
//! slice of the tests, so that CI machines can split a suite and `intcov merge` can join it.

use std::fmt::Write as _;

use anyhow::{bail, ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use pipeline::{Outputs, Progress as _, Workspace};
use xshell::{cmd, Shell};

use crate::flags::CoverArgs;

pub fn run(args: CoverArgs) -> Result<()> {
    let root = crate::project_root();
    std::env::set_var("GOTOOLCHAIN", "local");
    let sh = Shell::new()?;
    let cwd = Utf8PathBuf::try_from(std::env::current_dir()?)?;
    let out = match &args.out {
        Some(out) => pipeline::absolute(&cwd, out),
        None => root.join("target/cover"),
    };
    let modules: Vec<Utf8PathBuf> = if args.modules.is_empty() {
        fixture_modules(&root)?
    } else {
        args.modules
            .iter()
            .map(|m| pipeline::absolute(&cwd, m))
            .collect()
    };
    ensure!(!modules.is_empty(), "no Go modules to cover");
    crate::cover_outputs::check_out_dir(&out)?;
    let progress = pipeline::Stderr("cover");
    let go = Utf8Path::new("go");

    let mut workspaces = Vec::new();
    for module in &modules {
        ensure!(
            module.join("go.mod").is_file(),
            "{module} is not a Go module (no go.mod)"
        );
        workspaces.push(Workspace::find(go, module)?);
    }
    let cache = pipeline::overlay_cache::default_dir()?;
    let overlay = pipeline::overlay_cache::ensure(go, &cache, &progress)?;

    let raw_dest = out.join("raw");
    let raw_root = pipeline::RawDir::create(Some(&raw_dest))?;
    let mut raw_dirs = Vec::new();
    let mut failed = Vec::new();
    for (i, (module, workspace)) in modules.iter().zip(&workspaces).enumerate() {
        let raw = raw_root
            .path()
            .join(format!("{i:02}-{}", module.file_name().unwrap_or("module")));
        std::fs::create_dir_all(&raw).with_context(|| format!("creating {raw}"))?;
        progress.step(&format!("[{}/{}] {module}", i + 1, modules.len()));
        let selections: Vec<Vec<String>> = match args.shard {
            None => vec![vec!["./...".to_owned()]],
            Some(shard) => shard_selection(&sh, module, shard)?
                .into_iter()
                .map(|(pkg, re)| vec![format!("-run={re}"), pkg])
                .collect(),
        };
        if selections.is_empty() {
            progress.step("no tests in this shard");
        }
        for selection in selections {
            let test = pipeline::GoTest {
                go: go.to_owned(),
                dir: module.clone(),
                overlay_json: overlay.json.clone(),
                raw_dir: raw.clone(),
                coverpkg: workspace.coverpkg(),
                user_args: args.go_args.iter().cloned().chain(selection).collect(),
                output: pipeline::TestOutput::Stderr,
                first_build: overlay.fresh && i == 0,
            };
            let outcome = pipeline::gotest::run(&test, &progress)?;
            if outcome.status != 0 {
                failed.push(format!("{module} (go test exit status {})", outcome.status));
            }
        }
        raw_dirs.push(raw);
    }

    progress.step(&format!(
        "merging {} data director{}",
        raw_dirs.len(),
        if raw_dirs.len() == 1 { "y" } else { "ies" }
    ));
    let loaded = pipeline::outputs::load(&raw_dirs, args.attribution, &progress)?;
    let outputs = Outputs {
        covdata: Some(out.join("covdata")),
        coverprofile: Some(out.join("coverage.out")),
        html: Some(out.join("html")),
        lcov: Some(out.join("lcov.info")),
        cobertura: Some(out.join("cobertura.xml")),
        json: args.attribution.then(|| out.join("coverage.json")),
        markdown: Some(out.join("summary.md")),
        attribution: args.attribution,
        title: Some(pipeline::TITLE.to_owned()),
        exclusions: report::Exclusions::default(),
    };
    let workspace = Workspace::join(workspaces).context("no Go modules to cover")?;
    let summary = pipeline::outputs::write(
        &loaded,
        &raw_dirs,
        &workspace.sources(),
        &outputs,
        &progress,
    )?;
    raw_root.keep()?;
    let raw_dirs: Vec<Utf8PathBuf> = raw_dirs
        .iter()
        .map(|d| raw_dest.join(d.file_name().unwrap_or_default()))
        .collect();
    print!("{}", summary.text);

    if !failed.is_empty() {
        bail!(
            "tests failed in {} (reports of the tests that ran are in {out})",
            failed.join(", ")
        );
    }
    if args.verify {
        crate::cover_outputs::verify_against_go(&sh, &raw_dirs, &out)?;
        progress.step("verified against go tool covdata");
    }
    if let Some(min) = args.min_coverage {
        if let Some(msg) = pipeline::below_minimum(&summary, min) {
            bail!("{msg}");
        }
    }
    progress.step(&format!("reports in {out}"));
    Ok(())
}

/// Every module directly under go-fixtures/.
fn fixture_modules(root: &Utf8Path) -> Result<Vec<Utf8PathBuf>> {
    let dir = root.join("go-fixtures");
    let mut mods = Vec::new();
    for entry in dir
        .read_dir_utf8()
        .with_context(|| format!("reading {dir}"))?
    {
        let path = entry?.into_path();
        if path.join("go.mod").is_file() {
            mods.push(path);
        }
    }
    mods.sort();
    Ok(mods)
}

/// The (package, -run regexp) pairs of shard K of N: the module's tests, listed by `go test
/// -list`, sorted by package and name, dealt round-robin.
fn shard_selection(
    sh: &Shell,
    module: &Utf8Path,
    shard: crate::flags::Shard,
) -> Result<Vec<(String, String)>> {
    let _dir = sh.push_dir(module);
    let listing = cmd!(sh, "go test -json -list .* ./...")
        .read()
        .with_context(|| format!("listing the tests of {module}"))?;
    let mut tests: Vec<(String, String)> = Vec::new();
    for line in listing.lines() {
        let event: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("parsing go test -json output: {line}"))?;
        if event["Action"] != "output" {
            continue;
        }
        let (Some(pkg), Some(text)) = (event["Package"].as_str(), event["Output"].as_str()) else {
            continue;
        };
        let name = text.trim_end();
        let is_test = ["Test", "Example", "Fuzz"]
            .iter()
            .any(|p| name.starts_with(p))
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if is_test {
            tests.push((pkg.to_owned(), name.to_owned()));
        }
    }
    tests.sort();
    let mut per_pkg: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (i, (pkg, name)) in tests.into_iter().enumerate() {
        if i % shard.count == shard.index - 1 {
            per_pkg.entry(pkg).or_default().push(name);
        }
    }
    Ok(per_pkg
        .into_iter()
        .map(|(pkg, names)| {
            let mut re = String::from("^(");
            for (i, n) in names.iter().enumerate() {
                let _ = write!(re, "{}{n}", if i > 0 { "|" } else { "" });
            }
            re.push_str(")$");
            (pkg, re)
        })
        .collect())
}
