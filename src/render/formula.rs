//! A rule as a spreadsheet formula: a table cell's over the cells it reads, and a
//! paragraph's value's over the values and table figures it reads, so a workbook's
//! checks stay live when someone edits a line or a rate. Every term of a cell's formula
//! is in the table's unit (a table in thousands reads a paragraph's US$ amount divided
//! by 1,000); every term of a value's is in the currency's units (a table's figure in
//! thousands times 1,000). A rule with a part no spreadsheet function matches exactly (a
//! ratio's share, bud's half-up `round`) has no formula, and the workbook holds the
//! computed figure instead: a formula that computed something else would be worse.

use rust_decimal::Decimal;

use crate::semantics::Model;
use crate::semantics::program::{At, Formula, FormulaKind, RowId, SectionTerm, TableDef, ValueId};
use crate::semantics::unit::Unit;
use crate::syntax::ast::{BinaryOp, ColumnKey};

/// A formula over a table's cells, by line and column, independent of any one
/// spreadsheet's addressing.
#[derive(Debug, Clone, PartialEq)]
pub enum CellFormula {
    /// A cell of the same table: its line among the table's lines, and its column.
    Cell {
        line: usize,
        column: usize,
    },
    /// The figure a cell of the same table publishes, not the one its rule computes
    /// (`published(…)`, or the TOTAL line a scale apportions).
    Published {
        line: usize,
        column: usize,
    },
    /// A figure of a table, read by a paragraph's rule: the table's view id
    /// (`table-1`), the line and column, whether a rule computes the figure, and whether
    /// the rule reads it as published.
    Table {
        table: String,
        line: usize,
        column: usize,
        computed: bool,
        published: bool,
    },
    Number(Decimal),
    /// A named value of the decision (`programme_support_rate`, `host_offset_2013`),
    /// divided by `divide_by` to bring an amount into the table's unit.
    Name {
        name: String,
        divide_by: Option<Decimal>,
    },
    Sum(Vec<CellFormula>),
    /// A spreadsheet function of its arguments: `MIN(0.01,J5*1.4)`.
    Function {
        name: &'static str,
        arguments: Vec<CellFormula>,
    },
    Negate(Box<CellFormula>),
    Binary {
        op: char,
        lhs: Box<CellFormula>,
        rhs: Box<CellFormula>,
    },
}

/// Where a formula is evaluated: which table and column.
pub(super) struct Place<'a> {
    pub model: &'a Model,
    pub table: &'a TableDef,
    pub column: usize,
    pub positions: &'a std::collections::HashMap<RowId, usize>,
}

/// The rule as a formula over cells and named values, if every part of it has one.
pub(super) fn translate(place: &Place<'_>, formula: &Formula) -> Option<CellFormula> {
    // A per-cent table shows 13 for 0.13: rates would need scaling both ways.
    if place.table.unit.unit == Unit::Percent {
        return None;
    }
    let key = *place.table.columns.get(place.column)?;
    term(place, formula.for_column(key)?)
}

fn term(place: &Place<'_>, formula: &Formula) -> Option<CellFormula> {
    match &formula.kind {
        FormulaKind::Constant { value, unit } => {
            let value = in_table_unit(place, value.to_decimal(), unit)?;
            Some(CellFormula::Number(value))
        }
        FormulaKind::Value { id, at } => value(place, *id, *at),
        FormulaKind::Row { id, at } => cell(place, *id, *at),
        FormulaKind::Sum { terms, sections } => {
            let mut parts = terms
                .iter()
                .map(|t| term(place, t))
                .collect::<Option<Vec<_>>>()?;
            for section in sections {
                parts.extend(section_cells(place, section)?);
            }
            Some(CellFormula::Sum(parts))
        }
        FormulaKind::Negate(inner) => Some(CellFormula::Negate(Box::new(term(place, inner)?))),
        FormulaKind::Binary { op, lhs, rhs } => Some(CellFormula::Binary {
            op: operator(*op),
            lhs: Box::new(term(place, lhs)?),
            rhs: Box::new(term(place, rhs)?),
        }),
        // Every term is already in the table's unit, so a conversion changes nothing.
        FormulaKind::Convert { inner, .. } => term(place, inner),
        FormulaKind::Year => match place.table.columns.get(place.column)? {
            ColumnKey::Year(year) => Some(CellFormula::Number(Decimal::from(*year))),
            _ => None,
        },
        // Another decision's figure has no cell in this workbook.
        FormulaKind::Except { .. } | FormulaKind::Imported { .. } => None,
        FormulaKind::Published { id, at } => match cell(place, *id, *at)? {
            CellFormula::Cell { line, column } => Some(CellFormula::Published { line, column }),
            _ => None,
        },
        FormulaKind::Ratio(_)
        | FormulaKind::Share { .. }
        | FormulaKind::Round { .. }
        | FormulaKind::Invalid => None,
    }
}

