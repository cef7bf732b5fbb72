//! The overlay's settings against real `go test`: go test's result cache, a relative
//! GO_INTEGRATION_COVERDIR, the seed's `GOCOVERDIR` flow, and a GOFLAGS set with `go env -w`.
//!
//! Each scenario copies its module into a fresh directory first: its packages are then new to go
//! test's cache, whatever earlier runs of these tests left there. Each runs on the Go on PATH,
//! 1.21.13 and 1.27.3 (installed under target/ on demand); `cargo xtask overlay-matrix` runs them
//! on every supported release through `release_from_env`.

mod common;

use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use common::{copy_tree, data_files, go, overlay_json, tempdir, textfmt, utf8, Output, Profile};
use overlay::Variant;
use testkit::GoToolchain;

/// `src` (a go-fixtures module or a module of tests/testdata) copied to `tmp/mod`.
fn module_copy(src: &Utf8Path, tmp: &Utf8Path) -> Utf8PathBuf {
    let dir = tmp.join("mod");
    copy_tree(src, &dir);
    dir
}

fn testdata(name: &str) -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata")
        .join(name)
}

/// Whether go test replayed `pkg`'s result from its cache.
fn cached(out: &Output, pkg: &str) -> bool {
    out.all()
        .lines()
        .any(|l| l.starts_with("ok") && l.contains(&format!("\t{pkg}\t")) && l.contains("(cached)"))
}

/// Lines for the matrix summary, printed with `--nocapture`.
fn summary(tc: &GoToolchain, what: &str, stock: &str, overlay: &str, truth: &str) {
    println!(
        "MATRIX\t{}\t{what}\tstock={stock}\toverlay={overlay}\ttruth={truth}",
        tc.version
    );
}

/// The overlay off and on in turn, without `-count`: every run prints the figure of its own
/// setting. A run that exports to a directory is never replayed, so GO_INTEGRATION_COVERDIR holds
/// the data after each of them; the other runs are replayed for the same setting only.
fn cache_keeps_settings_apart(tc: &GoToolchain) {
    let pkg = "example.com/clisuite";
    let tmp = tempdir("intcov-cache-");
    let tmp = utf8(tmp.path());
    let dir = module_copy(&testkit::fixtures_root().join("clisuite"), tmp);
    let overlay = format!("-overlay={}", overlay_json(tc, Variant::Full));
    let (d1, d2) = (tmp.join("d1"), tmp.join("d2"));
    // (GO_INTEGRATION_COVERAGE, GO_INTEGRATION_COVERDIR, replayed from the cache)
    let steps: [(bool, Option<&Utf8Path>, bool); 9] = [
        (false, None, false),
        (true, Some(&d1), false),
        (false, None, true),
        (true, Some(&d1), false),
        (true, None, false),
        (false, None, true),
        (true, None, true),
        (true, Some(&d2), false),
        (false, None, true),
    ];
    let (mut stock, mut on) = (None, None);
    for (i, (enabled, coverdir, replayed)) in steps.into_iter().enumerate() {
        let mut env = Vec::new();
        if enabled {
            env.push(("GO_INTEGRATION_COVERAGE", "1"));
        }
        if let Some(d) = coverdir {
            env.push(("GO_INTEGRATION_COVERDIR", d.as_str()));
            std::fs::remove_dir_all(d).ok();
        }
        let out = go(
            tc,
            &dir,
            &["test", &overlay, "-cover", "-coverpkg=./...", "."],
            &env,
        )
        .ok();
        let what = format!("step {} ({env:?})", i + 1);
        assert_eq!(
            cached(&out, pkg),
            replayed,
            "{what}: cached?\n{}",
            out.all()
        );
        let figure = out.figure(pkg);
        let want = if enabled { &mut on } else { &mut stock };
        assert_eq!(
            want.get_or_insert_with(|| figure.clone()),
            &figure,
            "{what}"
        );
        if let Some(d) = coverdir {
            let truth = textfmt(tc, d).percent();
            assert_eq!(figure, truth, "{what}: figure vs GO_INTEGRATION_COVERDIR");
        }
    }
    let (stock, on) = (stock.unwrap(), on.unwrap());
    assert_ne!(stock, on, "the fixture should tell the settings apart");
    summary(tc, "clisuite off/on in turn, no -count", &stock, &on, &on);
}

