//! A table's sheet: the title, the unit and the headings; each line with its figures
//! as adopted; right of them the check columns (bud's rules as live formulas, and each
//! published figure against its computed one); the decision's notes and, in a review,
//! bud's numbered remarks, or in a publication the line that says what produced it.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    Color, ConditionalFormatFormula, ConditionalFormatText, ConditionalFormatTextRule, Format,
    FormatAlign, FormatBorder, Formula, Note, Worksheet, XlsxError,
};

use super::super::formula::Reference;
use super::super::view::{CellKind, LineKind, OutcomeName, Role, Table, TableCell};
use super::{
    FIRST_LINE_ROW, FOLLOWS_FILL, FOLLOWS_TEXT, WRONG_FILL, WRONG_TEXT, names_defined, page,
    with_decimals,
};
use crate::format::{Notation, fixed, superscript_marks};
use crate::syntax::ast::RoundingMode;

/// What every table sheet of one workbook shares.
pub(super) struct Context<'a> {
    /// The defined names a formula may read.
    pub names: &'a HashSet<String>,
    /// The decision's symbol, for the page header.
    pub symbol: &'a str,
    /// In a publication, the line saying which bud produced it from which file.
    pub colophon: Option<String>,
}

impl Context<'_> {
    fn publication(&self) -> bool {
        self.colophon.is_some()
    }
}

/// Where a table's cells are on its sheet: the labels in column A, the figures as
/// adopted in the next `columns` columns, an empty column, the checks (beside the
/// table, so a review prints them with it), then the computed figures.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub columns: usize,
}

impl Layout {
    /// A figure as the decision publishes it.
    pub fn published(self, line: usize, column: usize) -> (u32, u16) {
        (row(line), to_column(1 + column))
    }

    /// The same figure as bud's rule computes it, live.
    pub fn computed(self, line: usize, column: usize) -> (u32, u16) {
        (row(line), to_column(2 * self.columns + 2 + column))
    }

    /// Whether the published figure agrees with the computed one.
    fn check(self, line: usize, column: usize) -> (u32, u16) {
        (row(line), to_column(self.columns + 2 + column))
    }

    fn last_column(self) -> u16 {
        to_column(self.columns)
    }
}

fn row(line: usize) -> u32 {
    FIRST_LINE_ROW.saturating_add(u32::try_from(line).unwrap_or(u32::MAX))
}

