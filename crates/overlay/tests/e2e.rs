//! The overlay against real `go test`: on the go-fixtures and a module of this crate's testdata,
//! stock Go gets the figure wrong, the overlay gets the truth that `go tool covdata` computes from
//! the exported coverage directory.
//!
//! Each scenario runs on the Go on PATH, 1.21.13 and 1.27.3 (installed under target/ on demand).
//! `cargo xtask overlay-matrix` runs them all on every supported release through
//! `release_from_env`.

mod common;

use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use common::{data_files, go, overlay_json, tempdir, textfmt, utf8, Output, Profile};
use overlay::Variant;
use testkit::GoToolchain;

fn fixture_dir(name: &str) -> Utf8PathBuf {
    testkit::fixtures_root().join(name)
}

/// Lines for the matrix summary, printed with `--nocapture`.
fn summary(tc: &GoToolchain, what: &str, stock: &str, overlay: &str, truth: &str) {
    println!(
        "MATRIX\t{}\t{what}\tstock={stock}\toverlay={overlay}\ttruth={truth}",
        tc.version
    );
}

/// `go test -cover -coverpkg=./... .` on a fixture: stock, then with the overlay. The overlay's
/// figure and profile equal the truth from the exported directory; stock's figure does not.
fn fixture(tc: &GoToolchain, name: &str) {
    let dir = fixture_dir(name);
    let pkg = format!("example.com/{name}");
    let tmp = tempdir("intcov-fixture-");
    let tmp = utf8(tmp.path());
    let stock_prof = tmp.join("stock.out");
    let stock = go(
        tc,
        &dir,
        &[
            "test",
            "-count=1",
            "-cover",
            "-coverpkg=./...",
            &format!("-coverprofile={stock_prof}"),
            ".",
        ],
        &[],
    )
    .ok();
    let (ov, exported, ov_prof) = overlay_run(tc, &dir, tmp, Variant::Full, &[], &[]);
    let truth = textfmt(tc, &exported);
    let (stock_fig, ov_fig) = (stock.figure(&pkg), ov.figure(&pkg));
    summary(tc, name, &stock_fig, &ov_fig, &truth.percent());
    assert_eq!(
        ov_fig,
        truth.percent(),
        "{name}: overlay figure vs truth\n{}",
        ov.all()
    );
    assert_ne!(stock_fig, truth.percent(), "{name}: stock Go got it right?");
    assert_eq!(
        Profile::read(&ov_prof),
        truth,
        "{name}: -coverprofile vs textfmt of the export"
    );
    assert!(
        Profile::read(&stock_prof).covered().len() < truth.covered().len(),
        "{name}: stock profile covers as much as the truth"
    );
}

/// `go test` with the overlay and GO_INTEGRATION_COVERAGE=1, exporting to a fresh directory.
/// Returns the output, the exported directory and the -coverprofile.
fn overlay_run(
    tc: &GoToolchain,
    dir: &Utf8Path,
    tmp: &Utf8Path,
    variant: Variant,
    extra_args: &[&str],
    extra_env: &[(&str, &str)],
) -> (Output, Utf8PathBuf, Utf8PathBuf) {
    let json = overlay_json(tc, variant);
    let exported = tmp.join(format!("exported-{variant}"));
    let prof = tmp.join(format!("overlay-{variant}.out"));
    let overlay = format!("-overlay={json}");
    let coverprofile = format!("-coverprofile={prof}");
    let mut args = vec![
        "test",
        "-count=1",
        &overlay,
        "-cover",
        "-coverpkg=./...",
        &coverprofile,
    ];
    args.extend_from_slice(extra_args);
    if !extra_args.iter().any(|a| !a.starts_with('-')) {
        args.push(".");
    }
    let mut env = vec![
        ("GO_INTEGRATION_COVERAGE", "1"),
        ("GO_INTEGRATION_COVERDIR", exported.as_str()),
    ];
    env.extend_from_slice(extra_env);
    let out = go(tc, dir, &args, &env).ok();
    (out, exported, prof)
}

