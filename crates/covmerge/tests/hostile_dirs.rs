//! Hostile directories: files missing, misfiled, duplicated or damaged among good ones.
//!
//! - Strict reading (and merging) fails on the first bad file, naming it.
//! - `skip_bad` leaves the bad files out, each with a `Warning::Skipped` naming it, and the
//!   result is exactly the strict result over the directory without them: nothing else is lost.
//!   The merged output of a `skip_bad` merge reads the same again (lossless).
//! - Counter files without their meta-data file, and different meta-data files of one name,
//!   are warned about (Go says nothing).

#[path = "../../covdata/tests/hostile_cases/mod.rs"]
mod hostile_cases;

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::ops::{self, Operation, Options};
use covmerge::{read_profile, Error, ModePolicy, ReadOptions, Warning};
use hostile_cases::{cases, sample, tempdir, Kind, Sample};
use proptest::prelude::*;

fn write_dir(dir: &Utf8Path, files: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn options(skip_bad: bool) -> ReadOptions {
    ReadOptions {
        mode_policy: ModePolicy::Strict,
        skip_bad,
        ..ReadOptions::default()
    }
}

/// textfmt of `dirs` (`None`: no data), and the warnings.
fn read(dirs: &[&Utf8Path], skip_bad: bool) -> Result<(Option<String>, Vec<Warning>), Error> {
    let mut warnings = Vec::new();
    let p = read_profile(dirs, &options(skip_bad), &mut |w| warnings.push(w))?;
    Ok((p.map(|p| profile::text::to_string(&p)), warnings))
}

fn skipped(warnings: &[Warning]) -> Vec<Utf8PathBuf> {
    warnings
        .iter()
        .filter_map(|w| match w {
            Warning::Skipped { file, .. } => Some(file.clone()),
            _ => None,
        })
        .collect()
}

/// The sample's directory with `name` replaced by `bytes`: strict reading fails naming the
/// file or reads; skip-bad reading leaves out at most that file (or its program) and gives
/// what strict reading of the directory without it gives; a skip-bad merge keeps all of it.
fn check_damage(s: &Sample, name: &str, bytes: &[u8], what: &str) {
    let (_t, root) = tempdir();
    let dir = root.join("in");
    let mut files = s.dir_files.clone();
    for f in files.iter_mut().filter(|(n, _)| n == name) {
        f.1 = bytes.to_vec();
    }
    write_dir(&dir, &files);
    let damaged = dir.join(name);

    let strict = read(&[&dir], false);
    if let Err(e) = &strict {
        let msg = e.to_string();
        assert!(
            msg.contains(name),
            "{what}: strict error does not name {name}: {msg}"
        );
    }
    let (got, warnings) =
        read(&[&dir], true).unwrap_or_else(|e| panic!("{what}: skip-bad read failed: {e}"));
    let left_out = skipped(&warnings);
    assert!(
        left_out.iter().all(|f| *f == damaged),
        "{what}: skipped {left_out:?}"
    );
    assert_eq!(
        strict.is_err(),
        !left_out.is_empty(),
        "{what}: strict {:?} but skipped {left_out:?}",
        strict.as_ref().err().map(ToString::to_string)
    );
    if let Ok((want, _)) = &strict {
        assert_eq!(&got, want, "{what}: skip-bad read differs from strict");
    }
    // What skip-bad read must equal the strict read of the directory without the bad file
    // (for a meta-data file: without its program).
    let clean = root.join("clean");
    // (A meta-data file's counter files stay: alone they are left out as orphans; beside a
    // good copy of it in another input, they are read with that one.)
    let kept: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(n, _)| left_out.is_empty() || n != name)
        .cloned()
        .collect();
    write_dir(&clean, &kept);
    let (want, _) = read(&[&clean], false).unwrap();
    assert_eq!(
        got, want,
        "{what}: skip-bad read lost more than the bad file"
    );

    // Merging loses nothing either.
    let out = root.join("merged");
    let mut o = Options::new(Operation::Merge { pcombine: false });
    o.skip_bad = true;
    let outcome = ops::run(&[&dir], &out, &o).unwrap_or_else(|e| panic!("{what}: merge: {e}"));
    assert_eq!(
        skipped(&outcome.warnings),
        left_out,
        "{what}: merge skipped"
    );
    let (merged, _) = read(&[&out], false).unwrap();
    assert_eq!(merged, want, "{what}: the skip-bad merge lost data");

    // The other operations, with a second (clean) input: as strict over the clean inputs.
    let other = root.join("other");
    write_dir(&other, &s.dir_files);
    let (two, warnings) = read(&[&dir, &other], true).unwrap();
    assert_eq!(skipped(&warnings), left_out, "{what}: with a second input");
    assert_eq!(
        two,
        read(&[&clean, &other], false).unwrap().0,
        "{what}: with a second input, skip-bad differs from strict without the bad file"
    );
    for op in [
        Operation::Merge { pcombine: true },
        Operation::Subtract,
        Operation::Intersect,
    ] {
        let (got_dir, want_dir) = (
            root.join(format!("{op:?}-got")),
            root.join(format!("{op:?}-want")),
        );
        let mut o = Options::new(op);
        o.skip_bad = true;
        let outcome = ops::run(&[&dir, &other], &got_dir, &o)
            .unwrap_or_else(|e| panic!("{what}: {op:?}: {e}"));
        assert_eq!(
            skipped(&outcome.warnings),
            left_out,
            "{what}: {op:?} skipped"
        );
        ops::run(&[&clean, &other], &want_dir, &Options::new(op))
            .unwrap_or_else(|e| panic!("{what}: {op:?} over the clean inputs: {e}"));
        assert_eq!(
            read(&[&got_dir], false).unwrap().0,
            read(&[&want_dir], false).unwrap().0,
            "{what}: {op:?} with skip-bad differs from strict without the bad file"
        );
    }
}

