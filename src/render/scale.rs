//! A scale of assessments as a table of the view: one line per Party with, for each
//! year, its UN scale rate, its adjusted rate and its contribution, then its Total; the
//! TOTAL line; and as notes under the table, what the rule did: the amount apportioned,
//! the rescaling factor, the Parties held at a limit and the rounding residue.

use rust_decimal::Decimal;

use super::view::{
    CellFormula, Column, Footnotes, LineKind, Place, Role, Table, TableCell, TableKind, TableLine,
    input_number, input_shown, mark, plain, scale_cause_mark, stated_as_is, table_id,
};
use crate::format;
use crate::reconcile::scale::computed;
use crate::reconcile::{Check, Outcome, Reconciliation};
use crate::semantics::Model;
use crate::semantics::apportion::Binding;
use crate::semantics::explain::{ScaleLine, Subject};
use crate::semantics::number::Exact;
use crate::semantics::scale::{FigureRole, PartyDef, ScaleDef, ScaleModel, YearResult};
use crate::syntax::ast::RoundingMode;

pub(super) fn view(
    model: &Model,
    reconciliation: &Reconciliation,
    index: usize,
    scale: &ScaleModel,
) -> Table {
    let def = &scale.def;
    // A scale of fees prints only its base rates, rounded; the fees come from them
    // unrounded.
    let rates = def.rate_rounding.or(def.base_rounding).map_or_else(
        || "exact".to_owned(),
        |r| {
            format!(
                "rounded to {}, {}",
                format::written(r.written),
                r.mode.name()
            )
        },
    );
    let mut footnotes = Footnotes::default();
    let mut lines = Vec::new();
    for (party_index, party) in def.parties.iter().enumerate() {
        let line = ScaleLine::Party(party_index);
        lines.push(TableLine {
            kind: LineKind::Party,
            name: None,
            depth: 0,
            label: party.name.clone(),
            cells: line_cells(
                model,
                scale,
                reconciliation,
                index,
                line,
                party,
                &mut footnotes,
            ),
        });
    }
    if let Some(total) = &def.total {
        let cells = line_cells(
            model,
            scale,
            reconciliation,
            index,
            ScaleLine::Total,
            total,
            &mut footnotes,
        );
        lines.push(TableLine {
            kind: LineKind::Total,
            name: None,
            depth: 0,
            label: total.name.clone(),
            cells,
        });
    }
    let mut notes = rule_lines(model, scale);
    let found_notes = notes.len();
    notes.extend(def.notes.iter().cloned());
    Table {
        id: table_id(def.number.as_deref(), &def.name),
        kind: TableKind::Scale,
        name: def.display_name(),
        title: def.title.clone(),
        unit: match def.has_amounts() {
            true => format!(
                "rates in per cent, {rates}; contributions in {}, rounded to {}, {}",
                def.currency_symbol(),
                format::written(def.rounding.written),
                def.rounding.mode.name()
            ),
            false => format!("rates in per cent, {rates}"),
        },
        label_heading: "Party".to_owned(),
        notation: def.notation,
        columns: columns(def),
        lines,
        footnotes: footnotes.into_notes(),
        notes,
        found_notes,
    }
}

