//! The units check, run once per formula before anything is computed: every value's
//! unit is inferred in evaluation order, every row's formula must give its table's
//! unit, and every stated figure must be in the unit of what it states. A mismatch is
//! one diagnostic with both operands labelled, not one per column.

use super::plain_rates::{self, Owner};
use super::program::{
    Formula, FormulaKind, ImportedTarget, Node, Program, RowId, RuleKey, SectionTerm, ValueId,
};
use super::unit::Unit;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::syntax::ast::BinaryOp;

/// The unit of every value (`None` when it could not be worked out) and whether each
/// row's formula gives its table's unit.
pub struct Units {
    pub values: Vec<Option<Unit>>,
    pub rows_ok: Vec<bool>,
}

pub fn check(program: &Program, order: &[Node]) -> (Units, Vec<Diagnostic>) {
    let mut checker = Checker {
        units: Units {
            values: vec![None; program.values.len()],
            rows_ok: vec![false; program.rows.len()],
        },
        first: vec![None; program.values.len()],
        broken: vec![false; program.values.len()],
        broken_rows: vec![false; program.rows.len()],
        diagnostics: Vec::new(),
    };
    checker.plain_rates(program);
    for node in order {
        match *node {
            Node::Rule(id, key) => checker.rule(program, id, key),
            Node::Row(id) if checker.broken_rows[id.0] => {}
            Node::Row(id) => {
                let fits = row_fits(program, &checker.units, id, &mut checker.diagnostics);
                checker.units.rows_ok[id.0] = fits;
            }
            Node::Section(_) => {}
        }
    }
    checker.stated_apart(program);
    for (unit, broken) in checker.units.values.iter_mut().zip(&checker.broken) {
        if *broken {
            *unit = None;
        }
    }
    (checker.units, checker.diagnostics)
}

/// Why a unit could not be worked out: a new problem, or one reported elsewhere.
enum Problem {
    New(Diagnostic),
    Reported,
}

struct Checker {
    units: Units,
    /// The formula that first fixed each value's unit, for mismatch messages.
    first: Vec<Option<Span>>,
    /// Values with a rule whose unit is wrong: whatever reads them fails quietly.
    broken: Vec<bool>,
    /// Rows whose formula reads a plain number as a rate: not computed.
    broken_rows: Vec<bool>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker {
    /// Reports each plain number read as a rate (`13 of subtotal`) and leaves what
    /// holds it uncomputed, so a support charge of 1,300% is not reconciled as well.
    fn plain_rates(&mut self, program: &Program) {
        for misuse in plain_rates::find(program) {
            let holder = match misuse.defines {
                Some((id, _)) => Some(Owner::Value(id)),
                None => misuse.holder,
            };
            match holder {
                Some(Owner::Value(id)) => self.broken[id.0] = true,
                Some(Owner::Row(id)) => self.broken_rows[id.0] = true,
                None => {}
            }
            self.diagnostics.push(misuse.diagnostic());
        }
    }

    /// Works out one rule's unit and makes sure all rules of a value agree.
    fn rule(&mut self, program: &Program, id: ValueId, key: RuleKey) {
        let value = program.value(id);
        let Some(rule) = value.rule(key) else {
            return;
        };
        if self.broken[id.0] {
            return;
        }
        let unit = match unit_of(program, &self.units, &rule.formula) {
            Ok(unit) => unit,
            Err(problem) => {
                if let Problem::New(diagnostic) = problem {
                    self.diagnostics.push(diagnostic);
                }
                self.broken[id.0] = true;
                return;
            }
        };
        if let Some(stated) = &rule.stated {
            self.stated_fits(&value.name, stated, &unit, rule.formula.span);
        }
        match (&self.units.values[id.0], self.first[id.0]) {
            (Some(first), Some(first_span)) if !unit.agrees(first) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "`{}` is {} in one year and {} in another",
                            value.name,
                            first.describe(),
                            unit.describe()
                        ),
                    )
                    .at(rule.formula.span, unit.describe())
                    .with_label(first_span, first.describe())
                    .with_help(
                        "every year of a value must have the same unit; convert one with `in`, such as `… in thousands of US$`",
                    ),
                );
                self.broken[id.0] = true;
            }
            (Some(_), _) => {}
            (None, _) => {
                self.units.values[id.0] = Some(unit);
                self.first[id.0] = Some(rule.formula.span);
            }
        }
    }

    fn stated_fits(
        &mut self,
        name: &str,
        stated: &super::program::Stated,
        unit: &Unit,
        formula: Span,
    ) {
        if !stated.unit.fits(unit) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "the stated figure is {} but `{name}` is {}",
                        stated.unit.describe(),
                        unit.describe()
                    ),
                )
                .at(stated.span, stated.unit.describe())
                .with_label(formula, unit.describe())
                .with_help("state the figure in the same unit as the value"),
            );
        }
    }

    /// Figures stated on lines of their own, once the value's unit is known.
    fn stated_apart(&mut self, program: &Program) {
        for (index, value) in program.values.iter().enumerate() {
            let (Some(unit), Some(formula)) = (self.units.values[index].clone(), self.first[index])
            else {
                continue;
            };
            if self.broken[index] {
                continue;
            }
            for stated in value.stated_apart.values() {
                self.stated_fits(&value.name, stated, &unit, formula);
            }
        }
    }
}

