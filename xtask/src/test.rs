//! `cargo xtask test`: the README's test command.

use anyhow::{Context, Result};
use xshell::{cmd, Shell};

use crate::flags::TestArgs;

pub fn run(args: TestArgs) -> Result<()> {
    let sh = Shell::new()?;
    sh.set_var("GOTOOLCHAIN", "local");
    let version = cmd!(sh, "go env GOVERSION")
        .read()
        .context("`go` is needed for the tests: install Go >= 1.21 and put it on PATH")?;
    eprintln!("xtask: testing with {version}");
    let extra = args.cargo_args;
    cmd!(sh, "cargo test --workspace {extra...}").run()?;
    Ok(())
}
