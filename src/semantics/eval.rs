//! Evaluation: every value and every table cell, in dependency order, exactly. Each
//! computed amount carries its rounding uncertainty: how far it could move if every
//! rounded published figure it was computed from were off by up to half its rounding
//! step. Reconciliation uses that bound to tell a rounding difference from an error.
//!
//! A failure (division by zero, a missing column) is reported once, where it happens;
//! everything computed from the failed cell fails silently instead of repeating it.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashSet as HashSet;

use rust_decimal::Decimal;

use super::number::{ArithmeticError, Exact};
use super::program::*;
use super::resolve::column_name;
use super::units::Units;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::syntax::ast::{BinaryOp, ColumnKey, FigureKind, RoundingMode};

/// A computed amount and how much rounding of its inputs could have moved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub value: Exact,
    pub uncertainty: Decimal,
}

impl Amount {
    pub fn exact(value: Exact) -> Self {
        Amount {
            value,
            uncertainty: Decimal::ZERO,
        }
    }

    /// The largest difference from this amount that rounding explains in a figure
    /// published to `step`: U + step/2 (the README's reconciliation rule).
    pub fn rounding_tolerance(&self, step: Decimal) -> Decimal {
        self.uncertainty.saturating_add(step / Decimal::TWO)
    }

    /// Whether `stated`, published to `step`, is within what rounding explains.
    pub fn explains(&self, stated: Decimal, step: Decimal) -> bool {
        Exact::new(stated)
            .checked_sub(self.value)
            .is_ok_and(|difference| difference.abs() <= Exact::new(self.rounding_tolerance(step)))
    }
}

/// A cell or value that could not be computed; the reason was reported where it arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

pub type Cell = Result<Amount, Failed>;

#[derive(Debug, Clone, PartialEq)]
pub enum Evaluated {
    Amount(Amount),
    Ratio(Vec<Decimal>),
}

/// The results for one named value.
#[derive(Debug, Clone, Default)]
pub struct ValueResults {
    pub scalar: Option<Result<Evaluated, Failed>>,
    pub years: BTreeMap<i32, Result<Evaluated, Failed>>,
}

pub struct Evaluation {
    pub values: Vec<ValueResults>,
    /// Per row, one cell per column of its table.
    pub cells: Vec<Vec<Cell>>,
}

pub fn evaluate(program: &Program, units: &Units, order: &[Node]) -> (Evaluation, Vec<Diagnostic>) {
    run(program, units, order, Reads::Computed)
}

/// Every value and cell computed from the figures as the decision publishes them: a
/// rule that reads a row reads its printed figure wherever the table prints one, not
/// what bud computes for it. So each stated figure is checked against its own rule
/// alone, and a wrong figure upstream does not make every total below it fail.
/// Problems were reported by `evaluate` already; this pass reports none.
pub fn evaluate_as_published(program: &Program, units: &Units, order: &[Node]) -> Evaluation {
    run(program, units, order, Reads::Published).0
}

/// Each cell as the table prints it where it prints a figure, as computed elsewhere:
/// what a scale apportions when the decision is read as published.
pub fn printed_cells(program: &Program, cells: &[Vec<Cell>]) -> Vec<Vec<Cell>> {
    program
        .rows
        .iter()
        .zip(cells)
        .map(|(row, computed)| {
            let table = program.table(row.table);
            computed
                .iter()
                .enumerate()
                .map(|(index, cell)| printed_figure(table, row, index).map_or(*cell, Ok))
                .collect()
        })
        .collect()
}

/// What a rule that reads a row gets: the computed cell, or the printed figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reads {
    Computed,
    Published,
}

fn run(
    program: &Program,
    units: &Units,
    order: &[Node],
    reads: Reads,
) -> (Evaluation, Vec<Diagnostic>) {
    let mut evaluator = Evaluator {
        program,
        units,
        reads,
        values: vec![ValueResults::default(); program.values.len()],
        cells: program
            .rows
            .iter()
            .map(|row| vec![Err(Failed); program.table(row.table).columns.len()])
            .collect(),
        diagnostics: Vec::new(),
        deferred: Vec::new(),
        demanded: HashSet::default(),
    };
    let years = evaluator.years_of_interest();
    for node in order {
        match *node {
            Node::Rule(id, key) => evaluator.rule(id, key, &years),
            Node::Row(id) => evaluator.row(id),
            Node::Section(_) => {}
        }
    }
    let decision_years: HashSet<i32> = program.decision.years().into_iter().collect();
    for (value, year, diagnostic) in std::mem::take(&mut evaluator.deferred) {
        if decision_years.contains(&year) || evaluator.demanded.contains(&(value, year)) {
            evaluator.diagnostics.push(diagnostic);
        }
    }
    let evaluation = Evaluation {
        values: evaluator.values,
        cells: evaluator.cells,
    };
    (evaluation, evaluator.diagnostics)
}

