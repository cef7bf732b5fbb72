//! LCOV tracefiles (`geninfo(1)` format), as genhtml, `lcov --summary`, codecov and coveralls
//! read them.
//!
//! One record per Go file: `SF:` is the file relative to the source root (see
//! [`crate::sources`]), or absolute with [`LcovOptions::absolute_paths`]. `FN`/`FNDA` list
//! the functions Go named (text profiles name none), with the count of each function's first
//! block as its call count. `DA` lines follow the line rule of [`crate::model`]. A line that
//! two or more blocks touch gets one `BRDA:<line>,0,<i>,<count>` per block (`i` counts the
//! blocks on the line in source order, `count` is the block's counter), with `BRF`/`BRH` per
//! file: genhtml, `lcov --summary` and Codecov then show it as partly covered when some of
//! its blocks did not run.

use std::fmt::Write;

use crate::escape;
use crate::model::Coverage;

#[derive(Debug, Clone, Default)]
pub struct LcovOptions {
    /// `TN:` value (test name); empty by default.
    pub test_name: String,
    /// Write `SF:` as the absolute path of the source when it is known.
    pub absolute_paths: bool,
}

pub fn render(cov: &Coverage, opts: &LcovOptions) -> String {
    let mut out = String::new();
    for (_, file) in cov.files() {
        let sf = match (&file.source, opts.absolute_paths) {
            (Some(abs), true) => abs.as_str(),
            _ => file.path.as_str(),
        };
        // Every name on a line of its own is escaped: no name can start a record.
        let _ = writeln!(out, "TN:{}", escape::line(&opts.test_name));
        let _ = writeln!(out, "SF:{}", escape::line(sf));
        for f in &file.functions {
            let _ = writeln!(out, "FN:{},{}", f.start_line, escape::line(&f.name));
        }
        for f in &file.functions {
            let _ = writeln!(out, "FNDA:{},{}", f.entries, escape::line(&f.name));
        }
        let hit_fns = file.functions.iter().filter(|f| f.entries != 0).count();
        let _ = writeln!(out, "FNF:{}", file.functions.len());
        let _ = writeln!(out, "FNH:{hit_fns}");
        let lines = file.line_coverage();
        let (mut found, mut hit) = (0, 0);
        for (line, c) in &lines {
            if let Some((taken, total)) = c.branches() {
                for (i, count) in c.blocks.iter().enumerate() {
                    let _ = writeln!(out, "BRDA:{line},0,{i},{count}");
                }
                found += total;
                hit += taken;
            }
        }
        if found != 0 {
            let _ = writeln!(out, "BRF:{found}");
            let _ = writeln!(out, "BRH:{hit}");
        }
        for (line, c) in &lines {
            let _ = writeln!(out, "DA:{line},{}", c.hits);
        }
        let _ = writeln!(out, "LF:{}", lines.len());
        let _ = writeln!(out, "LH:{}", lines.values().filter(|c| c.hits != 0).count());
        out.push_str("end_of_record\n");
    }
    out
}
