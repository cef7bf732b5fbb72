//! The Go modules under `go-fixtures/` and the coverage data their integration tests produce.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use camino::{Utf8Path, Utf8PathBuf};
use xshell::Shell;

use crate::{io_err, repo_root, run, Error, GoToolchain, Result};

/// `-covermode` of the binaries a fixture builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoverMode {
    Set,
    Count,
    Atomic,
}

impl CoverMode {
    pub const ALL: [CoverMode; 3] = [CoverMode::Set, CoverMode::Count, CoverMode::Atomic];

    /// The `-covermode` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverMode::Set => "set",
            CoverMode::Count => "count",
            CoverMode::Atomic => "atomic",
        }
    }
}

impl fmt::Display for CoverMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fresh directory of covmeta/covcounters files, deleted when this is dropped.
#[derive(Debug)]
pub struct CoverDir {
    pub path: Utf8PathBuf,
    _dir: tempfile::TempDir,
}

/// `<repo>/go-fixtures`.
pub fn fixtures_root() -> Utf8PathBuf {
    repo_root().join("go-fixtures")
}

/// Every Go module directly under `go-fixtures/` (a directory with a `go.mod`), sorted.
pub fn fixture_names() -> Vec<String> {
    let root = fixtures_root();
    let entries = root
        .read_dir_utf8()
        .unwrap_or_else(|e| panic!("{root}: {e}"));
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("go.mod").is_file())
        .map(|e| e.file_name().to_owned())
        .collect();
    names.sort();
    names
}

/// Copies fixture module `name` into `to` (as `to/name`), out of the repository, so that nothing
/// finds it through the workspace; panics on failure.
pub fn copy_fixture(name: &str, to: &Utf8Path) -> Utf8PathBuf {
    let dst = to.join(name);
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(fixtures_root().join(name))
        .arg(&dst)
        .status()
        .expect("cp");
    assert!(status.success(), "cp -r {name} {dst}");
    dst
}

/// Builds `fixture`'s commands with `-cover -covermode=<mode> -coverpkg=<module>/...` using `go`,
/// runs its integration tests (`go test ./...`, the test binaries themselves not covered) with the
/// commands writing into a fresh temporary GOCOVERDIR, and returns that directory.
///
/// The fixture's tests run once for each (toolchain, fixture sources, mode): the files are kept
/// under `<repo>/target/testkit-covdata/` and every call gets a fresh copy of them. Set
/// `INTCOV_TESTKIT_FRESH=1` to run the tests again regardless.
pub fn covdata(go: &GoToolchain, fixture: &str, mode: CoverMode) -> CoverDir {
    try_covdata(go, fixture, mode).unwrap_or_else(|e| panic!("{e}"))
}

/// [`covdata`], returning errors instead of panicking.
pub fn try_covdata(go: &GoToolchain, fixture: &str, mode: CoverMode) -> Result<CoverDir> {
    type Slot = Arc<OnceLock<Result<Files, String>>>;
    type Runs = HashMap<(GoToolchain, String, CoverMode), Slot>;
    static RUNS: Mutex<Option<Runs>> = Mutex::new(None);

    let module = fixtures_root().join(fixture);
    if !module.join("go.mod").is_file() {
        return Err(Error::NoFixture {
            name: fixture.to_owned(),
            root: fixtures_root(),
            have: fixture_names().join(", "),
        });
    }
    let slot: Slot = {
        let mut runs = RUNS.lock().unwrap_or_else(|p| p.into_inner());
        let runs = runs.get_or_insert_with(HashMap::new);
        let key = (go.clone(), fixture.to_owned(), mode);
        runs.entry(key).or_default().clone()
    };
    // Only this key's callers wait here; other fixtures run in parallel.
    let files = slot
        .get_or_init(|| load_or_run(go, fixture, &module, mode).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|reason| Error::Failed {
            command: format!("go test ./... in {module} ({mode} mode)"),
            status: "failed earlier in this process".into(),
            output: reason.clone(),
        })?;

    let dir = temp_dir()?;
    let path = utf8(dir.path())?;
    for (name, bytes) in files {
        let file = path.join(name);
        std::fs::write(&file, bytes).map_err(io_err(&file))?;
    }
    Ok(CoverDir { path, _dir: dir })
}

fn temp_dir() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("intcov-covdata-")
        .tempdir()
        .map_err(|source| Error::Io {
            path: utf8(&std::env::temp_dir()).unwrap_or_default(),
            source,
        })
}