/// A server stopped by SIGTERM (serversuite): stock Go writes its meta-data but no counters; a
/// server built with the overlay (passed to the test's `go build` through GOFLAGS) writes its
/// counters and still dies of SIGTERM (the fixture checks the wait status).
fn sigterm(tc: &GoToolchain) {
    let dir = fixture_dir("serversuite");
    let pkg = "example.com/serversuite";
    let tmp = tempdir("intcov-sigterm-");
    let tmp = utf8(tmp.path());
    let stock_dir = tmp.join("stock");
    std::fs::create_dir(&stock_dir).unwrap();
    go(
        tc,
        &dir,
        &["test", "-count=1", "-run=TestServerStoppedBySIGTERM", "."],
        &[("INTCOV_FIXTURE_COVERDIR", stock_dir.as_str())],
    )
    .ok();
    let (meta, counters) = data_files(&stock_dir);
    assert_eq!(
        (meta.len(), counters.len()),
        (1, 0),
        "stock: meta-data only"
    );

    let (out, exported, _) = overlay_run(
        tc,
        &dir,
        tmp,
        Variant::Full,
        &["-run=TestServerStoppedBySIGTERM"],
        &[],
    );
    let (meta, counters) = data_files(&exported);
    assert_eq!(
        (meta.len(), counters.len()),
        (1, 1),
        "overlay: the server's counters"
    );
    let truth = textfmt(tc, &exported);
    summary(
        tc,
        "serversuite SIGTERM only",
        "-",
        &out.figure(pkg),
        &truth.percent(),
    );
    assert_eq!(out.figure(pkg), truth.percent());
    assert!(
        truth
            .covered()
            .iter()
            .any(|u| u.starts_with("example.com/serversuite/internal/store/")),
        "the server's store code ran"
    );
}

/// The seed's flow, literally: generate, `GO_INTEGRATION_COVERAGE=1 GO_INTEGRATION_COVERDIR=$d
/// go test -overlay=… -coverpkg=./... ./...`, then `go tool covdata textfmt -i=$d`. scriptsuite
/// has two test packages (testscript and a unit test); the export holds both runs, so the truth
/// is the union of what the two reports cover.
fn seed_flow(tc: &GoToolchain) {
    let dir = fixture_dir("scriptsuite");
    let tmp = tempdir("intcov-seed-");
    let tmp = utf8(tmp.path());
    let install = overlay::probe(&tc.go).unwrap();
    let generated = overlay::generate(
        &install,
        &overlay::Options {
            out: tmp.join("overlay"),
            coverdir: None,
            variant: Variant::Full,
        },
    )
    .unwrap();
    let d = tmp.join("d");
    let prof = tmp.join("go-test.out");
    let out = go(
        tc,
        &dir,
        &[
            "test",
            "-count=1",
            &format!("-overlay={}", generated.overlay_json),
            "-coverpkg=./...",
            &format!("-coverprofile={prof}"),
            "./...",
        ],
        &[
            ("GO_INTEGRATION_COVERAGE", "1"),
            ("GO_INTEGRATION_COVERDIR", d.as_str()),
        ],
    )
    .ok();
    let truth = textfmt(tc, &d);
    let reported = Profile::read(&prof);
    summary(
        tc,
        "scriptsuite ./... (seed flow)",
        "-",
        &out.figure("example.com/scriptsuite"),
        &truth.percent(),
    );
    assert_eq!(
        reported.covered(),
        truth.covered(),
        "go test's profile vs textfmt of $d"
    );
    for cmd in ["rot", "tally"] {
        assert!(
            truth
                .covered()
                .iter()
                .any(|u| u.starts_with(&format!("example.com/scriptsuite/cmd/{cmd}/"))),
            "testscript's {cmd} counted"
        );
    }
}

