//! The inputs of issue 21 whose cost grew faster than their size, at sizes where that
//! showed: a group of 100,000 members, a name of 100 KB misspelt beside one as long,
//! the diff `bud fmt --check` prints for 100,000 rows laid out anew, 200 scenarios each
//! editing a row of a 20,000-row table, and `bud evaluate` writing JSON and CSV of
//! 100,000 rows. docs/performance.md ("Hostile sizes") has the figures before and after;
//! `cargo bench --bench hostile` reproduces them, and `cargo test` runs each once, on
//! small sizes, so that they cannot rot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../examples/synth/generate.rs"]
mod generate;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use bud::render::{csv, json, view};
use bud::world::Memory;

const HEADER: &str = "decision \"T/1\" {\n    title    \"Hostile sizes\"\n    period   2013-2014\n    currency US$\n}\n\n";

/// `full` when optimised (`cargo bench`); `small` in `cargo test`'s single unoptimised run.
fn size(full: usize, small: usize) -> usize {
    if cfg!(debug_assertions) { small } else { full }
}

fn checked(text: &str, request: bud::Request<'_>) -> Vec<bud::Checked> {
    bud::check(&Memory::decision(text), Memory::MAIN, request).variants
}

fn group_of(members: usize) -> String {
    let names: Vec<String> = (0..members).map(|n| format!("\"Party {n:06}\"")).collect();
    let lines: Vec<String> = names
        .chunks(10)
        .map(|line| format!("    {}", line.join("  ")))
        .collect();
    format!(
        "{HEADER}group big \"A large group\" {{\n{}\n}}\n",
        lines.join("\n")
    )
}

fn misspelt_long_name(length: usize) -> String {
    let defined = "a".repeat(length);
    let misspelt = format!("{}b", &defined[1..]);
    format!("{HEADER}{defined} = US$ 100\nsupport = {misspelt} + {defined}\n")
}

fn scenarios_of_one_table(rows: usize, scenarios: usize) -> String {
    let lines: String = (0..rows)
        .map(|n| format!("    row_{n} \"Row {n}\"  {n}  {}\n", n + 1))
        .collect();
    let scenarios: String = (0..scenarios)
        .map(|n| {
            format!(
                "\nscenario s{n} \"S {n}\" {{\n    in t {{\n        replace row_{n} \"Row {n}\"  {}  {}\n    }}\n}}\n",
                n + 1,
                n + 2
            )
        })
        .collect();
    format!(
        "{HEADER}table 1 t {{\n    unit    US$\n    columns 2013 2014\n\n{lines}}}\n{scenarios}"
    )
}

fn synthetic(rows: usize) -> String {
    generate::decision(&generate::Shape {
        tables: rows / 100,
        rows: 100,
        parties: 10,
        years: 2,
    })
}

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));

    let members = size(100_000, 1_000);
    let text = group_of(members);
    group.bench_function(format!("group of {members} members"), |b| {
        b.iter(|| checked(black_box(&text), bud::Request::verify()))
    });

    let length = size(100_000, 10_000);
    let text = misspelt_long_name(length);
    group.bench_function(format!("misspelt name of {length} characters"), |b| {
        b.iter(|| checked(black_box(&text), bud::Request::verify()))
    });

    let rows = size(100_000, 1_000);
    let before: String = synthetic(rows)
        .lines()
        .map(|line| match line.strip_prefix("    ") {
            Some(rest) => format!("  {rest}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    let after = bud::syntax::formatter::format(&before).unwrap();
    group.bench_function(format!("fmt check diff of {rows} rows"), |b| {
        b.iter(|| bud::syntax::format_diff::unified("x.bud", black_box(&before), &after))
    });

    let (rows, scenarios) = (size(20_000, 200), size(200, 5));
    let text = scenarios_of_one_table(rows, scenarios);
    group.bench_function(
        format!("{scenarios} scenarios of a {rows}-row table"),
        |b| b.iter(|| checked(black_box(&text), bud::Request::verify())),
    );

    let rows = size(100_000, 1_000);
    let text = synthetic(rows);
    let evaluated = checked(&text, bud::Request::DECISION).remove(0);
    let model = evaluated.model.as_ref().unwrap();
    group.bench_function(format!("evaluate json of {rows} rows"), |b| {
        b.iter(|| json::write(&view::outline(&evaluated, model), &mut std::io::sink()))
    });
    group.bench_function(format!("evaluate csv of {rows} rows"), |b| {
        b.iter(|| csv::write(&view::outline(&evaluated, model), &mut std::io::sink()))
    });
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
