//! `cargo xtask conformance`: Go's own tests of `go tool covdata`, run against intcov.
//!
//! GOROOT is copied to `target/conformance/goroot` (GOROOT itself is never written) and one
//! patch is applied: `cmd/covdata`'s `TestCovTool` runs the tool named by
//! `INTCOV_CONFORMANCE_TOOL` instead of re-running its own test binary. That tool is
//! `covdata-compare` (`conformance_compare.go`), which runs Go's own covdata and intcov on
//! every call, answers with intcov's result and logs whether exit status, stdout, the first
//! line of stderr and the files written were the same.
//!
//! With `--cmd-go`, the comparing tool is also installed as the copy's
//! `pkg/tool/<os>_<arch>/covdata` and cmd/go's script tests that use coverage run with it:
//! every `go test -cover` in them calls intcov through `go tool covdata`.

use std::fmt::Write as _;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::flags::ConformanceArgs;

const COMPARE_GO: &str = include_str!("conformance_compare.go");

/// The patch: the line it follows, and what it adds.
const TOOL_ANCHOR: &str = "\ts.tool = testenv.Executable(t)\n";
const TOOL_PATCH: &str = "\tif tool := os.Getenv(\"INTCOV_CONFORMANCE_TOOL\"); tool != \"\" {\n\
                          \t\ts.tool = tool\n\
                          \t}\n";

pub fn run(args: ConformanceArgs) -> Result<()> {
    let sh = Shell::new()?;
    let root = crate::project_root();
    sh.change_dir(&root);
    sh.set_var("GOTOOLCHAIN", "local");
    let work = root.join("target/conformance");
    sh.create_dir(&work)?;

    cmd!(sh, "cargo build --quiet --release -p intcov").run()?;
    let intcov = root.join("target/release/intcov");
    let goroot = Utf8PathBuf::from(cmd!(sh, "go env GOROOT").read()?.trim());
    let version = cmd!(sh, "go env GOVERSION").read()?.trim().to_owned();
    let copy = copy_goroot(&sh, &goroot, &work, &version)?;

    let bin = work.join("bin");
    sh.create_dir(&bin)?;
    let go_tool = bin.join("covdata-go");
    cmd!(sh, "go build -o {go_tool} cmd/covdata").run()?;
    let log = work.join("calls.jsonl");
    let compare = build_compare(&sh, &work, &intcov, &go_tool, &log)?;

    let mut failed = false;
    let _ = std::fs::remove_file(&log);
    eprintln!("xtask: Go {version}'s cmd/covdata tests against intcov");
    let copy_go = copy.join("bin/go");
    let out = {
        let _dir = sh.push_dir(copy.join("src/cmd/covdata"));
        cmd!(sh, "{copy_go} test -count=1 -v -run TestCovTool .")
            .env("INTCOV_CONFORMANCE_TOOL", &compare)
            .env("GOROOT", &copy)
            .ignore_status()
            .output()?
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let (pass, fail) = subtests(&text, "TestCovTool/");
    println!(
        "cmd/covdata TestCovTool: {} of {} subtests pass{}",
        pass.len(),
        pass.len() + fail.len(),
        if fail.is_empty() {
            String::new()
        } else {
            format!(" (failed: {})", fail.join(", "))
        }
    );
    if !fail.is_empty() || !out.status.success() || pass.is_empty() {
        failed = true;
        eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    }
    failed |= !summarise_calls(&log, "cmd/covdata")?;

    if args.cmd_go {
        failed |= !run_cmd_go(&sh, &copy, &compare, &log)?;
    }
    if failed {
        bail!("conformance: intcov differs from Go's covdata (details above)");
    }
    Ok(())
}

/// A copy of GOROOT under `work`, patched once; reused while Go's version is the same.
fn copy_goroot(
    sh: &Shell,
    goroot: &Utf8Path,
    work: &Utf8Path,
    version: &str,
) -> Result<Utf8PathBuf> {
    let copy = work.join("goroot");
    let stamp = work.join("goroot.stamp");
    let want = format!("{version}\n{goroot}\n{TOOL_PATCH}");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(copy);
    }
    eprintln!("xtask: copying {goroot} to {copy}");
    let _ = std::fs::remove_file(&stamp);
    if copy.exists() {
        sh.remove_path(&copy)?;
    }
    cmd!(sh, "cp -a {goroot} {copy}").run()?;
    let test = copy.join("src/cmd/covdata/tool_test.go");
    let src = std::fs::read_to_string(&test).with_context(|| format!("reading {test}"))?;
    if src.matches(TOOL_ANCHOR).count() != 1 {
        bail!("{test}: the line `s.tool = testenv.Executable(t)` is not there exactly once; this Go release needs a new patch");
    }
    let patched = src.replacen(TOOL_ANCHOR, &format!("{TOOL_ANCHOR}{TOOL_PATCH}"), 1);
    std::fs::write(&test, patched).with_context(|| format!("writing {test}"))?;
    std::fs::write(&stamp, want)?;
    Ok(copy)
}

