//! Counters that survive every way a program ends (overlays/core/integration_flush.go.in): a
//! server SIGKILL'd by exec.CommandContext, a panic, a server left running when the tests end, a
//! testscript server stopped by SIGTERM without GO_INTEGRATION_COVERAGE in its environment, and
//! SIGKILL in the middle of flushes. Each against a truth computed by hand with stock Go's tools.
//!
//! Each scenario runs on the Go on PATH, 1.21.13 and 1.27.3; `cargo xtask overlay-matrix` runs
//! them on every supported release through `release_from_env`.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use common::{data_files, go, tempdir, textfmt, utf8, Profile};
use overlay::Variant;
use testkit::GoToolchain;

fn overlay_json(tc: &GoToolchain) -> Utf8PathBuf {
    common::overlay_json(tc, Variant::Full)
}

fn fixture_dir(name: &str) -> Utf8PathBuf {
    testkit::fixtures_root().join(name)
}

/// Lines for the matrix summary, printed with `--nocapture`.
fn summary(tc: &GoToolchain, what: &str, overlay: &str, truth: &str) {
    println!(
        "MATRIX\t{}\t{what}\tstock=-\toverlay={overlay}\ttruth={truth}",
        tc.version
    );
}

/// `go test -overlay -cover -covermode=count -coverpkg=./... -run=RUN .` in fixture `name` with
/// GO_INTEGRATION_COVERAGE=1, exporting to a fresh directory: (figure, export).
fn overlay_test(tc: &GoToolchain, name: &str, run: &str, tmp: &Utf8Path) -> (String, Utf8PathBuf) {
    let exported = tmp.join("exported");
    let out = go(
        tc,
        &fixture_dir(name),
        &[
            "test",
            "-count=1",
            &format!("-overlay={}", overlay_json(tc)),
            "-cover",
            "-covermode=count",
            "-coverpkg=./...",
            &format!("-run={run}"),
            ".",
        ],
        &[
            ("GO_INTEGRATION_COVERAGE", "1"),
            ("GO_INTEGRATION_COVERDIR", exported.as_str()),
        ],
    )
    .ok();
    (out.figure(&format!("example.com/{name}")), exported)
}

/// Stock Go, by hand: `go test -run=RUN .` in fixture `name` with the commands writing (count
/// mode) into a fresh directory, which is returned.
fn by_hand(
    tc: &GoToolchain,
    name: &str,
    run: &str,
    tmp: &Utf8Path,
    env: &[(&str, &str)],
) -> Utf8PathBuf {
    let dir = tmp.join("by-hand");
    std::fs::create_dir_all(&dir).unwrap();
    let mut all = vec![
        ("INTCOV_FIXTURE_COVERDIR", dir.as_str()),
        ("INTCOV_FIXTURE_COVERMODE", "count"),
    ];
    all.extend_from_slice(env);
    go(
        tc,
        &fixture_dir(name),
        &["test", "-count=1", &format!("-run={run}"), "."],
        &all,
    )
    .ok();
    dir
}

/// unit → count of the units with a non-zero count.
fn counted(p: &Profile) -> BTreeMap<String, u64> {
    p.units()
        .into_iter()
        .filter(|(_, (_, c))| *c > 0)
        .map(|(u, (_, c))| (u, c))
        .collect()
}