/// `GO_INTEGRATION_COVERDIR=coverage` with two test packages: one directory, where go test was
/// started, holds both; none appears in the package directories. Started from a subdirectory, the
/// same relative value means another directory, so the earlier result is not replayed.
fn relative_coverdir(tc: &GoToolchain) {
    let tmp = tempdir("intcov-relative-");
    let tmp = utf8(tmp.path());
    let dir = module_copy(&testdata("twopkg"), tmp);
    let overlay = format!("-overlay={}", overlay_json(tc, Variant::Full));
    let prof = tmp.join("all.out");
    let env = [
        ("GO_INTEGRATION_COVERAGE", "1"),
        ("GO_INTEGRATION_COVERDIR", "coverage"),
    ];
    let out = go(
        tc,
        &dir,
        &[
            "test",
            &overlay,
            "-coverpkg=example.com/twopkg/...",
            &format!("-coverprofile={prof}"),
            "./...",
        ],
        &env,
    )
    .ok();
    for sub in ["a", "b"] {
        assert!(
            !dir.join(sub).join("coverage").exists(),
            "data scattered into {sub}/coverage:\n{}",
            out.all()
        );
    }
    let truth = textfmt(tc, &dir.join("coverage"));
    assert_eq!(
        truth.covered(),
        Profile::read(&prof).covered(),
        "coverage/ vs go test's -coverprofile (both packages)"
    );
    for unit in ["example.com/twopkg/a/", "example.com/twopkg/b/"] {
        assert!(
            truth.covered().iter().any(|u| u.starts_with(unit)),
            "{unit} missing from coverage/"
        );
    }
    summary(
        tc,
        "twopkg ./... GO_INTEGRATION_COVERDIR=coverage (-coverprofile)",
        "-",
        &Profile::read(&prof).percent(),
        &truth.percent(),
    );

    // From a/, package a again, built the same: its result from the module root is not
    // replayed, a/coverage receives the data.
    let sub = go(
        tc,
        &dir.join("a"),
        &[
            "test",
            &overlay,
            "-coverpkg=example.com/twopkg/...",
            "./...",
        ],
        &env,
    )
    .ok();
    assert!(
        !cached(&sub, "example.com/twopkg/a"),
        "replayed for another directory:\n{}",
        sub.all()
    );
    let (meta, counters) = data_files(&dir.join("a/coverage"));
    assert!(
        !meta.is_empty() && !counters.is_empty(),
        "a/coverage is empty"
    );

    // Through `go test -exec` with a program in between, the go command is the grandparent; two
    // programs in between hide it, and the relative directory is refused in one line.
    let once = tmp.join("exec-once");
    let twice = tmp.join("exec-twice");
    write_script(&once, "\"$@\"\n");
    write_script(&twice, &format!("{once} \"$@\"\n"));
    let b = dir.join("b");
    let via = |script: &Utf8Path| {
        go(
            tc,
            &b,
            &[
                "test",
                &overlay,
                &format!("-exec={script}"),
                "-coverpkg=example.com/twopkg/...",
                ".",
            ],
            &env,
        )
    };
    via(&once).ok();
    let (meta, _) = data_files(&b.join("coverage"));
    assert!(!meta.is_empty(), "b/coverage is empty after go test -exec");
    let refused = via(&twice);
    assert!(!refused.success, "{}", refused.all());
    let line = "GO_INTEGRATION_COVERDIR=coverage is relative, and the directory go test was started in is unknown";
    assert_eq!(
        refused.all().matches(line).count(),
        1,
        "no one-line refusal:\n{}",
        refused.all()
    );
}