/// A paragraph's value as a formula over the decision's other values and the table
/// figures it reads, in the currency's units, for one year (`None` for a value that is
/// not yearly). `None` where the rule is a figure as written, or has a part with no
/// spreadsheet form.
pub(super) fn value_formula(model: &Model, id: ValueId, year: Option<i32>) -> Option<CellFormula> {
    let rule = model.program.value(id).rule_for(year)?;
    value_term(model, year, &rule.formula)
}

fn value_term(model: &Model, year: Option<i32>, formula: &Formula) -> Option<CellFormula> {
    let recurse = |inner: &Formula| value_term(model, year, inner);
    match &formula.kind {
        FormulaKind::Constant { value, unit } => match unit {
            Unit::Money { .. } | Unit::Percent | Unit::Number | Unit::Posts => {
                Some(CellFormula::Number(value.to_decimal()))
            }
            Unit::Ratio | Unit::Year => None,
        },
        FormulaKind::Value { id, at } => {
            let definition = model.program.value(*id);
            let read = if definition.is_yearly() {
                Some(at.year_from(year)?)
            } else {
                None
            };
            match model.value_units[id.0].as_ref()? {
                Unit::Ratio | Unit::Year => None,
                _ => Some(CellFormula::Name {
                    name: value_name(&definition.name, read),
                    divide_by: None,
                }),
            }
        }
        FormulaKind::Row { id, at } => table_figure(model, year, *id, *at, false),
        FormulaKind::Published { id, at } => table_figure(model, year, *id, *at, true),
        FormulaKind::Sum { terms, sections } if sections.is_empty() => Some(CellFormula::Sum(
            terms.iter().map(recurse).collect::<Option<Vec<_>>>()?,
        )),
        FormulaKind::Negate(inner) => Some(CellFormula::Negate(Box::new(recurse(inner)?))),
        FormulaKind::Binary { op, lhs, rhs } => Some(CellFormula::Binary {
            op: operator(*op),
            lhs: Box::new(recurse(lhs)?),
            rhs: Box::new(recurse(rhs)?),
        }),
        // Every amount is already in the currency's units.
        FormulaKind::Convert { inner, .. } => recurse(inner),
        FormulaKind::Year => Some(CellFormula::Number(Decimal::from(year?))),
        FormulaKind::Sum { .. }
        | FormulaKind::Ratio(_)
        | FormulaKind::Share { .. }
        | FormulaKind::Round { .. }
        | FormulaKind::Except { .. }
        | FormulaKind::Imported { .. }
        | FormulaKind::Invalid => None,
    }
}

/// A table's figure read by a value's rule, brought into the currency's units.
fn table_figure(
    model: &Model,
    year: Option<i32>,
    id: RowId,
    at: At,
    published: bool,
) -> Option<CellFormula> {
    let program = &model.program;
    let row = program.row(id);
    let table = program.table(row.table);
    let line = table
        .lines
        .iter()
        .position(|line| matches!(line, crate::semantics::program::Line::Row(r) if *r == id))?;
    let key = at.column_from(year.map(ColumnKey::Year))?;
    let column = table.column_index(key)?;
    let figure = CellFormula::Table {
        table: super::view::table_id(table.number.as_deref(), &table.name),
        line,
        column,
        computed: row.formula.is_some() || key == ColumnKey::Total,
        published,
    };
    Some(if row.scale == Decimal::ONE {
        figure
    } else {
        CellFormula::Binary {
            op: '*',
            lhs: Box::new(figure),
            rhs: Box::new(CellFormula::Number(row.scale)),
        }
    })
}

fn operator(op: BinaryOp) -> char {
    match op {
        BinaryOp::Add => '+',
        BinaryOp::Subtract => '-',
        BinaryOp::Multiply | BinaryOp::Of => '*',
        BinaryOp::Divide => '/',
        BinaryOp::Power => '^',
    }
}

/// An amount divided into the table's unit; rates and plain numbers as they are.
fn in_table_unit(place: &Place<'_>, value: Decimal, unit: &Unit) -> Option<Decimal> {
    match unit {
        Unit::Money { .. } => value.checked_div(place.table.unit.scale.factor()),
        Unit::Percent | Unit::Number | Unit::Posts => Some(value),
        Unit::Ratio | Unit::Year => None,
    }
}

