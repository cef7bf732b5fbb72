//! Generation itself: what is written and where, the Go it produces (gofmt, vet), and the
//! refusals (unsupported release, missing anchor or file), against fake GOROOTs built from the
//! Go on PATH.

mod common;

use camino::{Utf8Path, Utf8PathBuf};
use common::{go, tempdir, utf8};
use overlay::{Error, GoInstall, Layout, Options, Release, Variant};

fn options(out: &Utf8Path, variant: Variant) -> Options {
    Options {
        out: out.to_owned(),
        coverdir: None,
        variant,
    }
}

/// A GOROOT holding copies of the files the overlay reads for `layout`, taken from the Go on
/// PATH (which must have the same layout), claiming to be release `version`.
fn fake_goroot(dir: &Utf8Path, version: &str) -> GoInstall {
    let real = testkit::go().goroot();
    let layout = Layout::of(Release::parse(version).unwrap());
    assert_eq!(
        layout,
        Layout::of(Release::parse(&testkit::go().version).unwrap()),
        "the Go on PATH must have the layout of {version}"
    );
    for patch in overlay::plan(layout, true) {
        let from = real.join("src").join(&patch.file);
        let to = dir.join("src").join(&patch.file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("{from}: {e}"));
    }
    GoInstall::new(dir, version)
}

/// A release of the same layout as the Go on PATH, for the fake GOROOTs.
fn fake_version() -> &'static str {
    let minor = testkit::go().minor();
    assert!(
        minor >= 23,
        "these tests fake a Go >= 1.23 GOROOT from the Go on PATH"
    );
    "go1.23.0"
}

#[test]
fn writes_absolute_replacements_and_never_goroot() {
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    let version = fake_version();
    let install = fake_goroot(&tmp.join("goroot"), version);
    let before = snapshot(&install.goroot);
    set_readonly(&install.goroot, true);
    let generated = overlay::generate(&install, &options(&tmp.join("a/../out"), Variant::Full));
    set_readonly(&install.goroot, false);
    let generated = generated.unwrap();
    assert_eq!(snapshot(&install.goroot), before, "GOROOT changed");

    assert_eq!(
        generated.overlay_json,
        tmp.join("out/overlay_integration.json")
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&generated.overlay_json).unwrap()).unwrap();
    let replace = json["Replace"].as_object().expect("Replace map");
    assert_eq!(replace.len(), generated.replace.len());
    for (from, to) in replace {
        let (from, to) = (Utf8Path::new(from), Utf8Path::new(to.as_str().unwrap()));
        assert!(from.is_absolute() && to.is_absolute(), "{from} -> {to}");
        assert!(from.starts_with(install.goroot.join("src")), "{from}");
        assert!(
            from.is_file(),
            "{from}: the overlay only replaces existing files"
        );
        assert!(to.starts_with(tmp.join("out")) && to.is_file(), "{to}");
        let text = std::fs::read_to_string(to).unwrap();
        assert!(!text.contains("{{"), "{to}: unrendered placeholder");
    }

    let minimal =
        overlay::generate(&install, &options(&tmp.join("min"), Variant::Minimal)).unwrap();
    let files: Vec<_> = minimal
        .replace
        .keys()
        .map(|k| k.file_name().unwrap())
        .collect();
    assert_eq!(
        files,
        ["hooks.go", "testsupport.go"],
        "the minimal overlay patches the report step only"
    );
}

#[test]
fn refuses_releases_outside_1_21_to_1_27() {
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    for version in [
        "go1.20.14",
        "go1.28.0",
        "go1.28rc1",
        "devel go1.28-0123456789 Fri Jan 1",
        "go2.0.0",
    ] {
        let install = GoInstall::new(tmp.join("goroot"), version);
        let err =
            overlay::generate(&install, &options(&tmp.join("out"), Variant::Full)).unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{version}: {err}");
        let msg = err.to_string();
        assert!(
            msg.contains(version) && msg.contains("1.21 to 1.27"),
            "{msg}"
        );
        assert!(
            !tmp.join("out").exists(),
            "{version}: wrote output before refusing"
        );
    }
}

