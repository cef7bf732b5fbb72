//! Percentages round exactly as Go's `%.1f` rounds them (half to even on the exact binary
//! value): every covered/total pair up to 300 statements, printed by Go and by the emitter.

use std::process::Command;

use profile::{Function, Profile, Unit};
use testkit::go;

const MAX: u32 = 300;

#[test]
fn percent_formatting_matches_go() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("main.go");
    std::fs::write(
        &src,
        format!(
            "package main\n\nimport (\n\t\"bufio\"\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {{\n\tw := \
             bufio.NewWriter(os.Stdout)\n\tdefer w.Flush()\n\tfor t := uint64(1); t <= {MAX}; \
             t++ {{\n\t\tfor c := uint64(0); c <= t; c++ {{\n\t\t\tfmt.Fprintf(w, \
             \"coverage: %.1f%% of statements\\n\", 100.0*float64(c)/float64(t))\n\t\t}}\n\t}}\n}}\n"
        ),
    )
    .unwrap();
    let tc = go();
    let out = Command::new(tc.go.as_str())
        .arg("run")
        .arg(&src)
        .env("GOROOT", tc.goroot().as_str())
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let expected = String::from_utf8(out.stdout).unwrap();

    let mut ours = Vec::new();
    let function = Function {
        file: "p/f.go".into(),
        name: "f".into(),
        literal: false,
    };
    let unit = |line, n| Unit {
        start_line: line,
        start_col: 1,
        end_line: line,
        end_col: 2,
        num_stmts: n,
    };
    for t in 1..=MAX {
        for c in 0..=t {
            let mut p = Profile::new(profile::CounterMode::Set);
            p.add_function_units("p", &function, [(unit(1, c), 1), (unit(2, t - c), 0)]);
            profile::gofmt::emit_percent_with(&p, &[], "", false, true, &mut ours).unwrap();
        }
    }
    let ours = String::from_utf8(ours).unwrap();
    for (i, (g, r)) in expected.lines().zip(ours.lines()).enumerate() {
        assert_eq!(g, r, "case {i}");
    }
    assert_eq!(expected.lines().count(), ours.lines().count());
}
