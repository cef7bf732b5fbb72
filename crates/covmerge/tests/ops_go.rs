//! merge, -pcombine, subtract and intersect against `go tool covdata` on the fixtures' data:
//! where Go's tool works our output directory reads back (through Go's own tool) exactly as
//! Go's does; where Go's panics (several programs), ours gives what Go gives one program at a
//! time.

mod ops_support;

use camino::Utf8Path;
use covmerge::ops::{Operation, Selection};
use ops_support::*;
use testkit::CoverMode;

const MERGE: Operation = Operation::Merge { pcombine: false };
const PCOMBINE: Operation = Operation::Merge { pcombine: true };

#[test]
fn merge_and_pcombine_match_go() {
    let go = testkit::go();
    for fixture in testkit::fixture_names() {
        let internal = format!("{}/internal/...", module_path(&fixture));
        for mode in CoverMode::ALL {
            let data = testkit::covdata(&go, &fixture, mode);
            let (_t, root) = tempdir();
            let inputs = split(&data.path, &root, 2);
            let inputs: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
            for op in [MERGE, PCOMBINE] {
                for pkg in [None, Some(internal.as_str())] {
                    let what = format!("{fixture} {mode} {op:?} pkg={pkg:?}");
                    let tag = format!("{}-{}", matches!(op, PCOMBINE), pkg.is_some());
                    let want = root.join(format!("go-{tag}"));
                    let got = root.join(format!("ours-{tag}"));
                    gos(&go, op, pkg, &inputs, &want);
                    ours(op, Selection::from_flags(pkg, None), &inputs, &got);
                    assert_same_output(&go, &what, &want, &got);
                    // And merging loses nothing: the output reads as the inputs do.
                    if pkg.is_none() {
                        assert_text_eq(&what, &textfmt(&go, &[&got]), &textfmt(&go, &inputs));
                    }
                }
            }
        }
    }
}

/// `-pcombine` over programs built with different counter modes: Go's relaxed policy (the mode
/// only rises, each program's counters combine by the mode in force when it is reached).
#[test]
fn pcombine_of_mixed_modes_matches_go() {
    let go = testkit::go();
    let set = testkit::covdata(&go, "clisuite", CoverMode::Set);
    let count = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let atomic = testkit::covdata(&go, "scriptsuite", CoverMode::Atomic);
    let (_t, root) = tempdir();
    for (i, inputs) in [
        vec![&set.path, &count.path],
        vec![&count.path, &set.path],
        vec![&set.path, &atomic.path, &count.path],
    ]
    .into_iter()
    .enumerate()
    {
        let inputs: Vec<&Utf8Path> = inputs.into_iter().map(|p| p.as_path()).collect();
        let want = root.join(format!("go{i}"));
        let got = root.join(format!("ours{i}"));
        gos(&go, PCOMBINE, None, &inputs, &want);
        ours(PCOMBINE, Selection::all(), &inputs, &got);
        assert_same_output(&go, &format!("mixed modes {i}"), &want, &got);
    }
}

