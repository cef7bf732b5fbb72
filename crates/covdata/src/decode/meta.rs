//! Meta-data files (`covmeta.<hash>`): a header, tables of package offsets and lengths, a
//! file-level string table, then one self-contained blob per package (its own header, function
//! offsets, string table and function descriptions).

use crate::decode::cursor::{count_within, index_below, Cursor};
use crate::error::{FormatError, Problem};
use crate::format::{
    meta_header, package_header, CounterGranularity, CounterMode, CoverableUnit, MetaHash,
    META_FILE_HEADER_SIZE, META_FILE_VERSION, META_MAGIC, META_SYMBOL_HEADER_SIZE,
};
use crate::stringtab::StringTable;

/// String `idx` of `strtab`, the index having been read at `at`.
fn string<'a>(
    strtab: &StringTable<'a>,
    idx: u32,
    at: u64,
    field: &'static str,
) -> Result<&'a str, FormatError> {
    index_below(idx.into(), strtab.len() as u64, at, field)?;
    Ok(strtab.get(idx).unwrap_or_default())
}

/// The fixed header of a meta-data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaFileHeader {
    pub version: u32,
    pub total_length: u64,
    pub num_packages: u64,
    pub hash: MetaHash,
    pub strtab_offset: u32,
    pub strtab_len: u32,
    pub mode: CounterMode,
    pub granularity: CounterGranularity,
}

/// A parsed view of a whole meta-data file.
#[derive(Debug, Clone)]
pub struct MetaFile<'a> {
    data: &'a [u8],
    header: MetaFileHeader,
    /// `num_packages` little-endian u64 offsets, then as many lengths.
    offsets: &'a [u8],
    lengths: &'a [u8],
    strtab: StringTable<'a>,
}

impl<'a> MetaFile<'a> {
    /// Parse the header, the package tables and the file-level string table, checking that
    /// every package blob lies inside `data`.
    pub fn parse(data: &'a [u8]) -> Result<Self, FormatError> {
        let mut cur = Cursor::new(data, 0);
        let magic: [u8; 4] = cur.array("magic")?;
        if magic != META_MAGIC {
            return Err(FormatError::new(
                meta_header::MAGIC,
                "magic",
                Problem::BadMagic {
                    found: magic,
                    expected: "coverage meta-data",
                },
            ));
        }
        let (version, version_at) = cur.u32_le_at("version")?;
        if version > META_FILE_VERSION {
            return Err(FormatError::new(
                version_at,
                "version",
                Problem::UnsupportedVersion {
                    found: version,
                    supported: META_FILE_VERSION,
                },
            ));
        }
        let total_length = cur.u64_le("total length")?;
        let num_packages = cur.u64_le("package count")?;
        let hash = MetaHash(cur.array("meta-data hash")?);
        let strtab_offset = cur.u32_le("string table offset")?;
        let strtab_len = cur.u32_le("string table length")?;
        let mode_byte = cur.u8("counter mode")?;
        let gran_byte = cur.u8("counter granularity")?;
        cur.bytes(6, "header padding")?;
        debug_assert_eq!(cur.offset(), META_FILE_HEADER_SIZE as u64);

        // The writer records the exact file size; a mismatch means truncation or corruption and
        // is the clearest thing to report.
        if total_length != data.len() as u64 {
            return Err(FormatError::new(
                meta_header::TOTAL_LENGTH,
                "total length",
                Problem::Inconsistent(format!(
                    "header says {total_length} bytes, the file has {}",
                    data.len()
                )),
            ));
        }
        let mode = CounterMode::from_u8(mode_byte).ok_or_else(|| {
            FormatError::new(
                meta_header::COUNTER_MODE,
                "counter mode",
                Problem::InvalidValue(mode_byte.into()),
            )
        })?;
        let granularity = CounterGranularity::from_u8(gran_byte).ok_or_else(|| {
            FormatError::new(
                meta_header::COUNTER_GRANULARITY,
                "counter granularity",
                Problem::InvalidValue(gran_byte.into()),
            )
        })?;
        count_within(
            num_packages,
            (cur.remaining() / 16) as u64,
            meta_header::PACKAGE_COUNT,
            "package count",
        )?;
        let offsets = cur.bytes(num_packages * 8, "package offsets")?;
        let lengths = cur.bytes(num_packages * 8, "package lengths")?;
        // Go reads the file-level string table right after the tables, whatever the recorded
        // offset says; so do we.
        let strtab_start = cur.offset();
        let strtab_bytes = cur
            .bytes(u64::from(strtab_len), "string table")
            .map_err(|e| {
                let at = meta_header::STRING_TABLE_LENGTH;
                FormatError::new(at, "string table length", e.problem)
            })?;
        let strtab = StringTable::read(&mut Cursor::new(strtab_bytes, strtab_start))?;

        let file = MetaFile {
            data,
            header: MetaFileHeader {
                version,
                total_length,
                num_packages,
                hash,
                strtab_offset,
                strtab_len,
                mode,
                granularity,
            },
            offsets,
            lengths,
            strtab,
        };
        // Writers lay the blobs out back to back, in table order. Requiring that keeps every
        // byte in at most one package, so what is decoded from the file (and the per-function
        // tables callers size by it) stays proportional to the file's size: overlapping blobs
        // would let a small file declare billions of functions.
        let mut end = cur.offset();
        for i in 0..file.num_packages() {
            let (off, len) = file.package_range(i)?;
            if off < end {
                return Err(FormatError::new(
                    package_offset_entry(i),
                    "package offset",
                    Problem::Inconsistent(format!(
                        "package {i} starts at {off}, inside the preamble or the previous \
                         package (which ends at {end})"
                    )),
                ));
            }
            end = off + len;
        }
        Ok(file)
    }