/// What is being computed: a year, a column, both or neither.
#[derive(Debug, Clone, Copy)]
struct Context {
    year: Option<i32>,
    column: Option<ColumnKey>,
}

impl Context {
    const NONE: Context = Context {
        year: None,
        column: None,
    };

    fn year(year: i32) -> Self {
        Context {
            year: Some(year),
            column: Some(ColumnKey::Year(year)),
        }
    }

    fn column(column: ColumnKey) -> Self {
        match column {
            ColumnKey::Year(year) => Context::year(year),
            other => Context {
                year: None,
                column: Some(other),
            },
        }
    }
}

/// A new problem to report, or a failure already reported upstream.
type Outcome<T> = Result<T, Option<Diagnostic>>;

struct Evaluator<'a> {
    program: &'a Program,
    units: &'a Units,
    reads: Reads,
    values: Vec<ValueResults>,
    cells: Vec<Vec<Cell>>,
    diagnostics: Vec<Diagnostic>,
    /// Failures of a rule for every year, in years that nothing may ask for: reported
    /// only if the year belongs to the decision or something reads it.
    deferred: Vec<(ValueId, i32, Diagnostic)>,
    demanded: HashSet<(ValueId, i32)>,
}

impl<'a> Evaluator<'a> {
    /// Every year a value may be asked for: the decision's, every table's, every year
    /// a formula or definition names.
    fn years_of_interest(&self) -> Vec<i32> {
        let mut years: BTreeSet<i32> = self.program.decision.years().into_iter().collect();
        for table in &self.program.tables {
            for column in &table.columns {
                if let ColumnKey::Year(year) = column {
                    years.insert(*year);
                }
            }
        }
        let mut named = |formula: &Formula| collect_named_years(formula, &mut years);
        for value in &self.program.values {
            value.rules().for_each(|rule| named(&rule.formula));
        }
        for row in &self.program.rows {
            row.formula.as_deref().into_iter().for_each(&mut named);
        }
        for value in &self.program.values {
            years.extend(value.by_year.keys());
        }
        years.into_iter().collect()
    }

    /// Evaluates one rule of a value: once, for its year, or for every other year.
    fn rule(&mut self, id: ValueId, key: RuleKey, years: &[i32]) {
        let program: &'a Program = self.program;
        let value = program.value(id);
        let Some(rule) = value.rule(key) else {
            return;
        };
        let broken = self.units.values[id.0].is_none();
        match key {
            RuleKey::Scalar => {
                let result = if broken {
                    Err(None)
                } else {
                    self.eval(&rule.formula, Context::NONE)
                };
                self.values[id.0].scalar = Some(self.settle(result));
            }
            RuleKey::Year(year) => {
                let result = if broken {
                    Err(None)
                } else {
                    self.eval(&rule.formula, Context::year(year))
                };
                let settled = self.settle(result);
                self.values[id.0].years.insert(year, settled);
            }
            RuleKey::EveryYear => {
                for year in years
                    .iter()
                    .filter(|year| !value.by_year.contains_key(year))
                {
                    let result = if broken {
                        Err(None)
                    } else {
                        self.eval(&rule.formula, Context::year(*year))
                    };
                    let settled = match result {
                        Ok(evaluated) => Ok(evaluated),
                        Err(Some(diagnostic)) => {
                            self.deferred.push((id, *year, diagnostic));
                            Err(Failed)
                        }
                        Err(None) => Err(Failed),
                    };
                    self.values[id.0].years.insert(*year, settled);
                }
            }
        }
    }

    /// Records a new problem and keeps only the fact of failure.
    fn settle<T>(&mut self, result: Outcome<T>) -> Result<T, Failed> {
        result.map_err(|problem| {
            if let Some(diagnostic) = problem {
                self.diagnostics.push(diagnostic);
            }
            Failed
        })
    }