/// A shell script at `path` running `body`.
fn write_script(path: &Utf8Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The seed's flow as written (apart from the overlay's path): `export GO_INTEGRATION_COVERAGE=1;
/// export GOCOVERDIR=./coverage; go test -overlay=… -coverpkg=./... ./...`, no `-count`. go test
/// replaces GOCOVERDIR for the test binary; the overlay finds the user's value in the go
/// command's environment, and `go tool covdata` on ./coverage gives the figure go test printed.
fn seed_gocoverdir(tc: &GoToolchain) {
    let pkg = "example.com/clisuite";
    let tmp = tempdir("intcov-seed-gocoverdir-");
    let tmp = utf8(tmp.path());
    let dir = module_copy(&testkit::fixtures_root().join("clisuite"), tmp);
    let overlay = format!("-overlay={}", overlay_json(tc, Variant::Full));
    let out = go(
        tc,
        &dir,
        &["test", &overlay, "-coverpkg=./...", "./..."],
        &[
            ("GO_INTEGRATION_COVERAGE", "1"),
            ("GOCOVERDIR", "./coverage"),
        ],
    )
    .ok();
    let coverage = dir.join("coverage");
    let truth = textfmt(tc, &coverage);
    summary(
        tc,
        "clisuite seed flow GOCOVERDIR=./coverage",
        "-",
        &out.figure(pkg),
        &truth.percent(),
    );
    assert_eq!(out.figure(pkg), truth.percent(), "{}", out.all());
    let percent = go(
        tc,
        &dir,
        &["tool", "covdata", "percent", "-i=./coverage"],
        &[],
    )
    .ok();
    for p in [
        "example.com/clisuite/cmd/keygen",
        "example.com/clisuite/internal/keys",
    ] {
        assert!(
            percent
                .stdout
                .lines()
                .any(|l| l.trim_start().starts_with(p)),
            "covdata percent lacks {p}:\n{}",
            percent.stdout
        );
    }
}

/// `go env -w GOFLAGS=-tags=integration` (in a private GOENV file): the program that the test
/// builds still gets the tags, next to the overlay the test binary passes on through GOFLAGS.
fn goflags_of_go_env(tc: &GoToolchain) {
    let tmp = tempdir("intcov-goflags-");
    let tmp = utf8(tmp.path());
    let dir = module_copy(&testdata("tagsmod"), tmp);
    let goenv = tmp.join("goenv");
    // GOFLAGS="" in the environment: go reads GOFLAGS from the GOENV file then.
    let env = [("GOENV", goenv.as_str()), ("GOFLAGS", "")];
    go(tc, &dir, &["env", "-w", "GOFLAGS=-tags=integration"], &env).ok();
    let json = overlay_json(tc, Variant::Full);
    let mut on = env.to_vec();
    on.push(("GO_INTEGRATION_COVERAGE", "1"));
    let out = go(
        tc,
        &dir,
        &[
            "test",
            "-count=1",
            "-v",
            &format!("-overlay={json}"),
            "-cover",
            ".",
        ],
        &on,
    );
    assert!(
        out.success,
        "the tags of go env -w were lost:\n{}",
        out.all()
    );
    let want = format!("go env GOFLAGS in the test: -tags=integration -overlay={json}");
    assert!(out.all().contains(&want), "no {want:?} in:\n{}", out.all());
}

fn all_scenarios(tc: &GoToolchain) {
    cache_keeps_settings_apart(tc);
    relative_coverdir(tc);
    seed_gocoverdir(tc);
    goflags_of_go_env(tc);
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
            fn cache_never_replays_the_other_setting() {
                cache_keeps_settings_apart(&tc());
            }
            #[test]
            fn relative_coverdir_is_taken_from_where_go_test_started() {
                relative_coverdir(&tc());
            }
            #[test]
            fn seed_flow_gocoverdir_receives_the_data() {
                seed_gocoverdir(&tc());
            }
            #[test]
            fn goflags_of_go_env_survive() {
                goflags_of_go_env(&tc());
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
