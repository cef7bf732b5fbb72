//! `metafiles.txt`: a `go test -coverpkg` binary reports packages no test executed by reading
//! the stand-alone meta-data files that list names. With `meta_files_lists` on, reading the
//! test's coverage directory gives exactly the profile the test binary wrote itself.

use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::{read_profile, ModePolicy, ReadOptions, Warning};
use testkit::go;

const FILES: &[(&str, &str)] = &[
    ("go.mod", "module example.com/mf\n\ngo 1.21\n"),
    (
        "a/a.go",
        "package a\n\nfunc Classify(n int) string {\n\tif n < 0 {\n\t\treturn \"neg\"\n\t}\n\tif n == 0 {\n\t\treturn \"zero\"\n\t}\n\treturn \"pos\"\n}\n\nfunc Twice(f func() int) int {\n\treturn f() + f()\n}\n",
    ),
    (
        "a/a_test.go",
        "package a\n\nimport \"testing\"\n\nfunc TestClassify(t *testing.T) {\n\tif Classify(3) != \"pos\" {\n\t\tt.Fatal()\n\t}\n\tif Twice(func() int { return 2 }) != 4 {\n\t\tt.Fatal()\n\t}\n}\n",
    ),
    (
        "b/b.go",
        "package b\n\nfunc Sum(xs ...int) (t int) {\n\tfor _, x := range xs {\n\t\tt += x\n\t}\n\treturn t\n}\n",
    ),
    (
        "cmd/tool/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/mf/b\"\n)\n\nfunc main() {\n\tfmt.Println(b.Sum(1, 2))\n}\n",
    ),
    ("c/c.go", "package c\n\nconst Name = \"no functions\"\n"),
];

struct Work(Utf8PathBuf);

impl Drop for Work {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn find(dir: &Utf8Path, name: &str, out: &mut Vec<Utf8PathBuf>) {
    for entry in dir.read_dir_utf8().unwrap() {
        let entry = entry.unwrap();
        let path = entry.path().to_owned();
        if entry.file_type().unwrap().is_dir() {
            find(&path, name, out);
        } else if entry.file_name() == name {
            out.push(path);
        }
    }
}

#[test]
fn test_coverdir_reads_like_the_test_binary_wrote_it() {
    for mode in ["set", "count", "atomic"] {
        let module = tempfile::tempdir().unwrap();
        for (name, text) in FILES {
            let path = module.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let tc = go();
        let out = Command::new(tc.go.as_str())
            .args(["test", "-work", "-count=1", "-coverpkg=./..."])
            .arg(format!("-covermode={mode}"))
            // Makes each test binary write its own profile (`_cover_.out`).
            .arg(format!(
                "-coverprofile={}",
                module.path().join("all.out").display()
            ))
            .arg("./...")
            .current_dir(module.path())
            .env("GOROOT", tc.goroot().as_str())
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-buildvcs=false")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}{stderr}");
        let work = stderr
            .lines()
            .find_map(|l| l.strip_prefix("WORK="))
            .unwrap_or_else(|| panic!("no WORK= in {stderr}"));
        let work = Work(Utf8PathBuf::from(work));

        let mut lists = Vec::new();
        find(&work.0, "metafiles.txt", &mut lists);
        let list = lists
            .iter()
            .find(|p| p.parent().unwrap().file_name() == Some("gocoverdir"))
            .unwrap_or_else(|| panic!("no gocoverdir/metafiles.txt under {}", work.0));
        let coverdir = list.parent().unwrap();
        // The profile the test binary wrote with -test.coverprofile, beside its coverdir.
        let expected = std::fs::read_to_string(coverdir.parent().unwrap().join("_cover_.out"))
            .expect("the test binary's own profile");

        let opts = ReadOptions {
            mode_policy: ModePolicy::Strict,
            meta_files_lists: true,
            ..ReadOptions::default()
        };
        let mut warnings = Vec::new();
        let profile = read_profile(&[coverdir], &opts, &mut |w: Warning| warnings.push(w))
            .unwrap()
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let mut text = Vec::new();
        profile::gofmt::emit_textual(&profile, &mut text).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), expected, "{mode}");
        assert!(expected.contains("example.com/mf/b/b.go"), "{expected}");

        // The percentage the test binary printed covers the listed packages too.
        let mut percent = Vec::new();
        profile::gofmt::emit_percent_with(&profile, &[], " in ./...", true, true, &mut percent)
            .unwrap();
        let percent = String::from_utf8(percent).unwrap();
        let line = stdout
            .lines()
            .find(|l| l.contains("example.com/mf/a"))
            .unwrap();
        assert!(
            line.ends_with(percent.trim_end()),
            "{line:?} vs {percent:?}"
        );

        // Without the option only the test binary's own packages are read.
        let plain = read_profile(&[coverdir], &ReadOptions::default(), &mut |_| {})
            .unwrap()
            .unwrap();
        assert_eq!(
            plain.packages().keys().collect::<Vec<_>>(),
            ["example.com/mf/a"]
        );
        drop(work);
    }
}
