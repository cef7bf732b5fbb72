//! `intcov overlay` from the command line: what it writes and prints, the baked default
//! coverage directory, and its refusals. The overlay's behaviour under `go test` is tested in
//! crates/overlay/tests/e2e.rs.

use std::process::{Command, Output};

use camino::Utf8Path;

fn intcov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn writes_the_overlay_and_prints_its_path() {
    let go = testkit::go();
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let out = tmp.join("ov");
    let coverdir = tmp.join("cover");
    let res = intcov(&[
        "overlay",
        "--out",
        out.as_str(),
        "--go",
        go.go.as_str(),
        "--coverdir",
        coverdir.as_str(),
    ]);
    assert!(res.status.success(), "{}", text(&res.stderr));
    let json = out.join("overlay_integration.json");
    assert_eq!(text(&res.stdout).trim(), json.as_str());
    assert!(
        text(&res.stderr).contains(&go.version),
        "{}",
        text(&res.stderr)
    );
    let map: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let replace = map["Replace"].as_object().unwrap();
    assert!(replace
        .keys()
        .all(|k| k.starts_with(go.goroot().join("src").as_str())));
    // The default GO_INTEGRATION_COVERDIR is baked into the coverage runtime.
    let baked = replace
        .values()
        .map(|v| std::fs::read_to_string(v.as_str().unwrap()).unwrap())
        .any(|t| t.contains(&format!("integrationDefaultCoverDir = \"{coverdir}\"")));
    assert!(baked, "--coverdir not baked in");

    let res = intcov(&[
        "overlay",
        "--out",
        tmp.join("m").as_str(),
        "--variant",
        "minimal",
    ]);
    assert!(res.status.success(), "{}", text(&res.stderr));
    let res = intcov(&[
        "overlay",
        "--out",
        tmp.join("x").as_str(),
        "--variant",
        "huge",
    ]);
    assert!(!res.status.success());
}

#[cfg(unix)]
#[test]
fn refuses_an_unsupported_go() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let fake = tmp.join("go");
    std::fs::write(&fake, format!("#!/bin/sh\necho {tmp}\necho go1.20.14\n")).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let res = intcov(&[
        "overlay",
        "--out",
        tmp.join("ov").as_str(),
        "--go",
        fake.as_str(),
    ]);
    assert_eq!(res.status.code(), Some(1));
    let err = text(&res.stderr);
    assert!(
        err.contains("go1.20.14") && err.contains("1.21 to 1.27"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one message: {err}");

    let res = intcov(&[
        "overlay",
        "--out",
        tmp.join("ov").as_str(),
        "--go",
        tmp.join("nope").as_str(),
    ]);
    assert_eq!(res.status.code(), Some(1));
    assert!(text(&res.stderr).contains("nope"), "{}", text(&res.stderr));
}

#[test]
fn has_help() {
    let res = intcov(&["overlay", "--help"]);
    assert!(res.status.success());
    for flag in ["--out", "--go", "--coverdir", "--variant"] {
        assert!(text(&res.stdout).contains(flag), "{flag}");
    }
}

/// The variant as a word, as the seed's `generate_integration_overlay.go full` takes it.
#[test]
fn variant_word_as_argument() {
    let go = testkit::go();
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();
    let files = |dir: &str| -> usize {
        let json = tmp.join(dir).join("overlay_integration.json");
        let map: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        map["Replace"].as_object().unwrap().len()
    };
    for (word, dir) in [(Some("minimal"), "m"), (None, "d"), (Some("full"), "f")] {
        let out = tmp.join(dir);
        let mut args = vec!["overlay"];
        args.extend(word);
        args.extend(["--out", out.as_str(), "--go", go.go.as_str()]);
        let res = intcov(&args);
        assert!(res.status.success(), "{args:?}: {}", text(&res.stderr));
    }
    // The minimal overlay replaces two files, the full one more.
    assert_eq!(files("m"), 2);
    assert_eq!(files("f"), files("d"));
    assert!(files("f") > 2);

    for bad in [
        vec!["overlay", "huge", "--out", tmp.join("x").as_str()],
        vec![
            "overlay",
            "minimal",
            "--variant",
            "full",
            "--out",
            tmp.join("y").as_str(),
        ],
        vec![
            "overlay",
            "full",
            "minimal",
            "--out",
            tmp.join("z").as_str(),
        ],
    ] {
        let res = intcov(&bad);
        assert_eq!(res.status.code(), Some(2), "{bad:?}");
        assert!(!tmp.join("x").exists() && !tmp.join("y").exists() && !tmp.join("z").exists());
    }
}
