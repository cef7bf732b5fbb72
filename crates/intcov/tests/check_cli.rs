//! `intcov check` end to end on real Go code: patch coverage of a throwaway git repository,
//! thresholds, and exclusions (generated files, --exclude, //coverage:ignore) that change every
//! report by exactly their statements while the drop-in commands stay Go's.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use camino::{Utf8Path, Utf8PathBuf};

fn intcov(dir: &Utf8Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn ok(dir: &Utf8Path, args: &[&str]) -> String {
    let o = intcov(dir, args);
    assert!(
        o.status.success(),
        "intcov {args:?}: {}\n{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
}

fn tmp() -> (tempfile::TempDir, Utf8PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = Utf8PathBuf::from_path_buf(d.path().canonicalize().unwrap()).unwrap();
    (d, p)
}

fn run(dir: &Utf8Path, prog: &str, args: &[&str]) -> String {
    let o = Command::new(prog)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{prog} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn git(dir: &Utf8Path, args: &[&str]) -> String {
    let mut all = vec!["-c", "user.name=t", "-c", "user.email=t@example.com"];
    all.extend_from_slice(args);
    run(dir, "git", &all)
}

fn go(dir: &Utf8Path, args: &[&str]) -> String {
    let tc = testkit::go();
    let sh = xshell::Shell::new().unwrap();
    sh.change_dir(dir);
    tc.cmd(&sh).args(args).quiet().read().unwrap()
}

fn write(path: &Utf8Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const BASE: &str = "package calc

// Add returns a+b.
func Add(a, b int) int {
\ts := a + b
\treturn s
}

// Sub returns a-b.
func Sub(a, b int) int {
\td := a - b
\treturn d
}
";

const MUL: &str = "
// Mul returns a*b.
func Mul(a, b int) int {
\tr := a * b
\treturn r
}
";

const DIV: &str = "
// Div returns a/b, 0 for b == 0.
func Div(a, b int) int {
\tif b == 0 {
\t\treturn 0
\t}
\treturn a / b
}
";

/// The repository: base (Add covered, Sub not), then one commit adding a covered function
/// (Mul), one adding an uncovered one (Div) and a README, one changing a line inside Add.
fn patch_repo() -> (tempfile::TempDir, Utf8PathBuf, String) {
    let (guard, dir) = tmp();
    git(&dir, &["init", "-q"]);
    write(&dir.join("go.mod"), "module example.com/calc\n\ngo 1.21\n");
    write(&dir.join("calc.go"), BASE);
    let test = |extra: &str| {
        format!(
            "package calc\n\nimport \"testing\"\n\nfunc TestCalc(t *testing.T) {{\n\tif Add(1, 2) != 3 {{\n\t\tt.Fatal()\n\t}}\n{extra}}}\n"
        )
    };
    write(&dir.join("calc_test.go"), &test(""));
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "base"]);
    let base = git(&dir, &["rev-parse", "HEAD"]).trim().to_owned();

    write(&dir.join("calc.go"), &format!("{BASE}{MUL}"));
    write(&dir.join("calc_test.go"), &test("\t_ = Mul(2, 3)\n"));
    git(&dir, &["commit", "-qam", "covered Mul"]);
    write(&dir.join("calc.go"), &format!("{BASE}{MUL}{DIV}"));
    write(&dir.join("README.md"), "# calc\n");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "uncovered Div"]);
    let changed = format!("{BASE}{MUL}{DIV}").replace("s := a + b", "s := b + a");
    write(&dir.join("calc.go"), &changed);
    git(&dir, &["commit", "-qam", "a line inside Add"]);

    go(&dir, &["test", "-coverprofile=cover.out", "./..."]);
    (guard, dir, base)
}

