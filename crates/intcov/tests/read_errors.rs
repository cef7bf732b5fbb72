//! Bad input: exit status 1 and one message naming the file and the offset.

use camino::Utf8PathBuf;
use testkit::{covdata, fixture_names, go, CoverMode};

fn intcov(args: &[String]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_intcov"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn corrupt_files_give_one_line_naming_file_and_offset() {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Count);
    let mut names: Vec<Utf8PathBuf> = data
        .path
        .read_dir_utf8()
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    names.sort();
    let meta = names
        .iter()
        .find(|p| p.as_str().contains("covmeta."))
        .unwrap();
    let counters = names
        .iter()
        .find(|p| p.as_str().contains("covcounters."))
        .unwrap();
    for (file, cut) in [(meta, 60usize), (counters, 40)] {
        let original = std::fs::read(file).unwrap();
        std::fs::write(file, &original[..cut]).unwrap();
        for cmd in ["textfmt", "percent", "func", "pkglist", "debugdump"] {
            let mut args = vec![cmd.to_owned(), format!("-i={}", data.path)];
            if cmd == "textfmt" {
                args.push(format!("-o={}/out.txt", data.path));
            }
            let out = intcov(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{cmd}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{cmd}: {stderr}");
            assert!(stderr.starts_with("error: "), "{cmd}: {stderr}");
            assert!(
                stderr.contains(file.as_str()) && stderr.contains("offset"),
                "{cmd}: {stderr}"
            );
        }
        std::fs::write(file, &original).unwrap();
    }
}