/// The API the full overlay adds to `testing` and `runtime/coverage` (testdata/apimod, whose Go
/// tests check their side), in count mode so that double counting would show.
fn api(tc: &GoToolchain) {
    let src = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/apimod");
    let tmp = tempdir("intcov-api-");
    let tmp = utf8(tmp.path());
    let (out, exported, prof) = overlay_run(
        tc,
        &src,
        tmp,
        Variant::Full,
        &["-covermode=count", "-v"],
        &[],
    );
    let truth = textfmt(tc, &exported);
    summary(
        tc,
        "apimod (API, count mode)",
        "-",
        &out.figure("example.com/apimod"),
        &truth.percent(),
    );
    assert_eq!(out.figure("example.com/apimod"), truth.percent());
    assert_eq!(Profile::read(&prof), truth);
    // lib.Loop's body: 3 (loop 3) + 10 (force 5, forced write half-way) + 2 (the test binary,
    // forced write half-way): a forced write counted again would show here.
    let units = truth.units();
    // The unit of `done++` (line 18); Go 1.27 starts it on that line, earlier releases at the
    // end of line 17.
    let lines = |u: &str| -> Option<(u32, u32)> {
        let span = u.strip_prefix("example.com/apimod/lib/lib.go:")?;
        let (start, end) = span.split_once(',')?;
        Some((
            start.split('.').next()?.parse().ok()?,
            end.split('.').next()?.parse().ok()?,
        ))
    };
    let body = units
        .iter()
        .find(|(u, _)| lines(u).is_some_and(|(a, b)| (17..=18).contains(&a) && b >= 18))
        .unwrap_or_else(|| panic!("no Loop body in {units:?}"));
    assert_eq!(body.1 .1, 15, "Loop body count");
    for test in [
        "TestRun/add",
        "TestExecute",
        "TestForce/child",
        "TestServerStoppedBySignal/terminated",
        "TestServerStoppedBySignal/interrupt",
        "TestServerWithItsOwnHandler",
    ] {
        let (meta, counters) = data_files(&exported.join("pertest").join(test));
        assert!(
            meta.len() == 1 && !counters.is_empty(),
            "per-test directory of {test}: {meta:?} {counters:?}"
        );
    }
    // testdata/apimod's TestDamagedData planted a garbage pod and a truncated counter file.
    let all = out.all();
    assert!(
        all.contains("[integration coverage] warning: left out ")
            && all.contains("0123456789abcdef0123456789abcdef")
            && all.contains(".2.2: "),
        "no warnings about damaged files:\n{all}"
    );
    // The forced file of the child was superseded by its exit write.
    let (_, counters) = data_files(&exported.join("pertest/TestForce/child"));
    assert_eq!(counters.len(), 1, "TestForce/child counter files");
}

/// The test binary in one counter mode, the programs it runs in another: no "counter mode
/// clash", and the report takes their counts in its own mode.
fn mixed_modes(tc: &GoToolchain) {
    let dir = fixture_dir("clisuite");
    let pkg = "example.com/clisuite";
    for (test_mode, child_mode) in [("set", "count"), ("atomic", "set"), ("count", "atomic")] {
        let tmp = tempdir("intcov-modes-");
        let tmp = utf8(tmp.path());
        let (out, exported, prof) = overlay_run(
            tc,
            &dir,
            tmp,
            Variant::Full,
            &[&format!("-covermode={test_mode}")],
            &[("INTCOV_FIXTURE_COVERMODE", child_mode)],
        );
        let truth = textfmt(tc, &exported);
        let what = format!("clisuite test {test_mode}, programs {child_mode}");
        summary(tc, &what, "-", &out.figure(pkg), &truth.percent());
        assert_eq!(out.figure(pkg), truth.percent(), "{what}");
        let reported = Profile::read(&prof);
        assert_eq!(reported.mode, format!("mode: {test_mode}"), "{what}");
        assert_eq!(reported.covered(), truth.covered(), "{what}");
    }
}

