//! The evaluated decision as an Excel workbook: a `Decision` sheet with every value of
//! the paragraphs, each a defined name (`programme_support_rate`, `host_offset_2013`),
//! then a sheet per table. Figures are numbers with the table's published number format
//! (`#,##0.0`, a zero shown as `-`), and wherever the decision computes a figure from
//! other cells (a sub-total, 13% of it, a Total column) the cell holds the live formula,
//! with bud's result cached for readers that do not recalculate. A stated figure that
//! differs from what bud computes carries a note saying so: the sheet shows what its
//! formulas compute (Table 1's 2014 grand total reads 2,963.2, 2,963.199 at one
//! decimal), and the note gives the published 2,963.1 and why rounding explains it.
//!
//! A workbook holds binary floating-point numbers: the exact figures are in the JSON and
//! CSV outputs; here they are converted at the last moment, for display and formulas.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::utility::{row_col_to_cell, row_col_to_cell_absolute};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Note, Workbook, Worksheet,
    XlsxError,
};

use super::formula::{CellFormula, value_name};
use super::view::{CellKind, Document, LineKind, OutcomeName, Outline, Table, TableCell, Value};
use crate::format::{Notation, superscript_marks};

/// The row the first line of a table is written on (0-based), under the title, the
/// unit and the headings.
const FIRST_LINE_ROW: u32 = 4;

/// The workbook as the bytes of an .xlsx file, each table's view built as its sheet is
/// written and dropped after.
pub fn render(outline: &Outline<'_>) -> Result<Vec<u8>, String> {
    build(outline).map_err(|error| format!("cannot write the workbook: {error}"))
}

fn build(outline: &Outline<'_>) -> Result<Vec<u8>, XlsxError> {
    let document = &outline.head;
    let mut workbook = Workbook::new();
    // A fixed creation time: the same decision gives the same bytes, so a workbook in
    // version control changes only when a figure does.
    let properties = DocProperties::new()
        .set_title(format!("{}: {}", document.symbol, document.title))
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    workbook.set_properties(&properties);
    let names = decision_sheet(&mut workbook, document)?;
    // Sheet names compare without case, as Excel does.
    let mut used = HashSet::from(["decision".to_owned()]);
    for table in outline.tables() {
        let sheet_name = unique_sheet_name(&table.name, &mut used);
        let sheet = workbook.add_worksheet();
        sheet.set_name(&sheet_name)?;
        table_sheet(sheet, &table, &names)?;
    }
    workbook.save_to_buffer()
}

// ---------------------------------------------------------------- the Decision sheet

/// Writes the values and defines a name for each; returns the names defined.
fn decision_sheet(
    workbook: &mut Workbook,
    document: &Document,
) -> Result<HashSet<String>, XlsxError> {
    let bold = Format::new().set_bold();
    let mut defined = Vec::new();
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("Decision")?;
        sheet.write_string_with_format(
            0,
            0,
            format!("{}: {}", document.symbol, document.title),
            &bold,
        )?;
        if let Some(meeting) = document.meeting.as_ref().or(document.issuer.as_ref()) {
            sheet.write_string(1, 0, meeting)?;
        }
        if let Some(dates) = &document.dates {
            sheet.write_string(2, 0, format!("Period {dates}"))?;
        }
        let headings = [
            "Paragraph",
            "Value",
            "Year",
            "Amount",
            "Unit",
            "Stated",
            "Reconciliation",
        ];
        for (column, heading) in (0u16..).zip(headings) {
            sheet.write_string_with_format(3, column, heading, &bold)?;
        }
        let mut row = FIRST_LINE_ROW;
        for paragraph in &document.paragraphs {
            let number = paragraph
                .number
                .clone()
                .or_else(|| paragraph.heading.clone())
                .unwrap_or_default();
            for value in &paragraph.values {
                value_row(sheet, row, &number, value)?;
                if value.number.is_some() {
                    defined.push((value_name(&value.name, value.year), row));
                }
                row += 1;
            }
        }
        sheet.set_column_width(0, 10)?;
        sheet.set_column_width(1, 32)?;
        sheet.set_column_width(3, 18)?;
        sheet.set_column_width(6, 60)?;
    }
    let mut names = HashSet::new();
    for (name, row) in defined {
        // A name Excel would read as a cell (`ab12`) cannot be defined; formulas that
        // need it fall back to the computed figure.
        if is_definable(&name)
            && workbook
                .define_name(
                    &name,
                    &format!("=Decision!{}", row_col_to_cell_absolute(row, 3)),
                )
                .is_ok()
        {
            names.insert(name);
        }
    }
    Ok(names)
}

