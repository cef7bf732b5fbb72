//! Emitters whose bytes equal those of Go's `internal/coverage/cformat` as `go tool covdata`
//! drives it: `textfmt` ([`emit_textual`]), `percent` ([`emit_percent`]), `func`
//! ([`emit_funcs`], aligned by a port of `text/tabwriter`) and `pkglist` ([`emit_pkglist`]).
//!
//! Percentages are formatted with Rust's `{:.1}`, which, like Go's `%.1f`, rounds the exact
//! binary value half to even.

use std::io::{self, Write};

use rayon::prelude::*;

use crate::{PackageCoverage, Profile};

/// `mode: <mode>` then one `file:l.c,l.c stmts count` line per unit, packages by import path and
/// units by position (`EmitTextual`).
pub fn emit_textual(profile: &Profile, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(format!("mode: {}\n", profile.mode()).as_bytes())?;
    let packages: Vec<&PackageCoverage> = profile.packages().values().collect();
    let batches = batches(&packages);
    // Inside the pool (or without one) waiting for the pool's work could deadlock: format
    // here, one batch at a time.
    if rayon::current_thread_index().is_some() || rayon::current_num_threads() < 2 {
        let mut buf = Vec::new();
        for batch in &batches {
            buf.clear();
            batch_lines(&packages, batch, &mut buf);
            w.write_all(&buf)?;
        }
        return w.flush();
    }
    emit_batches_in_parallel(&packages, &batches, w)?;
    w.flush()
}

/// Units of one batch: packages from `packages.start` up to `packages.end`, the first of them
/// from unit `first_unit` on and the last up to unit `last_units` (`None`: all of them).
#[derive(Clone, Debug, PartialEq)]
struct Batch {
    packages: std::ops::Range<usize>,
    first_unit: usize,
    last_units: Option<usize>,
}

/// Runs of about [`BATCH_UNITS`] units (some 64 KiB of textfmt output) each. A package already
/// in output order is split across batches, so that one package of a million functions is
/// not formatted into one buffer of its whole output.
fn batches(packages: &[&PackageCoverage]) -> Vec<Batch> {
    let mut out = Vec::new();
    let (mut start, mut first_unit, mut units) = (0, 0, 0);
    for (i, pkg) in packages.iter().enumerate() {
        let n = pkg.num_units();
        let mut at = if i == start { first_unit } else { 0 };
        if pkg.units_in_order().is_some() {
            while n - at > BATCH_UNITS - units {
                let end = at + (BATCH_UNITS - units);
                out.push(Batch {
                    packages: start..i + 1,
                    first_unit,
                    last_units: Some(end),
                });
                (start, first_unit, units, at) = (i, end, 0, end);
            }
        }
        units += n - at;
        if units >= BATCH_UNITS {
            out.push(Batch {
                packages: start..i + 1,
                first_unit,
                last_units: None,
            });
            (start, first_unit, units) = (i + 1, 0, 0);
        }
    }
    if start < packages.len() {
        out.push(Batch {
            packages: start..packages.len(),
            first_unit,
            last_units: None,
        });
    }
    out
}

const BATCH_UNITS: usize = 1500;

/// Append the textfmt lines of `batch` to `out`.
fn batch_lines(packages: &[&PackageCoverage], batch: &Batch, out: &mut Vec<u8>) {
    let last = batch.packages.end - 1;
    for i in batch.packages.clone() {
        let from = if i == batch.packages.start {
            batch.first_unit
        } else {
            0
        };
        let to = if i == last { batch.last_units } else { None };
        textual_lines(packages[i], from, to, out);
    }
}

