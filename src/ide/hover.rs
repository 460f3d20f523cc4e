//! Hover texts, in Markdown: for a figure, what bud computes, the stated figure and how
//! it reconciles, and the worked computation; for a row, its figures column by column;
//! for a value, its figure for each year and its rule; for a table, its title and unit.

use std::fmt::Write as _;

use super::Target;
use crate::reconcile::{Outcome, Reconciliation};
use crate::semantics::explain::{Subject, constant, derivation};
use crate::semantics::number::Exact;
use crate::semantics::program::{RowId, TableDef, ValueId};
use crate::semantics::resolve::figures;
use crate::semantics::{Evaluated, Model};

pub(super) fn describe(
    model: &Model,
    reconciliation: &Reconciliation,
    target: Target,
    source: &str,
) -> Option<String> {
    match target {
        Target::Cell(row, column) => Some(cell(model, reconciliation, row, column)),
        Target::Row(row) => Some(row_text(model, reconciliation, row, source)),
        Target::Value(value) => Some(value_text(model, reconciliation, value, source)),
        Target::Section(id) => {
            let section = model.program.section(id);
            let table = model.program.table(section.table);
            Some(format!(
                "**{}** ({}): a section of {} row{}",
                section.message_label(),
                table.display_name(),
                section.rows.len(),
                if section.rows.len() == 1 { "" } else { "s" }
            ))
        }
        Target::Table(id) => {
            let table = model.program.table(id);
            let title = table
                .title
                .as_deref()
                .map(|t| format!(". {t}"))
                .unwrap_or_default();
            Some(format!(
                "**{}{title}**\n\n({})",
                table.display_name(),
                table.unit.describe()
            ))
        }
    }
}

fn table_of(model: &Model, row: RowId) -> &TableDef {
    model.program.table(model.program.row(row).table)
}

fn cell(model: &Model, reconciliation: &Reconciliation, row: RowId, column: usize) -> String {
    let table = table_of(model, row);
    let definition = model.program.row(row);
    let key = table
        .columns
        .get(column)
        .map_or_else(String::new, |k| table.heading(*k));
    let mut text = format!(
        "**{}, {}, {key}**\n\n",
        table.display_name(),
        definition.message_label()
    );
    let show = |value: Exact| figures(table).show(value);
    if table.is_text(column) {
        text.push_str("words in a text column: shown, never computed with\n\n");
        return text;
    }
    if definition.is_absent(column) {
        text.push_str("absent: the document gives no amount here, which is not zero\n\n");
        return text;
    }
    match model.cells[row.0].get(column) {
        Some(Ok(amount)) => {
            let _ = writeln!(
                text,
                "bud computes **{}** ({})\n",
                show(amount.value),
                table.unit.describe()
            );
        }
        _ => text.push_str("not computed: see the error on this row or on what it reads\n\n"),
    }
    let subject = Subject::Cell { row, column };
    if let Some(check) = reconciliation.check_for(subject) {
        let notation = table.notation;
        let stated = match check.written {
            Some(written) => notation.figure(&crate::format::written(written)),
            None => notation.dash().to_owned(),
        };
        let difference = figures(table).show_signed(check.difference());
        let tolerance = show(Exact::new(check.tolerance()));
        let verdict = match check.outcome {
            Outcome::Matches => "✓ matches".to_owned(),
            Outcome::Rounding => {
                format!("≈ differs by {difference}, within the ±{tolerance} rounding explains")
            }
            Outcome::Mismatch => {
                format!("✗ differs by {difference}, more than the ±{tolerance} rounding explains")
            }
            Outcome::Acknowledged => format!(
                "! differs by {difference}: a published error the decision acknowledges (`erratum`)"
            ),
        };
        let _ = writeln!(text, "stated {stated}: {verdict}\n");
        if let Some(worked) = derivation(model, subject) {
            let _ = writeln!(
                text,
                "computed as {}",
                worked.sentence(&show(check.computed))
            );
        }
    } else if definition.formula.is_none() {
        text.push_str("a figure as published: an input to the rules that read it\n");
    }
    let culprit = reconciliation
        .culprits
        .iter()
        .find(|c| c.row == row && c.column == column);
    if let Some(culprit) = culprit {
        let _ = writeln!(
            text,
            "\n✗ the {} stated figures computed from it reconcile if it is **{}**",
            culprit.explains.len(),
            show(Exact::new(culprit.corrected))
        );
    }
    text
}