/// A column past Excel's last is refused when written, not wrapped around.
fn to_column(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

fn address((row, column): (u32, u16)) -> String {
    row_col_to_cell(row, column)
}

/// A computed figure no formula restates: bud's, as a constant.
const CONSTANT_TEXT: u32 = 0x595959;

/// The formats of a table's figures, by column.
struct Styles {
    published: Vec<Format>,
    wrong: Vec<Format>,
    follows: Vec<Format>,
    computed: Vec<Format>,
    constant: Vec<Format>,
    check: Format,
    words: Format,
}

impl Styles {
    fn of(table: &Table) -> Self {
        let published: Vec<Format> = (0..table.columns.len())
            .map(|column| Format::new().set_num_format(column_format(table, column, 0)))
            .collect();
        let computed: Vec<Format> = (0..table.columns.len())
            .map(|column| Format::new().set_num_format(column_format(table, column, 2)))
            .collect();
        Styles {
            wrong: published
                .iter()
                .map(|format| {
                    format
                        .clone()
                        .set_background_color(WRONG_FILL)
                        .set_font_color(WRONG_TEXT)
                        .set_bold()
                        .set_border(FormatBorder::Thin)
                        .set_border_color(WRONG_TEXT)
                })
                .collect(),
            follows: published
                .iter()
                .map(|format| {
                    format
                        .clone()
                        .set_background_color(FOLLOWS_FILL)
                        .set_font_color(FOLLOWS_TEXT)
                        .set_border(FormatBorder::Dashed)
                        .set_border_color(FOLLOWS_TEXT)
                })
                .collect(),
            constant: computed
                .iter()
                .map(|format| format.clone().set_italic().set_font_color(CONSTANT_TEXT))
                .collect(),
            published,
            computed,
            check: Format::new().set_align(FormatAlign::Center),
            words: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }

    fn figure(&self, column: usize, role: Option<Role>) -> Option<&Format> {
        match role {
            Some(Role::Wrong(_)) => self.wrong.get(column),
            Some(Role::Follows(_)) => self.follows.get(column),
            None => self.published.get(column),
        }
    }
}

pub(super) fn sheet(
    sheet: &mut Worksheet,
    table: &Table,
    context: &Context<'_>,
) -> Result<(), XlsxError> {
    let layout = Layout {
        columns: table.columns.len(),
    };
    // A table of words alone has nothing to compute or check.
    let checked = table.columns.iter().any(|column| !column.text);
    let styles = Styles::of(table);
    headings(sheet, table, layout, checked, context.publication())?;
    if checked && !context.publication() {
        block_titles(sheet, layout, has_constants(table, context.names))?;
    }
    let mut label_formats: HashMap<(usize, bool), Format> = HashMap::new();
    for (index, line) in table.lines.iter().enumerate() {
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
        sheet.write_string_with_format(
            row(index),
            0,
            superscript_marks(&line.label),
            label_format,
        )?;
        for (column, cell) in line.cells.iter().enumerate() {
            published_cell(sheet, layout, (index, column), cell, &styles, context)?;
            if !context.publication() {
                if let Some(note) = note(cell, table, layout, index, column) {
                    let (row, column) = layout.published(index, column);
                    sheet.insert_note(row, column, &Note::new(note).set_author("bud"))?;
                }
            }
            if checked {
                check_cells(
                    sheet,
                    table,
                    layout,
                    (index, column),
                    cell,
                    &styles,
                    context,
                )?;
            }
        }
    }
    if checked && !context.publication() {
        live_marks(sheet, table, layout)?;
    }
    let last_row = remarks(sheet, table, layout, context)?;
    let width = column_widths(sheet, table, layout, checked, context.publication())?;
    sheet.set_freeze_panes(FIRST_LINE_ROW, 1)?;
    let last_column = if checked && !context.publication() {
        layout.check(0, table.columns.len().saturating_sub(1)).1
    } else {
        layout.last_column()
    };
    page::set_up_table(
        sheet,
        context.symbol,
        &table.name,
        width,
        last_row,
        last_column,
    )
}

/// The title, the unit, the check columns' titles and the headings.
fn headings(
    sheet: &mut Worksheet,
    table: &Table,
    layout: Layout,
    checked: bool,
    publication: bool,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    // Footnote marks as the decision prints them, raised: `^a` is `ᵃ`.
    let heading = match &table.title {
        Some(title) => format!("{}. {}", table.name, superscript_marks(title)),
        None => table.name.clone(),
    };
    // The title and the unit wrap within the printed columns rather than run past them.
    let top = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    remark(
        sheet,
        0,
        layout,
        &heading,
        &top.clone().set_bold(),
        printed_width(table),
    )?;
    // A publication states the unit without how bud reads the figures' rounding.
    let unit = match table.unit.find("; published figures") {
        Some(at) if publication => &table.unit[..at],
        _ => table.unit.as_str(),
    };
    if !unit.is_empty() {
        let unit = format!("({unit})");
        remark(
            sheet,
            1,
            layout,
            &unit,
            &top.set_italic(),
            printed_width(table),
        )?;
    }
    let underlined = bold.clone().set_border_bottom(FormatBorder::Thin);
    let right = underlined.clone().set_align(FormatAlign::Right);
    let heading_row = FIRST_LINE_ROW - 1;
    sheet.write_string_with_format(heading_row, 0, &table.label_heading, &underlined)?;
    for (column, definition) in table.columns.iter().enumerate() {
        let text = superscript_marks(&definition.heading);
        let (_, at) = layout.published(0, column);
        sheet.write_string_with_format(heading_row, at, &text, &right)?;
        if checked {
            let (_, at) = layout.computed(0, column);
            sheet.write_string_with_format(heading_row, at, &text, &right)?;
            let (_, at) = layout.check(0, column);
            sheet.write_string_with_format(heading_row, at, &text, &underlined)?;
        }
    }
    Ok(())
}

/// Over the check columns, what they are. Not in a publication, where they are hidden:
/// a title's text would run into the printed page.
fn block_titles(sheet: &mut Worksheet, layout: Layout, constants: bool) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let title_row = FIRST_LINE_ROW - 2;
    let (_, computed) = layout.computed(0, 0);
    sheet.write_string_with_format(
        title_row,
        computed,
        "Computed: bud's rules as live formulas",
        &bold,
    )?;
    if constants {
        sheet.write_string_with_format(
            title_row - 1,
            computed,
            "grey italic: bud's figure, where no formula restates the rule",
            &Format::new().set_italic().set_font_color(CONSTANT_TEXT),
        )?;
    }
    let (_, check) = layout.check(0, 0);
    sheet.write_string_with_format(
        title_row,
        check,
        "Check: ✓ agrees, ≈ rounding, ✗ differs",
        &bold,
    )?;
    Ok(())
}

/// Whether some computed figure of the table has no formula the workbook can write.
fn has_constants(table: &Table, names: &HashSet<String>) -> bool {
    table.lines.iter().flat_map(|line| &line.cells).any(|cell| {
        cell.kind == CellKind::Amount
            && cell.computed
            && cell.number.is_some()
            && !cell
                .formula
                .as_ref()
                .is_some_and(|formula| names_defined(formula, names))
    })
}

/// The figure as adopted: a published figure as published, an input as written, a
/// computed figure the decision does not print as the check column computes it.
fn published_cell(
    sheet: &mut Worksheet,
    layout: Layout,
    (line, column): (usize, usize),
    cell: &TableCell,
    styles: &Styles,
    context: &Context<'_>,
) -> Result<(), XlsxError> {
    let (row, at) = layout.published(line, column);
    let role = cell.role.filter(|_| !context.publication());
    let Some(format) = styles.figure(column, role) else {
        return Ok(());
    };
    match cell.kind {
        CellKind::Text => {
            sheet.write_string_with_format(row, at, &cell.shown, &styles.words)?;
        }
        CellKind::Absent => {
            sheet.write_string(row, at, &cell.shown)?;
        }
        CellKind::Amount => {
            if let Some(published) = published_number(cell) {
                sheet.write_number_with_format(row, at, published, format)?;
            } else if let Some(number) = cell.number.and_then(|n| n.to_f64()) {
                if cell.computed {
                    let source = address(layout.computed(line, column));
                    sheet.write_formula_with_format(
                        row,
                        at,
                        Formula::new(format!("={source}")).set_result(number.to_string()),
                        format,
                    )?;
                } else {
                    sheet.write_number_with_format(row, at, number, format)?;
                }
            } else if !cell.shown.is_empty() {
                sheet.write_string(row, at, &cell.shown)?;
            }
        }
    }
    Ok(())
}

/// The figure the decision publishes in a cell, as a number.
fn published_number(cell: &TableCell) -> Option<f64> {
    cell.stated
        .as_ref()?
        .value
        .parse::<Decimal>()
        .ok()?
        .to_f64()
}

/// The cell's computed figure (an input's own, read from the table) and, where the
/// decision publishes it, the check of the published figure against it.
fn check_cells(
    sheet: &mut Worksheet,
    table: &Table,
    layout: Layout,
    (line, column): (usize, usize),
    cell: &TableCell,
    styles: &Styles,
    context: &Context<'_>,
) -> Result<(), XlsxError> {
    if cell.kind != CellKind::Amount {
        return Ok(());
    }
    let Some(number) = cell.number else {
        return Ok(());
    };
    let (row, at) = layout.computed(line, column);
    let (Some(format), Some(constant)) = (styles.computed.get(column), styles.constant.get(column))
    else {
        return Ok(());
    };
    let cached = cell
        .formula_result
        .unwrap_or(number)
        .normalize()
        .to_string();
    let formula = if cell.computed {
        let address = |reference: Reference<'_>| match reference {
            Reference::Cell { line, column } => Some(address(layout.computed(line, column))),
            Reference::Published { line, column } => Some(address(layout.published(line, column))),
            Reference::Table { .. } => None,
        };
        cell.formula
            .as_ref()
            .filter(|formula| names_defined(formula, context.names))
            .and_then(|formula| formula.spreadsheet(&address))
    } else {
        Some(address(layout.published(line, column)))
    };
    match formula {
        Some(text) => {
            sheet.write_formula_with_format(
                row,
                at,
                Formula::new(format!("={text}")).set_result(&cached),
                format,
            )?;
        }
        None => {
            // No formula restates the rule: bud's figure, set apart.
            sheet.write_number_with_format(
                row,
                at,
                number.to_f64().unwrap_or_default(),
                constant,
            )?;
        }
    }
    if cell.computed {
        check_cell(sheet, table, layout, (line, column), cell, &styles.check)?;
    }
    Ok(())
}

