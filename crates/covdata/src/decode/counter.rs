//! Counter-data files (`covcounters.<hash>.<pid>.<nanotime>`): a header naming the meta-data
//! hash and the payload flavor, one or more segments (each a header, a string table, an args
//! table holding the run's os.Args/GOOS/GOARCH, then one record per executed function), each
//! followed by a footer whose last copy holds the number of segments.

use std::sync::OnceLock;

use crate::decode::cursor::Cursor;
use crate::error::{FormatError, Problem};
use crate::format::{
    CounterFlavor, MetaHash, COUNTER_FILE_HEADER_SIZE, COUNTER_FILE_VERSION, COUNTER_FOOTER_SIZE,
    COUNTER_MAGIC, COUNTER_SEGMENT_HEADER_SIZE,
};
use crate::stringtab::StringTable;
use crate::uleb128;

/// The fixed header of a counter-data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterFileHeader {
    pub version: u32,
    pub meta_hash: MetaHash,
    pub flavor: CounterFlavor,
    /// Byte order of raw-flavor values (ULEB128 payloads have none).
    pub big_endian: bool,
}

/// A parsed view of a counter-data file.
#[derive(Debug, Clone)]
pub struct CounterFile<'a> {
    data: &'a [u8],
    header: CounterFileHeader,
    num_segments: u32,
}

impl<'a> CounterFile<'a> {
    /// Parse the header and footer and check the first segment's preamble.
    pub fn parse(data: &'a [u8]) -> Result<Self, FormatError> {
        let mut cur = Cursor::new(data, 0);
        let magic: [u8; 4] = cur.array("magic")?;
        if magic != COUNTER_MAGIC {
            return Err(FormatError::new(
                0,
                "magic",
                Problem::BadMagic {
                    found: magic,
                    expected: "coverage counter-data",
                },
            ));
        }
        let version_at = cur.offset();
        let version = cur.u32_le("version")?;
        if version > COUNTER_FILE_VERSION {
            return Err(FormatError::new(
                version_at,
                "version",
                Problem::UnsupportedVersion {
                    found: version,
                    supported: COUNTER_FILE_VERSION,
                },
            ));
        }
        let meta_hash = MetaHash(cur.array("meta-data hash")?);
        let flavor_at = cur.offset();
        let flavor_byte = cur.u8("counter flavor")?;
        let flavor = CounterFlavor::from_u8(flavor_byte).ok_or_else(|| {
            FormatError::new(
                flavor_at,
                "counter flavor",
                Problem::InvalidValue(flavor_byte.into()),
            )
        })?;
        let big_endian = cur.u8("byte order")? != 0;
        cur.bytes(6, "header padding")?;

        if cur.remaining() < COUNTER_FOOTER_SIZE {
            return Err(cur.err(
                "footer",
                Problem::Truncated {
                    needed: COUNTER_FOOTER_SIZE as u64,
                    available: cur.remaining() as u64,
                },
            ));
        }
        let footer_at = data.len() - COUNTER_FOOTER_SIZE;
        let num_segments = read_footer(data, footer_at)?;
        let file = CounterFile {
            data,
            header: CounterFileHeader {
                version,
                meta_hash,
                flavor,
                big_endian,
            },
            num_segments,
        };
        file.segment_at(COUNTER_FILE_HEADER_SIZE, 0)?;
        Ok(file)
    }

    pub fn header(&self) -> &CounterFileHeader {
        &self.header
    }

    pub fn meta_hash(&self) -> MetaHash {
        self.header.meta_hash
    }

    pub fn flavor(&self) -> CounterFlavor {
        self.header.flavor
    }

    /// The segment count recorded in the final footer (at least 1).
    pub fn num_segments(&self) -> u32 {
        self.num_segments
    }

    fn segment_at(&self, start: usize, index: u32) -> Result<Segment<'a>, FormatError> {
        let footer_at = self.data.len() - COUNTER_FOOTER_SIZE;
        let last = index + 1 == self.num_segments;
        Segment::parse(self.data, start, footer_at, last, index, self.header)
    }

    /// The first segment: what the Go runtime writes (its only one) and all that
    /// `go tool covdata` reads.
    pub fn first_segment(&self) -> Result<Segment<'a>, FormatError> {
        self.segment_at(COUNTER_FILE_HEADER_SIZE, 0)
    }

    /// Every segment in order. Reaching segment k+1 requires scanning segment k's records,
    /// whose length is not stored.
    pub fn segments(&self) -> SegmentIter<'a> {
        SegmentIter {
            file: self.clone(),
            next: 0,
            prev: None,
            failed: false,
        }
    }
}

