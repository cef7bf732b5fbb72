//! Go issue 60182, measured: for every fixture, the coverage its integration tests really reach
//! (computed by hand with the oracle, `go tool covdata` / `go tool cover`) next to what stock
//! `go test -cover -coverpkg=./... ./...` reports. Both must equal the figures recorded in the
//! fixture's README.md, so the stock expectation fails the day the bug is fixed.
//!
//! Checked with the Go on PATH and with Go 1.21.13, the oldest supported release (whose stock
//! figures differ: it leaves packages the test binary does not link out of the report).

use camino::{Utf8Path, Utf8PathBuf};
use testkit::{covdata, fixtures_root, go, go_release, CoverMode, GoToolchain};
use xshell::Shell;

/// Runs a go command in `dir`, returning stdout; panics with all output on failure.
fn go_in(tc: &GoToolchain, dir: &Utf8Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let sh = Shell::new().unwrap();
    sh.change_dir(dir);
    let mut cmd = tc
        .cmd(&sh)
        .args(args)
        .env_remove("GOCOVERDIR")
        .env_remove("INTCOV_FIXTURE_COVERDIR")
        .env_remove("INTCOV_FIXTURE_COVERMODE")
        .env_remove("INTCOV_FIXTURE_GRACEFUL");
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let out = cmd.quiet().ignore_status().output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} go {args:?} in {dir}: {}\n{stdout}{}",
        tc.version,
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The `total:` percentage `go tool cover -func` gives for a text profile.
fn cover_total(tc: &GoToolchain, module: &Utf8Path, profile: &Utf8Path) -> String {
    let out = go_in(
        tc,
        module,
        &["tool", "cover", &format!("-func={profile}")],
        &[],
    );
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("total:"), "go tool cover -func: {out}");
    last.split_whitespace().last().unwrap().to_owned()
}

/// Concatenates text profiles; `go tool cover` merges blocks that appear more than once (set
/// mode: covered if covered anywhere), which makes this the union of the runs.
fn union(parts: &[&Utf8Path], out: &Utf8Path) {
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        let body = std::fs::read_to_string(part).unwrap();
        let (mode, rest) = body.split_once('\n').unwrap();
        assert_eq!(mode, "mode: set", "{part}");
        if i == 0 {
            text.push_str(mode);
            text.push('\n');
        }
        text.push_str(rest);
    }
    std::fs::write(out, text).unwrap();
}

fn textfmt(tc: &GoToolchain, module: &Utf8Path, covdir: &Utf8Path, out: &Utf8Path) {
    go_in(
        tc,
        module,
        &[
            "tool",
            "covdata",
            "textfmt",
            &format!("-i={covdir}"),
            &format!("-o={out}"),
        ],
        &[],
    );
}

/// Lines compared without regard to tabs, spaces or `go test` durations, in sorted order.
fn normalize(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .filter(|w| !(w.ends_with('s') && w[..w.len() - 1].parse::<f64>().is_ok()))
                .filter(|w| *w != "(cached)" && *w != "[DURATION]")
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    lines
}

/// What the fixture's README.md records.
struct Recorded {
    readme: Utf8PathBuf,
    text: String,
}

impl Recorded {
    fn load(fixture: &str) -> Recorded {
        let readme = fixtures_root().join(fixture).join("README.md");
        let text = std::fs::read_to_string(&readme).unwrap_or_else(|e| panic!("{readme}: {e}"));
        Recorded { readme, text }
    }

    /// The last cell of the table row whose first cell is `key`.
    fn figure(&self, key: &str) -> &str {
        self.text
            .lines()
            .find_map(|line| {
                let cells: Vec<&str> = line
                    .trim()
                    .trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect();
                (cells.len() >= 2 && cells[0] == key).then(|| *cells.last().unwrap())
            })
            .unwrap_or_else(|| panic!("{}: no table row `| {key} | … |`", self.readme))
    }

    /// The fenced block that follows the `<!-- name -->` marker.
    fn block(&self, name: &str) -> &str {
        let marker = format!("<!-- {name} -->");
        let after = &self.text[self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("{}: no {marker}", self.readme))..];
        let start = after.find("```").unwrap();
        let body = &after[start..];
        let body = &body[body.find('\n').unwrap() + 1..];
        &body[..body.find("```").unwrap()]
    }
}

struct Measured {
    stock_output: String,
    stock_total: String,
    by_hand_percent: String,
    truth_total: String,
    graceful_total: Option<String>,
}

