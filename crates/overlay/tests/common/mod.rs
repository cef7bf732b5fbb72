//! Running real `go test` with and without the overlay, and computing the truth from a coverage
//! directory with `go tool covdata` (the oracle).

#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::sync::Mutex;

use camino::{Utf8Path, Utf8PathBuf};
use testkit::GoToolchain;
use xshell::Shell;

/// Environment variables of the overlay; cleared for every command, then set as a run asks.
pub const OVERLAY_ENV: [&str; 5] = [
    "GO_INTEGRATION_COVERAGE",
    "GO_INTEGRATION_COVERDIR",
    "GO_INTEGRATION_COVERAGE_VERBOSE",
    "GO_INTEGRATION_COVERAGE_GOFLAGS",
    "GOCOVERDIR",
];

/// What a command printed.
#[derive(Debug)]
pub struct Output {
    pub command: String,
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics, showing everything, unless the command succeeded.
    pub fn ok(self) -> Self {
        assert!(
            self.success,
            "`{}` failed:\n{}{}",
            self.command, self.stdout, self.stderr
        );
        self
    }

    /// The figure `go test` printed for `pkg`: `80.8` for "coverage: 80.8% of statements…",
    /// else what follows "coverage: " ("[no statements]").
    pub fn figure(&self, pkg: &str) -> String {
        let line = self
            .all()
            .lines()
            .find(|l| {
                let mut f = l.split('\t');
                matches!(f.next(), Some(s) if s.trim() == "ok")
                    && f.next().map(str::trim) == Some(pkg)
            })
            .unwrap_or_else(|| {
                panic!(
                    "no `ok {pkg}` line from `{}`:\n{}",
                    self.command,
                    self.all()
                )
            })
            .to_owned();
        let rest = line
            .split_once("coverage: ")
            .unwrap_or_else(|| panic!("no coverage in {line:?}"))
            .1;
        match rest.split_once("% of statements") {
            Some((pct, _)) => pct.to_owned(),
            None => rest.trim().to_owned(),
        }
    }
}

