//! Which figure is wrong. One wrong figure makes every figure computed from it fail
//! too: a mistyped line of Table 1 fails its row's Total, the Sub-total, the support
//! charge, the grand total, the paragraph that quotes it and every Party's
//! contribution in Table 5, and a budget officer would be handed three hundred errors
//! for one typo. Two passes find the one to report.
//!
//! 1. **Inherited or own.** Each failing figure is checked again against its own rule
//!    applied to the *published* figures it reads (`semantics::as_published`). One that
//!    reconciles there is right given what the decision prints; it fails only because a
//!    figure upstream is wrong, and is not reported again.
//! 2. **The figure to correct.** The failures left are each wrong against their own
//!    rule. When two or more of them add up the same published figure and agree on
//!    what it should be (the row's Total and the Sub-total both reconcile if Staff
//!    costs 2013 is 1,875.2 rather than 1,857.2), that figure is the one to correct:
//!    it gets one error, and the failures it explains are its labels. A failure that
//!    reads such a figure in another way (13% of it) is put down to it as well.
//!    Failures left that two figures of one row explain when exchanged make those two
//!    the culprits of one error (`swaps`).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Outcome, Reconciliation};
use crate::diagnostic::Span;
use crate::semantics::Model;
use crate::semantics::explain::Subject;
use crate::semantics::program::{At, Formula, FormulaKind, Program, RowId};
use crate::syntax::ast::{BinaryOp, ColumnKey};

/// Why a stated figure does not reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cause {
    /// Its own rule, applied to the published figures, does not give it: its own error.
    #[default]
    Own,
    /// Its own rule gives it from the published figures: a figure upstream is wrong.
    Upstream,
    /// It is explained by the wrong figure `Reconciliation::culprits[n]`.
    Figure(usize),
    /// It is explained by a cause found in its scale, `Reconciliation::scale_causes[n]`.
    Scale(usize),
}

/// A published figure that, corrected, makes several failing figures reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Culprit {
    pub row: RowId,
    pub column: usize,
    pub span: Span,
    /// The figure as published, in base units.
    pub published: Decimal,
    /// What it would have to be, in base units, at the table's published step.
    pub corrected: Decimal,
    /// The stated figures that reconcile with the correction, in file order; the
    /// figure's own check among them when it is a stated figure.
    pub explains: Vec<Subject>,
    /// Failing figures that read it otherwise (a rate of it), put down to it.
    pub affects: Vec<Subject>,
    /// Whether the decision acknowledges it as a published error (`erratum`).
    pub acknowledged: bool,
    /// The culprit it was swapped with, when the two figures of one row reconcile the
    /// other way round (`swaps`): one error names both.
    pub swapped_with: Option<usize>,
}

/// Sets the cause of every failing figure and finds the figures to correct.
pub fn attribute(reconciliation: &mut Reconciliation, model: &Model, published: &Model) {
    let local = super::reconcile(published);
    let mut own: Vec<usize> = Vec::new();
    for (index, check) in reconciliation.checks.iter_mut().enumerate() {
        if check.outcome != Outcome::Mismatch {
            continue;
        }
        match local.check_for(check.subject) {
            Some(again) if again.outcome != Outcome::Mismatch => check.cause = Cause::Upstream,
            _ => own.push(index),
        }
    }
    let implied = implied_corrections(reconciliation, &local, model, &own);
    let mut culprits = choose(implied.clone(), reconciliation, model);
    super::swaps::add(&implied, &mut culprits, reconciliation, model);
    for (number, culprit) in culprits.iter().enumerate() {
        for subject in culprit.explains.iter().chain(&culprit.affects) {
            if let Some(index) = reconciliation.index_of(*subject) {
                reconciliation.checks[index].cause = Cause::Figure(number);
            }
        }
    }
    absorb_readers(reconciliation, model, &mut culprits);
    reconciliation.culprits = culprits;
}

/// A correction of one published figure: the cell, and the value it would need.
pub(super) type Correction = (RowId, usize, Decimal);

/// For each failing figure, the corrections of a published figure it adds up (or of
/// itself) that would make it reconcile with its own rule.
fn implied_corrections(
    reconciliation: &Reconciliation,
    local: &Reconciliation,
    model: &Model,
    own: &[usize],
) -> HashMap<Correction, Vec<Subject>> {
    let mut implied: HashMap<Correction, Vec<Subject>> = HashMap::new();
    for index in own {
        let check = &reconciliation.checks[*index];
        let Subject::Cell { row, column } = check.subject else {
            continue;
        };
        let Some(again) = local.check_for(check.subject) else {
            continue;
        };
        let computed = again.computed.to_decimal();
        let Some(gap) = check.stated.checked_sub(computed) else {
            continue;
        };
        if let Some(own) = at_step(model, row, computed) {
            implied
                .entry((row, column, own))
                .or_default()
                .push(check.subject);
        }
        for (input, input_column, sign) in additive_terms(&model.program, row, column) {
            let Some(printed) = printed(&model.program, input, input_column) else {
                continue;
            };
            let Some(needed) = printed.checked_add(sign * gap) else {
                continue;
            };
            if let Some(needed) = at_step(model, input, needed) {
                implied
                    .entry((input, input_column, needed))
                    .or_default()
                    .push(check.subject);
            }
        }
    }
    implied
}

