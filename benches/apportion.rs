//! Apportioning a scale of assessments: the rule alone on 10,000 synthetic Parties
//! (a ceiling, a group cap and a floor that all bind), and the whole of BS-VI/7 with
//! its 164-Party Table 5, from text to reconciled figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

use bud::semantics::apportion::{Binding, Terms, apportion};

/// 10,000 Parties on a skewed scale: a few large rates above the ceiling, a tail of
/// small ones below the floor, and every tenth Party in a capped group.
fn synthetic_scale(parties: usize) -> Vec<Terms> {
    (0..parties)
        .map(|index| {
            // Rates in thousandths of a per cent, falling off like a real scale's.
            let thousandths = 30_000_000 / (index as i64 + 1).pow(2) + 1;
            let in_group = index % 10 == 9;
            Terms {
                base: Decimal::new(thousandths, 3),
                fixed: (index == 1).then(|| Decimal::new(25, 1)),
                most: Some(if in_group {
                    Decimal::new(1, 2)
                } else {
                    Decimal::new(22, 0)
                }),
                least: Some(Decimal::new(1, 3)),
            }
        })
        .collect()
}

fn apportioning(c: &mut Criterion) {
    let parties = synthetic_scale(10_000);
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
            "no Party is {binding:?}"
        );
    }
    c.bench_function("apportion 10,000 synthetic Parties", |b| {
        b.iter(|| apportion(black_box(&parties), Decimal::ONE_HUNDRED).unwrap())
    });
}

fn whole_decision(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/decisions");
    let source = std::fs::read_to_string(format!("{dir}/bs-vi-7.bud")).unwrap();
    let read =
        |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).map_err(|e| e.to_string());
    assert!(!bud::check_with(&source, &read).has_errors());
    c.bench_function("check bs-vi-7 with Table 5", |b| {
        b.iter(|| bud::check_with(black_box(&source), &read))
    });
}

criterion_group!(benches, apportioning, whole_decision);
criterion_main!(benches);
