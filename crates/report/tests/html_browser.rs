//! The HTML report opened in headless Chromium at 1,400 px: it must load offline and render
//! the folder tree, the function table and the attribution view (screenshots are left in the
//! target dir, and with `INTCOV_UPDATE_DOCS=1` copied to `docs/img/` for the README), and its
//! JavaScript must work: a script injected after the page's own clicks a sort header, picks a
//! run, types in the filter box and presses `n`, and the test checks what changed.
//! Fails, never skips, when Chromium is missing.

mod common;

use camino::{Utf8Path, Utf8PathBuf};
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

/// The calc report with four runs: the unit and integration profiles, a run with a very long
/// label, and a second run labelled like the first.
fn calc_report(name: &str) -> (Coverage, Utf8PathBuf) {
    let data = common::calc();
    let unit = common::parse(&data.unit);
    let integ = common::parse(&data.integration);
    let merged = text::merge([("u", &unit), ("i", &integ)], MixedModes::Refuse)
        .unwrap()
        .unwrap();
    let mut att = Attribution::new();
    let long = format!("calc {}", "2 3 + ".repeat(40));
    for (label, source, profile) in [
        ("go test ./...", "unit.out", &unit),
        ("calc 2 3 + 4 * ; calc 1 0 /", "integration.out", &integ),
        (long.as_str(), "long.out", &integ),
        ("go test ./...", "unit-again.out", &unit),
    ] {
        att.add_run(
            Run {
                label: label.into(),
                kind: RunKind::Profile,
                source: source.into(),
            },
            profile,
        );
    }
    let sources = Sources::discover(&common::calc_dir()).unwrap();
    let cov = Coverage::build(&merged, &sources, Some(&att));
    let out = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&out);
    html::write_dir(&cov, &html::HtmlOptions::default(), &out).unwrap();
    (cov, out)
}

fn dump_dom(url: &str) -> String {
    String::from_utf8(browser(&["--dump-dom", "--window-size=1400,1000", url]).stdout).unwrap()
}

/// `page` with `script` run after the page's own scripts; returns the lines the script put
/// into `<pre id="test-result">`.
fn run_script(dir: &Utf8Path, page: &str, fragment: &str, script: &str) -> Vec<String> {
    let html = std::fs::read_to_string(dir.join(page)).unwrap();
    let test_page = format!("{page}.test.html");
    let injected = format!(
        "<script>(function () {{ var r = []; {script}\n\
         var pre = document.createElement(\"pre\"); pre.id = \"test-result\"; \
         pre.textContent = r.join(\"\\n\"); document.body.appendChild(pre); }})();</script>\n</body>"
    );
    std::fs::write(dir.join(&test_page), html.replace("</body>", &injected)).unwrap();
    let dom = dump_dom(&format!("file://{}{fragment}", dir.join(&test_page)));
    let start = dom
        .find("<pre id=\"test-result\">")
        .unwrap_or_else(|| panic!("the injected script failed on {page}:\n{dom}"));
    let rest = &dom[start + "<pre id=\"test-result\">".len()..];
    let text = &rest[..rest.find("</pre>").unwrap()];
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn value<'a>(lines: &'a [String], key: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key}= in {lines:#?}"))
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let (_cov, out) = calc_report("html-report");
    let shots = Utf8PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    // The package tree, a file page with its function table, the attribution view (a run
    // chosen through the URL fragment).
    for (page, fragment, shot) in [
        ("index.html", "", "report-tree.png"),
        ("files/calc/calc.go.html", "", "report-file.png"),
        ("index.html", "#run=1", "report-attribution.png"),
    ] {
        let png = shots.join(shot);
        let _ = std::fs::remove_file(&png);
        browser(&[
            &format!("--screenshot={png}"),
            "--window-size=1400,900",
            &format!("file://{}{fragment}", out.join(page)),
        ]);
        let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is not a PNG");
        assert!(
            bytes.len() > 10_000,
            "{png} is suspiciously small: blank page?"
        );
        eprintln!("screenshot: {png}");
        if std::env::var_os("INTCOV_UPDATE_DOCS").is_some() {
            let docs = testkit::repo_root().join("docs/img");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(&png, docs.join(shot)).unwrap();
        }
    }

    // What the screenshots show, from the DOM Chromium built (after the scripts ran).
    let dom = dump_dom(&format!("file://{}", out.join("index.html")));
    for want in [
        "<tr class=\"dir\" data-path=\"calc\"",
        "href=\"files/calc/calc.go.html\"",
        "<input id=\"filter\"",
        "example.com/calc/strutil",
    ] {
        assert!(dom.contains(want), "index lacks {want}:\n{dom}");
    }
    // Long labels are cut (the full one is the tooltip), identical ones numbered.
    assert!(dom.contains("…</span>"), "long label not truncated");
    assert!(dom.contains(">go test ./... #1<") && dom.contains(">go test ./... #2<"));

    let dom = dump_dom(&format!("file://{}", out.join("files/calc/calc.go.html")));
    for want in [
        "<table class=\"sortable\" id=\"functions\">",
        "<a href=\"#L13\"><code>Op</code></a>",
        "<code>*Stack.Pop</code>",
        "class=\"b u",
        "class=\"b c",
        "<select id=\"run\">",
        "<button id=\"next\"",
    ] {
        assert!(dom.contains(want), "file page lacks {want}:\n{dom}");
    }
    assert!(
        !dom.contains("http://") && !dom.contains("https://"),
        "network reference in page"
    );
}

