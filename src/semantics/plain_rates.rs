//! Plain numbers used as rates. A plain number scales an amount (`* 12` months,
//! `* 1.02`), so the units check lets `13 of subtotal` through; but `of` takes a rate,
//! a share of the whole, and written without `%` 13 is 1,300%: `13%` was meant. The
//! same holds for a value `x` in `1 + x` or `1 - x`, a growth or a cut by a rate
//! (`(1 + host_growth)`). A plain number of 1 or more read so, written there (for
//! `of`) or as the value read, is an error at the number, with `13%` offered in its
//! place. Below 1 it is a fraction (`0.13 of subtotal`), which the language allows.

use rust_decimal::Decimal;

use super::program::{Formula, FormulaKind, Program, RowId, ValueId};
use super::unit::Unit;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::syntax::ast::BinaryOp;

/// How many values a rate may be passed through (`rate = base`, `base = 13`) before
/// the search gives up: far more than any decision writes, and a cycle, reported
/// elsewhere, ends there.
const LONGEST_CHAIN: usize = 16;

/// What holds a formula: a value's rule or a table's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Value(ValueId),
    Row(RowId),
}

/// A plain number of 1 or more read as a rate, once per place it is written.
#[derive(Debug, Clone)]
pub struct Misuse {
    /// The number: a value's rule (`programme_support_rate = 13`) or a literal in a
    /// formula (`13 of subtotal`).
    pub number: Span,
    pub value: Decimal,
    /// The value it defines, when it is a value's rule: that value is then wrong
    /// wherever it is read.
    pub defines: Option<(ValueId, String)>,
    /// The formula that holds the literal, when it is one.
    pub holder: Option<Owner>,
    /// Where it is read as a rate, and how (`of`, growth).
    pub uses: Vec<(Span, &'static str)>,
}

impl Misuse {
    pub fn diagnostic(&self) -> Diagnostic {
        let number = crate::format::exact(self.value);
        let as_rate = crate::format::exact(self.value * Decimal::ONE_HUNDRED);
        let message = match &self.defines {
            Some((_, name)) => format!(
                "`{name}` is {number}, a plain number, used as a rate: {as_rate}%, not {number}%"
            ),
            None => {
                format!("{number}, a plain number, is used as a rate: {as_rate}%, not {number}%")
            }
        };
        let mut diagnostic = Diagnostic::error(Code::EvalRange, message).at(
            self.number,
            format!("a plain number: as a rate, {as_rate}%"),
        );
        for (span, how) in &self.uses {
            diagnostic = diagnostic.with_label(*span, *how);
        }
        diagnostic
            .with_help(format!(
                "did you mean {number}%? A rate is written with `%` or `per cent`; a plain number read as a rate is a fraction of the whole, so {number} is {as_rate}%"
            ))
            .with_correction(format!("write {number}%"), self.number, format!("{number}%"))
    }
}

/// Every plain number of 1 or more that a formula of the program reads as a rate.
pub fn find(program: &Program) -> Vec<Misuse> {
    let mut found = Found::default();
    for (index, value) in program.values.iter().enumerate() {
        for rule in value.rules() {
            found.scan(program, &rule.formula, Owner::Value(ValueId(index)));
        }
    }
    for (index, row) in program.rows.iter().enumerate() {
        if let Some(formula) = &row.formula {
            found.scan(program, formula, Owner::Row(RowId(index)));
        }
    }
    found.misuses
}

#[derive(Default)]
struct Found {
    misuses: Vec<Misuse>,
}

impl Found {
    /// Every operator of `formula`, without recursion: a formula may be thousands of
    /// terms long.
    fn scan(&mut self, program: &Program, formula: &Formula, owner: Owner) {
        let mut pending = vec![formula];
        while let Some(formula) = pending.pop() {
            match &formula.kind {
                FormulaKind::Binary { op, lhs, rhs } => {
                    match op {
                        BinaryOp::Of => {
                            let used = (formula.span, "`of` takes a rate here");
                            self.rate(program, lhs, used, Some(owner));
                        }
                        BinaryOp::Add if is_one(lhs) => {
                            let how = "`1 + …` grows by a rate here";
                            self.rate(program, rhs, (formula.span, how), None);
                        }
                        BinaryOp::Subtract if is_one(lhs) => {
                            let how = "`1 - …` cuts by a rate here";
                            self.rate(program, rhs, (formula.span, how), None);
                        }
                        _ => {}
                    }
                    pending.push(lhs);
                    pending.push(rhs);
                }
                FormulaKind::Sum { terms, .. } => pending.extend(terms),
                FormulaKind::Share { ratio, .. } => pending.push(ratio),
                FormulaKind::Negate(inner) | FormulaKind::Convert { inner, .. } => {
                    pending.push(inner);
                }
                FormulaKind::Round { value, step } => {
                    pending.push(value);
                    pending.push(step);
                }
                FormulaKind::Except { rule, columns } => {
                    pending.push(rule);
                    pending.extend(columns.iter().filter_map(|(_, other, _)| other.as_ref()));
                }
                FormulaKind::Constant { .. }
                | FormulaKind::Ratio(_)
                | FormulaKind::Year
                | FormulaKind::Value { .. }
                | FormulaKind::Row { .. }
                | FormulaKind::Published { .. }
                | FormulaKind::Imported { .. }
                | FormulaKind::Invalid => {}
            }
        }
    }