fn value_row(
    sheet: &mut Worksheet,
    row: u32,
    paragraph: &str,
    value: &Value,
) -> Result<(), XlsxError> {
    sheet.write_string(row, 0, paragraph)?;
    sheet.write_string(row, 1, &value.name)?;
    if let Some(year) = value.year {
        sheet.write_number(row, 2, year)?;
    }
    match value.number.and_then(|n| n.to_f64()) {
        Some(number) => {
            let format = Format::new().set_num_format(value_format(value));
            sheet.write_number_with_format(row, 3, number, &format)?;
        }
        None => {
            sheet.write_string(row, 3, &value.shown)?;
        }
    }
    sheet.write_string(row, 4, &value.number_unit)?;
    if let Some(stated) = &value.stated {
        sheet.write_string(row, 5, &stated.written)?;
        sheet.write_string(row, 6, &value.note)?;
    }
    Ok(())
}

/// Every digit the value has: `#,##0.0646` for US$ 189,533.0646, `0.0%` for 16.5%.
fn value_format(value: &Value) -> String {
    let Some(number) = value.number else {
        return "General".to_owned();
    };
    if value.number_unit == "%" {
        let percent = (number * Decimal::ONE_HUNDRED).normalize();
        return format!("{}%", with_decimals("0", percent.scale().min(10)));
    }
    with_decimals("#,##0", number.normalize().scale().min(10))
}

fn with_decimals(integer: &str, decimals: u32) -> String {
    if decimals == 0 {
        integer.to_owned()
    } else {
        format!("{integer}.{}", "0".repeat(decimals as usize))
    }
}

/// Whether Excel accepts `name` as a defined name: a letter or `_` first, then letters,
/// digits, `_` and `.`, and not something that reads as a cell (`AB12`, `R1C1`).
fn is_definable(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_well = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let letters = name.chars().take_while(char::is_ascii_alphabetic).count();
    let digits_after = name[letters..].chars().all(|c| c.is_ascii_digit());
    let looks_like_a1 = (1..=3).contains(&letters) && digits_after && letters < name.len();
    let lower = name.to_ascii_lowercase();
    let looks_like_r1c1 = lower == "r"
        || lower == "c"
        || (lower.starts_with('r') || lower.starts_with('c'))
            && lower[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit());
    starts_well && rest_well && name.len() <= 255 && !looks_like_a1 && !looks_like_r1c1
}

// ---------------------------------------------------------------- table sheets

fn table_sheet(
    sheet: &mut Worksheet,
    table: &Table,
    names: &HashSet<String>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    // Footnote marks as the decision prints them, raised: `^a` is `ᵃ`.
    let heading = match &table.title {
        Some(title) => format!("{}. {}", table.name, superscript_marks(title)),
        None => table.name.clone(),
    };
    sheet.write_string_with_format(0, 0, heading, &bold)?;
    sheet.write_string_with_format(
        1,
        0,
        format!("({})", table.unit),
        &Format::new().set_italic(),
    )?;
    let right = Format::new()
        .set_bold()
        .set_align(rust_xlsxwriter::FormatAlign::Right);
    sheet.write_string_with_format(3, 0, &table.label_heading, &bold)?;
    for (column, heading) in (1u16..).zip(&table.columns) {
        sheet.write_string_with_format(3, column, superscript_marks(&heading.heading), &right)?;
    }
    let formats: Vec<Format> = (0..table.columns.len())
        .map(|column| Format::new().set_num_format(column_format(table, column)))
        .collect();
    let mut label_formats: HashMap<(usize, bool), Format> = HashMap::new();
    let mut row = FIRST_LINE_ROW;
    for line in &table.lines {
        let strong = matches!(
            line.kind,
            LineKind::Section | LineKind::Computed | LineKind::Total
        );
        let label_format = label_formats
            .entry((line.depth, strong))
            .or_insert_with(|| {
                let format = Format::new().set_indent(u8::try_from(line.depth).unwrap_or(u8::MAX));
                if strong { format.set_bold() } else { format }
            });
        sheet.write_string_with_format(row, 0, superscript_marks(&line.label), label_format)?;
        for ((column, cell), format) in (1u16..).zip(&line.cells).zip(&formats) {
            write_cell(sheet, row, column, cell, format, names, table)?;
        }
        row += 1;
    }
    row += 1;
    for text in table.footnotes.iter().chain(&table.notes) {
        sheet.write_string(row, 0, superscript_marks(text))?;
        row += 1;
    }
    let label_width = table
        .lines
        .iter()
        .map(|l| l.label.chars().count() + 2 * l.depth)
        .max()
        .unwrap_or(12);
    sheet.set_column_width(0, u16::try_from(label_width.clamp(12, 80)).unwrap_or(80))?;
    for (column, definition) in (1u16..).zip(&table.columns) {
        if definition.text {
            // Words wrap within a wide column (`write_cell`), as the table sets them.
            sheet.set_column_width(column, 60)?;
        } else {
            sheet.set_column_width(column, 14)?;
        }
    }
    sheet.set_freeze_panes(FIRST_LINE_ROW, 1)?;
    Ok(())
}

