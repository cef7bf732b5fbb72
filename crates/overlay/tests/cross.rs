//! The full overlay compiles for every operating system and architecture it claims: darwin,
//! windows, freebsd and linux, each on amd64 and arm64, with Go 1.21.13 and the newest release.
//! testdata/crossmod uses what the overlay adds to `testing`, `runtime/coverage` and
//! `os/signal`; `go test -c -cover` of it cross-compiles every file the overlay replaces
//! (`runtime/panic.go` and the coverage runtime included).

mod common;

use camino::Utf8Path;
use common::{go, overlay_for, tempdir, utf8};
use overlay::Variant;
use testkit::GoToolchain;

const TARGETS: [(&str, &str); 8] = [
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("freebsd", "amd64"),
    ("freebsd", "arm64"),
    ("linux", "amd64"),
    ("linux", "arm64"),
];

fn cross_compile(tc: &GoToolchain) {
    let (_keep, generated) = overlay_for(tc, Variant::Full);
    let src = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/crossmod");
    let tmp = tempdir("intcov-cross-");
    let tmp = utf8(tmp.path());
    // Two at a time: each compiles most of the standard library for its target.
    let failures: Vec<String> = TARGETS
        .chunks(2)
        .flat_map(|pair| {
            std::thread::scope(|s| {
                let handles: Vec<_> = pair
                    .iter()
                    .map(|&(goos, goarch)| {
                        let (src, json) = (&src, &generated.overlay_json);
                        let out = tmp.join(format!("crossmod-{goos}-{goarch}.test"));
                        s.spawn(move || {
                            let run = go(
                                tc,
                                src,
                                &[
                                    "test",
                                    "-c",
                                    &format!("-overlay={json}"),
                                    "-cover",
                                    "-coverpkg=./...",
                                    &format!("-o={out}"),
                                    ".",
                                ],
                                &[("GOOS", goos), ("GOARCH", goarch), ("CGO_ENABLED", "0")],
                            );
                            (!run.success || !out.is_file())
                                .then(|| format!("{goos}/{goarch}: {}", run.all()))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .filter_map(|h| h.join().expect("compile thread"))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{}: the overlay does not compile for\n{}",
        tc.version,
        failures.join("\n")
    );
}

#[test]
fn full_overlay_compiles_everywhere_go1_21_13() {
    cross_compile(&testkit::go_release("1.21.13"));
}

#[test]
fn full_overlay_compiles_everywhere_go1_27_3() {
    cross_compile(&testkit::go_release("1.27.3"));
}