    /// `formula` is read as a rate at `used`: a plain number of 1 or more written
    /// there (by `of` only: `1 + 2` is as likely a count as a growth), or a value
    /// (through values that only pass it on) defined as one.
    fn rate(
        &mut self,
        program: &Program,
        formula: &Formula,
        used: (Span, &'static str),
        owner: Option<Owner>,
    ) {
        if let Some(value) = plain_at_least_one(formula) {
            if owner.is_some() {
                self.record(formula.span, value, None, owner, used);
            }
            return;
        }
        let mut reading = vec![(formula, 0)];
        while let Some((formula, depth)) = reading.pop() {
            let FormulaKind::Value { id, .. } = formula.kind else {
                continue;
            };
            if depth >= LONGEST_CHAIN {
                continue;
            }
            let definition = program.value(id);
            for rule in definition.rules() {
                match plain_at_least_one(&rule.formula) {
                    Some(value) => {
                        let defines = Some((id, definition.name.clone()));
                        self.record(rule.formula.span, value, defines, None, used);
                    }
                    None => reading.push((&rule.formula, depth + 1)),
                }
            }
        }
    }

    /// Once per number, with every place that reads it as a rate.
    fn record(
        &mut self,
        number: Span,
        value: Decimal,
        defines: Option<(ValueId, String)>,
        holder: Option<Owner>,
        used: (Span, &'static str),
    ) {
        if let Some(known) = self.misuses.iter_mut().find(|m| m.number == number) {
            if !known.uses.iter().any(|(span, _)| *span == used.0) {
                known.uses.push(used);
            }
            return;
        }
        self.misuses.push(Misuse {
            number,
            value,
            defines,
            holder,
            uses: vec![used],
        });
    }
}

/// The number, when `formula` is a plain number of 1 or more written as it is.
fn plain_at_least_one(formula: &Formula) -> Option<Decimal> {
    match &formula.kind {
        FormulaKind::Constant {
            value,
            unit: Unit::Number,
        } if !value.is_fraction() && value.to_decimal() >= Decimal::ONE => Some(value.to_decimal()),
        _ => None,
    }
}

/// Whether `formula` is the plain number 1, as in `1 + host_growth`.
fn is_one(formula: &Formula) -> bool {
    matches!(
        &formula.kind,
        FormulaKind::Constant { value, unit: Unit::Number } if value.to_decimal() == Decimal::ONE
    )
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;

    fn decision(values: &str) -> String {
        format!(
            "{}\nparagraph 1 \"P\" {{\n    base = US$ 1,000\n{values}}}\n",
            crate::TEST_DECISION
        )
    }

    fn range_errors(values: &str) -> Vec<String> {
        crate::checked_text(&decision(values))
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::EvalRange)
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn a_rate_passed_on_by_another_value_is_found_at_its_number() {
        let errors = range_errors(
            "    rate = 13\n    support_rate = rate\n    support = support_rate of base\n",
        );
        assert_eq!(
            errors,
            ["`rate` is 13, a plain number, used as a rate: 1,300%, not 13%"]
        );
    }

    #[test]
    fn the_year_given_as_a_plain_number_is_the_one_reported() {
        let errors = range_errors(
            "    growth[2013] = 2%\n    growth[2014] = 2\n    grown[year] = base * (1 + growth)\n",
        );
        assert_eq!(
            errors,
            ["`growth` is 2, a plain number, used as a rate: 200%, not 2%"]
        );
    }

    #[test]
    fn fractions_multipliers_and_counts_are_not_rates() {
        let values = "    share = 0.13 of base\n    twice = base * 2\n    counted = 1 + 2\n    months = 12\n    yearly = base * months\n    meetings = 2\n    all = base * (meetings + 1)\n";
        assert!(range_errors(values).is_empty());
    }

    #[test]
    fn the_correction_writes_the_number_as_a_percentage() {
        let text = decision("    support = 13 of base\n");
        let checked = crate::checked_text(&text);
        let error = checked
            .diagnostics
            .iter()
            .find(|d| d.code == Code::EvalRange)
            .expect("an error at 13");
        let correction = &error.corrections()[0];
        assert_eq!(correction.title, "write 13%");
        assert_eq!(correction.replacement, "13%");
        assert_eq!(&text[correction.span.start()..correction.span.end()], "13");
        assert_eq!(
            error
                .help
                .as_deref()
                .map(|h| h.starts_with("did you mean 13%?")),
            Some(true)
        );
    }
}
