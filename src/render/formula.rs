//! A table cell's rule as a spreadsheet formula: the same arithmetic over the cells it
//! reads, so a workbook's totals stay live when someone edits a line. Every term is in
//! the table's unit (a table in thousands reads a paragraph's US$ amount divided by
//! 1,000). A rule with a part no spreadsheet function matches exactly (a ratio's share,
//! bud's half-up `round`, a published figure) has no formula, and the workbook holds
//! the computed figure instead: a formula that computed something else would be worse.

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
    Number(Decimal),
    /// A named value of the decision (`programme_support_rate`, `host_offset_2013`),
    /// divided by `divide_by` to bring an amount into the table's unit.
    Name {
        name: String,
        divide_by: Option<Decimal>,
    },
    Sum(Vec<CellFormula>),
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
        FormulaKind::Ratio(_)
        | FormulaKind::Share { .. }
        | FormulaKind::Published { .. }
        | FormulaKind::Round { .. }
        | FormulaKind::Invalid => None,
    }
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

impl CellFormula {
    /// The formula in spreadsheet syntax, with `address` naming a cell: runs of cells
    /// down one column become ranges, `SUM(B5:B17)`.
    pub fn spreadsheet(&self, address: &dyn Fn(usize, usize) -> String) -> String {
        match self {
            CellFormula::Cell { line, column } => address(*line, *column),
            CellFormula::Number(value) => value.normalize().to_string(),
            CellFormula::Name { name, divide_by } => match divide_by {
                Some(factor) => format!("{name}/{}", factor.normalize()),
                None => name.clone(),
            },
            CellFormula::Sum(parts) => format!("SUM({})", sum_arguments(parts, address)),
            CellFormula::Negate(inner) => format!("-{}", inner.operand(4, address)),
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
                    lhs.operand(level, address),
                    rhs.operand(right, address)
                )
            }
        }
    }

    fn operand(&self, level: u8, address: &dyn Fn(usize, usize) -> String) -> String {
        let text = self.spreadsheet(address);
        let own = match self {
            CellFormula::Binary { op, .. } => precedence(*op),
            CellFormula::Name {
                divide_by: Some(_), ..
            } => precedence('/'),
            CellFormula::Number(value) if value.is_sign_negative() => 0,
            _ => u8::MAX,
        };
        if own < level {
            format!("({text})")
        } else {
            text
        }
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
fn sum_arguments(parts: &[CellFormula], address: &dyn Fn(usize, usize) -> String) -> String {
    let mut arguments: Vec<String> = Vec::new();
    let mut index = 0;
    while index < parts.len() {
        let CellFormula::Cell { line, column } = parts[index] else {
            arguments.push(parts[index].spreadsheet(address));
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
            address(line, column)
        } else {
            format!(
                "{}:{}",
                address(line, column),
                address(last_line, last_column)
            )
        });
        index += 1;
    }
    arguments.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(line: usize, column: usize) -> String {
        let letter = char::from(b'B' + u8::try_from(column).unwrap_or(0));
        format!("{letter}{}", line + 5)
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
        assert_eq!(sum.spreadsheet(&address), "SUM(B6:B8,B10,C11)");
    }

    #[test]
    fn parentheses_only_where_precedence_needs_them() {
        let a_minus_b_minus_c = binary('-', cell(0, 0), binary('-', cell(1, 0), cell(2, 0)));
        assert_eq!(a_minus_b_minus_c.spreadsheet(&address), "B5-(B6-B7)");
        let left = binary('-', binary('-', cell(0, 0), cell(1, 0)), cell(2, 0));
        assert_eq!(left.spreadsheet(&address), "B5-B6-B7");
        let product = binary('*', binary('+', cell(0, 0), cell(1, 0)), cell(2, 0));
        assert_eq!(product.spreadsheet(&address), "(B5+B6)*B7");
    }

    #[test]
    fn an_amount_in_dollars_is_divided_into_the_tables_thousands() {
        let name = CellFormula::Name {
            name: "host_offset_2013".to_owned(),
            divide_by: Some(Decimal::from(1000)),
        };
        assert_eq!(name.spreadsheet(&address), "host_offset_2013/1000");
        let times = binary('*', cell(0, 0), name);
        assert_eq!(times.spreadsheet(&address), "B5*host_offset_2013/1000");
        let over = binary('/', cell(0, 0), times.clone());
        assert_eq!(over.spreadsheet(&address), "B5/(B5*host_offset_2013/1000)");
    }
}
