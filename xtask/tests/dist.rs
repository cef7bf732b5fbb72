//! `cargo xtask dist` on this machine: the static x86_64-unknown-linux-musl archive and its
//! checksum, the release binary in place of the normal build under the read-compat tests, the
//! action's binary install from the archive, and the wheel installed offline into a fresh venv.

use std::process::Command;
use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};

const TARGET: &str = "x86_64-unknown-linux-musl";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What one `cargo xtask dist` run (shared by the tests of this file) left in its output dir.
struct Dist {
    dir: Utf8PathBuf,
    archive: Utf8PathBuf,
    /// The archive unpacked (by `tar`, as a user would).
    unpacked: Utf8PathBuf,
    wheel: Utf8PathBuf,
    _tmp: tempfile::TempDir,
}

fn dist() -> &'static Dist {
    static DIST: OnceLock<Dist> = OnceLock::new();
    DIST.get_or_init(|| {
        let dir = testkit::target_dir().join("dist");
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["dist", "--target", TARGET])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo xtask dist failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let archive = dir.join(format!("intcov-{VERSION}-{TARGET}.tar.gz"));
        assert!(archive.is_file(), "{archive} missing");
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
        run("tar", &["-xzf", archive.as_str(), "-C", root.as_str()]);
        let unpacked = root.join(format!("intcov-{VERSION}-{TARGET}"));
        let wheel = dir
            .read_dir_utf8()
            .unwrap()
            .map(|e| e.unwrap().into_path())
            .find(|p| {
                let name = p.file_name().unwrap();
                name.starts_with(&format!("intcov-{VERSION}-py3-none-"))
                    && name.contains("manylinux_2_17_x86_64")
                    && name.ends_with(".whl")
            })
            .unwrap_or_else(|| panic!("no manylinux x86_64 wheel in {dir}"));
        Dist {
            dir,
            archive,
            unpacked,
            wheel,
            _tmp: tmp,
        }
    })
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn musl_archive_is_static_and_checksummed() {
    let d = dist();
    // The checksum file is what `sha256sum -c` reads, next to the archive.
    let checked = Command::new("sha256sum")
        .args(["-c", &format!("{}.sha256", d.archive.file_name().unwrap())])
        .current_dir(&d.dir)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "sha256sum -c: {}",
        String::from_utf8_lossy(&checked.stdout)
    );

    let listing = run("tar", &["-tzf", d.archive.as_str()]);
    let stem = format!("intcov-{VERSION}-{TARGET}");
    for name in ["intcov", "README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(
            listing.lines().any(|l| l == format!("{stem}/{name}")),
            "{name} missing from the archive:\n{listing}"
        );
    }

    let binary = d.unpacked.join("intcov");
    // ldd exits non-zero for a static binary; what it says is the point.
    let ldd = Command::new("ldd").arg(&binary).output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        said.contains("not a dynamic executable") || said.contains("statically linked"),
        "ldd {binary}: {said}"
    );
    assert!(!said.contains("libc.so"), "ldd {binary}: {said}");

    let version = run(binary.as_str(), &["--version"]);
    assert_eq!(
        version,
        format!("intcov {VERSION}\noverlay: Go 1.21 to 1.27\n")
    );
}

/// Go's oracle comparisons of `crates/intcov/tests/read_compat.rs`, with the release binary
/// in place of the normal build (the test honours `INTCOV_BIN`).
#[test]
fn musl_binary_passes_read_compat() {
    let binary = dist().unpacked.join("intcov");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            // --workspace: the features the suite's own build resolved, so nothing rebuilds.
            "test",
            "--quiet",
            "--workspace",
            "--test",
            "read_compat",
            "--",
            // The line saying which binary is tested goes to stderr, uncaptured.
            "--nocapture",
        ])
        .current_dir(testkit::repo_root())
        .env("INTCOV_BIN", &binary)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "read_compat with {binary}:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("read_compat: testing INTCOV_BIN={binary}")),
        "read_compat did not take INTCOV_BIN:\n{stderr}"
    );
    assert!(
        stdout.contains("test result: ok.") && !stdout.contains(" 0 passed"),
        "{stdout}"
    );
}

/// The action's `install` step, pointed at the dist directory instead of a GitHub release:
/// download, checksum, unpack, GITHUB_PATH. A damaged archive is refused.
#[test]
fn action_installs_the_release_archive() {
    let d = dist();
    let tmp = tempfile::tempdir().unwrap();
    let root = Utf8Path::from_path(tmp.path()).unwrap();
    let release = root.join("release");
    std::fs::create_dir_all(&release).unwrap();
    for f in [
        d.archive.clone(),
        Utf8PathBuf::from(format!("{}.sha256", d.archive)),
    ] {
        std::fs::copy(&f, release.join(f.file_name().unwrap())).unwrap();
    }
    let install = |runner: &str| {
        let runner_temp = root.join(runner);
        std::fs::create_dir_all(&runner_temp).unwrap();
        let out = Command::new("bash")
            .arg(testkit::repo_root().join("action/intcov-action.sh"))
            .arg("install")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_PATH", root.join(format!("{runner}-path.txt")))
            .env("INPUT_INSTALL_MODE", "binary")
            .env("INPUT_VERSION", VERSION)
            .env("INTCOV_REPOSITORY", "intcov/intcov")
            .env("INTCOV_RELEASE_BASE_URL", format!("file://{release}"))
            .output()
            .unwrap();
        let path =
            std::fs::read_to_string(root.join(format!("{runner}-path.txt"))).unwrap_or_default();
        (out, path)
    };

    let (out, path) = install("good");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "install: {said}");
    let bin_dir = path.trim();
    let version = run(&format!("{bin_dir}/intcov"), &["--version"]);
    assert!(
        version.starts_with(&format!("intcov {VERSION}\n")),
        "{version}"
    );

    // One flipped byte in the archive: the checksum no longer matches, install fails, no PATH.
    let damaged = release.join(d.archive.file_name().unwrap());
    let mut bytes = std::fs::read(&damaged).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&damaged, bytes).unwrap();
    let (out, path) = install("damaged");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not match the published"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(path.is_empty(), "{path}");
}

/// The wheel, installed offline from the file into a fresh venv, gives a working `intcov`
/// whose `percent` equals the normal build's on fixture data.
#[test]
fn wheel_installs_offline_and_runs() {
    let d = dist();
    let tmp = tempfile::tempdir().unwrap();
    let venv = Utf8Path::from_path(tmp.path()).unwrap().join("venv");
    run("python3", &["-m", "venv", venv.as_str()]);
    run(
        venv.join("bin/pip").as_str(),
        &[
            "install",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
            d.wheel.as_str(),
        ],
    );
    let intcov = venv.join("bin/intcov");
    let version = run(intcov.as_str(), &["--version"]);
    assert_eq!(
        version,
        format!("intcov {VERSION}\noverlay: Go 1.21 to 1.27\n")
    );

    let go = testkit::go();
    let data = testkit::covdata(&go, "clisuite", testkit::CoverMode::Set);
    let input = format!("-i={}", data.path);
    let ours = run(intcov.as_str(), &["percent", &input]);
    let expected = Command::new(go.go.as_str())
        .args(["tool", "covdata", "percent", &input])
        .env("GOROOT", go.goroot().as_str())
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(expected.status.success(), "{expected:?}");
    assert_eq!(ours, String::from_utf8(expected.stdout).unwrap());
    assert!(ours.contains("coverage:"), "{ours}");
}