    fn row(&mut self, id: RowId) {
        let program: &'a Program = self.program;
        let row = program.row(id);
        let table = program.table(row.table);
        if !table.well_formed {
            return; // its cells stay failed; the table's setting error says why
        }
        let fits = self.units.rows_ok[id.0];
        let half_step = input_uncertainty(table);
        let mut cells = Vec::with_capacity(table.columns.len());
        for (index, column) in table.columns.iter().enumerate() {
            let cell = match (column, &row.formula) {
                // Words and absent amounts have no value: nothing computes them, and
                // whatever reads one is told why (`read_row`).
                (ColumnKey::Text(_), _) => Err(Failed),
                _ if row.is_absent(index) => Err(Failed),
                (ColumnKey::Total, _) => Ok(Amount::exact(Exact::ZERO)), // filled in below
                (_, None) => Ok(input_figure(row, index, half_step)),
                (column, Some(formula)) if formula.for_column(*column).is_none() => {
                    Ok(input_figure(row, index, half_step))
                }
                (_, Some(_)) if !fits => Err(Failed),
                (column, Some(formula)) => {
                    let result = self
                        .eval(formula, Context::column(*column))
                        .and_then(|value| match value {
                            Evaluated::Amount(amount) => Ok(amount),
                            Evaluated::Ratio(_) => Err(None),
                        });
                    self.settle(result)
                }
            };
            // A row may read its own earlier column (`reserve[year - 1]`).
            if let Some(slot) = self.cells[id.0].get_mut(index) {
                *slot = cell;
            }
            cells.push(cell);
        }
        // A Total adds its row's figures: as printed, when reading the decision as
        // published. A Total written `absent` is not computed.
        let total_index = table
            .column_index(ColumnKey::Total)
            .filter(|total| !row.is_absent(*total));
        if let Some(total_index) = total_index {
            let total = match self.reads {
                Reads::Computed => self.row_total(row, table, &cells, total_index),
                Reads::Published => {
                    let printed: Vec<Cell> = (0..cells.len())
                        .map(|index| printed_figure(table, row, index).map_or(cells[index], Ok))
                        .collect();
                    self.row_total(row, table, &printed, total_index)
                }
            };
            if let Some(cell) = cells.get_mut(total_index) {
                *cell = total;
            }
        }
        self.cells[id.0] = cells;
    }

    /// The Total column: the sum of the row's year columns.
    fn row_total(
        &mut self,
        row: &RowDef,
        table: &TableDef,
        cells: &[Cell],
        total_index: usize,
    ) -> Cell {
        let mut total = Amount::exact(Exact::ZERO);
        let span = row.span;
        for (index, (cell, column)) in cells.iter().zip(&table.columns).enumerate() {
            if let ColumnKey::Year(_) = column {
                if row.is_absent(index) {
                    let total_at = row.figures.get(total_index).map_or(span, |f| f.span);
                    let diagnostic = absent_read(row, table, index, total_at, "this Total adds it");
                    self.diagnostics.push(diagnostic);
                    return Err(Failed);
                }
                let amount = (*cell)?;
                let sum = combine(BinaryOp::Add, total, amount);
                total = self.settle(sum.map_err(|error| Some(arithmetic(error, span))))?;
            }
        }
        Ok(total)
    }

    fn eval(&mut self, formula: &Formula, context: Context) -> Outcome<Evaluated> {
        let amount = |value: Exact| Ok(Evaluated::Amount(Amount::exact(value)));
        match &formula.kind {
            FormulaKind::Constant { value, .. } => amount(*value),
            FormulaKind::Ratio(parts) => Ok(Evaluated::Ratio(parts.clone())),
            FormulaKind::Year => match context.year {
                Some(year) => amount(Exact::new(Decimal::from(year))),
                None => Err(Some(no_single_year("year", context, formula.span))),
            },
            FormulaKind::Value { id, at } => self.read_value(*id, *at, context, formula.span),
            FormulaKind::Row { id, at } => self
                .read_row(*id, *at, context, formula.span)
                .map(Evaluated::Amount),
            FormulaKind::Negate(inner) => {
                let value = self.amount(inner, context)?;
                Ok(Evaluated::Amount(Amount {
                    value: -value.value,
                    uncertainty: value.uncertainty,
                }))
            }
            // Each case is its own function: `eval` recurses once per operator, and a
            // small frame is what lets the longest formula allowed run on a thread's stack.
            FormulaKind::Binary { op, lhs, rhs } => self
                .binary(*op, lhs, rhs, context, formula.span)
                .map(Evaluated::Amount),
            FormulaKind::Sum { terms, sections } => self
                .sum(terms, sections, context, formula.span)
                .map(Evaluated::Amount),
            FormulaKind::Share { ratio, part } => self
                .share_of(ratio, *part, context, formula.span)
                .map(Evaluated::Amount),
            FormulaKind::Convert { inner, .. } => self.eval(inner, context),
            FormulaKind::Published { id, at } => self
                .read_published(*id, *at, context, formula.span)
                .map(Evaluated::Amount),
            FormulaKind::Round { value, step } => self
                .round(value, step, context, formula.span)
                .map(Evaluated::Amount),
            FormulaKind::Imported { import, target, at } => {
                self.read_imported(*import, *target, *at, context, formula.span)
            }
            FormulaKind::Except { rule, .. } => match context.column {
                Some(column) => match formula.for_column(column) {
                    Some(branch) => self.eval(branch, context),
                    None => Err(None),
                },
                None => self.eval(rule, context),
            },
            FormulaKind::Invalid => Err(None),
        }
    }

