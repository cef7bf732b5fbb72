//! Appending a rendered template (a complete Go file) to an existing file of the same package.
//!
//! The overlay adds no file to GOROOT: before Go 1.24, `go vet` (run by `go test`) reads the
//! files of dependencies from disk, not through the overlay, and fails on a file that exists only
//! in the overlay. Code appended to a file the overlay replaces is simply not seen by that vet,
//! which then checks the original, self-consistent package.
//!
//! Go files in GOROOT are gofmt'd, so a line-based reading of the package clause and the import
//! declarations is enough; anything unexpected is an error, never a guess.

use std::collections::BTreeMap;

/// An import spec: optional name (`_`, an alias) and path.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Import {
    name: Option<String>,
    path: String,
    /// The spec as written (with its trailing comment), for copying.
    line: String,
}

/// A Go file split into its parts.
#[derive(Debug)]
struct Parsed<'a> {
    package: &'a str,
    imports: Vec<Import>,
    /// Byte offset just past the last import declaration (or the package clause).
    header_end: usize,
}

/// Why a merge failed (the caller adds the file names).
#[derive(Debug, PartialEq, Eq)]
pub enum MergeError {
    NoPackageClause,
    BadImport(String),
    PackageMismatch { host: String, fragment: String },
    ImportConflict(String),
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MergeError::NoPackageClause => f.write_str("no package clause"),
            MergeError::BadImport(line) => write!(f, "cannot read import {line:?}"),
            MergeError::PackageMismatch { host, fragment } => {
                write!(f, "template is package {fragment}, file is package {host}")
            }
            MergeError::ImportConflict(path) => {
                write!(f, "{path} is imported under another name already")
            }
        }
    }
}

fn parse(text: &str) -> Result<Parsed<'_>, MergeError> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').map(|l| {
        let start = offset;
        offset += l.len();
        (start, l)
    });
    let mut package = None;
    for (start, line) in lines.by_ref() {
        if let Some(name) = line.trim_end().strip_prefix("package ") {
            package = Some((name.trim(), start + line.len()));
            break;
        }
    }
    let (package, mut header_end) = package.ok_or(MergeError::NoPackageClause)?;
    let mut imports = Vec::new();
    let mut in_block = false;
    for (start, line) in lines {
        let t = line.trim();
        if in_block {
            if t == ")" {
                in_block = false;
                header_end = start + line.len();
            } else if !t.is_empty() && !t.starts_with("//") {
                imports.push(parse_spec(t)?);
            }
            continue;
        }
        if t == "import (" {
            in_block = true;
        } else if let Some(spec) = t.strip_prefix("import ") {
            imports.push(parse_spec(spec.trim())?);
            header_end = start + line.len();
        } else if !(t.is_empty() || t.starts_with("//")) {
            break;
        }
    }
    if in_block {
        return Err(MergeError::BadImport("unterminated import block".into()));
    }
    Ok(Parsed {
        package,
        imports,
        header_end,
    })
}

fn parse_spec(spec: &str) -> Result<Import, MergeError> {
    let code = spec.split("//").next().unwrap_or("").trim();
    let (name, path) = match code.split_once(' ') {
        Some((name, path)) => (Some(name.to_owned()), path.trim()),
        None => (None, code),
    };
    let path = path
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .filter(|p| !p.is_empty() && !p.contains('"'))
        .ok_or_else(|| MergeError::BadImport(spec.to_owned()))?;
    Ok(Import {
        name,
        path: path.to_owned(),
        line: spec.to_owned(),
    })
}

