//! The Decision sheet: the decision's identity, then each paragraph's values, one a
//! row, each a defined name the tables' formulas read (`programme_support_rate`). A
//! value a rule computes is a live formula over the other names and the tables'
//! figures (`host_offset_2013`, `approved_core_budget_2013`), written once the tables
//! are placed. In a publication the sheet reads as the decision's paragraphs: each
//! paragraph's number and text, with its values on hidden rows.

use std::collections::HashSet;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::utility::{row_col_to_cell, row_col_to_cell_absolute};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError};

use super::super::formula::{Addresses, CellFormula, Reference, value_name};
use super::super::view::{Document, OutcomeName, Role, Value};
use super::{FIRST_LINE_ROW, names_defined, page, with_decimals};

/// The column values are written in, which their defined names point at.
const AMOUNT_COLUMN: u16 = 3;
/// The column of a stated figure's reconciliation, as bud found it.
const LAST_COLUMN: u16 = 6;
/// Whether the stated figure agrees with the value as computed, live.
const CHECK_COLUMN: u16 = 7;
/// The width of a publication's paragraph numbers, in characters.
const NUMBER_WIDTH: u16 = 8;
/// The width of a publication's paragraph text, in characters.
const TEXT_WIDTH: u16 = 100;

/// The Decision sheet as written: the names it defines, and the computed values whose
/// formulas are written once the tables they read have their sheets.
pub(super) struct DecisionSheet {
    pub names: HashSet<String>,
    formulas: Vec<(u32, CellFormula, Decimal, Format)>,
}

/// Writes the values and defines a name for each.
pub(super) fn sheet(
    workbook: &mut Workbook,
    document: &Document,
    publication: bool,
) -> Result<DecisionSheet, XlsxError> {
    let bold = Format::new().set_bold();
    let mut defined = Vec::new();
    let mut formulas = Vec::new();
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("Decision")?;
        let title = format!("{}: {}", document.symbol, document.title);
        let meeting = document.meeting.as_ref().or(document.issuer.as_ref());
        if publication {
            // Within the printed page: the number column and the text's.
            let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
            let width = u32::from(NUMBER_WIDTH + TEXT_WIDTH);
            sheet.merge_range(0, 0, 0, 1, &title, &wrap.clone().set_bold())?;
            sheet.set_row_height(0, page::wrapped_height(&title, width))?;
            if let Some(meeting) = meeting {
                sheet.merge_range(1, 0, 1, 1, meeting, &wrap)?;
                sheet.set_row_height(1, page::wrapped_height(meeting, width))?;
            }
        } else {
            sheet.write_string_with_format(0, 0, &title, &bold)?;
            if let Some(meeting) = meeting {
                sheet.write_string(1, 0, meeting)?;
            }
        }
        if let Some(dates) = &document.dates {
            sheet.write_string(2, 0, format!("Period {dates}"))?;
        }
        if !publication {
            let headings = [
                "Paragraph",
                "Value",
                "Year",
                "Amount",
                "Unit",
                "Stated",
                "Reconciliation",
                "Check",
            ];
            for (column, heading) in (0u16..).zip(headings) {
                sheet.write_string_with_format(3, column, heading, &bold)?;
            }
        }
        let mut row = FIRST_LINE_ROW;
        for paragraph in &document.paragraphs {
            let number = paragraph
                .number
                .clone()
                .or_else(|| paragraph.heading.clone())
                .unwrap_or_default();
            if publication {
                row = paragraph_text(sheet, row, &number, paragraph.text.as_deref())?;
            }
            for value in &paragraph.values {
                let format = Format::new().set_num_format(value_format(value));
                value_row(sheet, row, &number, value, &format, publication)?;
                if value.number.is_some() {
                    defined.push((value_name(&value.name, value.year), row));
                }
                if let (Some(formula), Some(number)) = (&value.formula, value.number) {
                    formulas.push((row, formula.clone(), number, format));
                }
                if publication {
                    // The value stays for the formulas that read it, out of sight.
                    sheet.set_row_hidden(row)?;
                }
                row += 1;
            }
        }
        if publication {
            row += 1;
            sheet.write_string_with_format(
                row,
                0,
                document.presentation.colophon(),
                &Format::new().set_italic(),
            )?;
            sheet.set_column_width(0, NUMBER_WIDTH)?;
            sheet.set_column_width(1, TEXT_WIDTH)?;
            page::set_up_paragraphs(sheet, &document.symbol, row, 1)?;
        } else {
            sheet.set_column_width(0, 10)?;
            sheet.set_column_width(1, 32)?;
            sheet.set_column_width(3, 18)?;
            sheet.set_column_width(6, 60)?;
            page::set_up_paragraphs(sheet, &document.symbol, row.saturating_sub(1), CHECK_COLUMN)?;
        }
    }
    let mut names = HashSet::new();
    for (name, row) in defined {
        // A name Excel would read as a cell (`ab12`) cannot be defined; formulas that
        // need it fall back to the computed figure.
        if is_definable(&name)
            && workbook
                .define_name(
                    &name,
                    &format!("=Decision!{}", row_col_to_cell_absolute(row, AMOUNT_COLUMN)),
                )
                .is_ok()
        {
            names.insert(name);
        }
    }
    Ok(DecisionSheet { names, formulas })
}

