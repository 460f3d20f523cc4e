//! Each stage of bud on BS-VI/7 and on synthetic decisions of growing size (from
//! `examples/synth/generate.rs`): parse, evaluate, reconcile, render, and the whole of
//! `bud check` in one process (`check`). docs/performance.md reads these figures;
//! `cargo bench --bench pipeline` reproduces them, and `cargo test --benches` builds
//! and runs each once so that they cannot rot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../examples/synth/generate.rs"]
mod generate;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use bud::world::{Memory, Overlay, World};
use bud::{reconcile, render, semantics, syntax};

/// Synthetic sizes, in input rows. Ten times apart, so that the growth is read off
/// directly; a million rows is measured by the command in docs/performance.md, as
/// criterion would take minutes over it.
const ROWS: [usize; 3] = [1_000, 10_000, 100_000];

struct Input {
    name: String,
    source: String,
    directory: &'static str,
}

impl Input {
    fn read(&self) -> impl World + '_ {
        move |name: &str| {
            std::fs::read_to_string(format!("{}/{name}", self.directory)).map_err(|e| e.to_string())
        }
    }

    /// What the input is checked as, with `request`.
    fn check(&self, request: bud::Request<'_>) -> Vec<bud::Checked> {
        let files = self.read();
        let world = Overlay::new(Memory::MAIN, self.source.as_str(), &files);
        bud::check(&world, Memory::MAIN, request).variants
    }
}

fn inputs() -> Vec<Input> {
    let decisions = concat!(env!("CARGO_MANIFEST_DIR"), "/decisions");
    let mut inputs = vec![Input {
        name: "bs-vi-7".to_owned(),
        source: std::fs::read_to_string(format!("{decisions}/bs-vi-7.bud")).unwrap(),
        directory: decisions,
    }];
    // `cargo test` runs each benchmark once, unoptimised: small sizes suffice there.
    let sizes: &[usize] = if cfg!(debug_assertions) {
        &ROWS[..1]
    } else {
        &ROWS
    };
    for &rows in sizes {
        inputs.push(Input {
            name: format!("{rows} rows"),
            source: generate::decision(&generate::Shape::with_rows(rows)),
            directory: decisions,
        });
    }
    for input in &inputs {
        let checked = input.check(bud::Request::DECISION).remove(0);
        assert!(
            !checked.has_errors(),
            "{} does not check cleanly",
            input.name
        );
    }
    inputs
}

fn group<'a>(
    c: &'a mut Criterion,
    stage: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(stage);
    // The largest inputs take a good part of a second each; ten samples suffice.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    group
}

fn stages(c: &mut Criterion) {
    let inputs = inputs();

    let mut parse = group(c, "parse");
    for input in &inputs {
        parse.throughput(Throughput::Bytes(input.source.len() as u64));
        parse.bench_with_input(
            BenchmarkId::from_parameter(&input.name),
            input,
            |b, input| b.iter(|| syntax::parse(black_box(&input.source)).unwrap()),
        );
    }
    parse.finish();

    let mut evaluate = group(c, "evaluate");
    for input in &inputs {
        let file = syntax::parse(&input.source).unwrap();
        evaluate.bench_with_input(
            BenchmarkId::from_parameter(&input.name),
            input,
            |b, input| b.iter(|| semantics::evaluate_with(black_box(&file), &input.read(), &[])),
        );
    }
    evaluate.finish();

    let mut reconciling = group(c, "reconcile");
    for input in &inputs {
        let file = syntax::parse(&input.source).unwrap();
        let (model, _) = semantics::evaluate_with(&file, &input.read(), &[]);
        reconciling.bench_with_input(
            BenchmarkId::from_parameter(&input.name),
            &model,
            |b, model| {
                b.iter(|| {
                    let reconciliation = reconcile::reconcile(black_box(model));
                    reconcile::diagnostics(model, &reconciliation)
                })
            },
        );
    }
    reconciling.finish();

    let mut rendering = group(c, "render table");
    for input in inputs.iter().take(3) {
        let checked = input.check(bud::Request::DECISION).remove(0);
        let model = checked.model.as_ref().unwrap();
        rendering.bench_with_input(
            BenchmarkId::from_parameter(&input.name),
            model,
            |b, model| b.iter(|| render::text::evaluation_of(black_box(&checked), model)),
        );
    }
    rendering.finish();

    let mut json = group(c, "render json");
    for input in inputs.iter().take(3) {
        let checked = input.check(bud::Request::DECISION).remove(0);
        let model = checked.model.as_ref().unwrap();
        json.bench_with_input(
            BenchmarkId::from_parameter(&input.name),
            model,
            |b, model| {
                b.iter(|| {
                    let outline = render::view::outline(black_box(&checked), model);
                    render::json::write(&outline, &mut std::io::sink())
                })
            },
        );
    }
    json.finish();

    // "check" keeps whole models, as the editor does; "verify" is what `bud check`
    // runs: counts, scenarios where they reach, a large decision in parts.
    let ways = [
        ("check", bud::Request::Everything),
        ("verify", bud::Request::verify()),
    ];
    for (stage, way) in ways {
        let mut check = group(c, stage);
        for input in &inputs {
            check.throughput(Throughput::Bytes(input.source.len() as u64));
            check.bench_with_input(
                BenchmarkId::from_parameter(&input.name),
                input,
                |b, input| b.iter(|| black_box(input).check(way)),
            );
        }
        check.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