fn columns(def: &ScaleDef) -> Vec<Column> {
    let rate_decimals = def.rate_rounding.map(|r| r.written.decimals);
    let money = def.currency_symbol().to_owned();
    let money_decimals = Some(def.rounding.written.decimals);
    let column = |heading: String, unit: &str, decimals: Option<u32>| Column {
        heading,
        text: false,
        unit: unit.to_owned(),
        decimals,
    };
    let base_decimals = def
        .base_rounding
        .or(def.rate_rounding)
        .map(|r| r.written.decimals);
    let year = |index: usize| def.years.get(index).map_or(String::new(), i32::to_string);
    def.columns
        .iter()
        .map(|written| {
            // The heading the decision prints, or one that says what the column is.
            let heading = |default: String| written.heading.clone().unwrap_or(default);
            match written.role {
                FigureRole::Base(Some(index)) => column(
                    heading(format!("UN {}", year(index))),
                    "per cent",
                    base_decimals,
                ),
                FigureRole::Base(None) => {
                    column(heading("UN scale".to_owned()), "per cent", base_decimals)
                }
                FigureRole::Adjusted(index) => column(
                    heading(format!("Adj. {}", year(index))),
                    "per cent",
                    rate_decimals,
                ),
                FigureRole::Contribution(index) => {
                    column(heading(year(index)), &money, money_decimals)
                }
                FigureRole::Total => column(heading("Total".to_owned()), &money, money_decimals),
            }
        })
        .collect()
}

fn line_cells(
    model: &Model,
    scale: &ScaleModel,
    reconciliation: &Reconciliation,
    index: usize,
    line: ScaleLine,
    party: &PartyDef,
    footnotes: &mut Footnotes,
) -> Vec<TableCell> {
    (0..scale.def.figure_count())
        .map(|figure| {
            let subject = Subject::Scale {
                scale: index,
                line,
                figure,
            };
            let check = reconciliation.check_for(subject);
            let role = scale.def.role(figure);
            let written = party.figures.get(figure).map(|f| f.kind.clone());
            let is_input = matches!((line, role), (ScaleLine::Party(_), FigureRole::Base(_)));
            let number = if is_input {
                input_number(written)
            } else {
                computed(scale, line, role).map(|amount| amount.value.to_decimal())
            };
            // The figure a cause found in the scale points at: the wrong one.
            let cause = party.figures.get(figure).and_then(|written| {
                reconciliation
                    .scale_causes
                    .iter()
                    .position(|cause| cause.scale == index && cause.span == written.span)
            });
            let cause_number = cause.and_then(|c| reconciliation.error_numbers().scale_cause(c));
            let error_role = Role::of(check, cause_number, reconciliation);
            TableCell {
                kind: super::view::CellKind::Amount,
                shown: figure_text(scale, line, party, figure, check),
                bud: check
                    .filter(|c| c.outcome == Outcome::Mismatch)
                    .and_then(|_| computed(scale, line, role))
                    .map(|amount| rounded(scale, role, amount.value)),
                value: number.map(|n| plain(Exact::new(n))),
                computed: !is_input,
                stated: check.map(|check| stated_as_is(check, scale.def.notation)),
                mark: match (cause, check) {
                    // An input (a base rate) has no check of its own to mark.
                    (Some(cause), None) => {
                        scale_cause_mark(model, reconciliation, cause, footnotes)
                    }
                    _ => mark(
                        check,
                        error_role,
                        model,
                        reconciliation,
                        footnotes,
                        || {
                            format!(
                                "{}, {}",
                                party.name,
                                role_words(scale, scale.def.role(figure))
                            )
                        },
                        format::Scaled {
                            notation: scale.def.notation,
                            ..format::Scaled::UNITS
                        },
                    ),
                },
                formula: number.and_then(|_| figure_formula(scale, line, role, figure)),
                at: place(party, figure, check),
                role: error_role,
                number,
                formula_result: apportioned(scale, line, role),
            }
        })
        .collect()
}

/// Where a Party's figure is written: in the decision, or in the data file it came from.
fn place(party: &PartyDef, figure: usize, check: Option<&Check>) -> Option<Place> {
    let span = match party.figures.get(figure) {
        Some(written) => written.span,
        None => check?.span,
    };
    Some(Place {
        file: party.file.clone(),
        span,
    })
}

/// The TOTAL line's contribution in a workbook: the sum of the Parties' shares, which is
/// the amount apportioned (bud reconciles the line against the amount the budget
/// computes, which may differ by rounding, but the sheet must add up).
fn apportioned(scale: &ScaleModel, line: ScaleLine, role: FigureRole) -> Option<Decimal> {
    match (line, role) {
        (ScaleLine::Total, FigureRole::Contribution(year)) => {
            let amount = scale.years.get(year)?.amount.as_ref().ok()?;
            Some(amount.used.value.to_decimal())
        }
        _ => None,
    }
}