/// Takes the correction that explains the most failures (two at least), then the
/// next among the failures left, and so on.
fn choose(
    mut implied: HashMap<Correction, Vec<Subject>>,
    reconciliation: &Reconciliation,
    model: &Model,
) -> Vec<Culprit> {
    let mut culprits = Vec::new();
    loop {
        let best = implied
            .iter()
            .filter(|(_, explains)| explains.len() >= 2)
            .max_by_key(|((row, column, _), explains)| {
                // Most explained first; then the figure earliest in the file.
                let start = span_of(&model.program, *row, *column).map_or(0, |s| s.start());
                (explains.len(), std::cmp::Reverse(start))
            })
            .map(|(key, explains)| (*key, explains.clone()));
        let Some(((row, column, corrected), mut explains)) = best else {
            break;
        };
        for others in implied.values_mut() {
            others.retain(|subject| !explains.contains(subject));
        }
        let (Some(span), Some(published)) = (
            span_of(&model.program, row, column),
            printed(&model.program, row, column),
        ) else {
            continue;
        };
        explains.sort_by_key(|subject| reconciliation.check_for(*subject).map(|c| c.span.start()));
        culprits.push(Culprit {
            row,
            column,
            span,
            published,
            corrected,
            explains,
            affects: Vec::new(),
            acknowledged: false,
            swapped_with: None,
        });
    }
    culprits
}

/// A failing figure whose rule reads a figure to correct, other than by adding it
/// (`13% of subtotal`), fails because of it too.
fn absorb_readers(reconciliation: &mut Reconciliation, model: &Model, culprits: &mut [Culprit]) {
    if culprits.is_empty() {
        return;
    }
    for check in &mut reconciliation.checks {
        if check.outcome != Outcome::Mismatch || check.cause != Cause::Own {
            continue;
        }
        let read = match check.subject {
            Subject::Cell { row, column } => cells_read(&model.program, row, column),
            Subject::Value { value, year } => value_reads(&model.program, value, year),
            Subject::Scale { .. } => continue,
        };
        if let Some(number) = culprits
            .iter()
            .position(|c| read.contains(&(c.row, c.column)))
        {
            check.cause = Cause::Figure(number);
            culprits[number].affects.push(check.subject);
        }
    }
}

/// The published figure of a cell in base units (a dash is zero), if the table prints one.
fn printed(program: &Program, row: RowId, column: usize) -> Option<Decimal> {
    program.rows.get(row.0)?.printed(column)
}

fn span_of(program: &Program, row: RowId, column: usize) -> Option<Span> {
    Some(program.rows.get(row.0)?.figures.get(column)?.span)
}

/// A value at the published step of the row's table: a correction a table can print.
fn at_step(model: &Model, row: RowId, value: Decimal) -> Option<Decimal> {
    let table = model.program.table(model.program.row(row).table);
    match table.rounding {
        Some(rounding) if !rounding.step.is_zero() => {
            let steps = value.checked_div(rounding.step)?.round();
            steps.checked_mul(rounding.step)
        }
        _ => Some(value),
    }
}

/// The cells a figure adds or subtracts directly: a Total's year columns, or the rows a
/// rule sums, adds and subtracts, each with its sign.
fn additive_terms(program: &Program, row: RowId, column: usize) -> Vec<(RowId, usize, Decimal)> {
    let definition = program.row(row);
    let table = program.table(definition.table);
    let mut terms = Vec::new();
    if table.columns.get(column) == Some(&ColumnKey::Total) {
        for (other, key) in table.columns.iter().enumerate() {
            if matches!(key, ColumnKey::Year(_)) {
                terms.push((row, other, Decimal::ONE));
            }
        }
        return terms;
    }
    if let Some(formula) = &definition.formula {
        let key = table.columns.get(column).copied();
        additive(program, formula, key, Decimal::ONE, &mut terms);
    }
    terms
}

