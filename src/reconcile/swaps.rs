//! Two figures of one row exchanged. When Biosafety Bureau meetings' 20.0 and 25.0 are
//! typed the other way round, the row's Total still reconciles, and the Sub-total fails
//! by 5.0 in 2013 and by -5.0 in 2014. No one figure explains both failures, so
//! `attribution` alone reports each Sub-total as its own error. But each failure is
//! explained by correcting one of the two figures to the other's value: the 2013
//! failure by 25.0 → 20.0, the 2014 failure by 20.0 → 25.0. Two such corrections of one
//! row, each asking for the figure printed in the other's column, are a swap: both
//! figures become culprits (`Culprit::swapped_with`), the failures they explain follow
//! from them, and one error names the row and offers to swap them back. A swap is
//! looked for only among failures no single figure explains, and only where one swap
//! accounts for them: two rows that could each have been swapped name neither.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::attribution::{Correction, Culprit};
use super::{Reconciliation, presentation, show_stated};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::semantics::Model;
use crate::semantics::explain::Subject;
use crate::semantics::number::Exact;
use crate::semantics::program::{Program, RowId};
use crate::semantics::resolve::{column_name, figures};
use crate::syntax::ast::{ColumnKey, FigureKind};

/// Two figures of `row` that reconcile the failures they explain when exchanged.
struct Swap {
    row: RowId,
    /// Each column with the failures that reconcile once it holds the other's figure.
    sides: [(usize, Vec<Subject>); 2],
}

/// Adds a pair of culprits for each swap that explains failures `culprits` leave
/// unexplained.
pub fn add(
    implied: &HashMap<Correction, Vec<Subject>>,
    culprits: &mut Vec<Culprit>,
    reconciliation: &Reconciliation,
    model: &Model,
) {
    let explained: HashSet<Subject> = culprits
        .iter()
        .flat_map(|culprit| culprit.explains.iter().copied())
        .collect();
    for swap in unambiguous(candidates(implied, &explained, &model.program)) {
        let first = culprits.len();
        let [(a, explains_a), (b, explains_b)] = swap.sides;
        let (Some(a_printed), Some(b_printed)) = (
            printed(&model.program, swap.row, a),
            printed(&model.program, swap.row, b),
        ) else {
            continue;
        };
        let (Some(a_span), Some(b_span)) = (
            span_of(&model.program, swap.row, a),
            span_of(&model.program, swap.row, b),
        ) else {
            continue;
        };
        for (column, span, published, corrected, mut explains, partner) in [
            (a, a_span, a_printed, b_printed, explains_a, first + 1),
            (b, b_span, b_printed, a_printed, explains_b, first),
        ] {
            explains.sort_by_key(|subject| {
                reconciliation
                    .check_for(*subject)
                    .map(|check| check.span.start())
            });
            culprits.push(Culprit {
                row: swap.row,
                column,
                span,
                published,
                corrected,
                explains,
                affects: Vec::new(),
                acknowledged: false,
                swapped_with: Some(partner),
            });
        }
    }
}

/// Every pair of corrections of one row's year or period columns in which each asks
/// for the figure the other prints, in file order; the failures already explained left
/// out.
fn candidates(
    implied: &HashMap<Correction, Vec<Subject>>,
    explained: &HashSet<Subject>,
    program: &Program,
) -> Vec<Swap> {
    let mut by_row: HashMap<RowId, Vec<(usize, Decimal, Vec<Subject>)>> = HashMap::new();
    for ((row, column, needed), subjects) in implied {
        let left: Vec<Subject> = subjects
            .iter()
            .filter(|subject| !explained.contains(subject))
            .copied()
            .collect();
        if !left.is_empty() && is_dated(program, *row, *column) {
            by_row
                .entry(*row)
                .or_default()
                .push((*column, *needed, left));
        }
    }
    let mut swaps = Vec::new();
    for (row, mut corrections) in by_row {
        corrections.sort_by_key(|(column, needed, _)| (*column, *needed));
        for (i, (a, a_needed, a_explains)) in corrections.iter().enumerate() {
            for (b, b_needed, b_explains) in &corrections[i + 1..] {
                let (Some(a_printed), Some(b_printed)) =
                    (printed(program, row, *a), printed(program, row, *b))
                else {
                    continue;
                };
                let exchanged = a != b
                    && a_printed != b_printed
                    && *a_needed == b_printed
                    && *b_needed == a_printed;
                if exchanged {
                    swaps.push(Swap {
                        row,
                        sides: [(*a, a_explains.clone()), (*b, b_explains.clone())],
                    });
                }
            }
        }
    }
    swaps.sort_by_key(|swap| (swap.row, swap.sides[0].0, swap.sides[1].0));
    swaps
}