/// Appends `fragment` (a rendered template) to `host`: the fragment's imports that `host` lacks
/// become a second import declaration after `host`'s, and its declarations, after `banner`,
/// go to the end of `host`.
pub fn append_fragment(host: &str, fragment: &str, banner: &str) -> Result<String, MergeError> {
    let h = parse(host)?;
    let f = parse(fragment)?;
    if h.package != f.package {
        return Err(MergeError::PackageMismatch {
            host: h.package.to_owned(),
            fragment: f.package.to_owned(),
        });
    }
    let have: BTreeMap<&str, &Import> = h.imports.iter().map(|i| (i.path.as_str(), i)).collect();
    let mut missing = Vec::new();
    for imp in &f.imports {
        match have.get(imp.path.as_str()) {
            None => missing.push(imp),
            // A blank import only asks for the package to be linked; any import does that.
            Some(_) if imp.name.as_deref() == Some("_") => {}
            Some(existing) if existing.name == imp.name => {}
            Some(_) => return Err(MergeError::ImportConflict(imp.path.clone())),
        }
    }
    let mut out = String::with_capacity(host.len() + fragment.len() + banner.len() + 64);
    out.push_str(&host[..h.header_end]);
    if !missing.is_empty() {
        out.push_str("\nimport (\n");
        out.push_str(&import_lines(&missing));
        out.push_str(")\n");
    }
    out.push_str(&host[h.header_end..]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(banner);
    out.push_str(fragment[f.header_end..].trim_start_matches('\n'));
    Ok(out)
}

/// The specs of an import block, one a line, with trailing comments aligned as gofmt aligns them:
/// in each run of consecutive lines that have one, the comments start one blank after the
/// longest code. The order is kept (gofmt also sorts; the templates list their imports sorted).
fn import_lines(specs: &[&Import]) -> String {
    let split: Vec<(&str, Option<&str>)> = specs
        .iter()
        .map(|i| match i.line.find("//") {
            Some(at) => (i.line[..at].trim_end(), Some(&i.line[at..])),
            None => (i.line.trim_end(), None),
        })
        .collect();
    let mut out = String::new();
    let mut run_start = 0;
    while run_start < split.len() {
        let run_end = if split[run_start].1.is_some() {
            run_start
                + split[run_start..]
                    .iter()
                    .take_while(|(_, comment)| comment.is_some())
                    .count()
        } else {
            run_start + 1
        };
        let width = split[run_start..run_end]
            .iter()
            .map(|(code, _)| code.chars().count())
            .max()
            .unwrap_or(0);
        for (code, comment) in &split[run_start..run_end] {
            out.push('\t');
            out.push_str(code);
            if let Some(comment) = comment {
                let pad = width - code.chars().count() + 1;
                out.push_str(&" ".repeat(pad));
                out.push_str(comment);
            }
            out.push('\n');
        }
        run_start = run_end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "// Copyright\n\npackage p\n\nimport (\n\t\"fmt\"\n\t_ \"unsafe\" // for linkname\n)\n\nfunc A() { fmt.Println() }\n";

    #[test]
    fn adds_missing_imports_and_appends_declarations() {
        let frag = "// Code generated.\n\npackage p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t_ \"unsafe\" // for go:linkname\n)\n\n// B is new.\nfunc B() { fmt.Println(os.Args) }\n";
        let out = append_fragment(HOST, frag, "// added\n").unwrap();
        assert_eq!(
            out,
            "// Copyright\n\npackage p\n\nimport (\n\t\"fmt\"\n\t_ \"unsafe\" // for linkname\n)\n\nimport (\n\t\"os\"\n)\n\nfunc A() { fmt.Println() }\n\n// added\n// B is new.\nfunc B() { fmt.Println(os.Args) }\n"
        );
    }

    /// Two imports with comments next to each other in the added block: gofmt aligns the comments.
    #[test]
    fn aligns_comments_of_added_imports() {
        let frag = "package p\n\nimport (\n\t_ \"io\" // io\n\t\"os\"\n\t_ \"os/signal\" // signals\n\t_ \"unsafe\" // linkname\n)\n";
        let out = append_fragment("package p\n", frag, "").unwrap();
        // What gofmt makes of it.
        assert_eq!(
            out,
            "package p\n\nimport (\n\t_ \"io\" // io\n\t\"os\"\n\t_ \"os/signal\" // signals\n\t_ \"unsafe\"    // linkname\n)\n\n"
        );
    }

    #[test]
    fn single_line_imports_and_no_imports() {
        let host = "package p\n\nimport _ \"unsafe\"\n\nvar x int\n";
        let frag = "package p\n\nimport \"os\"\n\nvar y = os.Args\n";
        let out = append_fragment(host, frag, "").unwrap();
        assert_eq!(
            out,
            "package p\n\nimport _ \"unsafe\"\n\nimport (\n\t\"os\"\n)\n\nvar x int\n\nvar y = os.Args\n"
        );
        let out =
            append_fragment("package p\n\nvar x int\n", "package p\n\nvar y int\n", "").unwrap();
        assert_eq!(out, "package p\n\nvar x int\n\nvar y int\n");
    }

    #[test]
    fn refuses_what_it_cannot_merge() {
        assert_eq!(
            append_fragment(HOST, "package q\n", "").unwrap_err(),
            MergeError::PackageMismatch {
                host: "p".into(),
                fragment: "q".into()
            }
        );
        let frag = "package p\n\nimport f \"fmt\"\n";
        assert_eq!(
            append_fragment(HOST, frag, "").unwrap_err(),
            MergeError::ImportConflict("fmt".into())
        );
        assert_eq!(
            append_fragment("// nothing\n", "package p\n", "").unwrap_err(),
            MergeError::NoPackageClause
        );
    }
}
