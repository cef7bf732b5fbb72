//! Counter files in every layout Go's reader accepts: the runtime writes ULEB128 payloads, but
//! raw little- and big-endian payloads and files with several segments are part of the format.
//! Real counter files are rewritten in each layout; `go tool covdata` (the oracle) and intcov
//! must agree on them.

use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use covmerge::covdata::{collect_pods, CounterFile, FileBytes};
use covmerge::{read_profile, ModePolicy, ReadOptions};
use testkit::{covdata, fixture_names, go, CoverMode};

type Record = (u32, u32, Vec<u32>);

struct Seg {
    args: Vec<(Vec<u8>, Vec<u8>)>,
    records: Vec<Record>,
}

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Write a counter file by hand (independently of the crate's encoder), in `flavor` 1 (raw) or
/// 2 (ULEB128), raw values in the byte order asked for.
fn write_counter_file(hash: [u8; 16], flavor: u8, big_endian: bool, segs: &[Seg]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"\x00cwm");
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&hash);
    out.push(flavor);
    out.push(u8::from(big_endian));
    out.extend_from_slice(&[0; 6]);
    for (n, seg) in segs.iter().enumerate() {
        let mut strs: Vec<&[u8]> = vec![b""];
        for (k, v) in &seg.args {
            for s in [k, v] {
                if !strs.contains(&s.as_slice()) {
                    strs.push(s);
                }
            }
        }
        let mut strtab = Vec::new();
        uleb(&mut strtab, strs.len() as u64);
        for s in &strs {
            uleb(&mut strtab, s.len() as u64);
            strtab.extend_from_slice(s);
        }
        let mut args = Vec::new();
        uleb(&mut args, seg.args.len() as u64);
        for (k, v) in &seg.args {
            for s in [k, v] {
                let idx = strs.iter().position(|x| *x == s.as_slice()).unwrap();
                uleb(&mut args, idx as u64);
            }
        }
        let preamble = 16 + strtab.len() + args.len();
        args.resize(args.len() + (4 - preamble % 4) % 4, 0);
        out.extend_from_slice(&(seg.records.len() as u64).to_le_bytes());
        out.extend_from_slice(&(strtab.len() as u32).to_le_bytes());
        out.extend_from_slice(&(args.len() as u32).to_le_bytes());
        out.extend_from_slice(&strtab);
        out.extend_from_slice(&args);
        let value = |out: &mut Vec<u8>, v: u32| match (flavor, big_endian) {
            (2, _) => uleb(out, v.into()),
            (_, true) => out.extend_from_slice(&v.to_be_bytes()),
            (_, false) => out.extend_from_slice(&v.to_le_bytes()),
        };
        for (pkg, func, counters) in &seg.records {
            value(&mut out, counters.len() as u32);
            value(&mut out, *pkg);
            value(&mut out, *func);
            for &c in counters {
                value(&mut out, c);
            }
        }
        out.extend_from_slice(b"\x00cwm");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(n as u32 + 1).to_le_bytes());
        out.extend_from_slice(&[0; 4]);
    }
    out
}

/// The first segment of a real counter file, decoded.
fn decode(path: &Utf8Path) -> ([u8; 16], Seg) {
    let bytes = FileBytes::open(path).unwrap();
    let file = CounterFile::parse(&bytes).unwrap();
    assert_eq!(file.num_segments(), 1);
    let seg = file.first_segment().unwrap();
    let args = seg
        .raw_args()
        .iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect();
    let records = seg
        .funcs()
        .map(|r| {
            let r = r.unwrap();
            (r.pkg_idx, r.func_idx, r.counters.to_vec())
        })
        .collect();
    (file.meta_hash().0, Seg { args, records })
}

fn go_textfmt(dir: &Utf8Path) -> Vec<u8> {
    let tc = go();
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new(tc.go.as_str())
        .args(["tool", "covdata", "textfmt"])
        .arg(format!("-i={dir}"))
        .arg(format!("-o={}", out.path().display()))
        .env("GOROOT", tc.goroot().as_str())
        .env("GOTOOLCHAIN", "local")
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(out.path()).unwrap()
}

fn our_textfmt(dir: &Utf8Path) -> Vec<u8> {
    let opts = ReadOptions {
        mode_policy: ModePolicy::Strict,
        ..ReadOptions::default()
    };
    let profile = read_profile(&[dir], &opts, &mut |w| panic!("warning: {w}"))
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    profile::gofmt::emit_textual(&profile, &mut out).unwrap();
    out
}