fn row_text(model: &Model, reconciliation: &Reconciliation, row: RowId, source: &str) -> String {
    let table = table_of(model, row);
    let definition = model.program.row(row);
    let mut text = format!(
        "**{}, {}** ({})\n\n| | computed | stated | |\n|---|---:|---:|---|\n",
        table.display_name(),
        definition.message_label(),
        table.unit.describe()
    );
    for (column, key) in table.columns.iter().enumerate() {
        let computed = match model.cells[row.0].get(column) {
            _ if table.is_text(column) => definition.text(column).unwrap_or_default().to_owned(),
            _ if definition.is_absent(column) => crate::render::view::ABSENT.to_owned(),
            Some(Ok(amount)) => figures(table).show(amount.value),
            _ => "?".to_owned(),
        };
        let check = reconciliation.check_for(Subject::Cell { row, column });
        let stated = check
            .and_then(|c| c.written)
            .map(crate::format::written)
            .unwrap_or_default();
        let mark = match check.map(|c| c.outcome) {
            Some(Outcome::Matches) => "✓",
            Some(Outcome::Rounding) => "≈",
            Some(Outcome::Mismatch) => "✗",
            Some(Outcome::Acknowledged) => "!",
            None => "",
        };
        let _ = writeln!(
            text,
            "| {} | {computed} | {stated} | {mark} |",
            table.heading(*key)
        );
    }
    if let Some(formula) = &definition.formula {
        let rule = source
            .get(formula.span.start()..formula.span.end())
            .unwrap_or_default();
        let _ = write!(text, "\nrule: `= {rule}`");
    }
    text
}

fn value_text(model: &Model, reconciliation: &Reconciliation, id: ValueId, source: &str) -> String {
    let definition = model.program.value(id);
    let place = definition
        .paragraph
        .and_then(|p| model.program.paragraphs.get(p))
        .map(|p| format!(" ({})", p.place()))
        .unwrap_or_default();
    let mut text = format!("**`{}`**{place}\n\n", definition.name);
    let unit = model.value_units[id.0].as_ref();
    let show = |result: Option<&Result<Evaluated, crate::semantics::Failed>>| match (result, unit) {
        (Some(Ok(Evaluated::Amount(amount))), Some(unit)) => constant(amount.value, unit),
        (Some(Ok(Evaluated::Ratio(parts))), _) => parts
            .iter()
            .map(|p| crate::format::exact(*p))
            .collect::<Vec<_>>()
            .join(":"),
        _ => "?".to_owned(),
    };
    let results = &model.values[id.0];
    let mut rows: Vec<(Option<i32>, String)> = Vec::new();
    if results.scalar.is_some() {
        rows.push((None, show(results.scalar.as_ref())));
    }
    for (year, result) in &results.years {
        if definition
            .display_years(&model.program.decision.years())
            .contains(year)
        {
            rows.push((Some(*year), show(Some(result))));
        }
    }
    for (year, shown) in rows {
        let label = year.map(|y| format!("{y}: ")).unwrap_or_default();
        let stated = reconciliation
            .check_for(Subject::Value { value: id, year })
            .map(|check| {
                let mark = match check.outcome {
                    Outcome::Matches => "✓",
                    Outcome::Rounding => "≈",
                    Outcome::Mismatch => "✗",
                    Outcome::Acknowledged => "!",
                };
                format!(" ({mark} stated)")
            })
            .unwrap_or_default();
        let _ = writeln!(text, "- {label}**{shown}**{stated}");
    }
    for rule in definition.rules() {
        let formula = source
            .get(rule.formula.span.start()..rule.formula.span.end())
            .unwrap_or_default();
        let _ = write!(text, "\nrule: `{formula}`");
    }
    text
}
