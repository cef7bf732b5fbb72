//! A snapshot of everything the decoders read from one fixture's coverage data, so that any
//! change in decoding shows as a diff. Pids, timestamps, hashes and temporary paths are
//! redacted; counter files are listed in the order of their contents, not of their pids.

use std::fmt::Write;

use covdata::{collect_pods, CounterFile, FileBytes, MetaFile};
use testkit::{covdata, go, CoverMode};

fn render(dir: &camino::Utf8Path) -> String {
    let mut out = String::new();
    for pod in collect_pods(&[dir]).unwrap() {
        let bytes = FileBytes::open(&pod.meta_file).unwrap();
        let meta = MetaFile::parse(&bytes).unwrap();
        let h = meta.header();
        writeln!(
            out,
            "meta {} version {} mode {} granularity {} packages {} file strings {}",
            pod.meta_file.file_name().unwrap(),
            h.version,
            h.mode,
            h.granularity,
            h.num_packages,
            meta.strings().len()
        )
        .unwrap();
        for pkg in meta.packages() {
            let pkg = pkg.unwrap();
            writeln!(
                out,
                "  package {} name {} module {} functions {} strings {}",
                pkg.path(),
                pkg.name(),
                pkg.module_path(),
                pkg.num_funcs(),
                pkg.header().num_files
            )
            .unwrap();
            for (i, f) in pkg.funcs().enumerate() {
                let f = f.unwrap();
                let units: Vec<String> = f
                    .units
                    .iter()
                    .map(|u| {
                        format!(
                            "{}.{}-{}.{}/{}",
                            u.start_line, u.start_col, u.end_line, u.end_col, u.num_stmts
                        )
                    })
                    .collect();
                let lit = if f.literal { " literal" } else { "" };
                writeln!(
                    out,
                    "    f{i} {} {}{lit}: {}",
                    f.name,
                    f.file,
                    units.join(" ")
                )
                .unwrap();
            }
        }
        let mut files = Vec::new();
        for cf in &pod.counter_files {
            let bytes = FileBytes::open(&cf.path).unwrap();
            let file = CounterFile::parse(&bytes).unwrap();
            let mut text = format!(
                "  counters version {} flavor {:?} big-endian {} segments {}\n",
                file.header().version,
                file.flavor(),
                file.header().big_endian,
                file.num_segments()
            );
            for seg in file.segments() {
                let seg = seg.unwrap();
                let args: Vec<String> = seg
                    .args()
                    .iter()
                    .map(|(k, v)| match *k {
                        "GOOS" | "GOARCH" => format!("{k}=[{k}]"),
                        _ => format!("{k}={v}"),
                    })
                    .collect();
                writeln!(text, "    args {}", args.join(" ")).unwrap();
                for r in seg.funcs() {
                    let r = r.unwrap();
                    writeln!(
                        text,
                        "    p{} f{} {:?}",
                        r.pkg_idx,
                        r.func_idx,
                        r.counters.to_vec()
                    )
                    .unwrap();
                }
            }
            files.push(text);
        }
        files.sort();
        for f in files {
            out.push_str(&f);
        }
    }
    out
}

#[test]
fn decoded_clisuite_count_mode() {
    let data = covdata(&go(), "clisuite", CoverMode::Count);
    let text = render(&data.path);
    let mut settings = testkit::insta_settings();
    testkit::redact_hashes(&mut settings);
    settings.bind(|| insta::assert_snapshot!("clisuite_count", text));
}
