//! The evaluated decision as an Excel workbook: a `Decision` sheet with every value of
//! the paragraphs, each a defined name (`programme_support_rate`, `host_offset_2013`),
//! then a sheet per table.
//!
//! A table's sheet shows the table **as adopted**: every figure the decision publishes
//! is the published figure (Table 1's 2014 grand total reads 2,963.1, not the 2,963.199
//! its rule gives), with the table's published number format, so a printed or
//! forwarded workbook carries the decision's own figures. Right of it, after an empty
//! column, a grouped block of columns checks them, live: **Check** compares each
//! published figure with its computed one: ✓ it agrees, ≈ it differs by no more than
//! rounding explains, ✗ it does not reconcile, with bud's figure (`✗ 2,559.6`; ! for a
//! published error the decision acknowledges); **Computed** repeats the table with
//! bud's rules as formulas (an input is `=B6`, a sub-total `=SUM(I6:I18)`, the support
//! charge `=programme_support_rate*I19`, a Party's rescaled rate its base rate times
//! the year's factor (`MIN` of it and the limit that holds it) and its contribution
//! that rate's share of the amount apportioned; a figure no formula restates, such as
//! a fixed share, is bud's, in grey italics). Change an input or a rate and the
//! Computed and Check columns follow; a published figure that agreed and no longer
//! does turns red. A review prints the table with its checks; a publication the table
//! alone. The tables' Check and Computed columns, the names and the Decision sheet's
//! formulas are what a budget officer edits against; nothing in them is needed to
//! read the figures as adopted.
//!
//! A review workbook (the default) marks what bud found: the figure bud names as wrong
//! is red with a note saying what would reconcile it, the figures that fail only
//! because they are computed from it are amber and dashed, with a note naming the
//! error they follow from, and every figure that differs by rounding has a note. A
//! publication workbook (`--publication`) has no marks, notes or internal names: the
//! Decision sheet shows the paragraphs' texts (their values, which the formulas read
//! by name, are on hidden rows), the check columns are collapsed and hidden, and each
//! table ends with the line saying which bud produced it from which file. Every sheet
//! prints on A4, one page wide, landscape when the table is wide, its title and
//! headings repeated on each page.
//!
//! A workbook holds binary floating-point numbers: the exact figures are in the JSON and
//! CSV outputs; here they are converted at the last moment, for display and formulas.

mod decision;
mod page;
mod table;

use std::collections::{HashMap, HashSet};

use rust_xlsxwriter::utility::{quote_sheet_name, row_col_to_cell};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use super::formula::{CellFormula, Reference};
use super::view::{Outline, Purpose, TableKind};

/// The row the first line of a table is written on (0-based), under the title, the
/// unit, the check columns' titles and the headings.
const FIRST_LINE_ROW: u32 = 4;

/// The red of a wrong figure, and of a published figure that no longer agrees.
const WRONG_FILL: u32 = 0xFFC7CE;
const WRONG_TEXT: u32 = 0x9C0006;
/// The amber of a figure that only follows from a wrong one.
const FOLLOWS_FILL: u32 = 0xFFEB9C;
const FOLLOWS_TEXT: u32 = 0x9C5700;

/// The workbook as the bytes of an .xlsx file, each table's view built as its sheet is
/// written and dropped after.
pub fn render(outline: &Outline<'_>) -> Result<Vec<u8>, String> {
    build(outline).map_err(|error| format!("cannot write the workbook: {error}"))
}

/// Where a table was written, for the Decision sheet's formulas that read it.
struct Placed {
    sheet: String,
    columns: usize,
}

