//! Legacy text profiles: the `mode: set` files that `go test -coverprofile` and
//! `go tool covdata textfmt` write.
//!
//! ```text
//! mode: set
//! example.com/m/pkg/file.go:13.43,14.12 1 1
//! ```
//!
//! Each line after the mode line is `FILE:STARTLINE.STARTCOL,ENDLINE.ENDCOL NUMSTMTS COUNT`.
//! `FILE` is the import path of the package, a slash and the base name, so the package of a
//! block is everything before the last slash.
//!
//! Parsing follows `golang.org/x/tools/cover` with a few tolerances that real files need:
//! - The same block may appear several times: `go test -coverpkg=P1,P2 ./...` makes every test
//!   binary report every covered package, and `go test` concatenates them. Repeats combine by
//!   mode (set ORs, count and atomic add, saturating at `u32::MAX`), as `go tool cover` does.
//! - Further `mode:` lines (from `cat a.out b.out`) are accepted when they repeat the first mode;
//!   blank lines and a trailing `\r` are ignored.
//! - Two blocks of one file that start at the same position but differ in end or statement count
//!   are refused: they come from different versions of the source and cannot be merged.
//! - A count above `u32::MAX` (Go's counters are 32-bit) is clamped to `u32::MAX`.
//!
//! Merging ([`merge`]) is what `gocovmerge` does, for any number of profiles. Modes:
//! - `count` and `atomic` both count executions; they merge freely and the result keeps the mode
//!   of the first profile.
//! - `set` mixed with `count`/`atomic` is refused under [`MixedModes::Refuse`]; under
//!   [`MixedModes::ToSet`] the result is a `set` profile in which a block is 1 when any input
//!   executed it. No other conversion is sound: a `set` bit cannot become a count.
//!
//! Text profiles carry no function names; each file's blocks live in one [`Function`] whose
//! name is empty.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use crate::{CounterMode, Function, Profile, Unit};

/// What is wrong with a text profile, with the file name and 1-based line number.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {kind}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub kind: Box<ParseErrorKind>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseErrorKind {
    #[error("empty file: a text profile starts with a `mode: set|count|atomic` line")]
    Empty,
    #[error("bad mode line {0:?}: want `mode: set`, `mode: count` or `mode: atomic`")]
    BadMode(String),
    #[error("mode {found} differs from the file's first mode {first}")]
    ModeChange {
        first: CounterMode,
        found: CounterMode,
    },
    #[error("malformed block line {line:?}: {why}")]
    BadLine { line: String, why: &'static str },
    #[error("line is not valid UTF-8")]
    NotUtf8,
    #[error(
        "block {file}:{start} conflicts with an earlier block at the same position \
         ({earlier} vs {this}): profiles of different source versions?"
    )]
    Conflict {
        file: String,
        start: String,
        earlier: String,
        this: String,
    },
}

/// Why profiles could not be merged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error(
        "cannot merge {first_name} (mode: {first}) with {name} (mode: {mode}): a set profile only \
         knows whether a block ran; convert everything to set mode to merge them"
    )]
    MixedModes {
        first_name: String,
        first: CounterMode,
        name: String,
        mode: CounterMode,
    },
    #[error(
        "{name}: block {file}:{start} conflicts with a block of an earlier profile \
         ({earlier} vs {this}): profiles of different source versions?"
    )]
    Conflict {
        name: String,
        file: String,
        start: String,
        earlier: String,
        this: String,
    },
}

/// How [`merge`] treats `set` profiles mixed with `count`/`atomic` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MixedModes {
    /// Refuse with [`MergeError::MixedModes`].
    #[default]
    Refuse,
    /// Produce a `set` profile: a block is 1 when any input executed it.
    ToSet,
}

/// True when `data` looks like a text profile (starts with `mode:`), as opposed to binary
/// covdata.
pub fn is_text_profile(data: &[u8]) -> bool {
    data.strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(data)
        .starts_with(b"mode:")
}

