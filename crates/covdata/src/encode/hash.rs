//! The two 128-bit hashes Go's coverage tooling has used: MD5 up to Go 1.23, FNV-1a/128 from
//! Go 1.24 on. They name meta-data files and identify package blobs and functions.

use md5::Digest;

/// Which hash the Go release being imitated uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HashAlgo {
    /// Go 1.20 to 1.23.
    Md5,
    /// Go 1.24 and later (the default: the newest Go's output is the reference).
    #[default]
    Fnv128a,
}

const FNV128_OFFSET: u128 = 0x6c62272e_07bb0142_62b82175_6295c58d;
const FNV128_PRIME: u128 = 0x00000000_01000000_00000000_0000013b;

/// A streaming hasher of either kind; `finish` gives the 16 bytes Go's `Sum(nil)` gives.
#[derive(Clone)]
pub enum Hasher128 {
    Md5(md5::Md5),
    Fnv128a(u128),
}

impl std::fmt::Debug for Hasher128 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Hasher128::Md5(_) => "Hasher128::Md5",
            Hasher128::Fnv128a(_) => "Hasher128::Fnv128a",
        })
    }
}

impl Hasher128 {
    pub fn new(algo: HashAlgo) -> Self {
        match algo {
            HashAlgo::Md5 => Hasher128::Md5(md5::Md5::new()),
            HashAlgo::Fnv128a => Hasher128::Fnv128a(FNV128_OFFSET),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher128::Md5(h) => h.update(data),
            Hasher128::Fnv128a(state) => {
                for &b in data {
                    *state = (*state ^ u128::from(b)).wrapping_mul(FNV128_PRIME);
                }
            }
        }
    }

    pub fn update_u32_le(&mut self, v: u32) {
        self.update(&v.to_le_bytes());
    }

    pub fn finish(self) -> [u8; 16] {
        match self {
            Hasher128::Md5(h) => h.finalize().into(),
            // Go's fnv128a.Sum appends the state most significant byte first.
            Hasher128::Fnv128a(state) => state.to_be_bytes(),
        }
    }

    /// The hash of one byte string.
    pub fn digest(algo: HashAlgo, data: &[u8]) -> [u8; 16] {
        let mut h = Hasher128::new(algo);
        h.update(data);
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: [u8; 16]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn known_vectors() {
        // RFC 1321 and the FNV reference test suite.
        assert_eq!(
            hex(Hasher128::digest(HashAlgo::Md5, b"")),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            hex(Hasher128::digest(HashAlgo::Md5, b"abc")),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            hex(Hasher128::digest(HashAlgo::Fnv128a, b"")),
            "6c62272e07bb014262b821756295c58d"
        );
        assert_eq!(
            hex(Hasher128::digest(HashAlgo::Fnv128a, b"a")),
            "d228cb696f1a8caf78912b704e4a8964"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        for algo in [HashAlgo::Md5, HashAlgo::Fnv128a] {
            let mut h = Hasher128::new(algo);
            h.update(b"hello ");
            h.update(b"world");
            assert_eq!(h.finish(), Hasher128::digest(algo, b"hello world"));
        }
    }
}
