//! The hostile coverage files, shared by the decoder tests (`crates/covdata/tests/hostile.rs`)
//! and the comparison with Go's own tool (`crates/intcov/tests/hostile_go.rs`): each case is a
//! real file Go wrote, damaged in one named way, with the error we must give.

#![allow(dead_code)]

use camino::Utf8PathBuf;
use covdata::encode::CounterFileWriter;
use covdata::{CounterFile, CounterFlavor, MetaFile};

/// A real program's meta-data file and one of its counter files.
#[derive(Clone)]
pub struct Sample {
    pub meta_name: String,
    pub meta: Vec<u8>,
    pub counter_name: String,
    pub counters: Vec<u8>,
    /// Every file of the directory the sample came from, by name (for directory cases).
    pub dir_files: Vec<(String, Vec<u8>)>,
}

/// From the clisuite fixture in count mode: the program with the most packages, and its
/// largest counter file.
pub fn sample() -> Sample {
    let data = testkit::covdata(&testkit::go(), "clisuite", testkit::CoverMode::Count);
    let mut files: Vec<(String, Vec<u8>)> = data
        .path
        .read_dir_utf8()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    let (meta_name, meta) = files
        .iter()
        .filter(|(n, _)| n.starts_with("covmeta."))
        .max_by_key(|(_, b)| MetaFile::parse(b).unwrap().num_packages())
        .cloned()
        .unwrap();
    let tag = meta_name.strip_prefix("covmeta.").unwrap();
    let (counter_name, counters) = files
        .iter()
        .filter(|(n, _)| n.starts_with(&format!("covcounters.{tag}.")))
        .max_by_key(|(_, b)| b.len())
        .cloned()
        .unwrap();
    // The program ran from a temporary directory whose name (random digits, 1 to 10 of them)
    // is in its args: pin it, so that every offset and length the cases report stays the same
    // from one fresh fixture run to the next. Our encoder writes Go's bytes for the same data.
    let flavor = CounterFile::parse(&counters).unwrap().flavor();
    let counters = reencoded(&counters, flavor, |args, _| {
        for (_, v) in args.iter_mut() {
            if let Some(rest) = v.strip_prefix(std::env::temp_dir().to_str().unwrap()) {
                if let Some((_, tail)) = rest.trim_start_matches('/').split_once('/') {
                    *v = format!("/tmp/intcov-fixture-0000000000/{tail}");
                }
            }
        }
    });
    for (name, bytes) in files.iter_mut() {
        if *name == counter_name {
            bytes.clone_from(&counters);
        }
    }
    Sample {
        meta_name,
        meta,
        counter_name,
        counters,
        dir_files: files,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Meta,
    Counters,
}

/// What reading the damaged file must give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// An error about this field at this offset (`None`: any offset inside the file).
    Error {
        field: &'static str,
        offset: Option<u64>,
    },
    /// The damage is one the format cannot detect, or no damage at all: it reads.
    Reads,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
    pub want: Want,
}

fn err(field: &'static str, offset: u64) -> Want {
    Want::Error {
        field,
        offset: Some(offset),
    }
}

pub fn put_u32(b: &mut [u8], at: u64, v: u32) {
    b[at as usize..at as usize + 4].copy_from_slice(&v.to_le_bytes());
}