/// One program per input set, each later input with one counter file per program: Go's
/// subtract and intersect work there, and ours must agree.
#[test]
fn subtract_and_intersect_of_one_program_match_go() {
    let go = testkit::go();
    let mut compared = 0;
    for fixture in testkit::fixture_names() {
        let data = testkit::covdata(&go, &fixture, CoverMode::Count);
        let (_t, root) = tempdir();
        let inputs = split(&data.path, &root, 3);
        for (name, _) in metas(&data.path) {
            let hash = hash_of(&name);
            let a = root.join(format!("{hash}-a"));
            let b = root.join(format!("{hash}-b"));
            let c = root.join(format!("{hash}-c"));
            program(&inputs[0], &a, hash, usize::MAX);
            program(&inputs[1], &b, hash, 1);
            program(&inputs[2], &c, hash, 1);
            // Where a later input has no counter file for the program, Go's intersect (and
            // ours, following it) leaves out that input.
            let cases = vec![
                (Operation::Subtract, vec![a.as_path(), b.as_path()]),
                (Operation::Intersect, vec![a.as_path()]),
                (Operation::Intersect, vec![a.as_path(), b.as_path()]),
                (
                    Operation::Intersect,
                    vec![a.as_path(), b.as_path(), c.as_path()],
                ),
            ];
            for (op, dirs) in cases {
                let what = format!("{fixture} {hash} {op:?} over {}", dirs.len());
                let want = root.join(format!("go-{hash}-{op:?}-{}", dirs.len()));
                let got = root.join(format!("ours-{hash}-{op:?}-{}", dirs.len()));
                gos(&go, op, None, &dirs, &want);
                ours(op, Selection::all(), &dirs, &got);
                assert_same_output(&go, &what, &want, &got);
                compared += 1;
            }
            let pkg = format!("{}/internal/...", module_path(&fixture));
            let want = root.join(format!("go-{hash}-pkg"));
            let got = root.join(format!("ours-{hash}-pkg"));
            gos(&go, Operation::Subtract, Some(&pkg), &[&a, &b], &want);
            ours(
                Operation::Subtract,
                Selection::from_flags(Some(&pkg), None),
                &[&a, &b],
                &got,
            );
            assert_same_output(&go, &format!("{fixture} {hash} subtract -pkg"), &want, &got);
        }
    }
    assert!(compared >= 10, "only {compared} comparisons");
}

fn assert_go_panics(go: &testkit::GoToolchain, op: &str, inputs: &[&Utf8Path], out: &Utf8Path) {
    std::fs::create_dir_all(out).unwrap();
    let res = covdata(
        go,
        &[op, &format!("-i={}", join(inputs)), &format!("-o={out}")],
    );
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        !res.status.success() && stderr.contains("decreasing dir index, internal error"),
        "{} {op} was expected to panic on several programs; status {:?}, stderr:\n{stderr}",
        go.version,
        res.status
    );
}

/// Several programs, several counter files per program in every input: Go 1.26 and 1.27 panic
/// ("decreasing dir index"); ours succeeds and gives, program by program, what Go gives for
/// that program alone once each later input's counter files are merged into one by Go (the
/// documented semantics: an input covers a unit when any of its runs did; an input with no
/// data for a program covers none of it, and Go's merge of such an input writes an empty
/// counter file, which Go's intersect then honours). Where Go's intersect does not panic
/// (some program missing from some input), ours is Go's own output.
#[test]
fn subtract_and_intersect_of_many_programs_work_where_go_panics() {
    let go = testkit::go();
    let go127 = testkit::go_release("1.27.3");
    let mut panics_checked = 0;
    let mut go_works_checked = 0;
    for fixture in testkit::fixture_names() {
        let data = testkit::covdata(&go, &fixture, CoverMode::Count);
        let programs: Vec<String> = metas(&data.path).into_keys().collect();
        if programs.len() < 2 {
            continue;
        }
        let (_t, root) = tempdir();
        let inputs = split(&data.path, &root, 3);
        let dirs: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
        // With every program in every input Go's walk must go back to input 0 for the
        // second program: the panic is certain.
        let everywhere = programs
            .iter()
            .all(|name| dirs.iter().all(|d| counter_files_of(d, hash_of(name)) > 0));
        panics_checked += usize::from(everywhere);
        for op in [Operation::Subtract, Operation::Intersect] {
            let verb = if op == Operation::Subtract {
                "subtract"
            } else {
                "intersect"
            };
            let set: &[&Utf8Path] = if op == Operation::Subtract {
                &dirs[..2]
            } else {
                &dirs
            };
            if everywhere {
                assert_go_panics(&go, verb, set, &root.join(format!("panic-{verb}")));
                assert_go_panics(&go127, verb, set, &root.join(format!("panic127-{verb}")));
            }

            let got = root.join(format!("ours-{verb}"));
            ours(op, Selection::all(), set, &got);

            // Where Go's intersect works (not every program in every input), ours is Go's.
            if op == Operation::Intersect && !everywhere {
                let want = root.join(format!("go-{verb}"));
                std::fs::create_dir_all(&want).unwrap();
                let res = covdata(
                    &go,
                    &[verb, &format!("-i={}", join(set)), &format!("-o={want}")],
                );
                if res.status.success() {
                    assert_same_output(&go, &format!("{fixture} {verb}"), &want, &got);
                    go_works_checked += 1;
                    continue;
                }
            }

            // The oracle: Go, one program at a time, later inputs merged to one counter file.
            let oracle = root.join(format!("oracle-{verb}"));
            std::fs::create_dir_all(&oracle).unwrap();
            for name in &programs {
                let hash = hash_of(name);
                let mut per: Vec<camino::Utf8PathBuf> = Vec::new();
                for (i, d) in set.iter().enumerate() {
                    let only = root.join(format!("{verb}-{hash}-{i}"));
                    program(d, &only, hash, usize::MAX);
                    if i == 0 {
                        per.push(only);
                    } else {
                        let merged = root.join(format!("{verb}-{hash}-{i}-merged"));
                        gos(&go, MERGE, None, &[&only], &merged);
                        per.push(merged);
                    }
                }
                let per: Vec<&Utf8Path> = per.iter().map(|p| p.as_path()).collect();
                let out = root.join(format!("{verb}-{hash}-go"));
                gos(&go, op, None, &per, &out);
                for (n, bytes) in files(&out) {
                    std::fs::write(oracle.join(n), bytes).unwrap();
                }
            }
            assert_text_eq(
                &format!("{fixture} {verb}: ours vs Go per program"),
                &textfmt(&go, &[&got]),
                &textfmt(&go, &[&oracle]),
            );
            assert_eq!(names(&got), names(&oracle), "{fixture} {verb}: file names");
            assert_text_eq(
                &format!("{fixture} {verb}: debugdump"),
                &debugdump(&go, &got),
                &debugdump(&go, &oracle),
            );
        }
    }
    assert!(
        panics_checked > 0,
        "no fixture has every program in every input"
    );
    assert!(
        go_works_checked > 0,
        "no fixture where Go's intersect of several programs works"
    );
}

