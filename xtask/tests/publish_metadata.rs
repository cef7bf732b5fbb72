//! What `cargo publish` and crates.io need of every crate `cargo install intcov` builds, checked
//! from `cargo metadata` (seconds, no network): each published crate has its metadata, and
//! every normal dependency of a published crate that lives in this workspace is published too,
//! with a version (a new crate that intcov depends on fails here until it gets both).
//! The full `cargo publish --workspace --dry-run` runs in the release workflow.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(testkit::repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn published(pkg: &Value) -> bool {
    // `publish = false` is an empty list of registries.
    pkg["publish"].as_array().is_none_or(|r| !r.is_empty())
}

#[test]
fn published_crates_have_metadata_and_published_deps() {
    let meta = metadata();
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p))
        .collect();
    assert!(
        published(packages["intcov"]),
        "intcov itself must be published"
    );

    let mut problems = Vec::new();
    for (name, pkg) in &packages {
        if !published(pkg) {
            continue;
        }
        for field in ["description", "license", "repository", "readme"] {
            if pkg[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no {field}"));
            }
        }
        if pkg["license"].as_str() != Some("MIT OR Apache-2.0") {
            problems.push(format!("{name}: license is not MIT OR Apache-2.0"));
        }
        if pkg["keywords"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("{name}: no keywords"));
        }
        for dep in pkg["dependencies"].as_array().unwrap() {
            let normal = dep["kind"].is_null();
            let Some(dep_pkg) = packages.get(dep["name"].as_str().unwrap()) else {
                continue; // from crates.io
            };
            if !normal {
                continue; // dev-dependencies without a version are dropped on publish
            }
            if !published(dep_pkg) {
                problems.push(format!(
                    "{name} depends on {}, which is not published",
                    dep["name"]
                ));
            }
            if dep["req"].as_str() == Some("*") {
                problems.push(format!(
                    "{name} depends on {} without a version",
                    dep["name"]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