fn value(place: &Place<'_>, id: ValueId, at: At) -> Option<CellFormula> {
    let definition = place.model.program.value(id);
    let unit = place.model.value_units[id.0].as_ref()?;
    let year = if definition.is_yearly() {
        Some(year_read(place, at)?)
    } else {
        None
    };
    let divide_by = match unit {
        Unit::Money { .. } => Some(place.table.unit.scale.factor()).filter(|f| *f != Decimal::ONE),
        Unit::Percent | Unit::Number | Unit::Posts => None,
        Unit::Ratio | Unit::Year => return None,
    };
    Some(CellFormula::Name {
        name: value_name(&definition.name, year),
        divide_by,
    })
}

/// The name a workbook gives a value: `host_offset_2013` for one year of a yearly value.
pub fn value_name(name: &str, year: Option<i32>) -> String {
    match year {
        Some(year) => format!("{name}_{year}"),
        None => name.to_owned(),
    }
}

fn year_read(place: &Place<'_>, at: At) -> Option<i32> {
    let key = at.column_from(place.table.columns.get(place.column).copied())?;
    match key {
        ColumnKey::Year(year) => Some(year),
        ColumnKey::Period(_) | ColumnKey::Total | ColumnKey::Text(_) => None,
    }
}

fn cell(place: &Place<'_>, row: RowId, at: At) -> Option<CellFormula> {
    let line = *place.positions.get(&row)?;
    let column = match at {
        At::Current => place.column,
        other => {
            let key = other.column_from(place.table.columns.get(place.column).copied())?;
            place.table.column_index(key)?
        }
    };
    Some(CellFormula::Cell { line, column })
}

fn section_cells(place: &Place<'_>, section: &SectionTerm) -> Option<Vec<CellFormula>> {
    place
        .model
        .program
        .section(section.id)
        .rows
        .iter()
        .map(|row| cell(place, *row, section.at))
        .collect()
}

/// A cell a formula reads, for the workbook to name by its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference<'a> {
    /// A cell of the same table, as its rule computes it.
    Cell { line: usize, column: usize },
    /// A cell of the same table, as published.
    Published { line: usize, column: usize },
    /// A cell of a table, by the table's view id, as computed or as published.
    Table {
        table: &'a str,
        line: usize,
        column: usize,
        computed: bool,
        published: bool,
    },
}

/// Names a cell in spreadsheet syntax (`B17`, `'Table 1'!F20`), or `None` where the
/// workbook has no such cell.
pub type Addresses<'a> = dyn Fn(Reference<'_>) -> Option<String> + 'a;

impl CellFormula {
    /// The formula in spreadsheet syntax, with `address` naming a cell: runs of cells
    /// down one column become ranges, `SUM(B5:B17)`. `None` if a cell has no address.
    pub fn spreadsheet(&self, address: &Addresses<'_>) -> Option<String> {
        Some(match self {
            CellFormula::Cell { line, column } => address(Reference::Cell {
                line: *line,
                column: *column,
            })?,
            CellFormula::Published { line, column } => address(Reference::Published {
                line: *line,
                column: *column,
            })?,
            CellFormula::Table {
                table,
                line,
                column,
                computed,
                published,
            } => address(Reference::Table {
                table,
                line: *line,
                column: *column,
                computed: *computed,
                published: *published,
            })?,
            CellFormula::Number(value) => value.normalize().to_string(),
            CellFormula::Name { name, divide_by } => match divide_by {
                Some(factor) => format!("{name}/{}", factor.normalize()),
                None => name.clone(),
            },
            CellFormula::Sum(parts) => format!("SUM({})", sum_arguments(parts, address)?),
            CellFormula::Function { name, arguments } => format!(
                "{name}({})",
                arguments
                    .iter()
                    .map(|argument| argument.spreadsheet(address))
                    .collect::<Option<Vec<_>>>()?
                    .join(",")
            ),
            CellFormula::Negate(inner) => format!("-{}", inner.operand(4, address)?),
            CellFormula::Binary { op, lhs, rhs } => {
                let level = precedence(*op);
                // `a-(b-c)` and `a/(b*c)`: the right side binds tighter than the same level.
                let right = if matches!(op, '-' | '/' | '^') {
                    level + 1
                } else {
                    level
                };
                format!(
                    "{}{op}{}",
                    lhs.operand(level, address)?,
                    rhs.operand(right, address)?
                )
            }
        })
    }

