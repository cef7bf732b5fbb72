//! Counter files are merged on all threads, in contiguous runs joined in file order. Whatever
//! the files hold, the outcome must be that of reading them one after the other: the same
//! profile, the same warnings in the same order (a saturated count blames the file where the
//! running total saturated), the same first error. Each case is read with one thread (strictly
//! in order) and with several, and `merge` is run both ways too.

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::covdata::encode::CounterFileWriter;
use covmerge::covdata::{collect_pods, CounterFile, CounterFlavor, FileBytes, MetaHash};
use covmerge::ops::{self, Operation, Options};
use covmerge::{read_profile, ReadOptions};
use testkit::{covdata, fixture_names, go, CoverMode};

type Record = (u32, u32, Vec<u32>);

/// A pod's file-name tag and meta-data hash.
type Pair = (String, MetaHash);

/// How many counter files each case has: enough for several runs per thread.
const FILES: usize = 48;

/// A pod of the first fixture in count mode: its meta-data file and the records of its first
/// counter file.
fn sample() -> (testkit::CoverDir, Utf8PathBuf, Pair, Vec<Record>) {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Count);
    let pods = collect_pods(&[&data.path]).unwrap();
    let pod = &pods[0];
    let bytes = FileBytes::open(&pod.counter_files[0].path).unwrap();
    let file = CounterFile::parse(&bytes).unwrap();
    let records = file
        .first_segment()
        .unwrap()
        .funcs()
        .map(|r| {
            let r = r.unwrap();
            (r.pkg_idx, r.func_idx, r.counters.to_vec())
        })
        .collect();
    let meta = pod.meta_file.clone();
    let pair = (pod.tag.clone(), file.meta_hash());
    (data, meta, pair, records)
}

/// A directory with the meta-data file and FILES counter files, file `i` holding
/// `records_of(i)` (`None`: a damaged file).
fn pod_dir(
    meta: &Utf8Path,
    pair: &Pair,
    records_of: impl Fn(usize) -> Option<Vec<Record>>,
) -> (tempfile::TempDir, Utf8PathBuf) {
    pod_dir_with_args(meta, pair, records_of, |_| {
        vec![("argc", "1"), ("argv0", "prog"), ("GOOS", "linux")]
    })
}

/// [`pod_dir`] with file `i`'s args table `args_of(i)`.
fn pod_dir_with_args(
    meta: &Utf8Path,
    (tag, hash): &Pair,
    records_of: impl Fn(usize) -> Option<Vec<Record>>,
    args_of: impl Fn(usize) -> Vec<(&'static str, &'static str)>,
) -> (tempfile::TempDir, Utf8PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
    std::fs::copy(meta, dir.join(meta.file_name().unwrap())).unwrap();
    for i in 0..FILES {
        let mut w = CounterFileWriter::new(*hash, CounterFlavor::Uleb128);
        let records = records_of(i);
        let damaged = records.is_none();
        w.append_segment(args_of(i), records.unwrap_or_default())
            .unwrap();
        let mut bytes = w.finish();
        if damaged {
            bytes.truncate(bytes.len() - 3);
        }
        let name = format!(
            "covcounters.{tag}.{}.{}",
            1000 + i,
            1_700_000_000_000 + i as u64
        );
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    (tmp, dir)
}

/// What reading `dir` gives: textfmt output or the error, and the warnings.
fn read(dir: &Utf8Path, threads: usize) -> (Result<Vec<u8>, String>, Vec<String>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut warnings = Vec::new();
        let result = read_profile(&[dir], &ReadOptions::default(), &mut |w| {
            warnings.push(w.to_string())
        })
        .map_err(|e| e.to_string())
        .map(|p| {
            let mut out = Vec::new();
            covmerge::profile::gofmt::emit_textual(&p.unwrap(), &mut out).unwrap();
            out
        });
        (result, warnings)
    })
}

/// What `merge` gives: the merged directory read back (or the error), and the warnings.
fn merge(dir: &Utf8Path, threads: usize) -> (Result<Vec<u8>, String>, Vec<String>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
    pool.install(|| {
        match ops::run(
            &[dir],
            &out,
            &Options::new(Operation::Merge { pcombine: false }),
        ) {
            Ok(outcome) => {
                let mut warnings: Vec<String> =
                    outcome.warnings.iter().map(|w| w.to_string()).collect();
                // The merged counter file's args, as one more line to compare.
                let pods = collect_pods(&[&out]).unwrap();
                let bytes = FileBytes::open(&pods[0].counter_files[0].path).unwrap();
                let file = CounterFile::parse(&bytes).unwrap();
                warnings.push(format!("args {:?}", file.first_segment().unwrap().args()));
                (read(&out, 1).0, warnings)
            }
            Err(e) => (Err(e.to_string()), Vec::new()),
        }
    })
}

