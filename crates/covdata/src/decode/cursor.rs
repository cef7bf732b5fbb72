//! A bounds-checked reader over a byte slice that knows the absolute file offset of its
//! position, so every error can say where it happened.

use crate::error::{FormatError, Problem};
use crate::uleb128::{self, UlebError};

#[derive(Clone)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Absolute file offset of `data[0]`.
    base: u64,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64) -> Self {
        Cursor { data, pos: 0, base }
    }

    #[inline]
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    #[inline]
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    pub(crate) fn err(&self, field: &'static str, problem: Problem) -> FormatError {
        FormatError::new(self.offset(), field, problem)
    }

    fn truncated(&self, field: &'static str, needed: u64) -> FormatError {
        self.err(
            field,
            Problem::Truncated {
                needed,
                available: self.remaining() as u64,
            },
        )
    }

    /// Move to `pos` (relative to the start of the slice).
    pub(crate) fn seek(&mut self, pos: u64, field: &'static str) -> Result<(), FormatError> {
        if pos > self.data.len() as u64 {
            return Err(self.err(
                field,
                Problem::OutOfRange {
                    value: self.base + pos,
                    limit: self.base + self.data.len() as u64,
                },
            ));
        }
        self.pos = pos as usize;
        Ok(())
    }

    /// Advance by `n` bytes the caller has checked are there.
    #[inline]
    pub(crate) fn skip(&mut self, n: usize) {
        debug_assert!(n <= self.remaining());
        self.pos = (self.pos + n).min(self.data.len());
    }

    #[inline]
    pub(crate) fn bytes(&mut self, n: u64, field: &'static str) -> Result<&'a [u8], FormatError> {
        if n > self.remaining() as u64 {
            return Err(self.truncated(field, n));
        }
        let n = n as usize;
        let b = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }

    #[inline]
    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], FormatError> {
        let b = self.bytes(N as u64, field)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, FormatError> {
        Ok(self.array::<1>(field)?[0])
    }

    #[inline]
    pub(crate) fn u32_le(&mut self, field: &'static str) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    #[inline]
    pub(crate) fn u64_le(&mut self, field: &'static str) -> Result<u64, FormatError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// A ULEB128 value: one or two bytes (most values) inline, anything else out of line.
    #[inline(always)]
    pub(crate) fn uleb32(&mut self, field: &'static str) -> Result<u32, FormatError> {
        let rest = &self.data[self.pos..];
        if let Some(&b0) = rest.first() {
            if b0 < 0x80 {
                self.pos += 1;
                return Ok(u32::from(b0));
            }
            if let Some(&b1) = rest.get(1) {
                if b1 < 0x80 {
                    self.pos += 2;
                    return Ok(u32::from(b0 & 0x7f) | u32::from(b1) << 7);
                }
            }
        }
        self.uleb32_slow(field)
    }

    #[cold]
    #[inline(never)]
    fn uleb32_slow(&mut self, field: &'static str) -> Result<u32, FormatError> {
        match uleb128::read_u32(&self.data[self.pos..]) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(UlebError::Truncated) => Err(self.err(
                field,
                Problem::Truncated {
                    needed: self.remaining() as u64 + 1,
                    available: self.remaining() as u64,
                },
            )),
            Err(UlebError::Overflow) => Err(self.err(field, Problem::UlebOverflow)),
        }
    }

    /// A little-endian u32 field, and the absolute offset it was read at.
    #[inline]
    pub(crate) fn u32_le_at(&mut self, field: &'static str) -> Result<(u32, u64), FormatError> {
        let at = self.offset();
        Ok((self.u32_le(field)?, at))
    }

    /// A ULEB128 field, and the absolute offset it was read at.
    #[inline]
    pub(crate) fn uleb32_at(&mut self, field: &'static str) -> Result<(u32, u64), FormatError> {
        let at = self.offset();
        Ok((self.uleb32(field)?, at))
    }

    pub(crate) fn str(&mut self, n: u64, field: &'static str) -> Result<&'a str, FormatError> {
        let at = self.offset();
        let b = self.bytes(n, field)?;
        std::str::from_utf8(b).map_err(|_| FormatError::new(at, field, Problem::InvalidUtf8))
    }
}

/// `count` (read at `at`) if it is at most `limit`: the check that refuses a declared count
/// the bytes that follow cannot hold.
pub(crate) fn count_within(
    count: u64,
    limit: u64,
    at: u64,
    field: &'static str,
) -> Result<u64, FormatError> {
    if count > limit {
        return Err(FormatError::new(
            at,
            field,
            Problem::OutOfRange {
                value: count,
                limit,
            },
        ));
    }
    Ok(count)
}

/// `index` (read at `at`) if it is below `len`.
pub(crate) fn index_below(
    index: u64,
    len: u64,
    at: u64,
    field: &'static str,
) -> Result<usize, FormatError> {
    if index >= len {
        return Err(FormatError::new(
            at,
            field,
            Problem::OutOfRange {
                value: index,
                limit: len,
            },
        ));
    }
    Ok(index as usize)
}