    pub fn header(&self) -> &MetaFileHeader {
        &self.header
    }

    pub fn hash(&self) -> MetaHash {
        self.header.hash
    }

    pub fn counter_mode(&self) -> CounterMode {
        self.header.mode
    }

    pub fn granularity(&self) -> CounterGranularity {
        self.header.granularity
    }

    pub fn num_packages(&self) -> u32 {
        // parse() bounded the count by the file size / 16, so it fits.
        self.header.num_packages as u32
    }

    /// The file-level string table (empty in files the Go runtime writes).
    pub fn strings(&self) -> &StringTable<'a> {
        &self.strtab
    }

    fn package_range(&self, idx: u32) -> Result<(u64, u64), FormatError> {
        let i = idx as usize * 8;
        let off = u64::from_le_bytes(self.offsets[i..i + 8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(self.lengths[i..i + 8].try_into().unwrap_or_default());
        let table_at = package_offset_entry(idx);
        let size = self.data.len() as u64;
        if off > size {
            return Err(FormatError::new(
                table_at,
                "package offset",
                Problem::OutOfRange {
                    value: off,
                    limit: size,
                },
            ));
        }
        if len > size - off {
            return Err(FormatError::new(
                table_at + self.offsets.len() as u64,
                "package length",
                Problem::OutOfRange {
                    value: len,
                    limit: size - off,
                },
            ));
        }
        Ok((off, len))
    }

    /// The raw blob of package `idx`, as it appears in the file.
    pub fn package_bytes(&self, idx: u32) -> Result<&'a [u8], FormatError> {
        let count = self.num_packages().into();
        index_below(
            idx.into(),
            count,
            meta_header::PACKAGE_COUNT,
            "package count",
        )?;
        let (off, len) = self.package_range(idx)?;
        Ok(&self.data[off as usize..(off + len) as usize])
    }

    /// Decode the header and string table of package `idx`.
    pub fn package(&self, idx: u32) -> Result<PackageMeta<'a>, FormatError> {
        let bytes = self.package_bytes(idx)?;
        let (off, _) = self.package_range(idx)?;
        PackageMeta::parse(bytes, off)
    }

    /// Every package, in file order (the order their init functions run).
    pub fn packages(&self) -> impl Iterator<Item = Result<PackageMeta<'a>, FormatError>> + '_ {
        (0..self.num_packages()).map(move |i| self.package(i))
    }
}

