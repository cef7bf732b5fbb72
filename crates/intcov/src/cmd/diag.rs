//! What a command says on stderr besides its result, and how it ends.
//!
//! Warnings go through one buffered, locked stderr (one `write` per buffer, not ~15 per
//! warning), flushed before anything goes to stdout so that `2>&1` keeps Go's order. A kind of
//! warning that can repeat once per counter record (a record of a function the meta-data
//! lacks, a saturated count) is shown [`SHOWN_PER_KIND`] times, then counted: a directory of
//! stale data says so in a screenful, not in 300,000 lines; `-v=1` shows every one. Files
//! left out by `--skip-bad` are always listed, one line each, and decide the exit status.
//!
//! The drop-in commands end as `go tool covdata` ends: `error: …` and status 1 on a fatal
//! error, a usage message and status 2 on a command-line mistake, status 2 (Go's panic) for
//! `-h`/`-hw` failures.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use covmerge::Warning;

/// Exit status of a run that left bad files out (`--skip-bad`): the output is complete for
/// the files that were read, and something was not.
pub(crate) const EXIT_SKIPPED: u8 = 3;

/// Warnings of one repeating kind shown in full before the rest are only counted.
pub(crate) const SHOWN_PER_KIND: u64 = 10;

/// A command-line mistake: Go's flag package and covdata print the message and the usage and
/// exit with status 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `-hw`: a warning was met, which Go turns into a panic (status 2).
#[derive(Debug)]
pub(crate) struct WarningIsFatal;

impl std::fmt::Display for WarningIsFatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unexpected warning (-hw)")
    }
}

impl std::error::Error for WarningIsFatal {}

/// The stderr side of one command run.
pub(crate) struct Diagnostics {
    out: BufWriter<Box<dyn Write>>,
    /// `None`: show every warning (`-v` ≥ 1).
    limit: Option<u64>,
    /// How many warnings of each repeating kind were met (indexed by [`RepeatKind`]).
    seen: [u64; 2],
    /// A `--skip-bad` run left a file out.
    skipped: bool,
    /// Any warning at all (for `-hw`).
    warned: bool,
}

#[derive(Clone, Copy)]
enum RepeatKind {
    StrayRecord = 0,
    Overflow = 1,
}

impl RepeatKind {
    const ALL: [RepeatKind; 2] = [RepeatKind::StrayRecord, RepeatKind::Overflow];

    fn of(w: &Warning) -> Option<Self> {
        match w {
            Warning::StrayRecord { .. } => Some(RepeatKind::StrayRecord),
            Warning::Overflow { .. } => Some(RepeatKind::Overflow),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            RepeatKind::StrayRecord => {
                "func payload inconsistency warnings (counter records of functions the meta-data lacks)"
            }
            RepeatKind::Overflow => "uint32 overflow warnings",
        }
    }
}

impl Diagnostics {
    pub(crate) fn new(show_all: bool) -> Self {
        Self::to(Box::new(io::stderr().lock()), show_all)
    }

    fn to(sink: Box<dyn Write>, show_all: bool) -> Self {
        Diagnostics {
            out: BufWriter::with_capacity(64 << 10, sink),
            limit: (!show_all).then_some(SHOWN_PER_KIND),
            seen: [0; 2],
            skipped: false,
            warned: false,
        }
    }

    pub(crate) fn warn(&mut self, w: Warning) {
        self.warned = true;
        if matches!(w, Warning::Skipped { .. }) {
            self.skipped = true;
        }
        if let Some(kind) = RepeatKind::of(&w) {
            let n = &mut self.seen[kind as usize];
            *n += 1;
            if self.limit.is_some_and(|limit| *n > limit) {
                return;
            }
        }
        // A failed write to stderr has nowhere to be reported.
        let _ = writeln!(self.out, "warning: {w}");
    }

    pub(crate) fn warned(&self) -> bool {
        self.warned
    }

    /// Write out what is buffered (before stdout gets anything, so `2>&1` keeps the order).
    pub(crate) fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// Counts of the warnings not shown, then everything flushed; the exit status of a
    /// command that succeeded.
    pub(crate) fn finish(mut self) -> ExitCode {
        self.summarise();
        self.flush();
        if self.skipped {
            ExitCode::from(EXIT_SKIPPED)
        } else {
            ExitCode::SUCCESS
        }
    }

