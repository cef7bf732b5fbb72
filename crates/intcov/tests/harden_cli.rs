//! The drop-in's command line as Go's (wording, exit status, Go's general flags, booleans with
//! values) and failure paths that must give a clear error or leave things as they were:
//! outputs written temp-then-rename, stdout errors without a panic, links that lead nowhere,
//! links planted in an output directory, arguments that are not UTF-8.

use std::process::{Command, Output, Stdio};

use camino::{Utf8Path, Utf8PathBuf};
use testkit::{covdata, fixture_names, go, CoverMode};

fn intcov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args(args)
        .output()
        .unwrap()
}

fn go_covdata(args: &[&str]) -> Output {
    let go = go();
    Command::new(go.go.as_str())
        .args(["tool", "covdata"])
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap()
}

fn first_line(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn data() -> testkit::CoverDir {
    covdata(&go(), &fixture_names()[0], CoverMode::Count)
}

fn scratch() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

#[test]
fn errors_and_usage_errors_as_go_words_them() {
    let data = data();
    let d = &data.path;
    let (_t, tmp) = scratch();
    let out = tmp.join("o");
    let textfmt_out = tmp.join("missing/x.txt");
    let cases: Vec<Vec<String>> = vec![
        vec![
            "merge".into(),
            "-o".into(),
            out.to_string(),
            "-i".into(),
            "not there".into(),
        ],
        vec!["percent".into(), "-i=".into()],
        vec!["subtract".into(), format!("-i={d}"), format!("-o={out}")],
        vec![
            "textfmt".into(),
            format!("-i={d}"),
            format!("-o={textfmt_out}"),
        ],
        vec!["percent".into(), format!("-i={d}"), "-v=abc".into()],
        vec!["percent".into(), format!("-i={d}"), "-hw=maybe".into()],
        vec!["percent".into(), format!("-i={d}"), "-bogus".into()],
        vec!["func".into(), format!("-i={d}"), "extra".into()],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ours, gos) = (intcov(&args), go_covdata(&args));
        assert_eq!(ours.status.code(), gos.status.code(), "{args:?}");
        assert_eq!(first_line(&ours), first_line(&gos), "{args:?}");
    }
}

#[test]
fn go_general_flags_and_boolean_values_are_accepted() {
    let data = data();
    let d = &data.path;
    let (_t, tmp) = scratch();
    let (cpu, mem) = (tmp.join("cpu.pprof"), tmp.join("mem.prof"));
    let args = [
        "percent".to_owned(),
        format!("-i={d}"),
        "-v=0".into(),
        "-h".into(),
        "-hw=false".into(),
        format!("-cpuprofile={cpu}"),
        "-memprofile".into(),
        mem.to_string(),
        "-memprofilerate=1".into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ours, gos) = (intcov(&args), go_covdata(&args));
    assert_eq!(ours.status.code(), Some(0), "{}", first_line(&ours));
    assert_eq!(ours.stdout, gos.stdout);
    assert!(cpu.is_file() && mem.is_file());

    // -pcombine=true and -live=false, as Go's flag package reads them.
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    let m1 = intcov(&[
        "merge",
        "-pcombine=true",
        &format!("-i={d}"),
        &format!("-o={a}"),
    ]);
    let m2 = go_covdata(&[
        "merge",
        "-pcombine=true",
        &format!("-i={d}"),
        &format!("-o={b}"),
    ]);
    assert_eq!(m1.status.code(), Some(0), "{}", first_line(&m1));
    assert_eq!(m1.status.code(), m2.status.code());
    let dump = intcov(&["debugdump", "-live=false", &format!("-i={d}")]);
    assert_eq!(dump.status.code(), Some(0), "{}", first_line(&dump));
}

#[test]
fn a_failed_textfmt_leaves_the_old_output_as_it_was() {
    let (_t, tmp) = scratch();
    let out = tmp.join("out.txt");
    std::fs::write(&out, "mode: set\nold\n").unwrap();
    let res = intcov(&[
        "textfmt",
        &format!("-i={}", tmp.join("nope")),
        &format!("-o={out}"),
    ]);
    assert_eq!(res.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mode: set\nold\n");
    // And nothing else is left beside it.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn report_to_a_full_stdout_is_an_error_not_a_panic() {
    let data = data();
    let d = &data.path;
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let res = Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args([
            "report",
            "--format",
            "markdown",
            &format!("-i={d}"),
            "-o",
            "-",
        ])
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("writing to standard output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_dangling_link_named_like_a_coverage_file_is_a_bad_file() {
    let data = data();
    let d = &data.path;
    let (_t, tmp) = scratch();
    let dir = tmp.join("in");
    std::fs::create_dir(&dir).unwrap();
    for e in d.read_dir_utf8().unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let link = dir.join("covmeta.0123456789abcdef0123456789abcdef");
    std::os::unix::fs::symlink(tmp.join("gone"), &link).unwrap();
    let strict = intcov(&["percent", &format!("-i={dir}")]);
    assert_eq!(strict.status.code(), Some(1), "{}", first_line(&strict));
    assert!(
        first_line(&strict).contains(link.as_str()),
        "{}",
        first_line(&strict)
    );
    let gos = go_covdata(&["percent", &format!("-i={dir}")]);
    assert_eq!(gos.status.code(), Some(1));

    let lenient = intcov(&["percent", "--skip-bad", &format!("-i={dir}")]);
    assert_eq!(lenient.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&lenient.stderr).contains(link.as_str()));
    let clean = intcov(&["percent", &format!("-i={d}")]);
    assert_eq!(lenient.stdout, clean.stdout);
}

#[cfg(unix)]
#[test]
fn overlay_refuses_a_link_planted_in_its_output() {
    let (_t, tmp) = scratch();
    let out = tmp.join("ov");
    std::fs::create_dir(&out).unwrap();
    let victim = tmp.join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let link = out.join("overlay_integration.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let res = intcov(&["overlay", "--out", out.as_str()]);
    assert_eq!(res.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&res.stderr).contains(link.as_str()));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}

#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_is_named() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"-i=dir\xff");
    let res = Command::new(env!("CARGO_BIN_EXE_intcov"))
        .arg("percent")
        .arg(bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("argument 2 (-i=dir\u{FFFD})"), "{stderr}");
}

#[test]
fn messages_name_the_real_problem() {
    let data = data();
    let d = &data.path;
    let (_t, tmp) = scratch();
    // merge -o naming a file: "not a directory", once.
    let file = tmp.join("afile");
    std::fs::write(&file, "x").unwrap();
    let res = intcov(&["merge", &format!("-i={d}"), &format!("-o={file}")]);
    assert_eq!(res.status.code(), Some(1));
    assert_eq!(
        first_line(&res),
        format!("error: output {file}: not a directory")
    );
    // A text profile given to percent points at report.
    let profile = tmp.join("c.out");
    std::fs::write(&profile, "mode: set\n").unwrap();
    let res = intcov(&["percent", &format!("-i={profile}")]);
    assert!(
        first_line(&res).contains("intcov report"),
        "{}",
        first_line(&res)
    );
    // No alias clutter in help, no `--o` suggested for a wrong flag.
    let help = intcov(&["percent", "--help"]);
    assert!(!String::from_utf8_lossy(&help.stdout).contains("[alias"));
    let wrong = intcov(&["percent", "-i=x", "-bogus"]);
    assert!(!String::from_utf8_lossy(&wrong.stderr).contains("'--o'"));
    assert!(Utf8Path::new(&file).is_file());
}