/// The published format of a column: its decimals, thousands grouped, a zero as `-`
/// as the decision prints a dash.
fn column_format(table: &Table, column: usize) -> String {
    let decimals = table
        .columns
        .get(column)
        .and_then(|c| c.decimals)
        .or_else(|| {
            let whole = table
                .lines
                .iter()
                .filter_map(|line| line.cells.get(column)?.number)
                .all(|n| n.fract().is_zero());
            whole.then_some(0)
        });
    match decimals {
        // The workbook's thousands separator is the reader's own (a space in much of
        // Europe); the notation decides the sign and the nil dash.
        Some(decimals) => {
            let positive = with_decimals("#,##0", decimals);
            match table.notation {
                Notation::Comma => format!("{positive};-{positive};\"-\""),
                Notation::Un => format!("{positive};({positive});\"\u{2013}\""),
            }
        }
        None => "General".to_owned(),
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: &TableCell,
    format: &Format,
    names: &HashSet<String>,
    table: &Table,
) -> Result<(), XlsxError> {
    // A figure that does not reconcile is shown as published; bud's figure, and the
    // formula that gives it, are in the cell's note.
    let published = cell
        .stated
        .as_ref()
        .filter(|_| cell.bud.is_some())
        .and_then(|stated| stated.value.parse::<Decimal>().ok());
    if let Some(published) = published.and_then(|p| p.to_f64()) {
        sheet.write_number_with_format(row, column, published, format)?;
    }
    let number = cell
        .number
        .and_then(|n| n.to_f64())
        .filter(|_| published.is_none());
    let formula = cell
        .formula
        .as_ref()
        .filter(|f| names_defined(f, names))
        .filter(|_| published.is_none());
    match (formula, number) {
        (Some(formula), Some(_)) => {
            let text = formula.spreadsheet(&|line, column| cell_address(line, column));
            let result = cell
                .formula_result
                .or(cell.number)
                .map(|n| n.normalize().to_string())
                .unwrap_or_default();
            sheet.write_formula_with_format(
                row,
                column,
                Formula::new(format!("={text}")).set_result(result),
                format,
            )?;
        }
        (None, Some(number)) => {
            sheet.write_number_with_format(row, column, number, format)?;
        }
        (_, None) if cell.kind == CellKind::Text => {
            let words = Format::new().set_text_wrap().set_align(FormatAlign::Top);
            sheet.write_string_with_format(row, column, &cell.shown, &words)?;
        }
        _ if published.is_some() => {}
        (_, None) if !cell.shown.is_empty() => {
            sheet.write_string(row, column, &cell.shown)?;
        }
        _ => {}
    }
    if let Some(stated) = cell
        .stated
        .as_ref()
        .filter(|s| s.outcome != OutcomeName::Matches)
    {
        let mut text = table.footnote(&cell.mark).map_or_else(
            || format!("published {}", stated.written),
            superscript_marks,
        );
        let rule = cell
            .formula
            .as_ref()
            .filter(|f| published.is_some() && names_defined(f, names));
        if let Some(rule) = rule {
            let formula = rule.spreadsheet(&|line, column| cell_address(line, column));
            text.push_str(&format!(
                ". The cell shows the published figure; bud computes ={formula}"
            ));
        }
        sheet.insert_note(row, column, &Note::new(text).set_author("bud"))?;
    }
    Ok(())
}

/// `B17`: where a table's line and column are on its sheet.
fn cell_address(line: usize, column: usize) -> String {
    let row = FIRST_LINE_ROW.saturating_add(u32::try_from(line).unwrap_or(u32::MAX));
    let column = u16::try_from(column + 1).unwrap_or(u16::MAX);
    row_col_to_cell(row, column)
}

fn names_defined(formula: &CellFormula, names: &HashSet<String>) -> bool {
    match formula {
        CellFormula::Name { name, .. } => names.contains(name),
        CellFormula::Cell { .. } | CellFormula::Number(_) => true,
        CellFormula::Sum(parts) => parts.iter().all(|p| names_defined(p, names)),
        CellFormula::Negate(inner) => names_defined(inner, names),
        CellFormula::Binary { lhs, rhs, .. } => {
            names_defined(lhs, names) && names_defined(rhs, names)
        }
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
    fn names_that_read_as_cells_are_not_defined() {
        assert!(is_definable("programme_support_rate"));
        assert!(is_definable("host_offset_2013"));
        assert!(!is_definable("ab12"));
        assert!(!is_definable("r1c1"));
        assert!(!is_definable("c"));
        assert!(!is_definable("2x"));
    }

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