fn build(outline: &Outline<'_>) -> Result<Vec<u8>, XlsxError> {
    let document = &outline.head;
    let publication = document.presentation.purpose == Purpose::Publication;
    let mut workbook = Workbook::new();
    // A fixed creation time: the same decision gives the same bytes, so a workbook in
    // version control changes only when a figure does.
    let properties = DocProperties::new()
        .set_title(format!("{}: {}", document.symbol, document.title))
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    workbook.set_properties(&properties);
    // A publication of one table is that table alone, without the Decision sheet
    // (LibreOffice prints even a hidden sheet): its formulas that read the paragraphs'
    // values hold bud's figures instead. A review of one table keeps the sheet.
    let decision = if publication && document.presentation.one_table {
        None
    } else {
        Some(decision::sheet(&mut workbook, document, publication)?)
    };
    let names = decision
        .as_ref()
        .map(|decision| decision.names.clone())
        .unwrap_or_default();
    // Sheet names compare without case, as Excel does.
    let mut used = HashSet::new();
    if decision.is_some() {
        used.insert("decision".to_owned());
    }
    let context = table::Context {
        names: &names,
        symbol: &document.symbol,
        colophon: publication.then(|| document.presentation.colophon()),
    };
    let mut placed = HashMap::new();
    // A publication leaves out a rule applied to example data (arrears), as the
    // other formats do.
    let tables = outline
        .tables()
        .filter(|table| !(publication && table.kind == TableKind::Arrears));
    for table in tables {
        let sheet_name = unique_sheet_name(&table.name, &mut used);
        let sheet = workbook.add_worksheet();
        sheet.set_name(&sheet_name)?;
        table::sheet(sheet, &table, &context)?;
        placed.insert(
            table.id.clone(),
            Placed {
                sheet: sheet_name,
                columns: table.columns.len(),
            },
        );
    }
    if let Some(decision) = decision {
        let sheet = workbook.worksheet_from_index(0)?;
        decision.write_formulas(sheet, &|reference| table_address(&placed, reference))?;
        // One table asked for alone: the Decision sheet, whose names its formulas
        // read, is hidden so that only the table shows and prints. The sheet shown
        // first cannot be hidden, so the table's is.
    }
    workbook.save_to_buffer()
}

/// `'Table 1'!F20`: where another sheet holds a table's figure, as computed (its
/// check column) or as published.
fn table_address(placed: &HashMap<String, Placed>, reference: Reference<'_>) -> Option<String> {
    let Reference::Table {
        table,
        line,
        column,
        computed,
        published,
    } = reference
    else {
        return None;
    };
    let placed = placed.get(table)?;
    let layout = table::Layout {
        columns: placed.columns,
    };
    let (row, column) = if computed && !published {
        layout.computed(line, column)
    } else {
        layout.published(line, column)
    };
    Some(format!(
        "{}!{}",
        quote_sheet_name(&placed.sheet),
        row_col_to_cell(row, column)
    ))
}

/// Whether every name a formula reads is defined in the workbook.
fn names_defined(formula: &CellFormula, names: &HashSet<String>) -> bool {
    formula.names().iter().all(|name| names.contains(*name))
}

/// `#,##0.000`: a number format with `decimals` places.
fn with_decimals(integer: &str, decimals: u32) -> String {
    if decimals == 0 {
        integer.to_owned()
    } else {
        format!("{integer}.{}", "0".repeat(decimals as usize))
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
fn unique_sheet_name(name: &str, used: &mut HashSet<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let base: String = clean.trim_matches('\'').chars().take(31).collect();
    let base = if base.is_empty() {
        "Table".to_owned()
    } else {
        base
    };
    let mut candidate = base.clone();
    let mut counter = 2;
    while used.contains(&candidate.to_lowercase()) {
        let suffix = format!(" ({counter})");
        candidate = format!(
            "{}{suffix}",
            base.chars().take(31 - suffix.len()).collect::<String>()
        );
        counter += 1;
    }
    used.insert(candidate.to_lowercase());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_cleaned_shortened_and_unique() {
        let mut used = HashSet::from(["decision".to_owned()]);
        assert_eq!(unique_sheet_name("Decision", &mut used), "Decision (2)");
        assert_eq!(unique_sheet_name("decision", &mut used), "decision (3)");
        assert_eq!(unique_sheet_name("a/b", &mut used), "a-b");
        let long = "x".repeat(40);
        assert_eq!(unique_sheet_name(&long, &mut used).chars().count(), 31);
    }
}