/// `=IF(ROUND(G9,1)=ROUND(B9,1),"✓",IF(ABS(B9-G9)<=0.615,"≈","✗"))`: the published
/// figure against the computed one, within the rounding bud allows it.
fn check_cell(
    sheet: &mut Worksheet,
    table: &Table,
    layout: Layout,
    (line, column): (usize, usize),
    cell: &TableCell,
    format: &Format,
) -> Result<(), XlsxError> {
    let Some(stated) = cell.stated.as_ref() else {
        return Ok(());
    };
    let (found, failed) = match stated.outcome {
        OutcomeName::Matches => ("✓", "✗"),
        OutcomeName::Rounding => ("≈", "✗"),
        OutcomeName::Mismatch => ("✗", "✗"),
        OutcomeName::Acknowledged => ("!", "!"),
        OutcomeName::NotChecked => return Ok(()),
    };
    if published_number(cell).is_none() || stated.tolerance.parse::<Decimal>().is_err() {
        return Ok(());
    }
    let published = address(layout.published(line, column));
    // A scale's TOTAL line is checked, as bud checks it, against the amount the budget
    // computes, not the sum of the shares of it its Computed column shows.
    let computed = match (cell.formula_result, cell.number) {
        (Some(_), Some(number)) => number.normalize().to_string(),
        _ => address(layout.computed(line, column)),
    };
    let decimals = table.columns.get(column).and_then(|c| c.decimals);
    let agrees = match decimals {
        Some(decimals) => {
            format!("ROUND({computed},{decimals})=ROUND({published},{decimals})")
        }
        None => format!("ABS({published}-{computed})<=1E-9*MAX(1,ABS({published}))"),
    };
    let tolerance = &stated.tolerance;
    // A figure that does not reconcile: bud's figure beside the mark, at the published
    // precision, in the reader's own separators (`FIXED`).
    let (failing, cached) = match (decimals, cell.number) {
        (Some(decimals), Some(number)) => (
            format!("\"{failed} \"&FIXED({computed},{decimals})"),
            if found == failed {
                format!("{failed} {}", fixed(number, decimals, RoundingMode::HalfUp))
            } else {
                found.to_owned()
            },
        ),
        _ => (format!("\"{failed}\""), found.to_owned()),
    };
    let (row, at) = layout.check(line, column);
    sheet.write_formula_with_format(
        row,
        at,
        Formula::new(format!(
            "=IF({agrees},\"✓\",IF(ABS({published}-{computed})<={tolerance},\"≈\",{failing}))"
        ))
        .set_result(cached),
        format,
    )?;
    Ok(())
}

