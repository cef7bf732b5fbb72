//! Exclusions: what `intcov check` and every `intcov report` format leave out of the figures.
//!
//! - **Generated files**, by Go's convention (`go/ast.IsGenerated`): a line
//!   `// Code generated … DO NOT EDIT.` before the package clause. On by default
//!   ([`Exclusions::generated`]); `--no-default-excludes` turns it off.
//! - **Patterns** (`--exclude`, repeatable): a pattern holding a glob character (`*`, `?`, `[`,
//!   `{`) or ending in `.go` is a file glob, matched against the file's path relative to the
//!   source root and against its profile name (`example.com/m/pkg/f.go`); anything else is a Go
//!   package pattern (`example.com/m/internal/...`), matched as `-pkg` matches.
//! - **`//coverage:ignore`** on a function's line (or in its doc comment) leaves out the
//!   function; on a line opening a block (`if err != nil { //coverage:ignore`), the block.
//!
//! Reading a file's source needs [`Sources`] to find it; a file whose source is not found is
//! never excluded as generated or by a comment (patterns still apply).
//!
//! The drop-in commands (`textfmt`, `percent`, `func`, `pkglist`) never go through here.
//! [`filtered_coverage`] is the one entry point: `intcov report`, `intcov check`, `intcov test`
//! and `cargo xtask cover` all build their [`Coverage`] with it.

use std::collections::BTreeMap;
use std::fmt;

use camino::Utf8Path;
use globset::{GlobBuilder, GlobMatcher};
use profile::pattern::PackageFilter;
use profile::{Profile, Unit};

use crate::inputs::Loaded;
use crate::model::Coverage;
use crate::sources::Sources;

/// The comment that excludes a function or block.
pub const IGNORE_MARKER: &str = "//coverage:ignore";

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("--exclude {pattern:?}: bad glob: {why}")]
    BadGlob { pattern: String, why: String },
    #[error("--exclude: empty pattern")]
    Empty,
}

/// What to leave out; see the module docs.
#[derive(Debug, Clone)]
pub struct Exclusions {
    /// Leave out generated files (the default).
    pub generated: bool,
    /// Honour `//coverage:ignore` comments (the default).
    pub ignore_comments: bool,
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
enum Pattern {
    Package { text: String, filter: PackageFilter },
    Glob { text: String, glob: GlobMatcher },
}

impl Default for Exclusions {
    /// The defaults: generated files and `//coverage:ignore`, no patterns.
    fn default() -> Self {
        Exclusions {
            generated: true,
            ignore_comments: true,
            patterns: Vec::new(),
        }
    }
}

impl Exclusions {
    /// Nothing excluded: what the drop-in commands see.
    pub fn nothing() -> Self {
        Exclusions {
            generated: false,
            ignore_comments: false,
            patterns: Vec::new(),
        }
    }

    /// The defaults plus `patterns` (see the module docs for how each is read).
    pub fn new<S: AsRef<str>>(patterns: &[S], default_excludes: bool) -> Result<Self, FilterError> {
        let mut ex = Exclusions {
            generated: default_excludes,
            ..Exclusions::default()
        };
        for p in patterns {
            ex.add_pattern(p.as_ref())?;
        }
        Ok(ex)
    }

    pub fn add_pattern(&mut self, pattern: &str) -> Result<(), FilterError> {
        self.patterns.push(Pattern::parse(pattern)?);
        Ok(())
    }

    /// The pattern (its text) that excludes package `import_path`.
    fn package_pattern(&self, import_path: &str) -> Option<&str> {
        self.patterns.iter().find_map(|p| match p {
            Pattern::Package { text, filter } if filter.matches(import_path) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The glob (its text) that excludes a file, given its relative path and profile name.
    fn file_pattern(&self, rel: &str, name: &str) -> Option<&str> {
        self.patterns.iter().find_map(|p| match p {
            Pattern::Glob { text, glob } if glob.is_match(rel) || glob.is_match(name) => {
                Some(text.as_str())
            }
            _ => None,
        })
    }
}

impl Pattern {
    fn parse(text: &str) -> Result<Self, FilterError> {
        if text.is_empty() {
            return Err(FilterError::Empty);
        }
        if is_glob(text) {
            let glob = GlobBuilder::new(text)
                .literal_separator(true)
                .build()
                .map_err(|e| FilterError::BadGlob {
                    pattern: text.to_owned(),
                    why: e.kind().to_string(),
                })?
                .compile_matcher();
            return Ok(Pattern::Glob {
                text: text.to_owned(),
                glob,
            });
        }
        Ok(Pattern::Package {
            text: text.to_owned(),
            // Not empty, so a filter exists; one pattern, no commas meant.
            filter: PackageFilter::new(text).ok_or(FilterError::Empty)?,
        })
    }
}

/// Whether an `--exclude` pattern is a file glob rather than a package pattern.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{']) || pattern.ends_with(".go")
}

/// Why something was left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    Generated,
    Pattern(String),
    IgnoreComment,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Generated => f.write_str("generated"),
            Reason::Pattern(p) => write!(f, "--exclude {p}"),
            Reason::IgnoreComment => f.write_str(IGNORE_MARKER),
        }
    }
}

