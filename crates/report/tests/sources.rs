//! Sources found as `go tool cover` finds them, and paths relative to the repository:
//! - GOROOT's `cmd/gofmt` built with `-coverpkg=all` (the standard library, GOROOT's `cmd`
//!   module and its `vendor/`): every file's source is found, and no HTML page lacks it;
//! - a module using a dependency from the module cache (github.com/google/uuid v1.6.0, from
//!   the Go module proxy) shows the dependency's source;
//! - a monorepo (two modules under one git root, no go.work) gives repository-relative paths
//!   in LCOV, Cobertura, JSON and Markdown.

mod common;

use camino::{Utf8Path, Utf8PathBuf};
use profile::Profile;
use report::{html, Coverage, Format, RenderOptions, Sources};

fn read_covdata(dir: &Utf8Path) -> Profile {
    covmerge::read_profile(&[dir], &covmerge::ReadOptions::default(), &mut |w| {
        panic!("unexpected warning reading {dir}: {w}")
    })
    .expect("read covdata")
    .expect("covdata holds a meta-data file")
}

fn tmpdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::tempdir().expect("tempdir");
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).expect("utf8");
    (t, p)
}

/// Run a built program with GOCOVERDIR, ignoring its exit status (gofmt exits 2 on the
/// syntax errors some of its test data hold).
fn run_covered(bin: &Utf8Path, covdir: &Utf8Path, args: &[&str], cwd: &Utf8Path) {
    std::process::Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .env("GOCOVERDIR", covdir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run covered program");
}

/// Coverage data of GOROOT's gofmt built with `-coverpkg=all`, run on a few inputs; cached
/// under `target/` per Go version (building it compiles the standard library with coverage).
fn gofmt_covdata() -> Utf8PathBuf {
    let go = common::go();
    let dir = testkit::target_dir().join("report-gofmt").join(&go.version);
    let covdir = dir.join("cov");
    if covdir.join("done").is_file() {
        return covdir;
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    let (_t, tmp) = tmpdir();
    let bin = tmp.join("gofmt.cov");
    common::go_in(
        &tmp,
        &[
            "build",
            "-cover",
            "-coverpkg=all",
            "-o",
            bin.as_str(),
            "cmd/gofmt",
        ],
    );
    let cov = tmp.join("cov");
    std::fs::create_dir(&cov).expect("mkdir");
    let src = go.goroot().join("src");
    let gofmt_dir = src.join("cmd/gofmt");
    run_covered(&bin, &cov, &["-l", "gofmt.go"], &gofmt_dir);
    run_covered(&bin, &cov, &["-d", "-s", "testdata"], &gofmt_dir);
    run_covered(&bin, &cov, &["-l", "print.go"], &src.join("fmt"));
    std::fs::write(cov.join("done"), "").expect("marker");
    // Another test process may have won the race; either copy is complete.
    let _ = std::fs::rename(&cov, &covdir);
    assert!(covdir.join("done").is_file(), "{covdir} not in place");
    covdir
}

#[test]
fn gofmt_with_coverpkg_all_finds_every_source() {
    let profile = read_covdata(&gofmt_covdata());
    // Run from outside any module: the standard library resolves anywhere.
    let (_t, out) = tmpdir();
    let mut sources = Sources::none();
    sources.resolve_packages(profile.packages().keys().map(String::as_str));
    let cov = Coverage::build(&profile, &sources, None);
    let files = cov.files().count();
    assert!(files > 400, "only {files} files: not -coverpkg=all data");
    assert_eq!(
        cov.missing_sources_warning(),
        None,
        "every gofmt source is in GOROOT"
    );
    // Vendored packages of GOROOT's cmd module are among them.
    assert!(cov
        .files()
        .any(|(_, f)| f.name.starts_with("cmd/vendor/") && f.source.is_some()));
    // No machine paths: files outside any root keep their import path.
    let lcov = report::render_text(Format::Lcov, &cov, &RenderOptions::default()).unwrap();
    assert!(lcov.contains("SF:fmt/print.go\n"), "{}", &lcov[..200]);
    // Under GitLab's 10 MiB limit for a coverage report, and valid.
    let cobertura =
        report::render_text(Format::Cobertura, &cov, &RenderOptions::default()).unwrap();
    assert!(
        cobertura.len() < 10 << 20,
        "gofmt's Cobertura is {} bytes",
        cobertura.len()
    );
    common::check_dtd(&cobertura);

    let html_dir = out.join("html");
    html::write_dir(&cov, &html::HtmlOptions::default(), &html_dir).expect("html");
    let mut pages = 0;
    let mut stack = vec![html_dir.join("files")];
    while let Some(d) = stack.pop() {
        for e in d.read_dir_utf8().unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path().to_owned());
            } else {
                pages += 1;
                let page = std::fs::read_to_string(e.path()).unwrap();
                assert!(
                    !page.contains("Source file not found"),
                    "{} lacks its source",
                    e.path()
                );
            }
        }
    }
    assert_eq!(pages, files, "one page per file");
}

