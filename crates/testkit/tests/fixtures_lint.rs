//! The fixtures are well-formed Go modules: a `go 1.21` directive, gofmt-clean, vet-clean, and
//! each with a README that records its figures.

use testkit::{fixture_names, fixtures_root, go};
use xshell::Shell;

#[test]
fn fixtures_are_clean_go_1_21_modules() {
    let tc = go();
    let sh = Shell::new().unwrap();
    for fixture in fixture_names() {
        let module = fixtures_root().join(&fixture);
        let go_mod = std::fs::read_to_string(module.join("go.mod")).unwrap();
        assert!(
            go_mod.starts_with(&format!("module example.com/{fixture}\n")),
            "{fixture}/go.mod: {go_mod}"
        );
        assert!(
            go_mod.lines().any(|l| l == "go 1.21"),
            "{fixture}/go.mod needs `go 1.21`: {go_mod}"
        );
        assert!(
            module.join("README.md").is_file(),
            "{fixture} has no README.md"
        );

        sh.change_dir(&module);
        let gofmt = tc.goroot().join("bin").join("gofmt");
        let unformatted = xshell::cmd!(sh, "{gofmt} -l .").read().unwrap();
        assert_eq!(unformatted, "", "{fixture}: files gofmt would change");
        tc.cmd(&sh)
            .args(["vet", "./..."])
            .quiet()
            .run()
            .unwrap_or_else(|e| panic!("{fixture}: go vet: {e}"));
    }
}
