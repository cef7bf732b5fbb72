//! Which files of a Go release the overlay patches or adds, and how.
//!
//! Go 1.21 and 1.22 keep the coverage runtime in `runtime/coverage` itself; from 1.23 it lives in
//! `internal/coverage/cfile` and `runtime/coverage` is a thin wrapper. The code around the
//! anchors is otherwise the same from 1.21 to 1.27 (checked against each release's sources).

use crate::patch::Edit;
use crate::templates::{self, Template};

/// The Go minor releases the overlay knows.
pub const SUPPORTED_MINORS: std::ops::RangeInclusive<u32> = 21..=27;

/// A Go release number as `go env GOVERSION` prints it (`go1.21.13`, `go1.27rc1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    pub major: u32,
    pub minor: u32,
}

impl Release {
    /// Parses `go1.N`, `go1.N.P` or `go1.NrcK`/`go1.NbetaK`; `devel …` and other strings are
    /// `None` (an unknown toolchain).
    pub fn parse(version: &str) -> Option<Release> {
        // GOVERSION may carry build settings after a blank: "go1.25.0 X:nodwarf5".
        let version = version.split_whitespace().next()?;
        let rest = version.strip_prefix("go")?;
        let mut parts = rest.splitn(2, '.');
        let major: u32 = parts.next()?.parse().ok()?;
        let tail = parts.next()?;
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let minor: u32 = tail[..digits].parse().ok()?;
        let suffix = &tail[digits..];
        let patch_ok = match suffix.strip_prefix('.') {
            Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
            None => {
                suffix.is_empty()
                    || ["rc", "beta"].iter().any(|pre| {
                        suffix
                            .strip_prefix(pre)
                            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    })
            }
        };
        patch_ok.then_some(Release { major, minor })
    }

    pub fn is_supported(self) -> bool {
        self.major == 1 && SUPPORTED_MINORS.contains(&self.minor)
    }
}

/// Where the coverage runtime lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Go 1.21–1.22: `runtime/coverage` holds everything.
    RuntimeCoverage,
    /// Go 1.23+: `internal/coverage/cfile`, wrapped by `runtime/coverage`.
    Cfile,
}

impl Layout {
    pub fn of(release: Release) -> Layout {
        if release.minor <= 22 {
            Layout::RuntimeCoverage
        } else {
            Layout::Cfile
        }
    }

    /// The package (directory under GOROOT/src) holding the coverage runtime.
    pub fn core_dir(self) -> &'static str {
        match self {
            Layout::RuntimeCoverage => "runtime/coverage",
            Layout::Cfile => "internal/coverage/cfile",
        }
    }

    /// The name of that package.
    pub fn core_package(self) -> &'static str {
        match self {
            Layout::RuntimeCoverage => "coverage",
            Layout::Cfile => "cfile",
        }
    }

    fn init_hook_anchor(self) -> &'static str {
        match self {
            Layout::RuntimeCoverage => "func initHook(istest bool) {",
            Layout::Cfile => "func InitHook(istest bool) {",
        }
    }
}

/// A GOROOT file the overlay replaces (path relative to GOROOT/src): the original with `edits`
/// applied, then `fragments` (rendered templates) appended.
#[derive(Clone, Debug)]
pub struct FilePatch {
    pub file: String,
    pub edits: Vec<Edit>,
    pub fragments: Vec<Template>,
}

/// The files to replace for `layout`; `full` adds what the minimal overlay leaves out.
///
/// No file is added to GOROOT: the new code is appended to existing files of its package (see
/// `merge`), each with no build constraint unless the code needs the same one.
pub fn plan(layout: Layout, full: bool) -> Vec<FilePatch> {
    let core = layout.core_dir();
    let patch = |file: String, edits: Vec<Edit>, fragments: Vec<Template>| FilePatch {
        file,
        edits,
        fragments,
    };
    let mut core_fragments = vec![
        templates::CORE,
        templates::CORE_CONFIG,
        templates::CORE_SETTINGS,
    ];
    if full {
        core_fragments.push(templates::CORE_FULL);
    }
    let mut patches = vec![
        patch(
            format!("{core}/testsupport.go"),
            report_step_edits(layout),
            vec![],
        ),
        patch(
            format!("{core}/hooks.go"),
            vec![Edit::InsertAfter {
                anchor: layout.init_hook_anchor(),
                text: "\n\tintegrationInit(istest) // integration coverage (go.dev/issue/60182)",
            }],
            core_fragments,
        ),
    ];
    if !full {
        return patches;
    }
    patches.push(patch(
        format!("{core}/emit.go"),
        vec![Edit::InsertAfter {
            anchor: "\tif err := os.Rename(s.cftmp, s.cfname); err != nil {\n\t\treturn fmt.Errorf(\"writing %s: rename from %s failed: %v\\n\", s.cfname, s.cftmp, err)\n\t}\n",
            text: "\tintegrationCounterFileWritten(outdir, s.cfname) // integration coverage\n",
        }],
        vec![],
    ));
    let clear_counters = Edit::InsertAfter {
        anchor: "func ClearCounters() error {",
        text: "\n\tintegrationCountersCleared() // integration coverage",
    };
    match layout {
        Layout::RuntimeCoverage => patches.push(patch(
            "runtime/coverage/apis.go".into(),
            vec![clear_counters],
            vec![templates::RUNTIME_COVERAGE_API_LEGACY],
        )),
        Layout::Cfile => {
            patches.push(patch(
                "internal/coverage/cfile/apis.go".into(),
                vec![clear_counters],
                vec![templates::CFILE_EXPORTS],
            ));
            patches.push(patch(
                "runtime/coverage/coverage.go".into(),
                vec![],
                vec![templates::RUNTIME_COVERAGE_API],
            ));
        }
    }
    patches.push(patch(
        "os/signal/signal.go".into(),
        vec![],
        vec![templates::OS_SIGNAL],
    ));
    patches.push(patch(
        "os/signal/signal_unix.go".into(),
        vec![],
        vec![templates::OS_SIGNAL_UNIX],
    ));
    patches.push(patch(
        "os/signal/signal_plan9.go".into(),
        vec![],
        vec![templates::OS_SIGNAL_PLAN9],
    ));
    patches.push(patch(
        "testing/newcover.go".into(),
        vec![],
        vec![templates::TESTING],
    ));
    patches
}

