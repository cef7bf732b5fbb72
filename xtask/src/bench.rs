//! `cargo xtask bench`: intcov against Go's own covdata binary, side by side in one run.
//!
//! Data sets are real: Go's `cmd/go` built with `-cover -coverpkg=all` and run a few hundred
//! times (`version`, `env`, `list`) into a GOCOVERDIR, cached under `target/bench/`. The tools run
//! alternately so that a noisy neighbour hurts both alike; we report the median wall time and the
//! peak RSS of each, and refuse to time anything whose outputs differ.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::flags::BenchArgs;

pub fn run(args: BenchArgs) -> Result<()> {
    ensure!(args.repeat > 0, "--repeat must be at least 1");
    if args.flush_only {
        return crate::bench_flush::run(&args);
    }
    let sh = Shell::new()?;
    sh.set_var("GOTOOLCHAIN", "local");
    let root = crate::project_root();
    sh.change_dir(&root);
    let bench_dir = root.join("target/bench");
    sh.create_dir(&bench_dir)?;

    eprintln!("bench: building intcov (release)");
    cmd!(sh, "cargo build --release --quiet -p intcov").run()?;
    let intcov = target_dir(&sh)?.join("release/intcov");
    let go_covdata = Utf8PathBuf::from(cmd!(sh, "go tool -n covdata").read()?.trim().to_owned());
    let go_version = cmd!(sh, "go env GOVERSION").read()?;
    if args.reports_only {
        let set = cmdgo_dataset(&sh, &bench_dir, args.runs)?;
        return crate::bench_reports::run(&intcov, &set.dir, &bench_dir, args.repeat);
    }
    let pipeline = if args.only_hugemeta {
        String::new()
    } else {
        crate::bench_pipeline::run(&args, &intcov, &bench_dir)?
    };
    if args.pipeline_only {
        return write_results(&bench_dir, &pipeline);
    }

    let mut sets = Vec::new();
    if !args.only_hugemeta {
        sets.push(cmdgo_dataset(&sh, &bench_dir, args.runs)?);
        crate::bench_reports::run(&intcov, &sets[0].dir, &bench_dir, args.repeat)?;
    }
    if args.large > 0 && !sets.is_empty() {
        sets.push(replicated_dataset(&sh, &bench_dir, &sets[0], args.large)?);
    }
    if args.hugemeta_funcs > 0 {
        sets.push(crate::bench_hugemeta::dataset(
            &sh,
            &bench_dir,
            args.hugemeta_funcs,
        )?);
    }

    let mut table = String::new();
    writeln!(
        table,
        "| data set | files | MB | op | go covdata ({go_version}) | intcov | speed-up | go CPU | intcov CPU | CPU ratio | go peak RSS | intcov peak RSS |"
    )?;
    writeln!(
        table,
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )?;
    // Peak RSS is measured in one more run of each tool under GNU time: a child spawned from
    // this (much larger) process would have this process's size counted into its own.
    let gnu_time = Utf8PathBuf::from("/usr/bin/time");
    let gnu_time = gnu_time.is_file().then_some(gnu_time);
    for set in &sets {
        for op in Op::ALL {
            let scratch = bench_dir.join("scratch");
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch)?;
            check_identical(op, &go_covdata, &intcov, &set.dir, &scratch)
                .with_context(|| format!("{} on {}", op.name(), set.name))?;
            let mut go_runs = Vec::new();
            let mut our_runs = Vec::new();
            for _ in 0..args.repeat {
                // Outputs are dropped at once: this process's own size is the floor of every
                // peak RSS it measures (see `rss_floor_kb`).
                go_runs.push(measure(op, &go_covdata, &set.dir, &scratch.join("go"))?.0);
                our_runs.push(measure(op, &intcov, &set.dir, &scratch.join("intcov"))?.0);
            }
            let mut go = Summary::of(&go_runs);
            let mut ours = Summary::of(&our_runs);
            if let Some(time) = &gnu_time {
                go.peak_rss_kb = peak_rss(time, op, &go_covdata, &set.dir, &scratch.join("go"))?;
                ours.peak_rss_kb = peak_rss(time, op, &intcov, &set.dir, &scratch.join("intcov"))?;
            }
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            let line = format!(
                "| {} | {} | {:.1} | {} | {:.1} ms | {:.1} ms | {:.1}x | {:.1} ms | {:.1} ms | {:.1}x | {:.1} MB | {:.1} MB |",
                set.name,
                set.files,
                set.bytes as f64 / 1e6,
                op.name(),
                ms(go.median),
                ms(ours.median),
                go.median.as_secs_f64() / ours.median.as_secs_f64(),
                ms(go.median_cpu),
                ms(ours.median_cpu),
                go.median_cpu.as_secs_f64() / ours.median_cpu.as_secs_f64(),
                go.peak_rss_kb as f64 / 1024.0,
                ours.peak_rss_kb as f64 / 1024.0,
            );
            eprintln!("{line}");
            writeln!(table, "{line}")?;
        }
    }
    if !args.only_hugemeta {
        crate::bench_setops::run(
            &mut table,
            &go_covdata,
            &intcov,
            &sets[0].dir,
            &bench_dir,
            args.repeat,
        )?;
    }
    if gnu_time.is_none() {
        writeln!(
            table,
            "\nPeak RSS cannot read below {:.1} MB here (the size of this benchmark process, \
             which Linux counts into its children's; install GNU time for exact figures).",
            rss_floor_kb() as f64 / 1024.0
        )?;
    }
    table.push_str(&crate::bench_warnings::rows(
        &sh,
        &bench_dir,
        &intcov,
        &go_covdata,
        args.repeat,
    )?);
    writeln!(table, "\n{pipeline}")?;
    write_results(&bench_dir, &table)?;
    crate::bench_flush::run(&args)
}

