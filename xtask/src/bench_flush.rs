//! `cargo xtask bench` (or `--flush-only`): what the full overlay's counter flushing costs a
//! program built with it (overlays/core/integration_flush.go.in).
//!
//! One covered program (xtask/benchdata/flush, built with `-cover -coverpkg=all`) in three builds
//! and settings, run alternately so that a noisy neighbour hurts all alike:
//! - stock `go build -cover`, the anchor;
//! - the overlay with GO_INTEGRATION_COVERAGE=1 and GO_INTEGRATION_COVERAGE_FLUSH=0 (no flush);
//! - the overlay with GO_INTEGRATION_COVERAGE=1 and the default flush.
//!
//! The flush cost is the third against the second; the overlay's whole cost for programs is the
//! third against stock. Two workloads: one CPU-bound run of about two seconds (median of
//! `--repeat`), and `--flush-runs` runs of a few milliseconds each (the testscript pattern),
//! summed, all into one GOCOVERDIR per build as a test would leave them.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::bench::wait_with_rusage;
use crate::flags::BenchArgs;

/// One build of the program and the environment it runs with.
struct Variant {
    name: &'static str,
    bin: Utf8PathBuf,
    env: &'static [(&'static str, &'static str)],
    cover: Utf8PathBuf,
}

#[derive(Clone, Copy, Default)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        self.wall += o.wall;
        self.cpu += o.cpu;
    }
}

