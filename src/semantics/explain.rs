//! How a figure was computed, in words a budget officer can check by hand: the formula
//! as written (`subtotal + support + reserve`) and the same formula with the figures
//! it read (`2,587.6 + 336.388 + 9.4`), in the unit of the table being read.
//! Derived on demand from the model, so evaluation stores no explanations.

use rust_decimal::Decimal;

use super::Model;
use super::eval::{Amount, Evaluated};
use super::number::Exact;
use super::program::*;
use super::resolve::{column_name, figures};
use super::unit::{Unit, currency_symbol, scale_word};
use crate::format::{self, Scaled};
use crate::syntax::ast::{BinaryOp, ColumnKey, FigureKind};

/// What a figure is: a cell of a table, or a value of the decision (in a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Cell {
        row: RowId,
        column: usize,
    },
    Value {
        value: ValueId,
        year: Option<i32>,
    },
    /// A figure of a scale of assessments: `figure` indexes the line's figures.
    Scale {
        scale: usize,
        line: ScaleLine,
        figure: usize,
    },
}

/// A Party's line of a scale (by index), or its TOTAL line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScaleLine {
    Party(usize),
    Total,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    /// The formula as written, names and all.
    pub formula: String,
    /// The formula with the figures it read.
    pub worked: String,
}

impl Derivation {
    /// `subtotal + support + reserve = 2,587.6 + 336.388 + 9.4 = 2,933.388`, without
    /// repeating a step that says nothing new.
    pub fn sentence(&self, result: &str) -> String {
        let mut steps: Vec<&str> = vec![&self.formula];
        for step in [self.worked.as_str(), result] {
            if steps.last() != Some(&step) {
                steps.push(step);
            }
        }
        steps.join(" = ")
    }
}

/// How the subject was computed; `None` for an input figure.
pub fn derivation(model: &Model, subject: Subject) -> Option<Derivation> {
    match subject {
        Subject::Cell { row, column } => cell_derivation(model, row, column),
        // Scales explain themselves in `reconcile::scale`, in sentences rather than sums.
        Subject::Scale { .. } => None,
        Subject::Value { value, year } => {
            let definition = model.program.value(value);
            let rule = match year {
                None => definition.scalar.as_ref(),
                Some(year) => definition
                    .by_year
                    .get(&year)
                    .or(definition.every_year.as_ref()),
            }?;
            let context = Reading {
                model,
                table: None,
                column: year.map(ColumnKey::Year),
                year,
                figures: Scaled::UNITS,
            };
            Some(Derivation {
                formula: context.symbolic(&rule.formula),
                worked: context.worked(&rule.formula),
            })
        }
    }
}

fn cell_derivation(model: &Model, row_id: RowId, column: usize) -> Option<Derivation> {
    let row = model.program.row(row_id);
    let table = model.program.table(row.table);
    let key = *table.columns.get(column)?;
    let scaled = figures(table);
    if key == ColumnKey::Total {
        let years: Vec<(String, String)> = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, ColumnKey::Year(_)))
            .map(|(i, c)| {
                (
                    column_name(*c),
                    show_cell(model.cells[row_id.0].get(i).copied(), scaled),
                )
            })
            .collect();
        if years.is_empty() {
            return None;
        }
        return Some(Derivation {
            formula: years
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            worked: years
                .iter()
                .map(|(_, value)| value.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
        });
    }
    let formula = row.formula.as_ref()?.for_column(key)?;
    let context = Reading {
        model,
        table: Some(row.table),
        column: Some(key),
        year: match key {
            ColumnKey::Year(year) => Some(year),
            _ => None,
        },
        figures: scaled,
    };
    Some(Derivation {
        formula: context.symbolic(formula),
        worked: context.worked(formula),
    })
}

fn show_cell(cell: Option<super::Cell>, figures: Scaled) -> String {
    match cell {
        Some(Ok(amount)) => figures.show(amount.value),
        _ => "?".to_owned(),
    }
}

/// Reading a formula in the context of one cell or one year.
struct Reading<'a> {
    model: &'a Model,
    table: Option<TableId>,
    column: Option<ColumnKey>,
    year: Option<i32>,
    /// How amounts are written (in thousands, in a table of thousands).
    figures: Scaled,
}

/// Whether references are printed by name or by the figure they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Symbolic,
    Worked,
}