fn utf8(path: &std::path::Path) -> Result<Utf8PathBuf> {
    Utf8PathBuf::from_path_buf(path.to_owned()).map_err(|path| Error::NotUtf8 { path })
}

type Files = Vec<(String, Vec<u8>)>;

/// Bump when what the cache holds changes meaning.
const CACHE_FORMAT: u32 = 1;

fn load_or_run(
    go: &GoToolchain,
    fixture: &str,
    module: &Utf8Path,
    mode: CoverMode,
) -> Result<Files> {
    if std::env::var_os("INTCOV_TESTKIT_FRESH").is_some_and(|v| v != "0") {
        return run_fixture(go, fixture, module, mode);
    }
    let key = cache_key(go, module, mode)?;
    let root = crate::target_dir().join("testkit-covdata");
    let cached = root.join(format!("{fixture}-{mode}-{}-{key:016x}", go.version));
    if let Ok(files) = read_files(&cached) {
        if files.iter().any(|(name, _)| name.starts_with("covmeta.")) {
            return Ok(files);
        }
    }
    let files = run_fixture(go, fixture, module, mode)?;
    // Best effort: a failed store only costs the next process a rerun.
    let _ = store(&root, &cached, &files);
    Ok(files)
}

/// A hash of everything the fixture's data depends on: the toolchain, the mode and every file
/// of the module.
fn cache_key(go: &GoToolchain, module: &Utf8Path, mode: CoverMode) -> Result<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (CACHE_FORMAT, &go.go, &go.version, mode.as_str()).hash(&mut h);
    let mut stack = vec![module.to_owned()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in dir.read_dir_utf8().map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let ty = entry.file_type().map_err(io_err(entry.path()))?;
            if ty.is_dir() {
                stack.push(entry.path().to_owned());
            } else if ty.is_file() {
                files.push(entry.path().to_owned());
            }
        }
    }
    files.sort();
    for file in files {
        let bytes = std::fs::read(&file).map_err(io_err(&file))?;
        (file.strip_prefix(module).unwrap_or(&file), bytes).hash(&mut h);
    }
    Ok(h.finish())
}

fn read_files(dir: &Utf8Path) -> Result<Files> {
    let mut files = Vec::new();
    for entry in dir.read_dir_utf8().map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let file = entry.path();
        let bytes = std::fs::read(file).map_err(io_err(file))?;
        files.push((entry.file_name().to_owned(), bytes));
    }
    Ok(files)
}

/// Writes `files` into a scratch directory, then renames it to `dir`, so readers never see a
/// partial entry.
fn store(root: &Utf8Path, dir: &Utf8Path, files: &Files) -> Result<()> {
    std::fs::create_dir_all(root).map_err(io_err(root))?;
    let scratch = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(root)
        .map_err(io_err(root))?;
    let scratch_path = utf8(scratch.path())?;
    for (name, bytes) in files {
        let file = scratch_path.join(name);
        std::fs::write(&file, bytes).map_err(io_err(&file))?;
    }
    let kept = scratch.keep();
    if std::fs::rename(&kept, dir).is_err() {
        // Another process stored the same entry first.
        let _ = std::fs::remove_dir_all(&kept);
    }
    Ok(())
}

fn run_fixture(
    go: &GoToolchain,
    fixture: &str,
    module: &Utf8Path,
    mode: CoverMode,
) -> Result<Files> {
    let dir = temp_dir()?;
    let path = utf8(dir.path())?;
    let sh = Shell::new().map_err(|source| Error::Spawn {
        command: "Shell::new".into(),
        source,
    })?;
    sh.change_dir(module);
    // -count=1: a cached pass would run nothing and leave the directory empty.
    run(go
        .cmd(&sh)
        .args(["test", "-count=1", "./..."])
        .env("INTCOV_FIXTURE_COVERDIR", &path)
        .env("INTCOV_FIXTURE_COVERMODE", mode.as_str())
        .env_remove("INTCOV_FIXTURE_GRACEFUL")
        .env_remove("GOCOVERDIR"))?;

    let files = read_files(&path)?;
    if !files.iter().any(|(name, _)| name.starts_with("covmeta.")) {
        return Err(Error::NoCovdata {
            fixture: fixture.to_owned(),
            dir: path,
        });
    }
    Ok(files)
}
