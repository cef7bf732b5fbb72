//! Snapshots of every format over fixture data.

mod common;

use profile::text::{self, MixedModes};
use report::{html, Attribution, Coverage, Format, RenderOptions, Run, RunKind, Sources};
use testkit::CoverMode;

fn opts() -> RenderOptions {
    RenderOptions {
        title: None,
        absolute_paths: false,
        timestamp_ms: Some(1_700_000_000_000),
        ..Default::default()
    }
}

fn snapshot_all(name: &str, cov: &Coverage, html_pages: &[&str]) {
    let mut settings = testkit::insta_settings();
    settings.set_snapshot_suffix(name);
    // The inline CSS and JS are the same on every page; keep snapshots about content.
    settings.add_filter(r"(?s)<style>.*?</style>", "<style>[CSS]</style>");
    settings.add_filter(r"(?s)<script>.*?</script>", "<script>[JS]</script>");
    settings.bind(|| {
        for format in [
            Format::Lcov,
            Format::Cobertura,
            Format::Json,
            Format::Markdown,
        ] {
            let text = report::render_text(format, cov, &opts()).unwrap();
            insta::assert_snapshot!(format.name(), text);
        }
        let pages = html::render(cov, &html::HtmlOptions::default());
        for want in html_pages {
            let page = pages.iter().find(|p| p.path == *want).unwrap_or_else(|| {
                panic!(
                    "no page {want}; have {:?}",
                    pages.iter().map(|p| &p.path).collect::<Vec<_>>()
                )
            });
            insta::assert_snapshot!(format!("html-{}", want.replace('/', "_")), page.html);
        }
    });
}

/// The calc module: unit-test profile (duplicated blocks from -coverpkg) merged with an
/// integration run, one file whose source is gone and one outside every module; with
/// attribution to the two input profiles.
#[test]
fn calc_module_all_formats() {
    let data = common::calc();
    let unit = common::parse(&data.unit);
    let integ = common::parse(&data.integration);
    let extra = common::parse(
        "mode: set\nexample.com/calc/gone/gone.go:3.14,5.2 2 1\nother.org/lib/x.go:7.1,8.2 1 0\n",
    );
    let merged = text::merge(
        [
            ("unit.out", &unit),
            ("integration.out", &integ),
            ("extra.out", &extra),
        ],
        MixedModes::Refuse,
    )
    .unwrap()
    .unwrap();
    let mut att = Attribution::new();
    for (label, p) in [
        ("unit.out", &unit),
        ("integration.out", &integ),
        ("extra.out", &extra),
    ] {
        att.add_run(
            Run {
                label: label.into(),
                kind: RunKind::Profile,
                source: format!("/data/{label}"),
            },
            p,
        );
    }
    let sources = Sources::discover(&common::calc_dir()).unwrap();
    let cov = Coverage::build(&merged, &sources, Some(&att));
    snapshot_all(
        "calc",
        &cov,
        &[
            "index.html",
            "files/calc/calc.go.html",
            "files/gone/gone.go.html",
            "files/other.org/lib/x.go.html",
        ],
    );
}

/// The clisuite fixture's integration coverage, read through `go tool covdata textfmt`.
#[test]
fn clisuite_all_formats() {
    let data = common::fixture("clisuite", CoverMode::Set);
    let cov = common::coverage(&data.text, &data.module_dir);
    assert!(cov.totals().covered > 0, "the fixture ran no covered code");
    snapshot_all("clisuite", &cov, &["index.html"]);
}

/// The same fixture read from its coverage directory (function names from the meta-data):
/// snapshots, and the functions found in the source for the text profile agree with Go's.
#[test]
fn clisuite_from_covdata_all_formats() {
    let data = common::fixture("clisuite", CoverMode::Set);
    let prof = covmerge::read_profile(
        &[&data.covdir.path],
        &covmerge::ReadOptions::default(),
        &mut |w| panic!("warning: {w}"),
    )
    .unwrap()
    .unwrap();
    let sources = Sources::discover(&data.module_dir).unwrap();
    let cov = Coverage::build(&prof, &sources, None);
    let from_text = common::coverage(&data.text, &data.module_dir);
    assert_eq!(cov.totals(), from_text.totals());
    for ((_, a), (_, b)) in cov.files().zip(from_text.files()) {
        assert_eq!(a.path, b.path);
        let named: Vec<_> = a
            .functions
            .iter()
            .filter(|f| !f.literal)
            .map(|f| (f.name.as_str(), f.totals, f.entries))
            .collect();
        let found: Vec<_> = b
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.totals, f.entries))
            .collect();
        assert_eq!(
            named, found,
            "{}: functions from meta-data vs from source",
            a.path
        );
    }
    snapshot_all(
        "clisuite-covdata",
        &cov,
        &["files/internal/keys/keys.go.html"],
    );
}