/// The fixed header of one package's blob (`MetaSymbolHeader`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageHeader {
    pub length: u32,
    pub pkg_name: u32,
    pub pkg_path: u32,
    pub module_path: u32,
    pub hash: MetaHash,
    pub num_files: u32,
    pub num_funcs: u32,
}

/// One package's meta-data: names, and random access to its functions.
#[derive(Debug, Clone)]
pub struct PackageMeta<'a> {
    blob: &'a [u8],
    /// Absolute offset of the blob in its file, for error messages.
    base: u64,
    header: PackageHeader,
    strtab: StringTable<'a>,
    name: &'a str,
    path: &'a str,
    module_path: &'a str,
}

/// A function's description; its units are read into a caller-supplied buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FuncDesc<'a> {
    pub name: &'a str,
    pub file: &'a str,
    /// A function literal (closure).
    pub literal: bool,
    pub units: Vec<CoverableUnit>,
}

impl<'a> PackageMeta<'a> {
    /// Parse a stand-alone package blob whose first byte sits at file offset `base`.
    pub fn parse(blob: &'a [u8], base: u64) -> Result<Self, FormatError> {
        let mut cur = Cursor::new(blob, base);
        let length = cur.u32_le("package blob length")?;
        let pkg_name = cur.u32_le("package name index")?;
        let pkg_path = cur.u32_le("package path index")?;
        let module_path = cur.u32_le("module path index")?;
        let hash = MetaHash(cur.array("package hash")?);
        cur.bytes(4, "package header padding")?;
        let num_files = cur.u32_le("package string count")?;
        let num_funcs = cur.u32_le("function count")?;
        if u64::from(length) != blob.len() as u64 {
            return Err(FormatError::new(
                base + package_header::LENGTH,
                "package blob length",
                Problem::Inconsistent(format!(
                    "blob header says {length} bytes, the package table says {}",
                    blob.len()
                )),
            ));
        }
        count_within(
            num_funcs.into(),
            (cur.remaining() / 4) as u64,
            base + package_header::FUNCTION_COUNT,
            "function count",
        )?;
        cur.bytes(u64::from(num_funcs) * 4, "function offsets")?;
        let strtab = StringTable::read(&mut cur)?;
        let field = |at: u64, name| (base + at, name);
        let lookup = |idx, (at, name)| string(&strtab, idx, at, name);
        let name = lookup(pkg_name, field(package_header::NAME, "package name index"))?;
        let path = lookup(pkg_path, field(package_header::PATH, "package path index"))?;
        let module = lookup(
            module_path,
            field(package_header::MODULE_PATH, "module path index"),
        )?;
        Ok(PackageMeta {
            blob,
            base,
            header: PackageHeader {
                length,
                pkg_name,
                pkg_path,
                module_path,
                hash,
                num_files,
                num_funcs,
            },
            strtab,
            name,
            path,
            module_path: module,
        })
    }

    pub fn header(&self) -> &PackageHeader {
        &self.header
    }

