//! Anchored edits: change a file only at text that must occur exactly once in it, so that a
//! release whose file differs is refused instead of being patched blindly.

use crate::Error;

/// One edit of a GOROOT file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace `anchor` with `with`.
    Replace {
        anchor: &'static str,
        with: &'static str,
    },
    /// Insert `text` right after `anchor`.
    InsertAfter {
        anchor: &'static str,
        text: &'static str,
    },
}

impl Edit {
    pub fn anchor(&self) -> &'static str {
        match self {
            Edit::Replace { anchor, .. } | Edit::InsertAfter { anchor, .. } => anchor,
        }
    }

    fn replacement(&self) -> String {
        match self {
            Edit::Replace { with, .. } => (*with).to_owned(),
            Edit::InsertAfter { anchor, text } => format!("{anchor}{text}"),
        }
    }
}

/// Applies `edits` in order to `source`, the content of `file` (named in errors with `version`).
/// Each anchor must occur exactly once in the text as the earlier edits left it.
pub fn apply_edits(
    version: &str,
    file: &str,
    source: &str,
    edits: &[Edit],
) -> Result<String, Error> {
    let mut text = source.to_owned();
    for edit in edits {
        let anchor = edit.anchor();
        let count = text.matches(anchor).count();
        match count {
            1 => text = text.replacen(anchor, &edit.replacement(), 1),
            0 => {
                return Err(Error::MissingAnchor {
                    version: version.to_owned(),
                    file: file.to_owned(),
                    anchor: anchor.to_owned(),
                })
            }
            _ => {
                return Err(Error::AmbiguousAnchor {
                    version: version.to_owned(),
                    file: file.to_owned(),
                    anchor: anchor.to_owned(),
                    count,
                })
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_inserts_at_unique_anchors() {
        let edits = [
            Edit::Replace {
                anchor: "b()",
                with: "c()",
            },
            Edit::InsertAfter {
                anchor: "a() {",
                text: "\n\tx()",
            },
        ];
        let out = apply_edits("go1.0", "f.go", "func a() {\n\tb()\n}\n", &edits).unwrap();
        assert_eq!(out, "func a() {\n\tx()\n\tc()\n}\n");
    }

    #[test]
    fn refuses_missing_and_repeated_anchors() {
        let missing = [Edit::Replace {
            anchor: "nope",
            with: "",
        }];
        let err = apply_edits("go1.99.1", "x/f.go", "text", &missing).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("go1.99.1") && msg.contains("x/f.go") && msg.contains("nope"),
            "{msg}"
        );

        let twice = [Edit::Replace {
            anchor: "a",
            with: "b",
        }];
        let err = apply_edits("go1.99.1", "f.go", "a a", &twice).unwrap_err();
        assert!(
            matches!(err, Error::AmbiguousAnchor { count: 2, .. }),
            "{err}"
        );
    }
}
