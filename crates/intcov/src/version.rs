//! `intcov --version`: the version, and the Go releases whose GOROOT the overlay knows how to
//! patch (a user choosing a release binary needs both).

use std::sync::OnceLock;

pub fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let minors = overlay::SUPPORTED_MINORS;
        format!(
            "{}\noverlay: Go 1.{} to 1.{}",
            env!("CARGO_PKG_VERSION"),
            minors.start(),
            minors.end()
        )
    })
}
