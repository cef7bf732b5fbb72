//! Counter-data files (`encodecounter.CoverageDataWriter`).

use super::strtab::StringTableWriter;
use super::{to_u32, EncodeError};
use crate::format::{
    CounterFlavor, MetaHash, COUNTER_FILE_HEADER_SIZE, COUNTER_FILE_VERSION, COUNTER_MAGIC,
    COUNTER_SEGMENT_HEADER_SIZE,
};
use crate::uleb128;

/// Writes a counter-data file: the header, then one or more segments, each followed by a
/// footer carrying the running segment count (Go's layout; readers take the count from the
/// last footer and step over the others).
#[derive(Debug, Clone)]
pub struct CounterFileWriter {
    out: Vec<u8>,
    flavor: CounterFlavor,
    segments: u32,
}

impl CounterFileWriter {
    /// Start a file whose counters belong to the meta-data file with hash `meta_hash`.
    /// Values are always little-endian, as every Go writer emits them.
    pub fn new(meta_hash: MetaHash, flavor: CounterFlavor) -> Self {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(&COUNTER_MAGIC);
        out.extend_from_slice(&COUNTER_FILE_VERSION.to_le_bytes());
        out.extend_from_slice(&meta_hash.0);
        out.push(flavor as u8);
        out.push(0); // big-endian: no
        out.extend_from_slice(&[0; 6]);
        debug_assert_eq!(out.len(), COUNTER_FILE_HEADER_SIZE);
        CounterFileWriter {
            out,
            flavor,
            segments: 0,
        }
    }

    /// Append a segment. `args` is the args table (`argc`, `argv0`…, `GOOS`, `GOARCH`); its
    /// strings are interned in the order given and its pairs written sorted by key, as Go
    /// does. Keys and values are byte strings (os.Args need not be UTF-8). `funcs` yields `(package index, function index, counters)` in the order to write.
    pub fn append_segment<K, V, C>(
        &mut self,
        args: impl IntoIterator<Item = (K, V)>,
        funcs: impl IntoIterator<Item = (u32, u32, C)>,
    ) -> Result<(), EncodeError>
    where
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
        C: AsRef<[u32]>,
    {
        let mut pairs: Vec<(K, V)> = args.into_iter().collect();
        let mut strtab = StringTableWriter::with_empty();
        for (k, v) in &pairs {
            strtab.intern(k.as_ref());
            strtab.intern(v.as_ref());
        }
        pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        if let Some(w) = pairs
            .windows(2)
            .find(|w| w[0].0.as_ref() == w[1].0.as_ref())
        {
            return Err(EncodeError::DuplicateArg(
                String::from_utf8_lossy(w[0].0.as_ref()).into_owned(),
            ));
        }

        let out = &mut self.out;
        let seg_start = out.len();
        out.extend_from_slice(&[0; COUNTER_SEGMENT_HEADER_SIZE]);
        let strtab_start = out.len();
        strtab.write(out)?;
        let args_start = out.len();
        uleb128::write(out, pairs.len() as u64);
        for (k, v) in &pairs {
            uleb128::write(out, u64::from(strtab.intern(k.as_ref())));
            uleb128::write(out, u64::from(strtab.intern(v.as_ref())));
        }
        // The preamble is padded to a multiple of 4 bytes from the segment start, inside the
        // args length, as Go's writer does (for the first segment, which starts at 32, that is
        // also the file's 4-byte boundary).
        while (out.len() - seg_start) % 4 != 0 {
            out.push(0);
        }
        let args_len = out.len() - args_start;

        let mut entries: u64 = 0;
        for (pkg, func, counters) in funcs {
            let counters = counters.as_ref();
            let n = to_u32("counter count", counters.len())?;
            entries += 1;
            match self.flavor {
                CounterFlavor::Uleb128 => {
                    for v in [n, pkg, func].into_iter().chain(counters.iter().copied()) {
                        uleb128::write(out, u64::from(v));
                    }
                }
                CounterFlavor::Raw => {
                    for v in [n, pkg, func].into_iter().chain(counters.iter().copied()) {
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }

        let strtab_len = to_u32("segment string table length", args_start - strtab_start)?;
        let args_len = to_u32("segment args length", args_len)?;
        let hdr = &mut out[seg_start..seg_start + COUNTER_SEGMENT_HEADER_SIZE];
        hdr[0..8].copy_from_slice(&entries.to_le_bytes());
        hdr[8..12].copy_from_slice(&strtab_len.to_le_bytes());
        hdr[12..16].copy_from_slice(&args_len.to_le_bytes());

        self.segments += 1;
        out.extend_from_slice(&COUNTER_MAGIC);
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&self.segments.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        Ok(())
    }

    /// Segments appended so far.
    pub fn num_segments(&self) -> u32 {
        self.segments
    }

    /// The file's bytes. A file needs at least one segment to be readable; a writer with none
    /// gets an empty one (no args, no functions).
    pub fn finish(mut self) -> Vec<u8> {
        if self.segments == 0 {
            // Cannot fail: no strings, no counters.
            let _ = self.append_segment(
                std::iter::empty::<(&str, &str)>(),
                std::iter::empty::<(u32, u32, &[u32])>(),
            );
        }
        self.out
    }
}
