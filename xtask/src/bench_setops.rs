//! `cargo xtask bench`, subtract and intersect: the first data set's directory split in two
//! inputs (every meta-data file in both, counter files alternating), which Go's tool handles
//! (one program). Wall time, median of `repeat` runs, next to Go in the same run; with
//! `INTCOV_BASELINE=<binary>` also another intcov build (the figures before a change).

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

pub(crate) fn run(
    table: &mut String,
    go_covdata: &Utf8Path,
    intcov: &Utf8Path,
    data: &Utf8Path,
    bench_dir: &Utf8Path,
    repeat: usize,
) -> Result<()> {
    let root = bench_dir.join("setops");
    let (a, b) = split(data, &root)?;
    let baseline = std::env::var("INTCOV_BASELINE").ok().map(Utf8PathBuf::from);
    let mut tools: Vec<(&str, &Utf8Path)> = vec![("go", go_covdata), ("intcov", intcov)];
    if let Some(base) = &baseline {
        tools.push(("baseline", base));
    }
    writeln!(table, "\n| op (two inputs, one program) | go covdata | intcov | speed-up | intcov before (INTCOV_BASELINE) |")?;
    writeln!(table, "|---|---:|---:|---:|---:|")?;
    for op in ["subtract", "intersect"] {
        let mut medians = Vec::new();
        for (name, tool) in &tools {
            let mut runs = Vec::with_capacity(repeat);
            for _ in 0..repeat {
                let out = root.join(format!("out-{name}"));
                let _ = std::fs::remove_dir_all(&out);
                std::fs::create_dir_all(&out)?;
                let start = Instant::now();
                let status = Command::new(tool)
                    .args([op, &format!("-i={a},{b}"), &format!("-o={out}")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .with_context(|| format!("running {tool}"))?;
                runs.push(start.elapsed());
                ensure!(status.success(), "{tool} {op} failed");
            }
            runs.sort();
            medians.push(runs[runs.len() / 2]);
        }
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        let line = format!(
            "| {op} | {} | {} | {:.1}x | {} |",
            ms(medians[0]),
            ms(medians[1]),
            medians[0].as_secs_f64() / medians[1].as_secs_f64(),
            medians.get(2).map_or("-".into(), |d| ms(*d)),
        );
        eprintln!("{line}");
        writeln!(table, "{line}")?;
    }
    Ok(())
}

/// Two inputs made from `data`.
fn split(data: &Utf8Path, root: &Utf8Path) -> Result<(Utf8PathBuf, Utf8PathBuf)> {
    let (a, b) = (root.join("a"), root.join("b"));
    for d in [&a, &b] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d)?;
    }
    let mut names: Vec<String> = data
        .read_dir_utf8()?
        .map(|e| e.map(|e| e.file_name().to_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    let mut k = 0;
    for n in names {
        if n.starts_with("covmeta.") {
            std::fs::copy(data.join(&n), a.join(&n))?;
            std::fs::copy(data.join(&n), b.join(&n))?;
        } else if n.starts_with("covcounters.") {
            let to = if k % 2 == 0 { &a } else { &b };
            std::fs::copy(data.join(&n), to.join(&n))?;
            k += 1;
        }
    }
    Ok((a, b))
}