fn read_footer(data: &[u8], at: usize) -> Result<u32, FormatError> {
    let mut cur = Cursor::new(&data[at..], at as u64);
    let magic: [u8; 4] = cur.array("footer magic")?;
    if magic != COUNTER_MAGIC {
        return Err(FormatError::new(
            at as u64,
            "footer magic",
            Problem::BadMagic {
                found: magic,
                expected: "coverage counter-data",
            },
        ));
    }
    cur.bytes(4, "footer padding")?;
    let count_at = cur.offset();
    let n = cur.u32_le("segment count")?;
    if n == 0 {
        return Err(FormatError::new(
            count_at,
            "segment count",
            Problem::Inconsistent("no segments".into()),
        ));
    }
    Ok(n)
}

/// Iterator over a file's segments.
pub struct SegmentIter<'a> {
    file: CounterFile<'a>,
    next: u32,
    /// The records of the segment before, to find where the next one starts.
    prev: Option<FuncCountersIter<'a>>,
    failed: bool,
}

impl<'a> Iterator for SegmentIter<'a> {
    type Item = Result<Segment<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.next >= self.file.num_segments {
            return None;
        }
        let start = match self.prev.take() {
            None => Ok(COUNTER_FILE_HEADER_SIZE),
            Some(prev) => records_end(prev).and_then(|end| {
                read_footer(self.file.data, end as usize)?;
                Ok(end as usize + COUNTER_FOOTER_SIZE)
            }),
        };
        let seg = start.and_then(|s| self.file.segment_at(s, self.next));
        match &seg {
            // Only a segment that has another after it needs its end found.
            Ok(s) if self.next + 1 < self.file.num_segments => self.prev = Some(s.funcs()),
            Ok(_) => {}
            Err(_) => self.failed = true,
        }
        self.next += 1;
        Some(seg)
    }
}

/// One run's counters: its args and its function records.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    index: u32,
    fcn_entries: u64,
    raw_strtab: Vec<&'a [u8]>,
    raw_args: RawArgs<'a>,
    /// Indices of `raw_args` sorted by key, for lookups in log time.
    by_key: Vec<u32>,
    /// The number of os.Args (checked when parsed).
    argc: usize,
    // Views built on first use: reading counters needs none of them.
    strtab: OnceLock<StringTable<'a>>,
    args: OnceLock<Vec<(&'a str, &'a str)>>,
    os_args: OnceLock<Vec<&'a str>>,
    /// From the first record to the file's final footer (the records end earlier when more
    /// segments follow).
    payload: &'a [u8],
    payload_at: u64,
    /// Records must end exactly here (the final footer) in the last segment.
    expected_end: Option<u64>,
    header: CounterFileHeader,
}

impl<'a> Segment<'a> {
    fn parse(
        data: &'a [u8],
        start: usize,
        footer_at: usize,
        last: bool,
        index: u32,
        header: CounterFileHeader,
    ) -> Result<Self, FormatError> {
        if start > footer_at {
            return Err(FormatError::new(
                start as u64,
                "segment header",
                Problem::Truncated {
                    needed: COUNTER_SEGMENT_HEADER_SIZE as u64,
                    available: 0,
                },
            ));
        }
        let mut cur = Cursor::new(&data[..footer_at], 0);
        cur.seek(start as u64, "segment header")?;
        let entries_at = cur.offset();
        let fcn_entries = cur.u64_le("function entry count")?;
        let strtab_len_at = cur.offset();
        let strtab_len = cur.u32_le("string table length")?;
        let args_len_at = cur.offset();
        let args_len = cur.u32_le("args length")?;

        let strtab_at = cur.offset();
        let strtab_bytes = cur
            .bytes(strtab_len.into(), "string table")
            .map_err(|e| FormatError::new(strtab_len_at, "string table length", e.problem))?;
        let strtab = StringTable::read_raw(&mut Cursor::new(strtab_bytes, strtab_at))?;

        let args_at = cur.offset();
        let args_bytes = cur
            .bytes(args_len.into(), "args table")
            .map_err(|e| FormatError::new(args_len_at, "args length", e.problem))?;
        let (raw_args, by_key) = read_args(args_bytes, args_at, &strtab)?;
        let argc = argc(&raw_args, &by_key, args_at)?;

        // Writers pad the preamble to a 4-byte boundary inside the args length, so the records
        // start right here. (Go's reader also seeks to the next boundary of the file, which
        // is a no-op for the first segment and, through a memory map, for every segment.)
        let payload_at = cur.offset();
        let payload = cur.rest();
        // A record takes at least three bytes; reject absurd counts before iterating.
        if fcn_entries > payload.len() as u64 / 3 {
            return Err(FormatError::new(
                entries_at,
                "function entry count",
                Problem::OutOfRange {
                    value: fcn_entries,
                    limit: payload.len() as u64 / 3,
                },
            ));
        }
        Ok(Segment {
            index,
            fcn_entries,
            raw_strtab: strtab,
            raw_args,
            by_key,
            argc,
            strtab: OnceLock::new(),
            args: OnceLock::new(),
            os_args: OnceLock::new(),
            payload,
            payload_at,
            expected_end: last.then_some(footer_at as u64),
            header,
        })
    }

