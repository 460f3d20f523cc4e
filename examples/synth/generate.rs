//! The generator of synthetic decisions behind `cargo run --example synth` (see
//! `main.rs`), shared with the benchmarks (`benches/`), which include this file.
//!
//! The decision uses every construct of the language: a decision block, paragraphs
//! with a rate, an amount and a per-year growth, tables of input rows in sections,
//! computed rows (a sum of a section, a percentage of it, a total), stated figures
//! that reconcile (every seventh table's first grand total is stated a rounding digit
//! off, so it reconciles as rounding), a scale of assessments apportioning the first
//! table's grand total among the Parties under a fixed share and a ceiling, and a
//! scenario. Figures come from a fixed pseudo-random sequence: the same shape always
//! gives the same file. The scale's published figures are those bud computes for the
//! scale written without them, so the file checks cleanly.

#![allow(dead_code)]

use std::fmt::Write as _;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// A linear congruential sequence: deterministic, and enough to vary the figures.
struct Figures(u64);

impl Figures {
    /// The next amount in thousands, 0.1 to 999.9.
    fn next_tenths(&mut self) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        i64::try_from((self.0 >> 33) % 9_999).unwrap_or(0) + 1
    }
}

/// The size of a synthetic decision.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Budget tables.
    pub tables: usize,
    /// Input rows per table.
    pub rows: usize,
    /// Parties in the scale of assessments (at least 6, so that a 22% ceiling and a
    /// 2.5% fixed share can add up to 100%).
    pub parties: usize,
    /// Years of the budget period.
    pub years: usize,
}

impl Shape {
    /// `rows` input rows in all, in tables of a hundred (fewer if `rows` is smaller),
    /// over two years, with 190 Parties: the shape the benchmarks grow.
    pub fn with_rows(rows: usize) -> Shape {
        let per_table = rows.clamp(1, 100);
        Shape {
            tables: rows.div_ceil(per_table),
            rows: per_table,
            parties: 190,
            years: 2,
        }
    }
}

/// The text of a synthetic decision of this shape.
pub fn decision(shape: &Shape) -> String {
    let years: Vec<i32> = (0..shape.years.max(1))
        .map(|offset| 2013 + i32::try_from(offset).unwrap_or(0))
        .collect();
    let mut text = header(&years);
    let mut figures = Figures(7);
    for table in 1..=shape.tables.max(1) {
        budget_table(&mut text, table, shape.rows.max(1), &years, &mut figures);
    }
    let blank = scale(shape, &years, &mut figures, None);
    let stated = stated_scale(&format!("{text}{blank}"), shape.tables.max(1) + 1);
    text.push_str(&scale(shape, &years, &mut Figures(11), stated.as_deref()));
    text.push_str(SCENARIO);
    text
}

const SCENARIO: &str = "\nscenario faster-growth \"If the host contribution grew by 3 per cent a year\" {\n    replace host_growth = 3 per cent\n}\n";

fn header(years: &[i32]) -> String {
    let first = years.first().copied().unwrap_or(2013);
    let last = years.last().copied().unwrap_or(first);
    format!(
        "// A synthetic decision written by `cargo run --example synth`.\n\n\
         decision \"SYN/1\" {{\n    title    \"A synthetic budget\"\n    period   {first}-{last}\n    currency US$\n}}\n\n\
         programme_support_rate = 13%\n\n\
         paragraph 1 \"A host contribution, growing each year\" {{\n    \
         host_contribution = US$ 1,000,000\n    host_growth       = 2 per cent\n    \
         host_offset[year] = host_contribution * (1 + host_growth) ^ (year - {first})\n}}\n"
    )
}

/// Tenths of a thousand as the table writes them: `1,234.5`.
fn shown(tenths: i64) -> String {
    let value = Decimal::new(tenths, 1);
    let text = value.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
    let digits: Vec<char> = whole.trim_start_matches('-').chars().collect();
    let mut grouped = String::new();
    for (index, digit) in digits.iter().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(*digit);
    }
    let sign = if whole.starts_with('-') { "-" } else { "" };
    format!("{sign}{grouped}.{fraction}")
}

/// 13% of an amount in tenths, rounded half-up to a tenth.
fn support(tenths: i64) -> i64 {
    tenths_of(Decimal::new(tenths * 13, 3))
}