/// The pool's threads format the batches (taking them in order, each into a recycled
/// buffer) while this thread writes the finished ones in order: writing overlaps formatting,
/// and memory stays a few batches' worth.
fn emit_batches_in_parallel(
    packages: &[&PackageCoverage],
    batches: &[Batch],
    w: &mut dyn Write,
) -> io::Result<()> {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{mpsc, Mutex};

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let free: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let (tx, rx) = mpsc::channel::<(usize, Vec<u8>)>();
    let mut result = Ok(());
    rayon::in_place_scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            let tx = tx.clone();
            let (next, stop, free) = (&next, &stop, &free);
            scope.spawn(move |_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= batches.len() || stop.load(Ordering::Relaxed) {
                    break;
                }
                let mut buf = free
                    .lock()
                    .ok()
                    .and_then(|mut f| f.pop())
                    .unwrap_or_default();
                buf.clear();
                batch_lines(packages, &batches[i], &mut buf);
                if tx.send((i, buf)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = 0;
        for (i, buf) in rx {
            pending.insert(i, buf);
            while let Some(buf) = pending.remove(&want) {
                if result.is_ok() {
                    result = w.write_all(&buf);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                if let Ok(mut f) = free.lock() {
                    f.push(buf);
                }
                want += 1;
            }
        }
    });
    result
}

/// Append the textfmt lines of a package's sorted units `from..to` (`None`: to the end) to `out`.
fn textual_lines(pkg: &PackageCoverage, from: usize, to: Option<usize>, out: &mut Vec<u8>) {
    let functions = pkg.functions();
    let all = pkg.sorted_units_cow();
    let units = &all[from..to.unwrap_or(all.len())];
    // Room made once: the file name, and at most 67 bytes for the rest of a line.
    let size: usize = units
        .iter()
        .map(|&(f, _, _)| functions[f as usize].file.len() + 67)
        .sum();
    out.reserve(size);
    for &(f, u, count) in units.iter() {
        out.extend_from_slice(functions[f as usize].file.as_bytes());
        let mut line = Line::default();
        line.byte(b':');
        line.number(u.start_line);
        line.byte(b'.');
        line.number(u.start_col);
        line.byte(b',');
        line.number(u.end_line);
        line.byte(b'.');
        line.number(u.end_col);
        line.byte(b' ');
        line.number(u.num_stmts);
        line.byte(b' ');
        line.number(count);
        line.byte(b'\n');
        out.extend_from_slice(line.bytes());
    }
}

/// The part of a textfmt line after the file name, built on the stack and appended at once.
struct Line {
    buf: [u8; 72],
    len: usize,
}

impl Default for Line {
    fn default() -> Self {
        Line {
            buf: [0; 72],
            len: 0,
        }
    }
}

impl Line {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Decimal digits of `v`, two at a time.
    #[inline(always)]
    fn number(&mut self, mut v: u32) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let n = digits(v);
        let end = self.len + n;
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return;
        };
        let mut i = n;
        while i >= 2 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            dst[i - 2..i].copy_from_slice(&PAIRS[pair..pair + 2]);
            i -= 2;
        }
        if i == 1 {
            dst[0] = b'0' + v as u8;
        }
        self.len = end;
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The number of decimal digits of `v`.
#[inline(always)]
fn digits(v: u32) -> usize {
    let mut n = 1;
    let mut limit = 10u64;
    while u64::from(v) >= limit {
        n += 1;
        limit *= 10;
    }
    n
}

/// Per-package coverage as `go tool covdata percent` prints it:
/// `\t<pkg>\t\tcoverage: 69.2% of statements\n`, and for a package without statements only
/// `\t<pkg>\t\t` (no newline, as Go prints it).
pub fn emit_percent(profile: &Profile, w: &mut dyn Write) -> io::Result<()> {
    emit_percent_with(profile, &[], "", false, false, w)
}

/// Go's `EmitPercent` with all its knobs: `pkgs` selects packages (empty: all), `in_pkgs` is
/// appended after "of statements", `note_empty` prints `coverage: [no statements]`, and
/// `aggregate` prints one line for all selected packages (what `go test -cover` prints).
pub fn emit_percent_with(
    profile: &Profile,
    pkgs: &[&str],
    in_pkgs: &str,
    note_empty: bool,
    aggregate: bool,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(w);
    let mut selected: Vec<&str> = if pkgs.is_empty() {
        profile.packages().keys().map(String::as_str).collect()
    } else {
        pkgs.to_vec()
    };
    selected.sort_unstable();
    let report = |out: &mut dyn Write, covered: u64, total: u64| -> io::Result<()> {
        if total != 0 {
            writeln!(
                out,
                "coverage: {:.1}% of statements{in_pkgs}",
                percent(covered, total)
            )
        } else if note_empty {
            writeln!(out, "coverage: [no statements]")
        } else {
            Ok(())
        }
    };
    let (mut total, mut covered) = (0u64, 0u64);
    for path in selected {
        let Some(pkg) = profile.packages().get(path) else {
            continue;
        };
        if !aggregate {
            (total, covered) = (0, 0);
        }
        for (_, unit, count) in pkg.units() {
            total += u64::from(unit.num_stmts);
            if count != 0 {
                covered += u64::from(unit.num_stmts);
            }
        }
        if !aggregate {
            write!(out, "\t{path}\t\t")?;
            report(&mut out, covered, total)?;
        }
    }
    if aggregate {
        report(&mut out, covered, total)?;
    }
    out.flush()
}