    /// Position of this segment in its file.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Number of function records.
    pub fn num_funcs(&self) -> u64 {
        self.fcn_entries
    }

    /// The segment's string table (the args' keys and values; strings that are not UTF-8
    /// read as `"\u{FFFD}"`).
    pub fn strings(&self) -> &StringTable<'a> {
        self.strtab
            .get_or_init(|| StringTable::from_lossy(&self.raw_strtab))
    }

    /// Key/value annotations, in file order (sorted by key as Go writes them). A string that
    /// is not UTF-8 (os.Args may hold any bytes) reads as `"\u{FFFD}"`; [`Segment::raw_args`]
    /// has the exact bytes.
    pub fn args(&self) -> &[(&'a str, &'a str)] {
        self.args.get_or_init(|| {
            self.raw_args
                .iter()
                .map(|&(k, v)| (lossy(k), lossy(v)))
                .collect()
        })
    }

    /// The annotations as the file stores them.
    pub fn raw_args(&self) -> &[(&'a [u8], &'a [u8])] {
        &self.raw_args
    }

    /// The exact bytes of the value of `key`.
    pub fn raw_arg(&self, key: &[u8]) -> Option<&'a [u8]> {
        find_arg(&self.raw_args, &self.by_key, key).map(|i| self.raw_args[i].1)
    }

    pub fn arg(&self, key: &str) -> Option<&'a str> {
        self.raw_arg(key.as_bytes()).map(lossy)
    }

    /// os.Args of the run (empty if the writer recorded none, e.g. after a merge).
    pub fn os_args(&self) -> &[&'a str] {
        self.os_args.get_or_init(|| {
            let mut key = b"argv".to_vec();
            (0..self.argc)
                .map(|i| {
                    key.truncate(4);
                    key.extend_from_slice(i.to_string().as_bytes());
                    self.raw_arg(&key).map_or("", lossy)
                })
                .collect()
        })
    }

    pub fn goos(&self) -> Option<&'a str> {
        self.arg("GOOS")
    }

    pub fn goarch(&self) -> Option<&'a str> {
        self.arg("GOARCH")
    }

    /// The function records.
    pub fn funcs(&self) -> FuncCountersIter<'a> {
        FuncCountersIter {
            cur: Cursor::new(self.payload, self.payload_at),
            left: self.fcn_entries,
            flavor: self.header.flavor,
            big_endian: self.header.big_endian,
            expected_end: self.expected_end,
            done: false,
        }
    }

    /// Absolute offset just past the last record (scans every record).
    pub fn end(&self) -> Result<u64, FormatError> {
        records_end(self.funcs())
    }
}

/// Absolute offset just past the last of `records`.
fn records_end(mut records: FuncCountersIter<'_>) -> Result<u64, FormatError> {
    for r in records.by_ref() {
        r?;
    }
    Ok(records.cur.offset())
}

/// Key/value pairs of an args table, as stored.
type RawArgs<'a> = Vec<(&'a [u8], &'a [u8])>;

/// A string of the args table: Go takes any bytes there, so this decoder does too.
fn lossy(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("\u{FFFD}")
}

