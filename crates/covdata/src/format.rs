//! Constants and small types of the on-disk formats (`internal/coverage/defs.go`), shared by the
//! decoder and the encoder.

use std::fmt;

/// Magic of a meta-data file: `\0cvm`.
pub const META_MAGIC: [u8; 4] = [0x00, 0x63, 0x76, 0x6d];
/// Magic of a counter-data file and of its footer: `\0cwm`.
pub const COUNTER_MAGIC: [u8; 4] = [0x00, 0x63, 0x77, 0x6d];
/// Newest meta-data file version (the same from Go 1.20 to 1.27).
pub const META_FILE_VERSION: u32 = 1;
/// Newest counter-data file version.
pub const COUNTER_FILE_VERSION: u32 = 1;

/// Size of the meta-data file header: magic, version, total length, entries, hash,
/// string-table offset and length, mode, granularity, 6 bytes of padding.
pub const META_FILE_HEADER_SIZE: usize = 56;
/// Size of a package blob's header (`MetaSymbolHeader`, `CovMetaHeaderSize` in Go).
pub const META_SYMBOL_HEADER_SIZE: usize = 44;
/// Size of a counter-data file header: magic, version, meta hash, flavor, endianness, padding.
pub const COUNTER_FILE_HEADER_SIZE: usize = 32;
/// Size of a counter segment header: function entries, string-table and args lengths.
pub const COUNTER_SEGMENT_HEADER_SIZE: usize = 16;
/// Size of the counter-data footer: magic, padding, segment count, padding.
pub const COUNTER_FOOTER_SIZE: usize = 16;

/// Offsets of the fields of a meta-data file's header (`coverage.MetaFileHeader`).
pub mod meta_header {
    pub const MAGIC: u64 = 0;
    pub const VERSION: u64 = 4;
    pub const TOTAL_LENGTH: u64 = 8;
    /// The number of packages (`Entries`).
    pub const PACKAGE_COUNT: u64 = 16;
    pub const META_HASH: u64 = 24;
    pub const STRING_TABLE_OFFSET: u64 = 40;
    pub const STRING_TABLE_LENGTH: u64 = 44;
    pub const COUNTER_MODE: u64 = 48;
    pub const COUNTER_GRANULARITY: u64 = 49;
    pub const PADDING: u64 = 50;
}

/// Offsets of the fields of a package blob's header (`coverage.MetaSymbolHeader`), from the
/// start of the blob.
pub mod package_header {
    pub const LENGTH: u64 = 0;
    pub const NAME: u64 = 4;
    pub const PATH: u64 = 8;
    pub const MODULE_PATH: u64 = 12;
    pub const HASH: u64 = 16;
    pub const PADDING: u64 = 32;
    pub const FILE_COUNT: u64 = 36;
    pub const FUNCTION_COUNT: u64 = 40;
}

/// Offsets of the fields of a counter-data file's header (`coverage.CounterFileHeader`).
pub mod counter_header {
    pub const MAGIC: u64 = 0;
    pub const VERSION: u64 = 4;
    pub const META_HASH: u64 = 8;
    pub const FLAVOR: u64 = 24;
    pub const BIG_ENDIAN: u64 = 25;
    pub const PADDING: u64 = 26;
}

pub const META_FILE_PREFIX: &str = "covmeta";
pub const COUNTER_FILE_PREFIX: &str = "covcounters";
/// The list of per-package meta-data files `go test -coverpkg` copies into a test's coverdir.
pub const META_FILES_LIST: &str = "metafiles.txt";

/// The 16-byte hash naming a program's meta-data; counter files refer to it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MetaHash(pub [u8; 16]);

impl fmt::Display for MetaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for MetaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MetaHash({self})")
    }
}

/// How the instrumented program counted. Go also defines the pseudo-modes `regonly` and
/// `testmain`, which never appear in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum CounterMode {
    Set = 1,
    Count = 2,
    Atomic = 3,
}

impl CounterMode {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(CounterMode::Set),
            2 => Some(CounterMode::Count),
            3 => Some(CounterMode::Atomic),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CounterMode::Set => "set",
            CounterMode::Count => "count",
            CounterMode::Atomic => "atomic",
        }
    }
}

impl fmt::Display for CounterMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One counter per basic block (what `go build -cover` uses) or one per function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CounterGranularity {
    PerBlock = 1,
    PerFunc = 2,
}

impl CounterGranularity {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(CounterGranularity::PerBlock),
            2 => Some(CounterGranularity::PerFunc),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CounterGranularity::PerBlock => "perblock",
            CounterGranularity::PerFunc => "perfunc",
        }
    }
}

impl fmt::Display for CounterGranularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How counter payloads are stored: every value a `u32` (in the file's byte order), or every
/// value ULEB128 (what the Go runtime writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CounterFlavor {
    Raw = 1,
    Uleb128 = 2,
}

impl CounterFlavor {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(CounterFlavor::Raw),
            2 => Some(CounterFlavor::Uleb128),
            _ => None,
        }
    }
}

/// A coverable unit of a function as the meta-data records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CoverableUnit {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
    pub num_stmts: u32,
}
