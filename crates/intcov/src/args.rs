//! Go's `flag` package accepts `-name=value`, `-name value` and `--name=value`; clap wants long
//! names behind `--`. Rewriting multi-letter single-dash flags before clap sees them lets both
//! styles work without a second parser.

use std::ffi::OsString;

use clap::{ArgAction, Args};

/// The flags every `go tool covdata` command takes besides its own, accepted with Go's
/// meaning so that scripts written for Go's tool run unchanged.
#[derive(Args, Debug, Default, Clone)]
pub struct GoFlags {
    /// Go's trace level; 1 or more also shows every repeated warning (otherwise counted after
    /// the first ten of a kind)
    #[arg(
        short = 'v',
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub v: i32,
    /// Go's "panic on fatal errors": a fatal error ends with exit status 2, as Go's panic does
    #[arg(short = 'h', value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true", value_parser = go_bool)]
    pub h: bool,
    /// Go's "panic on warnings": a warning makes the command fail with status 2 (the reading
    /// commands then write nothing)
    #[arg(long = "hw", value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true", value_parser = go_bool)]
    pub hw: bool,
    /// Go's CPU profile of the tool itself; intcov writes a valid, empty pprof profile
    #[arg(long = "cpuprofile", value_name = "FILE")]
    pub cpuprofile: Option<String>,
    /// Go's memory profile of the tool itself; intcov writes a valid, empty heap profile
    #[arg(long = "memprofile", value_name = "FILE")]
    pub memprofile: Option<String>,
    /// Sampling rate of -memprofile (recorded in its header)
    #[arg(long = "memprofilerate", value_name = "N", default_value_t = 0)]
    pub memprofilerate: i64,
    /// Print help (`-h` is Go's panic-on-fatal flag in these commands)
    #[arg(long = "help", action = ArgAction::Help)]
    pub help: Option<bool>,
}

/// The `go tool covdata` subcommands, whose command-line mistakes are reported in Go's words.
const DROP_IN: [&str; 8] = [
    "textfmt",
    "percent",
    "func",
    "pkglist",
    "debugdump",
    "merge",
    "subtract",
    "intersect",
];

/// Parse the command line (after [`normalize`]); on a mistake in a drop-in command, say it as
/// Go's flag package does (`flag provided but not defined: -x`, `invalid value "abc" for flag
/// -v: parse error`) and exit with Go's status 2. Other mistakes and `--help` are clap's.
pub fn parse<C: clap::Parser>(argv: Vec<OsString>) -> C {
    let drop_in = argv
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|c| DROP_IN.contains(&c));
    match C::try_parse_from(normalize(argv)) {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(line) = drop_in.then(|| go_words(&e)).flatten() {
                eprintln!("{line}\nRun with --help for the flags.");
                std::process::exit(2);
            }
            e.exit()
        }
    }
}

fn go_words(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |k| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    match e.kind() {
        ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
            let arg = get(ContextKind::InvalidArg)?;
            let value = get(ContextKind::InvalidValue)?;
            let flag = flag_name(arg.split(['[', ' ', '<']).next()?);
            if arg.contains("<BOOL>") {
                return Some(format!(
                    "invalid boolean value {value:?} for -{flag}: parse error"
                ));
            }
            Some(format!(
                "invalid value {value:?} for flag -{flag}: parse error"
            ))
        }
        ErrorKind::UnknownArgument => {
            let arg = get(ContextKind::InvalidArg)?;
            if !arg.starts_with('-') {
                return Some("error: unknown extra arguments".to_owned());
            }
            Some(format!(
                "flag provided but not defined: -{}",
                flag_name(&arg)
            ))
        }
        _ => None,
    }
}

/// `--hw=x` or `-v` → `hw`, `v`.
fn flag_name(arg: &str) -> &str {
    arg.trim_start_matches('-')
        .split('=')
        .next()
        .unwrap_or_default()
}

/// A boolean flag's value as Go's `strconv.ParseBool` reads it (`-pcombine=true`, `-live=0`).
pub fn go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("parse error: {s:?} is not a boolean")),
    }
}

/// The first argument that is not valid UTF-8, named (intcov's paths are UTF-8; clap's own
/// message does not say which argument it means).
pub fn check_utf8(args: &[OsString]) -> Result<(), String> {
    match args.iter().enumerate().find(|(_, a)| a.to_str().is_none()) {
        None => Ok(()),
        Some((i, a)) => Err(format!(
            "argument {i} ({}) is not valid UTF-8; intcov reads and writes UTF-8 paths only \
             (rename the file or directory, or link to it under a UTF-8 name)",
            a.to_string_lossy()
        )),
    }
}

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
            // Go takes `--i=x` for `-i=x`; clap takes a one-letter name behind one dash only.
            Some(s) if is_double_dash_letter(s) => Some(OsString::from(&s[1..])),
            _ => None,
        };
        out.push(rewritten.unwrap_or(arg));
    }
    out
}

fn is_double_dash_letter(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("--") else {
        return false;
    };
    let mut chars = rest.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && matches!(chars.next(), None | Some('='))
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
    fn one_letter_flags_behind_two_dashes() {
        assert_eq!(
            n(&["intcov", "merge", "--i=a", "--o", "x", "--v=1", "--io"]),
            ["intcov", "merge", "-i=a", "-o", "x", "-v=1", "--io"]
        );
    }

    #[test]
    fn go_booleans() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(go_bool(t), Ok(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(go_bool(f), Ok(false));
        }
        assert!(go_bool("yes").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn names_the_argument_that_is_not_utf8() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![
            OsString::from("intcov"),
            OsString::from("percent"),
            OsString::from_vec(b"-i=d\xff".to_vec()),
        ];
        let err = check_utf8(&args).unwrap_err();
        assert!(err.starts_with("argument 2 (-i=d\u{FFFD})"), "{err}");
        assert!(check_utf8(&args[..2]).is_ok());
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