/// The position in `raw` of `key`, through `by_key` (indices of `raw` sorted by key).
fn find_arg(raw: &[(&[u8], &[u8])], by_key: &[u32], key: &[u8]) -> Option<usize> {
    by_key
        .binary_search_by(|&i| raw[i as usize].0.cmp(key))
        .ok()
        .map(|p| by_key[p] as usize)
}

/// The args table, and its indices sorted by key.
fn read_args<'a>(
    bytes: &'a [u8],
    base: u64,
    strtab: &[&'a [u8]],
) -> Result<(RawArgs<'a>, Vec<u32>), FormatError> {
    let mut cur = Cursor::new(bytes, base);
    let count_at = cur.offset();
    let count = cur.uleb32("args entry count")?;
    if count as usize > cur.remaining() / 2 {
        return Err(FormatError::new(
            count_at,
            "args entry count",
            Problem::OutOfRange {
                value: count.into(),
                limit: (cur.remaining() / 2) as u64,
            },
        ));
    }
    let lookup = |cur: &mut Cursor<'a>, field| {
        let at = cur.offset();
        let idx = cur.uleb32(field)?;
        strtab.get(idx as usize).copied().ok_or_else(|| {
            FormatError::new(
                at,
                field,
                Problem::OutOfRange {
                    value: idx.into(),
                    limit: strtab.len() as u64,
                },
            )
        })
    };
    let mut args: RawArgs<'a> = Vec::with_capacity(count as usize);
    let mut offsets = Vec::with_capacity(count as usize);
    for _ in 0..count {
        offsets.push(cur.offset());
        let k = lookup(&mut cur, "args key index")?;
        let v = lookup(&mut cur, "args value index")?;
        args.push((k, v));
    }
    // Sorting finds duplicates in n log n (a table can hold many thousands of entries); the
    // one reported is the first entry that repeats an earlier key.
    let mut by_key: Vec<u32> = (0..count).collect();
    by_key.sort_by(|&a, &b| args[a as usize].0.cmp(args[b as usize].0));
    let repeat = by_key
        .windows(2)
        .filter(|w| args[w[0] as usize].0 == args[w[1] as usize].0)
        .map(|w| w[1] as usize)
        .min();
    if let Some(j) = repeat {
        return Err(FormatError::new(
            offsets[j],
            "args key index",
            Problem::DuplicateKey(String::from_utf8_lossy(args[j].0).into_owned()),
        ));
    }
    Ok((args, by_key))
}

/// The number of os.Args the table records (0 without `argc`).
fn argc(raw: &[(&[u8], &[u8])], by_key: &[u32], at: u64) -> Result<usize, FormatError> {
    let Some(i) = find_arg(raw, by_key, b"argc") else {
        return Ok(0);
    };
    let argc = lossy(raw[i].1);
    // Missing argvN entries read as "" in Go, so argc is not bounded by the table; cap it by
    // the table size anyway so a corrupt value cannot drive a huge allocation.
    match argc.parse() {
        Ok(n) if n <= raw.len() => Ok(n),
        _ => Err(FormatError::new(
            at,
            "argc",
            Problem::Inconsistent(format!("malformed argc {argc:?}")),
        )),
    }
}

/// The counters of one executed function, still in the file's encoding.
#[derive(Debug, Clone, Copy)]
pub struct FuncCounters<'a> {
    pub pkg_idx: u32,
    pub func_idx: u32,
    pub counters: Counters<'a>,
    /// Absolute file offset of the record, for error messages.
    pub offset: u64,
}

/// A validated run of counter values; iterating cannot fail.
#[derive(Debug, Clone, Copy)]
pub struct Counters<'a> {
    bytes: &'a [u8],
    len: u32,
    encoding: Encoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// ULEB128 values that all fit in one byte.
    Byte,
    Uleb,
    RawLe,
    RawBe,
}

