use std::fs::File;
use std::io::Read;
use std::ops::Deref;

use camino::Utf8Path;

use crate::error::Error;

/// Files at least this big are memory-mapped; smaller ones are cheaper to read.
const MMAP_THRESHOLD: u64 = 1 << 20;

/// The bytes of one coverage file, read once or memory-mapped; decoders borrow from it.
pub enum FileBytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl FileBytes {
    pub fn open(path: &Utf8Path) -> Result<Self, Error> {
        let io = |e| Error::io(path, e);
        let mut f = File::open(path).map_err(io)?;
        let len = f.metadata().map_err(io)?.len();
        if len >= MMAP_THRESHOLD {
            // SAFETY: the map is read-only. Go's runtime writes coverage files under a temporary
            // name and renames them into place, so a file with a final name is not modified or
            // truncated while we read it.
            if let Ok(map) = unsafe { memmap2::Mmap::map(&f) } {
                return Ok(FileBytes::Mapped(map));
            }
        }
        // The length is only a hint: the file is read to its real end. (Through `take`, which
        // skips the size probe std's `File::read_to_end` makes with two more system calls:
        // the length is known already.)
        let mut buf = Vec::with_capacity(len.min(MMAP_THRESHOLD) as usize);
        (&mut f).take(u64::MAX).read_to_end(&mut buf).map_err(io)?;
        Ok(FileBytes::Owned(buf))
    }
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Owned(v) => v,
            FileBytes::Mapped(m) => m,
        }
    }
}

impl AsRef<[u8]> for FileBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            FileBytes::Owned(_) => "read",
            FileBytes::Mapped(_) => "mapped",
        };
        write!(f, "FileBytes({kind}, {} bytes)", self.len())
    }
}