/// Live marks: a published figure that agreed when bud wrote the workbook turns red
/// when its check no longer agrees (an input changed), and every failing check is red.
fn live_marks(sheet: &mut Worksheet, table: &Table, layout: Layout) -> Result<(), XlsxError> {
    let red = Format::new()
        .set_background_color(Color::RGB(WRONG_FILL))
        .set_font_color(Color::RGB(WRONG_TEXT));
    for column in 0..table.columns.len() {
        let agreed = |line: usize| {
            table.lines[line].cells.get(column).is_some_and(|cell| {
                cell.role.is_none()
                    && cell.stated.as_ref().is_some_and(|stated| {
                        matches!(stated.outcome, OutcomeName::Matches | OutcomeName::Rounding)
                    })
            })
        };
        let mut line = 0;
        while line < table.lines.len() {
            if !agreed(line) {
                line += 1;
                continue;
            }
            let first = line;
            while line + 1 < table.lines.len() && agreed(line + 1) {
                line += 1;
            }
            let (top, at) = layout.published(first, column);
            let (bottom, _) = layout.published(line, column);
            let check = address(layout.check(first, column));
            sheet.add_conditional_format(
                top,
                at,
                bottom,
                at,
                &ConditionalFormatFormula::new()
                    .set_rule(format!("=LEFT({check},1)=\"✗\"").as_str())
                    .set_format(&red),
            )?;
            line += 1;
        }
    }
    if let Some(last) = table.lines.len().checked_sub(1) {
        let (top, left) = layout.check(0, 0);
        let (bottom, right) = layout.check(last, table.columns.len().saturating_sub(1));
        sheet.add_conditional_format(
            top,
            left,
            bottom,
            right,
            &ConditionalFormatText::new()
                .set_rule(ConditionalFormatTextRule::Contains("✗".to_owned()))
                .set_format(red.clone().set_bold()),
        )?;
    }
    Ok(())
}