fn row_fits(
    program: &Program,
    units: &Units,
    id: RowId,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let row = program.row(id);
    let Some(formula) = &row.formula else {
        return true;
    };
    // Every rule of the row gives the table's unit, the `except` ones included.
    let mut fine = true;
    for branch in formula.branches() {
        // Not `all`: each rule that does not fit is reported.
        fine &= rule_fits(program, units, id, branch, diagnostics);
    }
    fine
}

fn rule_fits(
    program: &Program,
    units: &Units,
    id: RowId,
    formula: &Formula,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let table = program.table(program.row(id).table);
    match unit_of(program, units, formula) {
        Ok(unit) if unit.fits(&table.unit.unit) => true,
        Ok(unit) => {
            let help = match (&unit, &table.unit.unit) {
                (Unit::Percent | Unit::Number, Unit::Money { .. }) => {
                    "a rate or a number must be applied to an amount, for example `13% of subtotal`"
                        .to_owned()
                }
                (Unit::Year, _) => {
                    "a year is not a quantity; `year - 2012` counts the years since 2012".to_owned()
                }
                _ => format!(
                    "this table holds {}; compute a figure in that unit",
                    table.unit.unit.describe()
                ),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!(
                        "the formula gives {} but {} is in {}",
                        unit.describe(),
                        table.display_name(),
                        table.unit.describe()
                    ),
                )
                .at(formula.span, unit.describe())
                .with_label(
                    table.unit_span,
                    format!("{} holds {}", table.display_name(), table.unit.describe()),
                )
                .with_help(help),
            );
            false
        }
        Err(Problem::New(diagnostic)) => {
            diagnostics.push(diagnostic);
            false
        }
        Err(Problem::Reported) => false,
    }
}

fn unit_of(program: &Program, units: &Units, formula: &Formula) -> Result<Unit, Problem> {
    // Each case with work of its own is a function: `unit_of` recurses once per
    // operator, and a small frame is what lets the longest formula allowed run on a
    // thread's stack.
    match &formula.kind {
        FormulaKind::Constant { unit, .. } => Ok(unit.clone()),
        FormulaKind::Ratio(_) => Ok(Unit::Ratio),
        FormulaKind::Year => Ok(Unit::Year),
        FormulaKind::Value { id, .. } => units.values[id.0].clone().ok_or(Problem::Reported),
        FormulaKind::Row { id, .. } | FormulaKind::Published { id, .. } => {
            Ok(program.table(program.row(*id).table).unit.unit.clone())
        }
        FormulaKind::Negate(inner) => unit_of(program, units, inner),
        FormulaKind::Convert { inner, to, to_span } => {
            let from = unit_of(program, units, inner)?;
            converted(inner, from, to, *to_span)
        }
        FormulaKind::Round { value, step } => {
            let unit = unit_of(program, units, value)?;
            let step_unit = unit_of(program, units, step)?;
            rounded((value, unit), (step, step_unit))
        }
        FormulaKind::Share { ratio, .. } => {
            let unit = unit_of(program, units, ratio)?;
            shared(ratio, unit)
        }
        FormulaKind::Sum { terms, sections } => sum_of(program, units, terms, sections),
        FormulaKind::Binary { op, lhs, rhs } => {
            let left = unit_of(program, units, lhs)?;
            let right = unit_of(program, units, rhs)?;
            combined(*op, (lhs, left), (rhs, right))
        }
        FormulaKind::Except { rule, .. } => unit_of(program, units, rule),
        FormulaKind::Imported { import, target, .. } => {
            let imported = program.imports.get(*import).ok_or(Problem::Reported)?;
            let model = &imported.model;
            match target {
                ImportedTarget::Value(id) => model
                    .value_units
                    .get(id.0)
                    .cloned()
                    .flatten()
                    .ok_or(Problem::Reported),
                ImportedTarget::Row(id) => Ok(model
                    .program
                    .table(model.program.row(*id).table)
                    .unit
                    .unit
                    .clone()),
                ImportedTarget::Rate { .. } => Ok(Unit::Percent),
            }
        }
        FormulaKind::Invalid => Err(Problem::Reported),
    }
}

