//! Property tests of the directory operations over synthetic coverage data (programs, packages,
//! runs and input directories drawn at random, written with our encoder):
//! - merging loses nothing: reading the merged directory gives what reading every input gives;
//! - merge is commutative and associative on counts;
//! - subtract and intersect follow their definition for any number of programs and runs
//!   (intersect taking Go's walk over the programs wherever Go's tool does not panic);
//! - corrupt input gives an error naming the file, never a panic.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use covdata::encode::{
    counter_file_name, meta_file_hash, meta_file_name, write_meta_file, CounterFileWriter,
    HashAlgo, PackageBuilder,
};
use covdata::{
    CounterFile, CounterFlavor, CounterGranularity, CounterMode, CoverableUnit, FuncDesc, MetaFile,
};
use covmerge::go_intersect::GoIntersect;
use covmerge::ops::{self, Operation, Options};
use covmerge::{read_profile, ReadOptions};
use proptest::prelude::*;

/// splitmix64: the synthetic data is drawn from one proptest seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

struct Func {
    name: String,
    file: String,
    units: Vec<CoverableUnit>,
}

struct Package {
    path: String,
    funcs: Vec<Func>,
}

/// A synthetic world: packages, programs made of some of them, and input directories.
struct World {
    mode: CounterMode,
    packages: Vec<Package>,
    /// Each program: the indices of its packages, in order.
    programs: Vec<Vec<usize>>,
}

impl World {
    fn new(rng: &mut Rng, mode: CounterMode) -> World {
        let npkgs = 1 + rng.below(4) as usize;
        let packages = (0..npkgs)
            .map(|p| {
                let nfuncs = 1 + rng.below(4) as usize;
                let funcs = (0..nfuncs)
                    .map(|f| {
                        let nunits = 1 + rng.below(4) as u32;
                        let line = 10 * f as u32 + 1;
                        Func {
                            name: format!("F{f}"),
                            file: format!("example.com/p{p}/f{}.go", f % 2),
                            units: (0..nunits)
                                .map(|u| CoverableUnit {
                                    start_line: line + u,
                                    start_col: 2,
                                    end_line: line + u,
                                    end_col: 20,
                                    num_stmts: 1 + u,
                                })
                                .collect(),
                        }
                    })
                    .collect();
                Package {
                    path: format!("example.com/p{p}"),
                    funcs,
                }
            })
            .collect();
        let nprogs = 1 + rng.below(3) as usize;
        let mut programs: Vec<Vec<usize>> = Vec::new();
        for _ in 0..nprogs {
            let mut pkgs: Vec<usize> = (0..npkgs).filter(|_| rng.chance(70)).collect();
            if pkgs.is_empty() {
                pkgs.push(rng.below(npkgs as u64) as usize);
            }
            if rng.chance(50) {
                pkgs.reverse();
            }
            if !programs.contains(&pkgs) {
                programs.push(pkgs);
            }
        }
        World {
            mode,
            packages,
            programs,
        }
    }

    /// The meta-data file of program `p`: its name and bytes.
    fn meta(&self, p: usize) -> (String, Vec<u8>) {
        let blobs: Vec<Vec<u8>> = self.programs[p]
            .iter()
            .map(|&k| {
                let pkg = &self.packages[k];
                let mut b =
                    PackageBuilder::new(HashAlgo::Fnv128a, &pkg.path, "p", "example.com").unwrap();
                for f in &pkg.funcs {
                    b.add_func(&FuncDesc {
                        name: &f.name,
                        file: &f.file,
                        literal: false,
                        units: f.units.clone(),
                    });
                }
                b.finish().unwrap()
            })
            .collect();
        let hash = meta_file_hash(HashAlgo::Fnv128a, &blobs);
        let bytes = write_meta_file(&blobs, hash, self.mode, CounterGranularity::PerBlock).unwrap();
        (meta_file_name(hash), bytes)
    }

    /// Write `ndirs` input directories under `root`: each holds some programs, each with some
    /// runs covering random functions.
    fn write_inputs(&self, rng: &mut Rng, root: &Utf8Path, ndirs: usize) -> Vec<Utf8PathBuf> {
        let mut pid = 1000;
        (0..ndirs)
            .map(|d| {
                let dir = root.join(format!("in{d}"));
                std::fs::create_dir_all(&dir).unwrap();
                for p in 0..self.programs.len() {
                    if !rng.chance(80) {
                        continue;
                    }
                    let (name, bytes) = self.meta(p);
                    std::fs::write(dir.join(&name), &bytes).unwrap();
                    let hash = MetaFile::parse(&bytes).unwrap().hash();
                    for _ in 0..rng.below(4) {
                        pid += 1;
                        let mut funcs = Vec::new();
                        for (pi, &k) in self.programs[p].iter().enumerate() {
                            for (fi, f) in self.packages[k].funcs.iter().enumerate() {
                                if !rng.chance(60) {
                                    continue;
                                }
                                let values: Vec<u32> = f
                                    .units
                                    .iter()
                                    .map(|_| match (self.mode, rng.below(10)) {
                                        (CounterMode::Set, v) => u32::from(v < 5),
                                        (_, 0) => u32::MAX - rng.below(3) as u32,
                                        (_, v) if v < 5 => 0,
                                        _ => rng.below(7) as u32,
                                    })
                                    .collect();
                                funcs.push((pi as u32, fi as u32, values));
                            }
                        }
                        let mut w = CounterFileWriter::new(hash, CounterFlavor::Uleb128);
                        let argv0 = format!("/bin/prog{}", rng.below(2));
                        w.append_segment(
                            [("argc", "1"), ("argv0", argv0.as_str()), ("GOOS", "linux")],
                            funcs,
                        )
                        .unwrap();
                        let file = counter_file_name(hash, pid, 1_700_000_000_000 + pid);
                        std::fs::write(dir.join(file), w.finish()).unwrap();
                    }
                }
                dir
            })
            .collect()
    }
}

fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::Builder::new()
        .prefix("intcov-props-")
        .tempdir()
        .unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_owned()).unwrap();
    (t, p)
}

fn run(op: Operation, inputs: &[&Utf8Path], out: &Utf8Path) {
    ops::run(inputs, out, &Options::new(op)).unwrap_or_else(|e| panic!("{op:?}: {e}"));
}

/// The profile `go tool covdata textfmt` would print, as comparable rows.
type Rows = Vec<(String, String, String, [u32; 5], u32)>;

fn profile(dirs: &[&Utf8Path]) -> Rows {
    let Some(p) = read_profile(dirs, &ReadOptions::default(), &mut |_| {}).unwrap() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (path, pkg) in p.packages() {
        for (f, u, count) in pkg.sorted_units() {
            let func = &pkg.functions()[f as usize];
            rows.push((
                path.clone(),
                func.file.clone(),
                func.name.clone(),
                [
                    u.start_line,
                    u.start_col,
                    u.end_line,
                    u.end_col,
                    u.num_stmts,
                ],
                count,
            ));
        }
    }
    rows.sort();
    rows
}

/// Raw counters of a directory: (meta hash, package index, function index) → counters, with
/// the counter files of one program combined by `mode`.
type Raw = BTreeMap<(String, u32, u32), Vec<u32>>;

