//! The HTML report opened in headless Chromium: it must load offline and render, and a
//! screenshot of the index is left in the target dir (`report-index.png`) as evidence.
//! Fails, never skips, when Chromium is missing.

mod common;

use camino::Utf8PathBuf;
use profile::text::{self, MixedModes};
use report::{html, Attribution, Coverage, Run, RunKind, Sources};

fn chromium() -> String {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
        {
            if out.status.success() {
                return String::from_utf8_lossy(&out.stdout).trim().to_owned();
            }
        }
    }
    panic!(
        "headless Chromium is needed to check the HTML report: install it with \
         `apt-get install -y chromium` (Debian) and make sure `chromium` is on PATH"
    );
}

fn browser(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .args(args)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let data = common::calc();
    let unit = common::parse(&data.unit);
    let integ = common::parse(&data.integration);
    let merged = text::merge([("u", &unit), ("i", &integ)], MixedModes::Refuse)
        .unwrap()
        .unwrap();
    let mut att = Attribution::new();
    att.add_run(
        Run {
            label: "go test ./...".into(),
            kind: RunKind::Profile,
            source: "unit.out".into(),
        },
        &unit,
    );
    att.add_run(
        Run {
            label: "calc 2 3 + 4 * ; calc 1 0 /".into(),
            kind: RunKind::Profile,
            source: "integration.out".into(),
        },
        &integ,
    );
    let sources = Sources::discover(&common::calc_dir()).unwrap();
    let cov = Coverage::build(&merged, &sources, Some(&att));

    let out = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    let _ = std::fs::remove_dir_all(&out);
    html::write_dir(&cov, &html::HtmlOptions::default(), &out).unwrap();

    for (page, shot) in [
        ("index.html", "report-index.png"),
        ("files/calc/calc.go.html", "report-file.png"),
    ] {
        let png = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(shot);
        let _ = std::fs::remove_file(&png);
        browser(&[
            &format!("--screenshot={png}"),
            "--window-size=1200,900",
            &format!("file://{}", out.join(page)),
        ]);
        let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is not a PNG");
        assert!(
            bytes.len() > 10_000,
            "{png} is suspiciously small: blank page?"
        );
        eprintln!("screenshot: {png}");
    }

    // The DOM Chromium builds: tables filled, blocks highlighted, the run selector present.
    let dom = String::from_utf8(
        browser(&["--dump-dom", &format!("file://{}", out.join("index.html"))]).stdout,
    )
    .unwrap();
    assert!(
        dom.contains("example.com/calc/strutil"),
        "index lacks packages:\n{dom}"
    );
    assert!(dom.contains("href=\"files/calc/calc.go.html\""));
    let dom = String::from_utf8(
        browser(&[
            "--dump-dom",
            &format!("file://{}", out.join("files/calc/calc.go.html")),
        ])
        .stdout,
    )
    .unwrap();
    assert!(
        dom.contains("class=\"b u\""),
        "no uncovered block highlighted"
    );
    assert!(dom.contains("class=\"b c"), "no covered block highlighted");
    assert!(dom.contains("<select id=\"run\">"));
    assert!(
        !dom.contains("http://") && !dom.contains("https://"),
        "network reference in page"
    );
}

/// The SVG badge renders: a screenshot of it differs from one of an empty SVG of the same size,
/// and Chromium's DOM holds the label and the figure.
#[test]
fn badge_renders_in_headless_chromium() {
    use report::badge::{self, BadgeOptions};
    let dir = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("badge");
    std::fs::create_dir_all(&dir).unwrap();
    let svg = badge::render(
        report::Totals {
            statements: 1000,
            covered: 806,
        },
        &BadgeOptions::default(),
    );
    let width = svg
        .split("width=\"")
        .nth(1)
        .and_then(|w| w.split('"').next())
        .unwrap()
        .to_owned();
    let badge_svg = dir.join("coverage.svg");
    let blank_svg = dir.join("blank.svg");
    std::fs::write(&badge_svg, &svg).unwrap();
    std::fs::write(
        &blank_svg,
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20"></svg>"#),
    )
    .unwrap();
    let mut shots = Vec::new();
    for (svg, shot) in [(&badge_svg, "badge.png"), (&blank_svg, "blank.png")] {
        let png = dir.join(shot);
        let _ = std::fs::remove_file(&png);
        browser(&[
            &format!("--screenshot={png}"),
            "--window-size=200,40",
            &format!("file://{svg}"),
        ]);
        let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is not a PNG");
        eprintln!("screenshot: {png}");
        shots.push(bytes);
    }
    assert_ne!(shots[0], shots[1], "the badge renders like an empty SVG");
    assert!(
        shots[0].len() > shots[1].len() + 500,
        "the badge screenshot ({} bytes) is barely larger than a blank one ({} bytes)",
        shots[0].len(),
        shots[1].len()
    );
    let dom =
        String::from_utf8(browser(&["--dump-dom", &format!("file://{badge_svg}")]).stdout).unwrap();
    assert!(
        dom.contains(">coverage</text>") && dom.contains(">80.6%</text>"),
        "{dom}"
    );
}