/// The swaps that share no failure with another: where two swaps explain the same
/// failure, which one happened cannot be told.
fn unambiguous(swaps: Vec<Swap>) -> Vec<Swap> {
    let mut claims: HashMap<Subject, usize> = HashMap::new();
    for swap in &swaps {
        for subject in swap.sides.iter().flat_map(|(_, explains)| explains) {
            *claims.entry(*subject).or_default() += 1;
        }
    }
    swaps
        .into_iter()
        .filter(|swap| {
            swap.sides
                .iter()
                .flat_map(|(_, explains)| explains)
                .all(|subject| claims.get(subject) == Some(&1))
        })
        .collect()
}

/// Whether the cell is a year's or a period's figure: a Total is computed from them,
/// and words are not figures.
fn is_dated(program: &Program, row: RowId, column: usize) -> bool {
    let table = program.table(program.row(row).table);
    matches!(
        table.columns.get(column),
        Some(ColumnKey::Year(_) | ColumnKey::Period(_))
    )
}

fn printed(program: &Program, row: RowId, column: usize) -> Option<Decimal> {
    program.rows.get(row.0)?.printed(column)
}

fn span_of(program: &Program, row: RowId, column: usize) -> Option<Span> {
    Some(program.rows.get(row.0)?.figures.get(column)?.span)
}

/// One error for a swap, at its two figures, with the failures they explain labelled
/// and the exchange offered as a correction.
pub fn error(
    model: &Model,
    reconciliation: &Reconciliation,
    first: &Culprit,
    second: &Culprit,
) -> Diagnostic {
    let program: &Program = &model.program;
    let definition = program.row(first.row);
    let table = program.table(definition.table);
    let shown = figures(table);
    let heading = |column: usize| {
        table
            .columns
            .get(column)
            .map_or_else(String::new, |key| column_name(*key))
    };
    let (a, b) = (heading(first.column), heading(second.column));
    let a_printed = shown.show(Exact::new(first.published));
    let b_printed = shown.show(Exact::new(second.published));
    let row = format!("{}, {}", table.display_name(), definition.message_label());
    let mut error = Diagnostic::error(
        Code::ReconcileMismatch,
        format!(
            "{row}: {a} and {b} look swapped: {a_printed} and {b_printed} reconcile the other way round"
        ),
    )
    .at(
        first.span.to(second.span),
        format!("{b_printed} in {a} and {a_printed} in {b} would reconcile them"),
    );
    for culprit in [first, second] {
        let corrected = shown.show(Exact::new(culprit.corrected));
        for subject in &culprit.explains {
            if let Some(check) = reconciliation.check_for(*subject) {
                let p = presentation(model, *subject);
                error = error.with_label(
                    check.span,
                    format!(
                        "{}: stated {}, reconciles with {corrected} in {}",
                        p.title,
                        show_stated(&p, check),
                        heading(culprit.column)
                    ),
                );
            }
        }
    }
    let explained = first.explains.len() + second.explains.len();
    error = error.with_help(format!(
        "swap them if the {} computed from them {} right; the row's own Total is the same either way{}",
        if explained == 1 {
            "stated figure".to_owned()
        } else {
            format!("{explained} stated figures")
        },
        if explained == 1 { "is" } else { "are" },
        super::downstream_sentence(reconciliation, "them")
    ));
    match exchanged_text(program, first, second) {
        Some(replacement) => error.with_correction(
            format!("swap {a_printed} and {b_printed}"),
            first.span.to(second.span),
            replacement,
        ),
        None => error,
    }
}