fn build_compare(
    sh: &Shell,
    work: &Utf8Path,
    intcov: &Utf8Path,
    go_tool: &Utf8Path,
    log: &Utf8Path,
) -> Result<Utf8PathBuf> {
    let dir = work.join("compare");
    sh.create_dir(&dir)?;
    sh.write_file(dir.join("main.go"), COMPARE_GO)?;
    sh.write_file(dir.join("go.mod"), "module covdatacompare\n\ngo 1.21\n")?;
    let out = work.join("bin/covdata-compare");
    let ldflags = format!("-X main.intcov={intcov} -X main.goTool={go_tool} -X main.logTo={log}");
    let _d = sh.push_dir(&dir);
    cmd!(sh, "go build -o {out} -ldflags {ldflags} .").run()?;
    Ok(out)
}

/// Names of passing and failing subtests under `prefix` in `go test -v` output.
fn subtests(text: &str, prefix: &str) -> (Vec<String>, Vec<String>) {
    let (mut pass, mut fail) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim_start) {
        let (list, rest) = if let Some(r) = line.strip_prefix("--- PASS: ") {
            (&mut pass, r)
        } else if let Some(r) = line.strip_prefix("--- FAIL: ") {
            (&mut fail, r)
        } else {
            continue;
        };
        if let Some(name) = rest
            .split_whitespace()
            .next()
            .and_then(|n| n.strip_prefix(prefix))
        {
            list.push(name.to_owned());
        }
    }
    (pass, fail)
}

/// Print how many calls matched Go; false when one did not.
fn summarise_calls(log: &Utf8Path, what: &str) -> Result<bool> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut total = 0;
    let mut differing = String::new();
    let mut stderr_only = String::new();
    for line in text.lines() {
        total += 1;
        let v: serde_json::Value = serde_json::from_str(line)?;
        let same = |k: &str| v.get(k).is_none_or(|b| b.as_bool() == Some(true));
        // Where Go fails it leaves what it had written (an empty or partial -o); intcov
        // leaves nothing, on purpose. Files are compared where Go succeeded.
        let go_ok = v.get("go_exit").and_then(|c| c.as_i64()) == Some(0);
        let mut keys = vec!["same_exit", "same_stdout"];
        if go_ok {
            keys.push("same_outputs");
        }
        let bad: Vec<&str> = keys.into_iter().filter(|k| !same(k)).collect();
        if !bad.is_empty() {
            let _ = writeln!(differing, "  {}: {}", bad.join(","), v);
        } else if !same("same_stderr1") {
            let _ = writeln!(stderr_only, "  {v}");
        }
    }
    let n_diff = differing.lines().count();
    println!(
        "{what}: {} of {total} calls to covdata gave Go's exit status, stdout and files",
        total - n_diff
    );
    print!("{differing}");
    if !stderr_only.is_empty() {
        println!(
            "{what}: {} calls with the same result but another first stderr line:",
            stderr_only.lines().count()
        );
        print!("{stderr_only}");
    }
    let _ = std::fs::remove_file(log);
    Ok(n_diff == 0 && total > 0)
}

/// cmd/go's script tests that use coverage (they call `go tool covdata`), with the comparing
/// tool installed as the copy's covdata.
fn run_cmd_go(sh: &Shell, copy: &Utf8Path, compare: &Utf8Path, log: &Utf8Path) -> Result<bool> {
    let goos = cmd!(sh, "go env GOOS").read()?;
    let goarch = cmd!(sh, "go env GOARCH").read()?;
    let tool = copy.join(format!(
        "pkg/tool/{}_{}/covdata",
        goos.trim(),
        goarch.trim()
    ));
    let original = std::fs::read(&tool).ok();
    std::fs::copy(compare, &tool).with_context(|| format!("installing {tool}"))?;
    let scripts_dir = copy.join("src/cmd/go/testdata/script");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&scripts_dir)? {
        let path = entry?.path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let uses = text.contains("-cover") || text.contains("covdata");
        if let (true, Some(stem)) = (uses, path.file_stem().and_then(|s| s.to_str())) {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    eprintln!(
        "xtask: {} cmd/go script tests that use coverage, with intcov as covdata",
        names.len()
    );
    let pattern = format!("TestScript/^({})$", names.join("|"));
    let copy_go = copy.join("bin/go");
    let path = format!(
        "{}:{}",
        copy.join("bin"),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = {
        let _dir = sh.push_dir(copy.join("src/cmd/go"));
        cmd!(
            sh,
            "{copy_go} test -count=1 -timeout=60m -v -run {pattern} ."
        )
        .env("GOROOT", copy)
        .env("PATH", path)
        .ignore_status()
        .output()?
    };
    // Put Go's own tool back, so the copy stays a plain GOROOT for the next run.
    match original {
        Some(bytes) => std::fs::write(&tool, bytes)?,
        None => std::fs::remove_file(&tool)?,
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let (pass, fail) = subtests(&text, "TestScript/");
    let skipped = text.matches("--- SKIP: TestScript/").count();
    println!(
        "cmd/go scripts using coverage: {} pass, {} fail, {skipped} skipped{}",
        pass.len(),
        fail.len(),
        if fail.is_empty() {
            String::new()
        } else {
            format!(" (failed: {})", fail.join(", "))
        }
    );
    if !fail.is_empty() || pass.is_empty() {
        // The full log of 45 scripts is tens of thousands of lines: the failures only.
        for line in text.lines().filter(|l| l.contains("FAIL")) {
            eprintln!("{line}");
        }
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let calls_ok = summarise_calls(log, "cmd/go scripts")?;
    Ok(fail.is_empty() && !pass.is_empty() && calls_ok)
}