#[test]
fn module_cache_dependency_shows_its_source() {
    let (_t, dir) = tmpdir();
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/usesdep\n\ngo 1.21\n\nrequire github.com/google/uuid v1.6.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/google/uuid\"\n)\n\n\
         func main() {\n\tfmt.Println(uuid.NewSHA1(uuid.NameSpaceURL, []byte(\"x\")).Version())\n}\n",
    )
    .unwrap();
    common::go_in(&dir, &["mod", "download", "github.com/google/uuid"]);
    common::go_in(&dir, &["mod", "tidy"]);
    let bin = dir.join("usesdep");
    common::go_in(
        &dir,
        &[
            "build",
            "-cover",
            "-coverpkg=example.com/usesdep,github.com/google/uuid",
            "-o",
            bin.as_str(),
            ".",
        ],
    );
    let cov = dir.join("cov");
    std::fs::create_dir(&cov).unwrap();
    run_covered(&bin, &cov, &[], &dir);
    let profile = read_covdata(&cov);

    let mut sources = Sources::discover(&dir).unwrap();
    sources.resolve_packages(profile.packages().keys().map(String::as_str));
    let cov = Coverage::build(&profile, &sources, None);
    assert_eq!(cov.missing_sources_warning(), None);
    let (_, sha1) = cov
        .files()
        .find(|(_, f)| f.name == "github.com/google/uuid/hash.go")
        .expect("uuid's hash.go is measured");
    let source = sha1.source.as_deref().unwrap();
    assert!(
        source.as_str().contains("github.com/google/uuid@v1.6.0"),
        "{source} is not in the module cache"
    );
    // Outside the root, the path stays the import path; inside, it is relative.
    assert_eq!(sha1.path, "github.com/google/uuid/hash.go");
    assert!(cov.files().any(|(_, f)| f.path == "main.go"));
    let h = html::render(&cov, &html::HtmlOptions::default());
    let page = h
        .iter()
        .find(|p| p.path.contains("uuid/hash.go"))
        .expect("a page for hash.go");
    assert!(page.html.contains("NewSHA1"), "hash.go's source is shown");
}

/// Two modules under one git root, no go.work, each with a command; both run into one
/// GOCOVERDIR.
#[test]
fn monorepo_paths_are_relative_to_the_repository() {
    let (_t, repo) = tmpdir();
    std::fs::create_dir(repo.join(".git")).unwrap();
    for (m, dir) in [("api", "services/api"), ("worker", "services/worker")] {
        let d = repo.join(dir);
        std::fs::create_dir_all(d.join("cmd").join(m)).unwrap();
        std::fs::write(
            d.join("go.mod"),
            format!("module example.com/{m}\n\ngo 1.21\n"),
        )
        .unwrap();
        std::fs::write(
            d.join("cmd").join(m).join("main.go"),
            "package main\n\nimport \"os\"\n\nfunc main() {\n\tif len(os.Args) > 5 {\n\t\tpanic(1)\n\t}\n}\n",
        )
        .unwrap();
    }
    let cov = repo.join("cov");
    std::fs::create_dir(&cov).unwrap();
    for (m, dir) in [("api", "services/api"), ("worker", "services/worker")] {
        let d = repo.join(dir);
        let bin = d.join(format!("{m}.bin"));
        common::go_in(
            &d,
            &["build", "-cover", "-o", bin.as_str(), &format!("./cmd/{m}")],
        );
        run_covered(&bin, &cov, &[], &d);
    }
    let profile = read_covdata(&cov);

    // As `intcov report` run inside one of the modules finds it.
    let root = report::sources::default_root(&repo.join("services/api/cmd/api")).unwrap();
    assert_eq!(root, repo);
    let mut sources = Sources::discover(&root).unwrap();
    sources.resolve_packages(profile.packages().keys().map(String::as_str));
    let cov = Coverage::build(&profile, &sources, None);
    assert_eq!(cov.missing_sources_warning(), None);
    let want = [
        "services/api/cmd/api/main.go",
        "services/worker/cmd/worker/main.go",
    ];
    let opts = RenderOptions {
        timestamp_ms: Some(0),
        ..Default::default()
    };
    let text = |f| report::render_text(f, &cov, &opts).unwrap();
    let lcov = text(Format::Lcov);
    let cobertura = text(Format::Cobertura);
    let json = text(Format::Json);
    let markdown = text(Format::Markdown);
    common::check_json_schema(&json);
    for w in want {
        assert!(lcov.contains(&format!("SF:{w}\n")), "lcov: {lcov}");
        assert!(
            cobertura.contains(&format!("filename=\"{w}\"")),
            "cobertura: {cobertura}"
        );
        assert!(json.contains(&format!("\"path\": \"{w}\"")), "json: {json}");
        assert!(markdown.contains(&format!("`{w}`")), "markdown: {markdown}");
    }
    // No machine paths anywhere but Cobertura's <source> and JSON's source_root, which
    // name the root itself.
    assert!(!lcov.contains(repo.as_str()));
    assert!(!markdown.contains(repo.as_str()));
}
