//! `FuncCountersIter::scan_byte_records` (the fast path for common records) interleaved with
//! `next` yields exactly what `next` alone yields: the same records, the same offsets, the same
//! first error, whatever the records look like and wherever the consumer declines a record.

use covdata::encode::CounterFileWriter;
use covdata::{CounterFile, CounterFlavor, MetaHash};
use proptest::prelude::*;

/// One record as both paths report it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Record {
        pkg: u32,
        func: u32,
        counters: Vec<u32>,
        offset: u64,
    },
    Error(String),
}

fn plain(data: &[u8]) -> Vec<Item> {
    let mut out = Vec::new();
    let Ok(file) = CounterFile::parse(data) else {
        return out;
    };
    for seg in file.segments() {
        let Ok(seg) = seg else { break };
        for r in seg.funcs() {
            match r {
                Ok(r) => out.push(Item::Record {
                    pkg: r.pkg_idx,
                    func: r.func_idx,
                    counters: r.counters.to_vec(),
                    offset: r.offset,
                }),
                Err(e) => {
                    out.push(Item::Error(e.to_string()));
                    break;
                }
            }
        }
    }
    out
}

/// The fast path first, declining the records `decline` picks (by position), then `next`.
fn mixed(data: &[u8], decline: &[bool]) -> Vec<Item> {
    let mut out = Vec::new();
    let Ok(file) = CounterFile::parse(data) else {
        return out;
    };
    for seg in file.segments() {
        let Ok(seg) = seg else { break };
        let mut it = seg.funcs();
        loop {
            it.scan_byte_records(|pkg, func, counters, offset| {
                let k = out.len();
                if decline
                    .get(k % decline.len().max(1))
                    .copied()
                    .unwrap_or(false)
                {
                    return false;
                }
                let bytes = counters.as_bytes();
                let word = counters.first_word().to_le_bytes();
                for (i, &b) in bytes.iter().take(8).enumerate() {
                    assert_eq!(word[i], b, "first_word disagrees with as_bytes");
                }
                for &w in word.iter().skip(bytes.len().min(8)) {
                    assert_eq!(w, 0, "first_word has bytes past the counters");
                }
                out.push(Item::Record {
                    pkg,
                    func,
                    counters: bytes.iter().map(|&b| u32::from(b)).collect(),
                    offset,
                });
                true
            });
            match it.next() {
                None => break,
                Some(Ok(r)) => out.push(Item::Record {
                    pkg: r.pkg_idx,
                    func: r.func_idx,
                    counters: r.counters.to_vec(),
                    offset: r.offset,
                }),
                Some(Err(e)) => {
                    out.push(Item::Error(e.to_string()));
                    break;
                }
            }
        }
    }
    out
}

fn value() -> impl Strategy<Value = u32> {
    prop_oneof![
        8 => 0u32..2,
        2 => 0u32..128,
        1 => 128u32..20_000,
        1 => any::<u32>(),
    ]
}

fn index() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..128, 4 => 128u32..16_384, 1 => 16_384u32..3_000_000]
}

fn record() -> impl Strategy<Value = (u32, u32, Vec<u32>)> {
    (
        index(),
        index(),
        prop_oneof![6 => prop::collection::vec(value(), 0..9), 1 => prop::collection::vec(value(), 9..200)],
    )
}

fn file(segments: &[Vec<(u32, u32, Vec<u32>)>]) -> Vec<u8> {
    let mut w = CounterFileWriter::new(MetaHash([7; 16]), CounterFlavor::Uleb128);
    for recs in segments {
        w.append_segment(
            [("argc", "1"), ("argv0", "prog"), ("GOOS", "linux")],
            recs.iter().map(|(p, f, c)| (*p, *f, c.clone())),
        )
        .unwrap();
    }
    w.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn same_records_as_next(
        segments in prop::collection::vec(prop::collection::vec(record(), 0..40), 1..3),
        decline in prop::collection::vec(prop::bool::weighted(0.2), 0..7),
    ) {
        let data = file(&segments);
        let want = plain(&data);
        let all_records = want.iter().all(|i| matches!(i, Item::Record { .. }));
        prop_assert!(all_records, "an undamaged file decodes without error");
        prop_assert_eq!(mixed(&data, &decline), want);
    }

    #[test]
    fn same_records_and_error_when_damaged(
        segments in prop::collection::vec(prop::collection::vec(record(), 1..30), 1..3),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
        decline in prop::collection::vec(prop::bool::weighted(0.2), 0..7),
    ) {
        let mut data = file(&segments);
        for (at, byte) in flips {
            let i = at.index(data.len());
            data[i] = byte;
        }
        if let Some(at) = cut {
            data.truncate(at.index(data.len()));
        }
        prop_assert_eq!(mixed(&data, &decline), plain(&data));
    }
}
