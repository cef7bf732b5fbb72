//! The Go templates of `overlays/`, embedded so that `intcov overlay` works outside the
//! repository, and their rendering.

use crate::Error;

/// A template: its path under `overlays/` and its text.
#[derive(Clone, Copy, Debug)]
pub struct Template {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! template {
    ($path:literal) => {
        Template {
            name: $path,
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/overlays/", $path)),
        }
    };
}

pub const CORE: Template = template!("core/integration.go.in");
pub const CORE_CONFIG: Template = template!("core/integration_config.go.in");
pub const CORE_SETTINGS: Template = template!("core/integration_settings.go.in");
pub const CORE_FULL: Template = template!("core/integration_full.go.in");
pub const CORE_FLUSH: Template = template!("core/integration_flush.go.in");
pub const RUNTIME_PANIC: Template = template!("runtime/integration_panic.go.in");
pub const CFILE_EXPORTS: Template = template!("internal/coverage/cfile/integration_exports.go.in");
pub const RUNTIME_COVERAGE_API: Template = template!("runtime/coverage/integration_api.go.in");
pub const RUNTIME_COVERAGE_API_LEGACY: Template =
    template!("runtime/coverage/integration_api_legacy.go.in");
pub const OS_SIGNAL: Template = template!("os/signal/integration_coverage.go.in");
pub const OS_SIGNAL_UNIX: Template = template!("os/signal/integration_coverage_unix.go.in");
pub const OS_SIGNAL_PLAN9: Template = template!("os/signal/integration_coverage_plan9.go.in");
pub const TESTING: Template = template!("testing/integration_coverage.go.in");

/// Every template, for checks over all of them and for [`crate::fingerprint`].
pub const ALL: [Template; 13] = [
    CORE,
    CORE_CONFIG,
    CORE_SETTINGS,
    CORE_FULL,
    CORE_FLUSH,
    RUNTIME_PANIC,
    CFILE_EXPORTS,
    RUNTIME_COVERAGE_API,
    RUNTIME_COVERAGE_API_LEGACY,
    OS_SIGNAL,
    OS_SIGNAL_UNIX,
    OS_SIGNAL_PLAN9,
    TESTING,
];

/// Replaces every `{{NAME}}` by its value; a placeholder without a value is an error.
pub fn render(template: &Template, vars: &[(&str, String)]) -> Result<String, Error> {
    let mut out = template.text.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    if let Some(start) = out.find("{{") {
        let end = out[start..].find("}}").map_or(out.len(), |e| start + e + 2);
        return Err(Error::Template {
            template: template.name.to_owned(),
            placeholder: out[start..end].to_owned(),
        });
    }
    Ok(out)
}

/// A Go interpreted string literal holding `s`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("x\ny\u{1}é"), "\"x\\ny\\x01é\"");
    }

    /// `go test` takes a line holding "coverage: " in a test binary's output for the coverage
    /// figure: the overlay's messages must never contain it.
    #[test]
    fn no_message_looks_like_a_coverage_figure() {
        for t in ALL {
            assert!(!t.text.contains("coverage: "), "{}", t.name);
        }
    }

    #[test]
    fn unrendered_placeholders_are_errors() {
        let t = Template {
            name: "t.go.in",
            text: "package {{PKG}} // {{OTHER}}",
        };
        assert_eq!(
            render(&t, &[("PKG", "p".into()), ("OTHER", "o".into())]).unwrap(),
            "package p // o"
        );
        let err = render(&t, &[("PKG", "p".into())]).unwrap_err();
        assert!(err.to_string().contains("{{OTHER}}"), "{err}");
    }
}