/// A server stopped by exec.CommandContext's cancellation (SIGKILL) after its requests. Stock Go
/// keeps nothing of it; with the overlay `go test` counts it, unit for unit and count for count
/// as a by-hand run of stock Go that stopped the same server cleanly after the same requests
/// (built with -tags=intcovcleanstop: SIGINT exits at once, running no other code of the module).
fn killed_by_context(tc: &GoToolchain) {
    let run = "TestServerKilledByContext";
    let tmp = tempdir("intcov-killed-");
    let tmp = utf8(tmp.path());

    let stock = by_hand(tc, "serversuite", run, &tmp.join("stock"), &[]);
    assert_eq!(
        data_files(&stock).1.len(),
        0,
        "stock Go kept counters of a SIGKILL'd server"
    );

    let clean = by_hand(
        tc,
        "serversuite",
        run,
        &tmp.join("clean"),
        &[("INTCOV_FIXTURE_TAGS", "intcovcleanstop")],
    );
    let mut truth = counted(&textfmt(tc, &clean));
    let before = truth.len();
    truth.retain(|u, _| !u.starts_with("example.com/serversuite/cmd/kvserver/cleanstop.go:"));
    assert!(
        truth.len() < before,
        "the clean stop ran through cleanstop.go"
    );

    let (figure, exported) = overlay_test(tc, "serversuite", run, &tmp.join("overlay"));
    let (_, counters) = data_files(&exported);
    assert_eq!(
        counters.len(),
        1,
        "one counter file for the one server process"
    );
    let got = textfmt(tc, &exported);
    summary(
        tc,
        "serversuite SIGKILL by CommandContext",
        &figure,
        &got.percent(),
    );
    assert_eq!(figure, got.percent(), "go test's figure vs its export");
    assert_eq!(
        counted(&got),
        truth,
        "the SIGKILL'd server vs the clean stop (count mode)"
    );
    assert!(
        truth
            .keys()
            .any(|u| u.starts_with("example.com/serversuite/internal/store/")),
        "the requests reached the store"
    );
}

/// A server still running when `go test` reports: its latest periodic snapshot counts.
fn left_running(tc: &GoToolchain) {
    let run = "TestServerLeftRunning";
    let tmp = tempdir("intcov-left-");
    let tmp = utf8(tmp.path());
    let stock = by_hand(tc, "serversuite", run, &tmp.join("stock"), &[]);
    assert_eq!(
        data_files(&stock).1.len(),
        0,
        "stock Go kept counters of a running server"
    );
    let (figure, exported) = overlay_test(tc, "serversuite", run, &tmp.join("overlay"));
    let got = textfmt(tc, &exported);
    summary(tc, "serversuite left running", &figure, &got.percent());
    assert_eq!(figure, got.percent());
    // The two PUTs went through Store.Put's closure: its body counts exactly 2.
    let store: Vec<(String, u64)> = counted(&got)
        .into_iter()
        .filter(|(u, _)| u.starts_with("example.com/serversuite/internal/store/"))
        .collect();
    assert!(store.iter().any(|(_, c)| *c == 2), "Put twice: {store:?}");
}

