//! Meta-data: package blobs (`encodemeta.CoverageMetaDataBuilder`) and whole files
//! (`encodemeta.CoverageMetaFileWriter`).

use super::hash::{HashAlgo, Hasher128};
use super::strtab::StringTableWriter;
use super::{to_u32, EncodeError};
use crate::decode::meta::FuncDesc;
use crate::format::{
    CounterGranularity, CounterMode, MetaHash, META_FILE_HEADER_SIZE, META_FILE_VERSION,
    META_MAGIC, META_SYMBOL_HEADER_SIZE,
};
use crate::uleb128;

/// Builds one package's meta-data blob. Strings are interned in the order Go interns them
/// (`""`, path, name, module, then each function's name and file), so a package rebuilt from
/// its decoded functions is byte-identical to the blob the compiler emitted.
#[derive(Debug, Clone)]
pub struct PackageBuilder {
    strtab: StringTableWriter,
    hasher: Hasher128,
    path: u32,
    name: u32,
    module: u32,
    /// Encoded function descriptions, back to back.
    body: Vec<u8>,
    /// Start of each function within `body`.
    starts: Vec<usize>,
}

impl PackageBuilder {
    pub fn new(
        algo: HashAlgo,
        pkg_path: &str,
        pkg_name: &str,
        module_path: &str,
    ) -> Result<Self, EncodeError> {
        if pkg_path.is_empty() {
            return Err(EncodeError::EmptyPackagePath);
        }
        let mut strtab = StringTableWriter::with_empty();
        let path = strtab.intern(pkg_path.as_bytes());
        let name = strtab.intern(pkg_name.as_bytes());
        let module = strtab.intern(module_path.as_bytes());
        let mut hasher = Hasher128::new(algo);
        hasher.update(pkg_path.as_bytes());
        hasher.update(pkg_name.as_bytes());
        hasher.update(module_path.as_bytes());
        Ok(PackageBuilder {
            strtab,
            hasher,
            path,
            name,
            module,
            body: Vec::new(),
            starts: Vec::new(),
        })
    }

    /// Append a function; returns its index in the package.
    pub fn add_func(&mut self, f: &FuncDesc<'_>) -> u32 {
        hash_func_into(&mut self.hasher, f);
        let idx = self.starts.len() as u32;
        self.starts.push(self.body.len());
        let out = &mut self.body;
        uleb128::write(out, f.units.len() as u64);
        uleb128::write(out, u64::from(self.strtab.intern(f.name.as_bytes())));
        uleb128::write(out, u64::from(self.strtab.intern(f.file.as_bytes())));
        for u in &f.units {
            for v in [
                u.start_line,
                u.start_col,
                u.end_line,
                u.end_col,
                u.num_stmts,
            ] {
                uleb128::write(out, u64::from(v));
            }
        }
        uleb128::write(out, u64::from(f.literal));
        idx
    }

    pub fn num_funcs(&self) -> u32 {
        self.starts.len() as u32
    }

    /// The finished blob: header (with the package hash), function offsets, string table,
    /// functions.
    pub fn finish(self) -> Result<Vec<u8>, EncodeError> {
        let nfuncs = self.starts.len();
        let strtab_size = self.strtab.size();
        let funcs_start = META_SYMBOL_HEADER_SIZE + 4 * nfuncs + strtab_size;
        let total = funcs_start + self.body.len();
        let length = to_u32("package blob length", total)?;
        let num_funcs = to_u32("function count", nfuncs)?;
        let num_strings = to_u32("package string count", self.strtab.len())?;
        let hash = self.hasher.finish();

        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&self.name.to_le_bytes());
        out.extend_from_slice(&self.path.to_le_bytes());
        out.extend_from_slice(&self.module.to_le_bytes());
        out.extend_from_slice(&hash);
        out.extend_from_slice(&[0; 4]);
        // Go records the string count here under the name "NumFiles".
        out.extend_from_slice(&num_strings.to_le_bytes());
        out.extend_from_slice(&num_funcs.to_le_bytes());
        for &s in &self.starts {
            // funcs_start + s <= total, which fits in u32.
            out.extend_from_slice(&((funcs_start + s) as u32).to_le_bytes());
        }
        self.strtab.write(&mut out)?;
        out.extend_from_slice(&self.body);
        debug_assert_eq!(out.len(), total);
        Ok(out)
    }
}

fn hash_func_into(h: &mut Hasher128, f: &FuncDesc<'_>) {
    h.update(f.name.as_bytes());
    h.update(f.file.as_bytes());
    for u in &f.units {
        for v in [
            u.start_line,
            u.start_col,
            u.end_line,
            u.end_col,
            u.num_stmts,
        ] {
            h.update_u32_le(v);
        }
    }
    h.update_u32_le(u32::from(f.literal));
}

/// A function's identity hash (`encodemeta.HashFuncDesc`): name, file, units, literal flag.
pub fn func_hash(algo: HashAlgo, f: &FuncDesc<'_>) -> [u8; 16] {
    let mut h = Hasher128::new(algo);
    hash_func_into(&mut h, f);
    h.finish()
}

/// The hash `covdata merge` gives a meta-data file it writes: the hash of the concatenated
/// hashes of the package blobs. (The runtime's own hash also covers mode and granularity, so a
/// rewritten file never takes the name of the file it came from.)
pub fn meta_file_hash<B: AsRef<[u8]>>(algo: HashAlgo, blobs: &[B]) -> MetaHash {
    let mut h = Hasher128::new(algo);
    for blob in blobs {
        h.update(&Hasher128::digest(algo, blob.as_ref()));
    }
    MetaHash(h.finish())
}

/// A whole meta-data file: header, package offsets and lengths, the (empty) file-level string
/// table, then the blobs in order.
pub fn write_meta_file<B: AsRef<[u8]>>(
    blobs: &[B],
    hash: MetaHash,
    mode: CounterMode,
    granularity: CounterGranularity,
) -> Result<Vec<u8>, EncodeError> {
    let strtab = StringTableWriter::with_empty();
    let strtab_size = strtab.size();
    let strtab_offset = META_FILE_HEADER_SIZE + 16 * blobs.len();
    let preamble = strtab_offset + strtab_size;
    let total = preamble + blobs.iter().map(|b| b.as_ref().len()).sum::<usize>();

    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&META_MAGIC);
    out.extend_from_slice(&META_FILE_VERSION.to_le_bytes());
    out.extend_from_slice(&(total as u64).to_le_bytes());
    out.extend_from_slice(&(blobs.len() as u64).to_le_bytes());
    out.extend_from_slice(&hash.0);
    out.extend_from_slice(&to_u32("string table offset", strtab_offset)?.to_le_bytes());
    out.extend_from_slice(&to_u32("string table length", strtab_size)?.to_le_bytes());
    out.push(mode as u8);
    out.push(granularity as u8);
    out.extend_from_slice(&[0; 6]);
    let mut off = preamble as u64;
    for b in blobs {
        out.extend_from_slice(&off.to_le_bytes());
        off += b.as_ref().len() as u64;
    }
    for b in blobs {
        out.extend_from_slice(&(b.as_ref().len() as u64).to_le_bytes());
    }
    strtab.write(&mut out)?;
    for b in blobs {
        out.extend_from_slice(b.as_ref());
    }
    debug_assert_eq!(out.len(), total);
    Ok(out)
}