fn budget_table(
    text: &mut String,
    number: usize,
    rows: usize,
    years: &[i32],
    figures: &mut Figures,
) {
    let columns: Vec<String> = years.iter().map(i32::to_string).collect();
    let _ = write!(
        text,
        "\ntable {number} budget_{number} {{\n    title    \"Resource requirements, part {number}\"\n    \
         unit     thousands of US$\n    rounding 0.1 half-up\n    columns  {} Total\n\n    \
         I. expenditures \"Expenditures\" {{\n",
        columns.join(" ")
    );
    let mut subtotal = vec![0_i64; years.len()];
    for row in 1..=rows {
        let amounts: Vec<i64> = years.iter().map(|_| figures.next_tenths()).collect();
        for (sum, amount) in subtotal.iter_mut().zip(&amounts) {
            *sum += amount;
        }
        let line = line_figures(&amounts, amounts.iter().sum());
        let _ = writeln!(text, "        line_{row} \"Line {row}\" {line}");
    }
    text.push_str("    }\n");
    let total: i64 = subtotal.iter().sum();
    let _ = writeln!(
        text,
        "    subtotal \"Sub-total (I)\" {}  = sum(expenditures)",
        line_figures(&subtotal, total)
    );
    let charges: Vec<i64> = subtotal.iter().map(|s| support(*s)).collect();
    let _ = writeln!(
        text,
        "    II. support \"Programme support charge (13%)\" {}  = programme_support_rate of subtotal",
        line_figures(&charges, support(total))
    );
    // The grand total adds the exact charge, not the rounded one.
    let exact: Vec<Decimal> = subtotal
        .iter()
        .map(|sum| Decimal::new(*sum, 1) + Decimal::new(sum * 13, 3))
        .collect();
    let mut grand: Vec<i64> = exact.iter().map(|e| tenths_of(*e)).collect();
    // Every seventh table rounds its first grand total the other way, a digit off: it
    // reconciles as rounding (≈), which is within what the rounded lines explain.
    if number % 7 == 0 {
        if let (Some(first), Some(value)) = (grand.first_mut(), exact.first()) {
            *first += if Decimal::new(*first, 1) > *value {
                -1
            } else {
                1
            };
        }
    }
    let grand_total = tenths_of(Decimal::new(total, 1) + Decimal::new(total * 13, 3));
    let _ = writeln!(
        text,
        "    grand_total \"GRAND TOTAL (I + II)\" {}  = subtotal + support\n}}",
        line_figures(&grand, grand_total)
    );
}

/// An exact amount rounded half-up to tenths, counted in tenths.
fn tenths_of(exact: Decimal) -> i64 {
    let rounded = exact.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    (rounded * Decimal::TEN).to_i64().unwrap_or(0)
}

fn line_figures(amounts: &[i64], total: i64) -> String {
    let mut parts: Vec<String> = amounts.iter().map(|a| shown(*a)).collect();
    parts.push(shown(total));
    parts.join("   ")
}

/// The scale of assessments: Parties with UN rates (one of them fixed at 2.5%, every
/// rate under a 22% ceiling), apportioning Table 1's grand total. With `stated`, the
/// published figures of each Party line; without, blanks for bud to compute.
fn scale(shape: &Shape, years: &[i32], figures: &mut Figures, stated: Option<&[String]>) -> String {
    let columns: Vec<String> = years.iter().map(i32::to_string).collect();
    let number = shape.tables.max(1) + 1;
    let mut text = format!(
        "\nscale {number} contributions {{\n    title    \"Contributions\"\n    unit     US$\n    \
         rounding 1 half-up\n    columns  {} Total\n\n    apportion budget_1.grand_total\n    \
         rates     rounding 0.001 half-up\n    fixed     \"Party 1\" 2.5%\n    ceiling   22%\n\n",
        columns.join(" ")
    );
    for party in 1..=shape.parties.max(6) {
        let rate = Decimal::new(figures.next_tenths(), 3);
        let line = match stated.and_then(|lines| lines.get(party - 1)) {
            Some(line) => line.clone(),
            None => {
                let mut parts = Vec::new();
                for _ in years {
                    parts.push(format!("{rate:.3}"));
                    parts.push("_".to_owned());
                    parts.push("_".to_owned());
                }
                parts.push("_".to_owned());
                parts.join("  ")
            }
        };
        let _ = writeln!(text, "    \"Party {party}\"  {line}");
    }
    text.push_str("}\n");
    text
}

/// The Party lines' figures as bud computes them for the scale written with blanks:
/// base rate, adjusted rate and contribution per year, then the Total.
fn stated_scale(source: &str, number: usize) -> Option<Vec<String>> {
    let checked = bud::check(
        &bud::world::Memory::decision(source),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    )
    .into_first()?;
    let model = checked.model?;
    let name = format!("Table {number}");
    let scale = model
        .scales
        .scales
        .iter()
        .find(|s| s.def.display_name() == name)?;
    let mut lines = Vec::new();
    for (party, definition) in scale.def.parties.iter().enumerate() {
        let mut parts = Vec::new();
        let mut total = Decimal::ZERO;
        for (index, year) in scale.years.iter().enumerate() {
            let base = scale.def.base(definition, index);
            let rate = year.rates.as_ref().ok()?.rates.get(party)?.to_decimal();
            let contribution = year.contributions.get(party)?.value.to_decimal();
            total += contribution;
            parts.push(format!("{base:.3}"));
            parts.push(format!(
                "{:.3}",
                rate.round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
            ));
            parts.push(whole(contribution));
        }
        parts.push(whole(total));
        lines.push(parts.join("  "));
    }
    Some(lines)
}

/// A contribution rounded half-up to a whole US$, grouped: `30,385`.
fn whole(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let text = shown(rounded.to_i64().unwrap_or(0) * 10);
    text.trim_end_matches(".0").to_owned()
}