/// Parse a text profile; `name` (usually the path) is only used in errors.
pub fn parse(data: &[u8], name: &str) -> Result<Profile, ParseError> {
    let err = |line: usize, kind| ParseError {
        file: name.to_owned(),
        line,
        kind: Box::new(kind),
    };
    let mut profile: Option<Profile> = None;
    let mut starts = StartIndex::default();
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    for (idx, raw) in data.split(|&b| b == b'\n').enumerate() {
        let lineno = idx + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = std::str::from_utf8(raw).map_err(|_| err(lineno, ParseErrorKind::NotUtf8))?;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("mode:") {
            let mode = CounterMode::parse(rest.trim())
                .ok_or_else(|| err(lineno, ParseErrorKind::BadMode(line.to_owned())))?;
            match &profile {
                None => profile = Some(Profile::new(mode)),
                Some(p) if p.mode() == mode => {}
                Some(p) => {
                    return Err(err(
                        lineno,
                        ParseErrorKind::ModeChange {
                            first: p.mode(),
                            found: mode,
                        },
                    ))
                }
            }
            continue;
        }
        let Some(profile) = profile.as_mut() else {
            return Err(err(lineno, ParseErrorKind::BadMode(line.to_owned())));
        };
        let block = parse_block(line).map_err(|why| {
            err(
                lineno,
                ParseErrorKind::BadLine {
                    line: line.to_owned(),
                    why,
                },
            )
        })?;
        if let Err((earlier, this)) = starts.check(block.file, &block.unit) {
            return Err(err(
                lineno,
                ParseErrorKind::Conflict {
                    file: block.file.to_owned(),
                    start: format!("{}.{}", block.unit.start_line, block.unit.start_col),
                    earlier,
                    this,
                },
            ));
        }
        profile.add_unit(
            package_of(block.file),
            &file_function(block.file),
            block.unit,
            block.count,
        );
    }
    profile.ok_or_else(|| err(1, ParseErrorKind::Empty))
}

struct Block<'a> {
    file: &'a str,
    unit: Unit,
    count: u32,
}

fn parse_block(line: &str) -> Result<Block<'_>, &'static str> {
    let (rest, count) = line.rsplit_once(' ').ok_or("missing count")?;
    let (rest, stmts) = rest.rsplit_once(' ').ok_or("missing statement count")?;
    // The file name may itself hold colons (Windows drive letters), so split at the last one.
    let (file, span) = rest.rsplit_once(':').ok_or("missing `:` before the span")?;
    if file.is_empty() {
        return Err("empty file name");
    }
    let (start, end) = span.split_once(',').ok_or("span has no `,`")?;
    let (sl, sc) = start.split_once('.').ok_or("start has no `.`")?;
    let (el, ec) = end.split_once('.').ok_or("end has no `.`")?;
    let num = |s: &str, what| digits(s).ok_or(what);
    let count: u64 = digits(count).ok_or("count is not a number")?;
    Ok(Block {
        file,
        unit: Unit {
            start_line: num(sl, "start line is not a number")?,
            start_col: num(sc, "start column is not a number")?,
            end_line: num(el, "end line is not a number")?,
            end_col: num(ec, "end column is not a number")?,
            num_stmts: num(stmts, "statement count is not a number")?,
        },
        count: u32::try_from(count).unwrap_or(u32::MAX),
    })
}

/// Plain ASCII digits only: `str::parse` would also take a leading `+`.
fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The package of a profile file name: everything before the last slash.
pub fn package_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The function text-profile blocks of `file` belong to.
pub fn file_function(file: &str) -> Function {
    Function {
        file: file.to_owned(),
        name: String::new(),
        literal: false,
    }
}

/// End line, end column and statement count of a block.
type BlockEnd = (u32, u32, u32);

/// Remembers, per file and start position, the rest of the first block seen there.
#[derive(Default)]
struct StartIndex {
    seen: HashMap<String, HashMap<(u32, u32), BlockEnd>>,
}

impl StartIndex {
    /// Ok if the block is new or repeats a known one; Err((earlier, this)) on a conflict.
    fn check(&mut self, file: &str, u: &Unit) -> Result<(), (String, String)> {
        let per_file = match self.seen.get_mut(file) {
            Some(m) => m,
            None => self.seen.entry(file.to_owned()).or_default(),
        };
        let rest = (u.end_line, u.end_col, u.num_stmts);
        let prev = *per_file.entry((u.start_line, u.start_col)).or_insert(rest);
        if prev == rest {
            Ok(())
        } else {
            let show = |(l, c, n): (u32, u32, u32)| format!("end {l}.{c}, {n} statements");
            Err((show(prev), show(rest)))
        }
    }
}

/// Write `profile` as Go's `EmitTextual` does: the mode line, then packages by import path and
/// each package's units by file and position.
pub fn write(profile: &Profile, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "mode: {}", profile.mode())?;
    for pkg in profile.packages().values() {
        let funcs = pkg.functions();
        for (f, u, count) in pkg.sorted_units() {
            writeln!(
                w,
                "{}:{}.{},{}.{} {} {}",
                funcs[f as usize].file,
                u.start_line,
                u.start_col,
                u.end_line,
                u.end_col,
                u.num_stmts,
                count
            )?;
        }
    }
    Ok(())
}