/// A program that panics after some work: the work counts (exactly what a clean run of the same
/// work covers), its exit status, stdout and stderr are those of the stock build.
fn panics(tc: &GoToolchain) {
    let dir = fixture_dir("serversuite");
    let tmp = tempdir("intcov-panic-");
    let tmp = utf8(tmp.path());
    let build = |out: &Utf8Path, overlay: bool| {
        let mut args = vec!["build".to_owned()];
        if overlay {
            args.push(format!("-overlay={}", overlay_json(tc)));
        }
        args.extend([
            "-cover".into(),
            "-coverpkg=./...".into(),
            format!("-o={out}"),
            "./cmd/crash".into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        go(tc, &dir, &args, &[]).ok();
    };
    let (stock_bin, ov_bin) = (tmp.join("crash-stock"), tmp.join("crash-overlay"));
    build(&stock_bin, false);
    build(&ov_bin, true);
    let run = |bin: &Utf8Path, cover: &str, args: &[&str], env: &[(&str, &str)]| {
        let cover = tmp.join(cover);
        std::fs::create_dir_all(&cover).unwrap();
        let out = Command::new(bin)
            .args(args)
            .env("GOCOVERDIR", &cover)
            .env_remove("GO_INTEGRATION_COVERAGE")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        (out, cover)
    };
    let args = ["4", "2", "0", "1"];
    let (stock, stock_dir) = run(&stock_bin, "stock", &args, &[]);
    let (ov, ov_dir) = run(
        &ov_bin,
        "overlay",
        &args,
        &[("GO_INTEGRATION_COVERAGE", "1")],
    );
    assert_eq!(stock.status.code(), Some(2), "{stock:?}");
    assert_eq!(ov.status.code(), stock.status.code());
    assert_eq!(ov.stdout, stock.stdout);
    let norm = |b: &[u8]| -> String {
        let s = String::from_utf8_lossy(b);
        let mut out = String::new();
        let mut rest = &*s;
        // Code addresses differ between the two binaries: 0x… becomes 0x?.
        while let Some(i) = rest.find("0x") {
            out.push_str(&rest[..i + 2]);
            rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
            out.push('?');
        }
        out + rest
    };
    assert_eq!(norm(&ov.stderr), norm(&stock.stderr));
    assert!(norm(&ov.stderr).contains("panic: runtime error: integer divide by zero"));
    assert_eq!(
        data_files(&stock_dir).1.len(),
        0,
        "stock Go kept counters of a panic"
    );

    // The truth: a clean run of the stock build doing the same work (4 and 2, then 0 whose
    // division panics: the clean run divides by 1 instead).
    let (clean, clean_dir) = run(&stock_bin, "clean", &["4", "2", "1"], &[]);
    assert!(clean.status.success());
    let (got, truth) = (textfmt(tc, &ov_dir), textfmt(tc, &clean_dir));
    summary(tc, "crash (panic)", &got.percent(), &truth.percent());
    assert_eq!(
        got.covered(),
        truth.covered(),
        "what the panicking run covered"
    );
    assert_eq!(got.percent(), truth.percent());
}

/// testscript drops GO_INTEGRATION_COVERAGE from the scripts' environment (scriptsuite's Setup
/// sets PATH and GOCOVERDIR only). The server a script stops by SIGTERM was built by the test
/// binary with the programs' overlay, which bakes integration mode in: its counters count.
fn script_server(tc: &GoToolchain) {
    let source =
        std::fs::read_to_string(fixture_dir("scriptsuite").join("script_test.go")).unwrap();
    assert!(
        !source.contains("GO_INTEGRATION_COVERAGE"),
        "scriptsuite's test passes GO_INTEGRATION_COVERAGE on"
    );
    let run = "TestScripts/wordd";
    let tmp = tempdir("intcov-script-");
    let tmp = utf8(tmp.path());
    let stock = by_hand(tc, "scriptsuite", run, &tmp.join("stock"), &[]);
    assert_eq!(
        data_files(&stock).1.len(),
        0,
        "stock Go kept counters of a SIGTERM'd server"
    );
    let (figure, exported) = overlay_test(tc, "scriptsuite", run, &tmp.join("overlay"));
    let got = textfmt(tc, &exported);
    summary(
        tc,
        "scriptsuite wordd (SIGTERM, no env)",
        &figure,
        &got.percent(),
    );
    assert_eq!(figure, got.percent());
    let wordd: Vec<(String, u64)> = counted(&got)
        .into_iter()
        .filter(|(u, _)| u.starts_with("example.com/scriptsuite/cmd/wordd/"))
        .collect();
    // `count` ran for both POSTs: its first unit counts 2.
    assert!(
        wordd.iter().any(|(_, c)| *c == 2),
        "wordd's handler: {wordd:?}"
    );
}

/// SIGKILL at random moments of a program that flushes all the time (every millisecond, in count
/// mode, from several goroutines): the directory always reads, with Go's covdata and with intcov,
/// as one snapshot per process: a unit run once at start-up counts once per counter file.
fn kill_stress(tc: &GoToolchain) {
    let src = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/flushmod");
    let tmp = tempdir("intcov-stress-");
    let tmp = utf8(tmp.path());
    let bin = tmp.join("spin");
    go(
        tc,
        &src,
        &[
            "build",
            &format!("-overlay={}", overlay_json(tc)),
            "-cover",
            "-covermode=atomic",
            &format!("-o={bin}"),
            ".",
        ],
        &[],
    )
    .ok();
    let cover = tmp.join("cover");
    std::fs::create_dir_all(&cover).unwrap();
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut runs = 0;
    while Instant::now() < deadline || runs < 20 {
        let mut child = Command::new(&bin)
            .env("GOCOVERDIR", &cover)
            .env("GO_INTEGRATION_COVERAGE", "1")
            .env("GO_INTEGRATION_COVERAGE_FLUSH", "1ms")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // xorshift: 0..100 ms, so that some kills land before the first flush.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 100_000));
        child.kill().unwrap();
        child.wait().unwrap();
        runs += 1;
    }
    let (meta, counters) = data_files(&cover);
    assert_eq!(meta.len(), 1);
    let mut pids: Vec<&str> = counters
        .iter()
        .map(|c| c.file_name().unwrap().split('.').nth(2).unwrap())
        .collect();
    pids.sort();
    let files = pids.len();
    pids.dedup();
    assert_eq!(pids.len(), files, "a process left two counter files");
    assert!(files >= 3, "only {files} of {runs} killed runs flushed");
    let torn = std::fs::read_dir(&cover)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("tmp.")
        })
        .count();
    println!(
        "{}: {runs} runs killed, {files} counter files, {torn} torn temporary files",
        tc.version
    );

    let profile = textfmt(tc, &cover);
    let start_up = profile
        .units()
        .into_iter()
        // main's first block: Go 1.27 starts it on line 14, earlier releases at the end of 13.
        .find(|(u, _)| {
            u.starts_with("example.com/flushmod/main.go:13.")
                || u.starts_with("example.com/flushmod/main.go:14.")
        })
        .unwrap_or_else(|| panic!("no start-up unit in {profile:?}"));
    assert_eq!(
        start_up.1 .1, files as u64,
        "the start-up unit counts once per counter file ({runs} runs)"
    );
    // intcov's reader agrees with Go's on the same directory, byte for byte.
    let go_out = tmp.join("go.txt");
    let ours = covmerge_textfmt(&cover);
    go(
        tc,
        &cover,
        &[
            "tool",
            "covdata",
            "textfmt",
            &format!("-i={cover}"),
            &format!("-o={go_out}"),
        ],
        &[],
    )
    .ok();
    assert_eq!(ours, std::fs::read_to_string(&go_out).unwrap());
}

