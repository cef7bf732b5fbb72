//! Writing the overlay: rendered templates, patched copies of GOROOT files, and the
//! `overlay_integration.json` that maps one onto the other.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use camino::{Utf8Path, Utf8PathBuf};

use crate::error::io;
use crate::layout::{plan, Layout, Release};
use crate::merge::append_fragment;
use crate::patch::apply_edits;
use crate::templates::{go_quote, render};
use crate::{Error, GoInstall};

/// The file `go test -overlay=` is given.
pub const OVERLAY_JSON: &str = "overlay_integration.json";

/// The full overlay's twin for programs that tests build: the same files, but a program built
/// with it is in integration mode without `GO_INTEGRATION_COVERAGE` in its environment. A test
/// binary in integration mode passes it to the `go` commands its tests run (GOFLAGS).
pub const PROGRAMS_OVERLAY_JSON: &str = "overlay_integration_programs.json";

/// Where the files that differ in the programs' overlay are written, under the output directory.
const PROGRAMS_DIR: &str = "programs";

/// How much of GOROOT the overlay changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// The report step, the `testing` and `runtime/coverage` additions, counters written on
    /// SIGTERM/SIGINT, and the overlay passed on to nested `go build` through GOFLAGS.
    #[default]
    Full,
    /// Only the report step of `go test -cover` (and the export to GO_INTEGRATION_COVERDIR).
    Minimal,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Full => "full",
            Variant::Minimal => "minimal",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Variant::Full),
            "minimal" => Ok(Variant::Minimal),
            _ => Err(format!(
                "unknown overlay variant {s:?}: use full or minimal"
            )),
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Output directory (created if needed).
    pub out: Utf8PathBuf,
    /// Default for GO_INTEGRATION_COVERDIR baked into the overlay (made absolute).
    pub coverdir: Option<Utf8PathBuf>,
    pub variant: Variant,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Absolute path of `overlay_integration.json`.
    pub overlay_json: Utf8PathBuf,
    /// Absolute path of `overlay_integration_programs.json` (full variant only).
    pub programs_json: Option<Utf8PathBuf>,
    /// GOROOT file → its replacement, as in the JSON.
    pub replace: BTreeMap<Utf8PathBuf, Utf8PathBuf>,
    pub layout: Layout,
    pub version: String,
}

/// Generates the overlay for `go` into `opts.out`. Nothing under GOROOT is written.
pub fn generate(go: &GoInstall, opts: &Options) -> Result<Generated, Error> {
    let release = Release::parse(&go.version)
        .filter(|r| r.is_supported())
        .ok_or_else(|| Error::Unsupported {
            version: go.version.clone(),
            goroot: go.goroot.clone(),
        })?;
    let layout = Layout::of(release);
    let patches = plan(layout, opts.variant == Variant::Full);

    let out = absolute(&opts.out)?;
    let coverdir = opts.coverdir.as_deref().map(absolute).transpose()?;
    let overlay_json = out.join(OVERLAY_JSON);
    let full = opts.variant == Variant::Full;
    let programs_json = full.then(|| out.join(PROGRAMS_OVERLAY_JSON));
    let src = go.goroot.join("src");

    let vars = vec![
        ("GENERATOR", format!("intcov {}", env!("CARGO_PKG_VERSION"))),
        ("GO_VERSION", go.version.clone()),
        ("GO_VERSION_Q", go_quote(&go.version)),
        ("VARIANT", opts.variant.to_string()),
        ("VARIANT_Q", go_quote(opts.variant.as_str())),
        ("PKG", layout.core_package().to_owned()),
        ("CORE_PATH", layout.core_dir().to_owned()),
        (
            "COVERDIR_Q",
            go_quote(coverdir.as_ref().map_or("", |d| d.as_str())),
        ),
        (
            "OVERLAY_FILE_Q",
            go_quote(programs_json.as_ref().unwrap_or(&overlay_json).as_str()),
        ),
        ("BUILT_FOR_TESTS", "false".to_owned()),
    ];
    let programs_vars = {
        let mut v = vars.clone();
        v.last_mut().expect("BUILT_FOR_TESTS").1 = "true".to_owned();
        v
    };

    // Read and check everything before writing anything. Files whose text depends on
    // BUILT_FOR_TESTS get a second rendering for the programs' overlay.
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut programs_outputs: Vec<(String, String)> = Vec::new();
    for patch in &patches {
        let name = format!("src/{}", patch.file);
        let original = src.join(&patch.file);
        let text = match std::fs::read_to_string(&original) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::MissingFile {
                    version: go.version.clone(),
                    goroot: go.goroot.clone(),
                    file: name,
                })
            }
            Err(e) => return Err(io(&original)(e)),
        };
        let text = apply_edits(&go.version, &name, &text, &patch.edits)?;
        let merged = append_fragments(go, opts.variant, &name, &text, patch, &vars)?;
        if full
            && patch
                .fragments
                .iter()
                .any(|t| t.text.contains("{{BUILT_FOR_TESTS}}"))
        {
            let baked = append_fragments(go, opts.variant, &name, &text, patch, &programs_vars)?;
            programs_outputs.push((patch.file.clone(), baked));
        }
        outputs.push((patch.file.clone(), merged));
    }

    std::fs::create_dir_all(&out).map_err(io(&out))?;
    let replace = write_files(&src, &out.join("src"), outputs)?;
    write_json(&overlay_json, &replace)?;
    if let Some(programs_json) = &programs_json {
        let mut programs = replace.clone();
        programs.extend(write_files(
            &src,
            &out.join(PROGRAMS_DIR).join("src"),
            programs_outputs,
        )?);
        write_json(programs_json, &programs)?;
    }
    Ok(Generated {
        overlay_json,
        programs_json,
        replace,
        layout,
        version: go.version.clone(),
    })
}