/// `intersect -i=A,B` where A and B hold different programs (as Go's own cmd/covdata suite
/// does with `covdata0,newcovdata0`): Go works there and keeps the first program's counters
/// whole, the second's none at all; ours must read back as Go's does, `percent` included.
/// Swapped, Go panics and ours keeps its own rule (nothing is covered by every input).
#[test]
fn intersect_of_two_different_programs_matches_go() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let programs: Vec<String> = metas(&data.path).into_keys().collect();
    assert!(
        programs.len() >= 2,
        "clisuite has {} programs",
        programs.len()
    );
    let (_t, root) = tempdir();
    // Named so that Go visits A's program first, as it does covdata0's before newcovdata0's.
    let a = root.join("a");
    let b = root.join("b");
    program(&data.path, &a, hash_of(&programs[0]), usize::MAX);
    program(&data.path, &b, hash_of(&programs[1]), usize::MAX);
    let want = root.join("go");
    let got = root.join("ours");
    gos(&go, Operation::Intersect, None, &[&a, &b], &want);
    ours(Operation::Intersect, Selection::all(), &[&a, &b], &got);
    assert_same_output(&go, "intersect of two programs", &want, &got);
    let percent = |dir: &Utf8Path| covdata_ok(&go, &["percent", &format!("-i={dir}")]);
    assert_text_eq("percent", &percent(&got), &percent(&want));
    // The first program keeps some coverage (the test would show nothing otherwise).
    assert!(
        textfmt(&go, &[&got])
            .lines()
            .skip(1)
            .any(|l| !l.ends_with(" 0")),
        "nothing covered in the intersection"
    );

    assert_go_panics(&go, "intersect", &[&b, &a], &root.join("panic"));
    let swapped = root.join("ours-swapped");
    ours(Operation::Intersect, Selection::all(), &[&b, &a], &swapped);
    assert!(
        textfmt(&go, &[&swapped])
            .lines()
            .skip(1)
            .all(|l| l.ends_with(" 0")),
        "swapped: a unit covered though no program is in both inputs"
    );
}