/// One exclusion that took effect: a package, a file, or the lines of a function or block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// A package import path, or a file's path relative to the source root.
    pub what: String,
    /// For a `//coverage:ignore` span: its first and last line.
    pub lines: Option<(u32, u32)>,
    pub reason: Reason,
    /// Statements left out.
    pub statements: u64,
}

impl fmt::Display for Excluded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lines {
            Some((a, b)) => write!(f, "{}:{a}-{b}", self.what)?,
            None => f.write_str(&self.what)?,
        }
        let s = if self.statements == 1 { "" } else { "s" };
        write!(f, " ({}, {} statement{s})", self.reason, self.statements)
    }
}

/// The coverage after exclusions.
#[derive(Debug, Clone)]
pub struct Filtered {
    /// The profile without the excluded units.
    pub profile: Profile,
    /// Built from `profile` (with the attribution of the inputs, when loaded with it).
    pub coverage: Coverage,
    /// What was left out, in package and file order.
    pub excluded: Vec<Excluded>,
}

impl Filtered {
    /// Statements left out in all.
    pub fn excluded_statements(&self) -> u64 {
        self.excluded.iter().map(|e| e.statements).sum()
    }
}

/// The one way every reporting command builds its [`Coverage`]: the loaded inputs minus what
/// `exclusions` leaves out (see the module docs), with files located through `sources`.
pub fn filtered_coverage(loaded: &Loaded, sources: &Sources, exclusions: &Exclusions) -> Filtered {
    filtered_coverage_with(loaded, sources, exclusions, &|p: &Utf8Path| {
        std::fs::read(p).ok()
    })
}

/// [`filtered_coverage`], reading sources with `read`.
pub fn filtered_coverage_with(
    loaded: &Loaded,
    sources: &Sources,
    exclusions: &Exclusions,
    read: &dyn Fn(&Utf8Path) -> Option<Vec<u8>>,
) -> Filtered {
    let (profile, excluded) = filter_profile(&loaded.profile, sources, exclusions, read);
    let coverage = Coverage::build_with(&profile, sources, loaded.attribution.as_ref(), read);
    Filtered {
        profile,
        coverage,
        excluded,
    }
}

/// First and last line.
type Span = (u32, u32);

/// What happens to one file's units.
enum FileRule {
    Keep,
    Drop(Reason),
    /// Drop units starting inside these line spans.
    DropSpans(Vec<(u32, u32)>),
}

/// `profile` without the excluded units, and the list of exclusions that took effect.
pub fn filter_profile(
    profile: &Profile,
    sources: &Sources,
    exclusions: &Exclusions,
    read: &dyn Fn(&Utf8Path) -> Option<Vec<u8>>,
) -> (Profile, Vec<Excluded>) {
    let mut out = Profile::new(profile.mode());
    let mut excluded = Vec::new();
    for (import_path, pkg) in profile.packages() {
        let units = pkg.sorted_units();
        if let Some(p) = exclusions.package_pattern(import_path) {
            excluded.push(Excluded {
                what: import_path.clone(),
                lines: None,
                reason: Reason::Pattern(p.to_owned()),
                statements: units.iter().map(|(_, u, _)| u64::from(u.num_stmts)).sum(),
            });
            continue;
        }
        if units.is_empty() {
            out.ensure_package(import_path);
            continue;
        }
        let funcs = pkg.functions();
        let mut rules: BTreeMap<&str, (String, FileRule)> = BTreeMap::new();
        // Statements dropped per (file, reason, span), to report in file order.
        let mut dropped: BTreeMap<(&str, Option<Span>), (Reason, u64)> = BTreeMap::new();
        let mut kept = Vec::with_capacity(units.len());
        for (f, unit, count) in &units {
            let func = &funcs[*f as usize];
            let (_, rule) = rules
                .entry(func.file.as_str())
                .or_insert_with(|| file_rule(&func.file, sources, exclusions, read));
            let drop = match rule {
                FileRule::Keep => None,
                FileRule::Drop(reason) => Some((reason.clone(), None)),
                FileRule::DropSpans(spans) => {
                    span_of(spans, unit).map(|span| (Reason::IgnoreComment, Some(span)))
                }
            };
            match drop {
                Some((reason, span)) => {
                    let slot = dropped
                        .entry((func.file.as_str(), span))
                        .or_insert((reason, 0));
                    slot.1 += u64::from(unit.num_stmts);
                }
                None => kept.push((func, *unit, *count)),
            }
        }
        if dropped.is_empty() {
            // The common case: the package as it was, without rebuilding it unit by unit.
            out.put_package(import_path.clone(), pkg.clone());
        } else {
            for (func, unit, count) in kept {
                out.add_unit(import_path, func, unit, count);
            }
        }
        for ((file, lines), (reason, statements)) in dropped {
            excluded.push(Excluded {
                what: rules[file].0.clone(),
                lines,
                reason,
                statements,
            });
        }
    }
    (out, excluded)
}

