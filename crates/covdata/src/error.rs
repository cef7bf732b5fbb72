use camino::Utf8PathBuf;

/// What is wrong with the bytes at some offset of a coverage file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("truncated: needs {needed} bytes, {available} left")]
    Truncated { needed: u64, available: u64 },
    #[error(
        "bad magic {:02x}{:02x}{:02x}{:02x}: not a {expected} file",
        .found[0], .found[1], .found[2], .found[3]
    )]
    BadMagic {
        found: [u8; 4],
        expected: &'static str,
    },
    #[error("unsupported version {found} (newest known is {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("invalid value {0}")]
    InvalidValue(u64),
    #[error("{value} is out of range (limit {limit})")]
    OutOfRange { value: u64, limit: u64 },
    #[error("ULEB128 value does not fit in 32 bits")]
    UlebOverflow,
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    #[error("{0}")]
    Inconsistent(String),
}

/// A decoding failure located by its absolute offset in the file and the field being read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("offset {offset} ({field}): {problem}")]
pub struct FormatError {
    pub offset: u64,
    pub field: &'static str,
    pub problem: Problem,
}

impl FormatError {
    pub fn new(offset: u64, field: &'static str, problem: Problem) -> Self {
        FormatError {
            offset,
            field,
            problem,
        }
    }

    /// Attach the file the bytes came from.
    pub fn in_file(self, path: impl Into<Utf8PathBuf>) -> Error {
        Error::Format {
            path: path.into(),
            error: self,
        }
    }
}

/// An error of the file-level API: always names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {error}")]
    Io {
        path: Utf8PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: {error}")]
    Format {
        path: Utf8PathBuf,
        error: FormatError,
    },
    /// A `metafiles.txt` that is not the JSON object the go command writes.
    #[error("{path}: {message}")]
    MetaFilesList { path: Utf8PathBuf, message: String },
}

impl Error {
    pub fn io(path: impl Into<Utf8PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &camino::Utf8Path {
        match self {
            Error::Io { path, .. }
            | Error::Format { path, .. }
            | Error::MetaFilesList { path, .. } => path,
        }
    }

    /// The decoding failure, when the error is about the file's contents.
    pub fn format_error(&self) -> Option<&FormatError> {
        match self {
            Error::Format { error, .. } => Some(error),
            _ => None,
        }
    }
}
