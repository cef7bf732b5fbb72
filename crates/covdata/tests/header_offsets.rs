//! Every checked field of a meta-data file's header and of a package's header, damaged in a
//! real file: the error names the field at the offset where the damage actually is (the first
//! byte that differs from the original), not an offset computed by hand.

mod hostile_cases;

use covdata::format::{meta_header, package_header};
use covdata::{FormatError, MetaFile};

/// The first byte where `damaged` differs from `original`.
fn real_position(original: &[u8], damaged: &[u8]) -> u64 {
    original
        .iter()
        .zip(damaged)
        .position(|(a, b)| a != b)
        .expect("the damage changes a byte") as u64
}

fn put_u32(b: &mut [u8], at: u64, v: u32) {
    b[at as usize..at as usize + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(b: &mut [u8], at: u64, v: u64) {
    b[at as usize..at as usize + 8].copy_from_slice(&v.to_le_bytes());
}

/// Parse `damaged` (whole file, then its first package, then that package's functions).
fn first_error(damaged: &[u8]) -> FormatError {
    let read = || -> Result<(), FormatError> {
        let meta = MetaFile::parse(damaged)?;
        let pkg = meta.package(0)?;
        for f in 0..pkg.num_funcs() {
            pkg.func(f)?;
        }
        Ok(())
    };
    read().expect_err("the damage is detected")
}

fn check(what: &str, field: &str, original: &[u8], damaged: &[u8], named: u64) {
    let e = first_error(damaged);
    let real = real_position(original, damaged);
    assert_eq!(e.field, field, "{what}: {e}");
    assert_eq!(e.offset, real, "{what}: {e} (the field is at {real})");
    assert_eq!(named, real, "{what}: the named offset");
}

#[test]
fn meta_file_header_fields_are_reported_where_they_are() {
    let s = hostile_cases::sample();
    let m = &s.meta;
    let mut cases: Vec<(&str, &str, Vec<u8>, u64)> = Vec::new();
    let mut b = m.clone();
    b[0] ^= 0xff;
    cases.push(("bad magic", "magic", b, meta_header::MAGIC));
    let mut b = m.clone();
    put_u32(&mut b, meta_header::VERSION, 99);
    cases.push(("future version", "version", b, meta_header::VERSION));
    let mut b = m.clone();
    put_u64(&mut b, meta_header::TOTAL_LENGTH, m.len() as u64 + 1);
    cases.push(("wrong length", "total length", b, meta_header::TOTAL_LENGTH));
    let mut b = m.clone();
    put_u64(&mut b, meta_header::PACKAGE_COUNT, u64::MAX / 2);
    cases.push((
        "huge package count",
        "package count",
        b,
        meta_header::PACKAGE_COUNT,
    ));
    let mut b = m.clone();
    put_u32(&mut b, meta_header::STRING_TABLE_LENGTH, u32::MAX);
    let f = meta_header::STRING_TABLE_LENGTH;
    cases.push(("huge string table", "string table length", b, f));
    let mut b = m.clone();
    b[meta_header::COUNTER_MODE as usize] = 99;
    cases.push(("bad mode", "counter mode", b, meta_header::COUNTER_MODE));
    let mut b = m.clone();
    b[meta_header::COUNTER_GRANULARITY as usize] = 99;
    let f = meta_header::COUNTER_GRANULARITY;
    cases.push(("bad granularity", "counter granularity", b, f));
    for (what, field, damaged, named) in cases {
        check(what, field, m, &damaged, named);
    }
}

#[test]
fn asking_past_the_package_count_names_the_count() {
    let s = hostile_cases::sample();
    let meta = MetaFile::parse(&s.meta).unwrap();
    let e = meta.package_bytes(meta.num_packages()).unwrap_err();
    let mut b = s.meta.clone();
    put_u64(&mut b, meta_header::PACKAGE_COUNT, 0);
    assert_eq!(e.field, "package count");
    assert_eq!(e.offset, real_position(&s.meta, &b), "{e}");
}

#[test]
fn package_header_fields_are_reported_where_they_are() {
    let s = hostile_cases::sample();
    let m = &s.meta;
    let base = u64::from_le_bytes(m[56..64].try_into().unwrap());
    let mut cases: Vec<(&str, &str, Vec<u8>, u64)> = Vec::new();
    let at = |f: u64| base + f;
    let mut b = m.clone();
    put_u32(&mut b, at(package_header::LENGTH), 1);
    cases.push((
        "wrong blob length",
        "package blob length",
        b,
        package_header::LENGTH,
    ));
    for (field, name) in [
        (package_header::NAME, "package name index"),
        (package_header::PATH, "package path index"),
        (package_header::MODULE_PATH, "module path index"),
    ] {
        let mut b = m.clone();
        put_u32(&mut b, at(field), 1 << 30);
        cases.push(("string index past the table", name, b, field));
    }
    let mut b = m.clone();
    put_u32(&mut b, at(package_header::FUNCTION_COUNT), u32::MAX);
    let f = package_header::FUNCTION_COUNT;
    cases.push(("huge function count", "function count", b, f));
    for (what, field, damaged, named) in cases {
        check(what, field, m, &damaged, base + named);
    }
    // A function past the count names the count.
    let meta = MetaFile::parse(m).unwrap();
    let pkg = meta.package(0).unwrap();
    let e = pkg.func(pkg.num_funcs()).unwrap_err();
    assert_eq!(e.field, "function count");
    assert_eq!(e.offset, base + package_header::FUNCTION_COUNT, "{e}");
}