/// The report step (`ProcessCoverTestDir` / `processCoverTestDirInternal` and `processPod`):
/// keep other programs' pods, merge them in their own counter mode, tolerate their damage.
fn report_step_edits(layout: Layout) -> Vec<Edit> {
    let mut edits = vec![
        Edit::Replace {
            anchor: "\tfor _, p := range podlist {\n\t\tif !strings.Contains(p.MetaFile, hashstring) {\n\t\t\tcontinue\n\t\t}\n",
            with: "\tintegrationRecordCacheInputs() // go test caches per overlay setting\n\
                   \t// Integration coverage (go.dev/issue/60182): every pod written during\n\
                   \t// this run counts, whichever program wrote it.\n\
                   \tif integrationOn() {\n\
                   \t\tif podlist, err = integrationPods(dir, podlist, hashstring, cpkg); err != nil {\n\
                   \t\t\treturn err\n\
                   \t\t}\n\
                   \t}\n\
                   \tfor _, p := range podlist {\n\
                   \t\tif !integrationOn() && !strings.Contains(p.MetaFile, hashstring) {\n\
                   \t\t\tcontinue\n\
                   \t\t}\n",
        },
        Edit::Replace {
            anchor: "\t\tif err := ts.processPod(p, importpaths); err != nil {\n",
            with: "\t\tif err := ts.processPod(p, importpaths); err != nil && !integrationSkipPod(p.MetaFile, hashstring, err) {\n",
        },
        Edit::Replace {
            anchor: "\tif newmode != ts.cmode {\n",
            with: "\tif newmode != ts.cmode && !integrationOn() {\n",
        },
        Edit::Replace {
            anchor: "\tif err := ts.cm.SetModeAndGranularity(p.MetaFile, cmode, newgran); err != nil {\n",
            with: "\tif err := integrationSetMode(ts.cm, p.MetaFile, cmode, newmode, newgran); err != nil {\n",
        },
        Edit::Replace {
            anchor: "\t\t\t\t\tcount = counters[i]\n",
            with: "\t\t\t\t\tcount = integrationUnitCount(counters, i)\n",
        },
        Edit::InsertAfter {
            anchor: "\t\tpd, payload, err = mfr.GetPackageDecoder(pkIdx, payload)\n\t\tif err != nil {\n\t\t\treturn fmt.Errorf(\"reading pkg %d from meta-file %s: %s\", pkIdx, p.MetaFile, err)\n\t\t}\n",
            text: "\t\tif !integrationWantPackage(pd.PackagePath()) {\n\t\t\tcontinue\n\t\t}\n",
        },
    ];
    if layout == Layout::Cfile {
        // Go 1.23+ report only the packages "go test" selected for -coverpkg, the tested
        // packages' dependencies: the programs' main packages are never among them.
        edits.push(Edit::InsertAfter {
            anchor: "\t// Emit percent.\n",
            text: "\tif integrationOn() && cpkg != \"\" {\n\t\tselpkgs = nil // every package of every program the tests ran\n\t}\n",
        });
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_versions() {
        let r = |s| Release::parse(s).map(|r| (r.major, r.minor));
        assert_eq!(r("go1.21.13"), Some((1, 21)));
        assert_eq!(r("go1.27rc1"), Some((1, 27)));
        assert_eq!(r("go1.20"), Some((1, 20)));
        assert_eq!(r("go1.25.0 X:nodwarf5"), Some((1, 25)));
        assert_eq!(r("devel go1.28-abcdef Tue"), None);
        assert_eq!(r("go1.21.x"), None);
        assert_eq!(r("1.21.0"), None);
        assert!(!Release::parse("go1.20.14").unwrap().is_supported());
        assert!(!Release::parse("go1.28.0").unwrap().is_supported());
        assert!(Release::parse("go1.21.0").unwrap().is_supported());
    }

    #[test]
    fn every_template_is_used() {
        let used: Vec<&str> = [Layout::RuntimeCoverage, Layout::Cfile]
            .into_iter()
            .flat_map(|l| plan(l, true))
            .flat_map(|p| p.fragments)
            .map(|t| t.name)
            .collect();
        for t in templates::ALL {
            assert!(used.contains(&t.name), "{} is in no plan", t.name);
        }
    }

    #[test]
    fn layouts_follow_the_release() {
        let l = |s| Layout::of(Release::parse(s).unwrap());
        assert_eq!(l("go1.22.10"), Layout::RuntimeCoverage);
        assert_eq!(l("go1.23.0"), Layout::Cfile);
    }
}