#[test]
fn named_damage_skip_bad_loses_only_the_bad_file() {
    let s = sample();
    for case in cases(&s) {
        let name = match case.kind {
            Kind::Meta => &s.meta_name,
            Kind::Counters => &s.counter_name,
        };
        check_damage(&s, name, &case.bytes, &case.name);
    }
}

#[derive(Debug, Clone)]
enum Damage {
    Truncate(prop::sample::Index),
    Flip(prop::sample::Index, u8),
    Empty,
    Append(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Damage::Truncate),
        (any::<prop::sample::Index>(), 1u8..).prop_map(|(i, m)| Damage::Flip(i, m)),
        Just(Damage::Empty),
        prop::collection::vec(any::<u8>(), 1..40).prop_map(Damage::Append),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any file of a real directory damaged in any of these ways.
    #[test]
    fn random_damage_skip_bad_loses_only_the_bad_file(
        pick in any::<prop::sample::Index>(),
        how in damage(),
    ) {
        let s = sample();
        let (name, original) = pick.get(&s.dir_files).clone();
        let bytes = match &how {
            Damage::Truncate(i) => original[..i.index(original.len())].to_vec(),
            Damage::Flip(i, m) => {
                let mut b = original.clone();
                let at = i.index(b.len());
                b[at] ^= m;
                b
            }
            Damage::Empty => Vec::new(),
            Damage::Append(tail) => [original.as_slice(), tail].concat(),
        };
        check_damage(&s, &name, &bytes, &format!("{name} {how:?}"));
    }
}

