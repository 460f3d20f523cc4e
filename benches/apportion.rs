//! Apportioning a scale of assessments: the rule alone on 10,000 and 100,000 synthetic Parties
//! (a ceiling, a group cap and a floor that all bind), and the whole of BS-VI/7 with
//! its 164-Party Table 5, from text to reconciled figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

use bud::semantics::apportion::{Binding, Terms, apportion};

/// Parties on a skewed scale: a few large rates above the ceiling, a tail of
/// small ones below the floor, and every tenth Party in a capped group.
fn synthetic_scale(parties: usize) -> Vec<Terms> {
    // Rates in thousandths of a per cent for 10,000 Parties, ten-thousandths for
    // 100,000, so that the floors always add up to 10%, leaving room for the rest.
    let digits = 3 + (parties / 10_000).ilog10();
    (0..parties)
        .map(|index| {
            // Falling off like a real scale's.
            let units = 30_000_000 / (index as i64 + 1).pow(2) + 1;
            let in_group = index % 10 == 9;
            Terms {
                base: Decimal::new(units, digits),
                fixed: (index == 1).then(|| Decimal::new(25, 1)),
                most: Some(if in_group {
                    Decimal::new(1, 2)
                } else {
                    Decimal::new(22, 0)
                }),
                least: Some(Decimal::new(1, digits)),
            }
        })
        .collect()
}

fn apportioning(c: &mut Criterion) {
    let mut group = c.benchmark_group("apportion synthetic Parties");
    for count in [10_000, 100_000] {
        let parties = synthetic_scale(count);
        let result = apportion(&parties, Decimal::ONE_HUNDRED).unwrap();
        // The benchmark is only meaningful if every kind of limit binds somewhere.
        for binding in [
            Binding::AtMost,
            Binding::AtLeast,
            Binding::Scaled,
            Binding::Fixed,
        ] {
            assert!(
                result.bindings.contains(&binding),
                "no Party is {binding:?} among {count}"
            );
        }
        group.bench_with_input(
            BenchmarkId::from_parameter(count),
            &parties,
            |b, parties| b.iter(|| apportion(black_box(parties), Decimal::ONE_HUNDRED).unwrap()),
        );
    }
    group.finish();
}

fn whole_decision(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/decisions");
    let read =
        |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).map_err(|e| e.to_string());
    let check = || bud::check(&read, black_box("bs-vi-7.bud"), bud::Request::DECISION);
    assert!(check().variants.iter().all(|checked| !checked.has_errors()));
    c.bench_function("check bs-vi-7 with Table 5", |b| b.iter(check));
}

criterion_group!(benches, apportioning, whole_decision);
criterion_main!(benches);
