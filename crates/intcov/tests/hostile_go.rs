//! What Go's own `go tool covdata textfmt` and `intcov textfmt` do with the hostile files of
//! `crates/covdata/tests/hostile_cases` and with hostile directories, recorded as the table in
//! `crates/covdata/HOSTILE.md` and checked against it (`INTCOV_UPDATE_HOSTILE=1` rewrites it).
//!
//! Whatever Go does, ours must: exit 1 with one line naming the damaged file (and for a decoding
//! error the offset and field), or read it, and then print what Go prints; with `--skip-bad`
//! exit 3 (or 0) and never panic or hang.

#[path = "../../covdata/tests/hostile_cases/mod.rs"]
mod hostile_cases;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use hostile_cases::{cases, sample, tempdir, Kind, Sample};

type Files = Vec<(String, Vec<u8>)>;

/// One directory set to read, and the files at fault.
struct Scenario {
    name: String,
    dirs: Vec<Files>,
    culprit: Option<Culprit>,
}

/// The files at fault: in directory `dir`, those whose name starts with `prefix` (for a
/// meta-data file, with its program's counter files).
#[derive(Clone)]
struct Culprit {
    dir: usize,
    prefix: String,
}

impl Culprit {
    fn file(name: &str) -> Option<Self> {
        Some(Culprit {
            dir: 0,
            prefix: name.to_owned(),
        })
    }

    /// The directories without the files at fault.
    fn remove(&self, dirs: &[Files]) -> Vec<Files> {
        let program = self
            .prefix
            .strip_prefix("covmeta.")
            .map(|tag| format!("covcounters.{tag}."));
        dirs.iter()
            .enumerate()
            .map(|(i, files)| {
                files
                    .iter()
                    .filter(|(n, _)| {
                        i != self.dir
                            || !(n.starts_with(&self.prefix)
                                || program.as_ref().is_some_and(|p| n.starts_with(p)))
                    })
                    .cloned()
                    .collect()
            })
            .collect()
    }
}

fn with_file(files: &Files, name: &str, bytes: &[u8]) -> Files {
    let mut f = files.clone();
    for e in f.iter_mut().filter(|(n, _)| n == name) {
        e.1 = bytes.to_vec();
    }
    f
}

fn scenarios(s: &Sample) -> Vec<Scenario> {
    let mut out: Vec<Scenario> = cases(s)
        .into_iter()
        .map(|c| {
            let name = match c.kind {
                Kind::Meta => s.meta_name.clone(),
                Kind::Counters => s.counter_name.clone(),
            };
            Scenario {
                name: c.name,
                dirs: vec![with_file(&s.dir_files, &name, &c.bytes)],
                culprit: Culprit::file(&name),
            }
        })
        .collect();
    let tag = s.meta_name.strip_prefix("covmeta.").unwrap().to_owned();
    let (other_meta, _) = s
        .dir_files
        .iter()
        .find(|(n, _)| n.starts_with("covmeta.") && *n != s.meta_name)
        .unwrap();
    let other = other_meta.strip_prefix("covmeta.").unwrap().to_owned();
    let stranger = s
        .dir_files
        .iter()
        .find(|(n, _)| n.starts_with(&format!("covcounters.{other}.")))
        .unwrap()
        .clone();

    out.push(Scenario {
        name: "dir: counter files whose meta-data file is missing".into(),
        dirs: vec![s
            .dir_files
            .iter()
            .filter(|(n, _)| *n != s.meta_name)
            .cloned()
            .collect()],
        culprit: None,
    });
    let misfiled = format!("covcounters.{tag}.1.1");
    let mut d = s.dir_files.clone();
    d.push((misfiled.clone(), stranger.1.clone()));
    out.push(Scenario {
        name: "dir: another program's counter file renamed into this program".into(),
        dirs: vec![d],
        culprit: Culprit::file(&misfiled),
    });
    let mut m = s.meta.clone();
    m[30] ^= 1;
    out.push(Scenario {
        name: "dir: meta-data hash byte flipped, counter files present".into(),
        dirs: vec![with_file(&s.dir_files, &s.meta_name, &m)],
        culprit: Culprit::file(&s.meta_name),
    });
    out.push(Scenario {
        name: "dirs: two copies of every file (-i=a,b)".into(),
        dirs: vec![s.dir_files.clone(), s.dir_files.clone()],
        culprit: None,
    });
    let renamed: Files = s
        .dir_files
        .iter()
        .filter(|(n, _)| n.contains(&other))
        .map(|(n, b)| (n.replace(&other, &tag), b.clone()))
        .collect();
    out.push(Scenario {
        name: "dirs: a different program's files under this program's hash in b (-i=a,b)".into(),
        dirs: vec![s.dir_files.clone(), renamed],
        culprit: Some(Culprit {
            dir: 1,
            prefix: format!("covcounters.{tag}."),
        }),
    });
    let mut d = s.dir_files.clone();
    d.push((format!("fifo:covcounters.{tag}.5.5"), Vec::new()));
    out.push(Scenario {
        name: "dir: a FIFO named like a counter file".into(),
        dirs: vec![d],
        culprit: None,
    });
    let mut d = s.dir_files.clone();
    d.push(("covcounters.0123.1.1".into(), Vec::new()));
    d.push(("tmp.covcounters.x.1.1".into(), b"partial".to_vec()));
    out.push(Scenario {
        name: "dir: stray zero-length and temporary files (killed writers)".into(),
        dirs: vec![d],
        culprit: None,
    });
    out
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Exit 0 (or 3 for ours with --skip-bad) with this textfmt output, and stderr.
    Read {
        code: i32,
        output: String,
        stderr: String,
    },
    /// A clean failure: the exit code and the first line of stderr.
    Failed {
        code: i32,
        message: String,
    },
    Panicked(String),
    Hung,
}