impl<'a> Counters<'a> {
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn iter(&self) -> CountersIter<'a> {
        CountersIter {
            bytes: self.bytes,
            left: self.len,
            encoding: self.encoding,
        }
    }

    /// Copy into a vector (for callers that want to keep them).
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }

    /// Call `f(&mut dst[i], self[i])` for each counter, decoding the run once rather than
    /// value by value (values beyond `dst.len()` are ignored). The decoder knows nothing of
    /// how counters combine: `f` is the caller's rule.
    #[inline(always)]
    pub fn zip_into(&self, dst: &mut [u32], mut f: impl FnMut(&mut u32, u32)) {
        match self.encoding {
            Encoding::Byte => {
                for (d, &b) in dst.iter_mut().zip(self.bytes) {
                    f(d, u32::from(b));
                }
            }
            Encoding::RawLe => {
                for (d, b) in dst.iter_mut().zip(self.bytes.chunks_exact(4)) {
                    f(d, u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                }
            }
            _ => {
                for (d, v) in dst.iter_mut().zip(self.iter()) {
                    f(d, v);
                }
            }
        }
    }
}

impl<'a> IntoIterator for Counters<'a> {
    type Item = u32;
    type IntoIter = CountersIter<'a>;
    fn into_iter(self) -> CountersIter<'a> {
        self.iter()
    }
}

/// Iterator over [`Counters`].
#[derive(Debug, Clone)]
pub struct CountersIter<'a> {
    bytes: &'a [u8],
    left: u32,
    encoding: Encoding,
}

impl Iterator for CountersIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let v = match self.encoding {
            Encoding::Byte => {
                let (&b, rest) = self.bytes.split_first()?;
                self.bytes = rest;
                u32::from(b)
            }
            Encoding::Uleb => {
                // Validated when the record was scanned.
                let (v, n) = uleb128::read_u32(self.bytes).unwrap_or((0, self.bytes.len()));
                self.bytes = &self.bytes[n..];
                v
            }
            Encoding::RawLe | Encoding::RawBe => {
                let (head, rest) = self.bytes.split_at(4.min(self.bytes.len()));
                self.bytes = rest;
                let b: [u8; 4] = head.try_into().unwrap_or_default();
                if self.encoding == Encoding::RawLe {
                    u32::from_le_bytes(b)
                } else {
                    u32::from_be_bytes(b)
                }
            }
        };
        Some(v)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for CountersIter<'_> {}

/// Iterator over a segment's function records; each record is validated as it is reached.
pub struct FuncCountersIter<'a> {
    cur: Cursor<'a>,
    left: u64,
    flavor: CounterFlavor,
    big_endian: bool,
    expected_end: Option<u64>,
    done: bool,
}

impl<'a> FuncCountersIter<'a> {
    #[inline]
    fn value(&mut self, field: &'static str) -> Result<u32, FormatError> {
        match self.flavor {
            CounterFlavor::Uleb128 => self.cur.uleb32(field),
            CounterFlavor::Raw => {
                let b: [u8; 4] = self.cur.array(field)?;
                Ok(if self.big_endian {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                })
            }
        }
    }

    /// Hand `f` each record, in order, that has the common shape (ULEB128, counter count and
    /// indices below 2^14, every counter below 128): its package index, function index,
    /// counters (one byte each) and absolute file offset. Stops before the first record of
    /// another shape, near the end of the records, or when `f` returns `false` (that record is
    /// left unconsumed); `next` then carries on from there, so the two together yield every
    /// record once.
    #[inline(always)]
    pub fn scan_byte_records(
        &mut self,
        mut f: impl FnMut(u32, u32, ByteCounters<'a>, u64) -> bool,
    ) {
        if self.flavor != CounterFlavor::Uleb128 || self.done {
            return;
        }
        let base = self.cur.offset();
        let data = self.cur.rest();
        let mut pos = 0usize;
        let mut left = self.left;
        while left > 0 {
            // The header's three values come out of one word, without a branch on how many
            // bytes each takes (one or two, unpredictably).
            let Some(head) = data.get(pos..pos + 8) else {
                break;
            };
            let w = u64::from_le_bytes([
                head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7],
            ]);
            let (n, l0, ok0) = short_uleb(w);
            let w = w >> (8 * l0);
            let (pkg_idx, l1, ok1) = short_uleb(w);
            let w = w >> (8 * l1);
            let (func_idx, l2, ok2) = short_uleb(w);
            if !(ok0 & ok1 & ok2) {
                break;
            }
            let p = pos + (l0 + l1 + l2) as usize;
            let n = n as usize;
            // A word must be readable from the first counter on (the final footer follows the
            // last record, so only a segment's last records can miss out).
            let Some(counters) = data.get(p..).and_then(|rest| ByteCounters::new(rest, n)) else {
                break;
            };
            if !counters.all_below_128() || !f(pkg_idx, func_idx, counters, base + pos as u64) {
                break;
            }
            pos = p + n;
            left -= 1;
        }
        self.cur.skip(pos);
        self.left = left;
    }

