//! `cargo xtask dist`: release archives and pip wheels in `target/dist/`.
//!
//! For each target: `cargo build --profile dist -p intcov` (through cargo-zigbuild when the
//! target is not this machine's own), then `intcov-<version>-<target>.tar.gz` (`.zip` for
//! Windows) with a `.sha256`, then a binary-only wheel built by maturin from the same build
//! (cargo finds it up to date). maturin, cargo-zigbuild and Zig come from PyPI into a venv
//! under `target/dist-tools/`, installed on first use.

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

use crate::dist_archive::{self, Entry};
use crate::flags::DistArgs;

/// What a release is built for (`--all-targets`). The release workflow builds each of them
/// natively on its own runner.
pub const RELEASE_TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-gnu",
];

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The cargo profile of release binaries (root Cargo.toml: release without debug info, stripped).
const PROFILE: &str = "dist-release";
/// The PyPI packages of the build tools, pinned.
const TOOLS: [&str; 3] = [
    "maturin==1.16.0",
    "cargo-zigbuild==0.24.0",
    "ziglang==0.17.1",
];

pub fn run(args: DistArgs) -> Result<()> {
    let root = crate::project_root();
    let sh = Shell::new()?;
    sh.change_dir(&root);
    let host = host_triple(&sh)?;
    let native = native_target(&host);
    let targets: Vec<String> = if args.all_targets {
        RELEASE_TARGETS.iter().map(|t| t.to_string()).collect()
    } else if args.targets.is_empty() {
        vec![native.clone()]
    } else {
        args.targets.clone()
    };
    let out = args.out.clone().unwrap_or_else(|| root.join("target/dist"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {out}"))?;

    let mut results = Vec::new();
    for target in &targets {
        eprintln!("xtask: dist {target}");
        let result = build_target(&sh, &host, target, &out, !args.no_wheel);
        if let Err(err) = &result {
            eprintln!("xtask: dist {target} failed: {err:#}");
        }
        results.push((target, result));
    }

    eprintln!("xtask: dist summary ({out})");
    let mut failed = Vec::new();
    for (target, result) in &results {
        match result {
            Ok(built) => {
                let wheel = built.wheel.as_deref().map_or(String::new(), |w| {
                    format!(", {}", w.file_name().unwrap_or_default())
                });
                eprintln!(
                    "  {target}: built {}{wheel}",
                    built.archive.file_name().unwrap_or_default()
                );
            }
            Err(err) => {
                eprintln!("  {target}: NOT built: {}", first_line(err));
                failed.push(target.as_str());
            }
        }
    }
    // With --all-targets a cross target that cannot be built is reported, not fatal; this
    // machine's own target must always build.
    let fatal: Vec<&str> = failed
        .into_iter()
        .filter(|t| !args.all_targets || *t == native)
        .collect();
    if !fatal.is_empty() {
        bail!("dist failed for {}", fatal.join(", "));
    }
    Ok(())
}

struct Built {
    archive: Utf8PathBuf,
    wheel: Option<Utf8PathBuf>,
}

fn build_target(
    sh: &Shell,
    host: &str,
    target: &str,
    out: &Utf8Path,
    wheel: bool,
) -> Result<Built> {
    let cross = needs_zig(host, target);
    add_rust_target(sh, host, target)?;
    let tools = if cross || wheel {
        Some(Tools::ensure(sh)?)
    } else {
        None
    };
    let build_env = tools.as_ref().map(Tools::path_env);
    if cross {
        let tools = tools
            .as_ref()
            .expect("tools are installed for cross builds");
        let zigbuild = tools.bin("cargo-zigbuild");
        cmd!(
            sh,
            "{zigbuild} zigbuild --profile {PROFILE} --locked -p intcov --target {target}"
        )
        .envs(build_env.clone())
        .run()
        .with_context(|| format!("cargo zigbuild for {target}"))?;
    } else {
        cmd!(
            sh,
            "cargo build --profile {PROFILE} --locked -p intcov --target {target}"
        )
        .run()
        .with_context(|| format!("cargo build for {target}"))?;
    }

    let windows = target.contains("windows");
    let exe = if windows { "intcov.exe" } else { "intcov" };
    let binary = target_dir().join(target).join(PROFILE).join(exe);
    let root = crate::project_root();
    let mut entries = vec![Entry {
        name: exe.to_owned(),
        source: binary,
        executable: true,
    }];
    for doc in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        entries.push(Entry {
            name: doc.to_owned(),
            source: root.join(doc),
            executable: false,
        });
    }
    let archive = dist_archive::write(out, &archive_stem(target), windows, &entries)?;
    eprintln!("xtask: wrote {archive} and its .sha256");

    let wheel = match (&tools, wheel) {
        (Some(tools), true) => Some(build_wheel(sh, tools, target, cross, out)?),
        _ => None,
    };
    Ok(Built { archive, wheel })
}

/// `intcov-<version>-<target>`, the archive's name without extension and its top directory.
pub fn archive_stem(target: &str) -> String {
    format!("intcov-{VERSION}-{target}")
}

/// maturin packs the binary cargo already built (same profile, target and flags) into a wheel.
/// A static musl binary satisfies both manylinux and musllinux, so one wheel carries both tags
/// and pip installs it on glibc and musl systems alike.
fn build_wheel(
    sh: &Shell,
    tools: &Tools,
    target: &str,
    cross: bool,
    out: &Utf8Path,
) -> Result<Utf8PathBuf> {
    let staging = tempfile::Builder::new()
        .prefix("wheel-")
        .tempdir_in(target_dir())
        .context("creating a staging directory under target/")?;
    let staging_dir = Utf8Path::from_path(staging.path()).context("non-UTF-8 temp dir")?;
    let maturin = tools.bin("maturin");
    let mut extra: Vec<&str> = Vec::new();
    if target.ends_with("-linux-musl") {
        extra.extend([
            "--compatibility",
            "manylinux_2_17",
            "--compatibility",
            "musllinux_1_2",
        ]);
    }
    if cross {
        extra.push("--zig");
    }
    cmd!(
        sh,
        "{maturin} build --locked --target {target} --out {staging_dir} {extra...}"
    )
    .envs(Some(tools.path_env()))
    .run()
    .with_context(|| format!("maturin build for {target}"))?;
    let built = single_file(staging_dir, ".whl")?;
    let dest = out.join(built.file_name().expect("a wheel has a name"));
    let bytes = std::fs::read(&built).with_context(|| format!("reading {built}"))?;
    outfile::write(&dest, &bytes)?;
    dist_archive::make_readable(&dest)?;
    eprintln!("xtask: wrote {dest}");
    Ok(dest)
}

fn single_file(dir: &Utf8Path, suffix: &str) -> Result<Utf8PathBuf> {
    let found: Vec<Utf8PathBuf> = dir
        .read_dir_utf8()
        .with_context(|| format!("reading {dir}"))?
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .filter(|p| p.as_str().ends_with(suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!("expected one {suffix} in {dir}, found {}", found.len()),
    }
}

/// The build tools from PyPI in a venv under target/, (re)installed when the pins change.
struct Tools {
    bin_dir: Utf8PathBuf,
}

impl Tools {
    fn ensure(sh: &Shell) -> Result<Tools> {
        let venv = target_dir().join("dist-tools");
        let bin_dir = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
        let marker = venv.join("installed.txt");
        let want = TOOLS.join("\n");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(want.as_str()) {
            eprintln!("xtask: installing {} into {venv}", TOOLS.join(" "));
            let python = if cfg!(windows) { "python" } else { "python3" };
            cmd!(sh, "{python} -m venv {venv}")
                .run()
                .context("creating a Python venv for the build tools (python3 -m venv)")?;
            let pip = bin_dir.join("pip");
            cmd!(
                sh,
                "{pip} install --quiet --disable-pip-version-check {TOOLS...}"
            )
            .run()
            .context("pip install of the build tools")?;
            outfile::write(&marker, want.as_bytes())?;
        }
        Ok(Tools { bin_dir })
    }

    fn bin(&self, name: &str) -> Utf8PathBuf {
        self.bin_dir.join(name)
    }

    /// PATH with the venv first: cargo-zigbuild and maturin find `python -m ziglang` there.
    fn path_env(&self) -> (&'static str, std::ffi::OsString) {
        let mut paths = vec![self.bin_dir.clone().into_std_path_buf()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let joined = std::env::join_paths(paths).expect("PATH entries hold no separator");
        ("PATH", joined)
    }
}

fn target_dir() -> Utf8PathBuf {
    std::env::var("CARGO_TARGET_DIR")
        .map(Utf8PathBuf::from)
        .unwrap_or_else(|_| crate::project_root().join("target"))
}

fn host_triple(sh: &Shell) -> Result<String> {
    let out = cmd!(sh, "rustc -vV").read().context("running rustc -vV")?;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV printed no host line")
}

/// The target a plain `cargo xtask dist` builds: this machine's, with musl instead of glibc on
/// Linux so the binary is static and runs on any distribution.
pub fn native_target(host: &str) -> String {
    match host.strip_suffix("-linux-gnu") {
        Some(arch) => format!("{arch}-linux-musl"),
        None => host.to_owned(),
    }
}

/// Linux targets of the host's own architecture, macOS targets on macOS (Apple's linker builds
/// both architectures) and Windows targets on Windows build with plain cargo; the rest need
/// Zig's cross linker.
pub fn needs_zig(host: &str, target: &str) -> bool {
    let os = |t: &str| {
        ["linux", "apple", "windows"]
            .into_iter()
            .find(|os| t.contains(os))
            .unwrap_or("other")
    };
    let arch = |t: &str| t.split('-').next().unwrap_or_default().to_owned();
    os(host) != os(target) || (os(host) == "linux" && arch(host) != arch(target))
}

fn add_rust_target(sh: &Shell, host: &str, target: &str) -> Result<()> {
    if target == host {
        return Ok(());
    }
    let installed = cmd!(sh, "rustup target list --installed")
        .read()
        .with_context(|| format!("{target} needs rustup to add its standard library"))?;
    if !installed.lines().any(|l| l.trim() == target) {
        eprintln!("xtask: rustup target add {target}");
        cmd!(sh, "rustup target add {target}").run()?;
    }
    Ok(())
}

fn first_line(err: &anyhow::Error) -> String {
    format!("{err:#}")
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_target_is_static_on_linux() {
        assert_eq!(
            native_target("x86_64-unknown-linux-gnu"),
            "x86_64-unknown-linux-musl"
        );
        assert_eq!(
            native_target("aarch64-unknown-linux-gnu"),
            "aarch64-unknown-linux-musl"
        );
        assert_eq!(
            native_target("aarch64-apple-darwin"),
            "aarch64-apple-darwin"
        );
        assert_eq!(
            native_target("x86_64-pc-windows-msvc"),
            "x86_64-pc-windows-msvc"
        );
    }

    #[test]
    fn zig_only_where_the_host_linker_cannot() {
        let linux = "x86_64-unknown-linux-gnu";
        assert!(!needs_zig(linux, "x86_64-unknown-linux-musl"));
        assert!(needs_zig(linux, "aarch64-unknown-linux-musl"));
        assert!(needs_zig(linux, "aarch64-apple-darwin"));
        assert!(needs_zig(linux, "x86_64-pc-windows-gnu"));
        assert!(!needs_zig("aarch64-apple-darwin", "x86_64-apple-darwin"));
        assert!(!needs_zig(
            "x86_64-pc-windows-msvc",
            "x86_64-pc-windows-msvc"
        ));
    }
}
