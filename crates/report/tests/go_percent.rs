//! Our percentages against Go's own formatting of the same ratios.

mod common;

use std::fmt::Write;

#[test]
fn percentages_print_as_go_prints_them() {
    const MAX: u64 = 1200;
    let dir = tempfile::tempdir().unwrap();
    let dir = camino::Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
    std::fs::write(dir.join("go.mod"), "module pct\n\ngo 1.21\n").unwrap();
    std::fs::write(
        dir.join("main.go"),
        format!(
            "package main\n\nimport \"fmt\"\n\nfunc main() {{\n\tfor t := uint64(1); t <= {MAX}; t++ {{\n\t\tfor c := uint64(0); c <= t; c++ {{\n\t\t\tfmt.Printf(\"%.1f%%\\n\", 100.0*float64(c)/float64(t))\n\t\t}}\n\t}}\n}}\n"
        ),
    )
    .unwrap();
    let go_out = common::go_in(&dir, &["run", "."]);
    let mut ours = String::new();
    for t in 1..=MAX {
        for c in 0..=t {
            let _ = writeln!(ours, "{}", report::percent::go_percent(c, t).unwrap());
        }
    }
    let (go_lines, our_lines): (Vec<_>, Vec<_>) =
        (go_out.lines().collect(), ours.lines().collect());
    assert_eq!(go_lines.len(), our_lines.len());
    for (i, (g, o)) in go_lines.iter().zip(&our_lines).enumerate() {
        assert_eq!(g, o, "line {i}");
    }
}