/// Per-function coverage then the total, as `go tool covdata func` prints it (`EmitFuncs`).
///
/// Function literals get no line of their own but count in the total; as in Go, a function's
/// line covers the sorted units from its first one until a unit of a differently named
/// function, so a closure splits its enclosing function.
pub fn emit_funcs(profile: &Profile, w: &mut dyn Write) -> io::Result<()> {
    // Each package's lines and statement totals are worked out in parallel; the tab writer
    // then aligns them all together, as one block.
    let packages: Vec<&PackageCoverage> = profile.packages().values().collect();
    let parts: Vec<(Vec<u8>, u64, u64)> = packages.par_iter().map(|pkg| func_lines(pkg)).collect();
    let mut tw = TabWriter::new(io::BufWriter::new(w), 1, 8, 1, b'\t');
    let (mut all_stmts, mut cov_stmts) = (0u64, 0u64);
    for (text, total, covered) in parts {
        tw.write_all(&text)?;
        all_stmts += total;
        cov_stmts += covered;
    }
    writeln!(
        tw,
        "total\t(statements)\t{:.1}%",
        percent(cov_stmts, all_stmts.max(1))
    )?;
    tw.flush()?;
    tw.into_inner().flush()
}

/// One package's lines of `func` output, and its (total, covered) statements.
fn func_lines(pkg: &PackageCoverage) -> (Vec<u8>, u64, u64) {
    let mut text = Vec::new();
    let (mut all_stmts, mut cov_stmts) = (0u64, 0u64);
    if pkg.is_empty() {
        return (text, 0, 0);
    }
    let functions = pkg.functions();
    let mut current: Option<(usize, u32)> = None; // (function index, first line)
    let (mut covered, mut total) = (0u64, 0u64);
    let mut emit = |current: (usize, u32), covered: u64, total: u64| {
        let f = &functions[current.0];
        if !f.literal {
            // Writing to a Vec cannot fail.
            let _ = writeln!(
                text,
                "{}:{}:\t{}\t{:.1}%",
                f.file,
                current.1,
                f.name,
                percent(covered, total.max(1))
            );
        }
        all_stmts += total;
        cov_stmts += covered;
    };
    for &(fidx, unit, count) in pkg.sorted_units_cow().iter() {
        let fidx = fidx as usize;
        match current {
            None => current = Some((fidx, unit.start_line)),
            Some(cur) if functions[cur.0].name != functions[fidx].name => {
                emit(cur, covered, total);
                (covered, total) = (0, 0);
                current = Some((fidx, unit.start_line));
            }
            Some(_) => {}
        }
        total += u64::from(unit.num_stmts);
        if count != 0 {
            covered += u64::from(unit.num_stmts);
        }
    }
    if let Some(cur) = current {
        emit(cur, covered, total);
    }
    (text, all_stmts, cov_stmts)
}

/// The import paths of the profile's packages, sorted, one per line (`pkglist`).
pub fn emit_pkglist(profile: &Profile, w: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(w);
    for path in profile.packages().keys() {
        writeln!(out, "{path}")?;
    }
    out.flush()
}

/// `100.0*float64(covered)/float64(total)`, evaluated in Go's order.
fn percent(covered: u64, total: u64) -> f64 {
    100.0 * covered as f64 / total as f64
}