/// What a figure's note says in a review: the wrong figure and what would reconcile
/// it; a figure that only follows from it, and which; a difference rounding explains;
/// for a figure that does not reconcile, bud's figure beside the published one.
fn note(
    cell: &TableCell,
    table: &Table,
    layout: Layout,
    line: usize,
    column: usize,
) -> Option<String> {
    let remark = table.footnote(&cell.mark).map(superscript_marks);
    let beside = match (&cell.stated, &cell.bud) {
        (Some(stated), Some(bud)) => format!(
            " The cell shows the published {}; bud computes {bud} (its formula is in {}).",
            stated.written,
            address(layout.computed(line, column))
        ),
        _ => String::new(),
    };
    match cell.role {
        Some(Role::Wrong(_)) => Some(format!(
            "{}{beside}",
            remark.unwrap_or_else(|| {
                "This is the wrong figure: the stated figures computed from it reconcile once it is corrected."
                    .to_owned()
            })
        )),
        Some(Role::Follows(_)) => Some(format!(
            "{}{beside}",
            remark.unwrap_or_else(|| {
                "This follows from a wrong figure it is computed from: not wrong in itself."
                    .to_owned()
            })
        )),
        None => {
            let stated = cell.stated.as_ref()?;
            if matches!(stated.outcome, OutcomeName::Matches | OutcomeName::NotChecked) {
                return None;
            }
            Some(format!(
                "{}{beside}",
                remark.unwrap_or_else(|| format!("published {}", stated.written))
            ))
        }
    }
}

/// Under the table: the decision's notes and, in a review, bud's numbered remarks; in
/// a publication, the line saying what produced it. Each spans the printed columns and
/// wraps. The last row written.
fn remarks(
    sheet: &mut Worksheet,
    table: &Table,
    layout: Layout,
    context: &Context<'_>,
) -> Result<u32, XlsxError> {
    let mut texts: Vec<String> = Vec::new();
    if context.publication() {
        // The decision's own notes, not what bud found (a scale's rule at work).
        let found = table.found_notes.min(table.notes.len());
        texts.extend(
            table.notes[found..]
                .iter()
                .map(|note| superscript_marks(note)),
        );
    } else {
        texts.extend(table.footnotes.iter().map(|note| superscript_marks(note)));
        texts.extend(table.notes.iter().map(|note| superscript_marks(note)));
    }
    let mut last = row(table.lines.len()).saturating_sub(1);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let width = printed_width(table);
    let mut at = last + 2;
    for text in &texts {
        remark(sheet, at, layout, text, &wrap, width)?;
        last = at;
        at += 1;
    }
    if let Some(colophon) = &context.colophon {
        let italic = wrap.clone().set_italic();
        remark(sheet, at + 1, layout, colophon, &italic, width)?;
        last = at + 1;
    }
    Ok(last)
}