/// `text` (a GOROOT file, edited) with the rendered templates of `patch` appended.
fn append_fragments(
    go: &GoInstall,
    variant: Variant,
    name: &str,
    text: &str,
    patch: &crate::layout::FilePatch,
    vars: &[(&str, String)],
) -> Result<String, Error> {
    let mut text = text.to_owned();
    for template in &patch.fragments {
        let rendered = render(template, vars)?;
        let banner = format!(
            "// Integration coverage (go.dev/issue/60182): added by intcov {} for {} \
             ({} overlay)\n// from overlays/{}.\n\n",
            env!("CARGO_PKG_VERSION"),
            go.version,
            variant,
            template.name
        );
        text = append_fragment(&text, &rendered, &banner).map_err(|reason| Error::Merge {
            version: go.version.clone(),
            file: name.to_owned(),
            template: template.name.to_owned(),
            reason: reason.to_string(),
        })?;
    }
    Ok(text)
}

/// Writes each (path under GOROOT/src, text) under `dest_src`; returns GOROOT file → copy.
fn write_files(
    src: &Utf8Path,
    dest_src: &Utf8Path,
    files: Vec<(String, String)>,
) -> Result<BTreeMap<Utf8PathBuf, Utf8PathBuf>, Error> {
    let mut replace = BTreeMap::new();
    for (rel, text) in files {
        let dest = dest_src.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&dest, text).map_err(io(&dest))?;
        replace.insert(src.join(&rel), dest);
    }
    Ok(replace)
}

/// Writes the overlay file `go -overlay=` reads.
fn write_json(path: &Utf8Path, replace: &BTreeMap<Utf8PathBuf, Utf8PathBuf>) -> Result<(), Error> {
    let map: serde_json::Map<String, serde_json::Value> = replace
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(v.as_str())))
        .collect();
    let json = serde_json::json!({ "Replace": map });
    let mut text = serde_json::to_string_pretty(&json).expect("a map of strings serializes");
    text.push('\n');
    std::fs::write(path, text).map_err(io(path))
}

/// `path` made absolute against the current directory, `.` and `..` resolved lexically (the
/// path is baked into the overlay and handed to GOFLAGS, so it should read plainly).
fn absolute(path: &Utf8Path) -> Result<Utf8PathBuf, Error> {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        let cwd = std::env::current_dir().map_err(io("."))?;
        let cwd = Utf8PathBuf::from_path_buf(cwd).map_err(|path| Error::NotUtf8 { path })?;
        cwd.join(path)
    };
    let mut clean = Utf8PathBuf::new();
    for c in joined.components() {
        match c {
            camino::Utf8Component::CurDir => {}
            camino::Utf8Component::ParentDir => {
                clean.pop();
            }
            c => clean.push(c),
        }
    }
    Ok(clean)
}
