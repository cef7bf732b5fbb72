//! Interning string-table writer (of byte strings: os.Args need not be UTF-8): strings keep the index of their first insertion, and the table
//! is written in insertion order (a ULEB128 count, then length-prefixed bytes).

use std::collections::HashMap;

use super::{to_u32, EncodeError};
use crate::uleb128;

#[derive(Debug, Clone, Default)]
pub(crate) struct StringTableWriter {
    index: HashMap<Vec<u8>, u32>,
    strings: Vec<Vec<u8>>,
}

impl StringTableWriter {
    /// A table holding only the empty string at index 0, as every Go writer starts it.
    pub(crate) fn with_empty() -> Self {
        let mut t = StringTableWriter::default();
        t.intern(b"");
        t
    }

    pub(crate) fn intern(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        // More than u32::MAX distinct strings cannot be built in memory in practice; the
        // serialized size check in `write` reports anything absurd.
        let i = self.strings.len() as u32;
        self.index.insert(s.to_vec(), i);
        self.strings.push(s.to_vec());
        i
    }

    pub(crate) fn len(&self) -> usize {
        self.strings.len()
    }

    /// Serialized size in bytes.
    pub(crate) fn size(&self) -> usize {
        uleb128::encoded_len(self.strings.len() as u64)
            + self
                .strings
                .iter()
                .map(|s| uleb128::encoded_len(s.len() as u64) + s.len())
                .sum::<usize>()
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        to_u32("string table entry count", self.strings.len())?;
        uleb128::write(out, self.strings.len() as u64);
        for s in &self.strings {
            to_u32("string length", s.len())?;
            uleb128::write(out, s.len() as u64);
            out.extend_from_slice(s);
        }
        Ok(())
    }
}
