//! Two variants of a decision side by side (`bud compare`): for every table they share,
//! by name, the rows whose figures differ, column by column (`C. COP/MOP: 2013 200.0 →
//! 100.0`), then the tables only one of them has. Figures are shown at the table's
//! published precision, as `evaluate` shows them. Where both publish the same figure but
//! a changed rule computes another, the computed figures are shown.

use std::fmt::Write as _;

use crate::format;
use crate::semantics::Model;
use crate::semantics::program::{RowDef, RowId, TableDef};
use crate::semantics::resolve::column_name;
use crate::syntax::ast::{ColumnKey, FigureKind};

use super::text::published;

/// `left` and `right` are the two variants' names, for headings.
/// The comparison as text, safe to print: labels from the decision pass through
/// `format::printable`, as every text for a terminal does.
pub fn comparison(left: (&str, &Model), right: (&str, &Model)) -> String {
    crate::format::printable(&compared(left, right)).into_owned()
}

fn compared(left: (&str, &Model), right: (&str, &Model)) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} → {}", left.0, right.0);
    let mut differences = 0;
    for (index, table) in left.1.program.tables.iter().enumerate() {
        let Some(other) = right
            .1
            .program
            .tables
            .iter()
            .position(|t| t.name == table.name)
        else {
            let _ = writeln!(
                out,
                "\n{} ({}): only in {}",
                table.display_name(),
                table.name,
                left.0
            );
            continue;
        };
        differences += table_differences(&mut out, (left.1, index), (right.1, other));
    }
    for table in &right.1.program.tables {
        if !left.1.program.tables.iter().any(|t| t.name == table.name) {
            let _ = writeln!(
                out,
                "\n{} ({}): only in {}",
                table.display_name(),
                table.name,
                right.0
            );
        }
    }
    scales_only_in_one(&mut out, left, right);
    let _ = writeln!(
        out,
        "\n{differences} row{} differ{}.",
        if differences == 1 { "" } else { "s" },
        if differences == 1 { "s" } else { "" }
    );
    out
}

/// Scales are listed when only one variant has them; a scale in both is not yet
/// compared Party by Party.
fn scales_only_in_one(out: &mut String, left: (&str, &Model), right: (&str, &Model)) {
    let names = |model: &Model| -> Vec<(String, String)> {
        model
            .scales
            .scales
            .iter()
            .map(|s| (s.def.name.clone(), s.def.display_name()))
            .collect()
    };
    let (left_names, right_names) = (names(left.1), names(right.1));
    for ((side, ours), theirs) in [(left.0, &left_names), (right.0, &right_names)]
        .into_iter()
        .zip([&right_names, &left_names])
    {
        for (name, shown) in ours {
            if !theirs.iter().any(|(n, _)| n == name) {
                let _ = writeln!(out, "\n{shown} ({name}): only in {side}");
            }
        }
    }
}

/// Writes the rows of two tables of the same name whose figures differ; how many.
fn table_differences(out: &mut String, left: (&Model, usize), right: (&Model, usize)) -> usize {
    let (left_table, right_table) = (
        &left.0.program.tables[left.1],
        &right.0.program.tables[right.1],
    );
    let columns = union_of_columns(left_table, right_table);
    let mut lines = Vec::new();
    let (left_rows, right_rows) = (
        labelled_rows(left.0, left.1),
        labelled_rows(right.0, right.1),
    );
    for (row_id, row, occurrence) in &left_rows {
        let (row_id, occurrence) = (*row_id, *occurrence);
        let counterpart = right_rows
            .iter()
            .find(|(_, r, n)| r.label == row.label && *n == occurrence);
        let mut changes = Vec::new();
        let right_row = counterpart.map(|(id, _, _)| *id);
        for key in &columns {
            let before = figure(left.0, left_table, Some(row_id), *key);
            let after = figure(right.0, right_table, right_row, *key);
            if before != after {
                changes.push(format!("{} {before} → {after}", column_name(*key)));
                continue;
            }
            // The same figure published in both, but a changed rule computes another.
            let computed_before = computed(left.0, left_table, Some(row_id), *key);
            let computed_after = computed(right.0, right_table, right_row, *key);
            if computed_before != computed_after {
                changes.push(format!(
                    "{} computed {} → {} (published {before} in both)",
                    column_name(*key),
                    computed_before.as_deref().unwrap_or("?"),
                    computed_after.as_deref().unwrap_or("?"),
                ));
            }
        }
        if !changes.is_empty() {
            lines.push(format!("  {}: {}", row.message_label(), changes.join(", ")));
        }
    }
    for (_, row, occurrence) in &right_rows {
        if !left_rows
            .iter()
            .any(|(_, r, n)| r.label == row.label && n == occurrence)
        {
            lines.push(format!("  {}: only in the second", row.message_label()));
        }
    }
    if !lines.is_empty() {
        let name = if left_table.display_name() == right_table.display_name() {
            left_table.display_name()
        } else {
            format!(
                "{} → {}",
                left_table.display_name(),
                right_table.display_name()
            )
        };
        let _ = writeln!(out, "\n{name} ({})", left_table.name);
        for line in &lines {
            let _ = writeln!(out, "{line}");
        }
    }
    lines.len()
}

/// A table's rows, each with how many earlier rows share its label: Table 3 has two
/// "Agenda item 5: Biosafety Clearing-House" lines, matched first to first.
fn labelled_rows(model: &Model, table: usize) -> Vec<(RowId, &RowDef, usize)> {
    let mut rows: Vec<(RowId, &RowDef, usize)> = Vec::new();
    for (index, row) in model.program.rows.iter().enumerate() {
        if row.table.0 == table {
            let occurrence = rows.iter().filter(|(_, r, _)| r.label == row.label).count();
            rows.push((RowId(index), row, occurrence));
        }
    }
    rows
}

/// The columns of either table, years first in order, Total last.
fn union_of_columns(left: &TableDef, right: &TableDef) -> Vec<ColumnKey> {
    let mut columns: Vec<ColumnKey> = left.columns.clone();
    for key in &right.columns {
        if !columns.contains(key) {
            columns.push(*key);
        }
    }
    columns.sort();
    columns
}

/// A cell as computed, at the table's published precision; `None` when it could not be.
fn computed(model: &Model, table: &TableDef, row: Option<RowId>, key: ColumnKey) -> Option<String> {
    let (row, column) = row.zip(table.column_index(key))?;
    let cell = model.cells.get(row.0)?.get(column)?;
    cell.ok().map(|amount| published(table, amount.value))
}

/// A cell as published where the decision states it (a budget officer compares the
/// published tables), else as computed at the table's precision; `—` where the row or
/// the column is not there.
fn figure(model: &Model, table: &TableDef, row: Option<RowId>, key: ColumnKey) -> String {
    let Some((row, column)) = row.zip(table.column_index(key)) else {
        return "—".to_owned();
    };
    let written = model.program.row(row).figures.get(column).map(|f| &f.kind);
    match written {
        Some(&FigureKind::Number(written)) => {
            return table.notation.figure(&format::written(written));
        }
        Some(FigureKind::Dash) => return table.notation.dash().to_owned(),
        Some(FigureKind::Blank) => return "(blank)".to_owned(),
        Some(FigureKind::Absent) => return super::view::ABSENT.to_owned(),
        Some(FigureKind::Text(text)) => return text.to_string(),
        None => {}
    }
    match model.cells.get(row.0).and_then(|cells| cells.get(column)) {
        Some(Ok(amount)) => published(table, amount.value),
        _ => "?".to_owned(),
    }
}