/// Issue 19 (6b): the sort headers, the run selector, the filter box, the fragment and the
/// `n` key do what they say.
#[test]
fn sort_run_selector_filter_and_keys_work() {
    let (cov, out) = calc_report("html-report-js");
    let lines = run_script(
        &out,
        "index.html",
        "",
        r##"
        function rows() { return Array.prototype.map.call(document.querySelectorAll("#packages tbody tr"), function (tr) { return tr.cells[0].textContent; }).join(","); }
        r.push("before=" + rows());
        var th = document.querySelectorAll("#packages thead th")[3];
        th.click(); r.push("asc=" + rows()); r.push("asc-class=" + th.className);
        th.click(); r.push("desc=" + rows()); r.push("desc-class=" + th.className);
        var sel = document.getElementById("run");
        sel.value = "1"; sel.dispatchEvent(new Event("change"));
        r.push("hash=" + location.hash);
        r.push("cell=" + document.querySelector('#tree tr[data-path="cmd/calc/main.go"] td[data-rs]').textContent);
        r.push("link=" + document.querySelector('#tree a.keep').getAttribute("href"));
        var f = document.getElementById("filter");
        f.value = "strutil"; f.dispatchEvent(new Event("input"));
        r.push("shown=" + Array.prototype.filter.call(document.querySelectorAll("#tree tbody tr"), function (tr) { return !tr.classList.contains("hide"); }).map(function (tr) { return tr.getAttribute("data-path"); }).join(","));
        r.push("packages=" + Array.prototype.filter.call(document.querySelectorAll("#packages tbody tr"), function (tr) { return !tr.classList.contains("hide"); }).length);
        var calc = document.querySelector('#tree tr[data-path="calc"]');
        f.value = ""; f.dispatchEvent(new Event("input"));
        calc.cells[0].click();
        r.push("folded=" + document.querySelector('#tree tr[data-path="calc/calc.go"]').classList.contains("hide"));
        "##,
    );
    // Sorting by coverage, as the data says.
    let mut pkgs: Vec<(f64, &str)> = cov
        .packages
        .iter()
        .map(|p| (p.totals().ratio(), p.import_path.as_str()))
        .collect();
    let names = |v: &[(f64, &str)]| v.iter().map(|p| p.1).collect::<Vec<_>>().join(",");
    assert_eq!(value(&lines, "before"), names(&pkgs));
    pkgs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let asc = names(&pkgs);
    assert_eq!(value(&lines, "asc"), asc);
    assert_eq!(value(&lines, "asc-class"), "n sorted-asc");
    assert_eq!(value(&lines, "desc-class"), "n sorted-desc");
    assert_ne!(value(&lines, "desc"), asc);
    // Run 1 (the integration run) executed these statements of main.go.
    let (_, main) = cov
        .files()
        .find(|(_, f)| f.path == "cmd/calc/main.go")
        .unwrap();
    let by_run_1: u32 = main
        .blocks
        .iter()
        .filter(|b| b.runs.contains(&1))
        .map(|b| b.statements)
        .sum();
    assert!(by_run_1 > 0);
    assert_eq!(value(&lines, "cell"), by_run_1.to_string());
    assert_eq!(value(&lines, "hash"), "#run=1");
    assert!(value(&lines, "link").ends_with(".html#run=1"), "{lines:?}");
    assert_eq!(value(&lines, "shown"), "strutil,strutil/strutil.go");
    assert_eq!(value(&lines, "packages"), "1");
    assert_eq!(value(&lines, "folded"), "true");

    // A file page opened with a run in the fragment, then another run picked, then `n`.
    let (_, calc) = cov.files().find(|(_, f)| f.path == "calc/calc.go").unwrap();
    // Where each uncovered block's text begins: its start line, or the next one when it
    // starts at the end of its line (after a `{`).
    let src = std::fs::read_to_string(calc.source.as_ref().unwrap()).unwrap();
    let src: Vec<&str> = src.lines().collect();
    let uncovered: Vec<u32> = calc
        .blocks
        .iter()
        .filter(|b| b.count == 0)
        .map(|b| {
            let line = src[b.start_line as usize - 1];
            if (b.start_col as usize) > line.len() {
                b.start_line + 1
            } else {
                b.start_line
            }
        })
        .collect();
    let lines = run_script(
        &out,
        "files/calc/calc.go.html",
        "#run=1",
        r##"
        function check(v) {
          var ok = true;
          document.querySelectorAll("span.b").forEach(function (s) {
            var ran = (" " + s.getAttribute("data-runs") + " ").indexOf(" " + v + " ") >= 0;
            if (s.classList.contains("dim") === ran) ok = false;
          });
          return ok + "/" + document.querySelectorAll("span.b.dim").length;
        }
        var sel = document.getElementById("run");
        r.push("initial=" + sel.value);
        r.push("dim-1=" + check("1"));
        r.push("back=" + document.querySelector("header a.keep").getAttribute("href"));
        sel.value = "0"; sel.dispatchEvent(new Event("change"));
        r.push("dim-0=" + check("0"));
        document.dispatchEvent(new KeyboardEvent("keydown", { key: "n" }));
        r.push("cur=" + document.querySelector("span.cur").closest(".l").id);
        r.push("at=" + document.getElementById("at").textContent);
        document.dispatchEvent(new KeyboardEvent("keydown", { key: "p" }));
        r.push("wrapped=" + document.querySelector("span.cur").closest(".l").id);
        "##,
    );
    assert_eq!(value(&lines, "initial"), "1", "the fragment chose the run");
    let dim1 = value(&lines, "dim-1");
    assert!(dim1.starts_with("true/") && dim1 != "true/0", "{dim1}");
    assert_eq!(value(&lines, "back"), "../../index.html#run=1");
    let dim0 = value(&lines, "dim-0");
    assert!(
        dim0.starts_with("true/") && dim0 != dim1,
        "{dim0} vs {dim1}"
    );
    assert_eq!(value(&lines, "cur"), format!("L{}", uncovered[0]));
    assert_eq!(value(&lines, "at"), format!("1 of {}", uncovered.len()));
    assert_eq!(
        value(&lines, "wrapped"),
        format!("L{}", uncovered[uncovered.len() - 1])
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
