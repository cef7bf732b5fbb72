//! Just enough Go lexing to find top-level function declarations and their line extents, so
//! that reports over text profiles (which name no functions) can still list functions, as
//! `go tool cover -func` does from the source.
//!
//! Names follow Go's coverage meta-data: `Name`, `T.Name`, `*T.Name` (type parameters of the
//! receiver dropped). Comments, strings, raw strings and runes are skipped so braces inside
//! them do not count.

/// A top-level function: its name and the lines of the `func` keyword and of the closing brace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncDecl {
    pub name: String,
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a [u8]),
    Punct(u8),
}

/// Tokens with their line numbers; literals and comments dropped, newlines not kept.
fn tokens(src: &[u8]) -> Vec<(Tok<'_>, u32)> {
    lex(src, &mut |_, _| {})
}

/// [`tokens`], handing each `//` comment (with its line) to `comment`.
fn lex<'a>(src: &'a [u8], comment: &mut dyn FnMut(u32, &'a [u8])) -> Vec<(Tok<'a>, u32)> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let n = src.len();
    while i < n {
        let c = src[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if src.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < n && src[i] != b'\n' {
                    i += 1;
                }
                comment(line, &src[start..i]);
            }
            b'/' if src.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < n && !(src[i] == b'*' && src.get(i + 1) == Some(&b'/')) {
                    line += u32::from(src[i] == b'\n');
                    i += 1;
                }
                i += 2;
            }
            b'"' | b'\'' => {
                i += 1;
                while i < n && src[i] != c && src[i] != b'\n' {
                    if src[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < n && src[i] != b'`' {
                    line += u32::from(src[i] == b'\n');
                    i += 1;
                }
                i += 1;
            }
            c if c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 => {
                let s = i;
                while i < n && (src[i] == b'_' || src[i].is_ascii_alphanumeric() || src[i] >= 0x80)
                {
                    i += 1;
                }
                out.push((Tok::Ident(&src[s..i]), line));
            }
            c if c.is_ascii_whitespace() => i += 1,
            c => {
                out.push((Tok::Punct(c), line));
                i += 1;
            }
        }
    }
    out
}

