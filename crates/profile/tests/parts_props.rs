//! A package built at once by `PackageCoverage::from_parts` (kept sorted) behaves exactly as
//! one built function by function through the hash map: same functions, same units in the same
//! output order, and the same result when more is merged into it afterwards.

use profile::{CounterMode, FunctionRef, PackageCoverage, Unit};
use proptest::prelude::*;

type Func = (String, String, bool);

fn func() -> impl Strategy<Value = Func> {
    (
        prop::sample::select(vec!["a.go", "b.go", "z/c.go"]),
        prop::sample::select(vec!["F", "G", "func1", "init"]),
        any::<bool>(),
    )
        .prop_map(|(f, n, l)| (f.to_owned(), n.to_owned(), l))
}

fn unit() -> impl Strategy<Value = Unit> {
    (1u32..6, 1u32..4, 0u32..3, 1u32..4, 0u32..3).prop_map(|(sl, sc, dl, ec, ns)| Unit {
        start_line: sl,
        start_col: sc,
        end_line: sl + dl,
        end_col: ec,
        num_stmts: ns,
    })
}

fn mode() -> impl Strategy<Value = CounterMode> {
    prop::sample::select(vec![
        CounterMode::Set,
        CounterMode::Count,
        CounterMode::Atomic,
    ])
}

/// Functions (repeats allowed, as in damaged meta-data) each with units and counts.
fn package() -> impl Strategy<Value = Vec<(Func, Vec<(Unit, u32)>)>> {
    prop::collection::vec(
        (
            func(),
            prop::collection::vec((unit(), prop_oneof![0u32..3, Just(u32::MAX - 1)]), 0..6),
        ),
        0..8,
    )
}

fn by_map(mode: CounterMode, funcs: &[(Func, Vec<(Unit, u32)>)]) -> PackageCoverage {
    let mut p = PackageCoverage::default();
    for ((file, name, literal), units) in funcs {
        let f = FunctionRef {
            file,
            name,
            literal: *literal,
        };
        p.add_function_units(mode, f, units.iter().copied());
    }
    p
}

fn by_parts(mode: CounterMode, funcs: &[(Func, Vec<(Unit, u32)>)]) -> PackageCoverage {
    let refs: Vec<FunctionRef<'_>> = funcs
        .iter()
        .map(|((file, name, literal), _)| FunctionRef {
            file,
            name,
            literal: *literal,
        })
        .collect();
    let units = funcs
        .iter()
        .enumerate()
        .flat_map(|(i, (_, us))| us.iter().map(move |&(u, c)| (i as u32, u, c)))
        .collect();
    PackageCoverage::from_parts(mode, &refs, units)
}

/// What a package shows: each unit with its function spelled out, in output order.
fn shown(p: &PackageCoverage) -> Vec<(Func, Unit, u32)> {
    let f = p.functions();
    p.sorted_units()
        .into_iter()
        .map(|(i, u, c)| {
            let g = &f[i as usize];
            ((g.file.clone(), g.name.clone(), g.literal), u, c)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn parts_equal_map(mode in mode(), funcs in package()) {
        let a = by_map(mode, &funcs);
        let b = by_parts(mode, &funcs);
        prop_assert_eq!(a.functions(), b.functions());
        prop_assert_eq!(shown(&a), shown(&b));
        prop_assert_eq!(&*b.sorted_units_cow(), &b.sorted_units()[..]);
        prop_assert_eq!(a.is_empty(), b.is_empty());
        let mut ua: Vec<_> = a.units().map(|(f, u, c)| (f, *u, c)).collect();
        let mut ub: Vec<_> = b.units().map(|(f, u, c)| (f, *u, c)).collect();
        ua.sort();
        ub.sort();
        prop_assert_eq!(ua, ub);
    }

    #[test]
    fn merging_into_parts_equals_map(
        mode in mode(),
        first in package(),
        second in package(),
        more in package(),
    ) {
        // absorb, in every combination of shapes, then add_function_units on top
        for (a_parts, b_parts) in [(false, false), (true, false), (false, true), (true, true)] {
            let build = |parts: bool, f: &[(Func, Vec<(Unit, u32)>)]| {
                if parts { by_parts(mode, f) } else { by_map(mode, f) }
            };
            let mut got = build(a_parts, &first);
            got.absorb(mode, build(b_parts, &second));
            for ((file, name, literal), units) in &more {
                let f = FunctionRef { file, name, literal: *literal };
                got.add_function_units(mode, f, units.iter().copied());
            }
            let all: Vec<_> = first.iter().chain(&second).chain(&more).cloned().collect();
            let want = by_map(mode, &all);
            prop_assert_eq!(shown(&got), shown(&want));
        }
    }
}
