//! The args table of a merged counter file.

use covdata::Segment;

/// The args table of merged counter files: each field survives only if every input agreed on
/// it (Go's `argstate`). Kept as bytes: os.Args need not be UTF-8.
#[derive(Debug, Default)]
pub(super) struct ArgState {
    seen: bool,
    os_args: Option<Vec<Vec<u8>>>,
    goos: Vec<u8>,
    goarch: Vec<u8>,
}

impl ArgState {
    pub(super) fn merge(&mut self, seg: &Segment<'_>) {
        // The decoder has checked argc (its os_args has that many entries).
        let os_args: Vec<Vec<u8>> = (0..seg.os_args().len())
            .map(|i| {
                seg.raw_arg(format!("argv{i}").as_bytes())
                    .unwrap_or_default()
                    .to_vec()
            })
            .collect();
        let goos = seg.raw_arg(b"GOOS").unwrap_or_default();
        let goarch = seg.raw_arg(b"GOARCH").unwrap_or_default();
        if !self.seen {
            self.seen = true;
            self.os_args = Some(os_args);
            self.goos = goos.to_vec();
            self.goarch = goarch.to_vec();
            return;
        }
        // Go compares with slices.Equal, for which a cleared (nil) list equals an empty one.
        let have = self.os_args.as_deref().unwrap_or(&[]);
        if have != os_args.as_slice() {
            self.os_args = None;
        }
        if self.goos != goos {
            self.goos.clear();
        }
        if self.goarch != goarch {
            self.goarch.clear();
        }
    }

    /// Take in the state of the files that follow (merged on their own): the same as
    /// merging those files here one by one.
    pub(super) fn append(&mut self, later: ArgState) {
        if !later.seen {
            return;
        }
        if !self.seen {
            *self = later;
            return;
        }
        // A list survives only if both sides kept the same one (a cleared list stays cleared:
        // every later list either equals the empty one it then reads as, or clears it again).
        if self.os_args != later.os_args {
            self.os_args = None;
        }
        if self.goos != later.goos {
            self.goos.clear();
        }
        if self.goarch != later.goarch {
            self.goarch.clear();
        }
    }

    pub(super) fn summary(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut args = Vec::new();
        if let Some(os_args) = self.os_args.as_ref().filter(|a| !a.is_empty()) {
            args.push((b"argc".to_vec(), os_args.len().to_string().into_bytes()));
            for (i, a) in os_args.iter().enumerate() {
                args.push((format!("argv{i}").into_bytes(), a.clone()));
            }
        }
        if !self.goos.is_empty() {
            args.push((b"GOOS".to_vec(), self.goos.clone()));
        }
        if !self.goarch.is_empty() {
            args.push((b"GOARCH".to_vec(), self.goarch.clone()));
        }
        args
    }
}
