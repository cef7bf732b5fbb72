//! Truncated or corrupted coverage files give an error naming the file (and, for a decoding
//! error, the offset), never a panic: every truncation length and many byte flips of a real
//! meta-data file and a real counter-data file.

use std::panic::{catch_unwind, AssertUnwindSafe};

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::{read_profile, Error, ModePolicy, ReadOptions};
use testkit::{covdata, fixture_names, go, CoverMode};

/// A directory holding one program's meta-data file and one of its counter files.
struct OnePod {
    _dir: tempfile::TempDir,
    path: Utf8PathBuf,
    meta: Utf8PathBuf,
    counters: Utf8PathBuf,
}

fn one_pod() -> OnePod {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Count);
    let pods = covdata_pods(&data.path);
    let pod = pods
        .iter()
        .find(|p| !p.counter_files.is_empty())
        .expect("a pod with counters");
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
    let meta = path.join(pod.meta_file.file_name().unwrap());
    let counters = path.join(pod.counter_files[0].path.file_name().unwrap());
    std::fs::copy(&pod.meta_file, &meta).unwrap();
    std::fs::copy(&pod.counter_files[0].path, &counters).unwrap();
    OnePod {
        _dir: dir,
        path,
        meta,
        counters,
    }
}

fn covdata_pods(dir: &Utf8Path) -> Vec<covmerge::covdata::Pod> {
    covmerge::covdata::collect_pods(&[dir]).unwrap()
}

/// Read the directory and render every output; Ok(()) or the error, never a panic.
fn read_all(dir: &Utf8Path) -> Result<(), Error> {
    let opts = ReadOptions {
        mode_policy: ModePolicy::Strict,
        ..ReadOptions::default()
    };
    let profile = read_profile(&[dir], &opts, &mut |_| {})?;
    if let Some(p) = profile {
        let mut sink = Vec::new();
        profile::gofmt::emit_textual(&p, &mut sink).unwrap();
        profile::gofmt::emit_percent(&p, &mut sink).unwrap();
        profile::gofmt::emit_funcs(&p, &mut sink).unwrap();
        profile::gofmt::emit_pkglist(&p, &mut sink).unwrap();
    }
    Ok(())
}

fn check_error(err: &Error, file: &Utf8Path, len: usize, what: &str) {
    let msg = err.to_string();
    let name = file.file_name().unwrap();
    assert!(
        msg.contains(name),
        "{what}: error does not name {name}: {msg}"
    );
    match err {
        Error::Data(e) => {
            assert_eq!(e.path(), file, "{what}: {msg}");
            let fe = e
                .format_error()
                .unwrap_or_else(|| panic!("{what}: not a decoding error: {msg}"));
            assert!(
                fe.offset <= len as u64,
                "{what}: offset past the end: {msg}"
            );
            assert!(
                msg.contains(&format!("offset {}", fe.offset)),
                "{what}: {msg}"
            );
        }
        // Semantic checks across records name the files involved.
        Error::TooFewCounters { .. } | Error::CounterCountClash { .. } => {}
        other => panic!("{what}: unexpected error kind: {other}"),
    }
}

fn mutate(file: &Utf8Path, dir: &Utf8Path, original: &[u8], variants: Vec<(String, Vec<u8>)>) {
    let mut errors = 0;
    for (what, bytes) in &variants {
        std::fs::write(file, bytes).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| read_all(dir)))
            .unwrap_or_else(|_| panic!("{what} of {file}: panicked"));
        if let Err(e) = result {
            errors += 1;
            check_error(&e, file, bytes.len(), &format!("{what} of {file}"));
        }
    }
    std::fs::write(file, original).unwrap();
    read_all(dir).expect("the restored file reads again");
    assert!(errors > 0, "{file}: no variant was rejected");
}

fn flips(original: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for at in 0..original.len() {
        for mask in [0xffu8, 0x01, 0x80, 0x40] {
            let mut b = original.to_vec();
            b[at] ^= mask;
            v.push((format!("byte {at} xor {mask:#04x}"), b));
        }
    }
    v
}

#[test]
fn every_truncation_is_an_error_naming_file_and_offset() {
    let pod = one_pod();
    read_all(&pod.path).expect("the intact pod reads");
    for file in [&pod.meta, &pod.counters] {
        let original = std::fs::read(file).unwrap();
        // Every cut must fail, not just some.
        for cut in 0..original.len() {
            std::fs::write(file, &original[..cut]).unwrap();
            let result = catch_unwind(AssertUnwindSafe(|| read_all(&pod.path)))
                .unwrap_or_else(|_| panic!("{file} cut to {cut} bytes: panicked"));
            let err = result
                .err()
                .unwrap_or_else(|| panic!("{file} cut to {cut} bytes was accepted"));
            check_error(&err, file, cut, &format!("{file} cut to {cut}"));
        }
        std::fs::write(file, &original).unwrap();
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let pod = one_pod();
    for file in [&pod.meta, &pod.counters] {
        let original = std::fs::read(file).unwrap();
        mutate(file, &pod.path, &original, flips(&original));
    }
}

#[test]
fn garbage_files_with_coverage_names_are_errors() {
    let pod = one_pod();
    for (file, bytes) in [
        (&pod.meta, b"not a coverage file".to_vec()),
        (&pod.counters, vec![0u8; 64]),
        (&pod.counters, Vec::new()),
        (&pod.meta, vec![0xff; 4096]),
    ] {
        let original = std::fs::read(file).unwrap();
        std::fs::write(file, &bytes).unwrap();
        let err = read_all(&pod.path).expect_err("garbage accepted");
        check_error(&err, file, bytes.len(), "garbage");
        std::fs::write(file, &original).unwrap();
    }
}

/// Counter files are read in parallel; errors still come out as a sequential read gives them:
/// the first bad file in Go's order is the one named.
#[test]
fn the_first_bad_file_in_order_is_reported() {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Count);
    let pods = covdata_pods(&data.path);
    let pod = pods
        .iter()
        .max_by_key(|p| p.counter_files.len())
        .expect("a pod");
    let n = pod.counter_files.len();
    assert!(n >= 3, "need several counter files, have {n}");
    let (first_bad, second_bad) = (
        &pod.counter_files[n / 2].path,
        &pod.counter_files[n - 1].path,
    );
    for f in [first_bad, second_bad] {
        let b = std::fs::read(f).unwrap();
        std::fs::write(f, &b[..b.len() - 3]).unwrap();
    }
    for _ in 0..5 {
        let err = read_all(&data.path).expect_err("corrupt files accepted");
        match &err {
            Error::Data(e) => assert_eq!(e.path(), first_bad, "{err}"),
            other => panic!("{other}"),
        }
    }
}