    /// Every named value the formula reads.
    pub fn names(&self) -> Vec<&str> {
        match self {
            CellFormula::Name { name, .. } => vec![name.as_str()],
            CellFormula::Sum(parts)
            | CellFormula::Function {
                arguments: parts, ..
            } => parts.iter().flat_map(CellFormula::names).collect(),
            CellFormula::Negate(inner) => inner.names(),
            CellFormula::Binary { lhs, rhs, .. } => {
                let mut names = lhs.names();
                names.extend(rhs.names());
                names
            }
            CellFormula::Cell { .. }
            | CellFormula::Published { .. }
            | CellFormula::Table { .. }
            | CellFormula::Number(_) => Vec::new(),
        }
    }

    fn operand(&self, level: u8, address: &Addresses<'_>) -> Option<String> {
        let text = self.spreadsheet(address)?;
        let own = match self {
            CellFormula::Binary { op, .. } => precedence(*op),
            CellFormula::Name {
                divide_by: Some(_), ..
            } => precedence('/'),
            CellFormula::Number(value) if value.is_sign_negative() => 0,
            _ => u8::MAX,
        };
        Some(if own < level {
            format!("({text})")
        } else {
            text
        })
    }
}

fn precedence(op: char) -> u8 {
    match op {
        '+' | '-' => 1,
        '*' | '/' => 2,
        _ => 3,
    }
}

/// `B5:B17,B20`: consecutive cells down a column, or along a line, as ranges.
fn sum_arguments(parts: &[CellFormula], address: &Addresses<'_>) -> Option<String> {
    let cell = |line, column| address(Reference::Cell { line, column });
    let mut arguments: Vec<String> = Vec::new();
    let mut index = 0;
    while index < parts.len() {
        let CellFormula::Cell { line, column } = parts[index] else {
            arguments.push(parts[index].spreadsheet(address)?);
            index += 1;
            continue;
        };
        let (mut last_line, mut last_column) = (line, column);
        for step in [(1, 0), (0, 1)] {
            while let Some(CellFormula::Cell {
                line: next_line,
                column: next_column,
            }) = parts.get(index + 1)
            {
                if (*next_line, *next_column) != (last_line + step.0, last_column + step.1) {
                    break;
                }
                (last_line, last_column) = (*next_line, *next_column);
                index += 1;
            }
            if (last_line, last_column) != (line, column) {
                break;
            }
        }
        arguments.push(if (last_line, last_column) == (line, column) {
            cell(line, column)?
        } else {
            format!("{}:{}", cell(line, column)?, cell(last_line, last_column)?)
        });
        index += 1;
    }
    Some(arguments.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(reference: Reference<'_>) -> Option<String> {
        let Reference::Cell { line, column } = reference else {
            return None;
        };
        let letter = char::from(b'B' + u8::try_from(column).unwrap_or(0));
        Some(format!("{letter}{}", line + 5))
    }

    fn text(formula: &CellFormula) -> String {
        formula.spreadsheet(&address).unwrap()
    }

    fn cell(line: usize, column: usize) -> CellFormula {
        CellFormula::Cell { line, column }
    }

    fn binary(op: char, lhs: CellFormula, rhs: CellFormula) -> CellFormula {
        CellFormula::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        }
    }

    #[test]
    fn consecutive_cells_down_a_column_or_along_a_line_become_one_range() {
        let sum = CellFormula::Sum(vec![
            cell(1, 0),
            cell(2, 0),
            cell(3, 0),
            cell(5, 0),
            cell(6, 1),
        ]);
        assert_eq!(text(&sum), "SUM(B6:B8,B10,C11)");
    }

    #[test]
    fn parentheses_only_where_precedence_needs_them() {
        let a_minus_b_minus_c = binary('-', cell(0, 0), binary('-', cell(1, 0), cell(2, 0)));
        assert_eq!(text(&a_minus_b_minus_c), "B5-(B6-B7)");
        let left = binary('-', binary('-', cell(0, 0), cell(1, 0)), cell(2, 0));
        assert_eq!(text(&left), "B5-B6-B7");
        let product = binary('*', binary('+', cell(0, 0), cell(1, 0)), cell(2, 0));
        assert_eq!(text(&product), "(B5+B6)*B7");
    }

    #[test]
    fn an_amount_in_dollars_is_divided_into_the_tables_thousands() {
        let name = CellFormula::Name {
            name: "host_offset_2013".to_owned(),
            divide_by: Some(Decimal::from(1000)),
        };
        assert_eq!(text(&name), "host_offset_2013/1000");
        let times = binary('*', cell(0, 0), name);
        assert_eq!(text(&times), "B5*host_offset_2013/1000");
        let over = binary('/', cell(0, 0), times.clone());
        assert_eq!(text(&over), "B5/(B5*host_offset_2013/1000)");
    }
}