    /// The package's import path.
    pub fn path(&self) -> &'a str {
        self.path
    }

    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The module path (empty for packages outside a module).
    pub fn module_path(&self) -> &'a str {
        self.module_path
    }

    pub fn num_funcs(&self) -> u32 {
        self.header.num_funcs
    }

    pub fn strings(&self) -> &StringTable<'a> {
        &self.strtab
    }

    /// The raw blob, as stored in the meta-data file.
    pub fn bytes(&self) -> &'a [u8] {
        self.blob
    }

    /// Decode function `idx` into `out`, reusing its unit buffer.
    pub fn read_func(&self, idx: u32, out: &mut FuncDesc<'a>) -> Result<(), FormatError> {
        let table_pos = META_SYMBOL_HEADER_SIZE as u64 + 4 * u64::from(idx);
        let count_at = self.base + package_header::FUNCTION_COUNT;
        let num_funcs = self.header.num_funcs.into();
        index_below(idx.into(), num_funcs, count_at, "function count")?;
        let mut cur = Cursor::new(self.blob, self.base);
        cur.seek(table_pos, "function offset")?;
        let foff = cur.u32_le("function offset")?;
        let first_legal = table_pos + 4;
        if u64::from(foff) < first_legal || u64::from(foff) >= self.blob.len() as u64 {
            return Err(FormatError::new(
                self.base + table_pos,
                "function offset",
                Problem::OutOfRange {
                    value: foff.into(),
                    limit: self.blob.len() as u64,
                },
            ));
        }
        // A description ends where the next one starts (writers emit them back to back), so
        // no byte is decoded for two functions and the units read stay bounded by the blob.
        let end = if idx + 1 < self.header.num_funcs {
            let next_at = table_pos + 4;
            let next = cur.u32_le("function offset")?;
            if next <= foff {
                return Err(FormatError::new(
                    self.base + next_at,
                    "function offset",
                    Problem::Inconsistent(format!(
                        "function {} starts at {next}, not after function {idx} (at {foff})",
                        idx + 1
                    )),
                ));
            }
            u64::from(next).min(self.blob.len() as u64) as usize
        } else {
            self.blob.len()
        };
        let mut cur = Cursor::new(&self.blob[..end], self.base);
        cur.seek(foff.into(), "function offset")?;
        let (num_units, count_at) = cur.uleb32_at("unit count")?;
        let (name_idx, name_at) = cur.uleb32_at("function name index")?;
        let (file_idx, file_at) = cur.uleb32_at("source file index")?;
        out.name = string(&self.strtab, name_idx, name_at, "function name index")?;
        out.file = string(&self.strtab, file_idx, file_at, "source file index")?;
        // Each unit takes at least five bytes; bound the reservation by what is there.
        let max_units = (cur.remaining() / 5) as u64;
        count_within(num_units.into(), max_units, count_at, "unit count")?;
        out.units.clear();
        out.units.reserve(num_units as usize);
        for _ in 0..num_units {
            out.units.push(CoverableUnit {
                start_line: cur.uleb32("unit start line")?,
                start_col: cur.uleb32("unit start column")?,
                end_line: cur.uleb32("unit end line")?,
                end_col: cur.uleb32("unit end column")?,
                num_stmts: cur.uleb32("unit statement count")?,
            });
        }
        let (literal, lit_at) = cur.uleb32_at("function literal flag")?;
        out.literal = match literal {
            0 => false,
            1 => true,
            v => {
                return Err(FormatError::new(
                    lit_at,
                    "function literal flag",
                    Problem::InvalidValue(v.into()),
                ))
            }
        };
        Ok(())
    }

    /// Decode function `idx` into a fresh description.
    pub fn func(&self, idx: u32) -> Result<FuncDesc<'a>, FormatError> {
        let mut f = FuncDesc::default();
        self.read_func(idx, &mut f)?;
        Ok(f)
    }

    /// Every function, in index order (allocates one unit vector per function; use
    /// [`PackageMeta::read_func`] in hot loops).
    pub fn funcs(&self) -> impl Iterator<Item = Result<FuncDesc<'a>, FormatError>> + '_ {
        (0..self.header.num_funcs).map(move |i| self.func(i))
    }
}

/// Offset of package `idx`'s entry in the table of package offsets (the table of lengths
/// follows it).
fn package_offset_entry(idx: u32) -> u64 {
    META_FILE_HEADER_SIZE as u64 + 8 * u64::from(idx)
}
