//! Hostile files through the decoders: every named damage of `hostile_cases` gives its error
//! (file offset and field), every truncation and many byte flips of real files give an error
//! pointing inside the file or decode, nothing panics, and the work is bounded by the file: the
//! decoding loops take at most one step per byte, and the allocations (an allocator here counts
//! them and records the largest request) are few and no bigger than a small multiple of the
//! file. No test here reads a clock: a bound on steps and allocations holds on a busy machine
//! and in a debug build alike.
//!
//! What Go's own tool does with the same files is in `crates/covdata/HOSTILE.md`
//! (`crates/intcov/tests/hostile_go.rs` checks that table).

mod hostile_cases;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use covdata::encode::CounterFileWriter;
use covdata::{CounterFile, CounterFlavor, FormatError, FuncDesc, MetaFile};
use hostile_cases::{cases, sample, Kind, Want};

/// The system allocator, recording the number of requests and the largest one of the current
/// thread.
struct Tracking;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    /// Loop steps of `read_meta` / `read_counters` (packages, functions, segments, records).
    static STEPS: Cell<usize> = const { Cell::new(0) };
}

fn step() {
    STEPS.with(|s| s.set(s.get() + 1));
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(layout.size())));
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(new_size)));
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOC: Tracking = Tracking;

/// Decode every part of a meta-data file.
fn read_meta(bytes: &[u8]) -> Result<(), FormatError> {
    let file = MetaFile::parse(bytes)?;
    let mut fd = FuncDesc::default();
    for pkg in file.packages() {
        step();
        let pkg = pkg?;
        for i in 0..pkg.num_funcs() {
            step();
            pkg.read_func(i, &mut fd)?;
        }
    }
    Ok(())
}

/// Decode every part of a counter-data file.
fn read_counters(bytes: &[u8]) -> Result<(), FormatError> {
    let file = CounterFile::parse(bytes)?;
    file.first_segment()?;
    for seg in file.segments() {
        step();
        let seg = seg?;
        let _ = seg.os_args();
        for rec in seg.funcs() {
            step();
            let _ = rec?.counters.to_vec();
        }
    }
    Ok(())
}

fn read(kind: Kind, bytes: &[u8]) -> Result<(), FormatError> {
    match kind {
        Kind::Meta => read_meta(bytes),
        Kind::Counters => read_counters(bytes),
    }
}

/// Decode under watch: no panic, steps and allocations bounded by the file's size; the error
/// (if any) points inside the file and says where in its message.
fn watched(what: &str, kind: Kind, bytes: &[u8]) -> Result<(), FormatError> {
    LARGEST.with(|m| m.set(0));
    ALLOCATIONS.with(|n| n.set(0));
    STEPS.with(|s| s.set(0));
    let result = catch_unwind(AssertUnwindSafe(|| read(kind, bytes)))
        .unwrap_or_else(|_| panic!("{what}: the decoder panicked"));
    let (largest, allocations, steps) = (
        LARGEST.with(Cell::get),
        ALLOCATIONS.with(Cell::get),
        STEPS.with(Cell::get),
    );
    // Every package, function, segment and record takes at least a byte of the file.
    assert!(
        steps <= bytes.len() + 1,
        "{what}: {steps} decoding steps for a {}-byte file",
        bytes.len()
    );
    // A handful per step (a function's unit vector, a segment's tables), never per value.
    assert!(
        allocations <= 64 + 4 * bytes.len(),
        "{what}: {allocations} allocations for a {}-byte file",
        bytes.len()
    );
    // The decoders borrow the file; what they allocate (string and unit tables) is bounded by
    // what is there.
    let bound = 64 * 1024 + 16 * bytes.len();
    assert!(
        largest <= bound,
        "{what}: allocated {largest} bytes at once for a {}-byte file",
        bytes.len()
    );
    if let Err(e) = &result {
        assert!(
            e.offset <= bytes.len() as u64,
            "{what}: error offset {} past the end ({} bytes): {e}",
            e.offset,
            bytes.len()
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!("offset {} ({})", e.offset, e.field)),
            "{what}: {msg}"
        );
    }
    result
}

