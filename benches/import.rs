//! `bud import` of a 10,000-row budget table: a workbook built in memory with
//! rust_xlsxwriter (100 sections of 98 lines, each closed by a `SUM` sub-total, a 13%
//! support row and a grand total over the sub-totals, every computed figure a live
//! formula) and the same table as CSV with typed figures, whose rules are recognised
//! from the figures. Each is read, inferred, written and formatted
//! (`bud::import::import`), as the command does before writing the file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Formula, Workbook};

const SECTIONS: u32 = 100;
const LINES: u32 = 98;

/// The figure of a line, in thousands with one decimal: exact, and varied.
fn figure(section: u32, line: u32, year: u32) -> Decimal {
    Decimal::new(
        i64::from((section * 7919 + line * 104_729 + year * 31) % 900_000 + 1000),
        1,
    )
}

/// The table as (label, [2020, 2021], formulas) rows; row 1 is the title, 2 the unit,
/// 4 the header, and the lines start on row 5 (1-based).
fn workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Budget").unwrap();
    sheet
        .write_string(0, 0, "Table 1. A budget of 10,000 lines")
        .unwrap();
    sheet.write_string(1, 0, "(thousands of US$)").unwrap();
    sheet.write_number(3, 1, 2020).unwrap();
    sheet.write_number(3, 2, 2021).unwrap();
    sheet.write_string(3, 3, "Total").unwrap();
    let mut row = 4u32;
    let mut subtotals = Vec::new();
    for section in 0..SECTIONS {
        sheet
            .write_string(row, 0, format!("Programme {section}"))
            .unwrap();
        row += 1;
        let first = row;
        let mut sums = [Decimal::ZERO; 2];
        for line in 0..LINES {
            sheet
                .write_string(row, 0, format!("Line {section}.{line}"))
                .unwrap();
            for year in 0..2u32 {
                let value = figure(section, line, year);
                sums[year as usize] += value;
                sheet
                    .write_number(row, 1 + year as u16, value.to_f64().unwrap())
                    .unwrap();
            }
            let total = figure(section, line, 0) + figure(section, line, 1);
            let formula =
                Formula::new(format!("=SUM(B{0}:C{0})", row + 1)).set_result(total.to_string());
            sheet.write_formula(row, 3, formula).unwrap();
            row += 1;
        }
        sheet
            .write_string(row, 0, format!("Sub-total {section}"))
            .unwrap();
        for (year, column) in ["B", "C"].iter().enumerate() {
            let formula = Formula::new(format!("=SUM({column}{}:{column}{row})", first + 1))
                .set_result(sums[year].to_string());
            sheet.write_formula(row, 1 + year as u16, formula).unwrap();
        }
        subtotals.push((row + 1, sums));
        row += 1;
    }
    let mut grand = [Decimal::ZERO; 2];
    for (_, sums) in &subtotals {
        grand[0] += sums[0];
        grand[1] += sums[1];
    }
    sheet.write_string(row, 0, "Total programmes").unwrap();
    for (year, column) in ["B", "C"].iter().enumerate() {
        let terms: Vec<String> = subtotals
            .iter()
            .map(|(r, _)| format!("{column}{r}"))
            .collect();
        let formula =
            Formula::new(format!("={}", terms.join("+"))).set_result(grand[year].to_string());
        sheet.write_formula(row, 1 + year as u16, formula).unwrap();
    }
    row += 1;
    sheet
        .write_string(row, 0, "Programme support costs (13%)")
        .unwrap();
    for (year, column) in ["B", "C"].iter().enumerate() {
        let support = grand[year] * Decimal::new(13, 2);
        let formula = Formula::new(format!("={column}{}*13%", row)).set_result(support.to_string());
        sheet.write_formula(row, 1 + year as u16, formula).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The same table as CSV, every figure typed as the sheet shows it.
fn csv() -> Vec<u8> {
    let mut text =
        String::from("Table 1. A budget of 10,000 lines\n(thousands of US$)\n\n,2020,2021,Total\n");
    for section in 0..SECTIONS {
        let _ = writeln!(text, "Programme {section},,,");
        let mut sums = [Decimal::ZERO; 2];
        for line in 0..LINES {
            let a = figure(section, line, 0);
            let b = figure(section, line, 1);
            sums[0] += a;
            sums[1] += b;
            let _ = writeln!(text, "Line {section}.{line},{a},{b},{}", a + b);
        }
        let _ = writeln!(
            text,
            "Sub-total {section},{},{},{}",
            sums[0],
            sums[1],
            sums[0] + sums[1]
        );
    }
    text.into_bytes()
}

fn importing(c: &mut Criterion) {
    let xlsx = workbook();
    let csv = csv();
    let mut group = c.benchmark_group("import 10,000 rows");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for (name, bytes, kind) in [
        ("xlsx with formulas", &xlsx, bud::import::Kind::Xlsx),
        ("csv, rules from the figures", &csv, bud::import::Kind::Csv),
    ] {
        let request = bud::import::Request {
            file: "budget",
            kind,
            sheet: None,
            range: None,
            name: None,
        };
        // The rules are recognised, not left as inputs.
        let imported = bud::import::import(bytes, &request).unwrap();
        assert!(
            imported.computed >= usize::try_from(SECTIONS).unwrap(),
            "{name}"
        );
        group.bench_function(name, |b| {
            b.iter(|| bud::import::import(black_box(bytes), &request).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, importing);
criterion_main!(benches);
