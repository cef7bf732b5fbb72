//! The report model: a [`profile::Profile`] arranged by package, file, function and block,
//! with files located on disk and, optionally, which runs executed each block.
//!
//! # From blocks to lines
//!
//! Go counts statements in blocks (spans of source); LCOV and Cobertura count lines. One rule
//! maps them, everywhere in this crate: **a block covers every line from its start line to its
//! end line, and a line's hit count is the largest count of the blocks covering it.** So a line
//! is "hit" when any code on it ran (an `if` line whose condition ran but whose body did not is
//! hit; the body's lines are not). Lines in no block (comments, declarations, closing braces of
//! functions) are not instrumented. A span of more than [`MAX_BLOCK_LINES`] lines (impossible
//! in real Go, possible in a forged profile) covers only its start line.
//!
//! **Partly covered lines.** A line that two or more blocks touch (`if x {` ends one block and
//! starts the body's; `} else {` ends and starts two) carries one branch per block: taken when
//! the block ran. LCOV writes them as `BRDA` records and Cobertura as `branch="true"
//! condition-coverage="50% (1/2)"`, so a line whose condition ran but whose body did not shows
//! as partial, as Codecov's own Go parser shows it. Lines in one block carry no branches.
//!
//! Percentages in HTML, JSON and Markdown are Go's statement coverage: covered statements /
//! statements. LCOV and Cobertura count lines, as their consumers do.

use std::collections::{BTreeMap, HashMap};

use camino::{Utf8Path, Utf8PathBuf};
use profile::{CounterMode, Profile, Unit};

use crate::attribution::Attribution;
use crate::percent;
use crate::sources::Sources;

/// See the module docs.
pub const MAX_BLOCK_LINES: u32 = 100_000;

/// Statement totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub statements: u64,
    pub covered: u64,
}

impl Totals {
    pub fn add(&mut self, other: Totals) {
        self.statements += other.statements;
        self.covered += other.covered;
    }

    /// `69.2%` as Go prints it; `None` without statements.
    pub fn go_percent(&self) -> Option<String> {
        percent::go_percent(self.covered, self.statements)
    }

    /// covered / statements, 0 without statements.
    pub fn ratio(&self) -> f64 {
        percent::ratio(self.covered, self.statements)
    }

    /// 100 × covered / statements computed as Go does; `None` without statements.
    pub fn percent(&self) -> Option<f64> {
        (self.statements != 0).then(|| percent::go_percent_value(self.covered, self.statements))
    }
}

/// Everything a report needs.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub mode: CounterMode,
    pub packages: Vec<PackageCov>,
    /// The runs blocks are attributed to; empty without attribution.
    pub runs: Vec<crate::attribution::Run>,
    /// The directory file paths are relative to, when known.
    pub source_root: Option<Utf8PathBuf>,
}

#[derive(Debug, Clone)]
pub struct PackageCov {
    pub import_path: String,
    pub files: Vec<FileCov>,
}

#[derive(Debug, Clone)]
pub struct FileCov {
    /// The name the profile uses: import path + "/" + base name.
    pub name: String,
    /// Relative to the source root (see [`crate::sources`]); the profile name when unknown.
    pub path: String,
    /// The source file, when its module is known (it may still be missing).
    pub source: Option<Utf8PathBuf>,
    /// Named functions by start line; empty for text profiles, which name none.
    pub functions: Vec<FuncCov>,
    /// By position.
    pub blocks: Vec<BlockCov>,
}

#[derive(Debug, Clone)]
pub struct FuncCov {
    /// As Go records it: `Op`, `*Stack.Push`, `func.L12.C5` for a package-level literal.
    pub name: String,
    pub literal: bool,
    pub start_line: u32,
    pub end_line: u32,
    /// The count of the function's first block: how often it was entered (0/1 in set mode).
    pub entries: u32,
    pub totals: Totals,
}

#[derive(Debug, Clone)]
pub struct BlockCov {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
    pub statements: u32,
    pub count: u32,
    /// Index into the file's `functions`.
    pub function: Option<usize>,
    /// Indices into [`Coverage::runs`] of the runs that executed this block.
    pub runs: Vec<u32>,
}