pub fn put_u64(b: &mut [u8], at: u64, v: u64) {
    b[at as usize..at as usize + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(b: &[u8], at: u64) -> u32 {
    u32::from_le_bytes(b[at as usize..at as usize + 4].try_into().unwrap())
}

fn get_u64(b: &[u8], at: u64) -> u64 {
    u64::from_le_bytes(b[at as usize..at as usize + 8].try_into().unwrap())
}

fn patched(b: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = b.to_vec();
    f(&mut v);
    v
}

/// Offsets inside the sample's meta-data file.
struct MetaLayout {
    len: u64,
    packages: u64,
    /// Package 0's blob: offset, length, function count.
    blob: u64,
    blob_len: u64,
    funcs: u32,
}

fn meta_layout(meta: &[u8]) -> MetaLayout {
    let file = MetaFile::parse(meta).unwrap();
    let packages = u64::from(file.num_packages());
    assert!(packages >= 2, "the sample needs two packages");
    let blob = get_u64(meta, 56);
    let blob_len = get_u64(meta, 56 + 8 * packages);
    let funcs = get_u32(meta, blob + 40);
    assert!(funcs >= 2, "the sample's first package needs two functions");
    MetaLayout {
        len: meta.len() as u64,
        packages,
        blob,
        blob_len,
        funcs,
    }
}

/// Offsets inside the sample's counter-data file.
struct CounterLayout {
    len: u64,
    /// Absolute offset of the first record.
    first_record: u64,
}

fn counter_layout(counters: &[u8]) -> CounterLayout {
    let file = CounterFile::parse(counters).unwrap();
    let seg = file.first_segment().unwrap();
    let first_record = seg.funcs().next().unwrap().unwrap().offset;
    CounterLayout {
        len: counters.len() as u64,
        first_record,
    }
}

/// A counter file for `hash` with one run whose args are `args` and whose records are
/// `records`, written by our encoder.
pub fn counter_file(
    hash: covdata::MetaHash,
    flavor: CounterFlavor,
    args: &[(String, String)],
    records: &[(u32, u32, Vec<u32>)],
) -> Vec<u8> {
    let mut w = CounterFileWriter::new(hash, flavor);
    w.append_segment(
        args.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())),
        records.iter().map(|(p, f, v)| (*p, *f, v.as_slice())),
    )
    .unwrap();
    w.finish()
}

/// A counter file's args table.
pub type Args = Vec<(String, String)>;
/// A counter file's records: package index, function index, counters.
pub type Records = Vec<(u32, u32, Vec<u32>)>;

/// The args and records of a counter file's first segment.
pub fn contents(bytes: &[u8]) -> (Args, Records) {
    let file = CounterFile::parse(bytes).unwrap();
    let seg = file.first_segment().unwrap();
    let args = seg
        .raw_args()
        .iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        })
        .collect();
    let records = seg
        .funcs()
        .map(|r| {
            let r = r.unwrap();
            (r.pkg_idx, r.func_idx, r.counters.to_vec())
        })
        .collect();
    (args, records)
}

/// A counter file re-encoded by our encoder after `edit` changed its args and records.
pub fn reencoded(
    bytes: &[u8],
    flavor: CounterFlavor,
    edit: impl FnOnce(&mut Args, &mut Records),
) -> Vec<u8> {
    let hash = CounterFile::parse(bytes).unwrap().meta_hash();
    let (mut args, mut records) = contents(bytes);
    edit(&mut args, &mut records);
    counter_file(hash, flavor, &args, &records)
}