const LIMIT: Duration = Duration::from_secs(10);

fn run(program: &Utf8Path, args: &[String], out: &Utf8Path) -> Outcome {
    let _ = std::fs::remove_file(out);
    let mut child = Command::new(program)
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Outcome::Hung;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stderr = reader.join().unwrap();
    let code = status.code().unwrap_or(-1);
    if let Some(p) = stderr.lines().find(|l| l.starts_with("panic: ")) {
        return Outcome::Panicked(p.to_owned());
    }
    if stderr.contains("panicked at") {
        return Outcome::Panicked(stderr.lines().next().unwrap_or("").to_owned());
    }
    match code {
        0 | 3 => Outcome::Read {
            code,
            output: std::fs::read_to_string(out).unwrap_or_default(),
            stderr,
        },
        _ => Outcome::Failed {
            code,
            message: stderr
                .lines()
                .find(|l| !l.starts_with("warning: "))
                .unwrap_or("")
                .to_owned(),
        },
    }
}

struct Tools {
    go_covdata: Utf8PathBuf,
    go_version: String,
    intcov: Utf8PathBuf,
}

fn tools() -> Tools {
    let go = testkit::go();
    let out = Command::new(&go.go)
        .args(["tool", "-n", "covdata"])
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(out.status.success(), "go tool -n covdata failed");
    Tools {
        go_covdata: Utf8PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()),
        go_version: go.version.clone(),
        intcov: Utf8PathBuf::from(env!("CARGO_BIN_EXE_intcov")),
    }
}

/// Write the scenario's directories under `root`; the `-i` value.
fn materialize(root: &Utf8Path, dirs: &[Files]) -> String {
    let _ = std::fs::remove_dir_all(root);
    let mut names = Vec::new();
    for (i, files) in dirs.iter().enumerate() {
        let d = root.join(["a", "b", "c"][i]);
        std::fs::create_dir_all(&d).unwrap();
        for (n, b) in files {
            match n.strip_prefix("fifo:") {
                Some(n) => {
                    let st = Command::new("mkfifo").arg(d.join(n)).status().unwrap();
                    assert!(st.success(), "mkfifo");
                }
                None => std::fs::write(d.join(n), b).unwrap(),
            }
        }
        names.push(d.to_string());
    }
    names.join(",")
}

struct Results {
    go: Outcome,
    ours: Outcome,
    skip: Outcome,
}