fn write_results(bench_dir: &Utf8Path, table: &str) -> Result<()> {
    println!("\n{table}");
    let out = bench_dir.join("results.md");
    std::fs::write(&out, table)?;
    eprintln!("bench: table written to {out}");
    Ok(())
}

/// Where cargo puts build output (CARGO_TARGET_DIR, a config file or the default), as cargo
/// itself reports it.
fn target_dir(sh: &Shell) -> Result<Utf8PathBuf> {
    let meta = cmd!(sh, "cargo metadata --format-version 1 --no-deps")
        .quiet()
        .read()?;
    let meta: serde_json::Value = serde_json::from_str(&meta).context("cargo metadata output")?;
    let dir = meta["target_directory"]
        .as_str()
        .context("cargo metadata: no target_directory")?;
    Ok(Utf8PathBuf::from(dir))
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Textfmt,
    Percent,
    Func,
    Merge,
}

impl Op {
    const ALL: [Op; 4] = [Op::Textfmt, Op::Percent, Op::Func, Op::Merge];

    fn name(self) -> &'static str {
        match self {
            Op::Textfmt => "textfmt",
            Op::Percent => "percent",
            Op::Func => "func",
            Op::Merge => "merge",
        }
    }

    /// The command line, identical for both tools; output lands under `out`.
    fn command(self, tool: &Utf8Path, input: &Utf8Path, out: &Utf8Path) -> Command {
        let mut c = Command::new(tool);
        c.arg(self.name()).arg(format!("-i={input}"));
        match self {
            Op::Textfmt => {
                c.arg(format!("-o={}", out.join("profile.txt")));
            }
            Op::Merge => {
                c.arg(format!("-o={}", out.join("merged")));
            }
            Op::Percent | Op::Func => {}
        }
        c
    }
}

struct Run {
    wall: Duration,
    /// User plus system time, on all threads.
    cpu: Duration,
    peak_rss_kb: u64,
}

