//! The huge meta-data rows of `cargo xtask bench`: one program whose meta-data file holds many
//! small functions (generated code bases: protobuf or ent packages, `-coverpkg=all` over a
//! large module), run once.
//!
//! The data is real: `xtask/bench-gen` (Go) writes a module of `packages` packages of
//! [`FUNCS_PER_PACKAGE`] functions (three coverage units each), which is built with `-cover`
//! and run, so Go's own runtime writes the covmeta and covcounters files. The set is then timed
//! like the cmd/go sets (same operations, identity check first, CPU time and peak RSS).
//! Compiling costs about 4 ms per function on a quiet core, so the default is 100,000
//! functions; `--hugemeta-funcs 1000000` builds the full shape (cached under target/bench).

use anyhow::{ensure, Context, Result};
use camino::Utf8Path;
use xshell::{cmd, Shell};

use crate::bench::DataSet;

/// Functions per generated package; Go compiles packages in parallel, and one package of
/// hundreds of thousands of functions takes the compiler many gigabytes.
const FUNCS_PER_PACKAGE: usize = 10_000;

/// The data set for `funcs` functions (rounded up to whole packages), built once.
pub(crate) fn dataset(sh: &Shell, bench_dir: &Utf8Path, funcs: usize) -> Result<DataSet> {
    ensure!(funcs > 0, "--hugemeta-funcs must be at least 1");
    let packages = funcs.div_ceil(FUNCS_PER_PACKAGE);
    let funcs = packages * FUNCS_PER_PACKAGE;
    let name = format!("{}k functions, one meta file", funcs / 1000);
    let base = bench_dir.join(format!("hugemeta-{funcs}"));
    let data = base.join("covdata");
    if data.join(".complete").exists() {
        return DataSet::scan(&name, data);
    }
    let module = base.join("module");
    let _ = std::fs::remove_dir_all(&base);
    sh.create_dir(&data)?;
    let generator = crate::project_root().join("xtask/bench-gen");
    eprintln!(
        "bench: generating and building {funcs} functions with -cover (about {} min on a quiet machine)",
        (funcs * 4 / 1000 / 2).div_ceil(60)
    );
    {
        let _dir = sh.push_dir(&generator);
        let (p, f) = (packages.to_string(), FUNCS_PER_PACKAGE.to_string());
        cmd!(sh, "go run . -out {module} -pkgs {p} -funcs {f} -files 5")
            .run()
            .context("xtask/bench-gen")?;
    }
    let program = base.join("program");
    {
        let _dir = sh.push_dir(&module);
        cmd!(sh, "go build -cover -o {program} .").run()?;
    }
    {
        let _env = sh.push_env("GOCOVERDIR", &data);
        cmd!(sh, "{program}").run()?;
    }
    sh.write_file(data.join(".complete"), "")?;
    DataSet::scan(&name, data)
}
