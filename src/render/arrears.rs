//! An arrears rule's outcome as a table of the view: a line per Party in the status
//! file, with the years it is in arrears, the amount, whether it is eligible and why.
//! Every renderer prints it as it prints any table with text columns.

use rust_decimal::Decimal;

use super::view::{CellKind, Column, LineKind, Table, TableCell, TableKind, TableLine};
use crate::format::{self, Notation};
use crate::semantics::Model;
use crate::semantics::arrears::ArrearsModel;

pub(super) fn view(model: &Model, arrears: &ArrearsModel) -> Table {
    let decision = &model.program.decision;
    let currency =
        crate::semantics::unit::currency_symbol(decision.currency.as_deref().unwrap_or_default())
            .to_owned();
    let text_column = |heading: &str| Column {
        heading: heading.to_owned(),
        text: true,
        unit: String::new(),
        decimals: None,
    };
    let columns = vec![
        text_column("Years in arrears"),
        Column {
            heading: format!("Arrears ({currency})"),
            text: false,
            unit: currency.clone(),
            decimals: Some(0),
        },
        text_column("Eligible"),
        text_column("Why"),
    ];
    let lines = arrears
        .standings
        .iter()
        .map(|standing| TableLine {
            kind: LineKind::Input,
            name: None,
            depth: 0,
            label: standing.party.clone(),
            cells: vec![
                TableCell::words(&years(&standing.years_in_arrears)),
                amount(standing.arrears, decision.notation),
                TableCell::words(if standing.eligible { "yes" } else { "no" }),
                TableCell::words(&standing.why),
            ],
        })
        .collect();
    let rule = &arrears.rule;
    let exempt: Vec<String> = rule
        .exempt
        .iter()
        .map(|group| group.label.clone().unwrap_or_else(|| group.name.clone()))
        .collect();
    let mut notes = vec![format!(
        "Rule: a Party whose contributions due from 1 January {} onwards are in arrears for {} or more years is not eligible, unless it keeps to an agreed schedule of payments{}.",
        rule.from,
        rule.years,
        if exempt.is_empty() {
            String::new()
        } else {
            format!("; the rule does not apply to {}", exempt.join(" or "))
        }
    )];
    notes.push(match &arrears.status_note {
        Some(note) => format!("Status of contributions: {}. {note}", arrears.status_file),
        None => format!("Status of contributions: {}.", arrears.status_file),
    });
    Table {
        id: format!("arrears-{}", arrears.name),
        kind: TableKind::Arrears,
        name: format!("Arrears ({})", arrears.name),
        title: arrears.title.clone(),
        unit: currency,
        label_heading: "Party".to_owned(),
        notation: decision.notation,
        columns,
        lines,
        footnotes: Vec::new(),
        found_notes: notes.len(),
        notes,
    }
}

/// "2011, 2012", or "–" for none.
fn years(years: &[i32]) -> String {
    if years.is_empty() {
        return "–".to_owned();
    }
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn amount(value: Decimal, notation: Notation) -> TableCell {
    let shown = format::Scaled {
        notation,
        ..format::Scaled::UNITS
    }
    .show(crate::semantics::number::Exact::new(value.round_dp(0)));
    TableCell {
        kind: CellKind::Amount,
        value: Some(value.normalize().to_string()),
        number: Some(value),
        ..TableCell::words(&shown)
    }
}