fn same_both_ways(dir: &Utf8Path) -> (Result<Vec<u8>, String>, Vec<String>) {
    let one = read(dir, 1);
    for threads in [2, 3, 8] {
        assert_eq!(read(dir, threads), one, "read with {threads} threads");
    }
    let merged = merge(dir, 1);
    for threads in [2, 8] {
        assert_eq!(merge(dir, threads), merged, "merge with {threads} threads");
    }
    one
}

#[test]
fn saturation_in_a_later_run_blames_the_file_where_the_total_saturated() {
    let (_data, meta, pair, records) = sample();
    // Each file adds a thirtieth of the range: the total saturates at file 30 (numbered from
    // 0), in the middle of a run that, read alone, saturates nothing.
    let (_tmp, dir) = pod_dir(&meta, &pair, |_| {
        Some(
            records
                .iter()
                .map(|(p, f, c)| {
                    let c = c.iter().map(|&v| if v != 0 { u32::MAX / 30 } else { 0 });
                    (*p, *f, c.collect())
                })
                .collect(),
        )
    });
    let (result, warnings) = same_both_ways(&dir);
    assert!(result.is_ok());
    assert_eq!(warnings.len(), FILES - 30, "{warnings:#?}");
    assert!(warnings[0].contains(".1030."), "{warnings:#?}");
}

#[test]
fn counter_count_clash_in_a_later_run_is_the_first_one_in_file_order() {
    let (_data, meta, pair, records) = sample();
    let (_tmp, dir) = pod_dir(&meta, &pair, |i| {
        let mut r = records.clone();
        if i == 33 || i == 40 {
            r[0].2.push(1);
        }
        if i == 40 {
            r[0].2.push(1);
        }
        Some(r)
    });
    let (result, _) = same_both_ways(&dir);
    assert!(result.unwrap_err().contains(".1033."));
}

#[test]
fn damaged_file_after_strays_keeps_the_warnings_before_it() {
    let (_data, meta, pair, records) = sample();
    let (_tmp, dir) = pod_dir(&meta, &pair, |i| {
        let mut r = records.clone();
        if i == 5 || i == 20 {
            r.push((9999, 0, vec![1]));
        }
        (i != 41).then_some(r)
    });
    let (result, warnings) = same_both_ways(&dir);
    assert!(result.unwrap_err().contains(".1041."));
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
}

#[test]
fn clean_data_is_read_in_parallel_the_same() {
    let (_data, meta, pair, records) = sample();
    let (_tmp, dir) = pod_dir(&meta, &pair, |i| {
        // Each file has a different subset of the functions.
        Some(
            records
                .iter()
                .enumerate()
                .filter(|(k, _)| (k + i) % 3 != 0)
                .map(|(_, r)| r.clone())
                .collect(),
        )
    });
    let (result, warnings) = same_both_ways(&dir);
    assert!(result.is_ok());
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn args_kept_only_where_every_file_agreed() {
    let (_data, meta, pair, records) = sample();
    type Args = Vec<(&'static str, &'static str)>;
    let base: Args = vec![("argc", "1"), ("argv0", "prog"), ("GOOS", "linux")];
    let cases: Vec<Box<dyn Fn(usize) -> Args>> = vec![
        Box::new(|_| base.clone()),
        // one file of a later run has other os.Args
        Box::new(|i| {
            if i == 35 {
                vec![("argc", "1"), ("argv0", "other"), ("GOOS", "linux")]
            } else {
                base.clone()
            }
        }),
        // one file has another GOOS, one none at all
        Box::new(|i| match i {
            30 => vec![("argc", "1"), ("argv0", "prog"), ("GOOS", "darwin")],
            44 => vec![("argc", "1"), ("argv0", "prog")],
            _ => base.clone(),
        }),
        // the first file has os.Args, every other none: cleared, then empty lists agree with
        // the cleared one
        Box::new(|i| {
            if i == 0 {
                base.clone()
            } else {
                vec![("GOOS", "linux")]
            }
        }),
        // no file has os.Args
        Box::new(|_| vec![("GOOS", "linux"), ("GOARCH", "amd64")]),
        // os.Args differ only in the second half
        Box::new(|i| {
            if i < FILES / 2 {
                base.clone()
            } else {
                vec![
                    ("argc", "2"),
                    ("argv0", "prog"),
                    ("argv1", "x"),
                    ("GOOS", "linux"),
                ]
            }
        }),
    ];
    let mut outcomes = Vec::new();
    for (n, args_of) in cases.iter().enumerate() {
        let (_tmp, dir) = pod_dir_with_args(&meta, &pair, |_| Some(records.clone()), args_of);
        let one = merge(&dir, 1);
        for threads in [2, 3, 8] {
            assert_eq!(merge(&dir, threads), one, "case {n}, {threads} threads");
        }
        outcomes.push(one.1.last().cloned().unwrap_or_default());
    }
    // The cases do exercise both outcomes.
    assert!(outcomes[0].contains("argv0"), "{outcomes:#?}");
    assert!(!outcomes[1].contains("argv0"), "{outcomes:#?}");
    assert!(!outcomes[2].contains("GOOS"), "{outcomes:#?}");
}
