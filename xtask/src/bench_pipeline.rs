//! `cargo xtask bench`'s whole-pipeline rows: `intcov test ./...` (every report written) against
//! the same `go test -cover -coverpkg=./... ./...` on each fixture, warm and with a cold GOCACHE,
//! and where `intcov test`'s time goes per phase (overlay, go test, merge, reports), as it
//! reports them itself. Figures are reported, never asserted.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::flags::BenchArgs;

const FIXTURES: [&str; 3] = ["clisuite", "scriptsuite", "serversuite"];

pub fn run(args: &BenchArgs, intcov: &Utf8Path, bench_dir: &Utf8Path) -> Result<String> {
    let root = crate::project_root();
    let work = bench_dir.join("pipeline");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let cache = work.join("overlay-cache");

    // Overlay generation, from an empty cache (later runs find it there).
    let started = Instant::now();
    let probe = work.join("probe");
    copy_module(&root.join("go-fixtures/clisuite"), &probe)?;
    let first = intcov_test(intcov, &probe, &cache, &work.join("first"), None)?;
    eprintln!(
        "bench: first intcov test (overlay generated): {:.2}s, {}",
        started.elapsed().as_secs_f64(),
        first.1
    );

    let mut table = String::new();
    writeln!(
        table,
        "| fixture | GOCACHE | go test -cover | intcov test | ratio | overlay | go test | merge | reports |"
    )?;
    writeln!(table, "|---|---|---:|---:|---:|---:|---:|---:|---:|")?;
    for fixture in FIXTURES {
        let module = work.join(fixture);
        copy_module(&root.join("go-fixtures").join(fixture), &module)?;
        let out = work.join(format!("{fixture}-out"));
        // Warm both caches once, untimed.
        go_test(&module, None)?;
        intcov_test(intcov, &module, &cache, &out, None)?;
        let mut go_runs = Vec::new();
        let mut our_runs = Vec::new();
        let mut phases = Vec::new();
        for _ in 0..args.pipeline_repeat.max(1) {
            go_runs.push(go_test(&module, None)?);
            let (wall, p) = intcov_test(intcov, &module, &cache, &out, None)?;
            our_runs.push(wall);
            phases.push(p);
        }
        row(&mut table, fixture, "warm", &go_runs, &our_runs, &phases)?;

        if args.pipeline_no_cold {
            continue;
        }
        // Cold: an empty GOCACHE for each tool, one run each (both rebuild everything, the
        // standard library included).
        let cold = work.join("gocache");
        let _ = std::fs::remove_dir_all(&cold);
        let go_cold = go_test(&module, Some(&cold))?;
        let _ = std::fs::remove_dir_all(&cold);
        let (our_cold, p) = intcov_test(intcov, &module, &cache, &out, Some(&cold))?;
        let _ = std::fs::remove_dir_all(&cold);
        row(&mut table, fixture, "cold", &[go_cold], &[our_cold], &[p])?;
    }
    writeln!(
        table,
        "\nFirst `intcov test` with an empty overlay cache (clisuite, warm GOCACHE): {}.",
        first.1
    )?;
    Ok(table)
}

fn row(
    table: &mut String,
    fixture: &str,
    cache: &str,
    go: &[Duration],
    ours: &[Duration],
    phases: &[Phases],
) -> Result<()> {
    let (go, ours) = (median(go), median(ours));
    // Each phase's own median, and its share of intcov test's median wall time.
    let phase = |f: fn(&Phases) -> f64| {
        let mut v: Vec<f64> = phases.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        let m = v[v.len() / 2];
        format!("{m:.2} s ({:.0}%)", 100.0 * m / ours.as_secs_f64())
    };
    let line = format!(
        "| {fixture} | {cache} | {:.2} s | {:.2} s | {:.2}x | {} | {} | {} | {} |",
        go.as_secs_f64(),
        ours.as_secs_f64(),
        ours.as_secs_f64() / go.as_secs_f64(),
        phase(|p| p.overlay),
        phase(|p| p.go_test),
        phase(|p| p.merge),
        phase(|p| p.reports)
    );
    eprintln!("{line}");
    writeln!(table, "{line}")?;
    Ok(())
}