pub fn run(args: &BenchArgs) -> Result<()> {
    ensure!(args.repeat > 0, "--repeat must be at least 1");
    let sh = Shell::new()?;
    sh.set_var("GOTOOLCHAIN", "local");
    let root = crate::project_root();
    let dir = root.join("target/bench/flush");
    let _ = std::fs::remove_dir_all(&dir);
    sh.create_dir(&dir)?;
    let go_version = cmd!(sh, "go env GOVERSION").read()?;

    eprintln!("bench flush: generating the overlay and building the program (stock and overlay)");
    let install = overlay::probe(Utf8Path::new("go")).context("go env")?;
    let generated = overlay::generate(
        &install,
        &overlay::Options {
            out: root.join("target/bench/flush-overlay"),
            coverdir: None,
            variant: overlay::Variant::Full,
        },
    )?;
    let json = generated.overlay_json;
    sh.change_dir(root.join("xtask/benchdata/flush"));
    let (stock, ov) = (dir.join("stock"), dir.join("overlay"));
    cmd!(sh, "go build -cover -coverpkg=all -o {stock} .").run()?;
    cmd!(
        sh,
        "go build -overlay={json} -cover -coverpkg=all -o {ov} ."
    )
    .run()?;

    let variant = |name, bin: &Utf8Path, env| -> Result<Variant> {
        let cover = dir.join(format!("cover-{name}"));
        std::fs::create_dir_all(&cover)?;
        Ok(Variant {
            name,
            bin: bin.to_owned(),
            env,
            cover,
        })
    };
    let variants = [
        variant("stock", &stock, &[])?,
        variant(
            "flush off",
            &ov,
            &[
                ("GO_INTEGRATION_COVERAGE", "1"),
                ("GO_INTEGRATION_COVERAGE_FLUSH", "0"),
            ],
        )?,
        variant("default flush", &ov, &[("GO_INTEGRATION_COVERAGE", "1")])?,
    ];

    // Calibrate on the stock build's CPU time (wall time depends on the machine's load): about
    // 2 s for the CPU-bound run, 3 ms of work for the short ones.
    let probe_n = 20_000u64;
    let probe = run_once(&variants[0], probe_n)?.cpu.as_secs_f64().max(1e-3);
    let per_item = probe / probe_n as f64;
    let cpu_n = ((2.0 / per_item) as u64).max(probe_n);
    let short_n = ((0.003 / per_item) as u64).max(1);

    eprintln!(
        "bench flush: CPU-bound, {} runs of each ({cpu_n} records)",
        args.repeat
    );
    let mut cpu_runs: Vec<Vec<Cost>> = vec![Vec::new(); variants.len()];
    for _ in 0..args.repeat {
        for (v, runs) in variants.iter().zip(&mut cpu_runs) {
            runs.push(run_once(v, cpu_n)?);
        }
    }
    let cpu: Vec<Cost> = cpu_runs.into_iter().map(median).collect();

    eprintln!(
        "bench flush: {} short runs of each ({short_n} records)",
        args.flush_runs
    );
    let mut short = vec![Cost::default(); variants.len()];
    let block = 250;
    let mut done = 0;
    while done < args.flush_runs {
        let n = block.min(args.flush_runs - done);
        for (v, total) in variants.iter().zip(&mut short) {
            for _ in 0..n {
                *total += run_once(v, short_n)?;
            }
        }
        done += n;
    }

    let mut table = String::new();
    writeln!(
        table,
        "| workload ({go_version}) | | stock `-cover` | overlay, flush off | overlay, default flush | flush cost | overlay vs stock |"
    )?;
    writeln!(table, "|---|---|---:|---:|---:|---:|---:|")?;
    let mut row = |what: String, costs: &[Cost], unit: &str, scale: f64| -> Result<()> {
        for (label, get) in [
            ("wall", (|c: &Cost| c.wall) as fn(&Cost) -> Duration),
            ("CPU", |c: &Cost| c.cpu),
        ] {
            let [s, off, on] = [0, 1, 2].map(|i| get(&costs[i]).as_secs_f64());
            writeln!(
                table,
                "| {what} | {label} | {:.2} {unit} | {:.2} {unit} | {:.2} {unit} | {:+.2}% | {:+.2}% |",
                s * scale,
                off * scale,
                on * scale,
                100.0 * (on / off - 1.0),
                100.0 * (on / s - 1.0),
            )?;
        }
        Ok(())
    };
    row(
        format!("CPU-bound, median of {}", args.repeat),
        &cpu,
        "s",
        1.0,
    )?;
    let per_run: Vec<Cost> = short
        .iter()
        .map(|c| Cost {
            wall: c.wall / args.flush_runs.max(1) as u32,
            cpu: c.cpu / args.flush_runs.max(1) as u32,
        })
        .collect();
    row(
        format!("{} short runs, mean", args.flush_runs),
        &per_run,
        "ms",
        1000.0,
    )?;
    for v in &variants {
        let files = std::fs::read_dir(&v.cover)?.count();
        writeln!(table, "\n{}: {files} files in its GOCOVERDIR", v.name)?;
    }
    println!("\n{table}");
    let out = root.join("target/bench/flush.md");
    std::fs::write(&out, &table)?;
    eprintln!("bench flush: table written to {out}");
    Ok(())
}

/// Runs `v` once over `n` records; its output is checked, its wall and CPU time returned.
fn run_once(v: &Variant, n: u64) -> Result<Cost> {
    let start = Instant::now();
    let child = Command::new(&v.bin)
        .arg(n.to_string())
        .env("GOCOVERDIR", &v.cover)
        .env_remove("GO_INTEGRATION_COVERAGE")
        .env_remove("GO_INTEGRATION_COVERAGE_FLUSH")
        .envs(v.env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", v.bin))?;
    let (status, rusage, stdout, stderr) = wait_with_rusage(child)?;
    let wall = start.elapsed();
    ensure!(
        status.success() && stdout.len() == 17 && stderr.is_empty(),
        "{} ({}) {n}: {status}: {}{}",
        v.bin,
        v.name,
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Cost {
        wall,
        cpu: time(rusage.ru_utime) + time(rusage.ru_stime),
    })
}

fn median(mut runs: Vec<Cost>) -> Cost {
    let mid = runs.len() / 2;
    runs.sort_by_key(|c| c.wall);
    let wall = runs[mid].wall;
    runs.sort_by_key(|c| c.cpu);
    Cost {
        wall,
        cpu: runs[mid].cpu,
    }
}