fn raw(dir: &Utf8Path, mode: CounterMode) -> Raw {
    let mut out = Raw::new();
    for e in dir.read_dir_utf8().unwrap() {
        let e = e.unwrap();
        if !e.file_name().starts_with("covcounters.") {
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        let file = CounterFile::parse(&bytes).unwrap();
        let hash = file.meta_hash().to_string();
        for seg in file.segments() {
            for r in seg.unwrap().funcs() {
                let r = r.unwrap();
                let v = r.counters.to_vec();
                let slot = out
                    .entry((hash.clone(), r.pkg_idx, r.func_idx))
                    .or_insert_with(|| vec![0; v.len()]);
                for (s, x) in slot.iter_mut().zip(v) {
                    *s = match mode {
                        CounterMode::Set => u32::from(*s != 0 || x != 0),
                        _ => s.saturating_add(x),
                    };
                }
            }
        }
    }
    out
}

/// Raw counters of each input separately.
fn raw_inputs(dirs: &[Utf8PathBuf], mode: CounterMode) -> Vec<Raw> {
    dirs.iter().map(|d| raw(d, mode)).collect()
}

fn mode() -> impl Strategy<Value = CounterMode> {
    prop_oneof![
        Just(CounterMode::Set),
        Just(CounterMode::Count),
        Just(CounterMode::Atomic)
    ]
}

const MERGE: Operation = Operation::Merge { pcombine: false };
const PCOMBINE: Operation = Operation::Merge { pcombine: true };

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merging_then_reading_equals_reading_all_inputs(seed in any::<u64>(), mode in mode(), ndirs in 1usize..4) {
        let mut rng = Rng(seed);
        let world = World::new(&mut rng, mode);
        let (_t, root) = tempdir();
        let inputs = world.write_inputs(&mut rng, &root, ndirs);
        let ins: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
        let want = profile(&ins);
        for (op, name) in [(MERGE, "merged"), (PCOMBINE, "combined")] {
            let out = root.join(name);
            run(op, &ins, &out);
            prop_assert_eq!(&profile(&[&out]), &want, "{:?}", op);
        }
    }

    #[test]
    fn merge_is_commutative_and_associative_on_counts(seed in any::<u64>(), mode in mode()) {
        let mut rng = Rng(seed);
        let world = World::new(&mut rng, mode);
        let (_t, root) = tempdir();
        let inputs = world.write_inputs(&mut rng, &root, 3);
        let (a, b, c) = (inputs[0].as_path(), inputs[1].as_path(), inputs[2].as_path());
        let o = |n: &str| root.join(n);

        run(MERGE, &[a, b], &o("ab"));
        run(MERGE, &[b, a], &o("ba"));
        prop_assert_eq!(raw(&o("ab"), mode), raw(&o("ba"), mode));

        run(MERGE, &[&o("ab"), c], &o("ab_c"));
        run(MERGE, &[b, c], &o("bc"));
        run(MERGE, &[a, &o("bc")], &o("a_bc"));
        run(MERGE, &[c, b, a], &o("cba"));
        let abc = raw(&o("ab_c"), mode);
        prop_assert_eq!(&abc, &raw(&o("a_bc"), mode));
        prop_assert_eq!(&abc, &raw(&o("cba"), mode));
        // And the counts are those of all the runs together.
        let all = raw_inputs(&inputs, mode);
        let mut want = Raw::new();
        for r in all {
            for (k, v) in r {
                let slot = want.entry(k).or_insert_with(|| vec![0; v.len()]);
                for (s, x) in slot.iter_mut().zip(v) {
                    *s = match mode {
                        CounterMode::Set => u32::from(*s != 0 || x != 0),
                        _ => s.saturating_add(x),
                    };
                }
            }
        }
        prop_assert_eq!(&abc, &want);

        // -pcombine too, at the level of the profile.
        run(PCOMBINE, &[a, b, c], &o("p_abc"));
        run(PCOMBINE, &[c, a, b], &o("p_cab"));
        prop_assert_eq!(profile(&[&o("p_abc")]), profile(&[&o("p_cab")]));
    }

    #[test]
    fn subtract_and_intersect_follow_their_definition(seed in any::<u64>(), mode in mode(), ndirs in 1usize..5) {
        let mut rng = Rng(seed);
        let world = World::new(&mut rng, mode);
        let (_t, root) = tempdir();
        let inputs = world.write_inputs(&mut rng, &root, ndirs);
        let ins: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
        let each = raw_inputs(&inputs, mode);
        let (first, rest) = each.split_first().unwrap();

        // intersect, program by program over the inputs taking part (all of them where Go's
        // tool panics; where it works, those of Go's walk): functions every one has data
        // for; a unit keeps the first one's count only if every one covers it.
        let pods = covdata::collect_pods(&ins).unwrap();
        let plan = covmerge::go_intersect::go_intersect_plan(&pods);
        let mut want = Raw::new();
        for (n, pod) in pods.iter().enumerate() {
            let taking_part: Vec<usize> = match plan.as_ref().map(|p| &p[n]) {
                None => (0..ndirs).collect(),
                Some(GoIntersect::Inputs(list)) => list.clone(),
                Some(GoIntersect::Empty) => continue,
            };
            let (first, rest) = taking_part.split_first().unwrap();
            let rest: Vec<&Raw> = rest.iter().map(|&d| &each[d]).collect();
            for (k, v) in each[*first].iter().filter(|(k, _)| k.0 == pod.tag) {
                if rest.iter().all(|r| r.contains_key(k)) {
                    let kept = v
                        .iter()
                        .enumerate()
                        .map(|(i, &x)| if rest.iter().all(|r| r[k][i] != 0) { x } else { 0 })
                        .collect();
                    want.insert(k.clone(), kept);
                }
            }
        }
        let out = root.join("intersect");
        run(Operation::Intersect, &ins, &out);
        prop_assert_eq!(raw(&out, mode), want);

        if ndirs >= 2 {
            // subtract: the first input's functions; a unit keeps its count unless a later
            // input covers it.
            let mut want = Raw::new();
            for (k, v) in first {
                let kept = v
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| {
                        if rest.iter().any(|r| r.get(k).is_some_and(|o| o[i] != 0)) { 0 } else { x }
                    })
                    .collect();
                want.insert(k.clone(), kept);
            }
            let out = root.join("subtract");
            run(Operation::Subtract, &ins, &out);
            prop_assert_eq!(raw(&out, mode), want);
        }
    }

    #[test]
    fn corrupt_input_is_an_error_naming_the_file(
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        how in 0u8..3,
        byte in any::<u8>(),
    ) {
        let mut rng = Rng(seed);
        let world = World::new(&mut rng, CounterMode::Count);
        let (_t, root) = tempdir();
        let inputs = world.write_inputs(&mut rng, &root, 2);
        let mut files: Vec<Utf8PathBuf> = inputs
            .iter()
            .flat_map(|d| d.read_dir_utf8().unwrap().map(|e| e.unwrap().into_path()))
            .collect();
        files.sort();
        prop_assume!(!files.is_empty());
        let victim = pick.get(&files).clone();
        let mut bytes = std::fs::read(&victim).unwrap();
        let i = at.index(bytes.len());
        match how {
            0 => bytes.truncate(i),
            1 => bytes[i] ^= byte | 1,
            _ => bytes[i] = byte,
        }
        std::fs::write(&victim, &bytes).unwrap();
        let ins: Vec<&Utf8Path> = inputs.iter().map(|p| p.as_path()).collect();
        for (k, op) in [MERGE, PCOMBINE, Operation::Subtract, Operation::Intersect].into_iter().enumerate() {
            let out = root.join(format!("out{k}"));
            if let Err(e) = ops::run(&ins, &out, &Options::new(op)) {
                let msg = e.to_string();
                prop_assert!(msg.contains(victim.as_str()), "{:?}: {} does not name {}", op, msg, victim);
            }
        }
    }
}