/// `go env` of a fake go says 1.28: refused, naming the release and GOROOT.
#[cfg(unix)]
#[test]
fn refuses_an_unsupported_go_command() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    let fake = tmp.join("go");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho {tmp}/goroot\necho go1.28.1\n"),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let install = overlay::probe(&fake).unwrap();
    assert_eq!(install.version, "go1.28.1");
    let err = overlay::generate(&install, &options(&tmp.join("out"), Variant::Full)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("go1.28.1") && msg.contains(&format!("{tmp}/goroot")),
        "{msg}"
    );

    std::fs::write(&fake, "#!/bin/sh\necho nonsense\n").unwrap();
    let err = overlay::probe(&fake).unwrap_err();
    assert!(matches!(err, Error::GoEnvOutput { .. }), "{err}");
}

#[test]
fn refuses_a_file_whose_anchor_is_missing_or_repeated() {
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    let version = fake_version();
    let install = fake_goroot(&tmp.join("goroot"), version);
    let hooks = install.goroot.join("src/internal/coverage/cfile/hooks.go");
    let text = std::fs::read_to_string(&hooks).unwrap();
    std::fs::write(
        &hooks,
        text.replace(
            "func InitHook(istest bool) {",
            "func InitHook(istest bool, x int) {",
        ),
    )
    .unwrap();
    let err =
        overlay::generate(&install, &options(&tmp.join("out"), Variant::Minimal)).unwrap_err();
    match &err {
        Error::MissingAnchor {
            version: v,
            file,
            anchor,
        } => {
            assert_eq!(v, version);
            assert_eq!(file, "src/internal/coverage/cfile/hooks.go");
            assert_eq!(anchor, "func InitHook(istest bool) {");
        }
        other => panic!("expected a missing anchor, got {other}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(version) && msg.contains("hooks.go") && msg.contains("func InitHook"),
        "{msg}"
    );
    assert!(!tmp.join("out").exists(), "wrote output before refusing");

    std::fs::write(&hooks, &text).unwrap();
    let emit = install.goroot.join("src/internal/coverage/cfile/apis.go");
    let text = std::fs::read_to_string(&emit).unwrap();
    std::fs::write(&emit, format!("{text}\n// func ClearCounters() error {{\n")).unwrap();
    let err = overlay::generate(&install, &options(&tmp.join("out"), Variant::Full)).unwrap_err();
    assert!(
        matches!(err, Error::AmbiguousAnchor { count: 2, .. }),
        "{err}"
    );

    // The minimal overlay does not touch apis.go: still fine.
    overlay::generate(&install, &options(&tmp.join("out"), Variant::Minimal)).unwrap();
}

#[test]
fn refuses_a_goroot_without_a_file_it_patches() {
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    let version = fake_version();
    let install = fake_goroot(&tmp.join("goroot"), version);
    std::fs::remove_file(install.goroot.join("src/os/signal/signal_plan9.go")).unwrap();
    let err = overlay::generate(&install, &options(&tmp.join("out"), Variant::Full)).unwrap_err();
    assert!(matches!(err, Error::MissingFile { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(version) && msg.contains("src/os/signal/signal_plan9.go"),
        "{msg}"
    );
}

/// The Go the overlay produces for the Go on PATH is gofmt'd and passes `go vet` (vet reads the
/// overlay from Go 1.24 on); for an older Go on PATH the packages are compiled instead.
#[test]
fn generated_go_is_gofmt_clean_and_vets() {
    let tc = testkit::go();
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    for variant in [Variant::Full, Variant::Minimal] {
        let install = overlay::probe(&tc.go).unwrap();
        let out = tmp.join(variant.as_str());
        let generated = overlay::generate(&install, &options(&out, variant)).unwrap();
        let gofmt = tc.goroot().join("bin/gofmt");
        let sh = xshell::Shell::new().unwrap();
        let unformatted = xshell::cmd!(sh, "{gofmt} -l {out}").read().unwrap();
        assert_eq!(unformatted, "", "{variant}: not gofmt'd");
        let overlay = format!("-overlay={}", generated.overlay_json);
        let pkgs: &[&str] = match variant {
            Variant::Full => &[
                "internal/coverage/cfile",
                "runtime/coverage",
                "os/signal",
                "testing",
            ],
            Variant::Minimal => &["internal/coverage/cfile"],
        };
        let verb = if tc.minor() >= 24 { "vet" } else { "build" };
        let mut args = vec![verb, overlay.as_str()];
        args.extend_from_slice(pkgs);
        go(&tc, tmp, &args, &[]).ok();
    }
}

fn snapshot(root: &Utf8Path) -> Vec<(Utf8PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for e in dir.read_dir_utf8().unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                dirs.push(e.path().to_owned());
            } else {
                files.push((
                    e.path().to_owned(),
                    std::fs::read(e.path()).unwrap(),
                    meta.modified().unwrap(),
                ));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Read-only directories and files: a write into GOROOT would fail (unless running as root,
/// which the content snapshot still catches).
fn set_readonly(root: &Utf8Path, readonly: bool) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut paths = vec![root.to_owned()];
        let mut i = 0;
        while i < paths.len() {
            let path = paths[i].clone();
            i += 1;
            let meta = std::fs::metadata(&path).unwrap();
            if meta.is_dir() {
                if !readonly {
                    set_mode(&path, meta.permissions().mode() | 0o200);
                }
                for e in path.read_dir_utf8().unwrap() {
                    paths.push(e.unwrap().path().to_owned());
                }
            }
            if readonly || !meta.is_dir() {
                let mode = meta.permissions().mode();
                set_mode(
                    &path,
                    if readonly {
                        mode & !0o222
                    } else {
                        mode | 0o200
                    },
                );
            }
        }
        fn set_mode(path: &Utf8Path, mode: u32) {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    #[cfg(not(unix))]
    let _ = (root, readonly);
}

/// The full overlay comes with its twin for the programs tests build: the same replacements but
/// the coverage runtime's emit.go, whose one difference is integration mode baked in. The test
/// binary's overlay names the twin as the one to pass on through GOFLAGS.
#[test]
fn programs_overlay_differs_only_in_the_baked_mode() {
    let tmp = tempdir("intcov-gen-");
    let tmp = utf8(tmp.path());
    let install = fake_goroot(&tmp.join("goroot"), fake_version());
    let generated = overlay::generate(&install, &options(&tmp.join("out"), Variant::Full)).unwrap();
    let programs_json = generated
        .programs_json
        .expect("full variant has a programs overlay");
    assert_eq!(
        programs_json,
        tmp.join("out").join(overlay::PROGRAMS_OVERLAY_JSON)
    );
    let read = |json: &Utf8Path| -> serde_json::Map<String, serde_json::Value> {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        v["Replace"].as_object().unwrap().clone()
    };
    let (tests, programs) = (read(&generated.overlay_json), read(&programs_json));
    assert_eq!(
        tests.keys().collect::<Vec<_>>(),
        programs.keys().collect::<Vec<_>>()
    );
    let text = |v: &serde_json::Value| std::fs::read_to_string(v.as_str().unwrap()).unwrap();
    let mut differ = Vec::new();
    for (file, replacement) in &tests {
        let (a, b) = (text(replacement), text(&programs[file]));
        if a != b {
            differ.push(Utf8Path::new(file).file_name().unwrap().to_owned());
            assert_eq!(
                a.replace(
                    "const integrationBuiltForTests = false",
                    "const integrationBuiltForTests = true"
                ),
                b,
                "{file}"
            );
        }
        if file.ends_with("/hooks.go") {
            assert!(
                a.contains(&format!("integrationOverlayFile = \"{programs_json}\"")),
                "the test binary passes the programs' overlay on"
            );
        }
    }
    assert_eq!(differ, ["emit.go"]);
    let minimal =
        overlay::generate(&install, &options(&tmp.join("min"), Variant::Minimal)).unwrap();
    assert_eq!(minimal.programs_json, None);
}
