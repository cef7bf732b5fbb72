//! What `merge`, `subtract` and `intersect` leave in `-o` when they fail, are killed, or race:
//! never anything that reads as coverage other than the complete result (or what was there
//! before). Also the `-o` paths that are refused.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use testkit::CoverMode;

fn intcov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args(args)
        .output()
        .unwrap()
}

fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-merge-out-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

/// What a strict read of `dir` gives: `Some(textfmt)` when it reads as coverage, `None` when
/// the read fails.
fn read(dir: &Utf8Path) -> Option<String> {
    let out = dir.with_extension("txt");
    let res = intcov(&["textfmt", &format!("-i={dir}"), &format!("-o={out}")]);
    res.status
        .success()
        .then(|| std::fs::read_to_string(&out).unwrap_or_default())
}

fn names(dir: &Utf8Path) -> Vec<String> {
    let mut v: Vec<String> = dir
        .read_dir_utf8()
        .map(|d| d.map(|e| e.unwrap().file_name().to_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn copy_dir(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in from.read_dir_utf8().unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A bounded kill -9 loop: merges killed at times spread over one merge's duration, into a
/// missing directory and into one that holds another file. After each kill, the directory
/// reads as it did before, as the complete result, or fails to read.
#[test]
fn a_killed_merge_never_leaves_a_directory_that_reads_as_valid() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (_t, root) = tempdir();
    let complete = root.join("complete");
    let merge = |out: &Utf8Path| {
        Command::new(env!("CARGO_BIN_EXE_intcov"))
            .args(["merge", &format!("-i={}", data.path), &format!("-o={out}")])
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // One merge's duration: the kills are spread over it (the clock picks the moments; nothing
    // here asserts on time).
    let started = Instant::now();
    assert!(merge(&complete).wait().unwrap().success());
    let span = started.elapsed().max(Duration::from_millis(5));
    let want = read(&complete).expect("the complete merge reads");

    let rounds = 24u32;
    let mut outcomes = [0usize; 3];
    for round in 0..rounds {
        let out = root.join(format!("out{round}"));
        let before = if round % 2 == 1 {
            std::fs::create_dir(&out).unwrap();
            std::fs::write(out.join("notes.txt"), "not coverage").unwrap();
            read(&out)
        } else {
            None
        };
        let mut child = merge(&out);
        std::thread::sleep(span * (round / 2) / (rounds / 2));
        let _ = child.kill();
        let _ = child.wait();
        let got = if out.exists() { read(&out) } else { None };
        match got {
            None => outcomes[0] += 1,
            Some(g) if g == want => outcomes[1] += 1,
            Some(g) => {
                assert_eq!(
                    Some(&g),
                    before.as_ref(),
                    "round {round}: {:?}",
                    names(&out)
                );
                outcomes[2] += 1;
            }
        }
        // Nothing but the result (and the guard of an interrupted commit) lands in `out`.
        for n in names(&out) {
            assert!(
                n == "notes.txt"
                    || n == covmerge::ops::INCOMPLETE_GUARD
                    || n.starts_with("covmeta.")
                    || n.starts_with("covcounters."),
                "round {round}: {n}"
            );
        }
    }
    eprintln!(
        "killed merges: unreadable {}, complete {}, as before {}",
        outcomes[0], outcomes[1], outcomes[2]
    );
}

#[test]
fn a_failed_merge_leaves_the_output_as_it_was() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Set);
    let (_t, root) = tempdir();
    let input = root.join("in");
    copy_dir(&data.path, &input);
    // The last counter file in Go's order is damaged: the programs before it merge fine.
    let last = names(&input)
        .into_iter()
        .rfind(|n| n.starts_with("covcounters."))
        .unwrap();
    let bytes = std::fs::read(input.join(&last)).unwrap();
    std::fs::write(input.join(&last), &bytes[..bytes.len() / 2]).unwrap();
    let out = root.join("out");
    for (op, i) in [
        ("merge", input.to_string()),
        ("subtract", format!("{input},{input}")),
        ("intersect", input.to_string()),
    ] {
        let res = intcov(&[op, &format!("-i={i}"), &format!("-o={out}")]);
        assert_eq!(res.status.code(), Some(1), "{op}");
        assert!(!out.exists(), "{op}: {:?}", names(&out));
        assert_eq!(names(&root), ["in"], "{op}: nothing left beside it");
    }
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep").unwrap();
    let res = intcov(&["merge", &format!("-i={input}"), &format!("-o={out}")]);
    assert_eq!(res.status.code(), Some(1));
    assert_eq!(names(&out), ["notes.txt"]);
}

#[test]
fn output_naming_an_input_is_refused() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Set);
    let (_t, root) = tempdir();
    let input = root.join("in");
    copy_dir(&data.path, &input);
    let before = names(&input);
    let alias = root.join("alias");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &alias).unwrap();
    #[cfg(not(unix))]
    let alias = input.clone();
    let file = input.join(&before[0]);
    for out in [
        input.clone(),
        alias.clone(),
        root.join("in/."),
        file.clone(),
    ] {
        let res = intcov(&["merge", &format!("-i={input}"), &format!("-o={out}")]);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(1), "{out}: {stderr}");
        assert!(stderr.contains(out.as_str()), "{out}: {stderr}");
        assert_eq!(names(&input), before, "{out}");
    }
}

/// Two merges into one `-o` at once: each succeeds or is refused naming the guard; the
/// directory then reads, with every program's counts from each merge that succeeded.
#[test]
fn concurrent_merges_into_one_output_are_safe() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Set);
    let (_t, root) = tempdir();
    let one = root.join("one");
    let res = intcov(&["merge", &format!("-i={}", data.path), &format!("-o={one}")]);
    assert!(res.status.success());
    let want = read(&one).unwrap();
    for round in 0..6 {
        let out = root.join(format!("out{round}"));
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_intcov"))
                .args(["merge", &format!("-i={}", data.path), &format!("-o={out}")])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let mut ok = 0;
        for child in [a, b] {
            let res = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&res.stderr);
            if res.status.success() {
                ok += 1;
            } else {
                assert!(
                    stderr.contains("another command"),
                    "round {round}: {stderr}"
                );
            }
        }
        assert!(ok >= 1, "round {round}");
        // Set mode: one merge or two, the coverage reads the same.
        assert_eq!(read(&out).as_ref(), Some(&want), "round {round}");
    }
}