    #[inline(never)]
    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &Formula,
        rhs: &Formula,
        context: Context,
        span: Span,
    ) -> Outcome<Amount> {
        let left = self.amount(lhs, context)?;
        let right = self.amount(rhs, context)?;
        combine(op, left, right).map_err(|error| {
            // A zero divisor or a bad exponent is the right-hand side's fault.
            let culprit = match error {
                ArithmeticError::Overflow => span,
                _ => rhs.span,
            };
            Some(in_context(arithmetic(error, culprit), context))
        })
    }

    #[inline(never)]
    fn sum(
        &mut self,
        terms: &[Formula],
        sections: &[SectionTerm],
        context: Context,
        span: Span,
    ) -> Outcome<Amount> {
        let program: &'a Program = self.program;
        let mut total = Amount::exact(Exact::ZERO);
        let add = |total: Amount, value: Amount| {
            combine(BinaryOp::Add, total, value)
                .map_err(|error| Some(in_context(arithmetic(error, span), context)))
        };
        for term in terms {
            let value = self.amount(term, context)?;
            total = add(total, value)?;
        }
        for section in sections {
            for row in &program.section(section.id).rows {
                let value = self.read_row(*row, section.at, context, section.span)?;
                total = add(total, value)?;
            }
        }
        Ok(total)
    }

    #[inline(never)]
    fn share_of(
        &mut self,
        ratio: &Formula,
        part: usize,
        context: Context,
        span: Span,
    ) -> Outcome<Amount> {
        let Evaluated::Ratio(parts) = self.eval(ratio, context)? else {
            return Err(None);
        };
        share(&parts, part).map(Amount::exact).map_err(|problem| {
            Some(
                Diagnostic::error(Code::EvalArguments, problem)
                    .at(span, "no such part")
                    .with_help("parts are counted from 1: share(85:15, 1) is 85%"),
            )
        })
    }

    #[inline(never)]
    fn round(
        &mut self,
        value: &Formula,
        step: &Formula,
        context: Context,
        span: Span,
    ) -> Outcome<Amount> {
        let amount = self.amount(value, context)?;
        let step_amount = self.amount(step, context)?.value.to_decimal();
        if step_amount <= Decimal::ZERO {
            return Err(Some(
                Diagnostic::error(
                    Code::EvalArguments,
                    "a rounding step must be more than zero",
                )
                .at(step.span, "not more than zero")
                .with_help(
                    "round to the precision the decision publishes, such as US$ 0.1 thousand",
                ),
            ));
        }
        amount
            .value
            .round_to(step_amount, RoundingMode::HalfUp)
            .map(|rounded| Amount {
                value: Exact::new(rounded),
                uncertainty: amount.uncertainty,
            })
            .map_err(|error| Some(in_context(arithmetic(error, span), context)))
    }

    fn amount(&mut self, formula: &Formula, context: Context) -> Outcome<Amount> {
        match self.eval(formula, context)? {
            Evaluated::Amount(amount) => Ok(amount),
            Evaluated::Ratio(_) => Err(None),
        }
    }

    fn read_value(
        &mut self,
        id: ValueId,
        at: At,
        context: Context,
        span: Span,
    ) -> Outcome<Evaluated> {
        let program: &'a Program = self.program;
        let value = program.value(id);
        if let Some(scalar) = &self.values[id.0].scalar {
            return scalar.clone().map_err(|Failed| None);
        }
        let Some(year) = at.year_from(context.year) else {
            return Err(Some(no_single_year(&value.name, context, span)));
        };
        self.demanded.insert((id, year));
        let results = &self.values[id.0];
        match results.years.get(&year) {
            Some(result) => result.clone().map_err(|Failed| None),
            None => {
                let known = results
                    .years
                    .keys()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(Some(
                    Diagnostic::error(
                        Code::EvalYear,
                        format!("`{}` has no value for {year}", value.name),
                    )
                    .at(span, format!("{year} asked for here"))
                    .with_label(value.name_span, format!("defined for {known}"))
                    .with_help(format!(
                        "define `{}[{year}]`, or a rule for every year: `{}[year] = …`",
                        value.name, value.name
                    )),
                ))
            }
        }
    }

    fn read_row(&mut self, id: RowId, at: At, context: Context, span: Span) -> Outcome<Amount> {
        let index = self.column_of(id, at, context, span)?;
        let program: &'a Program = self.program;
        let row = program.row(id);
        let table = program.table(row.table);
        if self.reads == Reads::Published {
            if let Some(printed) = printed_figure(table, row, index) {
                return Ok(printed);
            }
        }
        if row.is_absent(index) {
            return Err(Some(absent_read(row, table, index, span, "read here")));
        }
        self.cells[id.0][index].map_err(|Failed| None)
    }

    /// A figure of a decision this one imports, as that decision computes it (or, when
    /// reading the decision as published, as it prints it).
    fn read_imported(
        &mut self,
        import: usize,
        target: ImportedTarget,
        at: At,
        context: Context,
        span: Span,
    ) -> Outcome<Evaluated> {
        let program: &'a Program = self.program;
        let Some(imported) = program.imports.get(import) else {
            return Err(None);
        };
        let model = &imported.model;
        match target {
            ImportedTarget::Value(id) => {
                let value = model.program.value(id);
                let results = model.values.get(id.0).ok_or(None)?;
                // Read as published, a value the other decision states is its stated
                // figure: a wrong figure there is that decision's error, not this one's.
                let stated = |year| {
                    (self.reads == Reads::Published)
                        .then(|| value.stated_for(year))
                        .flatten()
                        .map(|stated| Evaluated::Amount(Amount::exact(Exact::new(stated.value))))
                };
                if let Some(scalar) = &results.scalar {
                    return stated(None).map_or_else(|| scalar.clone().map_err(|Failed| None), Ok);
                }
                let name = format!("{}.{}", imported.alias, value.name);
                let Some(year) = at.year_from(context.year) else {
                    return Err(Some(no_single_year(&name, context, span)));
                };
                if let Some(published) = stated(Some(year)) {
                    return Ok(published);
                }
                match results.years.get(&year) {
                    Some(result) => result.clone().map_err(|Failed| None),
                    None => Err(Some(imported_year(imported, &name, year, span, results))),
                }
            }
            ImportedTarget::Row(id) => {
                let row = model.program.row(id);
                let table = model.program.table(row.table);
                let Some(column) = at.column_from(context.column) else {
                    let name = format!("{}.{}", imported.alias, table.name);
                    return Err(Some(no_single_year(&name, context, span)));
                };
                let Some(index) = table.column_index(column) else {
                    return Err(Some(
                        Diagnostic::error(
                            Code::TableColumn,
                            format!(
                                "{} of {} has no column {}",
                                table.display_name(),
                                imported.symbol(),
                                column_name(column)
                            ),
                        )
                        .at(span, format!("reads column {}", column_name(column)))
                        .with_help("read a column the imported table has"),
                    ));
                };
                if self.reads == Reads::Published {
                    if let Some(printed) = printed_figure(table, row, index) {
                        return Ok(Evaluated::Amount(printed));
                    }
                }
                let cell = model.cells.get(id.0).and_then(|cells| cells.get(index));
                match cell {
                    Some(Ok(amount)) => Ok(Evaluated::Amount(*amount)),
                    _ => Err(None),
                }
            }
            ImportedTarget::Rate { scale, party } => {
                let scale = model.scales.scales.get(scale).ok_or(None)?;
                let Some(year) = at.year_from(context.year) else {
                    let name = format!("{}.{}", imported.alias, scale.def.name);
                    return Err(Some(no_single_year(&name, context, span)));
                };
                let Some(result) = scale.years.iter().find(|y| y.year == year) else {
                    return Err(Some(
                        Diagnostic::error(
                            Code::EvalYear,
                            format!(
                                "{} of {} has no rates for {year}",
                                scale.def.display_name(),
                                imported.symbol()
                            ),
                        )
                        .at(span, format!("{year} asked for here"))
                        .with_help("read a year the scale apportions"),
                    ));
                };
                let rates = result.rates.as_ref().map_err(|Failed| None)?;
                let rate = rates.rates.get(party).ok_or(None)?;
                let rate = rate
                    .checked_div(Exact::new(Decimal::ONE_HUNDRED))
                    .map_err(|error| Some(arithmetic(error, span)))?;
                Ok(Evaluated::Amount(Amount::exact(rate)))
            }
        }
    }

    /// A row's figure as the table prints it: exact, whatever bud computes for the cell.
    fn read_published(
        &mut self,
        id: RowId,
        at: At,
        context: Context,
        span: Span,
    ) -> Outcome<Amount> {
        let index = self.column_of(id, at, context, span)?;
        let program: &'a Program = self.program;
        let row = program.row(id);
        let value = row.amount(index).unwrap_or(Decimal::ZERO);
        match row.figures.get(index).map(|figure| &figure.kind) {
            Some(FigureKind::Number(_) | FigureKind::Dash) => Ok(Amount::exact(Exact::new(value))),
            _ => {
                let table = program.table(row.table);
                let column = table
                    .columns
                    .get(index)
                    .map_or_else(String::new, |c| column_name(*c));
                Err(Some(
                    Diagnostic::error(
                        Code::TableFigures,
                        format!(
                            "{}, {} has no published figure for {column}",
                            table.display_name(),
                            row.message_label()
                        ),
                    )
                    .at(span, "reads a blank cell")
                    .with_label(
                        row.figures.get(index).map_or(row.span, |figure| figure.span),
                        format!("{column} is blank"),
                    )
                    .with_help("read a column where the table prints a figure, or the computed cell without published(…)"),
                ))
            }
        }
    }

    /// Which of a row's columns a reference reads, in the context being computed.
    fn column_of(&self, id: RowId, at: At, context: Context, span: Span) -> Outcome<usize> {
        let program: &'a Program = self.program;
        let row = program.row(id);
        let table = program.table(row.table);
        let column = at.column_from(context.column);
        let Some(column) = column else {
            let name = row.name.clone().unwrap_or_else(|| row.label.clone());
            return Err(Some(
                Diagnostic::error(Code::EvalYear, format!("`{}.{name}` has a figure in each column; which one?", table.name))
                    .at(span, "no column to read")
                    .with_help(format!(
                        "name the column, such as `{}.{name}[{}]`, or define this value for every year with `[year]`",
                        table.name,
                        table.columns.first().map_or_else(|| "2013".to_owned(), |c| column_name(*c))
                    )),
            ));
        };
        let Some(index) = table.column_index(column) else {
            let columns = table.column_list();
            return Err(Some(
                Diagnostic::error(
                    Code::TableColumn,
                    format!(
                        "{} has no column {}",
                        table.display_name(),
                        column_name(column)
                    ),
                )
                .at(span, format!("reads column {}", column_name(column)))
                .with_label(table.name_span, format!("its columns are {columns}"))
                .with_help("read a column the table has, or add the column to the table"),
            ));
        };
        Ok(index)
    }
}