fn additive(
    program: &Program,
    formula: &Formula,
    column: Option<ColumnKey>,
    sign: Decimal,
    terms: &mut Vec<(RowId, usize, Decimal)>,
) {
    match &formula.kind {
        FormulaKind::Row { id, at } => {
            if let Some(read) = column_read(program, *id, *at, column) {
                terms.push((*id, read, sign));
            }
        }
        FormulaKind::Sum {
            terms: parts,
            sections,
        } => {
            for part in parts {
                additive(program, part, column, sign, terms);
            }
            for section in sections {
                for id in &program.section(section.id).rows {
                    if let Some(read) = column_read(program, *id, section.at, column) {
                        terms.push((*id, read, sign));
                    }
                }
            }
        }
        FormulaKind::Binary { op, lhs, rhs } => match op {
            BinaryOp::Add => {
                additive(program, lhs, column, sign, terms);
                additive(program, rhs, column, sign, terms);
            }
            BinaryOp::Subtract => {
                additive(program, lhs, column, sign, terms);
                additive(program, rhs, column, -sign, terms);
            }
            _ => {}
        },
        FormulaKind::Convert { inner, .. } => additive(program, inner, column, sign, terms),
        FormulaKind::Negate(inner) => additive(program, inner, column, -sign, terms),
        _ => {}
    }
}

/// Every cell a figure's rule reads, however it reads it.
fn cells_read(program: &Program, row: RowId, column: usize) -> Vec<(RowId, usize)> {
    let definition = program.row(row);
    let table = program.table(definition.table);
    if table.columns.get(column) == Some(&ColumnKey::Total) {
        return additive_terms(program, row, column)
            .into_iter()
            .map(|(r, c, _)| (r, c))
            .collect();
    }
    let mut read = Vec::new();
    let column = table.columns.get(column).copied();
    if let Some(formula) = &definition.formula {
        formula.for_each_reference(&mut |reference, at, _| match reference {
            crate::semantics::program::Reference::Row(id) => {
                read.extend(column_read(program, id, at, column).map(|c| (id, c)));
            }
            crate::semantics::program::Reference::Section(section) => {
                for id in &program.section(section).rows {
                    read.extend(column_read(program, *id, at, column).map(|c| (*id, c)));
                }
            }
            crate::semantics::program::Reference::Value(_) => {}
        });
    }
    read
}

/// Every cell a value's rule for `year` reads (a paragraph quoting a table's figure).
fn value_reads(
    program: &Program,
    value: crate::semantics::program::ValueId,
    year: Option<i32>,
) -> Vec<(RowId, usize)> {
    let mut read = Vec::new();
    let Some(rule) = program.value(value).rule_for(year) else {
        return read;
    };
    let column = year.map(ColumnKey::Year);
    rule.formula.for_each_reference(&mut |reference, at, _| {
        if let crate::semantics::program::Reference::Row(id) = reference {
            read.extend(column_read(program, id, at, column).map(|c| (id, c)));
        }
    });
    read
}