impl Reading<'_> {
    fn symbolic(&self, formula: &Formula) -> String {
        self.render(formula, 0, Mode::Symbolic)
    }

    fn worked(&self, formula: &Formula) -> String {
        self.render(formula, 0, Mode::Worked)
    }

    fn render(&self, formula: &Formula, parent: u8, mode: Mode) -> String {
        match &formula.kind {
            FormulaKind::Value { .. } | FormulaKind::Row { .. } | FormulaKind::Imported { .. } => {
                match mode {
                    Mode::Symbolic => self.name_of(formula),
                    Mode::Worked => self.figure_of(formula),
                }
            }
            FormulaKind::Year => match (mode, self.year) {
                (Mode::Worked, Some(year)) => year.to_string(),
                _ => "year".to_owned(),
            },
            FormulaKind::Constant { value, unit } => constant(*value, unit),
            FormulaKind::Ratio(parts) => ratio(parts),
            FormulaKind::Negate(inner) => format!("-{}", self.render(inner, 3, mode)),
            FormulaKind::Binary { op, lhs, rhs } => {
                let power = precedence(*op);
                let text = format!(
                    "{} {} {}",
                    self.render(lhs, power, mode),
                    op.symbol(),
                    self.render(rhs, power + 1, mode)
                );
                if power < parent {
                    format!("({text})")
                } else {
                    text
                }
            }
            FormulaKind::Sum { terms, sections } => match mode {
                Mode::Symbolic => self.symbolic_sum(terms, sections),
                Mode::Worked => self.worked_sum(&self.expand(terms, sections)),
            },
            FormulaKind::Share { ratio, part } => {
                format!("share({}, {part})", self.render(ratio, 0, mode))
            }
            FormulaKind::Convert { inner, to, .. } => match (mode, self.read(inner)) {
                // A figure read and converted is shown once, in the unit it is converted to.
                (Mode::Worked, Some(Evaluated::Amount(amount))) => constant(amount.value, to),
                _ => {
                    let text = format!("{} in {to}", self.render(inner, 1, mode));
                    if parent > 0 {
                        format!("({text})")
                    } else {
                        text
                    }
                }
            },
            FormulaKind::Published { id, at } => match mode {
                Mode::Symbolic => {
                    let row = Formula {
                        kind: FormulaKind::Row { id: *id, at: *at },
                        span: formula.span,
                    };
                    format!("published({})", self.name_of(&row))
                }
                Mode::Worked => self.published_figure(*id, *at),
            },
            FormulaKind::Round { value, step } => format!(
                "round({}, {})",
                self.render(value, 0, mode),
                self.render(step, 0, mode)
            ),
            FormulaKind::Except { rule, .. } => {
                let branch = self.column.and_then(|column| formula.for_column(column));
                self.render(branch.unwrap_or(rule), parent, mode)
            }
            FormulaKind::Invalid => "?".to_owned(),
        }
    }

    /// A row's figure as printed in the column a reference reads.
    fn published_figure(&self, id: RowId, at: At) -> String {
        let row = self.model.program.row(id);
        let table = self.model.program.table(row.table);
        let column = at.column_from(self.column.or(self.year.map(ColumnKey::Year)));
        let figure = column
            .and_then(|column| table.column_index(column))
            .and_then(|index| row.figures.get(index));
        match figure.map(|figure| &figure.kind) {
            Some(&FigureKind::Number(written)) => format::written(written),
            Some(FigureKind::Dash) => "-".to_owned(),
            _ => "?".to_owned(),
        }
    }

    fn symbolic_sum(&self, terms: &[Formula], sections: &[SectionTerm]) -> String {
        let sections = sections.iter().map(|term| {
            let section = self.model.program.section(term.id);
            section
                .name
                .as_deref()
                .map_or_else(|| section.message_label(), str::to_owned)
        });
        let terms = terms
            .iter()
            .map(|term| self.render(term, 0, Mode::Symbolic));
        format!(
            "sum({})",
            sections.chain(terms).collect::<Vec<_>>().join(", ")
        )
    }

    /// A sum's terms with each section's rows listed, for the worked sum.
    fn expand(&self, terms: &[Formula], sections: &[SectionTerm]) -> Vec<Formula> {
        let rows = sections.iter().flat_map(|term| {
            self.model
                .program
                .section(term.id)
                .rows
                .iter()
                .map(|id| Formula {
                    kind: FormulaKind::Row {
                        id: *id,
                        at: term.at,
                    },
                    span: term.span,
                })
        });
        rows.chain(terms.iter().cloned()).collect()
    }

    /// Each non-zero term with the row it came from, as a person would add them up;
    /// a long sum shows its first and last terms and how many there are.
    fn worked_sum(&self, terms: &[Formula]) -> String {
        const SHOWN_AT_START: usize = 8;
        const SHOWN_AT_END: usize = 2;
        let nonzero: Vec<&Formula> = terms.iter().filter(|term| !self.reads_zero(term)).collect();
        let term_text = |term: &&Formula| match &term.kind {
            FormulaKind::Row { id, .. } => format!(
                "{} {}",
                self.model.program.row(*id).short_name(),
                self.render(term, 1, Mode::Worked)
            ),
            _ => self.render(term, 1, Mode::Worked),
        };
        if nonzero.is_empty() {
            return "0".to_owned();
        }
        if nonzero.len() <= SHOWN_AT_START + SHOWN_AT_END + 2 {
            return nonzero
                .iter()
                .map(term_text)
                .collect::<Vec<_>>()
                .join(" + ");
        }
        let start: Vec<String> = nonzero[..SHOWN_AT_START].iter().map(term_text).collect();
        let end: Vec<String> = nonzero[nonzero.len() - SHOWN_AT_END..]
            .iter()
            .map(term_text)
            .collect();
        format!(
            "{} + … + {} ({} non-zero terms)",
            start.join(" + "),
            end.join(" + "),
            format::exact(Decimal::from(nonzero.len()))
        )
    }

    fn reads_zero(&self, term: &Formula) -> bool {
        matches!(self.read(term), Some(Evaluated::Amount(amount)) if amount.value.is_zero())
    }

    fn name_of(&self, formula: &Formula) -> String {
        match &formula.kind {
            FormulaKind::Value { id, at } => {
                format!("{}{}", self.model.program.value(*id).name, index(*at))
            }
            FormulaKind::Row { id, at } => {
                let row = self.model.program.row(*id);
                let name = row
                    .name
                    .as_deref()
                    .map_or_else(|| format!("\"{}\"", row.label), str::to_owned);
                let qualified = if Some(row.table) == self.table {
                    name
                } else {
                    format!("{}.{name}", self.model.program.table(row.table).name)
                };
                format!("{qualified}{}", index(*at))
            }
            FormulaKind::Imported { import, target, at } => {
                let Some(imported) = self.model.program.imports.get(*import) else {
                    return "?".to_owned();
                };
                let program = &imported.model.program;
                let name = match target {
                    ImportedTarget::Value(id) => program.value(*id).name.clone(),
                    ImportedTarget::Row(id) => {
                        let row = program.row(*id);
                        let table = &program.table(row.table).name;
                        format!("{table}.{}", row.name.as_deref().unwrap_or("?"))
                    }
                    ImportedTarget::Rate { scale, party } => {
                        let scale = imported.model.scales.scales.get(*scale);
                        let def = scale.map(|s| &s.def);
                        let party = def
                            .and_then(|d| d.parties.get(*party))
                            .map_or("?", |p| p.name.as_str());
                        format!("{}[\"{party}\"]", def.map_or("?", |d| d.name.as_str()))
                    }
                };
                format!("{}.{name}{}", imported.alias, index(*at))
            }
            _ => "?".to_owned(),
        }
    }

    fn figure_of(&self, formula: &Formula) -> String {
        let unit = match &formula.kind {
            FormulaKind::Imported { import, target, .. } => {
                let model = self.model.program.imports.get(*import).map(|i| &i.model);
                match (model, target) {
                    (Some(model), ImportedTarget::Value(id)) => model.value_units[id.0].clone(),
                    (Some(model), ImportedTarget::Row(id)) => Some(
                        model
                            .program
                            .table(model.program.row(*id).table)
                            .unit
                            .unit
                            .clone(),
                    ),
                    (_, ImportedTarget::Rate { .. }) => Some(Unit::Percent),
                    _ => None,
                }
            }
            FormulaKind::Value { id, .. } => self.model.value_units[id.0].clone(),
            FormulaKind::Row { id, .. } => Some(
                self.model
                    .program
                    .table(self.model.program.row(*id).table)
                    .unit
                    .unit
                    .clone(),
            ),
            _ => None,
        };
        match (self.read(formula), unit) {
            // In a table, amounts are figures of the table's unit; elsewhere, in US$.
            (Some(Evaluated::Amount(amount)), Some(Unit::Money { .. }))
                if self.figures != Scaled::UNITS =>
            {
                self.figures.show(amount.value)
            }
            (Some(Evaluated::Amount(amount)), Some(unit)) => constant(amount.value, &unit),
            (Some(Evaluated::Ratio(parts)), _) => ratio(&parts),
            _ => "?".to_owned(),
        }
    }

    /// The figure a reference reads in this context, if it was computed.
    fn read(&self, formula: &Formula) -> Option<Evaluated> {
        match &formula.kind {
            FormulaKind::Value { id, at } => {
                let results = &self.model.values[id.0];
                if let Some(scalar) = &results.scalar {
                    return scalar.clone().ok();
                }
                let year = at.year_from(self.year)?;
                results.years.get(&year)?.clone().ok()
            }
            FormulaKind::Row { id, at } => {
                let row = self.model.program.row(*id);
                let table = self.model.program.table(row.table);
                let key = at.column_from(self.column)?;
                let index = table.column_index(key)?;
                let cell: Amount = (*self.model.cells[id.0].get(index)?).ok()?;
                Some(Evaluated::Amount(cell))
            }
            FormulaKind::Imported { import, target, at } => {
                let model = &self.model.program.imports.get(*import)?.model;
                match target {
                    ImportedTarget::Value(id) => {
                        let results = model.values.get(id.0)?;
                        if let Some(scalar) = &results.scalar {
                            return scalar.clone().ok();
                        }
                        results.years.get(&at.year_from(self.year)?)?.clone().ok()
                    }
                    ImportedTarget::Row(id) => {
                        let table = model.program.table(model.program.row(*id).table);
                        let index = table.column_index(at.column_from(self.column)?)?;
                        let cell: Amount = (*model.cells.get(id.0)?.get(index)?).ok()?;
                        Some(Evaluated::Amount(cell))
                    }
                    ImportedTarget::Rate { .. } => None,
                }
            }
            _ => None,
        }
    }
}