/// A figure's rule as a workbook formula over the scale's own cells: a Party's rate
/// that the rule rescales is its base rate times the year's rescaling factor, its
/// contribution that rate's share of the amount apportioned, its Total the sum of its
/// contributions; the TOTAL line adds the Parties. A rate held at a limit is the
/// smaller (a ceiling, a cap) or larger (a floor) of the limit and its base rate
/// rescaled. The factor, and which Parties a limit holds, are as bud found them: they
/// depend on every rate at once, which no formula of one cell restates. A fixed share
/// has no formula; the workbook holds bud's rate there.
fn figure_formula(
    scale: &ScaleModel,
    line: ScaleLine,
    role: FigureRole,
    figure: usize,
) -> Option<CellFormula> {
    let column_of =
        |wanted: FigureRole| (0..scale.def.figure_count()).find(|f| scale.def.role(*f) == wanted);
    match (line, role) {
        (ScaleLine::Party(party), FigureRole::Adjusted(year)) => {
            let rates = scale.years.get(year)?.rates.as_ref().ok()?;
            let base = column_of(FigureRole::Base(Some(year)))
                .or_else(|| column_of(FigureRole::Base(None)))?;
            let scaled = CellFormula::Binary {
                op: '*',
                lhs: Box::new(CellFormula::Cell {
                    line: party,
                    column: base,
                }),
                rhs: Box::new(CellFormula::Number(significant(rates.factor.to_decimal()))),
            };
            // A Party held at a limit pays the limit, its rate: no more (a ceiling, a
            // group's cap) or no less (a floor) than its base rate rescaled.
            let limit = || {
                let rate = rates.rates.get(party)?;
                Some(CellFormula::Number(rate.to_decimal().normalize()))
            };
            match rates.bindings.get(party)? {
                Binding::Scaled => Some(scaled),
                Binding::AtMost => Some(CellFormula::Function {
                    name: "MIN",
                    arguments: vec![limit()?, scaled],
                }),
                Binding::AtLeast => Some(CellFormula::Function {
                    name: "MAX",
                    arguments: vec![limit()?, scaled],
                }),
                Binding::Fixed => None,
            }
        }
        (ScaleLine::Party(party), FigureRole::Contribution(year)) => {
            let rate = column_of(FigureRole::Adjusted(year))?;
            let share = CellFormula::Binary {
                op: '/',
                lhs: Box::new(CellFormula::Cell {
                    line: party,
                    column: rate,
                }),
                rhs: Box::new(CellFormula::Number(Decimal::ONE_HUNDRED)),
            };
            Some(CellFormula::Binary {
                op: '*',
                lhs: Box::new(share),
                rhs: Box::new(amount_formula(scale, year, figure)?),
            })
        }
        _ => total_formula(scale, line, role, figure),
    }
}

/// The amount a year apportions: the TOTAL line as published when bud shares that out
/// (it reconciles and is more precise), otherwise the amount bud computes.
fn amount_formula(scale: &ScaleModel, year: usize, figure: usize) -> Option<CellFormula> {
    let amount = scale.years.get(year)?.amount.as_ref().ok()?;
    if amount.from_stated_total && scale.def.total.is_some() {
        return Some(CellFormula::Published {
            line: scale.def.parties.len(),
            column: figure,
        });
    }
    Some(CellFormula::Number(amount.used.value.to_decimal()))
}

/// A factor to the 15 significant digits a spreadsheet's number holds.
fn significant(value: Decimal) -> Decimal {
    let digits = value
        .abs()
        .trunc()
        .to_string()
        .trim_start_matches('0')
        .len();
    let decimals = u32::try_from(15_usize.saturating_sub(digits)).unwrap_or(0);
    value.round_dp(decimals).normalize()
}

