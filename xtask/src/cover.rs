//! `cargo xtask cover`: integration coverage of Go modules, end to end.
//!
//! For each module: generate the overlay for the `go` on PATH, run the module's tests with
//! `GO_INTEGRATION_COVERAGE=1` so that the binaries they execute count, collect every covdata file
//! the run wrote, then merge and report with our own crates. `--shard K/N` runs a deterministic
//! slice of the tests, so that CI machines can split a suite and `intcov merge` can join it.

use std::fmt::Write as _;

use anyhow::{bail, ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::flags::CoverArgs;

pub fn run(args: CoverArgs) -> Result<()> {
    let root = crate::project_root();
    let sh = Shell::new()?;
    sh.set_var("GOTOOLCHAIN", "local");
    let cwd = Utf8PathBuf::try_from(std::env::current_dir()?)?;
    let out = match &args.out {
        Some(out) => absolute(&cwd, out),
        None => root.join("target/cover"),
    };
    let modules: Vec<Utf8PathBuf> = if args.modules.is_empty() {
        fixture_modules(&root)?
    } else {
        args.modules.iter().map(|m| absolute(&cwd, m)).collect()
    };
    ensure!(!modules.is_empty(), "no Go modules to cover");

    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).with_context(|| format!("creating {out}"))?;

    eprintln!("cover: generating the overlay");
    let overlay_dir = out.join("overlay");
    let generated = crate::gen_overlay::generate(
        camino::Utf8Path::new("go"),
        &overlay_dir,
        None,
        overlay::Variant::default(),
    )?;
    let overlay_json = generated.overlay_json;

    let raw_root = out.join("raw");
    let mut raw_dirs = Vec::new();
    for (i, module) in modules.iter().enumerate() {
        ensure!(
            module.join("go.mod").is_file(),
            "{module} is not a Go module (no go.mod)"
        );
        let raw = raw_root.join(format!("{i:02}-{}", module.file_name().unwrap_or("module")));
        std::fs::create_dir_all(&raw)?;
        let label = format!("[{}/{}] {module}", i + 1, modules.len());
        run_module_tests(&sh, module, &overlay_json, &raw, args.shard, &label)?;
        raw_dirs.push(raw);
    }

    eprintln!(
        "cover: merging {} data director{}",
        raw_dirs.len(),
        if raw_dirs.len() == 1 { "y" } else { "ies" }
    );
    let summary = crate::cover_outputs::write_all(&modules, &raw_dirs, &out)?;
    print!("{}", summary.text);

    if args.verify {
        crate::cover_outputs::verify_against_go(&sh, &raw_dirs, &out)?;
        eprintln!("cover: verified against go tool covdata");
    }
    if let Some(min) = args.min_coverage {
        if summary.total_percent < min {
            bail!(
                "total coverage {:.1}% is below --min-coverage {min}%",
                summary.total_percent
            );
        }
    }
    eprintln!("cover: reports in {out}");
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

fn absolute(base: &Utf8Path, p: &Utf8Path) -> Utf8PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        base.join(p)
    }
}

/// Run one module's tests with integration coverage on; the data lands in `raw`.
fn run_module_tests(
    sh: &Shell,
    module: &Utf8Path,
    overlay_json: &Utf8Path,
    raw: &Utf8Path,
    shard: Option<crate::flags::Shard>,
    label: &str,
) -> Result<()> {
    let _dir = sh.push_dir(module);
    let _on = sh.push_env("GO_INTEGRATION_COVERAGE", "1");
    let _to = sh.push_env("GO_INTEGRATION_COVERDIR", raw);
    let overlay = format!("-overlay={overlay_json}");
    let selections: Vec<(String, Option<String>)> = match shard {
        None => vec![("./...".to_owned(), None)],
        Some(shard) => shard_selection(sh, module, shard)?,
    };
    if selections.is_empty() {
        eprintln!("cover: {label}: no tests in this shard");
    }
    for (pkg, run) in selections {
        eprintln!(
            "cover: {label}: go test {pkg}{}",
            run.as_deref()
                .map(|r| format!(" -run {r}"))
                .unwrap_or_default()
        );
        let run_flag = run.map(|r| format!("-run={r}"));
        let output = cmd!(
            sh,
            "go test -count=1 {overlay} -cover -coverpkg=./... {run_flag...} {pkg}"
        )
        .ignore_status()
        .output()
        .with_context(|| format!("running go test in {module}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!("tests failed in {module} ({pkg}):\n{stdout}{stderr}");
        }
        for line in stdout.lines().filter(|l| l.starts_with("ok")) {
            eprintln!("cover: {label}:   {line}");
        }
    }
    Ok(())
}

/// The (package, -run regexp) pairs of shard K of N: the module's tests, listed by `go test
/// -list`, sorted by package and name, dealt round-robin.
fn shard_selection(
    sh: &Shell,
    module: &Utf8Path,
    shard: crate::flags::Shard,
) -> Result<Vec<(String, Option<String>)>> {
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
            (pkg, Some(re))
        })
        .collect())
}
