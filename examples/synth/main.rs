//! A generator of valid synthetic decisions, for benchmarks and for trying bud on
//! large inputs:
//!
//! ```sh
//! cargo run --release --example synth -- --tables 100 --rows 100 --parties 190 --years 2 > big.bud
//! ```
//!
//! What the decision holds is described in `generate.rs`.

mod generate;

use clap::Parser;

/// Writes a synthetic decision to standard output.
#[derive(Debug, Parser)]
struct Arguments {
    /// Budget tables.
    #[arg(long, default_value_t = 4)]
    tables: usize,
    /// Input rows per table.
    #[arg(long, default_value_t = 20)]
    rows: usize,
    /// Parties in the scale of assessments (at least 6, so that a 22% ceiling and a
    /// 2.5% fixed share can add up to 100%).
    #[arg(long, default_value_t = 50)]
    parties: usize,
    /// Years of the budget period.
    #[arg(long, default_value_t = 2)]
    years: usize,
}

fn main() {
    let arguments = Arguments::parse();
    print!(
        "{}",
        generate::decision(&generate::Shape {
            tables: arguments.tables,
            rows: arguments.rows,
            parties: arguments.parties,
            years: arguments.years,
        })
    );
}
