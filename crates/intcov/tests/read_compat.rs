//! `intcov textfmt | percent | func | pkglist` against the oracle, `go tool covdata` of the Go
//! on PATH: same stdout, same `-o` file, same exit status, on the data of every fixture in every
//! counter mode, written by the Go on PATH and by Go 1.21.13, one directory or several, with and
//! without `-pkg`.

use std::process::Command;
use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use testkit::{covdata, fixture_names, go, go_release, CoverDir, CoverMode, GoToolchain};

/// The covdata tool binary of the Go on PATH (calling it directly skips `go tool`'s overhead).
fn oracle() -> &'static Utf8Path {
    static PATH: OnceLock<Utf8PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let tc = go();
        let out = Command::new(tc.go.as_str())
            .args(["tool", "-n", "covdata"])
            .env("GOROOT", tc.goroot().as_str())
            .env("GOTOOLCHAIN", "local")
            .output()
            .expect("run go tool -n covdata");
        assert!(out.status.success(), "go tool -n covdata: {out:?}");
        Utf8PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

#[derive(Debug)]
struct Outcome {
    stdout: Vec<u8>,
    stderr: String,
    status: i32,
    /// Contents of the `-o` file, if one was asked for and exists.
    file: Option<Vec<u8>>,
}

fn run(program: &Utf8Path, cmd: &str, args: &[String], out_file: Option<&Utf8Path>) -> Outcome {
    let mut c = Command::new(program.as_str());
    c.arg(cmd).args(args);
    if let Some(f) = out_file {
        let _ = std::fs::remove_file(f);
        c.arg(format!("-o={f}"));
    }
    let out = c.output().unwrap_or_else(|e| panic!("{program}: {e}"));
    Outcome {
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status: out.status.code().unwrap_or(-1),
        file: out_file.and_then(|f| std::fs::read(f).ok()),
    }
}

/// The intcov under test: this build's, or the binary `INTCOV_BIN` names (the release binary of
/// `cargo xtask dist`, checked by xtask's dist tests).
fn intcov() -> &'static Utf8Path {
    static PATH: OnceLock<Utf8PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match std::env::var("INTCOV_BIN") {
        Ok(bin) => {
            eprintln!("read_compat: testing INTCOV_BIN={bin}");
            Utf8PathBuf::from(bin)
        }
        Err(_) => Utf8PathBuf::from(env!("CARGO_BIN_EXE_intcov")),
    })
}

/// Run `cmd args` with both tools and demand identical results. Returns Go's stdout.
fn same(cmd: &str, args: &[String], what: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = (cmd == "textfmt" || cmd == "percent")
        .then(|| Utf8PathBuf::from_path_buf(tmp.path().join("profile.txt")).unwrap());
    let go = run(oracle(), cmd, args, out_file.as_deref());
    let ours = run(intcov(), cmd, args, out_file.as_deref());
    let context = format!("{what}: {cmd} {}", args.join(" "));
    assert_eq!(
        go.status, ours.status,
        "{context}: exit status\ngo stderr: {}\nintcov stderr: {}",
        go.stderr, ours.stderr
    );
    if go.stdout != ours.stdout {
        panic!(
            "{context}: stdout differs\n--- go\n{}\n--- intcov\n{}",
            String::from_utf8_lossy(&go.stdout),
            String::from_utf8_lossy(&ours.stdout)
        );
    }
    // Where Go fails it leaves the -o file it created first (empty); intcov's outputs are
    // written whole or not at all (the contract), so there is none.
    if go.status != 0 {
        assert!(
            ours.file.is_none(),
            "{context}: a failed run left an -o file"
        );
    } else if go.file != ours.file {
        panic!(
            "{context}: -o file differs\n--- go\n{}\n--- intcov\n{}",
            String::from_utf8_lossy(go.file.as_deref().unwrap_or(b"<none>")),
            String::from_utf8_lossy(ours.file.as_deref().unwrap_or(b"<none>"))
        );
    }
    // Both warn, or neither; both fail with a message, or neither.
    assert_eq!(
        go.stderr.contains("warning:"),
        ours.stderr.contains("warning:"),
        "{context}: warnings\ngo: {}\nintcov: {}",
        go.stderr,
        ours.stderr
    );
    if go.status != 0 {
        assert_eq!(
            ours.stderr.lines().count(),
            1,
            "{context}: one error line expected: {}",
            ours.stderr
        );
    }
    String::from_utf8_lossy(&go.stdout).into_owned()
}

fn input(dirs: &[&CoverDir]) -> String {
    let paths: Vec<&str> = dirs.iter().map(|d| d.path.as_str()).collect();
    format!("-i={}", paths.join(","))
}

/// Every read command on `dirs`, then with `-pkg` patterns derived from the package list.
fn check_all(dirs: &[&CoverDir], what: &str) {
    let i = input(dirs);
    for cmd in ["textfmt", "percent", "func"] {
        same(cmd, std::slice::from_ref(&i), what);
    }
    let pkgs = same("pkglist", std::slice::from_ref(&i), what);
    let pkgs: Vec<&str> = pkgs.lines().collect();
    assert!(!pkgs.is_empty(), "{what}: no packages");
    let module = pkgs[0].split('/').take(2).collect::<Vec<_>>().join("/");
    let mut patterns = vec![
        pkgs[0].to_owned(),
        format!("{module}/..."),
        format!("{module}/internal/..."),
        format!("{module}/cmd..."),
        format!("{},{}", pkgs[pkgs.len() - 1], pkgs[0]),
        "...".to_owned(),
        "nomatch/...".to_owned(),
        ",".to_owned(),
    ];
    if let Some(p) = pkgs.get(1) {
        // A pattern with a wildcard in the middle.
        let (head, tail) = p.split_at(p.len() / 2);
        patterns.push(format!("{head}...{}", &tail[tail.len().min(2)..]));
    }
    for pattern in patterns {
        for cmd in ["textfmt", "percent", "func", "pkglist"] {
            same(cmd, &[i.clone(), format!("-pkg={pattern}")], what);
        }
    }
}

