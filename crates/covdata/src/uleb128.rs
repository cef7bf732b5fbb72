//! Unsigned LEB128, as `internal/coverage/uleb128` writes it and `slicereader` reads it.

/// Why a ULEB128 value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UlebError {
    /// The input ended inside the value.
    Truncated,
    /// The value needs more than 32 bits. Go's readers would silently truncate; every value
    /// Go writes in these formats is a `uint32`, so a wider one can only be corruption.
    Overflow,
}

/// Decode one value from the start of `data`: the value and the number of bytes it used.
#[inline]
pub fn read_u32(data: &[u8]) -> Result<(u32, usize), UlebError> {
    match data.first() {
        Some(&b) if b < 0x80 => Ok((u32::from(b), 1)),
        Some(_) => read_u32_slow(data),
        None => Err(UlebError::Truncated),
    }
}

#[cold]
fn read_u32_slow(data: &[u8]) -> Result<(u32, usize), UlebError> {
    let mut value: u64 = 0;
    for (i, &b) in data.iter().enumerate() {
        let shift = 7 * i as u32;
        let bits = u64::from(b & 0x7f);
        if shift < 64 {
            // Bits beyond 32 make the value too wide; non-minimal encodings (trailing 0x80
            // bytes) are accepted as Go accepts them.
            if bits != 0 && (shift >= 32 || (bits << shift) >> 32 != 0) {
                return Err(UlebError::Overflow);
            }
            value |= bits << shift;
        } else if bits != 0 {
            return Err(UlebError::Overflow);
        }
        if b & 0x80 == 0 {
            return Ok((value as u32, i + 1));
        }
    }
    Err(UlebError::Truncated)
}

/// Append the minimal encoding of `v` to `out`.
pub fn write(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The number of bytes [`write`](fn@write) appends for `v`.
pub fn encoded_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for v in [0u64, 1, 127, 128, 300, 16383, 16384, u64::from(u32::MAX)] {
            let mut b = Vec::new();
            write(&mut b, v);
            assert_eq!(b.len(), encoded_len(v));
            assert_eq!(read_u32(&b), Ok((v as u32, b.len())));
        }
    }

    #[test]
    fn rejects_truncated_and_wide() {
        assert_eq!(read_u32(&[]), Err(UlebError::Truncated));
        assert_eq!(read_u32(&[0x80, 0x80]), Err(UlebError::Truncated));
        let mut b = Vec::new();
        write(&mut b, u64::from(u32::MAX) + 1);
        assert_eq!(read_u32(&b), Err(UlebError::Overflow));
        // non-minimal but in range is accepted
        assert_eq!(read_u32(&[0x81, 0x80, 0x00]), Ok((1, 3)));
    }
}
