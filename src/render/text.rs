//! The evaluated decision as plain text, in the published layout: the decision's
//! identity, the values of its paragraphs, then every table with its labels, columns,
//! thousands separators and published precision. Each stated figure carries a mark:
//! ✓ matches, ≈n differs by rounding, ✗n does not reconcile; numbered marks are
//! explained under the table.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::format;
use crate::reconcile::{Check, Outcome, Reconciliation, shown_unit};
use crate::semantics::explain::{Subject, constant, difference_size, written_in};
use crate::semantics::number::Exact;
use crate::semantics::program::{Line, RowDef, RowId, TableDef, TableId, ValueId};
use crate::semantics::resolve::{column_name, factor, figures};
use crate::semantics::unit::{Unit, currency_symbol};
use crate::semantics::{Evaluated, Model};
use crate::syntax::ast::{ColumnKey, FigureKind};

pub(super) const MATCH: &str = "✓";
pub(super) const ROUNDING: &str = "≈";
pub(super) const MISMATCH: &str = "✗";

/// The whole evaluated decision, or scenario of it.
pub fn evaluation_of(checked: &crate::Checked, model: &Model) -> String {
    let mut out = String::new();
    header(&mut out, model);
    if let Some((name, condition)) = &checked.scenario {
        let _ = writeln!(out, "\nScenario {name}");
        for line in condition.iter().flat_map(|c| wrap(c, 92)) {
            let _ = writeln!(out, "  {line}");
        }
    }
    body(&mut out, model, &checked.reconciliation);
    out
}

/// The whole evaluated decision.
pub fn evaluation(model: &Model, reconciliation: &Reconciliation) -> String {
    let mut out = String::new();
    header(&mut out, model);
    body(&mut out, model, reconciliation);
    out
}

fn body(out: &mut String, model: &Model, reconciliation: &Reconciliation) {
    values(out, model, reconciliation);
    for index in 0..model.program.tables.len() {
        table(out, model, reconciliation, TableId(index));
    }
    for (index, scale) in model.scales.scales.iter().enumerate() {
        super::scale::table(out, model, reconciliation, index, scale);
    }
    summary(out, reconciliation);
}

fn header(out: &mut String, model: &Model) {
    let decision = &model.program.decision;
    let _ = writeln!(out, "{}: {}", decision.symbol, decision.title);
    if let Some(meeting) = &decision.meeting {
        let _ = writeln!(out, "{meeting}");
    }
    let mut facts = Vec::new();
    if let Some(period) = decision.period {
        facts.push(format!("period {}-{}", period.first, period.last));
    }
    if let Some(currency) = &decision.currency {
        facts.push(format!("currency {}", currency_symbol(currency)));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}", capitalise(&facts.join(", ")));
    }
}

fn values(out: &mut String, model: &Model, reconciliation: &Reconciliation) {
    let program = &model.program;
    let loose: Vec<ValueId> = (0..program.values.len())
        .map(ValueId)
        .filter(|id| program.value(*id).paragraph.is_none())
        .collect();
    if !loose.is_empty() {
        let _ = writeln!(out, "\nValues");
        value_lines(out, model, reconciliation, &loose);
    }
    for paragraph in &program.paragraphs {
        let _ = writeln!(out, "\nParagraph {}", paragraph.number);
        if let Some(text) = &paragraph.text {
            for line in wrap(text, 92) {
                let _ = writeln!(out, "  {line}");
            }
        }
        value_lines(out, model, reconciliation, &paragraph.values);
    }
}

