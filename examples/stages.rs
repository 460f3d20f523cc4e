//! Where the time of one `bud check` goes, stage by stage, for profiling:
//!
//! ```sh
//! cargo run --release --example stages -- decisions/bs-vi-7.bud
//! ```
//!
//! Each stage runs on the previous stage's result, as `bud check` runs them, and the
//! time of each is printed in milliseconds (the base decision only; scenarios repeat
//! the evaluation stages).

use std::time::Instant;

use bud::semantics::{self, eval, graph, resolve, scenario, units};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: stages FILE.bud");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    let mut clock = Clock::start();
    let loaded = bud::syntax::imports::load(&source, &bud::world::Memory::new());
    clock.lap("parse");
    let Ok(file) = loaded.file else {
        eprintln!("{path}: does not parse");
        std::process::exit(2);
    };
    let base = scenario::base(&file);
    clock.lap("base variant");
    let (program, _) = resolve::resolve(&base, &[]);
    clock.lap("resolve");
    let (order, _) = graph::evaluation_order(&program);
    clock.lap("order");
    let (units, _) = units::check(&program, &order);
    clock.lap("units");
    let (evaluation, _) = eval::evaluate(&program, &units, &order);
    clock.lap("evaluate");
    drop((evaluation, units, order, program));
    clock.lap("drop");
    let (model, _) = semantics::evaluate_with(&base, &bud::world::Memory::new(), &[]);
    clock.lap("evaluate_with (all of the above, and scales)");
    let reconciliation =
        bud::reconcile::reconcile_keeping(&model, bud::reconcile::Keep::Differences);
    clock.lap("reconcile (differences only, as bud check)");
    let diagnostics = bud::reconcile::diagnostics(&model, &reconciliation);
    clock.lap("diagnostics");
    println!("{} diagnostics", diagnostics.len());
    let every = bud::check(
        &bud::world::Memory::decision(source.as_str()),
        bud::world::Memory::MAIN,
        bud::Request::verify(),
    )
    .variants;
    clock.lap("Request::verify (all of bud check)");
    drop(every);
    clock.lap("drop");
}

struct Clock(Instant);

impl Clock {
    fn start() -> Self {
        Clock(Instant::now())
    }

    fn lap(&mut self, stage: &str) {
        let micros = self.0.elapsed().as_micros();
        println!(
            "{:>7}.{:03} ms  {:>9} KB now  {:>9} KB peak  {stage}",
            micros / 1000,
            micros % 1000,
            memory("VmRSS"),
            memory("VmHWM"),
        );
        self.0 = Instant::now();
    }
}

/// A line of `/proc/self/status` in kilobytes (Linux only; `-` elsewhere).
fn memory(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next())
        .unwrap_or("-")
        .to_owned()
}