/// `intcov textfmt` of `dir` through the library crates (what the binary calls); warnings fail.
fn covmerge_textfmt(dir: &Utf8Path) -> String {
    let mut warnings = Vec::new();
    let profile = covmerge::read_profile(&[dir], &covmerge::ReadOptions::default(), &mut |w| {
        warnings.push(format!("{w:?}"))
    })
    .unwrap_or_else(|e| panic!("intcov reading {dir}: {e}"))
    .unwrap_or_else(|| panic!("intcov: no data in {dir}"));
    assert!(warnings.is_empty(), "intcov warned: {warnings:?}");
    let mut out = Vec::new();
    profile::gofmt::emit_textual(&profile, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn all_scenarios(tc: &GoToolchain) {
    killed_by_context(tc);
    left_running(tc);
    panics(tc);
    script_server(tc);
    kill_stress(tc);
}

macro_rules! on_release {
    ($name:ident, $toolchain:expr) => {
        mod $name {
            use super::*;

            fn tc() -> GoToolchain {
                static TC: OnceLock<GoToolchain> = OnceLock::new();
                TC.get_or_init(|| $toolchain).clone()
            }

            #[test]
            fn server_killed_by_command_context_counts() {
                killed_by_context(&tc());
            }
            #[test]
            fn server_left_running_counts() {
                left_running(&tc());
            }
            #[test]
            fn panicking_program_counts_and_dies_the_same() {
                panics(&tc());
            }
            #[test]
            fn testscript_server_counts_without_the_variable() {
                script_server(&tc());
            }
            #[test]
            fn sigkill_during_flushes_never_double_counts() {
                kill_stress(&tc());
            }
        }
    };
}

on_release!(go_on_path, testkit::go());
on_release!(go1_21_13, testkit::go_release("1.21.13"));
on_release!(go1_27_3, testkit::go_release("1.27.3"));

/// Every scenario on the release named by INTCOV_OVERLAY_GO_RELEASE (e.g. 1.22.10), or the Go on
/// PATH; `cargo xtask overlay-matrix` runs this once per supported release.
#[test]
#[ignore = "run by `cargo xtask overlay-matrix`"]
fn release_from_env() {
    all_scenarios(&common::matrix_toolchain());
}
