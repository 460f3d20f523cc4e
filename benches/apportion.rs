//! Apportioning a scale of assessments: the rule alone on 10,000 and 100,000 synthetic Parties
//! (a ceiling, a group cap and a floor that all bind), and the whole of BS-VI/7 with
//! its 164-Party Table 5, from text to reconciled figures. And the diagnosis of a
//! scale printed with a wrong rescaling factor, on 10,000 Parties, beside apportioning
//! the same Parties: the one should stay within twice the other.

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

/// A decision whose 10,000 Parties' rates are printed with a factor 0.03 per cent above
/// the rule's, and the terms of the same scale for `apportion`.
fn misprinted_scale(parties: usize) -> (String, Vec<Terms>) {
    let bases: Vec<Decimal> = (0..parties)
        .map(|index| Decimal::new(40_000_000 / (index as i64 + 1).pow(2) + 1, 5))
        .collect();
    let sum: Decimal = bases.iter().sum();
    let factor = Decimal::new(975, 1) / sum * Decimal::new(10_003, 4);
    let mut text = String::from(
        "decision \"T/1\" {\n    title \"A scale\"\n    period 2016-2016\n    currency EUR\n}\n\n\
         table 1 budget {\n    unit EUR\n    columns 2016\n\n    indicative \"Indicative\" 1,000,000\n}\n\n\
         scale annex shares {\n    columns base rate 2016\n\n    apportion budget.indicative\n    \
         rates rounding 0.00001 half-up\n    fixed \"Union\" 2.5%\n\n",
    );
    for (index, base) in bases.iter().enumerate() {
        let printed = (base * factor).round_dp(5);
        text.push_str(&format!("    \"P{index}\"  {base}  {printed}\n"));
    }
    text.push_str("    \"Union\"  2.50000  2.50000\n}\n");
    let mut terms: Vec<Terms> = bases
        .iter()
        .map(|base| Terms {
            base: *base,
            fixed: None,
            most: None,
            least: None,
        })
        .collect();
    terms.push(Terms {
        base: Decimal::new(25, 1),
        fixed: Some(Decimal::new(25, 1)),
        most: None,
        least: None,
    });
    (text, terms)
}

fn diagnosing(c: &mut Criterion) {
    use bud::reconcile::attribution::Cause;
    let (text, terms) = misprinted_scale(10_000);
    let world = bud::world::Memory::decision(&text);
    let checked = bud::check(&world, bud::world::Memory::MAIN, bud::Request::DECISION)
        .into_first()
        .unwrap();
    // One error, the factor's: the benchmark measures the diagnosis that finds it.
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].message.contains("rescaling factor"),
        "{}",
        errors[0].message
    );
    let model = checked.model.unwrap();
    let mut undiagnosed = checked.reconciliation.clone();
    undiagnosed.scale_causes.clear();
    for check in &mut undiagnosed.checks {
        check.cause = Cause::Own;
    }
    let mut group = c.benchmark_group("a scale of 10,000 Parties");
    group.bench_function("apportion", |b| {
        b.iter(|| apportion(black_box(&terms), Decimal::ONE_HUNDRED).unwrap())
    });
    group.bench_function("diagnose a wrong factor", |b| {
        b.iter_batched(
            || undiagnosed.clone(),
            |mut reconciliation| {
                bud::reconcile::scale_causes::diagnose(&model, &mut reconciliation);
                reconciliation
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, apportioning, whole_decision, diagnosing);
criterion_main!(benches);