/// Run `tool` once: its figures and its standard output.
fn measure(op: Op, tool: &Utf8Path, input: &Utf8Path, out: &Utf8Path) -> Result<(Run, Vec<u8>)> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out.join("merged"))?;
    let mut cmd = op.command(tool, input, out);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("running {tool}"))?;
    let (status, rusage, stdout, stderr) = wait_with_rusage(child)?;
    let wall = start.elapsed();
    if !status.success() {
        bail!(
            "{tool} {} failed: {}",
            op.name(),
            String::from_utf8_lossy(&stderr)
        );
    }
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let run = Run {
        wall,
        cpu: time(rusage.ru_utime) + time(rusage.ru_stime),
        peak_rss_kb: rusage.ru_maxrss as u64,
    };
    Ok((run, stdout))
}

/// Peak RSS of one run of `tool`, as GNU `time` (whose own size is about 1 MB) reports it.
fn peak_rss(
    time: &Utf8Path,
    op: Op,
    tool: &Utf8Path,
    input: &Utf8Path,
    out: &Utf8Path,
) -> Result<u64> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out.join("merged"))?;
    let inner = op.command(tool, input, out);
    let output = Command::new(time)
        .args(["-f", "peak-rss-kb %M", "--"])
        .arg(inner.get_program())
        .args(inner.get_args())
        .stdout(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {tool} under {time}"))?;
    ensure!(
        output.status.success(),
        "{tool} {} failed under {time}",
        op.name()
    );
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-rss-kb "))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no peak RSS from {time}"))
}

/// This process's resident size. Linux carries the size of the process a child was spawned
/// from into the child's peak RSS (the memory image it replaced at exec), so no figure
/// measured here can be below this one.
fn rss_floor_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Collect the child's output and then reap it with `wait4`, which (unlike `waitpid`) reports
/// that one child's peak RSS.
pub(crate) fn wait_with_rusage(
    mut child: std::process::Child,
) -> Result<(std::process::ExitStatus, libc::rusage, Vec<u8>, Vec<u8>)> {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut out_pipe = child.stdout.take().context("stdout pipe")?;
    let mut err_pipe = child.stderr.take().context("stderr pipe")?;
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    out_pipe.read_to_end(&mut stdout)?;
    stderr.extend(err_thread.join().unwrap_or_default());
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, and pid is our own unreaped child.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
    ensure!(
        rc == pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    Ok((
        std::process::ExitStatus::from_raw(status),
        rusage,
        stdout,
        stderr,
    ))
}

fn check_identical(
    op: Op,
    go: &Utf8Path,
    intcov: &Utf8Path,
    input: &Utf8Path,
    scratch: &Utf8Path,
) -> Result<()> {
    let go_out = scratch.join("check-go");
    let our_out = scratch.join("check-intcov");
    let (_, g) = measure(op, go, input, &go_out)?;
    let (_, o) = measure(op, intcov, input, &our_out)?;
    ensure!(g == o, "stdout differs between go covdata and intcov");
    let file_of = |dir: &Utf8Path| -> Result<Vec<u8>> {
        Ok(match op {
            Op::Textfmt => std::fs::read(dir.join("profile.txt"))?,
            // Merged directories are compared by what Go's own tool reads from them.
            Op::Merge => {
                Command::new(go)
                    .args([
                        "textfmt",
                        &format!("-i={}", dir.join("merged")),
                        "-o=/dev/stdout",
                    ])
                    .output()?
                    .stdout
            }
            Op::Percent | Op::Func => Vec::new(),
        })
    };
    ensure!(
        file_of(&go_out)? == file_of(&our_out)?,
        "output files differ between go covdata and intcov"
    );
    Ok(())
}

struct Summary {
    median: Duration,
    median_cpu: Duration,
    peak_rss_kb: u64,
}

impl Summary {
    fn of(runs: &[Run]) -> Summary {
        let median = |mut v: Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        Summary {
            median: median(runs.iter().map(|r| r.wall).collect()),
            median_cpu: median(runs.iter().map(|r| r.cpu).collect()),
            peak_rss_kb: runs.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0),
        }
    }
}

