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
        let count = read_count(cur)?;
        let mut strings = Vec::with_capacity(count);
        for _ in 0..count {
            let len = cur.uleb32("string length")?;
            strings.push(cur.str(u64::from(len), "string bytes")?);
        }
        Ok(StringTable { strings })
    }

    /// The strings as raw bytes, for tables whose strings need not be UTF-8 (a run's
    /// os.Args can hold any bytes).
    pub(crate) fn read_raw(cur: &mut Cursor<'a>) -> Result<Vec<&'a [u8]>, FormatError> {
        let count = read_count(cur)?;
        let mut strings = Vec::with_capacity(count);
        for _ in 0..count {
            let len = cur.uleb32("string length")?;
            strings.push(cur.bytes(u64::from(len), "string bytes")?);
        }
        Ok(strings)
    }

    /// A table of raw strings, those that are not UTF-8 shown as `"\u{FFFD}"`.
    pub(crate) fn from_lossy(raw: &[&'a [u8]]) -> Self {
        StringTable {
            strings: raw
                .iter()
                .map(|b| std::str::from_utf8(b).unwrap_or("\u{FFFD}"))
                .collect(),
        }
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

/// The entry count, checked against the bytes left: every entry takes at least its one-byte
/// length, which keeps the allocation bounded by the file size.
fn read_count(cur: &mut Cursor<'_>) -> Result<usize, FormatError> {
    let count_at = cur.offset();
    let count = cur.uleb32("string table entry count")?;
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
    Ok(count as usize)
}