/// The figures from the first of the two to the second, as the table prints them, the
/// two exchanged and each gap between figures kept: what replaces that stretch of the
/// row. None when a figure there is not a number or a dash.
fn exchanged_text(program: &Program, first: &Culprit, second: &Culprit) -> Option<String> {
    let definition = program.row(first.row);
    let table = program.table(definition.table);
    let shown = figures(table);
    let written = |column: usize| match &definition.figures.get(column)?.kind {
        FigureKind::Number(_) => Some(shown.show(Exact::new(definition.printed(column)?))),
        FigureKind::Dash => Some(table.notation.dash().to_owned()),
        _ => None,
    };
    let mut text = String::new();
    let mut previous_end: Option<usize> = None;
    for column in first.column..=second.column {
        let figure = definition.figures.get(column)?;
        if let Some(end) = previous_end {
            // UN notation parts figures by two spaces or more.
            let gap = figure.span.start().saturating_sub(end).max(2);
            text.push_str(&" ".repeat(gap));
        }
        previous_end = Some(figure.span.end());
        let shown_here = if column == first.column {
            written(second.column)?
        } else if column == second.column {
            written(first.column)?
        } else {
            written(column)?
        };
        text.push_str(&shown_here);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Diagnostic;

    /// A table whose two lines are `a` and `b`, their Sub-total, and a Total column.
    /// The Sub-total's years differ by more than A's, so that exchanging its own two
    /// figures does not explain what exchanging A's does.
    fn table(a: &str, b: &str) -> String {
        format!(
            "{}table 1 t {{\n    unit thousands of US$\n    rounding 0.1\n    columns 2013 2014 Total\n\
             \x20   a        \"A\"          {a}\n\
             \x20   b        \"B\"          {b}\n\
             \x20   subtotal \"Sub-total\"  50.0   65.0  115.0  = a + b\n}}\n",
            crate::TEST_DECISION
        )
    }

    fn errors_of(text: &str) -> Vec<Diagnostic> {
        crate::checked_text(text)
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    }

    #[test]
    fn two_figures_exchanged_are_one_error_whose_correction_reconciles() {
        let text = table("25.0   20.0   45.0", "30.0   40.0   70.0");
        let errors = errors_of(&text);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(
            errors[0].message,
            "Table 1, A: 2013 and 2014 look swapped: 25.0 and 20.0 reconcile the other way round"
        );
        assert_eq!(errors[0].secondary.len(), 2, "both Sub-totals labelled");
        let correction = &errors[0].corrections()[0];
        assert_eq!(correction.title, "swap 25.0 and 20.0");
        assert_eq!(
            &text[correction.span.start()..correction.span.end()],
            "25.0   20.0"
        );
        let corrected = format!(
            "{}{}{}",
            &text[..correction.span.start()],
            correction.replacement,
            &text[correction.span.end()..]
        );
        assert_eq!(corrected, table("20.0   25.0   45.0", "30.0   40.0   70.0"));
        assert!(errors_of(&corrected).is_empty());
    }

    #[test]
    fn the_correction_keeps_un_notation_and_the_figures_between() {
        let text = "decision \"T/1\" {\n    title \"T\"\n    period 2016-2018\n    currency EUR\n    notation UN\n}\n\
                    table 1 t {\n    unit EUR\n    rounding 1\n    columns 2016 2017 2018 Total\n\
                    \x20   a \"A\"   1 829 358    (5 000)      1 402 358    3 226 716\n\
                    \x20   b \"B\"      20 000     20 000       30 000       70 000\n\
                    \x20   s \"S\"   1 422 358     15 000    1 859 358    3 296 716  = a + b\n}\n";
        let errors = errors_of(text);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let correction = &errors[0].corrections()[0];
        let corrected = format!(
            "{}{}{}",
            &text[..correction.span.start()],
            correction.replacement,
            &text[correction.span.end()..]
        );
        assert!(errors_of(&corrected).is_empty(), "{corrected}");
        assert!(
            corrected.contains("1 402 358    (5 000)      1 829 358"),
            "{corrected}"
        );
    }

    #[test]
    fn a_single_wrong_figure_is_not_a_swap() {
        // 25.0 for 20.0 in 2013: the row's Total and the Sub-total agree on it.
        let errors = errors_of(&table("25.0   25.0   45.0", "30.0   40.0   70.0"));
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0]
                .message
                .starts_with("Table 1, A, 2013: 25.0 does not agree"),
            "{}",
            errors[0].message
        );
        // Without a Total, one failure only: no swap is made of it either.
        let text = table("25.0   25.0   45.0", "30.0   40.0   70.0")
            .replace("columns 2013 2014 Total", "columns 2013 2014")
            .replace("   45.0", "")
            .replace("   70.0", "")
            .replace("  115.0", "");
        let errors = errors_of(&text);
        assert!(
            errors.iter().all(|e| !e.message.contains("swapped")),
            "{errors:#?}"
        );
    }

    #[test]
    fn two_rows_that_could_each_be_swapped_name_neither() {
        // A and B both differ by 5.0 between the years: either exchange reconciles.
        let text = table("25.0   20.0   45.0", "40.0   35.0   75.0")
            .replace("50.0   65.0  115.0", "60.0   60.0  120.0");
        let errors = errors_of(&text);
        assert!(!errors.is_empty());
        assert!(
            errors.iter().all(|e| !e.message.contains("swapped")),
            "{errors:#?}"
        );
    }
}