#[inline(never)]
fn combined(
    op: BinaryOp,
    (lhs, left): (&Formula, Unit),
    (rhs, right): (&Formula, Unit),
) -> Result<Unit, Problem> {
    Unit::combine(op, &left, &right)
        .map_err(|reason| Problem::New(mismatch(reason, (lhs, &left), (rhs, &right))))
}

#[inline(never)]
fn shared(ratio: &Formula, unit: Unit) -> Result<Unit, Problem> {
    match unit {
        Unit::Ratio => Ok(Unit::Percent),
        other => Err(Problem::New(
            Diagnostic::error(
                Code::UnitMismatch,
                format!("`share` takes a ratio, not {}", other.describe()),
            )
            .at(ratio.span, other.describe())
            .with_help("write a ratio such as 85:15, or the name of one"),
        )),
    }
}

#[inline(never)]
fn sum_of(
    program: &Program,
    units: &Units,
    terms: &[Formula],
    sections: &[SectionTerm],
) -> Result<Unit, Problem> {
    // A section's rows are in its table's unit; it stands in messages for them.
    let section_terms: Vec<(Formula, Unit)> = sections
        .iter()
        .map(|section| {
            let table = program.table(program.section(section.id).table);
            (
                Formula {
                    kind: FormulaKind::Invalid,
                    span: section.span,
                },
                table.unit.unit.clone(),
            )
        })
        .collect();
    let mut total: Option<(Unit, &Formula)> = None;
    let explicit = terms
        .iter()
        .map(|term| unit_of(program, units, term).map(|unit| (term, unit)));
    let from_sections = section_terms
        .iter()
        .map(|(term, unit)| Ok((term, unit.clone())));
    for item in explicit.chain(from_sections) {
        let (term, unit) = item?;
        total = Some(match total {
            None => (unit, term),
            Some((sum, first_term)) => {
                let sum = Unit::combine(BinaryOp::Add, &sum, &unit).map_err(|reason| {
                    Problem::New(mismatch(reason, (first_term, &sum), (term, &unit)))
                })?;
                (sum, first_term)
            }
        });
    }
    total.map(|(unit, _)| unit).ok_or(Problem::Reported)
}

// Kept out of `unit_of`, which recurses once per operator, so that its frame stays small.
#[inline(never)]
fn converted(inner: &Formula, from: Unit, to: &Unit, to_span: Span) -> Result<Unit, Problem> {
    from.convert(to).map_err(|reason| {
        Problem::New(
            Diagnostic::error(Code::UnitMismatch, reason)
                .at(inner.span, from.describe())
                .with_label(to_span, to.describe())
                .with_help(
                    "`in` changes only the scale an amount is written at (US$, thousands of US$); what is counted stays the same",
                ),
        )
    })
}

#[inline(never)]
fn rounded(
    (value, unit): (&Formula, Unit),
    (step, step_unit): (&Formula, Unit),
) -> Result<Unit, Problem> {
    if step_unit.fits(&unit) {
        return Ok(unit);
    }
    Err(Problem::New(
        mismatch(
            format!(
                "cannot round {} to a step of {}",
                unit.describe(),
                step_unit.describe()
            ),
            (value, &unit),
            (step, &step_unit),
        )
        .with_help(format!(
            "round to a step in the same unit, such as `round(x, {})`",
            match &unit {
                Unit::Money { currency, scale } => format!(
                    "{} 0.1{}",
                    super::unit::currency_symbol(currency),
                    super::unit::scale_word(*scale)
                ),
                _ => "0.1".to_owned(),
            }
        )),
    ))
}

fn mismatch(
    reason: String,
    (lhs, left): (&Formula, &Unit),
    (rhs, right): (&Formula, &Unit),
) -> Diagnostic {
    let help = match (left, right) {
        (Unit::Posts, Unit::Money { .. }) | (Unit::Money { .. }, Unit::Posts) => {
            "posts count staff, not money; keep them in a staffing table".to_owned()
        }
        (Unit::Money { currency: a, .. }, Unit::Money { currency: b, .. }) if a != b => {
            "convert one amount to the other currency first".to_owned()
        }
        (Unit::Money { .. }, Unit::Money { .. }) => format!(
            "convert one side with `in`, such as `(…) in {right}`, so that the result's scale is said, not guessed"
        ),
        (Unit::Year, _) | (_, Unit::Year) => {
            "a year is not a quantity: subtract a year from it to count years, as in `(year - 2012)`".to_owned()
        }
        (Unit::Ratio, _) | (_, Unit::Ratio) => "take a part of the ratio with share(ratio, part)".to_owned(),
        _ => "check that each side is what you meant; amounts combine with amounts, and rates scale them".to_owned(),
    };
    Diagnostic::error(Code::UnitMismatch, reason)
        .at(lhs.span, left.describe())
        .with_label(rhs.span, right.describe())
        .with_help(help)
}
