//! Reading a GOCOVERDIR while instrumented programs keep writing to it.
//!
//! Several threads run a `-cover` binary over and over into one directory; meanwhile the
//! directory is read again and again, strictly. Every read must succeed (Go's runtime renames
//! whole files into place, so a reader never meets half a file under a final name), every read
//! must see at least what the previous one saw (counts only grow as files are added), a merge
//! taken in the middle must read back as the directory did, and once the writers stop, the
//! result must equal `go tool covdata textfmt`'s.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::ops::{self, Operation, Options};
use covmerge::{read_profile, ReadOptions, Warning};
use profile::Unit;
use testkit::GoToolchain;

const PROGRAM: &str = r#"package main

import (
	"fmt"
	"os"
	"strconv"
)

func classify(i int) string {
	switch {
	case i%15 == 0:
		return "fizzbuzz"
	case i%5 == 0:
		return "buzz"
	case i%3 == 0:
		return "fizz"
	}
	return ""
}

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Println("bad count")
		os.Exit(2)
	}
	seen := map[string]int{}
	for i := 1; i <= n; i++ {
		seen[classify(i)]++
	}
	if n%2 == 0 {
		fmt.Println("even", seen)
	} else {
		fmt.Println("odd", seen)
	}
}
"#;

fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-concurrent-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

fn go_cmd(go: &GoToolchain) -> Command {
    let mut c = Command::new(&go.go);
    c.env("GOROOT", go.goroot())
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-buildvcs=false");
    c
}

fn build(go: &GoToolchain, root: &Utf8Path) -> Utf8PathBuf {
    let src = root.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), "module example.com/writer\n\ngo 1.21\n").unwrap();
    std::fs::write(src.join("main.go"), PROGRAM).unwrap();
    let bin = root.join("writer");
    let out = go_cmd(go)
        .args(["build", "-cover", "-covermode=count", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go build -cover: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin
}

type Flat = BTreeMap<(String, Unit), u32>;

fn read(dir: &Utf8Path) -> Option<Flat> {
    let mut warnings = Vec::new();
    let p = read_profile(&[dir], &ReadOptions::default(), &mut |w| warnings.push(w))
        .unwrap_or_else(|e| panic!("reading while programs write: {e}"));
    for w in &warnings {
        assert!(matches!(w, Warning::NoData), "unexpected warning: {w}");
    }
    p.map(|p| profile::text::flatten(&p))
}

#[test]
fn reading_while_programs_write_sees_whole_files_only() {
    let go = testkit::go();
    let (_t, root) = tempdir();
    let bin = build(&go, &root);
    let dir = root.join("coverdir");
    std::fs::create_dir_all(&dir).unwrap();

    let writers = 3;
    let runs_per_writer = 40;
    let finished = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let (bin, dir, finished) = (bin.clone(), dir.clone(), finished.clone());
            std::thread::spawn(move || {
                for k in 0..runs_per_writer {
                    let n = 1 + (w * 7 + k * 3) % 40;
                    let st = Command::new(&bin)
                        .arg(n.to_string())
                        .env("GOCOVERDIR", &dir)
                        .output()
                        .unwrap();
                    assert!(
                        st.status.success(),
                        "{}",
                        String::from_utf8_lossy(&st.stderr)
                    );
                }
                finished.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();

    let mut reads = 0;
    let mut nonempty = 0;
    let mut previous: Option<Flat> = None;
    let mut merged_once = false;
    let start = Instant::now();
    while finished.load(Ordering::SeqCst) < writers {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "writers did not finish"
        );
        let now = read(&dir);
        reads += 1;
        if let Some(now) = &now {
            nonempty += 1;
            if let Some(prev) = &previous {
                for (k, &before) in prev {
                    let after = now.get(k).copied().unwrap_or(0);
                    assert!(after >= before, "{k:?} went from {before} to {after}");
                }
            }
            // A merge in the middle of it all reads back as the directory read just before
            // it, or with more (files added between the two).
            if !merged_once && nonempty > 3 {
                merged_once = true;
                let out = root.join("merged");
                ops::run(
                    &[&dir],
                    &out,
                    &Options::new(Operation::Merge { pcombine: false }),
                )
                .unwrap_or_else(|e| panic!("merging while programs write: {e}"));
                let merged = read(&out).expect("merged data");
                for (k, &v) in now {
                    assert!(merged.get(k).copied().unwrap_or(0) >= v, "merge lost {k:?}");
                }
            }
        }
        if now.is_some() {
            previous = now;
        }
    }
    for h in handles {
        h.join().unwrap();
    }
    assert!(
        nonempty >= 5 && merged_once,
        "only {nonempty} of {reads} reads overlapped the writers"
    );

    // Every run wrote one counter file; the final read is Go's.
    let counters = dir
        .read_dir_utf8()
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().starts_with("covcounters."))
        .count();
    assert_eq!(counters, writers * runs_per_writer);
    let out = root.join("go.txt");
    let st = go_cmd(&go)
        .args(["tool", "covdata", "textfmt"])
        .arg(format!("-i={dir}"))
        .arg(format!("-o={out}"))
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let theirs = std::fs::read_to_string(&out).unwrap();
    let ours = read_profile(&[&dir], &ReadOptions::default(), &mut |_| {})
        .unwrap()
        .map(|p| profile::text::to_string(&p))
        .unwrap();
    assert_eq!(ours, theirs);
    eprintln!("{reads} reads ({nonempty} with data) while {writers} writers ran {runs_per_writer} programs each");
}