/// `n` copies of `byte`, in few writes.
fn write_repeated(out: &mut impl Write, byte: u8, mut n: usize) -> io::Result<()> {
    let chunk = [byte; 32];
    while n > 0 {
        let k = n.min(chunk.len());
        out.write_all(&chunk[..k])?;
        n -= k;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    /// Bytes of text in `buf`.
    size: usize,
    /// Width in runes.
    width: usize,
    /// Terminated by a tab (as opposed to `\v`, a line end, or nothing).
    htab: bool,
}

/// A port of Go's `text/tabwriter.Writer` for the flags cformat uses (none): cells end at `\t`
/// or `\v`, lines at `\n` or `\f`; a column block is a run of consecutive lines that have a
/// cell in that column, padded to its widest cell plus `padding`. With `padchar` `\t` the
/// padding is tabs, cell widths rounded up to multiples of `tabwidth`. (Go's `0xff` escapes
/// are not interpreted: that byte never occurs in the UTF-8 text written here.)
pub struct TabWriter<W: Write> {
    out: W,
    minwidth: usize,
    tabwidth: usize,
    padding: usize,
    padchar: u8,
    buf: Vec<u8>,
    /// `buf` position up to which the current cell's width has been counted.
    pos: usize,
    cell: Cell,
    /// The buffered lines' terminated cells, one after the other (no vector per line).
    cells: Vec<Cell>,
    /// Where each buffered line's cells start in `cells`; the last is the current line.
    line_starts: Vec<usize>,
    widths: Vec<usize>,
}

impl<W: Write> TabWriter<W> {
    pub fn new(out: W, minwidth: usize, tabwidth: usize, padding: usize, padchar: u8) -> Self {
        TabWriter {
            out,
            minwidth,
            tabwidth,
            padding,
            padchar,
            buf: Vec::new(),
            pos: 0,
            cell: Cell::default(),
            cells: Vec::new(),
            line_starts: vec![0],
            widths: Vec::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.cell = Cell::default();
        self.cells.clear();
        self.line_starts.clear();
        self.line_starts.push(0);
        self.widths.clear();
    }

    fn num_lines(&self) -> usize {
        self.line_starts.len()
    }

    /// Line `i`'s cells.
    fn line(&self, i: usize) -> &[Cell] {
        let end = self
            .line_starts
            .get(i + 1)
            .copied()
            .unwrap_or(self.cells.len());
        &self.cells[self.line_starts[i]..end]
    }

    fn update_width(&mut self) {
        // utf8.RuneCount: every byte that does not continue a sequence starts a rune.
        self.cell.width += self.buf[self.pos..]
            .iter()
            .filter(|&&b| (b & 0xc0) != 0x80)
            .count();
        self.pos = self.buf.len();
    }

    fn terminate_cell(&mut self, htab: bool) -> usize {
        self.cell.htab = htab;
        self.cells.push(self.cell);
        self.cell = Cell::default();
        let start = *self
            .line_starts
            .last()
            .expect("there is always a current line");
        self.cells.len() - start
    }

    fn write_padding(&mut self, textw: usize, cellw: usize) -> io::Result<()> {
        if self.padchar == b'\t' {
            if self.tabwidth == 0 {
                return Ok(());
            }
            let cellw = cellw.div_ceil(self.tabwidth) * self.tabwidth;
            let n = cellw.saturating_sub(textw);
            return write_repeated(&mut self.out, b'\t', n.div_ceil(self.tabwidth));
        }
        write_repeated(&mut self.out, self.padchar, cellw.saturating_sub(textw))
    }

    fn write_lines(&mut self, mut pos: usize, line0: usize, line1: usize) -> io::Result<usize> {
        for i in line0..line1 {
            for j in 0..self.line(i).len() {
                let c = self.line(i)[j];
                if c.size > 0 {
                    self.out.write_all(&self.buf[pos..pos + c.size])?;
                    pos += c.size;
                }
                if j < self.widths.len() {
                    self.write_padding(c.width, self.widths[j])?;
                }
            }
            if i + 1 == self.num_lines() {
                // The last buffered line holds the incomplete cell.
                let end = pos + self.cell.size;
                self.out.write_all(&self.buf[pos..end])?;
                pos = end;
            } else {
                self.out.write_all(b"\n")?;
            }
        }
        Ok(pos)
    }

    /// Lay out lines `line0..line1` for the column `self.widths.len()`, recursively.
    fn format(&mut self, mut pos: usize, mut line0: usize, line1: usize) -> io::Result<usize> {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.line(this).len() {
                this += 1;
                continue;
            }
            // A block of lines with a cell in this column starts here.
            pos = self.write_lines(pos, line0, this)?;
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 {
                let line = self.line(this);
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].width + self.padding);
                this += 1;
            }
            self.widths.push(width);
            pos = self.format(pos, line0, this)?;
            self.widths.pop();
            line0 = this;
            // Go's loop increment skips the line that ended the block; it has no cell here.
            this += 1;
        }
        self.write_lines(pos, line0, line1)
    }

    fn flush_buffered(&mut self) -> io::Result<()> {
        if self.cell.size > 0 {
            self.terminate_cell(false);
        }
        let n = self.num_lines();
        let result = self.format(0, 0, n);
        self.reset();
        result.map(|_| ())
    }
}