/// A counter file whose meta-data file is gone: left out, as Go does, but with a warning.
#[test]
fn counters_without_meta_data_are_warned_about() {
    let s = sample();
    let (_t, root) = tempdir();
    let dir = root.join("in");
    let files: Vec<(String, Vec<u8>)> = s
        .dir_files
        .iter()
        .filter(|(n, _)| *n != s.meta_name)
        .cloned()
        .collect();
    write_dir(&dir, &files);
    let (_, warnings) = read(&[&dir], false).unwrap();
    let tag = s.meta_name.strip_prefix("covmeta.").unwrap();
    let orphans: Vec<&Warning> = warnings
        .iter()
        .filter(|w| matches!(w, Warning::OrphanCounterFile { .. }))
        .collect();
    let want = files.iter().filter(|(n, _)| n.contains(tag)).count();
    assert_eq!(orphans.len(), want, "{warnings:?}");
    for w in orphans {
        let msg = w.to_string();
        assert!(
            msg.contains(&s.meta_name) && msg.contains("covcounters."),
            "{msg}"
        );
    }
}

/// Two directories hold a meta-data file of one name: copies say nothing; different files
/// are warned about, the first is read, and counter files of the other program are refused
/// (strict) or skipped.
#[test]
fn two_meta_data_files_claiming_one_hash() {
    let s = sample();
    let (_t, root) = tempdir();
    let (a, b) = (root.join("a"), root.join("b"));
    write_dir(&a, &s.dir_files);
    write_dir(&b, &s.dir_files);
    let (_, warnings) = read(&[&a, &b], false).unwrap();
    assert!(
        !warnings
            .iter()
            .any(|w| matches!(w, Warning::ShadowedMetaFile { .. })),
        "{warnings:?}"
    );

    // In b, another program's files renamed to this program's hash.
    let tag = s.meta_name.strip_prefix("covmeta.").unwrap();
    let (other_meta, _) = s
        .dir_files
        .iter()
        .find(|(n, _)| n.starts_with("covmeta.") && *n != s.meta_name)
        .unwrap();
    let other = other_meta.strip_prefix("covmeta.").unwrap();
    for e in b.read_dir_utf8().unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for (n, bytes) in &s.dir_files {
        if n.contains(other) {
            std::fs::write(b.join(n.replace(other, tag)), bytes).unwrap();
        }
    }
    let err = read(&[&a, &b], false).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(b.as_str()) && msg.contains("offset 8 (meta-data hash)"),
        "{msg}"
    );
    let (got, warnings) = read(&[&a, &b], true).unwrap();
    assert!(
        warnings.iter().any(|w| matches!(w,
            Warning::ShadowedMetaFile { used, shadowed }
                if used.starts_with(&a) && shadowed.starts_with(&b))),
        "{warnings:?}"
    );
    let left_out = skipped(&warnings);
    assert!(!left_out.is_empty() && left_out.iter().all(|f| f.starts_with(&b)));
    assert_eq!(got, read(&[&a], false).unwrap().0);
}

/// A counter file moved into another program's pod, and a meta-data file whose hash was
/// damaged: each is blamed for what it is.
#[test]
fn misfiled_counters_and_damaged_hashes_are_named() {
    let s = sample();
    let (_t, root) = tempdir();
    let dir = root.join("in");
    write_dir(&dir, &s.dir_files);
    let tag = s.meta_name.strip_prefix("covmeta.").unwrap();
    let (stranger, bytes) = s
        .dir_files
        .iter()
        .find(|(n, _)| n.starts_with("covcounters.") && !n.contains(tag))
        .unwrap();
    let misfiled = dir.join(format!("covcounters.{tag}.1.1"));
    std::fs::write(&misfiled, bytes).unwrap();
    let msg = read(&[&dir], false).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("{misfiled}: offset 8 (meta-data hash)")),
        "{stranger}: {msg}"
    );
    std::fs::remove_file(&misfiled).unwrap();

    let meta = dir.join(&s.meta_name);
    let mut m = s.meta.clone();
    m[30] ^= 1;
    std::fs::write(&meta, &m).unwrap();
    let msg = read(&[&dir], false).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("{meta}: offset 24 (meta-data hash)")),
        "{msg}"
    );
}
