//! The fixtures' integration tests really produce coverage data, in every mode, with the Go on
//! PATH and with the oldest supported release; `go tool covdata` (the oracle) reads it.

use testkit::{covdata, fixture_names, go, go_release, CoverMode, GoToolchain};
use xshell::Shell;

fn covdata_tool(tc: &GoToolchain, what: &str, dir: &camino::Utf8Path) -> String {
    let sh = Shell::new().unwrap();
    tc.cmd(&sh)
        .args(["tool", "covdata", what])
        .arg(format!("-i={dir}"))
        .read()
        .unwrap_or_else(|e| panic!("go tool covdata {what} -i={dir}: {e}"))
}

fn files(dir: &camino::Utf8Path) -> Vec<String> {
    let mut names: Vec<String> = dir
        .read_dir_utf8()
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn there_are_three_fixtures_or_more() {
    let names = fixture_names();
    assert!(names.len() >= 3, "go-fixtures/ holds {names:?}");
}

#[test]
fn every_fixture_writes_covdata_in_every_mode() {
    let tc = go();
    for fixture in fixture_names() {
        for mode in CoverMode::ALL {
            let dir = covdata(&tc, &fixture, mode);
            let names = files(&dir.path);
            assert!(
                names.iter().any(|n| n.starts_with("covmeta.")),
                "{fixture} {mode}: {names:?}"
            );
            let percent = covdata_tool(&tc, "percent", &dir.path);
            assert!(
                percent.contains(&format!("example.com/{fixture}/")),
                "{fixture} {mode}: {percent}"
            );
            let textfmt_dir = tempfile::tempdir().unwrap();
            let out = textfmt_dir.path().join("cover.out");
            let sh = Shell::new().unwrap();
            tc.cmd(&sh)
                .args(["tool", "covdata", "textfmt"])
                .arg(format!("-i={}", dir.path))
                .arg(format!("-o={}", out.display()))
                .run()
                .unwrap();
            let text = std::fs::read_to_string(&out).unwrap();
            assert!(
                text.starts_with(&format!("mode: {mode}\n")),
                "{fixture}: {text:.40}"
            );
        }
    }
}

#[test]
fn each_call_gets_its_own_directory() {
    let tc = go();
    let a = covdata(&tc, "clisuite", CoverMode::Set);
    let b = covdata(&tc, "clisuite", CoverMode::Set);
    assert_ne!(a.path, b.path);
    assert_eq!(files(&a.path), files(&b.path));
    let path = a.path.clone();
    drop(a);
    assert!(!path.exists(), "{path} outlived its CoverDir");
}

#[test]
fn oldest_supported_go_builds_the_fixtures() {
    let tc = go_release("1.21.13");
    assert_eq!(tc.version, "go1.21.13");
    assert_eq!(tc.minor(), 21);
    for fixture in fixture_names() {
        let dir = covdata(&tc, &fixture, CoverMode::Count);
        let percent = covdata_tool(&tc, "percent", &dir.path);
        assert!(percent.contains("coverage:"), "{fixture}: {percent}");
    }
}

#[test]
fn snapshot_redactions() {
    let tc = go();
    let dir = covdata(&tc, "clisuite", CoverMode::Atomic);
    let listing: Vec<String> = files(&dir.path)
        .into_iter()
        .map(|name| format!("{}/{name}", dir.path))
        .collect();
    let mut settings = testkit::insta_settings();
    testkit::redact_hashes(&mut settings);
    settings.bind(|| {
        let first_counter = listing.iter().find(|n| n.contains("covcounters")).unwrap();
        insta::assert_snapshot!(first_counter, @"[TMP]/covcounters.[HASH].[PID].[NANOTIME]");
        insta::assert_snapshot!(format!("pid: {} time={}", std::process::id(), 1795484507300913221u64), @"pid: [PID] time=[NANOTIME]");
        let tmp = std::env::temp_dir();
        let dump = format!(
            " *\t/root/.cache/go-build/43/4373ef-d/covdata debugdump -i={}\nprogram args: [{}/intcov-fixture-3043893948/bin/kvserver]\nok  \texample.com/clisuite\t1.456s\tcoverage: 0.0%",
            dir.path,
            tmp.display().to_string().trim_end_matches('/'),
        );
        insta::assert_snapshot!(dump, @r"
         *	covdata debugdump -i=[TMP]
        program args: [[TMP]/bin/kvserver]
        ok  	example.com/clisuite	[DURATION]	coverage: 0.0%
        ");
    });
}
