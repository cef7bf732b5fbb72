//! `-pkg` patterns with the rules of Go's `cmd/internal/pkgpattern.MatchSimplePattern`, as
//! `go tool covdata` applies them: the flag is split on commas, empty pieces are dropped, and a
//! package is selected if any pattern matches its whole import path. In a pattern `...` matches
//! any string without a newline; a trailing `/...` may also match nothing, so `net/...`
//! selects `net` too. Nothing else is special (no trimming, no vendor rule).

/// The `-pkg` selection. Given a flag that holds only commas it selects nothing, as Go's does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFilter {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// Literal pieces, with a wildcard between each two.
    pieces: Vec<String>,
    /// The pattern ended in `/...`: `(/…)?` follows the pieces.
    optional_tail: bool,
}

impl PackageFilter {
    /// `None` for an empty flag (every package), else the comma-separated patterns.
    pub fn new(flag: &str) -> Option<Self> {
        if flag.is_empty() {
            return None;
        }
        let patterns = flag
            .split(',')
            .filter(|p| !p.is_empty())
            .map(Pattern::new)
            .collect();
        Some(PackageFilter { patterns })
    }

    pub fn matches(&self, import_path: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(import_path))
    }
}

/// Apply an optional filter: `None` selects everything.
pub fn selected(filter: Option<&PackageFilter>, import_path: &str) -> bool {
    filter.map_or(true, |f| f.matches(import_path))
}

impl Pattern {
    fn new(pattern: &str) -> Self {
        let (core, optional_tail) = match pattern.strip_suffix("/...") {
            Some(core) => (core, true),
            None => (pattern, false),
        };
        Pattern {
            pieces: core.split("...").map(str::to_owned).collect(),
            optional_tail,
        }
    }

    fn matches(&self, name: &str) -> bool {
        let (first, rest) = self
            .pieces
            .split_first()
            .expect("split always yields a piece");
        if !name.starts_with(first.as_str()) {
            return false;
        }
        // Positions where the text matched so far can end. A wildcard spans anything but a
        // newline, so a piece may start at q if some end e <= q has no newline in between.
        let mut ends = vec![first.len()];
        for piece in rest {
            let mut next: Vec<usize> = Vec::new();
            for q in starts(name, piece) {
                let reachable = ends.iter().any(|&e| e <= q && !name[e..q].contains('\n'));
                if reachable {
                    next.push(q + piece.len());
                }
            }
            if next.is_empty() {
                return false;
            }
            ends = next;
        }
        ends.into_iter().any(|end| {
            let tail = &name[end..];
            tail.is_empty() || (self.optional_tail && tail.starts_with('/') && !tail.contains('\n'))
        })
    }
}

/// Every position where `needle` starts in `haystack`, overlaps included (every character
/// boundary for an empty needle).
fn starts<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    haystack
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(haystack.len()))
        .filter(move |&i| haystack[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> bool {
        PackageFilter::new(pattern).unwrap().matches(name)
    }

    #[test]
    fn go_rules() {
        // Each verdict checked against the regexp MatchSimplePattern builds, run by Go.
        assert!(m("...", "foo"));
        assert!(m("net", "net"));
        assert!(!m("net", "net/http"));
        assert!(m("net/http", "net/http"));
        assert!(m("net...", "netchan"));
        assert!(m("net...", "net/http"));
        assert!(m("net/...", "net"));
        assert!(m("net/...", "net/http"));
        assert!(!m("net/...", "netchan"));
        assert!(m("net/...", "net/vendor/foo"));
        assert!(m("./...", "./vendor/foo"));
        assert!(m("x/.../y", "x/a/b/y"));
        assert!(m("x/.../y", "x//y"));
        assert!(!m("x/.../y", "x/y"));
        assert!(m("a...b...c", "abc"));
        assert!(m("a...b...c", "aXbYbZc"));
        assert!(!m("a...b...c", "aXcYb"));
        assert!(!m("...", "a\nb"));
        assert!(m("a...", "abc"));
        assert!(!m("a", "ab"));
        assert!(m("/...", ""));
        assert!(m("/...", "/x"));
        assert!(m("a/....", "a/b."));
        assert!(!m("a/....", "a/b"));
        assert!(m("a\n...b", "a\nxb"));
        assert!(m("a...\n...b", "axx\nyyb"));
        assert!(!m("a...\n...b", "ax\nx\nyyb"));
    }

    #[test]
    fn flag_splitting() {
        assert!(PackageFilter::new("").is_none());
        let none = PackageFilter::new(",").unwrap();
        assert!(!none.matches("anything"));
        let two = PackageFilter::new("a,b/...").unwrap();
        assert!(two.matches("a") && two.matches("b/c") && !two.matches("c"));
        // no trimming: " a" is a different package
        assert!(!PackageFilter::new(" a").unwrap().matches("a"));
    }
}