    fn record(&mut self) -> Result<FuncCounters<'a>, FormatError> {
        let offset = self.cur.offset();
        let n = self.value("counter count")?;
        let pkg_idx = self.value("package index")?;
        let func_idx = self.value("function index")?;
        let start = self.cur.pos();
        let rest = self.cur.rest();
        let encoding = match self.flavor {
            CounterFlavor::Uleb128 => {
                let n = n as usize;
                // Counters are mostly below 128, one byte each: check n bytes at once (an OR
                // the compiler vectorizes) before falling back to decoding value by value.
                if n <= rest.len() && rest[..n].is_ascii() {
                    self.cur.bytes(n as u64, "counter values")?;
                    Encoding::Byte
                } else {
                    // Find the end of n values: each ends with a byte whose top bit is clear.
                    let mut pos = 0usize;
                    for _ in 0..n {
                        match uleb128::read_u32(&rest[pos..]) {
                            Ok((_, used)) => pos += used,
                            Err(_) => {
                                self.cur.seek((start + pos) as u64, "counter value")?;
                                self.cur.uleb32("counter value")?;
                            }
                        }
                    }
                    self.cur.bytes(pos as u64, "counter values")?;
                    Encoding::Uleb
                }
            }
            CounterFlavor::Raw => {
                self.cur.bytes(u64::from(n) * 4, "counter values")?;
                if self.big_endian {
                    Encoding::RawBe
                } else {
                    Encoding::RawLe
                }
            }
        };
        Ok(FuncCounters {
            pkg_idx,
            func_idx,
            counters: Counters {
                bytes: &rest[..self.cur.pos() - start],
                len: n,
                encoding,
            },
            offset,
        })
    }
}

/// The first ULEB128 value in the low bytes of `w` if it takes one or two bytes: the value,
/// its length, and whether it was that short (if not, the value is meaningless).
#[inline(always)]
fn short_uleb(w: u64) -> (u32, u32, bool) {
    let b0 = (w & 0xff) as u32;
    let b1 = ((w >> 8) & 0xff) as u32;
    let two = b0 >> 7;
    let value = (b0 & 0x7f) | (((b1 & 0x7f) << 7) & 0u32.wrapping_sub(two));
    (value, 1 + two, two & (b1 >> 7) == 0)
}

/// The counters of a record whose values each take one byte (all below 128); up to eight of
/// them can also be had as one word.
#[derive(Debug, Clone, Copy)]
pub struct ByteCounters<'a> {
    bytes: &'a [u8],
    /// The first eight counters (fewer: zeros after the last) as a little-endian word.
    first: u64,
}

/// The top bit of every byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

impl<'a> ByteCounters<'a> {
    /// `rest` holds the counters and at least eight bytes in all.
    #[inline(always)]
    fn new(rest: &'a [u8], len: usize) -> Option<Self> {
        let bytes = rest.get(..len)?;
        let w = rest.get(..8)?;
        let raw = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let first = if len >= 8 {
            raw
        } else {
            raw & ((1u64 << (8 * len)) - 1)
        };
        Some(ByteCounters { bytes, first })
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// One byte per counter.
    #[inline(always)]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The first eight counters as the bytes of a little-endian word, zero past the last one
    /// (all of them when there are at most eight).
    #[inline(always)]
    pub fn first_word(&self) -> u64 {
        self.first
    }

    #[inline(always)]
    fn all_below_128(&self) -> bool {
        if self.bytes.len() <= 8 {
            self.first & HIGH_BITS == 0
        } else {
            self.bytes.is_ascii()
        }
    }
}

impl<'a> Iterator for FuncCountersIter<'a> {
    type Item = Result<FuncCounters<'a>, FormatError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.left == 0 {
            self.done = true;
            return match self.expected_end {
                Some(end) if end != self.cur.offset() => Some(Err(self.cur.err(
                    "function entry count",
                    Problem::Inconsistent(format!(
                        "records end at offset {} but the footer starts at {end}",
                        self.cur.offset()
                    )),
                ))),
                _ => None,
            };
        }
        self.left -= 1;
        let r = self.record();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}