impl BlockCov {
    pub fn totals(&self) -> Totals {
        Totals {
            statements: u64::from(self.statements),
            covered: if self.count != 0 {
                u64::from(self.statements)
            } else {
                0
            },
        }
    }

    /// The lines this block covers under the crate's line rule.
    pub fn lines(&self) -> std::ops::RangeInclusive<u32> {
        if self.end_line < self.start_line || self.end_line - self.start_line > MAX_BLOCK_LINES {
            self.start_line..=self.start_line
        } else {
            self.start_line..=self.end_line
        }
    }
}

/// One instrumented line (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineCov {
    /// The largest count of the blocks on the line.
    pub hits: u32,
    /// The counts of the blocks on the line, in block order.
    pub blocks: Vec<u32>,
}

impl LineCov {
    /// The line's branches, when two or more blocks touch it: (taken, total).
    pub fn branches(&self) -> Option<(usize, usize)> {
        (self.blocks.len() >= 2).then(|| {
            (
                self.blocks.iter().filter(|&&c| c != 0).count(),
                self.blocks.len(),
            )
        })
    }
}

/// Line coverage of `blocks` (the line rule of the module docs).
pub fn line_coverage<'a>(blocks: impl Iterator<Item = &'a BlockCov>) -> BTreeMap<u32, LineCov> {
    let mut lines: BTreeMap<u32, LineCov> = BTreeMap::new();
    for b in blocks {
        for line in b.lines() {
            let slot = lines.entry(line).or_default();
            slot.hits = slot.hits.max(b.count);
            slot.blocks.push(b.count);
        }
    }
    lines
}

impl FileCov {
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for b in &self.blocks {
            t.add(b.totals());
        }
        t
    }

    /// Line number → hit count, under the module's line rule.
    pub fn line_hits(&self) -> BTreeMap<u32, u32> {
        self.line_coverage()
            .into_iter()
            .map(|(l, c)| (l, c.hits))
            .collect()
    }

    /// Line number → hits and the blocks on the line, under the module's line rule.
    pub fn line_coverage(&self) -> BTreeMap<u32, LineCov> {
        line_coverage(self.blocks.iter())
    }

    /// The base name of the file.
    pub fn base_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

impl PackageCov {
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in &self.files {
            t.add(f.totals());
        }
        t
    }
}

impl Coverage {
    /// Arrange `profile`, locating files with `sources` and attributing blocks to the runs of
    /// `attribution`. Files whose profile names no functions (text profiles) get them from
    /// their source, when it is found (see [`crate::gosrc`]).
    pub fn build(profile: &Profile, sources: &Sources, attribution: Option<&Attribution>) -> Self {
        Self::build_with(profile, sources, attribution, &|p: &Utf8Path| {
            std::fs::read(p).ok()
        })
    }

