//! Go's `flag` package accepts `-name=value`, `-name value` and `--name=value`; clap wants long
//! names behind `--`. Rewriting multi-letter single-dash flags before clap sees them lets both
//! styles work without a second parser.

use std::ffi::OsString;

/// Rewrite `-pkg=x` to `--pkg=x` and `-pcombine` to `--pcombine`; leave single-letter flags
/// (`-i=x`, `-o`, `-h`), `--…`, values and `-` alone. Everything after `--` is left alone.
pub fn normalize(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut passthrough = false;
    for arg in args {
        if passthrough {
            out.push(arg);
            continue;
        }
        let rewritten = match arg.to_str() {
            Some("--") => {
                passthrough = true;
                None
            }
            Some(s) if is_go_long_flag(s) => Some(OsString::from(format!("-{s}"))),
            _ => None,
        };
        out.push(rewritten.unwrap_or(arg));
    }
    out
}

fn is_go_long_flag(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('-') else {
        return false;
    };
    if rest.starts_with('-') {
        return false;
    }
    let name = rest.split('=').next().unwrap_or("");
    name.len() >= 2
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: &[&str]) -> Vec<String> {
        normalize(v.iter().map(OsString::from))
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    #[test]
    fn rewrites_go_style_long_flags_only() {
        assert_eq!(
            n(&[
                "intcov",
                "textfmt",
                "-i=a,b",
                "-o",
                "x",
                "-pkg=foo/...",
                "-pcombine",
                "--input",
                "d",
                "-"
            ]),
            [
                "intcov",
                "textfmt",
                "-i=a,b",
                "-o",
                "x",
                "--pkg=foo/...",
                "--pcombine",
                "--input",
                "d",
                "-"
            ]
        );
    }

    #[test]
    fn leaves_values_after_double_dash() {
        assert_eq!(n(&["intcov", "--", "-pkg"]), ["intcov", "--", "-pkg"]);
    }

    #[test]
    fn negative_numbers_are_not_flags() {
        assert_eq!(n(&["intcov", "report", "-10"]), ["intcov", "report", "-10"]);
    }
}
