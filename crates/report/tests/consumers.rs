//! The reports read back by the tools that consume them, totals checked against Go's own.

mod common;

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use profile::text::{self, MixedModes};
use quick_xml::events::Event;
use report::{Coverage, Format, RenderOptions, Sources};
use testkit::CoverMode;

fn tool(name: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "`{name}` is needed to check the LCOV output: install Debian's lcov package \
         (`apt-get install -y lcov`)"
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn run_in(dir: &Utf8Path, prog: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(tool(prog))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{prog} {args:?} failed:\n{text}");
    text
}

/// `(N of M lines)` / `(N of M functions)` in lcov/genhtml summaries.
fn of(summary: &str, what: &str) -> (usize, usize) {
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with(what))
        .unwrap_or_else(|| panic!("no {what} line in:\n{summary}"));
    let inner = line
        .split('(')
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap_or_else(|| panic!("no counts in {line:?}"));
    let nums: Vec<usize> = inner
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (nums[0], nums[1])
}

fn our_line_totals(cov: &Coverage) -> (usize, usize, usize, usize) {
    let (mut lh, mut lf, mut fnh, mut fnf) = (0, 0, 0, 0);
    for (_, f) in cov.files() {
        let hits = f.line_hits();
        lf += hits.len();
        lh += hits.values().filter(|&&h| h != 0).count();
        fnf += f.functions.len();
        fnh += f.functions.iter().filter(|f| f.entries != 0).count();
    }
    (lh, lf, fnh, fnf)
}

fn check_lcov(cov: &Coverage, module_dir: &Utf8Path) {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
    let info = tmp.join("lcov.info");
    report::write(Format::Lcov, cov, &RenderOptions::default(), &info).unwrap();
    let (lh, lf, fnh, fnf) = our_line_totals(cov);
    assert!(lf > 0 && fnf > 0);

    let summary = run_in(module_dir, "lcov", &["--summary", info.as_str()]);
    assert_eq!(of(&summary, "lines"), (lh, lf), "{summary}");
    assert_eq!(of(&summary, "functions"), (fnh, fnf), "{summary}");

    // genhtml runs in the module root, where the relative SF: paths resolve.
    let out = tmp.join("genhtml");
    let gen = run_in(
        module_dir,
        "genhtml",
        &["--output-directory", out.as_str(), info.as_str()],
    );
    assert_eq!(of(&gen, "lines"), (lh, lf), "{gen}");
    assert_eq!(of(&gen, "functions"), (fnh, fnf), "{gen}");
    assert!(out.join("index.html").is_file());
    for (_, f) in cov.files() {
        if f.source.as_ref().is_some_and(|s| s.is_file()) {
            let page = out.join(format!("{}.gcov.html", f.path));
            assert!(page.is_file(), "genhtml wrote no page {page}");
        }
    }
}

#[test]
fn lcov_accepted_by_lcov_and_genhtml_fixture() {
    let data = common::fixture("clisuite", CoverMode::Count);
    let cov = common::coverage(&data.text, &data.module_dir);
    check_lcov(&cov, &data.module_dir);
}

#[test]
fn lcov_accepted_by_lcov_and_genhtml_calc() {
    let data = common::calc();
    let merged = text::merge(
        [
            ("u", &common::parse(&data.unit_count)),
            ("i", &common::parse(&data.integration_count)),
        ],
        MixedModes::Refuse,
    )
    .unwrap()
    .unwrap();
    let dir = common::calc_dir();
    let cov = Coverage::build(&merged, &Sources::discover(&dir).unwrap(), None);
    check_lcov(&cov, &dir);
}

/// Root, package and class attributes plus the `<line>` and `<source>` elements.
#[derive(Default, Debug)]
struct Cobertura {
    root: BTreeMap<String, String>,
    packages: BTreeMap<String, f64>,
    sources: Vec<String>,
    class_files: Vec<String>,
    lines: usize,
    covered_lines: usize,
}

fn parse_cobertura(xml: &str) -> Cobertura {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut c = Cobertura::default();
    let mut in_source = false;
    let mut in_method = false;
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attrs: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().unwrap().into_owned(),
                        )
                    })
                    .collect();
                match e.name().as_ref() {
                    b"coverage" => c.root = attrs,
                    b"package" => {
                        c.packages
                            .insert(attrs["name"].clone(), attrs["line-rate"].parse().unwrap());
                    }
                    b"class" => c.class_files.push(attrs["filename"].clone()),
                    b"method" => in_method = true,
                    b"line" if !in_method => {
                        c.lines += 1;
                        if attrs["hits"] != "0" {
                            c.covered_lines += 1;
                        }
                    }
                    b"source" => in_source = true,
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"method" => in_method = false,
                b"source" => in_source = false,
                _ => {}
            },
            Event::Text(t) if in_source => c.sources.push(t.decode().unwrap().into_owned()),
            Event::Eof => break,
            _ => {}
        }
    }
    c
}