    fn summarise(&mut self) {
        let Some(limit) = self.limit else { return };
        for kind in RepeatKind::ALL {
            let hidden = self.seen[kind as usize].saturating_sub(limit);
            if hidden > 0 {
                let _ = writeln!(
                    self.out,
                    "warning: {hidden} more {} not shown (-v=1 shows all)",
                    kind.describe()
                );
            }
        }
    }

    /// End a drop-in command that failed, as `go tool covdata` does.
    pub(crate) fn fail_go_style(
        mut self,
        err: &anyhow::Error,
        usage: &str,
        panic_on_fatal: bool,
    ) -> ExitCode {
        self.summarise();
        let text = go_text(err);
        let _ = writeln!(self.out, "error: {text}");
        if err.downcast_ref::<UsageError>().is_some() {
            let _ = writeln!(self.out, "usage: {usage}\n\nRun with --help for the flags.");
            self.flush();
            return ExitCode::from(2);
        }
        self.flush();
        if panic_on_fatal || err.downcast_ref::<WarningIsFatal>().is_some() {
            // Go panics here (-h: "panic on fatal errors", -hw: on warnings): status 2.
            ExitCode::from(2)
        } else {
            ExitCode::FAILURE
        }
    }
}

/// An error chain as one line in Go's words: OS errors as Go's syscall package spells them
/// (`no such file or directory`, without Rust's ` (os error 2)`), and a cause that its
/// context already quotes not repeated.
pub(crate) fn go_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = go_os_errors(&cause.to_string());
        if text.ends_with(&part) || text.contains(&format!("{part}:")) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// `No such file or directory (os error 2)` → `no such file or directory`, wherever it occurs.
fn go_os_errors(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(" (os error ") {
        let Some(close) = rest[at..].find(')') else {
            break;
        };
        let message = &rest[..at];
        // The OS message starts after the last ": " before it.
        let start = message.rfind(": ").map_or(0, |i| i + 2);
        out.push_str(&message[..start]);
        let mut chars = message[start..].chars();
        if let Some(first) = chars.next() {
            let _ = write!(out, "{}{}", first.to_lowercase(), chars.as_str());
        }
        rest = &rest[at + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_in_go_words() {
        assert_eq!(
            go_os_errors("open x: No such file or directory (os error 2)"),
            "open x: no such file or directory"
        );
        assert_eq!(
            go_os_errors("a: Not a directory (os error 20); b: File exists (os error 17)"),
            "a: not a directory; b: file exists"
        );
        assert_eq!(go_os_errors("plain"), "plain");
    }

    /// A sink the test can read back.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn stray(i: u32) -> Warning {
        Warning::StrayRecord {
            file: "d/covcounters.h.1.2".into(),
            offset: u64::from(i),
            pkg_idx: 0,
            func_idx: i,
            num_funcs: Some(1),
            num_counters: 2,
        }
    }

    #[test]
    fn a_flood_is_counted_after_ten_and_bad_files_always_listed() {
        let sink = Shared::default();
        let mut diag = Diagnostics::to(Box::new(sink.clone()), false);
        for i in 0..25_000 {
            diag.warn(stray(i));
        }
        for i in 0..12 {
            diag.warn(Warning::Skipped {
                file: format!("f{i}").into(),
                reason: format!("f{i}: bad"),
            });
        }
        assert_eq!(diag.finish(), ExitCode::from(EXIT_SKIPPED));
        let text = String::from_utf8(sink.0.borrow().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 10 + 12 + 1, "{text}");
        assert!(lines[..10]
            .iter()
            .all(|l| l.starts_with("warning: func payload")));
        assert_eq!(
            lines[22],
            "warning: 24990 more func payload inconsistency warnings (counter records of \
             functions the meta-data lacks) not shown (-v=1 shows all)"
        );

        // -v=1: every one.
        let sink = Shared::default();
        let mut diag = Diagnostics::to(Box::new(sink.clone()), true);
        for i in 0..25 {
            diag.warn(stray(i));
        }
        assert_eq!(diag.finish(), ExitCode::SUCCESS);
        assert_eq!(sink.0.borrow().split(|&b| b == b'\n').count() - 1, 25);
    }

    #[test]
    fn a_quoted_cause_is_not_repeated() {
        let io = io::Error::from_raw_os_error(28);
        let err =
            anyhow::Error::new(io).context(format!("out/x: {}", io::Error::from_raw_os_error(28)));
        assert_eq!(go_text(&err), "out/x: no space left on device");
    }
}