/// A copy of a real coverage directory whose counter files are rewritten by `rewrite`.
fn rewritten(
    src: &Utf8Path,
    rewrite: impl Fn(&Utf8Path, [u8; 16], Seg) -> Vec<(String, Vec<u8>)>,
) -> (tempfile::TempDir, Utf8PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Utf8PathBuf::from_path_buf(tmp.path().to_owned()).unwrap();
    for pod in collect_pods(&[src]).unwrap() {
        std::fs::copy(&pod.meta_file, dir.join(pod.meta_file.file_name().unwrap())).unwrap();
        for cf in &pod.counter_files {
            let (hash, seg) = decode(&cf.path);
            for (name, bytes) in rewrite(&cf.path, hash, seg) {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
    }
    (tmp, dir)
}

#[test]
fn raw_and_big_endian_payloads_read_as_go_reads_them() {
    for mode in [CoverMode::Count, CoverMode::Set] {
        let data = covdata(&go(), &fixture_names()[0], mode);
        let reference = go_textfmt(&data.path);
        assert_eq!(our_textfmt(&data.path), reference);
        for (flavor, big_endian) in [(1u8, false), (1, true), (2, false)] {
            let (_keep, dir) = rewritten(&data.path, |path, hash, seg| {
                let name = path.file_name().unwrap().to_owned();
                vec![(name, write_counter_file(hash, flavor, big_endian, &[seg]))]
            });
            let what = format!("{mode} flavor {flavor} big-endian {big_endian}");
            assert_eq!(go_textfmt(&dir), reference, "go on {what}");
            assert_eq!(our_textfmt(&dir), reference, "intcov on {what}");
        }
    }
}

/// Go's reader stops after a file's first segment (the runtime writes only one); every segment
/// of a file holds a run, so intcov counts them all: a file with two segments reads like two
/// files with one each.
#[test]
fn every_segment_counts() {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Count);
    let (_a, two_files) = rewritten(&data.path, |path, hash, seg| {
        let name = path.file_name().unwrap();
        let again = Seg {
            args: seg.args.clone(),
            records: seg.records.clone(),
        };
        vec![
            (name.to_owned(), write_counter_file(hash, 2, false, &[seg])),
            (
                format!("{name}1"),
                write_counter_file(hash, 1, false, &[again]),
            ),
        ]
    });
    let (_b, two_segments) = rewritten(&data.path, |path, hash, seg| {
        let again = Seg {
            args: vec![(b"argc".to_vec(), b"0".to_vec())],
            records: seg.records.clone(),
        };
        let name = path.file_name().unwrap().to_owned();
        vec![(name, write_counter_file(hash, 2, false, &[seg, again]))]
    });
    let expected = go_textfmt(&two_files);
    assert_ne!(expected, go_textfmt(&data.path), "the counts doubled");
    assert_eq!(our_textfmt(&two_segments), expected);
    // And each segment is visible to the decoder with its own args.
    for pod in collect_pods(&[&two_segments]).unwrap() {
        for cf in pod.counter_files {
            let bytes = FileBytes::open(&cf.path).unwrap();
            let file = CounterFile::parse(&bytes).unwrap();
            let segs: Vec<_> = file.segments().map(Result::unwrap).collect();
            assert_eq!(segs.len(), 2);
            assert_eq!(segs[1].arg("argc"), Some("0"));
            assert!(segs[1].os_args().is_empty());
            assert_eq!(
                segs[0].funcs().count(),
                segs[1].funcs().count(),
                "{}",
                cf.path
            );
        }
    }
}

#[test]
fn non_utf8_program_args_are_accepted() {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Set);
    let (_keep, dir) = rewritten(&data.path, |path, hash, mut seg| {
        for (k, v) in &mut seg.args {
            if k.as_slice() == b"argv0" {
                v.extend_from_slice(b"\xff\xfe");
            }
        }
        let name = path.file_name().unwrap().to_owned();
        vec![(name, write_counter_file(hash, 2, false, &[seg]))]
    });
    assert_eq!(our_textfmt(&dir), go_textfmt(&dir));
}

/// Count mode adds with saturation at u32::MAX, and says so; Go does the same.
#[test]
fn counts_saturate_with_a_warning() {
    let data = covdata(&go(), &fixture_names()[0], CoverMode::Count);
    let (_keep, dir) = rewritten(&data.path, |path, hash, mut seg| {
        for (_, _, counters) in &mut seg.records {
            for c in counters.iter_mut().filter(|c| **c != 0) {
                *c = u32::MAX - 5;
            }
        }
        let name = path.file_name().unwrap().to_owned();
        vec![(name, write_counter_file(hash, 2, false, &[seg]))]
    });
    let expected = go_textfmt(&dir);
    assert!(
        String::from_utf8_lossy(&expected).contains(&format!(" {}\n", u32::MAX)),
        "the data does not overflow"
    );
    let opts = ReadOptions::default();
    let mut warnings = Vec::new();
    let profile = read_profile(&[&dir], &opts, &mut |w| warnings.push(w))
        .unwrap()
        .unwrap();
    let mut ours = Vec::new();
    profile::gofmt::emit_textual(&profile, &mut ours).unwrap();
    assert_eq!(ours, expected);
    assert!(
        warnings
            .iter()
            .any(|w| matches!(w, covmerge::Warning::Overflow { .. })),
        "{warnings:?}"
    );
}