#[test]
fn cobertura_totals_equal_go_percent() {
    for mode in [CoverMode::Set, CoverMode::Atomic] {
        let data = common::fixture("clisuite", mode);
        let cov = common::coverage(&data.text, &data.module_dir);
        let xml = report::render_text(Format::Cobertura, &cov, &RenderOptions::default()).unwrap();
        let c = parse_cobertura(&xml);

        let i = format!("-i={}", data.covdir.path);
        // Per package: `\tPKG\t\tcoverage: 88.4% of statements`.
        let percent = common::go_in(&data.covdir.path, &["tool", "covdata", "percent", &i]);
        let mut go_pkgs = BTreeMap::new();
        for line in percent.lines() {
            let mut f = line.split_whitespace();
            let (Some(pkg), Some("coverage:"), Some(p)) = (f.next(), f.next(), f.next()) else {
                panic!("unexpected percent line {line:?}");
            };
            go_pkgs.insert(pkg.to_owned(), p.to_owned());
        }
        let ours: BTreeMap<String, String> = c
            .packages
            .iter()
            .map(|(k, v)| (k.clone(), format!("{:.1}%", v * 100.0)))
            .collect();
        assert_eq!(
            ours, go_pkgs,
            "{mode}: per-package line-rate vs go tool covdata percent"
        );

        // Total: last line of `go tool covdata func`.
        let func = common::go_in(&data.covdir.path, &["tool", "covdata", "func", &i]);
        let total = func
            .lines()
            .last()
            .unwrap()
            .split_whitespace()
            .last()
            .unwrap();
        let rate: f64 = c.root["line-rate"].parse().unwrap();
        assert_eq!(format!("{:.1}%", rate * 100.0), total, "{mode}: total");

        // Structure: line counts agree with the <line> elements; filenames resolve against
        // the single <source>.
        assert_eq!(c.root["lines-valid"].parse::<usize>().unwrap(), c.lines);
        assert_eq!(
            c.root["lines-covered"].parse::<usize>().unwrap(),
            c.covered_lines
        );
        assert!(c.root["timestamp"].parse::<u64>().unwrap() > 1_600_000_000_000);
        assert_eq!(c.sources.len(), 1);
        for f in &c.class_files {
            let p = Utf8Path::new(&c.sources[0]).join(f);
            assert!(
                p.is_file(),
                "{p} (class filename joined to <source>) does not exist"
            );
        }
    }
}

/// Issue 4: the text profiles `go test -coverprofile` writes, merged by us, give the totals
/// `go tool cover -func` reports for our merged file, and for the plain concatenation of the
/// inputs (which Go's parser merges itself).
#[test]
fn text_profile_merge_matches_go_tool_cover() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
    let mut cases: Vec<(Utf8PathBuf, Vec<String>)> = Vec::new();
    // Every fixture: go test with -coverpkg across all its packages, count and atomic runs.
    for name in testkit::fixture_names() {
        let dir = testkit::fixtures_root().join(&name);
        let mut inputs = Vec::new();
        for mode in ["count", "atomic"] {
            let out = tmp.join(format!("{name}-{mode}.out"));
            common::go_in(
                &dir,
                &[
                    "test",
                    "-count=1",
                    &format!("-covermode={mode}"),
                    "-coverpkg=./...",
                    &format!("-coverprofile={out}"),
                    "./...",
                ],
            );
            inputs.push(std::fs::read_to_string(&out).unwrap());
        }
        cases.push((dir, inputs));
    }
    let calc = common::calc();
    cases.push((
        common::calc_dir(),
        vec![calc.unit_count.clone(), calc.integration_count.clone()],
    ));
    cases.push((
        common::calc_dir(),
        vec![calc.unit.clone(), calc.integration.clone()],
    ));

    for (k, (dir, inputs)) in cases.iter().enumerate() {
        let parsed: Vec<profile::Profile> = inputs.iter().map(|t| common::parse(t)).collect();
        let merged = text::merge(parsed.iter().map(|p| ("in", p)), MixedModes::Refuse)
            .unwrap()
            .unwrap();
        let merged_file = tmp.join(format!("merged-{k}.out"));
        std::fs::write(&merged_file, text::to_string(&merged)).unwrap();
        // The concatenation, mode lines after the first dropped (what `go test` itself does).
        let mut cat = String::new();
        for (i, t) in inputs.iter().enumerate() {
            for line in t.lines().skip(usize::from(i > 0)) {
                cat.push_str(line);
                cat.push('\n');
            }
        }
        let cat_file = tmp.join(format!("cat-{k}.out"));
        std::fs::write(&cat_file, &cat).unwrap();

        let total = |f: &Utf8Path| {
            let out = common::go_in(dir, &["tool", "cover", &format!("-func={f}")]);
            out.lines()
                .last()
                .unwrap()
                .split_whitespace()
                .last()
                .unwrap()
                .to_owned()
        };
        let go_merged = total(&merged_file);
        let go_cat = total(&cat_file);
        let cov = Coverage::build(&merged, &Sources::none(), None);
        let ours = cov.totals().go_percent().unwrap();
        assert_eq!(
            ours, go_merged,
            "{dir}: our total vs go tool cover -func of our merge"
        );
        assert_eq!(
            go_cat, go_merged,
            "{dir}: Go on the concatenation vs on our merge"
        );
        // And the merged file is what parsing the concatenation gives.
        assert_eq!(
            text::to_string(&common::parse(&cat)),
            text::to_string(&merged)
        );
    }
}