/// A Party's Total adds its contributions; the TOTAL line adds the Parties.
fn total_formula(
    scale: &ScaleModel,
    line: ScaleLine,
    role: FigureRole,
    figure: usize,
) -> Option<CellFormula> {
    match (line, role) {
        (ScaleLine::Total, _) => Some(CellFormula::Sum(
            (0..scale.def.parties.len())
                .map(|party| CellFormula::Cell {
                    line: party,
                    column: figure,
                })
                .collect(),
        )),
        (ScaleLine::Party(party), FigureRole::Total) => Some(CellFormula::Sum(
            (0..scale.def.figure_count())
                .filter(|f| matches!(scale.def.role(*f), FigureRole::Contribution(_)))
                .map(|column| CellFormula::Cell {
                    line: party,
                    column,
                })
                .collect(),
        )),
        _ => None,
    }
}

fn figure_text(
    scale: &ScaleModel,
    line: ScaleLine,
    party: &PartyDef,
    figure: usize,
    check: Option<&Check>,
) -> String {
    let written = party.figures.get(figure).map(|f| f.kind.clone());
    let role = scale.def.role(figure);
    let is_input = matches!((line, role), (ScaleLine::Party(_), FigureRole::Base(_)));
    // A stated figure is shown as published; bud's goes beside it when they differ.
    if is_input || check.is_some() {
        return input_shown(written, scale.def.notation);
    }
    match computed(scale, line, role) {
        Some(amount) => rounded(scale, role, amount.value),
        None => String::new(),
    }
}

/// A computed figure at the precision the scale publishes it.
fn rounded(scale: &ScaleModel, role: FigureRole, value: Exact) -> String {
    let (step, mode) = match role {
        FigureRole::Base(_) => scale
            .def
            .base_rounding
            .or(scale.def.rate_rounding)
            .map_or((None, RoundingMode::HalfUp), |r| (Some(r.written), r.mode)),
        FigureRole::Adjusted(_) => scale
            .def
            .rate_rounding
            .map_or((None, RoundingMode::HalfUp), |r| (Some(r.written), r.mode)),
        _ => (Some(scale.def.rounding.written), scale.def.rounding.mode),
    };
    let comma = match step {
        Some(step) => format::fixed(value.to_decimal(), step.decimals, mode),
        None => format::exact_number(value),
    };
    scale.def.notation.figure(&comma)
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
        FigureRole::Base(Some(index)) => format!("UN scale {}", year(index)),
        FigureRole::Base(None) => "UN scale".to_owned(),
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
        // A shared rule is named, with the instrument it comes from, and what of it the
        // scale does not apply.
        let name = match &def.shared_rule {
            Some((name, Some(source))) => format!("Rule `{name}` ({source})"),
            Some((name, None)) => format!("Rule `{name}`"),
            None => "Rule".to_owned(),
        };
        let not_applied = match def.not_applied.as_slice() {
            [] => String::new(),
            parts => format!(" Not applied here: {}.", parts.join(", ")),
        };
        lines.push(format!(
            "{name}: {}; the other Parties' rates rescaled to add up to 100%.{not_applied}",
            rule.join(", ")
        ));
    }
    for year in &scale.years {
        lines.push(year_line(def, year));
    }
    lines
}

fn year_line(def: &ScaleDef, year: &YearResult) -> String {
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
    // A scale of rates alone prints no contributions to round.
    let rounded = year
        .rounded_sum(&def.rounding)
        .filter(|_| def.has_amounts());
    if let Some((rounded, residue)) = rounded {
        parts.push(format!(
            "rounded contributions add up to {symbol} {} (residue {})",
            format::exact(rounded),
            format::signed(format::exact_number(residue))
        ));
    }
    format!("{}: {}.", year.year, parts.join("; "))
}