/// The named cases, in the order of the table in `crates/covdata/HOSTILE.md`.
pub fn cases(s: &Sample) -> Vec<Case> {
    let m = meta_layout(&s.meta);
    let c = counter_layout(&s.counters);
    let meta = |name: &str, bytes: Vec<u8>, want: Want| Case {
        name: name.to_owned(),
        kind: Kind::Meta,
        bytes,
        want,
    };
    let counters = |name: &str, bytes: Vec<u8>, want: Want| Case {
        name: name.to_owned(),
        kind: Kind::Counters,
        bytes,
        want,
    };
    let mb = &s.meta;
    let cb = &s.counters;
    let table_lengths = 56 + 8 * m.packages;
    // The first package's function offsets, its first function's description.
    let foffs = m.blob + 44;
    let f0 = u64::from(get_u32(mb, foffs));
    let f1 = u64::from(get_u32(mb, foffs + 4));

    vec![
        meta("meta: empty file", Vec::new(), err("magic", 0)),
        meta(
            "meta: wrong magic",
            patched(mb, |b| b[1] ^= 0x20),
            err("magic", 0),
        ),
        meta(
            "meta: unknown version 2",
            patched(mb, |b| put_u32(b, 4, 2)),
            err("version", 4),
        ),
        meta(
            "meta: total length one past the end",
            patched(mb, |b| put_u64(b, 8, m.len + 1)),
            err("total length", 8),
        ),
        meta(
            "meta: total length garbage (2^40)",
            patched(mb, |b| put_u64(b, 8, 1 << 40)),
            err("total length", 8),
        ),
        meta(
            "meta: truncated by one byte",
            mb[..mb.len() - 1].to_vec(),
            err("total length", 8),
        ),
        meta(
            "meta: 2^32 packages",
            patched(mb, |b| put_u64(b, 16, 1 << 32)),
            err("package count", 16),
        ),
        meta(
            "meta: 2^64-1 packages",
            patched(mb, |b| put_u64(b, 16, u64::MAX)),
            err("package count", 16),
        ),
        meta(
            "meta: string table length past the end",
            patched(mb, |b| put_u32(b, 44, m.len as u32)),
            err("string table length", 44),
        ),
        meta(
            "meta: counter mode 9",
            patched(mb, |b| b[48] = 9),
            err("counter mode", 48),
        ),
        meta(
            "meta: package offset past the end",
            patched(mb, |b| put_u64(b, 56, m.len + 1)),
            err("package offset", 56),
        ),
        meta(
            "meta: package length past the end",
            patched(mb, |b| put_u64(b, table_lengths, m.len)),
            err("package length", table_lengths),
        ),
        meta(
            "meta: two packages share one blob",
            patched(mb, |b| {
                put_u64(b, 56 + 8, m.blob);
                put_u64(b, table_lengths + 8, m.blob_len);
            }),
            err("package offset", 56 + 8),
        ),
        meta(
            "meta: blob length disagrees with the table",
            patched(mb, |b| put_u32(b, m.blob, m.blob_len as u32 + 1)),
            err("package blob length", m.blob),
        ),
        meta(
            "meta: 2^32-1 functions in a package",
            patched(mb, |b| put_u32(b, m.blob + 40, u32::MAX)),
            err("function count", m.blob + 40),
        ),
        meta(
            "meta: function offset past the blob",
            patched(mb, |b| put_u32(b, foffs, m.blob_len as u32 + 5)),
            err("function offset", foffs),
        ),
        meta(
            "meta: two functions share one description",
            patched(mb, |b| put_u32(b, foffs + 4, f0 as u32)),
            err("function offset", foffs + 4),
        ),
        meta(
            "meta: unit count past the function's end",
            patched(mb, |b| b[(m.blob + f0) as usize] = 0x7f),
            err("unit count", m.blob + f0),
        ),
        meta(
            "meta: unit count wider than 32 bits",
            patched(mb, |b| {
                let at = (m.blob + f0) as usize;
                let room = (f1 - f0) as usize;
                assert!(room >= 6);
                b[at..at + 5].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x7f]);
            }),
            err("unit count", m.blob + f0),
        ),
        meta(
            "meta: function name index past the string table",
            patched(mb, |b| {
                let at = (m.blob + f0) as usize;
                // count (1 byte in the sample), then the name index.
                assert!(b[at] < 0x80 && b[at + 1] < 0x80);
                b[at + 1] = 0x7f;
            }),
            err("function name index", m.blob + f0 + 1),
        ),
        meta(
            "meta: hash byte flipped",
            patched(mb, |b| b[30] ^= 1),
            Want::Reads,
        ),
        counters(
            "counters: empty file (writer killed at once)",
            Vec::new(),
            err("magic", 0),
        ),
        counters(
            "counters: header only (writer killed after the header)",
            cb[..32].to_vec(),
            err("footer", 32),
        ),
        counters(
            "counters: footer missing (writer killed before the footer)",
            cb[..cb.len() - 16].to_vec(),
            err("footer magic", c.len - 32),
        ),
        counters(
            "counters: last byte missing",
            cb[..cb.len() - 1].to_vec(),
            err("footer magic", c.len - 17),
        ),
        counters(
            "counters: wrong magic",
            patched(cb, |b| b[2] ^= 0x10),
            err("magic", 0),
        ),
        counters(
            "counters: unknown version 2",
            patched(cb, |b| put_u32(b, 4, 2)),
            err("version", 4),
        ),
        counters(
            "counters: unknown flavor 7",
            patched(cb, |b| b[24] = 7),
            err("counter flavor", 24),
        ),
        counters(
            "counters: 2^64-1 function records",
            patched(cb, |b| put_u64(b, 32, u64::MAX)),
            err("function entry count", 32),
        ),
        counters(
            "counters: one record more than there are",
            patched(cb, |b| put_u64(b, 32, get_u64(cb, 32) + 1)),
            Want::Error {
                field: "counter count",
                offset: None,
            },
        ),
        counters(
            "counters: string table length past the end",
            patched(cb, |b| put_u32(b, 40, c.len as u32)),
            err("string table length", 40),
        ),
        counters(
            "counters: args length past the end",
            patched(cb, |b| put_u32(b, 44, c.len as u32)),
            err("args length", 44),
        ),
        counters(
            "counters: footer says 0 segments",
            patched(cb, |b| put_u32(b, c.len - 8, 0)),
            err("segment count", c.len - 8),
        ),
        counters(
            "counters: footer says 2^32-1 segments",
            patched(cb, |b| put_u32(b, c.len - 8, u32::MAX)),
            err("segment header", c.len),
        ),
        counters(
            "counters: a record claims 127 counters",
            patched(cb, |b| {
                let at = c.first_record as usize;
                assert!(b[at] < 0x80);
                b[at] = 0x7f;
            }),
            Want::Error {
                field: "counter",
                offset: None,
            },
        ),
        counters(
            "counters: a record claims 2^32-1 raw counters",
            {
                let f = reencoded(cb, CounterFlavor::Raw, |_, _| {});
                let at = counter_layout(&f).first_record;
                patched(&f, |b| put_u32(b, at, u32::MAX))
            },
            Want::Error {
                field: "counter values",
                offset: None,
            },
        ),
        {
            let f = reencoded(cb, CounterFlavor::Uleb128, |_, records| {
                records[0].2[0] = u32::MAX;
            });
            let rec = counter_layout(&f).first_record;
            // n, pkg and func take a byte each; the value's fifth byte holds bits 28..35.
            assert!(f[rec as usize..][..3].iter().all(|&b| b < 0x80));
            let value = rec + 3;
            counters(
                "counters: counter value wider than 32 bits",
                patched(&f, |b| b[value as usize + 4] = 0x1f),
                err("counter value", value),
            )
        },
        counters(
            "counters: argc 2^32-1",
            reencoded(cb, CounterFlavor::Uleb128, |args, _| {
                for (k, v) in args.iter_mut() {
                    if k == "argc" {
                        *v = "4294967295".into();
                    }
                }
            }),
            Want::Error {
                field: "argc",
                offset: None,
            },
        ),
        counters(
            "counters: every counter at u32::MAX - 1 (sums saturate)",
            reencoded(cb, CounterFlavor::Uleb128, |_, records| {
                for r in records.iter_mut() {
                    r.2.fill(u32::MAX - 1);
                }
            }),
            Want::Reads,
        ),
        counters(
            "counters: a counter value flipped",
            patched(cb, |b| {
                let at = c.first_record as usize + 3;
                assert!(b[at] < 0x40);
                b[at] ^= 0x20;
            }),
            Want::Reads,
        ),
    ]
}

/// A scratch directory.
pub fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-hostile-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}