/// An imported decision's value read for a year it has no figure for.
fn imported_year(
    imported: &super::ImportedModel,
    name: &str,
    year: i32,
    span: Span,
    results: &ValueResults,
) -> Diagnostic {
    let known = results
        .years
        .keys()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::error(
        Code::EvalYear,
        format!("`{name}` has no value for {year} in {}", imported.symbol()),
    )
    .at(span, format!("{year} asked for here"))
    .with_help(format!(
        "{} gives it for {known}; read one of those years, or give the value for {year} there",
        imported.symbol()
    ))
}

/// A value that depends on the year, read where there is no single year.
fn no_single_year(name: &str, context: Context, span: Span) -> Diagnostic {
    let (place, help) = match context.column {
        Some(ColumnKey::Period(period)) => (
            format!(
                "column {}-{} spans several years",
                period.first, period.last
            ),
            format!(
                "add the years the column covers, such as `{}`",
                (period.first..=period.last)
                    .map(|year| format!("{name}[{year}]"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
        ),
        _ => (
            "this value is not defined per year".to_owned(),
            format!(
                "name the year, such as `{name}[2013]`, or define this value for every year with `[year]`"
            ),
        ),
    };
    Diagnostic::error(
        Code::EvalYear,
        format!("`{name}` depends on the year, but {place}"),
    )
    .at(span, "needs a single year")
    .with_help(help)
}

/// Adds the column or year being computed to an arithmetic error's message.
fn in_context(mut diagnostic: Diagnostic, context: Context) -> Diagnostic {
    if let Some(column) = context.column {
        diagnostic
            .message
            .push_str(&format!(" (in column {})", column_name(column)));
    }
    diagnostic
}

/// The value of one figure of an input row.
/// The value of one figure of an input row: a published number is as uncertain as
/// its rounding; a dash or a blank is exactly nothing.
/// The figure a table prints in a cell, as an amount known to half its rounding step;
/// `None` for a blank, or for a table whose shape is wrong.
fn printed_figure(table: &TableDef, row: &RowDef, index: usize) -> Option<Amount> {
    let printed = row.printed(index).is_some();
    (printed && table.well_formed).then(|| input_figure(row, index, input_uncertainty(table)))
}

/// How far a printed figure of `table` may be from what it rounds: half its step.
fn input_uncertainty(table: &TableDef) -> Decimal {
    table
        .rounding
        .map_or(Decimal::ZERO, |rounding| rounding.step / Decimal::TWO)
}

/// An input row's figure in a column, uncertain by `half_step` unless it is a dash.
fn input_figure(row: &RowDef, index: usize, half_step: Decimal) -> Amount {
    let value = Exact::new(row.amount(index).unwrap_or(Decimal::ZERO));
    match row.figures.get(index).map(|figure| &figure.kind) {
        Some(FigureKind::Number(_)) => Amount {
            value,
            uncertainty: half_step,
        },
        _ => Amount::exact(value),
    }
}

/// A rule reads an amount the decision leaves absent: it has no value, not zero.
fn absent_read(
    row: &RowDef,
    table: &TableDef,
    column: usize,
    span: Span,
    label: &str,
) -> Diagnostic {
    let absent_at = row
        .figures
        .get(column)
        .map_or(row.span, |figure| figure.span);
    let column = table
        .columns
        .get(column)
        .map_or_else(String::new, |key| table.heading(*key));
    Diagnostic::error(
        Code::EvalAbsent,
        format!(
            "\"{}\" gives no amount for {column} (`absent`), so nothing can be computed from it",
            row.message_label()
        ),
    )
    .at(span, label)
    .with_label(absent_at, "absent here")
    .with_help(
        "an absent amount is not zero: write the amount once it is known, or leave the total absent too",
    )
}

/// `part`'s share of the whole ratio, exactly: share(85:15, 2) is 15/100.
fn share(parts: &[Decimal], part: usize) -> Result<Exact, String> {
    let chosen = part
        .checked_sub(1)
        .and_then(|index| parts.get(index))
        .ok_or_else(|| format!("the ratio has {} parts, not {part}", parts.len()))?;
    let whole = parts
        .iter()
        .try_fold(Exact::ZERO, |sum, p| sum.checked_add(Exact::new(*p)))
        .map_err(|_| "the ratio's parts are too large to add".to_owned())?;
    Exact::new(*chosen)
        .checked_div(whole)
        .map_err(|_| "the ratio's parts add up to zero".to_owned())
}

fn arithmetic(error: ArithmeticError, span: Span) -> Diagnostic {
    match error {
        ArithmeticError::Overflow => Diagnostic::error(
            Code::EvalOverflow,
            "the result is too large to compute exactly",
        )
        .at(span, "overflows 28 significant digits")
        .with_help("check the figures for a typo; bud computes exactly up to about 7.9 × 10^28"),
        ArithmeticError::DivisionByZero => {
            Diagnostic::error(Code::EvalDivisionByZero, "division by zero")
                .at(span, "the divisor is zero here")
                .with_help("check the figure it divides by")
        }
        ArithmeticError::Underflow => Diagnostic::error(
            Code::EvalOverflow,
            "the result is too small to compute exactly",
        )
        .at(span, "needs more than 28 decimal places")
        .with_help("check the rates and exponents; bud will not round a non-zero amount to zero"),
        ArithmeticError::Exponent => {
            Diagnostic::error(Code::EvalExponent, "an exponent must be a whole number")
                .at(span, "not a whole number")
                .with_help("growth by a rate per year is written (1 + rate) ^ (year - base_year)")
        }
        ArithmeticError::ExponentTooLarge => Diagnostic::error(
            Code::EvalExponent,
            format!(
                "an exponent must be a whole number from -{max} to {max}",
                max = crate::format::exact(Decimal::from(crate::semantics::number::MAX_EXPONENT))
            ),
        )
        .at(span, "beyond the limit")
        .with_help("growth by a rate per year is written (1 + rate) ^ (year - base_year); no budget needs a larger power"),
    }
}

/// `lhs op rhs`, exactly, with the rounding uncertainty carried through.
/// `lhs op rhs`, with the uncertainty of each side carried through.
pub(crate) fn combine(op: BinaryOp, lhs: Amount, rhs: Amount) -> Result<Amount, ArithmeticError> {
    let (a, b) = (lhs.value, rhs.value);
    let (ua, ub) = (lhs.uncertainty, rhs.uncertainty);
    let value = match op {
        BinaryOp::Add => a.checked_add(b)?,
        BinaryOp::Subtract => a.checked_sub(b)?,
        BinaryOp::Multiply | BinaryOp::Of => a.checked_mul(b)?,
        BinaryOp::Divide => a.checked_div(b)?,
        BinaryOp::Power => a.pow(b)?,
    };
    let uncertainty = if ua.is_zero() && ub.is_zero() {
        Decimal::ZERO
    } else if matches!(op, BinaryOp::Add | BinaryOp::Subtract) {
        // The common case (every sum and Total) needs neither operand as a decimal.
        ua.checked_add(ub).unwrap_or(Decimal::MAX)
    } else {
        propagate(
            op,
            a.abs().to_decimal(),
            b.abs().to_decimal(),
            ua,
            ub,
            b.to_decimal(),
        )
    };
    Ok(Amount { value, uncertainty })
}

/// The worst-case change of `a op b` when a moves by up to `ua` and b by up to `ub`
/// (interval arithmetic on magnitudes). Saturates rather than failing: it is a bound.
fn propagate(
    op: BinaryOp,
    a: Decimal,
    b: Decimal,
    ua: Decimal,
    ub: Decimal,
    exponent: Decimal,
) -> Decimal {
    let saturate = |value: Option<Decimal>| value.unwrap_or(Decimal::MAX);
    match op {
        BinaryOp::Add | BinaryOp::Subtract => saturate(ua.checked_add(ub)),
        BinaryOp::Multiply | BinaryOp::Of => saturate(
            a.checked_mul(ub)
                .zip(b.checked_mul(ua))
                .and_then(|(x, y)| x.checked_add(y))
                .zip(ua.checked_mul(ub))
                .and_then(|(x, y)| x.checked_add(y)),
        ),
        BinaryOp::Divide => {
            if b <= ub {
                return Decimal::MAX;
            }
            saturate(
                a.checked_mul(ub)
                    .zip(b.checked_mul(ua))
                    .and_then(|(x, y)| x.checked_add(y))
                    .zip(b.checked_mul(b - ub))
                    .and_then(|(x, y)| x.checked_div(y)),
            )
        }
        BinaryOp::Power => {
            if !ub.is_zero() || exponent.is_sign_negative() {
                return Decimal::MAX;
            }
            let Some(high) = a.checked_add(ua) else {
                return Decimal::MAX;
            };
            let grown = Exact::new(high).pow(Exact::new(exponent));
            let plain = Exact::new(a).pow(Exact::new(exponent));
            match (grown, plain) {
                (Ok(grown), Ok(plain)) => grown
                    .checked_sub(plain)
                    .map_or(Decimal::MAX, |d| d.abs().to_decimal()),
                _ => Decimal::MAX,
            }
        }
    }
}

fn collect_named_years(formula: &Formula, years: &mut BTreeSet<i32>) {
    match &formula.kind {
        FormulaKind::Value {
            at: At::Column(ColumnKey::Year(year)),
            ..
        } => {
            years.insert(*year);
        }
        FormulaKind::Sum { terms, .. } => terms.iter().for_each(|t| collect_named_years(t, years)),
        FormulaKind::Share { ratio, .. } => collect_named_years(ratio, years),
        FormulaKind::Negate(inner) | FormulaKind::Convert { inner, .. } => {
            collect_named_years(inner, years)
        }
        FormulaKind::Binary { lhs, rhs, .. }
        | FormulaKind::Round {
            value: lhs,
            step: rhs,
        } => {
            collect_named_years(lhs, years);
            collect_named_years(rhs, years);
        }
        FormulaKind::Except { .. } => {
            for branch in formula.branches() {
                collect_named_years(branch, years);
            }
        }
        _ => {}
    }
}