/// The column of `row` a reference reads when computing column `key` of a row.
fn column_read(program: &Program, row: RowId, at: At, key: Option<ColumnKey>) -> Option<usize> {
    let table = program.table(program.row(row).table);
    table.column_index(at.column_from(key)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    /// A small budget: two lines, their Sub-total, 13% of it and a grand total, each
    /// with a Total column.
    fn budget(staff_2013: &str, subtotal_2013: &str) -> String {
        format!(
            "{}table 1 t {{\n    unit thousands of US$\n    rounding 0.1\n    columns 2013 2014 Total\n\
             \x20   staff    \"Staff\"    {staff_2013}   100.0   200.0\n\
             \x20   travel   \"Travel\"    50.0    50.0   100.0\n\
             \x20   subtotal \"Sub-total\" {subtotal_2013}  150.0   300.0  = staff + travel\n\
             \x20   support  \"Support\"    19.5    19.5    39.0  = 13% of subtotal\n\
             \x20   total    \"TOTAL\"     169.5   169.5   339.0  = subtotal + support\n}}\n",
            crate::TEST_DECISION
        )
    }

    fn errors(checked: &crate::Checked) -> Vec<String> {
        checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn a_clean_budget_has_nothing_to_attribute() {
        let checked = crate::checked_text(&budget("100.0", "150.0"));
        assert!(errors(&checked).is_empty(), "{:#?}", checked.diagnostics);
        assert!(checked.reconciliation.culprits.is_empty());
    }

    #[test]
    fn a_mistyped_line_is_the_one_error_and_its_totals_follow() {
        // 110.0 for 100.0: the row's Total, the Sub-total and everything above it fail.
        let checked = crate::checked_text(&budget("110.0", "150.0"));
        let reconciliation = &checked.reconciliation;
        assert!(reconciliation.count(Outcome::Mismatch) >= 6);
        assert_eq!(
            errors(&checked),
            [
                "Table 1, Staff, 2013: 110.0 does not agree with the 2 stated figures computed from it; both reconcile if it is 100.0"
            ]
        );
        let culprit = &reconciliation.culprits[0];
        assert_eq!(culprit.corrected, Decimal::from(100_000));
        assert_eq!(culprit.explains.len(), 2);
        // Every failing figure is put down to it or to what it moves.
        assert!(
            reconciliation
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Mismatch)
                .all(|c| c.cause != Cause::Own)
        );
        assert_eq!(
            reconciliation.inherited(),
            reconciliation.count(Outcome::Mismatch)
        );
    }

    #[test]
    fn a_wrong_total_is_its_own_error_and_moves_nothing() {
        // The Sub-total's 2013 figure mistyped: bud computes every total from the lines,
        // so nothing else moves, and the one error is the figure's own.
        let checked = crate::checked_text(&budget("100.0", "160.0"));
        let errors = errors(&checked);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0].starts_with("Table 1, Sub-total, 2013: stated 160.0, but bud computes 150.0"),
            "{errors:#?}"
        );
        assert!(checked.reconciliation.culprits.is_empty());
    }

    /// The one correction of the one error, and the text it replaces.
    fn correction(source: &str) -> (String, String, String) {
        let correction = crate::only_correction(source);
        let replaced = &source[correction.span.start()..correction.span.end()];
        (
            correction.title.clone(),
            replaced.to_owned(),
            correction.replacement.clone(),
        )
    }

    #[test]
    fn the_figure_to_correct_and_a_wrong_total_come_with_their_edit() {
        assert_eq!(
            correction(&budget("110.0", "150.0")),
            ("correct it to 100.0".into(), "110.0".into(), "100.0".into())
        );
        assert_eq!(
            correction(&budget("100.0", "160.0")),
            (
                "correct the stated figure to 150.0".into(),
                "160.0".into(),
                "150.0".into()
            )
        );
    }

    #[test]
    fn a_correction_is_written_in_the_tables_notation_and_decimals() {
        // In UN notation and whole dollars: `110 000` is corrected to `100 000`.
        let source = "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n    notation UN\n}\n\
             table 1 t {\n    unit US$\n    columns 2013 2014 Total\n\
             \x20   staff    \"Staff\"      110 000    100 000    200 000\n\
             \x20   travel   \"Travel\"      50 000     50 000    100 000\n\
             \x20   subtotal \"Sub-total\"  150 000    150 000    300 000  = staff + travel\n}\n";
        assert_eq!(
            correction(source),
            (
                "correct it to 100 000".into(),
                "110 000".into(),
                "100 000".into()
            )
        );
        // A figure written with two decimals keeps them.
        let source = budget("110.0", "150.0")
            .replace("rounding 0.1", "rounding 0.01")
            .replace("110.0", "110.00");
        let (_, replaced, replacement) = correction(&source);
        assert_eq!(
            (replaced.as_str(), replacement.as_str()),
            ("110.00", "100.00")
        );
    }

    #[test]
    fn a_values_stated_figure_is_corrected_in_its_own_unit() {
        let header =
            "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\n";
        assert_eq!(
            correction(&format!(
                "{header}x = US$ 5.5 thousand * 2  stated US$ 12 thousand\n"
            )),
            (
                "correct the stated figure to US$ 11 thousand".into(),
                "US$ 12 thousand".into(),
                "US$ 11 thousand".into()
            )
        );
        let (_, replaced, replacement) =
            correction(&format!("{header}r = 13% + 1.5%  stated 15.0%\n"));
        assert_eq!(
            (replaced.as_str(), replacement.as_str()),
            ("15.0%", "14.5%")
        );
    }

    #[test]
    fn two_independent_typos_are_two_errors() {
        let source = budget("110.0", "150.0").replace(
            "travel   \"Travel\"    50.0    50.0   100.0",
            "travel   \"Travel\"    50.0    55.0   100.0",
        );
        let checked = crate::checked_text(&source);
        let errors = errors(&checked);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(
            errors[0].starts_with("Table 1, Staff, 2013: 110.0"),
            "{errors:#?}"
        );
        assert!(
            errors[1].starts_with("Table 1, Travel, 2014: 55.0"),
            "{errors:#?}"
        );
        let help = checked
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .and_then(|d| d.help.as_deref())
            .unwrap_or_default();
        assert!(
            help.contains("only because of the 2 figures reported like this one"),
            "{help}"
        );
        assert!(
            checked
                .diagnostics
                .iter()
                .all(|d| !d.is_error() || d.code == Code::ReconcileMismatch)
        );
    }
}
