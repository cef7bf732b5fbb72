//! The pull-request form of the Markdown summary: patch coverage from a diff and deltas against
//! a baseline read back from our own JSON report.

use std::collections::BTreeSet;

use camino::Utf8Path;
use report::baseline::{self, Baseline};
use report::diff::{self, Changes};
use report::markdown::{self, MarkdownOptions, PrSections};
use report::{json, Coverage, Module, Sources};

fn coverage(text: &str) -> Coverage {
    let profile = profile::text::parse(text.as_bytes(), "t.out").unwrap();
    let sources = Sources::new(
        Some("/src".into()),
        vec![Module {
            path: "example.com/m".into(),
            dir: "/src".into(),
        }],
    );
    Coverage::build_with(&profile, &sources, None, &|_| None)
}

const BASE: &str = "mode: set
example.com/m/p/a.go:3.14,5.2 2 1
example.com/m/p/a.go:5.2,7.3 2 0
example.com/m/p/b.go:1.1,2.2 3 1
example.com/m/q/c.go:1.1,4.2 4 1
example.com/m/gone/g.go:1.1,2.2 1 1
";

// p/a.go gained its second block and a new uncovered one (lines 9-12); p/b.go lost coverage;
// q is unchanged; gone/ is gone and new/ is new.
const HEAD: &str = "mode: set
example.com/m/p/a.go:3.14,5.2 2 1
example.com/m/p/a.go:5.2,7.3 2 1
example.com/m/p/a.go:9.20,12.2 3 0
example.com/m/p/b.go:1.1,2.2 3 0
example.com/m/q/c.go:1.1,4.2 4 1
example.com/m/new/n.go:1.1,3.2 2 1
";

const DIFF: &str = "diff --git a/p/a.go b/p/a.go
--- a/p/a.go
+++ b/p/a.go
@@ -6,0 +7,6 @@
+\tmore()
+}
+
+func Added() {
+\tnothing()
+}
diff --git a/docs/notes.md b/docs/notes.md
--- a/docs/notes.md
+++ b/docs/notes.md
@@ -1 +1 @@
-old
+new
";

#[test]
fn pull_request_summary_with_patch_and_deltas() {
    let base = coverage(BASE);
    let head = coverage(HEAD);
    let old_json = json::render(&base);
    let baseline = Baseline::parse(old_json.as_bytes(), Utf8Path::new("old.json")).unwrap();
    let deltas = baseline::compare(&baseline, &head);
    assert_eq!(
        deltas
            .dropped_files
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        ["p/b.go"]
    );

    let changes = Changes::parse(DIFF.as_bytes(), "t.diff").unwrap();
    assert_eq!(
        changes.files["p/a.go"],
        BTreeSet::from([7, 8, 9, 10, 11, 12])
    );
    let patch = diff::patch_coverage(&head, &changes, None);
    // Block 5-7 (2, covered) holds line 7; block 9-12 (3, not covered) holds 9-12.
    assert_eq!((patch.totals.covered, patch.totals.statements), (2, 5));
    assert_eq!(
        patch
            .uncovered
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["p/a.go:9-12"]
    );
    assert_eq!(patch.uninstrumented, ["docs/notes.md"]);

    let md = markdown::render(
        &head,
        &MarkdownOptions {
            title: "Coverage".into(),
            pr: PrSections {
                patch: Some(patch),
                deltas: Some(deltas),
                html_url: Some("https://example.com/run/1/coverage/index.html".into()),
            },
        },
    );
    insta::assert_snapshot!("markdown_pull_request", md);
}
