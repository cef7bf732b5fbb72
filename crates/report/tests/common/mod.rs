//! Test data: text profiles from the fixtures (through `go tool covdata textfmt`, the oracle)
//! and from the small `testdata/calc` module (unit-test profiles with the duplicated blocks of
//! `-coverpkg`, plus an integration run of its command).

#![allow(dead_code)]

use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use profile::Profile;
use report::{Coverage, Sources};
use testkit::{CoverDir, CoverMode, GoToolchain};
use xshell::Shell;

pub fn go() -> GoToolchain {
    testkit::go()
}

pub fn sh() -> Shell {
    Shell::new().expect("shell")
}

/// Run `go ARGS` in `dir`, returning stdout; panics with all output on failure.
pub fn go_in(dir: &Utf8Path, args: &[&str]) -> String {
    let sh = sh();
    sh.change_dir(dir);
    let out = go()
        .cmd(&sh)
        .args(args)
        .quiet()
        .ignore_status()
        .output()
        .expect("run go");
    assert!(
        out.status.success(),
        "go {args:?} in {dir} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A fixture's covdata (kept alive by the returned dir) and its text profile per Go.
pub struct FixtureData {
    pub covdir: CoverDir,
    pub text: String,
    pub module_dir: Utf8PathBuf,
}

pub fn fixture(name: &str, mode: CoverMode) -> FixtureData {
    let go = go();
    let covdir = testkit::covdata(&go, name, mode);
    let out = tempfile::tempdir().expect("tempdir");
    let file = Utf8PathBuf::from_path_buf(out.path().join("p.out")).expect("utf8");
    let i = format!("-i={}", covdir.path);
    let o = format!("-o={file}");
    go_in(&covdir.path, &["tool", "covdata", "textfmt", &i, &o]);
    let text = std::fs::read_to_string(&file).expect("textfmt output");
    FixtureData {
        covdir,
        text,
        module_dir: testkit::fixtures_root().join(name),
    }
}

pub fn parse(text: &str) -> Profile {
    profile::text::parse(text.as_bytes(), "test").expect("parse")
}

pub fn coverage(text: &str, module_dir: &Utf8Path) -> Coverage {
    let sources = Sources::discover(module_dir).expect("sources");
    Coverage::build(&parse(text), &sources, None)
}

pub fn calc_dir() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/calc")
}

/// The calc module's profiles: `unit` from `go test -coverpkg=./... -coverprofile`, `integration`
/// from running its command twice (`2 3 + 4 *` and `1 0 /`) with GOCOVERDIR, via textfmt.
pub struct CalcProfiles {
    pub unit: String,
    pub integration: String,
    pub unit_count: String,
    pub integration_count: String,
}

pub fn calc() -> &'static CalcProfiles {
    static DATA: OnceLock<CalcProfiles> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = calc_dir();
        let tmp = tempfile::tempdir().expect("tempdir");
        let tmp = Utf8PathBuf::from_path_buf(tmp.keep()).expect("utf8");
        let get = |mode: &str| -> (String, String) {
            let unit = tmp.join(format!("unit-{mode}.out"));
            go_in(
                &dir,
                &[
                    "test",
                    "-count=1",
                    &format!("-covermode={mode}"),
                    "-coverpkg=./...",
                    &format!("-coverprofile={unit}"),
                    "./...",
                ],
            );
            let bin = tmp.join(format!("calc-{mode}"));
            go_in(
                &dir,
                &[
                    "build",
                    "-cover",
                    &format!("-covermode={mode}"),
                    "-coverpkg=./...",
                    "-o",
                    bin.as_str(),
                    "./cmd/calc",
                ],
            );
            let cov = tmp.join(format!("cov-{mode}"));
            std::fs::create_dir_all(&cov).unwrap();
            let sh = sh();
            for args in [&["2", "3", "+", "4", "*"][..], &["1", "0", "/"][..]] {
                let _ = xshell::cmd!(sh, "{bin} {args...}")
                    .env("GOCOVERDIR", &cov)
                    .quiet()
                    .ignore_status()
                    .ignore_stderr()
                    .output()
                    .unwrap();
            }
            let integ = tmp.join(format!("integ-{mode}.out"));
            go_in(
                &dir,
                &[
                    "tool",
                    "covdata",
                    "textfmt",
                    &format!("-i={cov}"),
                    &format!("-o={integ}"),
                ],
            );
            (
                std::fs::read_to_string(unit).unwrap(),
                std::fs::read_to_string(integ).unwrap(),
            )
        };
        let (unit, integration) = get("set");
        let (unit_count, integration_count) = get("count");
        let _ = std::fs::remove_dir_all(&tmp);
        CalcProfiles {
            unit,
            integration,
            unit_count,
            integration_count,
        }
    })
}

/// Write `text` to a file in a fresh temp dir; returns (dir guard, path).
pub fn write_temp(name: &str, text: &str) -> (tempfile::TempDir, Utf8PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = Utf8PathBuf::from_path_buf(dir.path().join(name)).expect("utf8");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// The path of the program `name`; panics naming the Debian `package` to install.
pub fn tool(name: &str, package: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "`{name}` is needed to check the reports: install Debian's {package} package \
         (`apt-get install -y {package}`)"
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `xmllint --dtdvalid` against the Cobertura project's coverage-04.dtd (test data, see
/// `testdata/cobertura/SOURCE.md`).
pub fn check_dtd(xml: &str) {
    let dtd =
        Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/cobertura/coverage-04.dtd");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cobertura.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new(tool("xmllint", "libxml2-utils"))
        .args(["--noout", "--nonet", "--dtdvalid", dtd.as_str()])
        .arg(&file)
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "xmllint --dtdvalid coverage-04.dtd: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Validate a JSON report against the shipped JSON Schema.
pub fn check_json_schema(json: &str) {
    let schema: serde_json::Value =
        serde_json::from_str(report::json::JSON_SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let doc: serde_json::Value = serde_json::from_str(json).expect("the report is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match the schema: {errors:#?}"
    );
}