fn textfmt(program: &Utf8Path, root: &Utf8Path, dirs: &[Files], extra: &[&str]) -> Outcome {
    let input = materialize(&root.join("in"), dirs);
    let out = root.join("out.txt");
    let mut args = vec![
        "textfmt".to_owned(),
        format!("-i={input}"),
        format!("-o={out}"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    run(program, &args, &out)
}

fn run_all(t: &Tools, root: &Utf8Path, dirs: &[Files]) -> Results {
    Results {
        go: textfmt(&t.go_covdata, root, dirs, &[]),
        ours: textfmt(&t.intcov, root, dirs, &[]),
        skip: textfmt(&t.intcov, root, dirs, &["--skip-bad"]),
    }
}

/// What Go makes of the directories without the files at fault: what `--skip-bad` must give.
fn go_without(t: &Tools, root: &Utf8Path, dirs: &[Files], culprit: Option<&Culprit>) -> Outcome {
    match culprit {
        Some(c) => textfmt(&t.go_covdata, root, &c.remove(dirs), &[]),
        None => Outcome::Hung,
    }
}

/// Equal, but for the order of lines Go prints in map order (blocks of one position in two
/// functions, after a damaged name), which changes from run to run.
fn same_text(a: &str, b: &str) -> bool {
    fn sorted(t: &str) -> Vec<&str> {
        let mut v: Vec<&str> = t.lines().collect();
        v.sort_unstable();
        v
    }
    a == b || sorted(a) == sorted(b)
}

/// Our promises, whatever Go does.
fn check(what: &str, r: &Results, culprit: Option<&Culprit>, without: &Outcome) {
    match &r.ours {
        Outcome::Read {
            code: 0,
            output,
            stderr,
        } => {
            if let Outcome::Read {
                output: go,
                stderr: go_stderr,
                ..
            } = &r.go
            {
                assert!(
                    same_text(output, go),
                    "{what}: we read it and print other than Go"
                );
                // Saturation is announced as Go announces it.
                let overflow = |e: &str| e.contains("overflow");
                assert_eq!(overflow(stderr), overflow(go_stderr), "{what}: {stderr}");
            }
            assert!(
                matches!(&r.skip, Outcome::Read { code: 0, output: o, .. } if o == output),
                "{what}: --skip-bad {:?}",
                r.skip
            );
        }
        Outcome::Failed { code: 1, message } => {
            assert!(message.starts_with("error: "), "{what}: {message}");
            let c = culprit.unwrap_or_else(|| panic!("{what}: fails: {message}"));
            assert!(
                message.contains(&c.prefix),
                "{what}: does not name {}: {message}",
                c.prefix
            );
            let Outcome::Read { output: want, .. } = without else {
                panic!("{what}: Go fails without the bad file: {without:?}");
            };
            assert!(
                matches!(&r.skip, Outcome::Read { code: 3, output, .. } if same_text(output, want)),
                "{what}: --skip-bad must give what Go gives without the bad file: {:?}",
                r.skip
            );
        }
        other => panic!("{what}: intcov {other:?}"),
    }
}

/// Temp paths, hashes, pids and times out of a message; at most 110 characters.
fn redact(msg: &str, root: &Utf8Path, s: &Sample) -> String {
    let mut m = msg.replace(&format!("{root}/in/"), "");
    let tag = s.meta_name.strip_prefix("covmeta.").unwrap();
    m = m.replace(&s.counter_name, "covcounters.H.PID.T");
    m = m.replace(tag, "H");
    for (n, _) in &s.dir_files {
        if let Some(rest) = n.strip_prefix("covmeta.") {
            m = m.replace(rest, "H2");
        }
    }
    // Any other counter file of the program: covcounters.H.<pid>.<nanotime>.
    let mut rest = m.as_str();
    let mut out = String::new();
    while let Some(at) = rest.find("covcounters.H.") {
        let (head, tail) = rest.split_at(at + "covcounters.H.".len());
        out.push_str(head);
        let digits = |t: &str| t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let pid = digits(tail);
        match tail[pid..].strip_prefix('.') {
            Some(after) if pid > 0 && digits(after) > 0 => {
                out.push_str("PID.T");
                rest = &after[digits(after)..];
            }
            _ => rest = tail,
        }
    }
    out.push_str(rest);
    let m = out.replace('|', "\\|");
    if m.chars().count() > 110 {
        format!("{}…", m.chars().take(110).collect::<String>())
    } else {
        m
    }
}

fn describe(o: &Outcome, clean: &str, root: &Utf8Path, s: &Sample) -> String {
    match o {
        Outcome::Read { output, .. } => {
            if output == clean {
                "reads it; output as without the damage".to_owned()
            } else {
                let diff = output
                    .lines()
                    .zip(clean.lines())
                    .filter(|(a, b)| a != b)
                    .count()
                    + output.lines().count().abs_diff(clean.lines().count());
                format!("reads it; **{diff} lines differ** from the undamaged output")
            }
        }
        Outcome::Failed { code, message } => {
            format!("exit {code}: `{}`", redact(message, root, s))
        }
        Outcome::Panicked(p) => format!("**panics**: `{}`", redact(p, root, s)),
        Outcome::Hung => format!("**hangs** (killed after {}s)", LIMIT.as_secs()),
    }
}

/// Ours, once [`check`] has passed.
fn describe_ours(r: &Results, root: &Utf8Path, s: &Sample) -> [String; 2] {
    match &r.ours {
        Outcome::Failed { message, .. } => [
            format!("exit 1: `{}`", redact(message, root, s)),
            "exit 3; the rest as Go reads it without the bad file".to_owned(),
        ],
        _ => {
            let ours = match &r.go {
                Outcome::Read { .. } => "reads it, as Go",
                _ => "reads it",
            };
            [
                ours.to_owned(),
                "exit 0, as without `--skip-bad`".to_owned(),
            ]
        }
    }
}

#[derive(Default)]
struct Tally {
    errors: usize,
    panics: usize,
    same: usize,
    different: usize,
    hangs: usize,
}

impl Tally {
    fn add(&mut self, o: &Outcome, clean: &str) {
        match o {
            Outcome::Read { output, .. } if output == clean => self.same += 1,
            Outcome::Read { .. } => self.different += 1,
            Outcome::Failed { .. } => self.errors += 1,
            Outcome::Panicked(_) => self.panics += 1,
            Outcome::Hung => self.hangs += 1,
        }
    }

    fn show(&self) -> String {
        let mut parts = vec![format!("{} errors", self.errors)];
        if self.panics > 0 {
            parts.push(format!("**{} panics**", self.panics));
        }
        if self.hangs > 0 {
            parts.push(format!("**{} hangs**", self.hangs));
        }
        parts.push(format!("{} read as undamaged", self.same));
        if self.different > 0 {
            parts.push(format!("**{} read with different output**", self.different));
        }
        parts.join(", ")
    }
}

/// Every truncation and a one-bit flip at every offset of both sample files.
fn sweeps(t: &Tools, root: &Utf8Path, s: &Sample, clean: &str) -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    for (kind, name, bytes) in [
        ("meta-data", &s.meta_name, &s.meta),
        ("counter", &s.counter_name, &s.counters),
    ] {
        type Damage<'a> = (&'a str, Box<dyn Fn(usize) -> Vec<u8> + 'a>);
        let damages: [Damage<'_>; 2] = [
            ("cut at every offset", Box::new(|i| bytes[..i].to_vec())),
            (
                "one bit flipped at every offset",
                Box::new(|i| {
                    let mut b = bytes.clone();
                    b[i] ^= 0x01;
                    b
                }),
            ),
        ];
        for (label, damage) in damages {
            let culprit = Culprit::file(name);
            let without = go_without(
                t,
                root,
                std::slice::from_ref(&s.dir_files),
                culprit.as_ref(),
            );
            let mut go = Tally::default();
            let (mut errors, mut reads, mut go_fails) = (0, 0, 0);
            for i in 0..bytes.len() {
                let dirs = vec![with_file(&s.dir_files, name, &damage(i))];
                let r = run_all(t, root, &dirs);
                check(
                    &format!("{kind} file {label}: {i}"),
                    &r,
                    culprit.as_ref(),
                    &without,
                );
                go.add(&r.go, clean);
                match (&r.ours, &r.go) {
                    (Outcome::Failed { .. }, _) => errors += 1,
                    (_, Outcome::Read { .. }) => reads += 1,
                    _ => go_fails += 1,
                }
            }
            rows.push([
                format!("{kind} file ({} bytes): {label}", bytes.len()),
                go.show(),
                format!(
                    "{errors} errors naming the file, {reads} read as Go reads them{}",
                    if go_fails > 0 {
                        format!(", {go_fails} read where Go fails")
                    } else {
                        String::new()
                    }
                ),
                format!(
                    "{errors} exit 3 with the rest as Go reads it without the file, {} exit 0",
                    reads + go_fails
                ),
            ]);
        }
    }
    rows
}

const BEGIN: &str =
    "<!-- hostile table: begin (generated by crates/intcov/tests/hostile_go.rs) -->";
const END: &str = "<!-- hostile table: end -->";

#[test]
fn go_and_intcov_on_hostile_files() {
    let t = tools();
    let s = sample();
    let (_tmp, root) = tempdir();
    let clean = match run_all(&t, &root, std::slice::from_ref(&s.dir_files)).go {
        Outcome::Read { output, .. } => output,
        other => panic!("Go fails on the undamaged sample: {other:?}"),
    };
    let mut rows: Vec<[String; 4]> = Vec::new();
    for sc in scenarios(&s) {
        let r = run_all(&t, &root, &sc.dirs);
        let without = go_without(&t, &root, &sc.dirs, sc.culprit.as_ref());
        check(&sc.name, &r, sc.culprit.as_ref(), &without);
        let [ours, skip] = describe_ours(&r, &root, &s);
        rows.push([
            sc.name.clone(),
            describe(&r.go, &clean, &root, &s),
            ours,
            skip,
        ]);
    }
    rows.extend(sweeps(&t, &root, &s, &clean));

    let mut table = format!(
        "{BEGIN}\n\nSample: `{}` ({} bytes) and `{}` ({} bytes) of the clisuite fixture \
         (count mode), read with `-i=DIR` among the rest of its directory. \
         H is the sample's meta-data hash.\n\n\
         | damage | `go tool covdata textfmt` ({}) | `intcov textfmt` | `intcov textfmt --skip-bad` |\n\
         |---|---|---|---|\n",
        redact(&s.meta_name, &root, &s),
        s.meta.len(),
        redact(&s.counter_name, &root, &s),
        s.counters.len(),
        t.go_version,
    );
    for r in &rows {
        table.push_str(&format!("| {} | {} | {} | {} |\n", r[0], r[1], r[2], r[3]));
    }
    table.push('\n');
    table.push_str(END);

    let doc_path = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../covdata/HOSTILE.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_default();
    let current = match (doc.find(BEGIN), doc.find(END)) {
        (Some(b), Some(e)) => &doc[b..e + END.len()],
        _ => "",
    };
    if data_independent(current) == data_independent(&table) {
        return;
    }
    if std::env::var_os("INTCOV_UPDATE_HOSTILE").is_some() {
        let new = if current.is_empty() {
            format!("{doc}\n{table}\n")
        } else {
            doc.replace(current, &table)
        };
        std::fs::write(&doc_path, new).unwrap();
        return;
    }
    panic!(
        "{doc_path} is out of date; rerun with INTCOV_UPDATE_HOSTILE=1 to rewrite it. \
         Generated:\n{table}"
    );
}

/// The table with the tallies of the bit-flip sweeps masked. Which flips a reader notices depends
/// on the sample's bytes (its counts and the temporary path in its args), which differ from one
/// fresh fixture run to the next; every flip is still checked case by case above, and the table
/// is rewritten with the tallies of the run that wrote it.
fn data_independent(table: &str) -> String {
    table
        .lines()
        .map(|line| {
            if line.contains("bit flipped at every offset") {
                line.chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