impl DecisionSheet {
    /// Each computed value's rule as a live formula, where every name it reads is
    /// defined and every table figure has a cell; bud's figure is its cached result.
    pub(super) fn write_formulas(
        &self,
        sheet: &mut Worksheet,
        tables: &Addresses<'_>,
    ) -> Result<(), XlsxError> {
        let address = |reference: Reference<'_>| match reference {
            Reference::Table { .. } => tables(reference),
            Reference::Cell { .. } | Reference::Published { .. } => None,
        };
        for (row, formula, number, format) in &self.formulas {
            if !names_defined(formula, &self.names) {
                continue;
            }
            let Some(text) = formula.spreadsheet(&address) else {
                continue;
            };
            sheet.write_formula_with_format(
                *row,
                AMOUNT_COLUMN,
                Formula::new(format!("={text}")).set_result(number.normalize().to_string()),
                format,
            )?;
        }
        Ok(())
    }
}

/// A publication's paragraph: its number and its text, wrapped; the next free row.
fn paragraph_text(
    sheet: &mut Worksheet,
    row: u32,
    number: &str,
    text: Option<&str>,
) -> Result<u32, XlsxError> {
    let Some(text) = text else {
        return Ok(row);
    };
    let top = Format::new().set_align(FormatAlign::Top);
    sheet.write_string_with_format(row, 0, number, &top)?;
    sheet.write_string_with_format(row, 1, text, &top.clone().set_text_wrap())?;
    sheet.set_row_height(row, page::wrapped_height(text, TEXT_WIDTH.into()))?;
    Ok(row + 1)
}

fn value_row(
    sheet: &mut Worksheet,
    row: u32,
    paragraph: &str,
    value: &Value,
    format: &Format,
    publication: bool,
) -> Result<(), XlsxError> {
    sheet.write_string(row, 0, paragraph)?;
    sheet.write_string(row, 1, &value.name)?;
    if let Some(year) = value.year {
        sheet.write_number(row, 2, year)?;
    }
    match value.number.and_then(|n| n.to_f64()) {
        Some(number) => {
            sheet.write_number_with_format(row, AMOUNT_COLUMN, number, format)?;
        }
        None => {
            sheet.write_string(row, AMOUNT_COLUMN, &value.shown)?;
        }
    }
    sheet.write_string(row, 4, &value.number_unit)?;
    if let Some(stated) = &value.stated {
        // In a review, the wrong figure and those that follow from it, as in the tables.
        let marked = match value.role.filter(|_| !publication) {
            Some(Role::Wrong(_)) => Format::new()
                .set_background_color(super::WRONG_FILL)
                .set_font_color(super::WRONG_TEXT)
                .set_bold(),
            Some(Role::Follows(_)) => Format::new()
                .set_background_color(super::FOLLOWS_FILL)
                .set_font_color(super::FOLLOWS_TEXT)
                .set_border(FormatBorder::Dashed),
            None => Format::new(),
        };
        sheet.write_string_with_format(row, 5, &stated.written, &marked)?;
        if !publication {
            sheet.write_string(row, LAST_COLUMN, &value.note)?;
            check(sheet, row, value)?;
        }
    }
    Ok(())
}

/// `=IF(ABS(2922100-D12)<=…,"✓",IF(ABS(2922100-D12)<=672,"≈","✗"))`: the stated
/// figure against the value as its formula now computes it. A paragraph's figures are
/// exact, so only an equal one agrees; the tolerance is what the tables' rounding
/// allows, as bud found it.
fn check(sheet: &mut Worksheet, row: u32, value: &Value) -> Result<(), XlsxError> {
    let Some(stated) = &value.stated else {
        return Ok(());
    };
    let found = match stated.outcome {
        OutcomeName::Matches => "✓",
        OutcomeName::Rounding => "≈",
        OutcomeName::Mismatch => "✗",
        OutcomeName::Acknowledged => "!",
        OutcomeName::NotChecked => return Ok(()),
    };
    let failed = if found == "!" { "!" } else { "✗" };
    // The stated figure and its tolerance are in the unit it is written in: a rate
    // in per cent, where the sheet holds the fraction.
    let per_cent = value.number_unit == "%";
    let in_sheet = |text: &str| {
        let number = text.parse::<Decimal>().ok()?;
        Some(
            if per_cent {
                number / Decimal::ONE_HUNDRED
            } else {
                number
            }
            .normalize(),
        )
    };
    let (Some(published), Some(tolerance)) = (in_sheet(&stated.value), in_sheet(&stated.tolerance))
    else {
        return Ok(());
    };
    let computed = row_col_to_cell(row, AMOUNT_COLUMN);
    let difference = format!("ABS({published}-{computed})");
    sheet.write_formula_with_format(
        row,
        CHECK_COLUMN,
        Formula::new(format!(
            "=IF({difference}<=1E-9*MAX(1,ABS({published})),\"✓\",IF({difference}<={tolerance},\"≈\",\"{failed}\"))"
        ))
        .set_result(found),
        &Format::new().set_align(FormatAlign::Center),
    )?;
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
}
