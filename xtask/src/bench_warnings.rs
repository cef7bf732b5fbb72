//! The warning-flood row of `cargo xtask bench`: `percent` over counter files whose records
//! name functions the meta-data file lacks (stale or mismatched data), one warning each.
//!
//! The data is real: a generated program with [`FUNCS`] functions, built with `-cover` and run
//! once (Go's own runtime writes the counter file), and the same package rebuilt with only
//! `main`, whose meta-data file the counter file is then re-targeted at (its name and the meta
//! hash in its header, bytes 8..24). Copies of it under fresh names make the flood.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

/// Functions in the generated program; every one runs, so each is one counter record.
const FUNCS: usize = 3000;
/// Copies of the counter file: FUNCS × COPIES records the meta-data lacks.
const COPIES: usize = 100;

/// The row (Markdown) for [`FUNCS`] × [`COPIES`] warnings, both tools timed alternately.
pub fn rows(
    sh: &Shell,
    bench_dir: &Utf8Path,
    intcov: &Utf8Path,
    go_covdata: &Utf8Path,
    repeat: usize,
) -> Result<String> {
    let dir = flood_dataset(sh, bench_dir).context("building the warning-flood data")?;
    // Wall time, CPU time (user + system), stdout, stderr size.
    let run = |tool: &Utf8Path| -> Result<(Duration, Duration, Vec<u8>, usize)> {
        let start = Instant::now();
        let child = Command::new(tool)
            .args(["percent", &format!("-i={dir}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (status, rusage, stdout, stderr) = crate::bench::wait_with_rusage(child)?;
        let wall = start.elapsed();
        ensure!(
            status.success(),
            "{tool} percent failed: {}",
            String::from_utf8_lossy(&stderr)
        );
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        let cpu = time(rusage.ru_utime) + time(rusage.ru_stime);
        Ok((wall, cpu, stdout, stderr.len()))
    };
    let (_, _, go_out, go_err) = run(go_covdata)?;
    let (_, _, our_out, our_err) = run(intcov)?;
    ensure!(
        go_out == our_out,
        "percent output differs from Go's on the warning flood"
    );
    let (mut go, mut ours) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for _ in 0..repeat {
        let (w, c, _, _) = run(go_covdata)?;
        go.0.push(w);
        go.1.push(c);
        let (w, c, _, _) = run(intcov)?;
        ours.0.push(w);
        ours.1.push(c);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (gw, gc) = (median(&mut go.0), median(&mut go.1));
    let (ow, oc) = (median(&mut ours.0), median(&mut ours.1));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let records = FUNCS * COPIES;
    let mut table = String::new();
    writeln!(table, "\n| warning flood | records warned about | go covdata | intcov | speed-up | go CPU | intcov CPU | CPU ratio | go stderr | intcov stderr |")?;
    writeln!(table, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    writeln!(
        table,
        "| percent, records of functions the meta-data lacks | {records} | {:.1} ms | {:.1} ms | {:.1}x | {:.1} ms | {:.1} ms | {:.1}x | {:.1} MB | {:.1} kB |",
        ms(gw),
        ms(ow),
        gw.as_secs_f64() / ow.as_secs_f64(),
        ms(gc),
        ms(oc),
        gc.as_secs_f64() / oc.as_secs_f64(),
        go_err as f64 / 1e6,
        our_err as f64 / 1e3,
    )?;
    eprint!("{table}");
    Ok(table)
}

fn flood_dataset(sh: &Shell, bench_dir: &Utf8Path) -> Result<Utf8PathBuf> {
    let root = bench_dir.join("warning-flood");
    let data = root.join(format!("data-{FUNCS}x{COPIES}"));
    if data.join("done").is_file() {
        return Ok(data);
    }
    let _ = std::fs::remove_dir_all(&root);
    let (many, few) = (root.join("many"), root.join("few"));
    let (run_dir, few_dir) = (root.join("run"), root.join("few-run"));
    for d in [&many, &few, &run_dir, &few_dir, &data] {
        sh.create_dir(d)?;
    }
    let go_mod = "module flood\n\ngo 1.21\n";
    let mut src = String::from("package main\n\nvar sink int\n\n");
    for i in 0..FUNCS {
        writeln!(
            src,
            "func f{i}(x int) int {{\n\tif x > {i} {{\n\t\treturn x\n\t}}\n\treturn {i}\n}}\n"
        )?;
    }
    src.push_str("func main() {\n");
    for i in 0..FUNCS {
        writeln!(src, "\tsink += f{i}(sink)")?;
    }
    src.push_str("}\n");
    sh.write_file(many.join("go.mod"), go_mod)?;
    sh.write_file(many.join("main.go"), src)?;
    sh.write_file(few.join("go.mod"), go_mod)?;
    sh.write_file(few.join("main.go"), "package main\n\nfunc main() {}\n")?;
    for (dir, out) in [(&many, &run_dir), (&few, &few_dir)] {
        let _d = sh.push_dir(dir);
        let exe = dir.join("prog");
        cmd!(sh, "go build -cover -o {exe} .").run()?;
        cmd!(sh, "{exe}").env("GOCOVERDIR", out).run()?;
    }
    let find = |dir: &Utf8Path, prefix: &str| -> Result<Utf8PathBuf> {
        dir.read_dir_utf8()?
            .filter_map(|e| e.ok())
            .map(|e| e.path().to_owned())
            .find(|p| p.file_name().is_some_and(|n| n.starts_with(prefix)))
            .with_context(|| format!("no {prefix}* in {dir}"))
    };
    let meta = find(&few_dir, "covmeta.")?;
    let hash_hex = meta.extension().context("meta-data file name")?.to_owned();
    let hash: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hash_hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()?;
    let mut counters = std::fs::read(find(&run_dir, "covcounters.")?)?;
    ensure!(counters.len() > 24, "counter file too short");
    counters[8..24].copy_from_slice(&hash);
    std::fs::copy(&meta, data.join(meta.file_name().unwrap()))?;
    for k in 0..COPIES {
        let name = format!(
            "covcounters.{hash_hex}.{}.{}",
            1000 + k,
            1_700_000_000_000_000_000u64 + k as u64
        );
        std::fs::write(data.join(name), &counters)?;
    }
    std::fs::write(data.join("done"), "")?;
    Ok(data)
}