pub(crate) struct DataSet {
    name: String,
    dir: Utf8PathBuf,
    files: usize,
    bytes: u64,
}

impl DataSet {
    pub(crate) fn scan(name: &str, dir: Utf8PathBuf) -> Result<DataSet> {
        let (mut files, mut bytes) = (0, 0);
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("covcounters.")
            {
                files += 1;
            }
            bytes += entry.metadata()?.len();
        }
        Ok(DataSet {
            name: name.to_owned(),
            dir,
            files,
            bytes,
        })
    }
}

/// Go's own `cmd/go`, built with coverage of every package it links, run `runs` times per
/// sub-command in a small module. Cached: delete target/bench/cmdgo to rebuild.
fn cmdgo_dataset(sh: &Shell, bench_dir: &Utf8Path, runs: usize) -> Result<DataSet> {
    let base = bench_dir.join("cmdgo");
    let data = base.join(format!("covdata-{runs}"));
    if data.join(".complete").exists() {
        return DataSet::scan("cmd/go", data);
    }
    let covered_go = base.join("go-cover");
    if !covered_go.exists() {
        eprintln!("bench: building cmd/go with -cover -coverpkg=all (takes a few minutes)");
        cmd!(sh, "go build -cover -coverpkg=all -o {covered_go} cmd/go").run()?;
    }
    let module = base.join("module");
    sh.create_dir(&module)?;
    sh.write_file(
        module.join("go.mod"),
        "module example.com/benchmod\n\ngo 1.21\n",
    )?;
    sh.write_file(module.join("main.go"), "package main\n\nfunc main() {}\n")?;
    let _ = std::fs::remove_dir_all(&data);
    sh.create_dir(&data)?;
    let _dir = sh.push_dir(&module);
    let _env = sh.push_env("GOCOVERDIR", &data);
    for i in 0..runs {
        if i % 50 == 0 {
            eprintln!("bench: cmd/go runs {}/{}", i * 3, runs * 3);
        }
        cmd!(sh, "{covered_go} version")
            .quiet()
            .ignore_stdout()
            .run()?;
        cmd!(sh, "{covered_go} env").quiet().ignore_stdout().run()?;
        cmd!(sh, "{covered_go} list ./...")
            .quiet()
            .ignore_stdout()
            .run()?;
    }
    sh.write_file(data.join(".complete"), "")?;
    DataSet::scan("cmd/go", data)
}

/// A larger set made from the real one: its counter files copied under fresh names until there
/// are `files` of them. Counter contents stay real Go output.
fn replicated_dataset(
    sh: &Shell,
    bench_dir: &Utf8Path,
    base: &DataSet,
    files: usize,
) -> Result<DataSet> {
    let data = bench_dir.join(format!("replicated-{files}"));
    if data.join(".complete").exists() {
        return DataSet::scan(&format!("cmd/go x{files}"), data);
    }
    let _ = std::fs::remove_dir_all(&data);
    sh.create_dir(&data)?;
    let mut counters = Vec::new();
    for entry in std::fs::read_dir(&base.dir)? {
        let entry = entry?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| anyhow::anyhow!("bad name {n:?}"))?;
        if name.starts_with("covmeta.") {
            std::fs::copy(entry.path(), data.join(&name))?;
        } else if name.starts_with("covcounters.") {
            counters.push(name);
        }
    }
    counters.sort();
    ensure!(!counters.is_empty(), "no counter files in {}", base.dir);
    for i in 0..files {
        let src = &counters[i % counters.len()];
        // covcounters.<hash>.<pid>.<nanotime>: keep the hash, make pid and time unique.
        let hash = src.split('.').nth(1).context("counter file name")?;
        let dst = data.join(format!(
            "covcounters.{hash}.{}.{}",
            100_000 + i,
            1_700_000_000_000_000_000u64 + i as u64
        ));
        std::fs::copy(base.dir.join(src), dst)?;
    }
    sh.write_file(data.join(".complete"), "")?;
    DataSet::scan(&format!("cmd/go x{files}"), data)
}