/// [`write`] into a string.
pub fn to_string(profile: &Profile) -> String {
    let mut out = Vec::new();
    write(profile, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("profile file names are UTF-8")
}

/// Merge named profiles (name is used in errors) into one, as `gocovmerge` does.
///
/// Returns `None` for an empty input. See the module docs for the rules on modes.
pub fn merge<'a>(
    profiles: impl IntoIterator<Item = (&'a str, &'a Profile)>,
    mixed: MixedModes,
) -> Result<Option<Profile>, MergeError> {
    let profiles: Vec<(&str, &Profile)> = profiles.into_iter().collect();
    let Some(&(first_name, first)) = profiles.first() else {
        return Ok(None);
    };
    let any_set = profiles.iter().any(|(_, p)| p.mode() == CounterMode::Set);
    let any_counting = profiles.iter().any(|(_, p)| p.mode() != CounterMode::Set);
    let mode = if any_set && any_counting {
        match mixed {
            MixedModes::ToSet => CounterMode::Set,
            MixedModes::Refuse => {
                let (name, other) = profiles
                    .iter()
                    .find(|(_, p)| {
                        (p.mode() == CounterMode::Set) != (first.mode() == CounterMode::Set)
                    })
                    .expect("a profile of the other kind exists");
                return Err(MergeError::MixedModes {
                    first_name: first_name.to_owned(),
                    first: first.mode(),
                    name: (*name).to_owned(),
                    mode: other.mode(),
                });
            }
        }
    } else {
        first.mode()
    };
    // A block is keyed by file and span here, not by function: text profiles name no
    // functions, so the same block read from covdata and from a text profile must still
    // combine. It keeps the name of the first profile that knows one.
    let mut starts = StartIndex::default();
    let mut owner: HashMap<(&str, Unit), &Function> = HashMap::new();
    for &(name, p) in &profiles {
        for pkg in p.packages().values() {
            let funcs = pkg.functions();
            for (f, unit, _) in pkg.units() {
                let func = &funcs[f as usize];
                if let Err((earlier, this)) = starts.check(&func.file, unit) {
                    return Err(MergeError::Conflict {
                        name: name.to_owned(),
                        file: func.file.clone(),
                        start: format!("{}.{}", unit.start_line, unit.start_col),
                        earlier,
                        this,
                    });
                }
                let slot = owner.entry((func.file.as_str(), *unit)).or_insert(func);
                if slot.name.is_empty() && !func.name.is_empty() {
                    *slot = func;
                }
            }
        }
    }
    let mut out = Profile::new(mode);
    for &(_, p) in &profiles {
        for (import_path, pkg) in p.packages() {
            let funcs = pkg.functions();
            for (f, unit, count) in pkg.units() {
                let func = owner[&(funcs[f as usize].file.as_str(), *unit)];
                // In set mode, a count becomes 0 or 1 (combined into nothing).
                out.add_unit(import_path, func, *unit, mode.combine(0, count));
            }
        }
    }
    Ok(Some(out))
}