fn remark(
    sheet: &mut Worksheet,
    row: u32,
    layout: Layout,
    text: &str,
    format: &Format,
    width: u32,
) -> Result<(), XlsxError> {
    if layout.columns == 0 {
        sheet.write_string_with_format(row, 0, text, format)?;
    } else {
        sheet.merge_range(row, 0, row, layout.last_column(), text, format)?;
    }
    sheet.set_row_height(row, page::wrapped_height(text, width))?;
    Ok(())
}

/// The label column's width, in characters.
fn label_width(table: &Table) -> u16 {
    let widest = table
        .lines
        .iter()
        .map(|l| l.label.chars().count() + 2 * l.depth)
        .max()
        .unwrap_or(12);
    u16::try_from(widest.clamp(12, 80)).unwrap_or(80)
}

fn figure_width(text: bool) -> u16 {
    // Words wrap within a wide column, as the table sets them.
    if text { 60 } else { 14 }
}

/// How wide the printed table is, in characters.
fn printed_width(table: &Table) -> u32 {
    let figures: u32 = table
        .columns
        .iter()
        .map(|column| u32::from(figure_width(column.text)))
        .sum();
    u32::from(label_width(table)).saturating_add(figures)
}

/// Sets the columns' widths, groups the check columns (collapsed and hidden in a
/// publication); the printed width, in characters.
fn column_widths(
    sheet: &mut Worksheet,
    table: &Table,
    layout: Layout,
    checked: bool,
    publication: bool,
) -> Result<u32, XlsxError> {
    sheet.set_column_width(0, label_width(table))?;
    for (column, definition) in table.columns.iter().enumerate() {
        let (_, at) = layout.published(0, column);
        sheet.set_column_width(at, figure_width(definition.text))?;
        if checked {
            let (_, computed) = layout.computed(0, column);
            sheet.set_column_width(computed, 14)?;
            let (_, check) = layout.check(0, column);
            sheet.set_column_width(check, CHECK_WIDTH)?;
        }
    }
    if checked {
        let first = layout.last_column() + 1;
        let (_, last) = layout.computed(0, table.columns.len().saturating_sub(1));
        sheet.set_column_width(first, 3)?;
        if publication {
            sheet.group_columns_collapsed(first, last)?;
            for column in first..=last {
                sheet.set_column_hidden(column)?;
            }
        } else {
            sheet.group_columns(first, last)?;
        }
    }
    // A review prints the checks beside the table: bud's figure beside a wrong one.
    if checked && !publication {
        let checks = u32::try_from(table.columns.len()).unwrap_or(u32::MAX);
        let beside = checks.saturating_mul(CHECK_WIDTH.into()).saturating_add(3);
        return Ok(printed_width(table).saturating_add(beside));
    }
    Ok(printed_width(table))
}

/// A check's width, in characters: the mark and bud's figure (`✗ 2,559.6`).
const CHECK_WIDTH: u16 = 12;

/// The published format of a column with `more` decimals than published: its
/// decimals, thousands grouped, a zero as `-` as the decision prints a dash.
fn column_format(table: &Table, column: usize, more: u32) -> String {
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
            let positive = with_decimals("#,##0", (decimals + more).min(10));
            match table.notation {
                Notation::Comma => format!("{positive};-{positive};\"-\""),
                Notation::Un => format!("{positive};({positive});\"\u{2013}\""),
            }
        }
        None => "General".to_owned(),
    }
}
