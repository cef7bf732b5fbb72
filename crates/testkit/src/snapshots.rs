//! insta settings that keep snapshots stable across runs and machines.

/// Settings with filters for what changes between runs: pids and nanosecond timestamps in
/// covcounters file names and dumps, temporary directories, the repository path, and `go test`
/// durations. Use with `insta_settings().bind(|| …)`.
pub fn insta_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.add_filter(
        r"covcounters\.([0-9a-f]{32})\.\d+\.\d+",
        "covcounters.$1.[PID].[NANOTIME]",
    );
    s.add_filter(r"(?i)\b(pid\s*[:=]?\s*)\d+", "$1[PID]");
    s.add_filter(
        r"(?i)\b((?:nano)?time(?:stamp)?\s*[:=]\s*)\d{6,}",
        "$1[NANOTIME]",
    );
    // `go tool covdata` runs from the build cache on recent Go: its path names a cache entry.
    s.add_filter(r"\S+[/\\](covdata(?:\.exe)?) ", "$1 ");
    let repo = crate::repo_root();
    s.add_filter(&escape(repo.as_str()), "[REPO]");
    // The first component under the temp root is the random part (`intcov-covdata-AbC123`,
    // `go-build123`): redact it, keep the names below it.
    let tmp = std::env::temp_dir();
    let tmp = tmp.to_string_lossy();
    let tmp = tmp.trim_end_matches('/');
    if !tmp.is_empty() {
        s.add_filter(&format!(r"{}/[^/\s'\x22:]+", escape(tmp)), "[TMP]");
    }
    s.add_filter(r"\b(ok\s+\S+\s+)\d+\.\d+s\b", "$1[DURATION]");
    s
}

/// Also replaces 32-hex-digit hashes (meta-data hashes of covmeta files) by `[HASH]`, for
/// snapshots that should not change when the Go toolchain or the fixture's source does.
pub fn redact_hashes(settings: &mut insta::Settings) {
    settings.add_filter(r"\b[0-9a-f]{32}\b", "[HASH]");
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
