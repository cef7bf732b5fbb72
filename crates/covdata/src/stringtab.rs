//! String tables: a ULEB128 count, then each string as a ULEB128 length and its bytes. Meta-data
//! files carry one per file and one per package; counter-data segments carry one for the args.

use crate::decode::cursor::Cursor;
use crate::error::{FormatError, Problem};

/// A decoded string table; the strings borrow the file's bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringTable<'a> {
    strings: Vec<&'a str>,
}

impl<'a> StringTable<'a> {
    pub(crate) fn read(cur: &mut Cursor<'a>) -> Result<Self, FormatError> {
        let count_at = cur.offset();
        let count = cur.uleb32("string table entry count")?;
        // Every entry takes at least its one-byte length, so a count beyond the remaining bytes
        // is corrupt; checking first keeps the allocation bounded by the file size.
        if count as usize > cur.remaining() {
            return Err(FormatError::new(
                count_at,
                "string table entry count",
                Problem::OutOfRange {
                    value: u64::from(count),
                    limit: cur.remaining() as u64,
                },
            ));
        }
        let mut strings = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let len = cur.uleb32("string length")?;
            strings.push(cur.str(u64::from(len), "string bytes")?);
        }
        Ok(StringTable { strings })
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    pub fn get(&self, idx: u32) -> Option<&'a str> {
        self.strings.get(idx as usize).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.strings.iter().copied()
    }
}
