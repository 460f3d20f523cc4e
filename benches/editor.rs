//! What an editor waits for after each edit: `bud lsp` checks the whole text again and
//! indexes it (`bud::ide::Analysis::new`), on BS-VI/7 and on a decision ten times its
//! size (BS-VI/7 with Tables 1 to 4 copied under new names until the text is ten times
//! as long); and `bud fmt` on the same texts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

const DECISION: &str = include_str!("../decisions/bs-vi-7.bud");
const TABLE_5: &str = include_str!("../decisions/bs-vi-7-table-5.tsv");
const STATUS: &str = include_str!("../decisions/bs-vi-7-status-example.tsv");

/// The data file of BS-VI/7 a name stands for: Table 5, or the status of contributions.
fn data_file(name: &str) -> &'static str {
    if name.ends_with("status-example.tsv") {
        STATUS
    } else {
        TABLE_5
    }
}

/// BS-VI/7 grown to ten times its length with renamed copies of its Tables 1 to 4.
fn ten_times() -> String {
    grown(10)
}

/// BS-VI/7 grown to `times` its length with renamed copies of its Tables 1 to 4.
fn grown(times: usize) -> String {
    let start = DECISION.find("table 1 core_budget {").unwrap();
    let end = DECISION.find("// Paragraph 22").unwrap();
    let tables = &DECISION[start..end];
    let mut text = DECISION.to_owned();
    let mut copy = 0;
    while text.len() < times * DECISION.len() {
        copy += 1;
        let renamed = tables
            .replace(
                "table 1 core_budget",
                &format!("table {} core_budget_{copy}", 10 * copy + 1),
            )
            .replace(
                "table 2 staffing",
                &format!("table {} staffing_{copy}", 10 * copy + 2),
            )
            .replace(
                "table 3 voluntary_bh",
                &format!("table {} voluntary_bh_{copy}", 10 * copy + 3),
            )
            .replace(
                "table 4 voluntary_bi",
                &format!("table {} voluntary_bi_{copy}", 10 * copy + 4),
            );
        text.push('\n');
        text.push_str(&renamed);
    }
    text
}

/// What the language server does after an edit: check the text and index it.
fn recheck(text: &str, files: &dyn bud::world::World) -> bud::ide::Analysis {
    let world = bud::world::Overlay::new(bud::world::Memory::MAIN, text, files);
    bud::ide::Analysis::new(&world, bud::world::Memory::MAIN)
}

fn editor(c: &mut Criterion) {
    let read = |name: &str| Ok(data_file(name).to_owned());
    let large = ten_times();
    let analysis = recheck(&large, &read);
    let errors = analysis.diagnostics().filter(|d| d.is_error()).count();
    assert_eq!(errors, 0, "the ten-times decision must check cleanly");
    assert!(large.len() >= 10 * DECISION.len());

    let mut group = c.benchmark_group("recheck after an edit");
    group.bench_function("bs-vi-7.bud (17 KB)", |b| {
        b.iter(|| recheck(black_box(DECISION), &read));
    });
    group.bench_function("ten times bs-vi-7.bud", |b| {
        b.iter(|| recheck(black_box(&large), &read));
    });
    group.finish();

    let mut group = c.benchmark_group("parse");
    group.bench_function("ten times bs-vi-7.bud", |b| {
        b.iter(|| bud::syntax::parse(black_box(&large)));
    });
    group.finish();

    let mut group = c.benchmark_group("bud fmt");
    group.bench_function("bs-vi-7.bud", |b| {
        b.iter(|| bud::syntax::formatter::format(black_box(DECISION)));
    });
    group.bench_function("ten times bs-vi-7.bud", |b| {
        b.iter(|| bud::syntax::formatter::format(black_box(&large)));
    });
    group.finish();
}

/// The outline an editor asks for, on a decision of hundreds of tables: it must grow
/// with the tables, not with their square.
fn outline(c: &mut Criterion) {
    let read = |name: &str| Ok(data_file(name).to_owned());
    let mut group = c.benchmark_group("outline");
    group.sample_size(10);
    for times in [10, 300] {
        let analysis = recheck(&grown(times), &read);
        let tables = analysis.symbols().len();
        group.bench_function(format!("{times} times bs-vi-7.bud ({tables} items)"), |b| {
            b.iter(|| black_box(&analysis).symbols().len());
        });
    }
    group.finish();
}

criterion_group!(benches, editor, outline);
criterion_main!(benches);