/// A `go` command of `tc` run in `dir`: GOROOT pinned, its bin first on PATH (the fixtures'
/// TestMain run `go build`), no toolchain switching, no overlay setting inherited.
pub fn go(tc: &GoToolchain, dir: &Utf8Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let sh = Shell::new().expect("shell");
    sh.change_dir(dir);
    let path = std::env::var("PATH").unwrap_or_default();
    let bin = tc.goroot().join("bin");
    let mut cmd = tc.cmd(&sh).args(args).env("PATH", format!("{bin}:{path}"));
    for k in OVERLAY_ENV {
        cmd = cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let command = format!("{} (in {dir}, env {env:?})", cmd);
    let out = cmd
        .quiet()
        .ignore_status()
        .output()
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    Output {
        command,
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Generates `variant` of the overlay for `tc` into a fresh directory.
pub fn overlay_for(
    tc: &GoToolchain,
    variant: overlay::Variant,
) -> (tempfile::TempDir, overlay::Generated) {
    let dir = tempdir("intcov-overlay-");
    let install = overlay::probe(&tc.go).expect("go env");
    assert_eq!(install.version, tc.version);
    let generated = overlay::generate(
        &install,
        &overlay::Options {
            out: utf8(dir.path()).join("overlay"),
            coverdir: None,
            variant,
        },
    )
    .unwrap_or_else(|e| panic!("generating the overlay for {}: {e}", tc.version));
    (dir, generated)
}

pub fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("temp dir")
}

pub fn utf8(p: &std::path::Path) -> &Utf8Path {
    Utf8Path::from_path(p).expect("UTF-8 temp path")
}

/// A legacy text profile: mode and the unit lines, sorted.
#[derive(Debug, PartialEq, Eq)]
pub struct Profile {
    pub mode: String,
    pub lines: Vec<String>,
}

impl Profile {
    pub fn parse(text: &str) -> Profile {
        let mut lines = text.lines();
        let mode = lines.next().unwrap_or_default().to_owned();
        assert!(mode.starts_with("mode: "), "not a profile: {text:?}");
        let mut lines: Vec<String> = lines.filter(|l| !l.is_empty()).map(str::to_owned).collect();
        lines.sort();
        Profile { mode, lines }
    }

    pub fn read(path: &Utf8Path) -> Profile {
        Profile::parse(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}")))
    }

    /// unit → (statements, count), counts of repeated units combined as Go's cover tool does
    /// (set: or, count/atomic: sum).
    pub fn units(&self) -> BTreeMap<String, (u64, u64)> {
        let set = self.mode == "mode: set";
        let mut units = BTreeMap::new();
        for l in &self.lines {
            let mut f = l.rsplitn(3, ' ');
            let count: u64 = f.next().and_then(|c| c.parse().ok()).expect(l);
            let stmts: u64 = f.next().and_then(|c| c.parse().ok()).expect(l);
            let unit = f.next().expect(l).to_owned();
            let e = units.entry(unit).or_insert((stmts, 0));
            e.1 = if set {
                (e.1 | count).min(1)
            } else {
                e.1 + count
            };
        }
        units
    }

    /// Statement coverage as `go test` prints it (`%.1f`).
    pub fn percent(&self) -> String {
        let (mut total, mut covered) = (0u64, 0u64);
        for (stmts, count) in self.units().values() {
            total += stmts;
            if *count > 0 {
                covered += stmts;
            }
        }
        assert!(total > 0, "empty profile");
        format!("{:.1}", 100.0 * covered as f64 / total as f64)
    }

    /// Units with a non-zero count.
    pub fn covered(&self) -> Vec<String> {
        self.units()
            .into_iter()
            .filter(|(_, (_, c))| *c > 0)
            .map(|(u, _)| u)
            .collect()
    }
}

/// The truth about a coverage directory: `go tool covdata textfmt` over it.
pub fn textfmt(tc: &GoToolchain, dir: &Utf8Path) -> Profile {
    let out = dir
        .parent()
        .expect("coverage dir has a parent")
        .join(format!("{}.textfmt", dir.file_name().unwrap_or("dir")));
    go(
        tc,
        dir,
        &[
            "tool",
            "covdata",
            "textfmt",
            &format!("-i={dir}"),
            &format!("-o={out}"),
        ],
        &[],
    )
    .ok();
    Profile::read(&out)
}

/// covmeta / covcounters files directly in `dir`.
pub fn data_files(dir: &Utf8Path) -> (Vec<Utf8PathBuf>, Vec<Utf8PathBuf>) {
    let mut meta = Vec::new();
    let mut counters = Vec::new();
    let Ok(entries) = dir.read_dir_utf8() else {
        return (meta, counters);
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if name.starts_with("covmeta.") {
            meta.push(e.path().to_owned());
        } else if name.starts_with("covcounters.") {
            counters.push(e.path().to_owned());
        }
    }
    meta.sort();
    counters.sort();
    (meta, counters)
}

/// The overlay of `variant` for `tc`, generated once per test process into target/ (a stable
/// path keeps the Go build cache warm across runs: the path is baked into the overlay).
pub fn overlay_json(tc: &GoToolchain, variant: overlay::Variant) -> Utf8PathBuf {
    static MADE: Mutex<Vec<(String, overlay::Variant, Utf8PathBuf)>> = Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, json)) = made
        .iter()
        .find(|(v, var, _)| *v == tc.version && *var == variant)
    {
        return json.clone();
    }
    let out = testkit::target_dir()
        .join("overlay-tests")
        .join(format!("{}-{variant}", tc.version));
    let install = overlay::probe(&tc.go).expect("go env");
    let generated = overlay::generate(
        &install,
        &overlay::Options {
            out,
            coverdir: None,
            variant,
        },
    )
    .unwrap_or_else(|e| panic!("generating the overlay for {}: {e}", tc.version));
    made.push((tc.version.clone(), variant, generated.overlay_json.clone()));
    generated.overlay_json
}

/// Copies the files under `from` into `to` (created), keeping the tree: a module copied into a
/// fresh directory has package paths no earlier test run built, so go test's cache starts empty
/// for it.
pub fn copy_tree(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{to}: {e}"));
    for e in from
        .read_dir_utf8()
        .unwrap_or_else(|e| panic!("{from}: {e}"))
    {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap_or_else(|err| panic!("{}: {err}", e.path()));
        }
    }
}

/// The release `cargo xtask overlay-matrix` asks for in INTCOV_OVERLAY_GO_RELEASE (e.g. 1.22.10),
/// or the Go on PATH.
pub fn matrix_toolchain() -> GoToolchain {
    match std::env::var("INTCOV_OVERLAY_GO_RELEASE") {
        Ok(v) if !v.is_empty() => testkit::go_release(&v),
        _ => testkit::go(),
    }
}