fn ratio(parts: &[Decimal]) -> String {
    parts
        .iter()
        .map(|p| format::exact(*p))
        .collect::<Vec<_>>()
        .join(":")
}

fn index(at: At) -> String {
    match at {
        At::Current => String::new(),
        At::Column(key) => format!("[{}]", column_name(key)),
        At::Shifted(years) if years < 0 => format!("[year - {}]", -i64::from(years)),
        At::Shifted(years) => format!("[year + {years}]"),
    }
}

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Add | BinaryOp::Subtract => 1,
        BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Of => 2,
        BinaryOp::Power => 4,
    }
}

/// A figure as written, with its unit: `US$ 2,922,100`, `12%`, `2.5 posts`.
pub fn written_in(written: crate::syntax::ast::Written, unit: &Unit) -> String {
    let digits = format::written(written);
    match unit {
        Unit::Money { currency, scale } => {
            format!(
                "{} {digits}{}",
                currency_symbol(currency),
                scale_word(*scale)
            )
        }
        Unit::Percent => format!("{digits}%"),
        Unit::Posts => format!("{digits} posts"),
        Unit::Number | Unit::Ratio | Unit::Year => digits,
    }
}

/// The size of a difference in its unit: `12` (dollars), `1 percentage point`, `0.5 posts`.
pub fn difference_size(value: Exact, unit: &Unit) -> String {
    match unit {
        Unit::Percent => {
            let points = value
                .checked_mul(Exact::new(Decimal::ONE_HUNDRED))
                .map_or_else(|_| "?".to_owned(), format::exact_number);
            let plural = if points == "1" { "" } else { "s" };
            format!("{points} percentage point{plural}")
        }
        Unit::Posts => format!("{} posts", format::exact_number(value)),
        Unit::Money { .. } | Unit::Number | Unit::Ratio | Unit::Year => format::exact_number(value),
    }
}

/// A constant in its unit: `US$ 1,126,162`, `13%`, `2.5 posts`, `1.02`.
pub fn constant(value: Exact, unit: &Unit) -> String {
    match unit {
        Unit::Money { currency, scale } => format!(
            "{} {}{}",
            currency_symbol(currency),
            format::Scaled {
                factor: scale.factor(),
                ..format::Scaled::UNITS
            }
            .show(value),
            scale_word(*scale)
        ),
        Unit::Percent => value
            .checked_mul(Exact::new(Decimal::ONE_HUNDRED))
            .map_or_else(
                |_| "?".to_owned(),
                |percent| format!("{}%", format::exact_number(percent)),
            ),
        Unit::Posts => format!("{} posts", format::exact_number(value)),
        Unit::Year => value.to_decimal().to_string(),
        Unit::Number | Unit::Ratio => format::exact_number(value),
    }
}