/// Coverage files already in the directory when the test binary starts are left out: a test
/// binary run twice on the same -test.gocoverdir reports the same counts twice.
fn snapshot(tc: &GoToolchain) {
    let dir = fixture_dir("clisuite");
    let tmp = tempdir("intcov-snapshot-");
    let tmp = utf8(tmp.path());
    let json = overlay_json(tc, Variant::Full);
    let bin = tmp.join("clisuite.test");
    go(
        tc,
        &dir,
        &[
            "test",
            &format!("-overlay={json}"),
            "-c",
            "-covermode=count",
            "-coverpkg=./...",
            "-o",
            bin.as_str(),
            ".",
        ],
        &[],
    )
    .ok();
    let gocoverdir = tmp.join("gocoverdir");
    std::fs::create_dir(&gocoverdir).unwrap();
    let mut profiles = Vec::new();
    for run in 1..=2 {
        let prof = tmp.join(format!("run{run}.out"));
        let sh = xshell::Shell::new().unwrap();
        sh.change_dir(&dir);
        let mut cmd = xshell::cmd!(
            sh,
            "{bin} -test.gocoverdir={gocoverdir} -test.coverprofile={prof}"
        )
        .env("GOCOVERDIR", &gocoverdir)
        .env("GO_INTEGRATION_COVERAGE", "1")
        .env("GOROOT", tc.goroot())
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-buildvcs=false")
        .env(
            "PATH",
            format!(
                "{}:{}",
                tc.goroot().join("bin"),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
        for k in ["GO_INTEGRATION_COVERDIR", "GO_INTEGRATION_COVERAGE_VERBOSE"] {
            cmd = cmd.env_remove(k);
        }
        cmd.quiet().run().expect("test binary");
        profiles.push(Profile::read(&prof));
    }
    assert_eq!(
        profiles[0], profiles[1],
        "second run counted the first run's files"
    );
    // The directory itself holds both runs: twice the counts.
    let both = textfmt(tc, &gocoverdir).units();
    for (unit, (_, count)) in profiles[0].units() {
        assert_eq!(both[&unit].1, 2 * count, "{unit}");
    }
}

/// Without GO_INTEGRATION_COVERAGE the overlay changes nothing: same output, same profile.
fn off_is_stock(tc: &GoToolchain) {
    let dir = fixture_dir("clisuite");
    let tmp = tempdir("intcov-off-");
    let tmp = utf8(tmp.path());
    let json = overlay_json(tc, Variant::Full);
    let run = |overlay: bool| {
        let prof = tmp.join(format!("{overlay}.out"));
        let mut args = vec![
            "test".to_owned(),
            "-count=1".into(),
            "-cover".into(),
            "-coverpkg=./...".into(),
            format!("-coverprofile={prof}"),
        ];
        if overlay {
            args.push(format!("-overlay={json}"));
        }
        args.push(".".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = go(tc, &dir, &args, &[]).ok();
        (
            out.figure("example.com/clisuite"),
            std::fs::read_to_string(&prof).unwrap(),
        )
    };
    assert_eq!(run(true), run(false));
}

/// The minimal overlay fixes the report step only: the figure is the truth, but a server
/// stopped by SIGTERM writes no counters (its build gets no overlay).
fn minimal(tc: &GoToolchain) {
    let tmp = tempdir("intcov-minimal-");
    let tmp = utf8(tmp.path());
    let (out, exported, _) = overlay_run(
        tc,
        &fixture_dir("clisuite"),
        tmp,
        Variant::Minimal,
        &[],
        &[],
    );
    let truth = textfmt(tc, &exported);
    summary(
        tc,
        "clisuite (minimal overlay)",
        "-",
        &out.figure("example.com/clisuite"),
        &truth.percent(),
    );
    assert_eq!(out.figure("example.com/clisuite"), truth.percent());

    let tmp = tempdir("intcov-minimal-");
    let tmp = utf8(tmp.path());
    let (_, exported, _) = overlay_run(
        tc,
        &fixture_dir("serversuite"),
        tmp,
        Variant::Minimal,
        &["-run=TestServerStoppedBySIGTERM"],
        &[],
    );
    let (meta, counters) = data_files(&exported);
    assert_eq!(
        (meta.len(), counters.len()),
        (1, 0),
        "minimal: no signal handling"
    );
}

/// GO_INTEGRATION_COVERAGE_VERBOSE=1 says what was snapshotted, collected, merged and exported;
/// without it the overlay prints nothing.
fn verbose(tc: &GoToolchain) {
    let tmp = tempdir("intcov-verbose-");
    let tmp = utf8(tmp.path());
    let dir = fixture_dir("clisuite");
    let (out, _, _) = overlay_run(
        tc,
        &dir,
        tmp,
        Variant::Full,
        &["-v"],
        &[("GO_INTEGRATION_COVERAGE_VERBOSE", "1")],
    );
    let all = out.all();
    for what in [
        "] snapshot of ",
        "] collected covmeta.",
        "(another program)",
        "] exported ",
        "] GOFLAGS=",
    ] {
        assert!(all.contains(what), "verbose output lacks {what:?}:\n{all}");
    }
    let (quiet, _, _) = overlay_run(tc, &dir, tmp, Variant::Full, &["-v"], &[]);
    assert!(
        !quiet.all().contains("[integration coverage]"),
        "{}",
        quiet.all()
    );
}

/// `--coverdir` at generation is the default of GO_INTEGRATION_COVERDIR.
fn baked_coverdir(tc: &GoToolchain) {
    let tmp = tempdir("intcov-baked-");
    let tmp = utf8(tmp.path());
    let coverdir = tmp.join("baked");
    let install = overlay::probe(&tc.go).unwrap();
    let generated = overlay::generate(
        &install,
        &overlay::Options {
            out: tmp.join("overlay"),
            coverdir: Some(coverdir.clone()),
            variant: Variant::Minimal,
        },
    )
    .unwrap();
    let out = go(
        tc,
        &fixture_dir("clisuite"),
        &[
            "test",
            "-count=1",
            &format!("-overlay={}", generated.overlay_json),
            "-coverpkg=./...",
            ".",
        ],
        &[("GO_INTEGRATION_COVERAGE", "1")],
    )
    .ok();
    let truth = textfmt(tc, &coverdir);
    assert_eq!(out.figure("example.com/clisuite"), truth.percent());
}

fn all_scenarios(tc: &GoToolchain) {
    for name in testkit::fixture_names() {
        fixture(tc, &name);
    }
    sigterm(tc);
    seed_flow(tc);
    api(tc);
    mixed_modes(tc);
    snapshot(tc);
    off_is_stock(tc);
    minimal(tc);
    verbose(tc);
    baked_coverdir(tc);
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
            fn fixtures() {
                for name in testkit::fixture_names() {
                    fixture(&tc(), &name);
                }
            }
            #[test]
            fn sigterm_server_counts() {
                sigterm(&tc());
            }
            #[test]
            fn seed_flow_literally() {
                seed_flow(&tc());
            }
            #[test]
            fn testing_and_runtime_coverage_api() {
                api(&tc());
            }
            #[test]
            fn counter_modes_mixed() {
                mixed_modes(&tc());
            }
            #[test]
            fn earlier_files_left_out() {
                snapshot(&tc());
            }
            #[test]
            fn without_the_switch_it_is_stock_go() {
                off_is_stock(&tc());
            }
            #[test]
            fn minimal_variant() {
                minimal(&tc());
            }
            #[test]
            fn verbose_logging() {
                verbose(&tc());
            }
            #[test]
            fn coverdir_baked_at_generation() {
                baked_coverdir(&tc());
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
