//! Escaping for XML and HTML text and attribute values.

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
}