    /// [`Coverage::build`], reading sources with `read`.
    pub fn build_with(
        profile: &Profile,
        sources: &Sources,
        attribution: Option<&Attribution>,
        read: &dyn Fn(&Utf8Path) -> Option<Vec<u8>>,
    ) -> Self {
        let mut packages = Vec::new();
        for (import_path, pkg) in profile.packages() {
            let funcs = pkg.functions();
            let mut by_file: BTreeMap<&str, Vec<(u32, Unit, u32)>> = BTreeMap::new();
            for (f, unit, count) in pkg.sorted_units() {
                by_file
                    .entry(funcs[f as usize].file.as_str())
                    .or_default()
                    .push((f, unit, count));
            }
            let mut files = Vec::new();
            for (name, units) in by_file {
                let located = sources.locate(name);
                let mut functions: Vec<FuncCov> = Vec::new();
                let mut func_slot: HashMap<u32, usize> = HashMap::new();
                let mut blocks = Vec::with_capacity(units.len());
                for (f, u, count) in units {
                    let func = &funcs[f as usize];
                    let function = (!func.name.is_empty()).then(|| {
                        let slot = *func_slot.entry(f).or_insert_with(|| {
                            functions.push(FuncCov {
                                name: func.name.clone(),
                                literal: func.literal,
                                start_line: u.start_line,
                                end_line: u.end_line,
                                entries: count,
                                totals: Totals::default(),
                            });
                            functions.len() - 1
                        });
                        let fc = &mut functions[slot];
                        fc.end_line = fc.end_line.max(u.end_line);
                        slot
                    });
                    let block = BlockCov {
                        start_line: u.start_line,
                        start_col: u.start_col,
                        end_line: u.end_line,
                        end_col: u.end_col,
                        statements: u.num_stmts,
                        count,
                        function,
                        runs: attribution
                            .map(|a| a.runs_of(name, &u).to_vec())
                            .unwrap_or_default(),
                    };
                    if let Some(slot) = function {
                        functions[slot].totals.add(block.totals());
                    }
                    blocks.push(block);
                }
                // Functions were created in block order, which is already start-line order;
                // keep block indices valid by not re-sorting.
                if functions.is_empty() {
                    if let Some(src) = located.abs.as_deref().and_then(read) {
                        functions = functions_from_source(&src, &mut blocks);
                    }
                }
                files.push(FileCov {
                    name: name.to_owned(),
                    path: located.rel,
                    source: located.abs,
                    functions,
                    blocks,
                });
            }
            packages.push(PackageCov {
                import_path: import_path.clone(),
                files,
            });
        }
        Coverage {
            mode: profile.mode(),
            packages,
            runs: attribution.map(|a| a.runs().to_vec()).unwrap_or_default(),
            source_root: sources.root().map(ToOwned::to_owned),
        }
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for p in &self.packages {
            t.add(p.totals());
        }
        t
    }

    /// Files whose source is not on disk, in report order.
    pub fn missing_sources(&self) -> Vec<&FileCov> {
        self.files()
            .map(|(_, f)| f)
            .filter(|f| !f.source.as_deref().is_some_and(Utf8Path::is_file))
            .collect()
    }

    /// One line counting the files without source and naming the first few; `None` when
    /// every source was found.
    pub fn missing_sources_warning(&self) -> Option<String> {
        const NAMED: usize = 3;
        let missing = self.missing_sources();
        if missing.is_empty() {
            return None;
        }
        let total = self.files().count();
        let mut names: Vec<&str> = missing
            .iter()
            .take(NAMED)
            .map(|f| f.name.as_str())
            .collect();
        if missing.len() > NAMED {
            names.push("…");
        }
        Some(format!(
            "{} of {total} files have no source on disk ({}); run in the repository or give --source-root",
            missing.len(),
            names.join(", ")
        ))
    }

    pub fn files(&self) -> impl Iterator<Item = (&PackageCov, &FileCov)> {
        self.packages
            .iter()
            .flat_map(|p| p.files.iter().map(move |f| (p, f)))
    }
}

/// Functions of a file whose profile names none: the source's top-level declarations that
/// hold blocks, each block assigned to the declaration containing its start line.
fn functions_from_source(src: &[u8], blocks: &mut [BlockCov]) -> Vec<FuncCov> {
    let decls = crate::gosrc::functions(src);
    let mut functions: Vec<FuncCov> = Vec::new();
    // By name, as meta-data keys functions: several `func init()` of a file are one function.
    let mut slot_of_name: HashMap<&str, usize> = HashMap::new();
    for b in blocks.iter_mut() {
        // Declarations are sorted and disjoint.
        let idx = decls.partition_point(|d| d.end_line < b.start_line);
        let Some(d) = decls.get(idx).filter(|d| d.start_line <= b.start_line) else {
            continue;
        };
        let slot = *slot_of_name.entry(d.name.as_str()).or_insert_with(|| {
            functions.push(FuncCov {
                name: d.name.clone(),
                literal: false,
                start_line: d.start_line,
                end_line: b.end_line,
                entries: b.count,
                totals: Totals::default(),
            });
            functions.len() - 1
        });
        let f = &mut functions[slot];
        f.totals.add(b.totals());
        // Like functions named by meta-data: from the declaration to its last block.
        f.end_line = f.end_line.max(b.end_line);
        b.function = Some(slot);
    }
    functions
}