/// Go's intersect compares each counter file of a later input on its own, so a unit one run of
/// that input covered and another did not is dropped; ours treats the input as a whole.
#[test]
fn intersect_treats_each_input_as_a_whole() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (_t, root) = tempdir();
    let inputs = split(&data.path, &root, 2);
    let mut go_differs = 0;
    for (name, _) in metas(&data.path) {
        let hash = hash_of(&name);
        let a = root.join(format!("{hash}-a"));
        let b = root.join(format!("{hash}-b"));
        let b1 = root.join(format!("{hash}-b1"));
        program(&inputs[0], &a, hash, usize::MAX);
        program(&inputs[1], &b, hash, usize::MAX);
        gos(&go, MERGE, None, &[&b], &b1);
        let got = root.join(format!("{hash}-ours"));
        let want = root.join(format!("{hash}-go"));
        ours(Operation::Intersect, Selection::all(), &[&a, &b], &got);
        gos(&go, Operation::Intersect, None, &[&a, &b1], &want);
        assert_text_eq(hash, &textfmt(&go, &[&got]), &textfmt(&go, &[&want]));
        let raw = root.join(format!("{hash}-go-raw"));
        gos(&go, Operation::Intersect, None, &[&a, &b], &raw);
        go_differs += usize::from(textfmt(&go, &[&raw]) != textfmt(&go, &[&got]));
    }
    // The point of the test: on this data Go's file-by-file intersection loses coverage.
    assert!(
        go_differs > 0,
        "Go's intersect agreed everywhere; the test shows nothing"
    );
}

/// Go 1.21 to 1.23 name the files they rewrite with MD5: with `HashAlgo::Md5` our `-pcombine`
/// and `-pkg` output is the same as Go 1.21's, names and bytes.
#[test]
fn md5_output_matches_go121() {
    let go = testkit::go_release("1.21.13");
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (_t, root) = tempdir();
    let inputs = split(&data.path, &root, 2);
    let inputs: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
    let pkg = "example.com/clisuite/internal/...";
    for (i, (op, pkg)) in [(PCOMBINE, None), (MERGE, Some(pkg)), (PCOMBINE, Some(pkg))]
        .into_iter()
        .enumerate()
    {
        let want = root.join(format!("go{i}"));
        let got = root.join(format!("ours{i}"));
        gos(&go, op, pkg, &inputs, &want);
        let mut o = covmerge::ops::Options::new(op);
        o.selection = Selection::from_flags(pkg, None);
        o.hash = covdata::encode::HashAlgo::Md5;
        covmerge::ops::run(&inputs, &got, &o).unwrap();
        assert_same_output(&go, &format!("go1.21 {op:?} {pkg:?}"), &want, &got);
    }
}

/// `-modpaths` (documented by Go's `covdata merge` but not implemented there) keeps the
/// packages of the listed modules: for a fixture whose packages all live in its module, the
/// same as Go's `-pkg=<module>/...`; for another module, no package at all.
#[test]
fn modpaths_selects_by_module() {
    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", CoverMode::Count);
    let (_t, root) = tempdir();
    let inputs = split(&data.path, &root, 2);
    let inputs: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
    let module = module_path("clisuite");
    let pattern = format!("{module}/...");
    for op in [MERGE, PCOMBINE] {
        let want = root.join(format!("go-{op:?}"));
        let got = root.join(format!("ours-{op:?}"));
        gos(&go, op, Some(&pattern), &inputs, &want);
        ours(
            op,
            Selection::from_flags(None, Some(&module)),
            &inputs,
            &got,
        );
        assert_same_output(&go, &format!("{op:?} -modpaths"), &want, &got);

        let none = root.join(format!("none-{op:?}"));
        ours(
            op,
            Selection::from_flags(None, Some("example.org/other")),
            &inputs,
            &none,
        );
        for (name, bytes) in metas(&none) {
            let meta = covdata::MetaFile::parse(&bytes).unwrap();
            assert_eq!(meta.num_packages(), 0, "{name}");
        }
    }
}