fn value_lines(out: &mut String, model: &Model, reconciliation: &Reconciliation, ids: &[ValueId]) {
    let years = model.program.decision.years();
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for id in ids {
        let value = model.program.value(*id);
        let results = &model.values[id.0];
        if let Some(result) = &results.scalar {
            let subject = Subject::Value {
                value: *id,
                year: None,
            };
            lines.push((
                value.name.clone(),
                show_value(model, *id, result.as_ref().ok()),
                stated_note(model, *id, None, reconciliation.check_for(subject)),
            ));
        } else {
            for year in value.display_years(&years) {
                let subject = Subject::Value {
                    value: *id,
                    year: Some(year),
                };
                let result = results.years.get(&year).and_then(|r| r.as_ref().ok());
                lines.push((
                    format!("{}[{year}]", value.name),
                    show_value(model, *id, result),
                    stated_note(model, *id, Some(year), reconciliation.check_for(subject)),
                ));
            }
        }
    }
    let name_width = lines
        .iter()
        .map(|(name, _, _)| name.width())
        .max()
        .unwrap_or(0);
    let value_width = lines
        .iter()
        .map(|(_, value, _)| value.width())
        .max()
        .unwrap_or(0);
    for (name, value, note) in lines {
        let line = format!(
            "  {name}{}  {value}{}  {note}",
            pad(&name, name_width),
            pad(&value, value_width)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn show_value(model: &Model, id: ValueId, result: Option<&Evaluated>) -> String {
    match (result, &model.value_units[id.0]) {
        (Some(Evaluated::Amount(amount)), Some(unit)) => constant(amount.value, unit),
        (Some(Evaluated::Ratio(parts)), _) => parts
            .iter()
            .map(|p| format::exact(*p))
            .collect::<Vec<_>>()
            .join(":"),
        _ => "?".to_owned(),
    }
}

fn stated_note(model: &Model, id: ValueId, year: Option<i32>, check: Option<&Check>) -> String {
    let Some(check) = check else {
        return String::new();
    };
    let unit = shown_unit(model, id, year).unwrap_or(Unit::Number);
    let stated = check
        .written
        .map_or_else(|| "-".to_owned(), |written| written_in(written, &unit));
    let difference = check.difference();
    let sign = if difference < Exact::ZERO { "-" } else { "+" };
    let difference = format!("{sign}{}", difference_size(difference.abs(), &unit));
    let tolerance = difference_size(Exact::new(check.tolerance()), &unit);
    match check.outcome {
        Outcome::Matches => format!("{MATCH} stated {stated}"),
        Outcome::Rounding => format!(
            "{ROUNDING} stated {stated}: differs by {difference}, within ±{tolerance} (rounding)"
        ),
        Outcome::Mismatch if check.tolerance().is_zero() => {
            format!(
                "{MISMATCH} stated {stated}: differs by {difference} (error; the figures are exact)"
            )
        }
        Outcome::Mismatch => format!(
            "{MISMATCH} stated {stated}: differs by {difference}, more than ±{tolerance} (error)"
        ),
    }
}

// ---------------------------------------------------------------- tables

/// One printed cell: the figure and its mark.
pub(super) struct CellText {
    pub(super) figure: String,
    pub(super) mark: String,
}

fn table(out: &mut String, model: &Model, reconciliation: &Reconciliation, id: TableId) {
    let program = &model.program;
    let definition = program.table(id);
    let _ = writeln!(out);
    let _ = write!(out, "{}", definition.display_name());
    match &definition.title {
        Some(title) => {
            let _ = writeln!(out, ". {title}");
        }
        None => {
            let _ = writeln!(out);
        }
    }
    let _ = writeln!(out, "({})", unit_line(definition));

    let mut footnotes: Vec<String> = Vec::new();
    let mut body: Vec<(String, Vec<CellText>)> = Vec::new();
    for line in &definition.lines {
        match line {
            Line::Section(section) => {
                let section = program.section(*section);
                body.push((indent(section.depth, &section.display_label()), Vec::new()));
            }
            Line::Row(row) => {
                let cells = row_cells(model, reconciliation, definition, *row, &mut footnotes);
                let def = program.row(*row);
                body.push((indent(def.depth, &def.display_label()), cells));
            }
        }
    }

    let headings: Vec<String> = definition.columns.iter().map(|c| column_name(*c)).collect();
    grid(out, "Description", &headings, &body);
    for footnote in footnotes {
        let _ = writeln!(out, "{footnote}");
    }
    for note in &definition.notes {
        for line in wrap(note, 92) {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// Labels down the left, figures right-aligned under their headings, a mark beside each.
pub(super) fn grid(
    out: &mut String,
    first: &str,
    headings: &[String],
    body: &[(String, Vec<CellText>)],
) {
    let mark_width = body
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|c| c.mark.width()))
        .max()
        .unwrap_or(0);
    let label_width = body
        .iter()
        .map(|(label, _)| label.width())
        .chain(std::iter::once(first.width()))
        .max()
        .unwrap_or(0);
    let figure_widths: Vec<usize> = (0..headings.len())
        .map(|i| {
            body.iter()
                .filter_map(|(_, cells)| cells.get(i).map(|c| c.figure.width()))
                .chain(std::iter::once(headings[i].width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mark_gap = if mark_width > 0 { mark_width + 1 } else { 0 };

    let mut heading = format!("{first}{}", pad(first, label_width));
    for (text, width) in headings.iter().zip(&figure_widths) {
        let _ = write!(
            heading,
            "  {}{text}{}",
            " ".repeat(width - text.width()),
            " ".repeat(mark_gap)
        );
    }
    let rule_width = heading.trim_end().width();
    let _ = writeln!(out, "{}", heading.trim_end());
    let _ = writeln!(out, "{}", "─".repeat(rule_width));
    for (label, cells) in body {
        let mut line = format!("{label}{}", pad(label, label_width));
        for (cell, width) in cells.iter().zip(&figure_widths) {
            let mark = if mark_width > 0 {
                format!(" {}{}", cell.mark, pad(&cell.mark, mark_width))
            } else {
                String::new()
            };
            let _ = write!(
                line,
                "  {}{}{mark}",
                " ".repeat(width - cell.figure.width()),
                cell.figure
            );
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn unit_line(table: &TableDef) -> String {
    match table.rounding {
        Some(rounding) => format!(
            "{}; published figures rounded to {}, {}",
            table.unit.describe(),
            format::written(rounding.written),
            rounding.mode.name()
        ),
        None => table.unit.describe(),
    }
}

fn row_cells(
    model: &Model,
    reconciliation: &Reconciliation,
    table: &TableDef,
    id: RowId,
    footnotes: &mut Vec<String>,
) -> Vec<CellText> {
    let row = model.program.row(id);
    (0..table.columns.len())
        .map(|column| {
            let check = reconciliation.check_for(Subject::Cell { row: id, column });
            CellText {
                figure: figure_text(model, table, row, id, column, check),
                mark: mark(
                    check,
                    footnotes,
                    || {
                        let key = table.columns.get(column).copied();
                        let column = column_name(key.unwrap_or(ColumnKey::Total));
                        format!("{}, {column}", row.display_label())
                    },
                    |value| figures(table).show(value),
                ),
            }
        })
        .collect()
}

fn figure_text(
    model: &Model,
    table: &TableDef,
    row: &RowDef,
    id: RowId,
    column: usize,
    check: Option<&Check>,
) -> String {
    let is_input = row.formula.is_none() && table.columns.get(column) != Some(&ColumnKey::Total);
    let figure = row.figures.get(column).map(|f| f.kind);
    if is_input {
        return match figure {
            Some(FigureKind::Number(written)) => format::written(written),
            Some(FigureKind::Dash) => "-".to_owned(),
            Some(FigureKind::Blank) | None => String::new(),
        };
    }
    // A figure that matches or differs only by rounding is shown as published: the
    // published figure is the correct rounding of amounts bud only sees rounded.
    if let Some(check) = check.filter(|c| c.outcome != Outcome::Mismatch) {
        return check
            .written
            .map_or_else(|| "-".to_owned(), format::written);
    }
    match model.cells[id.0].get(column) {
        Some(Ok(amount)) if figure == Some(FigureKind::Blank) && amount.value.is_zero() => {
            String::new()
        }
        Some(Ok(amount)) => published(table, amount.value),
        _ => "?".to_owned(),
    }
}

/// A computed figure as the table publishes it: at its rounding, or every digit.
pub(super) fn published(table: &TableDef, value: Exact) -> String {
    let Ok(scaled) = value.checked_div(Exact::new(factor(&table.unit))) else {
        return "?".to_owned();
    };
    match table.rounding {
        Some(rounding) => format::fixed(
            scaled.to_decimal(),
            rounding.written.decimals,
            rounding.mode,
        ),
        None => format::exact_number(scaled),
    }
}

/// `✓`, or `≈n` / `✗n` with a numbered note under the table: "{what}: stated …,
/// computed …, difference …: within/more than the ±… that rounding explains".
pub(super) fn mark(
    check: Option<&Check>,
    footnotes: &mut Vec<String>,
    what: impl FnOnce() -> String,
    show: impl Fn(Exact) -> String,
) -> String {
    let Some(check) = check else {
        return String::new();
    };
    let symbol = match check.outcome {
        Outcome::Matches => return MATCH.to_owned(),
        Outcome::Rounding => ROUNDING,
        Outcome::Mismatch => MISMATCH,
    };
    let number = footnotes.len() + 1;
    let stated = check
        .written
        .map_or_else(|| "-".to_owned(), format::written);
    let tolerance = show(Exact::new(check.tolerance()));
    let verdict = match check.outcome {
        Outcome::Rounding => format!("within the ±{tolerance} that rounding explains"),
        _ => format!("more than the ±{tolerance} that rounding explains"),
    };
    footnotes.push(format!(
        "{symbol}{number} {}: stated {stated}, computed {}, difference {}: {verdict}",
        what(),
        show(check.computed),
        format::signed(show(check.difference())),
    ));
    format!("{symbol}{number}")
}

fn summary(out: &mut String, reconciliation: &Reconciliation) {
    let total = reconciliation.checks.len();
    let _ = writeln!(
        out,
        "\n{total} stated figure{}: {} match{}, {} differ{} by rounding, {} do{} not reconcile.",
        if total == 1 { "" } else { "s" },
        reconciliation.count(Outcome::Matches),
        if reconciliation.count(Outcome::Matches) == 1 {
            "es"
        } else {
            ""
        },
        reconciliation.count(Outcome::Rounding),
        if reconciliation.count(Outcome::Rounding) == 1 {
            "s"
        } else {
            ""
        },
        reconciliation.count(Outcome::Mismatch),
        if reconciliation.count(Outcome::Mismatch) == 1 {
            "es"
        } else {
            ""
        },
    );
    if reconciliation.unchecked > 0 {
        let _ = writeln!(
            out,
            "{} more could not be checked (shown ?): each failure is reported once, with the \
             errors, and not again at the totals that depend on it.",
            reconciliation.unchecked,
        );
    }
    let _ = writeln!(
        out,
        "{MATCH} matches the published figure   {ROUNDING} differs only by rounding   {MISMATCH} does not reconcile"
    );
    if reconciliation.unchecked > 0 {
        let _ = writeln!(
            out,
            "? not computed: the cell failed, or depends on one that did"
        );
    }
}

// ---------------------------------------------------------------- layout helpers

fn pad(text: &str, width: usize) -> String {
    " ".repeat(width.saturating_sub(text.width()))
}

fn indent(depth: usize, text: &str) -> String {
    format!("{}{text}", "  ".repeat(depth))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Splits text into lines of at most `width` columns at spaces (a longer word stays whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