#[test]
fn patch_coverage_of_a_git_change() {
    let (_g, dir, base) = patch_repo();
    // Worked out by hand from calc.go at HEAD (line numbers of the final file):
    //   Add  4-7   one block of 2 statements, covered, line 5 changed  -> 2 changed, 2 covered
    //   Sub 10-13  one block of 2 statements, uncovered, unchanged     -> not in the patch
    //   Mul 16-19  one block of 2 statements, covered, all added       -> 2 changed, 2 covered
    //   Div 22-27  blocks 22-23 (1), 23-25 (1), 26-26 (1), uncovered, all added
    //                                                                  -> 3 changed, 0 covered
    // patch: 4 of 7 = 57.1%; total: 4 of 9 = 44.4%. Uncovered changed lines: the changed lines
    // inside Div's blocks, 22 to 26 (27 is the closing brace, in no block).
    let want_tail = "total: 44.4%\npatch: 57.1% (4 of 7 changed statements)\n";
    let out = ok(
        &dir,
        &[
            "check",
            "-i=cover.out",
            "--diff-base",
            &base,
            "--min-patch",
            "57.1",
        ],
    );
    assert!(out.ends_with(want_tail), "{out}");
    assert!(
        out.contains("changed lines not covered:\n  calc.go:22-26\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "changed files without instrumented code, or all of it excluded (not counted):\n  README.md\n  calc_test.go\n"
        ),
        "{out}"
    );

    // Just above the figure: fails, and says so before the last lines.
    let o = intcov(
        &dir,
        &[
            "check",
            "-i=cover.out",
            "--diff-base",
            &base,
            "--min-patch",
            "57.2",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("  patch   57.1% < 57.2%  (4 of 7 statements)\n"),
        "{out}"
    );
    assert!(out.ends_with(want_tail), "{out}");
    // Total and package thresholds are independent of the patch.
    let o = intcov(&dir, &["check", "-i=cover.out", "--min-total", "44.5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).ends_with("total: 44.4%\n"));
    ok(&dir, &["check", "-i=cover.out", "--min-total", "44.4"]);

    // The pull-request Markdown, from check and from report, with the same figures.
    ok(
        &dir,
        &[
            "check",
            "-i=cover.out",
            "--diff-base",
            &base,
            "--markdown=gate.md",
        ],
    );
    let md = ok(
        &dir,
        &[
            "report",
            "--format=markdown",
            "-i=cover.out",
            "-o=-",
            "--diff-base",
            &base,
        ],
    );
    assert_eq!(std::fs::read_to_string(dir.join("gate.md")).unwrap(), md);
    assert!(md.starts_with("### Coverage: 44.4% of statements\n\n**Patch:** 57.1% of changed statements (4 of 7)\n"), "{md}");
    assert!(md.contains("- `calc.go:22-26`\n"), "{md}");

    // The same change as a diff file and on stdin.
    let diff = git(&dir, &["diff", &format!("{base}...HEAD")]);
    write(&dir.join("change.diff"), &diff);
    let out = ok(&dir, &["check", "-i=cover.out", "--diff", "change.diff"]);
    assert!(out.ends_with(want_tail), "{out}");
    assert!(out.contains("  calc.go:22-26\n"), "{out}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_intcov"))
        .current_dir(&dir)
        .args(["check", "-i=cover.out", "--diff", "-", "--min-patch=58"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(diff.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).ends_with(want_tail));

    // Deltas against a baseline: the JSON report of the coverage before Div (4 of 6 = 66.7%).
    let profile = std::fs::read_to_string(dir.join("cover.out")).unwrap();
    let before_div: String = profile
        .lines()
        .filter(|l| l.starts_with("mode:") || start_line(l) < 22)
        .map(|l| format!("{l}\n"))
        .collect();
    write(&dir.join("old.out"), &before_div);
    ok(
        &dir,
        &["report", "--format=json", "-i=old.out", "-o=old.json"],
    );
    let out = ok(&dir, &["check", "-i=cover.out", "--baseline", "old.json"]);
    assert!(
        out.contains(
            "packages against the baseline:\n  example.com/calc  66.7% -> 44.4%  (-22.2)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("files whose coverage dropped:\n  calc.go  66.7% -> 44.4%  (-22.2)\n"),
        "{out}"
    );
    assert!(
        out.ends_with("total against the baseline: 66.7% -> 44.4% (-22.2)\ntotal: 44.4%\n"),
        "{out}"
    );

    // Bad input: one line naming the culprit, exit 1.
    let o = intcov(
        &dir,
        &["check", "-i=cover.out", "--diff-base", "no-such-ref"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("git diff no-such-ref...HEAD"), "{err}");
    write(
        &dir.join("bad.diff"),
        "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n+x\n",
    );
    let o = intcov(&dir, &["check", "-i=cover.out", "--diff", "bad.diff"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("intcov: bad.diff: not a unified diff"),
        "{err}"
    );
}

const CALC: &str = "package ex

func Add(a, b int) int {
\tif a < 0 { //coverage:ignore
\t\tpanic(\"negative\")
\t}
\treturn a + b
}

//coverage:ignore only called by hand
func Debug(a int) int {
\tif a > 1 {
\t\treturn a
\t}
\treturn 0
}
";

const GEN: &str = "// Code generated by hand for this test. DO NOT EDIT.

package ex

func Table(i int) int {
\tif i > 3 {
\t\treturn 3
\t}
\treturn i
}
";

const LEGACY: &str = "package legacy

func Old(a int) int {
\tif a == 0 {
\t\treturn 1
\t}
\treturn a
}
";

/// Statements and covered statements of the text-profile lines `keep` selects.
fn sum(profile: &str, keep: impl Fn(&str) -> bool) -> (u64, u64) {
    let mut t = (0, 0);
    for line in profile.lines().skip(1).filter(|l| keep(l)) {
        let f: Vec<&str> = line.rsplitn(3, ' ').collect();
        let (count, stmts): (u64, u64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        t.0 += stmts;
        t.1 += if count > 0 { stmts } else { 0 };
    }
    t
}

fn start_line(line: &str) -> u32 {
    let span = line.split(':').nth(1).unwrap();
    span.split('.').next().unwrap().parse().unwrap()
}

fn go_pct(covered: u64, stmts: u64) -> String {
    format!("{:.1}%", 100.0 * covered as f64 / stmts as f64)
}

#[test]
fn exclusions_change_every_report_by_exactly_their_statements() {
    let (_g, dir) = tmp();
    write(&dir.join("go.mod"), "module example.com/ex\n\ngo 1.21\n");
    write(&dir.join("calc.go"), CALC);
    write(&dir.join("table.go"), GEN);
    write(
        &dir.join("ex_test.go"),
        "package ex\n\nimport \"testing\"\n\nfunc TestEx(t *testing.T) {\n\t_ = Add(1, 2)\n\t_ = Table(5)\n}\n",
    );
    write(&dir.join("legacy/legacy.go"), LEGACY);
    write(
        &dir.join("legacy/legacy_test.go"),
        "package legacy\n\nimport \"testing\"\n\nfunc TestOld(t *testing.T) { _ = Old(0) }\n",
    );
    let covdir = dir.join("covdata");
    std::fs::create_dir_all(&covdir).unwrap();
    go(
        &dir,
        &[
            "test",
            "-cover",
            "./...",
            "-args",
            &format!("-test.gocoverdir={covdir}"),
        ],
    );
    // A config file with an exclusion: the drop-in commands must not see it.
    write(&dir.join(".intcov.toml"), "exclude = [\"legacy/*.go\"]\n");

    // Drop-ins: byte-identical to go tool covdata, nothing excluded.
    let tc = testkit::go();
    for cmd in [&["percent"][..], &["func"], &["pkglist"]] {
        let sh = xshell::Shell::new().unwrap();
        sh.change_dir(&dir);
        let want = tc
            .cmd(&sh)
            .args(["tool", "covdata"])
            .args(cmd)
            .arg(format!("-i={covdir}"))
            .read()
            .unwrap();
        let mut args = cmd.to_vec();
        let input = format!("-i={covdir}");
        args.push(&input);
        assert_eq!(ok(&dir, &args).trim_end(), want, "{cmd:?}");
    }
    let sh = xshell::Shell::new().unwrap();
    sh.change_dir(&dir);
    tc.cmd(&sh)
        .args(["tool", "covdata", "textfmt"])
        .arg(format!("-i={covdir}"))
        .arg(format!("-o={}", dir.join("go.out")))
        .run()
        .unwrap();
    ok(
        &dir,
        &[
            "textfmt",
            &format!("-i={covdir}"),
            &format!("-o={}", dir.join("ours.out")),
        ],
    );
    let full = std::fs::read_to_string(dir.join("go.out")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("ours.out")).unwrap(), full);

    // What each exclusion holds, counted from Go's own profile.
    let is = |file: &'static str| move |l: &str| l.starts_with(file);
    let gen = sum(&full, is("example.com/ex/table.go:"));
    let legacy = sum(&full, is("example.com/ex/legacy/"));
    let in_calc = |lo: u32, hi: u32| {
        move |l: &str| {
            l.starts_with("example.com/ex/calc.go:") && (lo..=hi).contains(&start_line(l))
        }
    };
    let debug = sum(&full, in_calc(11, 16)); // func Debug, marked in its doc comment
    let panic_block = sum(&full, in_calc(4, 6)); // the `if a < 0 {` block
    let all = sum(&full, |_| true);
    assert_eq!(
        (gen.0, legacy.0, debug.0, panic_block.0),
        (3, 3, 3, 1),
        "{full}"
    );

    // The profile with those units removed by hand.
    let kept: String = full
        .lines()
        .filter(|l| {
            !(is("example.com/ex/table.go:")(l)
                || is("example.com/ex/legacy/")(l)
                || in_calc(11, 16)(l)
                || in_calc(4, 6)(l))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    write(&dir.join("kept.out"), &kept);
    let want = (
        all.0 - gen.0 - legacy.0 - debug.0 - panic_block.0,
        all.1 - gen.1 - legacy.1 - debug.1 - panic_block.1,
    );

    // check, from the coverage directory and from the text profile (.intcov.toml excludes
    // legacy/; a package pattern on the command line does the same).
    for input in [covdir.as_str(), "go.out"] {
        let out = ok(&dir, &["check", &format!("-i={input}")]);
        assert!(
            out.ends_with(&format!("\ntotal: {}\n", go_pct(want.1, want.0))),
            "{out}"
        );
        let excluded = all.0 - want.0;
        assert!(
            out.contains(&format!("excluded: {excluded} statements\n")),
            "{out}"
        );
        assert!(
            out.contains("  table.go (generated, 3 statements)\n"),
            "{out}"
        );
        assert!(
            out.contains("  legacy/legacy.go (--exclude legacy/*.go, 3 statements)\n"),
            "{out}"
        );
        assert!(
            out.contains("  calc.go:4-6 (//coverage:ignore, 1 statement)\n"),
            "{out}"
        );
        assert!(
            out.contains("  calc.go:11-16 (//coverage:ignore, 3 statements)\n"),
            "{out}"
        );
    }
    std::fs::remove_file(dir.join(".intcov.toml")).unwrap();
    let out = ok(
        &dir,
        &["check", "-i=go.out", "--exclude", "example.com/ex/legacy"],
    );
    assert!(
        out.contains("  example.com/ex/legacy (--exclude example.com/ex/legacy, 3 statements)\n"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("\ntotal: {}\n", go_pct(want.1, want.0))),
        "{out}"
    );
    // --no-default-excludes keeps the generated file.
    let out = ok(
        &dir,
        &[
            "check",
            "-i=go.out",
            "--exclude=legacy/*.go",
            "--no-default-excludes",
        ],
    );
    let (s, c) = (want.0 + gen.0, want.1 + gen.1);
    assert!(
        out.ends_with(&format!("\ntotal: {}\n", go_pct(c, s))),
        "{out}"
    );

    // Every report format: the exclusions give exactly the reports of the hand-filtered
    // profile, byte for byte.
    for format in ["lcov", "cobertura", "json", "markdown", "badge", "html"] {
        let filtered = dir.join(format!("filtered.{format}"));
        let expected = dir.join(format!("expected.{format}"));
        ok(
            &dir,
            &[
                "report",
                &format!("--format={format}"),
                "-i=go.out",
                &format!("-o={filtered}"),
                "--exclude=legacy/*.go",
            ],
        );
        ok(
            &dir,
            &[
                "report",
                &format!("--format={format}"),
                "-i=kept.out",
                &format!("-o={expected}"),
            ],
        );
        if format == "html" {
            let mut pages = 0;
            for entry in walk(&expected) {
                let rel = entry.strip_prefix(&expected).unwrap();
                assert_eq!(
                    std::fs::read(filtered.join(rel)).unwrap(),
                    std::fs::read(&entry).unwrap(),
                    "html {rel}"
                );
                pages += 1;
            }
            assert_eq!(walk(&filtered).len(), pages);
        } else {
            let got = std::fs::read_to_string(&filtered).unwrap();
            assert_eq!(got, std::fs::read_to_string(&expected).unwrap(), "{format}");
            if format == "json" {
                let j: serde_json::Value = serde_json::from_str(&got).unwrap();
                assert_eq!(j["totals"]["statements"], want.0);
                assert_eq!(j["totals"]["covered"], want.1);
            }
        }
    }
}

fn walk(dir: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in d.read_dir_utf8().unwrap() {
            let p = e.unwrap().path().to_owned();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn config_file_thresholds_and_flags_win() {
    let (_g, dir) = tmp();
    write(
        &dir.join("cover.out"),
        "mode: set\nexample.com/m/p/a.go:3.14,5.2 2 1\nexample.com/m/p/a.go:5.2,7.3 2 0\nexample.com/m/q/b.go:1.1,2.2 4 1\n",
    );
    write(
        &dir.join(".intcov.toml"),
        "[check]\nmin-total = 70\n[check.min]\n\"example.com/m/p\" = 60\n",
    );
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    // 6 of 8 = 75% passes 70; p (2 of 4) fails its override of 60.
    let o = intcov(&sub, &["check", "-i=../cover.out"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("  package example.com/m/p   50.0% < 60%  (2 of 4 statements)\n"),
        "{out}"
    );
    assert!(out.ends_with("total: 75.0%\n"), "{out}");
    // Flags win: a later --min for the same package.
    ok(
        &sub,
        &["check", "-i=../cover.out", "--min", "example.com/m/p=50"],
    );
    let o = intcov(
        &sub,
        &[
            "check",
            "-i=../cover.out",
            "--min",
            "example.com/m/p=50",
            "--min-total=80",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    // A broken config file is one clear error naming it.
    write(&dir.join(".intcov.toml"), "[check]\nmin-total = \"lots\"\n");
    let o = intcov(&sub, &["check", "-i=../cover.out"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}: ", dir.join(".intcov.toml"))),
        "{err}"
    );
}