#[test]
fn named_hostile_files_give_their_error() {
    let s = sample();
    watched("the sample meta-data file", Kind::Meta, &s.meta).unwrap();
    watched("the sample counter file", Kind::Counters, &s.counters).unwrap();
    let mut failures = Vec::new();
    for case in cases(&s) {
        let result = watched(&case.name, case.kind, &case.bytes);
        let ok = match (&case.want, &result) {
            (Want::Reads, Ok(())) => true,
            (Want::Error { field, offset }, Err(e)) => {
                e.field.contains(field) && offset.map_or(true, |o| o == e.offset)
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: want {:?}, got {:?}",
                case.name,
                case.want,
                result.map_err(|e| e.to_string())
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_truncation_is_an_error() {
    let s = sample();
    for (kind, bytes) in [(Kind::Meta, &s.meta), (Kind::Counters, &s.counters)] {
        for cut in 0..bytes.len() {
            let what = format!("{kind:?} cut to {cut} of {} bytes", bytes.len());
            let e = watched(&what, kind, &bytes[..cut])
                .err()
                .unwrap_or_else(|| panic!("{what}: accepted"));
            assert!(e.offset <= cut as u64, "{what}: {e}");
        }
    }
}

/// Flips of every bit pattern at every offset. Some damage is undetectable (a counter value, a
/// column number, the hash): it decodes, to different values. Everything else is an error.
#[test]
fn flipped_bytes_decode_or_fail_cleanly() {
    let s = sample();
    for (kind, bytes) in [(Kind::Meta, &s.meta), (Kind::Counters, &s.counters)] {
        let (mut rejected, mut total) = (0, 0);
        for at in 0..bytes.len() {
            for mask in [0x01u8, 0x02, 0x10, 0x40, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[at] ^= mask;
                total += 1;
                if watched(&format!("{kind:?} byte {at} ^ {mask:#04x}"), kind, &b).is_err() {
                    rejected += 1;
                }
            }
        }
        assert!(
            rejected > 0 && rejected < total,
            "{kind:?}: {rejected}/{total}"
        );
    }
}

/// Every length, count and offset field of the headers set past the end of the file, to the
/// edge of its width and beyond: an error, never an allocation of that size.
#[test]
fn declared_lengths_past_the_end_are_errors() {
    let s = sample();
    let meta = MetaFile::parse(&s.meta).unwrap();
    let n = u64::from(meta.num_packages());
    // (file, offset, width, whether readers use the field)
    let mut fields: Vec<(Kind, u64, usize, bool)> = vec![
        (Kind::Meta, 8, 8, true),   // total length
        (Kind::Meta, 16, 8, true),  // package count
        (Kind::Meta, 40, 4, false), // string table offset (Go ignores it, so do we)
        (Kind::Meta, 44, 4, true),  // string table length
        (Kind::Counters, 32, 8, true),
        (Kind::Counters, 40, 4, true),
        (Kind::Counters, 44, 4, true),
        (Kind::Counters, s.counters.len() as u64 - 8, 4, true),
    ];
    for i in 0..n {
        fields.push((Kind::Meta, 56 + 8 * i, 8, true));
        fields.push((Kind::Meta, 56 + 8 * (n + i), 8, true));
        let blob = u64::from_le_bytes(s.meta[(56 + 8 * i) as usize..][..8].try_into().unwrap());
        fields.push((Kind::Meta, blob, 4, true)); // blob length
        fields.push((Kind::Meta, blob + 36, 4, false)); // file count (Go never reads it)
        fields.push((Kind::Meta, blob + 40, 4, true)); // function count
        fields.push((Kind::Meta, blob + 44, 4, true)); // first function offset
    }
    for (kind, at, width, used) in fields {
        let bytes = match kind {
            Kind::Meta => &s.meta,
            Kind::Counters => &s.counters,
        };
        let len = bytes.len() as u64;
        let mut values = vec![len, len + 1, 1 << 31, u64::from(u32::MAX)];
        if width == 8 {
            values.extend([1 << 32, 1 << 40, u64::MAX]);
        }
        let original = match width {
            4 => u64::from(u32::from_le_bytes(
                bytes[at as usize..][..4].try_into().unwrap(),
            )),
            _ => u64::from_le_bytes(bytes[at as usize..][..8].try_into().unwrap()),
        };
        for v in values.into_iter().filter(|&v| v != original) {
            let mut b = bytes.clone();
            match width {
                4 => hostile_cases::put_u32(&mut b, at, v as u32),
                _ => hostile_cases::put_u64(&mut b, at, v),
            }
            let what = format!("{kind:?}: field at {at} set to {v}");
            let result = watched(&what, kind, &b);
            assert!(result.is_err() || !used, "{what}: accepted");
        }
    }
}

/// A counter file whose args table holds many distinct entries decodes in linear time.
#[test]
fn many_args_decode_quickly() {
    let n = 40_000;
    let mut args: Vec<(String, String)> = (0..n)
        .map(|i| (format!("argv{i}"), format!("{i}")))
        .collect();
    args.push(("argc".into(), n.to_string()));
    let mut w = CounterFileWriter::new(covdata::MetaHash([7; 16]), CounterFlavor::Uleb128);
    w.append_segment(
        args.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())),
        [(0u32, 0u32, [1u32])],
    )
    .unwrap();
    let bytes = w.finish();
    watched("40000 args", Kind::Counters, &bytes).unwrap();
    let file = CounterFile::parse(&bytes).unwrap();
    let seg = file.first_segment().unwrap();
    assert_eq!(seg.os_args().len(), n);
    assert_eq!(seg.os_args()[n - 1], (n - 1).to_string());
}

/// Counters at the top of their range decode exactly, in both flavors.
#[test]
fn counters_near_u32_max_decode_exactly() {
    let values = vec![u32::MAX, u32::MAX - 1, 1 << 31, 0x0fff_ffff, 128, 0];
    for flavor in [CounterFlavor::Uleb128, CounterFlavor::Raw] {
        let bytes = hostile_cases::counter_file(
            covdata::MetaHash([1; 16]),
            flavor,
            &[],
            &[(0, 0, values.clone()), (0, 1, vec![u32::MAX])],
        );
        let file = CounterFile::parse(&bytes).unwrap();
        let seg = file.first_segment().unwrap();
        let recs: Vec<Vec<u32>> = seg.funcs().map(|r| r.unwrap().counters.to_vec()).collect();
        assert_eq!(recs, [values.clone(), vec![u32::MAX]], "{flavor:?}");
        // The values reach a caller's rule exactly, whatever the encoding.
        let rec = seg.funcs().next().unwrap().unwrap();
        let mut dst = vec![0u32; values.len()];
        rec.counters.zip_into(&mut dst, |d, v| *d = v);
        assert_eq!(dst, values, "{flavor:?}");
    }
}