impl<W: Write> Write for TabWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut n = 0;
        for (i, &ch) in data.iter().enumerate() {
            if matches!(ch, b'\t' | b'\x0b' | b'\n' | b'\x0c') {
                self.buf.extend_from_slice(&data[n..i]);
                self.cell.size += i - n;
                self.update_width();
                n = i + 1;
                let ncells = self.terminate_cell(ch == b'\t');
                if ch == b'\n' || ch == b'\x0c' {
                    self.line_starts.push(self.cells.len());
                    if ch == b'\x0c' || ncells == 1 {
                        // A line without tabs ends every column block: flush early as Go does.
                        self.flush_buffered()?;
                    }
                }
            }
        }
        self.buf.extend_from_slice(&data[n..]);
        self.cell.size += data.len() - n;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buffered()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(input: &str) -> String {
        let mut tw = TabWriter::new(Vec::new(), 1, 8, 1, b'\t');
        tw.write_all(input.as_bytes()).unwrap();
        tw.flush().unwrap();
        String::from_utf8(tw.into_inner()).unwrap()
    }

    #[test]
    fn line_numbers_as_fmt_writes_them() {
        let mut probes: Vec<u32> = vec![0, 1, 9, 10, 99, 100, 999, 1000, u32::MAX - 1, u32::MAX];
        for d in 1..10 {
            let p = 10u32.pow(d);
            probes.extend([p - 1, p, p + 1]);
        }
        let mut x = 0x9e37_79b9u32;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            probes.push(x >> (x % 32));
        }
        for w in probes.chunks(6) {
            let mut line = Line::default();
            for (i, &v) in w.iter().enumerate() {
                line.byte(b":.,. \n"[i]);
                line.number(v);
            }
            let want: String = w
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{}{v}", ":.,. \n".as_bytes()[i] as char))
                .collect();
            assert_eq!(std::str::from_utf8(line.bytes()).unwrap(), want);
        }
        // The longest line fits.
        let mut line = Line::default();
        line.byte(b':');
        for _ in 0..6 {
            line.number(u32::MAX);
            line.byte(b' ');
        }
        assert_eq!(line.bytes().len(), 1 + 6 * 11);
    }

    /// A profile of `n` packages of varied sizes.
    fn many_packages(n: usize) -> Profile {
        let mut p = Profile::new(crate::CounterMode::Count);
        for i in 0..n {
            let f = crate::Function {
                file: format!("example.com/p{i}/f.go"),
                name: format!("F{i}"),
                literal: false,
            };
            for k in 0..(i * 37 % 400) as u32 {
                let unit = crate::Unit {
                    start_line: 1000 - k,
                    start_col: k % 7,
                    end_line: 1000 - k,
                    end_col: 80,
                    num_stmts: k % 3,
                };
                p.add_unit(&format!("example.com/p{i}"), &f, unit, k * 1_000_003);
            }
        }
        p
    }

    #[test]
    fn textual_the_same_formatted_in_parallel_or_in_turn() {
        let p = many_packages(300);
        // From inside a pool: one batch after the other on the calling thread.
        let in_pool = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            pool.install(|| emit_textual(&p, &mut out)).unwrap();
            out
        };
        let want = in_pool(1);
        assert!(want.len() > 1 << 20, "several batches");
        assert!(want.starts_with(b"mode: count\nexample.com/p1/f.go:"));
        assert!(in_pool(3) == want);
        // From outside: batches formatted on the global pool, written in order.
        for _ in 0..5 {
            let mut out = Vec::new();
            emit_textual(&p, &mut out).unwrap();
            assert!(out == want);
        }
    }

    /// Packages read from binary data (units already in order), of sizes around the batch size.
    fn sorted_packages() -> Profile {
        let mut p = Profile::new(crate::CounterMode::Count);
        for (i, n) in [0u32, 1, 1499, 1500, 1501, 7, 4000, 2999, 3001, 10]
            .iter()
            .enumerate()
        {
            let file = format!("example.com/s{i}/f.go");
            let names: Vec<String> = (0..*n).map(|k| format!("F{k}")).collect();
            let funcs: Vec<crate::FunctionRef<'_>> = names
                .iter()
                .map(|name| crate::FunctionRef {
                    file: &file,
                    name,
                    literal: false,
                })
                .collect();
            let units = (0..*n)
                .map(|k| {
                    let unit = crate::Unit {
                        start_line: k + 1,
                        start_col: 2,
                        end_line: k + 1,
                        end_col: 9,
                        num_stmts: 1,
                    };
                    (k, unit, k % 5)
                })
                .collect();
            let pkg = PackageCoverage::from_parts(crate::CounterMode::Count, &funcs, units);
            p.put_package(format!("example.com/s{i}"), pkg);
        }
        p
    }

    #[test]
    fn batches_split_sorted_packages_and_cover_each_unit_once() {
        let p = sorted_packages();
        let packages: Vec<&PackageCoverage> = p.packages().values().collect();
        let mut seen = Vec::new();
        for b in batches(&packages) {
            let mut in_batch = 0;
            for i in b.packages.clone() {
                let from = if i == b.packages.start {
                    b.first_unit
                } else {
                    0
                };
                let to = match b.last_units {
                    Some(end) if i == b.packages.end - 1 => end,
                    _ => packages[i].num_units(),
                };
                in_batch += to - from;
                seen.extend((from..to).map(|u| (i, u)));
            }
            assert!(in_batch <= BATCH_UNITS, "{b:?} holds {in_batch} units");
        }
        let want: Vec<(usize, usize)> = packages
            .iter()
            .enumerate()
            .flat_map(|(i, pkg)| (0..pkg.num_units()).map(move |u| (i, u)))
            .collect();
        assert_eq!(seen, want);
        // And the bytes are those of formatting each package whole, in turn.
        let mut whole = b"mode: count\n".to_vec();
        for pkg in &packages {
            textual_lines(pkg, 0, None, &mut whole);
        }
        let mut out = Vec::new();
        emit_textual(&p, &mut out).unwrap();
        assert!(out == whole);
    }

    /// A writer that fails once it has taken `left` bytes.
    struct Failing {
        left: usize,
    }

    impl Write for Failing {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = b.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn textual_write_error_is_returned() {
        let p = many_packages(300);
        for left in [0, 10, 100_000, 2_000_000] {
            let err = emit_textual(&p, &mut Failing { left }).unwrap_err();
            assert_eq!(err.to_string(), "disk full");
        }
    }

    #[test]
    fn tabwriter_matches_go() {
        // Outputs of Go's tabwriter.NewWriter(w, 1, 8, 1, '\t', 0) on the same input.
        assert_eq!(
            tab("a:1:\tf\t100.0%\nlonger/file.go:12:\tfunction\t0.0%\ntotal\t(statements)\t50.0%\n"),
            "a:1:\t\t\tf\t\t100.0%\nlonger/file.go:12:\tfunction\t0.0%\ntotal\t\t\t(statements)\t50.0%\n"
        );
        assert_eq!(tab("x\ty\n\nab\tc\n"), "x\ty\n\nab\tc\n");
        assert_eq!(
            tab("1234567\tx\n12345678\ty\n"),
            "1234567\t\tx\n12345678\ty\n"
        );
        assert_eq!(
            tab("é\tx\nno newline\tat end"),
            "é\t\tx\nno newline\tat end"
        );
    }
}
