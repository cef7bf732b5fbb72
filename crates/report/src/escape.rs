//! Escaping for XML and HTML text and attribute values, and for line-based formats (LCOV,
//! Markdown) where a name carrying a line break would start a record that is not in the data.

use std::borrow::Cow;

/// Escape `&`, `<`, `>`, `"` and `'`; valid in XML and HTML text and quoted attributes.
pub fn xml(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) && !s.contains(is_forbidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Same rules for HTML.
pub fn html(s: &str) -> Cow<'_, str> {
    xml(s)
}

/// A name made safe for one line of a line-based format: every control character (line
/// breaks included) is written as a visible escape (`\n`, `\r`, `\t`, `\x1b`, `\u{85}`), and
/// a backslash that would start one is doubled. Names Go writes have none, so real reports are
/// unchanged; a crafted meta-data file cannot add records (`\nend_of_record\nSF:/etc/passwd`).
pub fn line(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| c.is_control() || c == '\\' || is_line_break(c))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && (c.is_control()) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() || is_line_break(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Unicode line and paragraph separators, which some readers treat as line ends.
fn is_line_break(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Control characters XML 1.0 does not allow even escaped.
fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::xml("a<b>&\"'\u{1}"),
            "a&lt;b&gt;&amp;&quot;&#39;\u{FFFD}"
        );
        assert!(matches!(super::xml("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn line_escapes_every_control_character() {
        assert_eq!(
            super::line("a\nend_of_record\nSF:/etc/passwd"),
            "a\\nend_of_record\\nSF:/etc/passwd"
        );
        assert_eq!(
            super::line("x\r\t\u{1b}\u{85}\u{2028}\\"),
            "x\\r\\t\\x1b\\u{85}\\u{2028}\\\\"
        );
        assert!(matches!(
            super::line("pkg/file.go"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