fn measure(tc: &GoToolchain, fixture: &str, with_graceful: bool) -> Measured {
    let module = fixtures_root().join(fixture);
    let tmp = tempfile::tempdir().unwrap();
    let tmp = Utf8Path::from_path(tmp.path()).unwrap();

    // Stock: what a user gets today, the commands writing into go test's private GOCOVERDIR.
    let stock = tmp.join("stock.out");
    let stock_output = go_in(
        tc,
        &module,
        &[
            "test",
            "-count=1",
            "-cover",
            "-coverpkg=./...",
            &format!("-coverprofile={stock}"),
            "./...",
        ],
        &[],
    );
    let stock_total = cover_total(tc, &module, &stock);

    // By hand: the commands' own covdata (testkit), plus the tests' in-process coverage.
    let dir = covdata(tc, fixture, CoverMode::Set);
    let by_hand_percent = go_in(
        tc,
        &module,
        &["tool", "covdata", "percent", &format!("-i={}", dir.path)],
        &[],
    );
    let children = tmp.join("children.out");
    textfmt(tc, &module, &dir.path, &children);
    let truth = tmp.join("truth.out");
    union(&[&stock, &children], &truth);
    let truth_total = cover_total(tc, &module, &truth);

    let graceful_total = (with_graceful && fixture == "serversuite").then(|| {
        let gdir = tmp.join("graceful");
        std::fs::create_dir(&gdir).unwrap();
        go_in(
            tc,
            &module,
            &["test", "-count=1", "./..."],
            &[
                ("INTCOV_FIXTURE_COVERDIR", gdir.as_str()),
                ("INTCOV_FIXTURE_COVERMODE", "set"),
                ("INTCOV_FIXTURE_GRACEFUL", "1"),
            ],
        );
        let gout = tmp.join("graceful.out");
        textfmt(tc, &module, &gdir, &gout);
        let all = tmp.join("graceful-truth.out");
        union(&[&stock, &gout], &all);
        cover_total(tc, &module, &all)
    });

    Measured {
        stock_output,
        stock_total,
        by_hand_percent,
        truth_total,
        graceful_total,
    }
}

/// `oldest`: Go 1.21.13 instead of the Go on PATH (the recorded SIGTERM'd-server figure is
/// checked with the latter only).
fn check(fixture: &str, oldest: bool) {
    let recorded = Recorded::load(fixture);
    {
        let tc = if oldest { go_release("1.21.13") } else { go() };
        let m = measure(&tc, fixture, !oldest);
        let v = &tc.version;
        eprintln!(
            "{fixture} with {v}: truth {}, stock {}, graceful {:?}\n{}\n{}",
            m.truth_total, m.stock_total, m.graceful_total, m.by_hand_percent, m.stock_output
        );
        assert_eq!(
            normalize(&m.by_hand_percent),
            normalize(recorded.block("covdata-percent")),
            "{fixture} with {v}: `go tool covdata percent` of the commands' data vs {}",
            recorded.readme
        );
        assert_eq!(
            m.truth_total,
            recorded.figure("truth"),
            "{fixture} with {v}: true total"
        );
        let stock_key = if tc.minor() == 21 {
            "stock, Go 1.21"
        } else {
            "stock, Go 1.22+"
        };
        assert_eq!(
            m.stock_total,
            recorded.figure(stock_key),
            "{fixture} with {v}: stock `go test -cover` total (go#60182 fixed? then update {})",
            recorded.readme
        );
        if tc.minor() > 21 {
            let printed: Vec<String> = normalize(&m.stock_output)
                .into_iter()
                .filter(|l| l.contains("coverage:"))
                .collect();
            let want: Vec<String> = normalize(recorded.block("stock-output"))
                .into_iter()
                .filter(|l| l.contains("coverage:"))
                .collect();
            assert_eq!(
                printed, want,
                "{fixture} with {v}: what stock `go test -cover` prints"
            );
        }
        if let Some(graceful) = &m.graceful_total {
            assert_eq!(
                graceful,
                recorded.figure("truth, server stopped by /quit"),
                "{fixture} with {v}"
            );
        }
        assert_ne!(
            m.truth_total, m.stock_total,
            "{fixture}: the fixture no longer shows the gap"
        );
        summary_row_agrees(fixture, &recorded);
    }
}

/// go-fixtures/README.md repeats the figures in one table: `| fixture | truth | stock 1.22+ | stock 1.21 |`.
fn summary_row_agrees(fixture: &str, recorded: &Recorded) {
    let summary = fixtures_root().join("README.md");
    let text = std::fs::read_to_string(&summary).unwrap();
    let row: Vec<&str> = text
        .lines()
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.len() == 4 && cells[0] == fixture)
        .unwrap_or_else(|| panic!("{summary}: no row for {fixture}"));
    let truth = row[1].split_whitespace().next().unwrap();
    assert_eq!(
        [truth, row[2], row[3]],
        [
            recorded.figure("truth"),
            recorded.figure("stock, Go 1.22+"),
            recorded.figure("stock, Go 1.21")
        ],
        "{summary} vs {}",
        recorded.readme
    );
}

#[test]
fn clisuite() {
    check("clisuite", false);
}

#[test]
fn clisuite_go1_21() {
    check("clisuite", true);
}

#[test]
fn scriptsuite() {
    check("scriptsuite", false);
}

#[test]
fn scriptsuite_go1_21() {
    check("scriptsuite", true);
}

#[test]
fn serversuite() {
    check("serversuite", false);
}

#[test]
fn serversuite_go1_21() {
    check("serversuite", true);
}