/// The span of `spans` holding the unit's start line.
fn span_of(spans: &[(u32, u32)], unit: &Unit) -> Option<(u32, u32)> {
    spans
        .iter()
        .copied()
        .find(|&(a, b)| a <= unit.start_line && unit.start_line <= b)
}

fn file_rule(
    name: &str,
    sources: &Sources,
    exclusions: &Exclusions,
    read: &dyn Fn(&Utf8Path) -> Option<Vec<u8>>,
) -> (String, FileRule) {
    let located = sources.locate(name);
    if let Some(p) = exclusions.file_pattern(&located.rel, name) {
        let reason = Reason::Pattern(p.to_owned());
        return (located.rel, FileRule::Drop(reason));
    }
    if !exclusions.generated && !exclusions.ignore_comments {
        return (located.rel, FileRule::Keep);
    }
    let Some(src) = located.abs.as_deref().and_then(read) else {
        return (located.rel, FileRule::Keep);
    };
    if exclusions.generated && is_generated(&src) {
        return (located.rel, FileRule::Drop(Reason::Generated));
    }
    // Lexing is only worth it when the marker is there at all.
    let has_marker = src
        .windows(IGNORE_MARKER.len())
        .any(|w| w == IGNORE_MARKER.as_bytes());
    if exclusions.ignore_comments && has_marker {
        let spans = crate::gosrc::marked_spans(&src, IGNORE_MARKER);
        if !spans.is_empty() {
            return (located.rel, FileRule::DropSpans(spans));
        }
    }
    (located.rel, FileRule::Keep)
}

/// Go's `go/ast.IsGenerated` rule: a line comment matching
/// `^// Code generated .* DO NOT EDIT\.$` before the package clause.
pub fn is_generated(src: &[u8]) -> bool {
    const PREFIX: &[u8] = b"// Code generated ";
    const SUFFIX: &[u8] = b" DO NOT EDIT.";
    for line in src.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(b"package") {
            return false;
        }
        if line.len() >= PREFIX.len() + SUFFIX.len()
            && line.starts_with(PREFIX)
            && line.ends_with(SUFFIX)
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_header_as_go_reads_it() {
        assert!(is_generated(
            b"// Code generated by stringer; DO NOT EDIT.\n\npackage p\n"
        ));
        assert!(is_generated(
            b"// Copyright\n\n// Code generated x DO NOT EDIT.\r\npackage p\n"
        ));
        // After the package clause, or not matching the pattern exactly: not generated.
        assert!(!is_generated(
            b"package p\n// Code generated by x. DO NOT EDIT.\n"
        ));
        assert!(!is_generated(
            b"// Code generated DO NOT EDIT.\npackage p\n"
        ));
        assert!(!is_generated(
            b"// Code generated by x. DO NOT EDIT. really\npackage p\n"
        ));
    }

    #[test]
    fn patterns_are_globs_or_packages() {
        let ex = Exclusions::new(&["**/*_mock.go", "example.com/m/internal/..."], true).unwrap();
        assert_eq!(
            ex.file_pattern("a/b/x_mock.go", "example.com/m/a/b/x_mock.go"),
            Some("**/*_mock.go")
        );
        assert_eq!(ex.file_pattern("a/x.go", "example.com/m/a/x.go"), None);
        assert!(ex.package_pattern("example.com/m/internal").is_some());
        assert!(ex.package_pattern("example.com/m/internal/z").is_some());
        assert!(ex.package_pattern("example.com/m/internalz").is_none());
        assert!(matches!(
            Exclusions::new(&["a/[b"], true),
            Err(FilterError::BadGlob { .. })
        ));
    }

    #[test]
    fn ignore_comment_spans() {
        let src = b"package p

func A() { //coverage:ignore
	a()
}

//coverage:ignore because it only logs
func B() {
	b()
}

func C() {
	if x { //coverage:ignore
		c()
	}
	d() //coverage:ignore
	s := \"//coverage:ignore\"
}
";
        assert_eq!(
            crate::gosrc::marked_spans(src, IGNORE_MARKER),
            [(3, 5), (8, 10), (13, 15)]
        );
    }
}