/// The profile as a map from (file, unit) to count, ignoring function names: what a text
/// profile can express, and so what a text round trip preserves.
pub fn flatten(profile: &Profile) -> BTreeMap<(String, Unit), u32> {
    let mut out = BTreeMap::new();
    for pkg in profile.packages().values() {
        let funcs = pkg.functions();
        for (f, unit, count) in pkg.units() {
            let slot = out
                .entry((funcs[f as usize].file.clone(), *unit))
                .or_insert(0);
            *slot = profile.mode().combine(*slot, count);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Profile, ParseError> {
        parse(s.as_bytes(), "t.out")
    }

    #[test]
    fn parses_and_combines_duplicates_by_mode() {
        let text =
            "mode: count\na/b/x.go:1.2,3.4 2 5\na/b/x.go:1.2,3.4 2 7\na/c/y.go:5.1,5.9 1 0\n";
        let prof = p(text).unwrap();
        assert_eq!(prof.mode(), CounterMode::Count);
        assert_eq!(
            to_string(&prof),
            "mode: count\na/b/x.go:1.2,3.4 2 12\na/c/y.go:5.1,5.9 1 0\n"
        );
        assert_eq!(prof.packages().keys().collect::<Vec<_>>(), ["a/b", "a/c"]);
        let set = p("mode: set\nx/y.go:1.1,1.2 1 1\nx/y.go:1.1,1.2 1 0\n").unwrap();
        assert_eq!(to_string(&set), "mode: set\nx/y.go:1.1,1.2 1 1\n");
    }

    #[test]
    fn tolerates_crlf_blank_lines_and_repeated_mode() {
        let prof =
            p("mode: set\r\nx/y.go:1.1,1.2 1 1\r\n\r\nmode: set\nx/z.go:2.1,2.2 1 0").unwrap();
        assert_eq!(
            to_string(&prof),
            "mode: set\nx/y.go:1.1,1.2 1 1\nx/z.go:2.1,2.2 1 0\n"
        );
    }

    #[test]
    fn windows_paths_keep_their_drive_colon() {
        let prof = p("mode: set\nC:/src/m/x.go:1.1,1.2 1 1\n").unwrap();
        assert!(to_string(&prof).contains("C:/src/m/x.go:1.1,1.2 1 1"));
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let e = p("").unwrap_err();
        assert_eq!((e.line, *e.kind), (1, ParseErrorKind::Empty));
        let e = p("mode: sometimes\n").unwrap_err();
        assert!(matches!(*e.kind, ParseErrorKind::BadMode(_)), "{e}");
        let e = p("x/y.go:1.1,1.2 1 1\n").unwrap_err();
        assert!(matches!(*e.kind, ParseErrorKind::BadMode(_)), "{e}");
        let e = p("mode: set\nx/y.go:1.1,1.2 1\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.to_string().starts_with("t.out:2: malformed block line"),
            "{e}"
        );
        let e = p("mode: set\nx/y.go:1.1,1.2 1 +1\n").unwrap_err();
        assert!(e.to_string().contains("count is not a number"), "{e}");
        let e = p("mode: set\nmode: count\n").unwrap_err();
        assert!(matches!(*e.kind, ParseErrorKind::ModeChange { .. }), "{e}");
        let e = p("mode: set\nx/y.go:1.1,2.2 1 1\nx/y.go:1.1,3.2 1 1\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.to_string().contains("different source versions"), "{e}");
        let e = parse(b"mode: set\n\xff\n", "bin").unwrap_err();
        assert_eq!(e.to_string(), "bin:2: line is not valid UTF-8");
    }

    #[test]
    fn huge_counts_clamp() {
        let prof = p("mode: count\nx/y.go:1.1,1.2 1 99999999999\nx/y.go:1.1,1.2 1 1\n").unwrap();
        assert!(to_string(&prof).ends_with(" 1 4294967295\n"));
    }

    #[test]
    fn merge_modes() {
        let set = p("mode: set\nx/y.go:1.1,1.2 1 1\nx/y.go:2.1,2.2 1 0\n").unwrap();
        let count = p("mode: count\nx/y.go:1.1,1.2 1 0\nx/y.go:2.1,2.2 1 3\n").unwrap();
        let atomic = p("mode: atomic\nx/y.go:2.1,2.2 1 4\n").unwrap();
        let e = merge([("a", &set), ("b", &count)], MixedModes::Refuse).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot merge a (mode: set) with b (mode: count)"),
            "{e}"
        );
        let m = merge([("a", &set), ("b", &count)], MixedModes::ToSet)
            .unwrap()
            .unwrap();
        assert_eq!(
            to_string(&m),
            "mode: set\nx/y.go:1.1,1.2 1 1\nx/y.go:2.1,2.2 1 1\n"
        );
        let m = merge([("b", &count), ("c", &atomic)], MixedModes::Refuse)
            .unwrap()
            .unwrap();
        assert_eq!(
            to_string(&m),
            "mode: count\nx/y.go:1.1,1.2 1 0\nx/y.go:2.1,2.2 1 7\n"
        );
        assert!(merge([], MixedModes::Refuse).unwrap().is_none());
        // A named function's block and the same block from a text profile are one block.
        let mut named = Profile::new(CounterMode::Count);
        let f = Function {
            file: "x/y.go".into(),
            name: "F".into(),
            literal: false,
        };
        let u = Unit {
            start_line: 2,
            start_col: 1,
            end_line: 2,
            end_col: 2,
            num_stmts: 1,
        };
        named.add_unit("x", &f, u, 5);
        for order in [
            [("b", &count), ("n", &named)],
            [("n", &named), ("b", &count)],
        ] {
            let m = merge(order, MixedModes::Refuse).unwrap().unwrap();
            assert_eq!(
                to_string(&m),
                "mode: count\nx/y.go:1.1,1.2 1 0\nx/y.go:2.1,2.2 1 8\n"
            );
            let pkg = &m.packages()["x"];
            let (fi, _, _) = pkg.units().find(|(_, uu, _)| **uu == u).unwrap();
            assert_eq!(pkg.functions()[fi as usize].name, "F");
        }
        let other = p("mode: count\nx/y.go:2.1,2.9 1 3\n").unwrap();
        let e = merge([("b", &count), ("o", &other)], MixedModes::Refuse).unwrap_err();
        assert!(matches!(e, MergeError::Conflict { .. }), "{e}");
    }

    #[test]
    fn detects_text_profiles() {
        assert!(is_text_profile(b"mode: set\n"));
        assert!(is_text_profile(b"\xEF\xBB\xBFmode: set\n"));
        assert!(!is_text_profile(b"\x00c\x00v"));
    }
}
