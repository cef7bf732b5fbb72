//! What `cargo xtask cover` owns in its output directory, and `--verify`, which re-derives the
//! outputs with `go tool covdata`. The outputs themselves are the `pipeline` crate's.

use anyhow::{bail, ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use profile::gofmt;
use xshell::{cmd, Shell};

/// The entries a cover output directory holds (`overlay/` from before the overlay cache).
const COVER_ENTRIES: [&str; 10] = [
    "coverage.out",
    "lcov.info",
    "cobertura.xml",
    "coverage.json",
    "summary.md",
    "html",
    "covdata",
    "raw",
    "overlay",
    "verify-textfmt.out",
];

/// `--out` may name a new or empty directory, or a previous cover output: anything else in it
/// would be replaced or mixed with our files, so it is refused.
pub fn check_out_dir(out: &Utf8Path) -> Result<()> {
    let entries = match out.read_dir_utf8() {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if out.is_file() => bail!("--out {out}: a file, not a directory ({e})"),
        Err(e) => return Err(e).with_context(|| format!("--out {out}: cannot read")),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("--out {out}: cannot read"))?;
        let name = entry.file_name();
        // outfile's and the raw directory's temporaries, left by a killed run.
        let temporary = name.starts_with('.') && name.contains(".intcov-");
        if !temporary && !COVER_ENTRIES.contains(&name) {
            bail!(
                "--out {out} holds {name}, which cargo xtask cover did not write: refusing to \
                 write into it (name a new or empty directory, or a previous cover output)"
            );
        }
    }
    Ok(())
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
    let loaded = pipeline::outputs::load(raw_dirs, false, &pipeline::Stderr("cover"))?;
    let mut our_percent = Vec::new();
    gofmt::emit_percent(&loaded.profile, &mut our_percent)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_directory_holding_anything_else() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Utf8Path::from_path(tmp.path()).unwrap();
        assert!(check_out_dir(&dir.join("new")).is_ok());
        assert!(check_out_dir(dir).is_ok());
        std::fs::create_dir(dir.join("covdata")).unwrap();
        std::fs::write(dir.join("coverage.out"), "mode: set\n").unwrap();
        std::fs::write(dir.join(".lcov.info.intcov-abc"), "").unwrap();
        assert!(check_out_dir(dir).is_ok());
        std::fs::write(dir.join("thesis.tex"), "years of work").unwrap();
        let err = check_out_dir(dir).unwrap_err().to_string();
        assert!(err.contains("holds thesis.tex"), "{err}");
        assert!(dir.join("thesis.tex").is_file());
        let file = dir.join("thesis.tex");
        assert!(check_out_dir(&file).is_err());
    }
}
