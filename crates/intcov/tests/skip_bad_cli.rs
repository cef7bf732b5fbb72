//! `--skip-bad` on every command that reads coverage data: strict runs stop at the bad file
//! (exit 1, naming it); `--skip-bad` runs list it on stderr, exit 3, and produce exactly what a
//! strict run over the inputs without it produces.

use std::process::Output;

use camino::{Utf8Path, Utf8PathBuf};

fn intcov(args: &[String]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args(args)
        .output()
        .unwrap()
}

fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-skipbad-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

fn copy_dir(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in from.read_dir_utf8().unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// What a command produced: stdout (the input directory's path taken out) and the file or
/// directory it wrote, as text.
fn result(out: &Output, input: &Utf8Path, written: Option<&Utf8Path>) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout)
        .lines()
        // debugdump shows its command line.
        .filter(|l| !l.contains(" *\t"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(input.as_str(), "IN");
    let file = match written {
        Some(p) if p.is_dir() => {
            let text = p.with_extension("txt");
            let o = intcov(&["textfmt".into(), format!("-i={p}"), format!("-o={text}")]);
            assert!(o.status.success());
            std::fs::read_to_string(text).unwrap()
        }
        Some(p) => std::fs::read_to_string(p).unwrap_or_default(),
        None => String::new(),
    };
    format!("{stdout}\n--\n{file}")
}

#[test]
fn every_command_skips_bad_files_and_says_so() {
    let data = testkit::covdata(&testkit::go(), "clisuite", testkit::CoverMode::Count);
    let (_t, root) = tempdir();
    let (clean, bad) = (root.join("clean"), root.join("bad"));
    copy_dir(&data.path, &clean);
    copy_dir(&data.path, &bad);
    let tag = clean
        .read_dir_utf8()
        .unwrap()
        .find_map(|e| {
            let n = e.unwrap().file_name().to_owned();
            n.strip_prefix("covmeta.").map(str::to_owned)
        })
        .unwrap();
    // A writer killed before writing anything.
    let culprit = bad.join(format!("covcounters.{tag}.999.1"));
    std::fs::write(&culprit, b"").unwrap();

    type Cmd = (&'static str, Vec<&'static str>, Option<&'static str>);
    let commands: Vec<Cmd> = vec![
        ("textfmt", vec!["-o=OUT"], Some("OUT")),
        ("percent", vec![], None),
        ("func", vec![], None),
        ("pkglist", vec![], None),
        ("debugdump", vec![], None),
        ("merge", vec!["-o=OUT"], Some("OUT")),
        ("merge", vec!["-pcombine", "-o=OUT"], Some("OUT")),
        ("intersect", vec!["-o=OUT"], Some("OUT")),
        ("subtract", vec!["-o=OUT"], Some("OUT")),
        ("report", vec!["--format", "json", "-o", "-"], None),
    ];
    for (k, (cmd, extra, written)) in commands.into_iter().enumerate() {
        let run = |input: &Utf8Path, flag: Option<&str>, tag: &str| {
            let out_path = root.join(format!("{k}-{tag}"));
            let mut args = vec![cmd.to_owned()];
            // subtract and intersect take two inputs: the directory and the clean one.
            let inputs = match cmd {
                "subtract" | "intersect" => format!("{input},{clean}"),
                _ => input.to_string(),
            };
            args.push(format!("-i={inputs}"));
            args.extend(extra.iter().map(|a| a.replace("OUT", out_path.as_str())));
            args.extend(flag.map(str::to_owned));
            let o = intcov(&args);
            let file = written.map(|_| out_path.clone());
            (o, file)
        };
        let what = format!("{cmd} {extra:?}");
        let (strict, _) = run(&bad, None, "strict");
        let stderr = String::from_utf8_lossy(&strict.stderr);
        assert_eq!(strict.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains(culprit.as_str()), "{what}: {stderr}");

        // Go-style and GNU-style spellings.
        let flag = if k % 2 == 0 {
            "-skip-bad"
        } else {
            "--skip-bad"
        };
        let (skip, skip_file) = run(&bad, Some(flag), "skip");
        let stderr = String::from_utf8_lossy(&skip.stderr);
        assert_eq!(skip.status.code(), Some(3), "{what}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "warning: skipped bad input: {culprit}: offset 0 (magic)"
            )),
            "{what}: {stderr}"
        );
        let (want, want_file) = run(&clean, None, "want");
        assert_eq!(want.status.code(), Some(0), "{what}");
        assert_eq!(
            result(&skip, &bad, skip_file.as_deref()),
            result(&want, &clean, want_file.as_deref()),
            "{what}: --skip-bad output differs from a strict run without the bad file"
        );

        // Nothing bad: exit 0, as without the flag.
        let (fine, _) = run(&clean, Some("--skip-bad"), "fine");
        assert_eq!(fine.status.code(), Some(0), "{what}");
    }
}

/// A text profile that does not parse is skipped by `report --skip-bad` too.
#[test]
fn report_skips_bad_text_profiles() {
    let (_t, root) = tempdir();
    let good = root.join("good.out");
    let bad = root.join("bad.out");
    std::fs::write(&good, "mode: set\nexample.com/m/a.go:1.2,3.4 1 1\n").unwrap();
    std::fs::write(&bad, "mode: set\nexample.com/m/a.go:1.2,3.4 one 1\n").unwrap();
    let args = |inputs: &str, skip: bool| {
        let mut a: Vec<String> = ["report", "--format", "json", "-o", "-"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.push(format!("-i={inputs}"));
        if skip {
            a.push("--skip-bad".into());
        }
        a
    };
    let strict = intcov(&args(&format!("{good},{bad}"), false));
    assert_eq!(strict.status.code(), Some(1));
    let skip = intcov(&args(&format!("{good},{bad}"), true));
    let stderr = String::from_utf8_lossy(&skip.stderr);
    assert_eq!(skip.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("skipped bad input: {bad}:2")),
        "{stderr}"
    );
    let want = intcov(&args(good.as_str(), false));
    assert_eq!(skip.stdout, want.stdout);
}