fn median(runs: &[Duration]) -> Duration {
    let mut v = runs.to_vec();
    v.sort();
    v[v.len() / 2]
}

/// `intcov test`'s own per-phase times in seconds, from its last stderr line.
#[derive(Clone, Debug, PartialEq)]
struct Phases {
    overlay: f64,
    go_test: f64,
    merge: f64,
    reports: f64,
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "overlay {:.2}s, go test {:.2}s, merge {:.2}s, reports {:.2}s",
            self.overlay, self.go_test, self.merge, self.reports
        )
    }
}

fn parse_phases(stderr: &str) -> Option<Phases> {
    let line = stderr.lines().rev().find(|l| l.contains("(overlay "))?;
    let inner = line.split_once("(overlay ")?.1.trim_end_matches(')');
    let mut parts = inner.split(", ");
    let secs = |s: &str| s.trim_end_matches('s').parse::<f64>().ok();
    let overlay = secs(parts.next()?)?;
    let go_test = secs(parts.next()?.strip_prefix("go test ")?)?;
    let merge = secs(parts.next()?.strip_prefix("merge ")?)?;
    let reports = secs(parts.next()?.strip_prefix("reports ")?)?;
    Some(Phases {
        overlay,
        go_test,
        merge,
        reports,
    })
}

fn go_test(module: &Utf8Path, gocache: Option<&Utf8Path>) -> Result<Duration> {
    let mut cmd = Command::new("go");
    cmd.args(["test", "-count=1", "-cover", "-coverpkg=./...", "./..."]);
    timed(cmd, module, gocache).map(|(d, _)| d)
}

fn intcov_test(
    intcov: &Utf8Path,
    module: &Utf8Path,
    cache: &Utf8Path,
    out: &Utf8Path,
    gocache: Option<&Utf8Path>,
) -> Result<(Duration, Phases)> {
    let mut cmd = Command::new(intcov);
    cmd.arg("test")
        .env("INTCOV_CACHE_DIR", cache)
        .args(["--out", out.join("data").as_str()])
        .args(["--coverprofile", out.join("coverage.out").as_str()])
        .args(["--html", out.join("html").as_str()])
        .args(["--lcov", out.join("lcov.info").as_str()])
        .args(["--cobertura", out.join("cobertura.xml").as_str()])
        .args(["--json", out.join("coverage.json").as_str()])
        .args(["--markdown", out.join("summary.md").as_str()])
        .arg("./...");
    let (wall, stderr) = timed(cmd, module, gocache)?;
    let phases = parse_phases(&stderr).context("intcov test printed no phase times")?;
    Ok((wall, phases))
}

fn timed(
    mut cmd: Command,
    dir: &Utf8Path,
    gocache: Option<&Utf8Path>,
) -> Result<(Duration, String)> {
    cmd.current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOCOVERDIR");
    if let Some(c) = gocache {
        cmd.env("GOCACHE", c);
    }
    let started = Instant::now();
    let out = cmd.output().with_context(|| format!("{cmd:?}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    ensure!(
        out.status.success(),
        "{cmd:?} in {dir} failed:\n{}{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    Ok((wall, stderr))
}

fn copy_module(from: &Utf8Path, to: &Utf8PathBuf) -> Result<()> {
    let _ = std::fs::remove_dir_all(to);
    let status = Command::new("cp").arg("-r").arg(from).arg(to).status()?;
    ensure!(status.success(), "cp -r {from} {to}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_intcov_tests_phase_line() {
        let p = parse_phases(
            "intcov: merging\nintcov: done in 5.5s (overlay 0.01s, go test 5.20s, merge 0.05s, reports 0.10s)\n",
        )
        .unwrap();
        assert_eq!(
            p.to_string(),
            "overlay 0.01s, go test 5.20s, merge 0.05s, reports 0.10s"
        );
    }
}
