//! The reports read back by the tools that consume them, totals checked against Go's own.

mod common;

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use profile::text::{self, MixedModes};
use quick_xml::events::Event;
use report::{Coverage, Format, RenderOptions, Sources};
use testkit::CoverMode;

fn tool(name: &str) -> String {
    common::tool(name, "lcov")
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

/// Branches of lines that two or more blocks touch, counted from the blocks themselves:
/// (blocks that ran, blocks) over such lines.
fn our_branch_totals(cov: &Coverage) -> (usize, usize) {
    let (mut taken, mut total) = (0, 0);
    for (_, f) in cov.files() {
        let mut per_line: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for b in &f.blocks {
            for l in b.lines() {
                per_line.entry(l).or_default().push(b.count);
            }
        }
        for counts in per_line.values().filter(|c| c.len() >= 2) {
            total += counts.len();
            taken += counts.iter().filter(|&&c| c != 0).count();
        }
    }
    (taken, total)
}

fn check_lcov(cov: &Coverage, module_dir: &Utf8Path) {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
    let info = tmp.join("lcov.info");
    report::write(Format::Lcov, cov, &RenderOptions::default(), &info).unwrap();
    let (lh, lf, fnh, fnf) = our_line_totals(cov);
    assert!(lf > 0 && fnf > 0);

    // lcov 1.x spells the switch lcov_branch_coverage; 2.x still reads it.
    let summary = run_in(
        module_dir,
        "lcov",
        &["--summary", info.as_str(), "--rc", "lcov_branch_coverage=1"],
    );
    assert_eq!(of(&summary, "lines"), (lh, lf), "{summary}");
    let (bh, bf) = our_branch_totals(cov);
    assert!(bf > 0, "the data has lines that several blocks touch");
    assert_eq!(of(&summary, "branches"), (bh, bf), "{summary}");
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

/// Line and branch counts of a set of `<line>` elements.
#[derive(Default, Debug, Clone, Copy, PartialEq)]
struct Counts {
    lines: usize,
    covered: usize,
    branches: usize,
    taken: usize,
}

impl Counts {
    fn line(&mut self, attrs: &BTreeMap<String, String>) {
        self.lines += 1;
        self.covered += usize::from(attrs["hits"] != "0");
        if attrs.get("branch").is_some_and(|b| b == "true") {
            // `50% (1/2)`
            let cc = &attrs["condition-coverage"];
            let (_, frac) = cc.split_once('(').unwrap();
            let (t, n) = frac.trim_end_matches(')').split_once('/').unwrap();
            let (t, n): (usize, usize) = (t.parse().unwrap(), n.parse().unwrap());
            assert_eq!(cc, &format!("{}% ({t}/{n})", 100 * t / n));
            self.branches += n;
            self.taken += t;
        }
    }

    fn add(&mut self, o: Counts) {
        self.lines += o.lines;
        self.covered += o.covered;
        self.branches += o.branches;
        self.taken += o.taken;
    }

    /// The rates an element with these lines must carry.
    fn check(&self, what: &str, attrs: &BTreeMap<String, String>) {
        let rate = |c: usize, n: usize| if n == 0 { 1.0 } else { c as f64 / n as f64 };
        let got: f64 = attrs["line-rate"].parse().unwrap();
        assert_eq!(
            got,
            rate(self.covered, self.lines),
            "{what}: line-rate vs its <line>s"
        );
        let got: f64 = attrs["branch-rate"].parse().unwrap();
        assert_eq!(
            got,
            rate(self.taken, self.branches),
            "{what}: branch-rate vs its <line>s"
        );
    }
}

/// Root attributes, `<source>`s and class filenames of a Cobertura report, after checking
/// that every element's rates are those of the `<line>`s it sums.
#[derive(Default, Debug)]
struct Cobertura {
    root: BTreeMap<String, String>,
    sources: Vec<String>,
    class_files: Vec<String>,
    total: Counts,
    branch_lines: usize,
}

type Attrs = BTreeMap<String, String>;

fn parse_cobertura(xml: &str) -> Cobertura {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut c = Cobertura::default();
    let mut in_source = false;
    // Open elements whose rates are checked at their end, with the counts of their lines.
    let mut package: Option<(Attrs, Counts)> = None;
    let mut class: Option<(Attrs, Counts)> = None;
    let mut method: Option<(Attrs, Counts)> = None;
    loop {
        let ev = r.read_event().expect("well-formed XML");
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let attrs: Attrs = e
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
                    b"package" => package = Some((attrs, Counts::default())),
                    b"class" => {
                        c.class_files.push(attrs["filename"].clone());
                        class = Some((attrs, Counts::default()));
                    }
                    b"method" => method = Some((attrs, Counts::default())),
                    b"line" => match (&mut method, &mut class) {
                        (Some((_, m)), _) => m.line(&attrs),
                        (None, Some((_, k))) => {
                            k.line(&attrs);
                            c.branch_lines += usize::from(attrs.contains_key("branch"));
                        }
                        _ => panic!("<line> outside a class"),
                    },
                    b"source" => in_source = !empty,
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"method" => {
                    let (a, m) = method.take().unwrap();
                    m.check(&format!("method {}", a["name"]), &a);
                }
                b"class" => {
                    let (a, k) = class.take().unwrap();
                    k.check(&format!("class {}", a["filename"]), &a);
                    package.as_mut().unwrap().1.add(k);
                }
                b"package" => {
                    let (a, p) = package.take().unwrap();
                    p.check(&format!("package {}", a["name"]), &a);
                    c.total.add(p);
                }
                b"source" => in_source = false,
                _ => {}
            },
            Event::Text(t) if in_source => c.sources.push(t.decode().unwrap().into_owned()),
            Event::Eof => break,
            _ => {}
        }
    }
    c.total.check("coverage", &c.root);
    let n = |k: &str| c.root[k].parse::<usize>().unwrap();
    assert_eq!(
        (
            n("lines-covered"),
            n("lines-valid"),
            n("branches-covered"),
            n("branches-valid")
        ),
        (
            c.total.covered,
            c.total.lines,
            c.total.taken,
            c.total.branches
        ),
        "root counts vs the <line>s"
    );
    c
}

/// Cobertura is self-consistent (every rate is that of the `<line>`s it sums), valid against
/// coverage-04.dtd, its line totals those of our line rule (which LCOV's consumers check
/// against genhtml), and its filenames resolve against its `<source>`.
#[test]
fn cobertura_self_consistent_and_valid() {
    for mode in [CoverMode::Set, CoverMode::Atomic] {
        let data = common::fixture("clisuite", mode);
        let cov = common::coverage(&data.text, &data.module_dir);
        let xml = report::render_text(Format::Cobertura, &cov, &RenderOptions::default()).unwrap();
        let c = parse_cobertura(&xml);
        common::check_dtd(&xml);

        let (lh, lf, _, _) = our_line_totals(&cov);
        assert_eq!((c.total.covered, c.total.lines), (lh, lf), "{mode}");
        // clisuite has `if` lines whose condition ran but whose body did not.
        assert!(
            c.branch_lines > 0 && c.total.taken < c.total.branches,
            "{mode}: {:?}",
            c.total
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
