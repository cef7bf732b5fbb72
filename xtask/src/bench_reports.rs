//! `cargo xtask bench` (reports part; `--reports-only` runs just this): `intcov report` HTML,
//! LCOV and Cobertura of the cmd/go `-coverpkg=all` data, with sources, timed side by side
//! with genhtml (on intcov's LCOV, absolute paths so that it finds every source) and
//! `go tool cover -html` (on the textfmt profile), in one run, alternately, with the median
//! wall time and the peak RSS (GNU time) of each. intcov starts from the raw coverage
//! directory each time; the anchors start from files made for them beforehand.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

/// One tool's command line.
struct Tool {
    name: &'static str,
    program: Utf8PathBuf,
    args: Vec<String>,
    /// What it writes, removed before each run.
    out: Utf8PathBuf,
}

impl Tool {
    fn command(&self, cwd: &Utf8Path) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args)
            .current_dir(cwd)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        c
    }

    fn clean(&self) {
        let _ = std::fs::remove_dir_all(&self.out);
        let _ = std::fs::remove_file(&self.out);
    }

    /// Wall time of one run.
    fn time(&self, cwd: &Utf8Path) -> Result<Duration> {
        self.clean();
        let start = Instant::now();
        let out = self
            .command(cwd)
            .output()
            .with_context(|| format!("running {}", self.program))?;
        let wall = start.elapsed();
        ensure!(
            out.status.success(),
            "{} failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(wall)
    }

    /// Peak RSS in kB of one run under GNU time.
    fn peak_rss_kb(&self, time: &Utf8Path, cwd: &Utf8Path) -> Result<u64> {
        self.clean();
        let out = Command::new(time)
            .args(["-f", "peak-rss-kb %M", "--"])
            .arg(&self.program)
            .args(&self.args)
            .current_dir(cwd)
            .stdout(std::process::Stdio::null())
            .output()?;
        ensure!(out.status.success(), "{} failed under {time}", self.name);
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("peak-rss-kb "))
            .and_then(|v| v.trim().parse().ok())
            .context("no peak RSS from GNU time")
    }
}

fn which(name: &str) -> Option<Utf8PathBuf> {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| Utf8PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Run the report benchmark on the coverage directory `covdata` made by `bench.rs` under
/// `bench_dir`, in its Go module (where `go tool cover` resolves packages).
pub fn run(
    intcov: &Utf8Path,
    covdata: &Utf8Path,
    bench_dir: &Utf8Path,
    repeat: usize,
) -> Result<()> {
    let module = &bench_dir.join("cmdgo/module");
    let work = bench_dir.join("reports");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let repeat = repeat.clamp(1, 5);
    let i = format!("-i={covdata}");
    let intcov_report = |format: &str, out: Utf8PathBuf, extra: &[&str]| Tool {
        name: "intcov",
        program: intcov.to_owned(),
        args: [
            vec![
                "report".to_owned(),
                format!("--format={format}"),
                i.clone(),
                format!("-o={out}"),
            ],
            extra.iter().map(|s| (*s).to_owned()).collect(),
        ]
        .concat(),
        out,
    };

    // The anchors' inputs, made once by the tools they come from.
    eprintln!("bench: reports: preparing genhtml's LCOV and go tool cover's profile");
    let lcov_abs = work.join("anchor.lcov");
    intcov_report("lcov", lcov_abs.clone(), &["--absolute-paths"]).time(module)?;
    let profile = work.join("profile.txt");
    let st = Command::new(intcov)
        .args(["textfmt", &i, &format!("-o={profile}")])
        .status()?;
    ensure!(st.success(), "intcov textfmt failed");
    let go = which("go").context("go not on PATH")?;

    let mut rows: Vec<(&str, Tool, Option<Tool>)> = vec![
        (
            "html",
            intcov_report("html", work.join("intcov-html"), &[]),
            which("genhtml").map(|g| Tool {
                name: "genhtml",
                program: g,
                args: vec![
                    "--quiet".into(),
                    "--output-directory".into(),
                    work.join("genhtml").into_string(),
                    lcov_abs.to_string(),
                ],
                out: work.join("genhtml"),
            }),
        ),
        (
            "html (single page)",
            intcov_report("html", work.join("intcov-html2"), &[]),
            Some(Tool {
                name: "go tool cover -html",
                program: go,
                args: vec![
                    "tool".into(),
                    "cover".into(),
                    format!("-html={profile}"),
                    format!("-o={}", work.join("cover.html")),
                ],
                out: work.join("cover.html"),
            }),
        ),
        (
            "lcov",
            intcov_report("lcov", work.join("intcov.lcov"), &[]),
            None,
        ),
        (
            "cobertura",
            intcov_report("cobertura", work.join("intcov.xml"), &[]),
            None,
        ),
    ];
    let gnu_time = Utf8PathBuf::from("/usr/bin/time");
    let gnu_time = gnu_time.is_file().then_some(gnu_time);
    let mut table = String::new();
    writeln!(
        table,
        "| report | anchor | anchor time | intcov time | speed-up | anchor peak RSS | intcov peak RSS | intcov output |"
    )?;
    writeln!(table, "|---|---|---:|---:|---:|---:|---:|---:|")?;
    for (what, ours, anchor) in &mut rows {
        let mut our_times = Vec::new();
        let mut anchor_times = Vec::new();
        for _ in 0..repeat {
            our_times.push(ours.time(module)?);
            if let Some(a) = anchor.as_ref() {
                anchor_times.push(a.time(module)?);
            }
        }
        let size = size_of(&ours.out);
        let median = |mut v: Vec<Duration>| {
            v.sort();
            v.get(v.len() / 2).copied()
        };
        let (ours_t, anchor_t) = (median(our_times).unwrap_or_default(), median(anchor_times));
        let rss = |t: &Tool| -> Result<String> {
            Ok(match &gnu_time {
                Some(time) => format!("{:.1} MB", t.peak_rss_kb(time, module)? as f64 / 1024.0),
                None => "n/a".into(),
            })
        };
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
        let line = format!(
            "| {what} | {} | {} | {} | {} | {} | {} | {:.1} MB |",
            anchor.as_ref().map_or("—", |a| a.name),
            anchor_t.map_or("—".into(), ms),
            ms(ours_t),
            anchor_t.map_or("—".into(), |a| format!(
                "{:.1}x",
                a.as_secs_f64() / ours_t.as_secs_f64()
            )),
            match anchor.as_ref() {
                Some(a) => rss(a)?,
                None => "—".into(),
            },
            rss(ours)?,
            size as f64 / 1e6
        );
        eprintln!("{line}");
        writeln!(table, "{line}")?;
    }
    println!("\n{table}");
    let out = work.join("results.md");
    std::fs::write(&out, &table)?;
    eprintln!("bench: reports table written to {out}");
    Ok(())
}

/// Bytes of a file, or of every file under a directory.
fn size_of(path: &Utf8Path) -> u64 {
    if path.is_file() {
        return path.metadata().map_or(0, |m| m.len());
    }
    let mut total = 0;
    let mut stack = vec![path.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = d.read_dir_utf8() else {
            continue;
        };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path().to_owned()),
                Ok(_) => total += e.metadata().map_or(0, |m| m.len()),
                Err(_) => {}
            }
        }
    }
    total
}