fn check_toolchain(data_go: &GoToolchain) {
    let fixtures = fixture_names();
    for mode in CoverMode::ALL {
        let dirs: Vec<CoverDir> = fixtures.iter().map(|f| covdata(data_go, f, mode)).collect();
        for (fixture, dir) in fixtures.iter().zip(&dirs) {
            check_all(&[dir], &format!("{fixture} {mode} ({})", data_go.version));
        }
        // Several programs' directories at once.
        let all: Vec<&CoverDir> = dirs.iter().collect();
        check_all(&all, &format!("all fixtures {mode} ({})", data_go.version));
        // The same data twice: counts add up (and set mode stays 1).
        let again = covdata(data_go, &fixtures[0], mode);
        check_all(
            &[&dirs[0], &again],
            &format!("{} twice {mode} ({})", fixtures[0], data_go.version),
        );
    }
}

#[test]
fn same_as_go_on_data_of_the_go_on_path() {
    check_toolchain(&go());
}

#[test]
fn same_as_go_on_data_of_go_1_21() {
    check_toolchain(&go_release("1.21.13"));
}

#[test]
fn same_as_go_on_data_of_two_go_releases_and_mixed_modes() {
    let fixture = &fixture_names()[0];
    let new = covdata(&go(), fixture, CoverMode::Count);
    let old = covdata(&go_release("1.21.13"), fixture, CoverMode::Count);
    let set = covdata(&go(), fixture, CoverMode::Set);
    let atomic = covdata(&go_release("1.21.13"), fixture, CoverMode::Atomic);
    // Different meta-data hashes (MD5 then FNV), the same packages: combined by package path.
    check_all(&[&new, &old], "go on PATH + go1.21.13, count");
    // Mode clash: textfmt fails in both tools; percent, func and pkglist go on.
    for order in [[&set, &new, &atomic], [&atomic, &old, &set]] {
        let i = input(&order);
        for cmd in ["textfmt", "percent", "func", "pkglist"] {
            same(cmd, std::slice::from_ref(&i), "mixed modes");
        }
    }
}

#[test]
fn edge_cases_match_go() {
    let empty = tempfile::tempdir().unwrap();
    let empty = empty.path().to_str().unwrap().to_owned();
    let fixture = &fixture_names()[0];
    let dir = covdata(&go(), fixture, CoverMode::Set);
    let cases: Vec<Vec<String>> = vec![
        vec![format!("-i={empty}")],
        vec![format!("-i={empty}/nosuch")],
        vec![format!("-i={},", dir.path)],
        vec![format!("-i={},{empty}", dir.path)],
        vec![format!("-i={},{}", dir.path, dir.path)],
        vec![format!("-i={}/", dir.path)],
        vec![format!("-i={}/./", dir.path), "-pkg=".to_owned()],
    ];
    for args in &cases {
        for cmd in ["textfmt", "percent", "func", "pkglist"] {
            same(cmd, args, "edge case");
        }
    }
}

#[test]
fn gnu_style_flags_work_too() {
    let fixture = &fixture_names()[0];
    let dir = covdata(&go(), fixture, CoverMode::Count);
    let tmp = tempfile::tempdir().unwrap();
    let go_file = tmp.path().join("go.txt");
    let our_file = tmp.path().join("ours.txt");
    let go_out = Command::new(oracle().as_str())
        .args(["textfmt", &format!("-i={}", dir.path)])
        .arg(format!("-o={}", go_file.display()))
        .arg(format!("-pkg=example.com/{fixture}/..."))
        .output()
        .unwrap();
    assert!(go_out.status.success());
    let ours = Command::new(intcov().as_str())
        .args(["textfmt", "--input", dir.path.as_str(), "--output"])
        .arg(&our_file)
        .args(["--pkg", &format!("example.com/{fixture}/...")])
        .output()
        .unwrap();
    assert!(ours.status.success(), "{ours:?}");
    assert_eq!(
        std::fs::read(&go_file).unwrap(),
        std::fs::read(&our_file).unwrap()
    );
}

/// debugdump need not match Go byte for byte (its format is unstable), but today it does
/// after the header that names the producing command.
#[test]
fn debugdump_matches_go_after_the_header() {
    for mode in CoverMode::ALL {
        for fixture in fixture_names() {
            let dir = covdata(&go(), &fixture, mode);
            let i = format!("-i={}", dir.path);
            for extra in [None, Some("-live"), Some("-pkg=example.com/nomatch")] {
                let mut args = vec![i.clone()];
                args.extend(extra.map(str::to_owned));
                let go = run(oracle(), "debugdump", &args, None);
                let ours = run(intcov(), "debugdump", &args, None);
                let body = |o: &Outcome| {
                    let text = String::from_utf8_lossy(&o.stdout).into_owned();
                    text.splitn(7, '\n').nth(6).unwrap_or_default().to_owned()
                };
                assert_eq!(go.status, ours.status, "{fixture} {mode} {args:?}");
                assert_eq!(body(&go), body(&ours), "{fixture} {mode} {args:?}");
                assert!(body(&ours).contains("totalStmts:"));
            }
        }
    }
}