/// Top-level function declarations with bodies, in source order.
pub fn functions(src: &[u8]) -> Vec<FuncDecl> {
    let toks = tokens(src);
    let mut out = Vec::new();
    let mut depth = 0i64;
    let mut i = 0;
    while i < toks.len() {
        match toks[i].0 {
            Tok::Punct(b'{' | b'(' | b'[') => depth += 1,
            Tok::Punct(b'}' | b')' | b']') => depth -= 1,
            Tok::Ident(b"func") if depth == 0 => {
                if let Some((decl, next)) = declaration(&toks, i) {
                    out.push(decl);
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The line spans (first, last) that a line comment `marker` (e.g. `//coverage:ignore`,
/// optionally followed by a reason) marks: the whole top-level function whose `func` line
/// holds it or whose doc comment it is part of; otherwise the `{ … }` block opened last on
/// its line. A marker anywhere else marks nothing.
pub fn marked_spans(src: &[u8], marker: &str) -> Vec<(u32, u32)> {
    let mut marked = Vec::new();
    let toks = lex(src, &mut |line, text| {
        let rest = text.strip_prefix(marker.as_bytes());
        if rest.is_some_and(|r| r.first().map_or(true, |c| c.is_ascii_whitespace())) {
            marked.push(line);
        }
    });
    let decls = functions(src);
    let mut spans = Vec::new();
    for line in marked {
        // A declaration on the marked line, or the first code after it (a doc comment).
        let next_code = toks.iter().find(|(_, l)| *l >= line).map(|(_, l)| *l);
        let decl = decls.iter().find(|d| {
            d.start_line == line || Some(d.start_line) == next_code && d.start_line > line
        });
        if let Some(d) = decl {
            spans.push((d.start_line, d.end_line));
            continue;
        }
        let open = toks
            .iter()
            .rposition(|(t, l)| *l == line && *t == Tok::Punct(b'{'));
        if let Some(close) = open.and_then(|o| matching(&toks, o)) {
            spans.push((line, toks[close].1));
        }
    }
    spans
}

/// Parse the declaration starting at `toks[at]` (`func`); returns it and the index after its
/// closing brace.
fn declaration(toks: &[(Tok<'_>, u32)], at: usize) -> Option<(FuncDecl, usize)> {
    let start_line = toks[at].1;
    let mut i = at + 1;
    let mut receiver = String::new();
    if toks.get(i)?.0 == Tok::Punct(b'(') {
        let close = matching(toks, i)?;
        receiver = receiver_type(&toks[i + 1..close]);
        i = close + 1;
    }
    let Tok::Ident(name) = toks.get(i)?.0 else {
        return None;
    };
    let name = String::from_utf8_lossy(name).into_owned();
    i += 1;
    // Signature: skip to the body's `{`, stepping over bracketed groups and the braces of
    // `interface{…}` / `struct{…}` result types.
    loop {
        match toks.get(i)?.0 {
            Tok::Punct(b'(' | b'[') => i = matching(toks, i)? + 1,
            Tok::Punct(b'{') => {
                let is_type = matches!(
                    i.checked_sub(1).map(|p| toks[p].0),
                    Some(Tok::Ident(b"interface" | b"struct"))
                );
                if is_type {
                    i = matching(toks, i)? + 1;
                } else {
                    break;
                }
            }
            // A declaration without body (implemented in assembly) ends before the next one.
            Tok::Ident(b"func" | b"type" | b"var" | b"const" | b"import") => return None,
            _ => i += 1,
        }
    }
    let close = matching(toks, i)?;
    let full = if receiver.is_empty() {
        name
    } else {
        format!("{receiver}.{name}")
    };
    Some((
        FuncDecl {
            name: full,
            start_line,
            end_line: toks[close].1,
        },
        close + 1,
    ))
}

/// Index of the bracket closing the one at `open`.
fn matching(toks: &[(Tok<'_>, u32)], open: usize) -> Option<usize> {
    let mut depth = 0i64;
    for (k, (t, _)) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
            Tok::Punct(b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// `s *Stack[T]` → `*Stack`; `Stack` → `Stack`.
fn receiver_type(toks: &[(Tok<'_>, u32)]) -> String {
    // Drop type parameters, then take the last identifier and whether a `*` precedes it.
    let mut plain = Vec::new();
    let mut depth = 0;
    for (t, _) in toks {
        match t {
            Tok::Punct(b'[') => depth += 1,
            Tok::Punct(b']') => depth -= 1,
            t if depth == 0 => plain.push(*t),
            _ => {}
        }
    }
    let Some(pos) = plain.iter().rposition(|t| matches!(t, Tok::Ident(_))) else {
        return String::new();
    };
    let Tok::Ident(name) = plain[pos] else {
        unreachable!()
    };
    let star = plain[..pos].contains(&Tok::Punct(b'*'));
    format!(
        "{}{}",
        if star { "*" } else { "" },
        String::from_utf8_lossy(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_functions_methods_and_skips_noise() {
        let src = br#"package p

// func notMe() {}
var s = "func alsoNot() {"
var r = `
func raw() {
`

func Plain(x interface{}) (struct{ a int }, error) {
	if x == nil { return struct{ a int }{}, nil }
	f := func() { _ = '}' }
	f()
	return struct{ a int }{}, nil
}

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

func (Value) String() string {
	/* } */ return "}"
}

func asm(x int) int

func Last() interface{} {
	return nil
}
"#;
        let got = functions(src);
        let want = [
            ("Plain", 9, 14),
            ("*Stack.Push", 16, 16),
            ("Value.String", 18, 20),
            ("Last", 24, 26),
        ];
        assert_eq!(
            got.iter()
                .map(|f| (f.name.as_str(), f.start_line, f.end_line))
                .collect::<Vec<_>>(),
            want
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for src in [
            &b"func"[..],
            b"func (",
            b"func (a) b",
            b"func x(",
            b"}}}{{{func f() {",
        ] {
            let _ = functions(src);
        }
    }
}
