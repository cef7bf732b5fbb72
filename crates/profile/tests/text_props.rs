//! Property tests of text-profile parsing, writing and merging.

use std::collections::BTreeMap;

use profile::text::{self, MixedModes};
use profile::{CounterMode, Profile, Unit};
use proptest::prelude::*;

/// Blocks are drawn from a small fixed layout per file so that different profiles share
/// blocks (exercising the combine path) and never conflict (same start, different end).
fn layout_unit(slot: u32) -> Unit {
    Unit {
        start_line: 10 * slot + 1,
        start_col: 2 + slot % 3,
        end_line: 10 * slot + 1 + slot % 4,
        end_col: 5 + slot % 7,
        num_stmts: 1 + slot % 5,
    }
}

const FILES: &[&str] = &[
    "example.com/m/a.go",
    "example.com/m/b.go",
    "example.com/m/sub/c.go",
    "other.org/x/y/z.go",
];

fn counting_mode() -> impl Strategy<Value = CounterMode> {
    prop_oneof![Just(CounterMode::Count), Just(CounterMode::Atomic)]
}

fn count_value() -> impl Strategy<Value = u32> {
    // Mostly small, sometimes near the top so saturation is exercised.
    prop_oneof![0u32..20, (u32::MAX - 10)..=u32::MAX, any::<u32>()]
}

fn profile_in(mode: CounterMode) -> impl Strategy<Value = Profile> {
    prop::collection::vec((0..FILES.len(), 0u32..12, count_value()), 0..30).prop_map(
        move |blocks| {
            let mut p = Profile::new(mode);
            for (f, slot, count) in blocks {
                let count = if mode == CounterMode::Set {
                    count % 2
                } else {
                    count
                };
                let file = FILES[f];
                p.add_unit(
                    text::package_of(file),
                    &text::file_function(file),
                    layout_unit(slot),
                    count,
                );
            }
            p
        },
    )
}

fn any_profile() -> impl Strategy<Value = Profile> {
    prop_oneof![
        profile_in(CounterMode::Set),
        counting_mode().prop_flat_map(profile_in)
    ]
}

fn merged(ps: &[&Profile]) -> Profile {
    text::merge(ps.iter().map(|p| ("p", *p)), MixedModes::Refuse)
        .unwrap()
        .unwrap()
}

fn flat(p: &Profile) -> BTreeMap<(String, Unit), u32> {
    text::flatten(p)
}

proptest! {
    #[test]
    fn parse_write_round_trips(p in any_profile()) {
        let written = text::to_string(&p);
        let back = text::parse(written.as_bytes(), "w").unwrap();
        prop_assert_eq!(back.mode(), p.mode());
        prop_assert_eq!(flat(&back), flat(&p));
        prop_assert_eq!(text::to_string(&back), written);
    }

    #[test]
    fn merge_is_commutative_and_associative(
        (a, b, c) in counting_mode().prop_flat_map(|m| (profile_in(m), profile_in(m), profile_in(m)))
    ) {
        let ab = merged(&[&a, &b]);
        let ba = merged(&[&b, &a]);
        prop_assert_eq!(flat(&ab), flat(&ba));
        let ab_c = merged(&[&ab, &c]);
        let bc = merged(&[&b, &c]);
        let a_bc = merged(&[&a, &bc]);
        prop_assert_eq!(flat(&ab_c), flat(&a_bc));
        prop_assert_eq!(flat(&ab_c), flat(&merged(&[&a, &b, &c])));
    }

    #[test]
    fn set_merge_is_commutative_and_associative(
        a in profile_in(CounterMode::Set),
        b in profile_in(CounterMode::Set),
        c in profile_in(CounterMode::Set),
    ) {
        prop_assert_eq!(flat(&merged(&[&a, &b])), flat(&merged(&[&b, &a])));
        prop_assert_eq!(
            flat(&merged(&[&merged(&[&a, &b]), &c])),
            flat(&merged(&[&a, &merged(&[&b, &c])]))
        );
    }

    /// Merging parsed files equals parsing their concatenation (what `go test` writes for
    /// several packages): one text, many duplicated blocks.
    #[test]
    fn merge_equals_parsing_the_concatenation(
        (a, b) in counting_mode().prop_flat_map(|m| (profile_in(m), profile_in(m)))
    ) {
        let cat = format!("{}{}", text::to_string(&a), text::to_string(&b));
        let parsed = text::parse(cat.as_bytes(), "cat").unwrap();
        prop_assert_eq!(flat(&parsed), flat(&merged(&[&a, &b])));
    }

    /// Merge never loses a block's coverage: a block covered in any input is covered in the
    /// result, and counts are the saturating sum.
    #[test]
    fn merge_counts_are_saturating_sums(
        (a, b) in counting_mode().prop_flat_map(|m| (profile_in(m), profile_in(m)))
    ) {
        let m = flat(&merged(&[&a, &b]));
        let (fa, fb) = (flat(&a), flat(&b));
        for (k, v) in &m {
            let want = fa.get(k).copied().unwrap_or(0).saturating_add(fb.get(k).copied().unwrap_or(0));
            prop_assert_eq!(*v, want);
        }
        prop_assert_eq!(m.len(), fa.keys().chain(fb.keys()).collect::<std::collections::BTreeSet<_>>().len());
    }

    /// Arbitrary bytes never panic the parser.
    #[test]
    fn parser_never_panics(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = text::parse(&data, "fuzz");
        let mut with_mode = b"mode: count\n".to_vec();
        with_mode.extend_from_slice(&data);
        let _ = text::parse(&with_mode, "fuzz");
    }
}
