//! A scale of assessments as text: one line per Party with, for each year, its UN
//! scale rate, its adjusted rate and its contribution, then its Total; the TOTAL line;
//! and under the table, what the rule did: the amount apportioned, the rescaling
//! factor, the Parties held at a limit and the rounding residue.

use std::fmt::Write as _;

use super::text::{CellText, grid, mark, wrap};
use crate::format;
use crate::reconcile::scale::computed;
use crate::reconcile::{Check, Outcome, Reconciliation};
use crate::semantics::Model;
use crate::semantics::apportion::Binding;
use crate::semantics::explain::{ScaleLine, Subject};
use crate::semantics::number::Exact;
use crate::semantics::scale::{FigureRole, PartyDef, ScaleModel, YearResult};
use crate::syntax::ast::{FigureKind, RoundingMode};

pub(super) fn table(
    out: &mut String,
    model: &Model,
    reconciliation: &Reconciliation,
    index: usize,
    scale: &ScaleModel,
) {
    let def = &scale.def;
    let _ = writeln!(out);
    let _ = write!(out, "{}", def.display_name());
    match &def.title {
        Some(title) => {
            let _ = writeln!(out, ". {title}");
        }
        None => {
            let _ = writeln!(out);
        }
    }
    let rates = def.rate_rounding.map_or_else(
        || "exact".to_owned(),
        |r| {
            format!(
                "rounded to {}, {}",
                format::written(r.written),
                r.mode.name()
            )
        },
    );
    let _ = writeln!(
        out,
        "(rates in per cent, {rates}; contributions in {}, rounded to {}, {})",
        def.currency_symbol(),
        format::written(def.rounding.written),
        def.rounding.mode.name()
    );
    let mut footnotes = Vec::new();
    let mut body: Vec<(String, Vec<CellText>)> = Vec::new();
    for (party_index, party) in def.parties.iter().enumerate() {
        let line = ScaleLine::Party(party_index);
        let cells = line_cells(scale, reconciliation, index, line, party, &mut footnotes);
        body.push((party.name.clone(), cells));
    }
    if let Some(total) = &def.total {
        let cells = line_cells(
            scale,
            reconciliation,
            index,
            ScaleLine::Total,
            total,
            &mut footnotes,
        );
        body.push((total.name.clone(), cells));
    }
    let mut headings: Vec<String> = def
        .years
        .iter()
        .flat_map(|year| {
            [
                format!("UN {year}"),
                format!("Adj. {year}"),
                year.to_string(),
            ]
        })
        .collect();
    if def.has_total {
        headings.push("Total".to_owned());
    }
    grid(out, "Party", &headings, &body);
    for footnote in footnotes {
        let _ = writeln!(out, "{footnote}");
    }
    for line in rule_lines(model, scale) {
        for wrapped in wrap(&line, 92) {
            let _ = writeln!(out, "{wrapped}");
        }
    }
    for note in &def.notes {
        for line in wrap(note, 92) {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn line_cells(
    scale: &ScaleModel,
    reconciliation: &Reconciliation,
    index: usize,
    line: ScaleLine,
    party: &PartyDef,
    footnotes: &mut Vec<String>,
) -> Vec<CellText> {
    (0..scale.def.figure_count())
        .map(|figure| {
            let subject = Subject::Scale {
                scale: index,
                line,
                figure,
            };
            let check = reconciliation.check_for(subject);
            CellText {
                figure: figure_text(scale, line, party, figure, check),
                mark: mark(
                    check,
                    footnotes,
                    || {
                        format!(
                            "{}, {}",
                            party.name,
                            role_words(scale, scale.def.role(figure))
                        )
                    },
                    format::exact_number,
                ),
            }
        })
        .collect()
}

fn figure_text(
    scale: &ScaleModel,
    line: ScaleLine,
    party: &PartyDef,
    figure: usize,
    check: Option<&Check>,
) -> String {
    let written = party.figures.get(figure).map(|f| f.kind);
    let role = scale.def.role(figure);
    let is_input = matches!((line, role), (ScaleLine::Party(_), FigureRole::Base(_)));
    if is_input || check.is_some_and(|c| c.outcome != Outcome::Mismatch) {
        return match written {
            Some(FigureKind::Number(written)) => format::written(written),
            Some(FigureKind::Dash) => "-".to_owned(),
            Some(FigureKind::Blank) | None => String::new(),
        };
    }
    match computed(scale, line, role) {
        Some(amount) => rounded(scale, role, amount.value),
        None => String::new(),
    }
}

/// A computed figure at the precision the scale publishes it.
fn rounded(scale: &ScaleModel, role: FigureRole, value: Exact) -> String {
    let (step, mode) = match role {
        FigureRole::Base(_) | FigureRole::Adjusted(_) => scale
            .def
            .rate_rounding
            .map_or((None, RoundingMode::HalfUp), |r| (Some(r.written), r.mode)),
        _ => (Some(scale.def.rounding.written), scale.def.rounding.mode),
    };
    match step {
        Some(step) => format::fixed(value.to_decimal(), step.decimals, mode),
        None => format::exact_number(value),
    }
}

fn role_words(scale: &ScaleModel, role: FigureRole) -> String {
    let year = |index: usize| {
        scale
            .def
            .years
            .get(index)
            .map_or(String::new(), i32::to_string)
    };
    match role {
        FigureRole::Base(index) => format!("UN scale {}", year(index)),
        FigureRole::Adjusted(index) => format!("adjusted scale {}", year(index)),
        FigureRole::Contribution(index) => format!("contribution {}", year(index)),
        FigureRole::Total => "Total".to_owned(),
    }
}

/// What the rule did in each year, under the table.
fn rule_lines(model: &Model, scale: &ScaleModel) -> Vec<String> {
    let def = &scale.def;
    let mut lines = Vec::new();
    let mut rule = Vec::new();
    for (party, limit) in &def.fixed {
        if let Some(party) = def.parties.get(*party) {
            rule.push(format!(
                "{} fixed at {}%",
                party.name,
                format::exact(limit.rate)
            ));
        }
    }
    if let Some(ceiling) = def.ceiling {
        rule.push(format!("a {}% ceiling", format::exact(ceiling.rate)));
    }
    for (group, limit) in &def.caps {
        if let Some(group) = model.scales.groups.get(*group) {
            rule.push(format!(
                "at most {}% for group {}",
                format::exact(limit.rate),
                group.display_name()
            ));
        }
    }
    if let Some(floor) = def.floor {
        rule.push(format!("a {}% floor", format::exact(floor.rate)));
    }
    if !rule.is_empty() {
        lines.push(format!(
            "Rule: {}; the other Parties' rates rescaled to add up to 100%.",
            rule.join(", ")
        ));
    }
    for year in &scale.years {
        lines.push(year_line(def, year));
    }
    lines
}

fn year_line(def: &crate::semantics::scale::ScaleDef, year: &YearResult) -> String {
    let symbol = def.currency_symbol();
    let mut parts = Vec::new();
    if let Ok(amount) = &year.amount {
        let source = def
            .amount
            .as_ref()
            .map_or("", |(_, written, _)| written.as_str());
        parts.push(if amount.from_stated_total {
            format!(
                "apportioned {symbol} {} (the TOTAL line; `{source}` computes {} ±{})",
                format::exact_number(amount.used.value),
                format::exact_number(amount.computed.value),
                format::exact(amount.computed.uncertainty)
            )
        } else {
            format!(
                "apportioned {symbol} {} (`{source}`)",
                format::exact_number(amount.used.value)
            )
        });
    }
    if let Ok(rates) = &year.rates {
        parts.push(format!(
            "rescaling factor {}",
            format::exact_number(rates.factor)
        ));
        let held: Vec<&str> = def
            .parties
            .iter()
            .zip(&rates.bindings)
            .filter(|(_, binding)| matches!(binding, Binding::AtMost | Binding::AtLeast))
            .map(|(party, _)| party.name.as_str())
            .collect();
        if !held.is_empty() {
            parts.push(format!("held at a limit: {}", held.join(", ")));
        }
    }
    if let Some((rounded, residue)) = year.rounded_sum(&def.rounding) {
        parts.push(format!(
            "rounded contributions add up to {symbol} {} (residue {})",
            format::exact(rounded),
            format::signed(format::exact_number(residue))
        ));
    }
    format!("{}: {}.", year.year, parts.join("; "))
}
