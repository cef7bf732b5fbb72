//! `-pkg` patterns as `go tool covdata` reads them: comma-separated, `...` matches any string,
//! and a trailing `/...` also matches the bare prefix (`net/...` matches `net`).

/// A set of package patterns; empty matches everything.
#[derive(Debug, Clone, Default)]
pub struct PackageFilter {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// Literal pieces between `...` wildcards.
    pieces: Vec<String>,
    /// `foo/...`: also matches `foo`.
    bare_prefix: Option<String>,
}

impl PackageFilter {
    /// Parse a comma-separated list (`-pkg=a/...,b`); `None` or empty matches all.
    pub fn new(spec: Option<&str>) -> Self {
        let patterns = spec
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| Pattern {
                pieces: p.split("...").map(str::to_owned).collect(),
                bare_prefix: p.strip_suffix("/...").map(str::to_owned),
            })
            .collect();
        PackageFilter { patterns }
    }

    pub fn is_all(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn matches(&self, import_path: &str) -> bool {
        self.is_all() || self.patterns.iter().any(|p| p.matches(import_path))
    }
}

impl Pattern {
    fn matches(&self, name: &str) -> bool {
        if self.bare_prefix.as_deref() == Some(name) {
            return true;
        }
        glob(&self.pieces, name)
    }
}

/// `pieces` joined by "any string" wildcards must match all of `name`.
fn glob(pieces: &[String], name: &str) -> bool {
    let (first, rest) = pieces
        .split_first()
        .expect("split yields at least one piece");
    let Some(mut tail) = name.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for piece in middle {
        match tail.find(piece.as_str()) {
            Some(i) => tail = &tail[i + piece.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last.as_str())
}

/// A copy of `profile` holding only the packages `filter` matches.
pub fn filter_profile(profile: &profile::Profile, filter: &PackageFilter) -> profile::Profile {
    let mut out = profile::Profile::new(profile.mode());
    for (path, pkg) in profile.packages() {
        if !filter.matches(path) {
            continue;
        }
        let funcs = pkg.functions();
        for (f, unit, count) in pkg.units() {
            out.add_unit(path, &funcs[f as usize], *unit, count);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_pattern_semantics() {
        let f = PackageFilter::new(Some("example.com/m/..."));
        assert!(f.matches("example.com/m"));
        assert!(f.matches("example.com/m/a/b"));
        assert!(!f.matches("example.com/mx"));
        let f = PackageFilter::new(Some("a/.../c,x"));
        assert!(f.matches("a/b/c"));
        assert!(f.matches("a/b/b/c"));
        assert!(f.matches("x"));
        assert!(!f.matches("a/c"));
        assert!(!f.matches("x/y"));
        let f = PackageFilter::new(Some("...net..."));
        assert!(f.matches("net"));
        assert!(f.matches("golang.org/x/net/http"));
        assert!(PackageFilter::new(None).matches("anything"));
        assert!(PackageFilter::new(Some("")).is_all());
    }
}
