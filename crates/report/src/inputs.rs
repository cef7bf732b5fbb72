//! Loading report inputs: coverage directories and text profiles, merged into one [`Profile`],
//! with the per-run [`Attribution`] when asked for.
//!
//! This is the one loader behind `intcov report`, `intcov check`, `intcov test` and
//! `cargo xtask cover`: all coverage directories are read together as `go tool covdata` reads
//! them (one entry), each text profile is parsed on its own, and everything is merged by
//! [`text::merge`]'s rules (`-coverpkg` duplicates combined, mixed modes per [`MixedModes`]).

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::covdata::{CounterFile, FuncDesc, MetaFile, PackageMeta, Pod, Segment};
use covmerge::{ModePolicy, PodVisitor, ProfileBuilder, ReadOptions, Warning};
use profile::pattern::PackageFilter;
use profile::text::{self, MixedModes};
use profile::Profile;

use crate::{Attribution, Run, RunKind};

/// Why the inputs could not be loaded; every variant names the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("-i: no inputs given")]
    NoInputs,
    #[error("{path}: cannot read input: {source}")]
    Io {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a text profile (no `mode:` line) and not a coverage directory")]
    NotAProfile { path: Utf8PathBuf },
    #[error(transparent)]
    Text(#[from] text::ParseError),
    #[error(transparent)]
    Merge(#[from] text::MergeError),
    #[error(transparent)]
    Data(#[from] covmerge::Error),
    #[error("{dirs}: no coverage data (no covmeta.* file) in the input directories")]
    NoCoverageData { dirs: String },
    #[error("no coverage data in the inputs")]
    Empty,
    #[error("cannot create a scratch directory: {0}")]
    Scratch(#[source] std::io::Error),
}

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Also record which runs executed each block.
    pub attribution: bool,
    /// Leave out bad files (reported as [`Warning::Skipped`]) instead of failing.
    pub skip_bad: bool,
    /// Merging set-mode with count/atomic inputs.
    pub mixed_modes: MixedModes,
    /// Keep only these packages (`-pkg`).
    pub packages: Option<PackageFilter>,
}

/// What loading shows of its progress: one step per text profile and per counter file read
/// (twice per counter file with attribution). The binary draws a bar; libraries pass
/// [`NoProgress`].
pub trait Progress {
    fn start(&self, _steps: u64) {}
    fn message(&self, _msg: &str) {}
    fn step(&self) {}
    fn finish(&self) {}
}

/// [`Progress`] that shows nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// The merged inputs.
#[derive(Debug)]
pub struct Loaded {
    pub profile: Profile,
    pub attribution: Option<Attribution>,
}

/// Split a comma-separated `-i` value into paths (blanks dropped).
pub fn split_inputs(list: &str) -> Vec<Utf8PathBuf> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Utf8PathBuf::from)
        .collect()
}

/// Load and merge `inputs`. Warnings (including skipped bad files) go to `warn`.
pub fn load(
    inputs: &[Utf8PathBuf],
    opts: &LoadOptions,
    progress: &dyn Progress,
    warn: &mut dyn FnMut(Warning),
) -> Result<Loaded, InputError> {
    if inputs.is_empty() {
        return Err(InputError::NoInputs);
    }
    let mut text_files = Vec::new();
    let mut dirs = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| InputError::Io {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            dirs.push(input.clone());
        } else {
            text_files.push(input.clone());
        }
    }
    let pods = if dirs.is_empty() {
        Vec::new()
    } else {
        covmerge::covdata::pods::collect_pods(&dirs).map_err(covmerge::Error::from)?
    };
    let counter_files: usize = pods.iter().map(|p| p.counter_files.len()).sum();
    let per_file = if opts.attribution { 2 } else { 1 };
    progress.start((text_files.len() + counter_files * per_file) as u64);

    let mut profiles = Vec::new();
    let mut attribution = opts.attribution.then(Attribution::new);
    for input in &text_files {
        progress.message(input.as_str());
        let prof = match read_text(input) {
            Ok(p) => p,
            Err(e) if opts.skip_bad => {
                warn(Warning::Skipped {
                    file: input.clone(),
                    reason: e.to_string(),
                });
                progress.step();
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(att) = attribution.as_mut() {
            att.add_run(
                Run {
                    label: input.file_name().unwrap_or(input.as_str()).to_owned(),
                    kind: RunKind::Profile,
                    source: input.to_string(),
                },
                &prof,
            );
        }
        profiles.push((input.to_string(), prof));
        progress.step();
    }
    if !dirs.is_empty() {
        progress.message(&format!("{counter_files} counter files"));
        let read_opts = read_options(opts.skip_bad);
        let mut visitor = Stepping {
            inner: ProfileBuilder::default(),
            progress,
            first_args: None,
        };
        covmerge::visit(&dirs, &read_opts, &mut visitor, warn)?;
        match visitor.inner.into_profile() {
            Some(p) => profiles.push((dirs_name(&dirs), p)),
            None => {
                return Err(InputError::NoCoverageData {
                    dirs: dirs_name(&dirs),
                })
            }
        }
        if let Some(att) = attribution.as_mut() {
            attribute_programs(att, &pods, progress, &read_opts)?;
            for dir in &dirs {
                attribute_tests(att, dir, &read_opts)?;
            }
        }
    }
    progress.finish();

    let named = profiles.iter().map(|(n, p)| (n.as_str(), p));
    let merged = text::merge(named, opts.mixed_modes)?.ok_or(InputError::Empty)?;
    let profile = match &opts.packages {
        Some(filter) => merged.filtered(filter),
        None => merged,
    };
    Ok(Loaded {
        profile,
        attribution,
    })
}

fn dirs_name(dirs: &[Utf8PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn read_text(input: &Utf8Path) -> Result<Profile, InputError> {
    let data = std::fs::read(input).map_err(|source| InputError::Io {
        path: input.to_owned(),
        source,
    })?;
    if !text::is_text_profile(&data) {
        return Err(InputError::NotAProfile {
            path: input.to_owned(),
        });
    }
    Ok(text::parse(&data, input.as_str())?)
}

fn read_options(skip_bad: bool) -> ReadOptions {
    ReadOptions {
        packages: None,
        mode_policy: ModePolicy::Strict,
        meta_files_lists: false,
        skip_bad,
    }
}

/// [`ProfileBuilder`] that steps the progress per counter file and remembers the first
/// counter file's program arguments.
struct Stepping<'a> {
    inner: ProfileBuilder,
    progress: &'a dyn Progress,
    first_args: Option<Vec<String>>,
}

impl PodVisitor for Stepping<'_> {
    fn begin_pod(&mut self, pod: &Pod, meta: &MetaFile<'_>) {
        self.inner.begin_pod(pod, meta);
    }
    fn counter_file(&mut self, path: &Utf8Path, file: &CounterFile<'_>, first: &Segment<'_>) {
        self.inner.counter_file(path, file, first);
        if self.first_args.is_none() {
            self.first_args = Some(first.os_args().iter().map(|s| (*s).to_owned()).collect());
        }
        self.progress.step();
    }
    fn begin_package(&mut self, pkg: &PackageMeta<'_>) {
        self.inner.begin_package(pkg);
    }
    fn func(
        &mut self,
        pkg: &PackageMeta<'_>,
        func_idx: u32,
        func: &FuncDesc<'_>,
        counters: Option<&[u32]>,
    ) {
        self.inner.func(pkg, func_idx, func, counters);
    }
    fn end_pod(&mut self, pod: &Pod) {
        self.inner.end_pod(pod);
    }
}

/// A scratch directory (removed on drop) holding links to one pod's meta-data file and one
/// of its counter files, so that the counter file can be read as a pod of its own.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Result<Self, InputError> {
        let dir = tempfile::Builder::new()
            .prefix("intcov-report-")
            .tempdir()
            .map_err(InputError::Scratch)?;
        Ok(Scratch { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Make `file` appear in the directory under its own name.
    fn link(&self, file: &Utf8Path) -> Result<(), InputError> {
        let name = file.file_name().unwrap_or(file.as_str());
        let to = self.dir.path().join(name);
        let abs = file.canonicalize_utf8().unwrap_or_else(|_| file.to_owned());
        #[cfg(unix)]
        let linked = std::os::unix::fs::symlink(&abs, &to).is_ok();
        #[cfg(not(unix))]
        let linked = false;
        if !linked {
            std::fs::copy(&abs, &to).map_err(|source| InputError::Io { path: abs, source })?;
        }
        Ok(())
    }
}

/// Each counter file is a run of its program, labelled with the program's command line.
fn attribute_programs(
    att: &mut Attribution,
    pods: &[Pod],
    progress: &dyn Progress,
    opts: &ReadOptions,
) -> Result<(), InputError> {
    for pod in pods {
        for cf in &pod.counter_files {
            let scratch = Scratch::new()?;
            scratch.link(&pod.meta_file)?;
            scratch.link(&cf.path)?;
            let scratch_dir =
                Utf8PathBuf::from_path_buf(scratch.path().to_owned()).map_err(|p| {
                    InputError::Scratch(std::io::Error::other(format!(
                        "{}: temp dir path is not UTF-8",
                        p.display()
                    )))
                })?;
            let mut visitor = Stepping {
                inner: ProfileBuilder::default(),
                progress,
                first_args: None,
            };
            // Bad files were reported by the main read; a run that lost one is left out.
            let mut skipped = false;
            covmerge::visit(&[&scratch_dir], opts, &mut visitor, &mut |w| {
                skipped |= matches!(w, Warning::Skipped { .. });
            })?;
            if skipped {
                continue;
            }
            let label = match visitor.first_args.as_deref() {
                Some([prog, rest @ ..]) => {
                    let prog = Utf8Path::new(prog).file_name().unwrap_or(prog);
                    std::iter::once(prog)
                        .chain(rest.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                _ => cf.path.file_name().unwrap_or(cf.path.as_str()).to_owned(),
            };
            if let Some(p) = visitor.inner.into_profile() {
                att.add_run(
                    Run {
                        label,
                        kind: RunKind::Program,
                        source: cf.path.to_string(),
                    },
                    &p,
                );
            }
        }
    }
    Ok(())
}

/// The overlay exports each `RunWithIntegrationCoverage` test's data to `DIR/pertest/<test>`:
/// every directory below `pertest` holding a meta-data file is a run named by its path.
fn attribute_tests(
    att: &mut Attribution,
    dir: &Utf8Path,
    opts: &ReadOptions,
) -> Result<(), InputError> {
    let root = dir.join("pertest");
    if !root.is_dir() {
        return Ok(());
    }
    let list_err = |d: &Utf8Path| {
        let d = d.to_owned();
        move |source| InputError::Io { path: d, source }
    };
    let mut stack = vec![root.clone()];
    let mut test_dirs = Vec::new();
    while let Some(d) = stack.pop() {
        let mut has_meta = false;
        for entry in d.read_dir_utf8().map_err(list_err(&d))? {
            let entry = entry.map_err(list_err(&d))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path.to_owned());
            } else if entry.file_name().starts_with("covmeta.") {
                has_meta = true;
            }
        }
        if has_meta {
            test_dirs.push(d);
        }
    }
    test_dirs.sort();
    for d in test_dirs {
        let Some(p) = covmerge::read_profile(&[&d], opts, &mut |_| {})? else {
            continue;
        };
        let label = d.strip_prefix(&root).map_or(d.as_str(), |r| r.as_str());
        att.add_run(
            Run {
                label: label.to_owned(),
                kind: RunKind::Test,
                source: d.to_string(),
            },
            &p,
        );
    }
    Ok(())
}
