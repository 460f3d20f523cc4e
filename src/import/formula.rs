//! A spreadsheet formula read as a sum of cells times constants (`SUM(B6:B18)`,
//! `B19*13%`, `programme_support_rate*B19`, `B5+B6-B7`), which is all a budget table's
//! rules need; any other formula (a function other than `SUM`, a product of two cells,
//! a name that is not one number) is not read, and the row stays an input.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::sheet::parse_cell;

/// The most cells one formula may name (`SUM(A1:XFD1048576)` is not a budget rule).
const MOST_CELLS: u64 = 100_000;
/// How deep brackets may nest.
const DEEPEST: usize = 64;

/// `Σ coefficient × cell + constant`, cells as (row, column), 0-based.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Linear {
    pub cells: BTreeMap<(u32, u32), Decimal>,
    pub constant: Decimal,
}

impl Linear {
    fn constant(value: Decimal) -> Self {
        Linear {
            cells: BTreeMap::new(),
            constant: value,
        }
    }

    fn is_constant(&self) -> bool {
        self.cells.is_empty()
    }

    fn add(mut self, other: Linear, sign: Decimal) -> Option<Linear> {
        for (cell, coefficient) in other.cells {
            let entry = self.cells.entry(cell).or_insert(Decimal::ZERO);
            *entry = entry.checked_add(coefficient.checked_mul(sign)?)?;
        }
        self.cells.retain(|_, c| !c.is_zero());
        self.constant = self
            .constant
            .checked_add(other.constant.checked_mul(sign)?)?;
        Some(self)
    }

    fn scale(mut self, by: Decimal) -> Option<Linear> {
        for coefficient in self.cells.values_mut() {
            *coefficient = coefficient.checked_mul(by)?.normalize();
        }
        self.cells.retain(|_, c| !c.is_zero());
        self.constant = self.constant.checked_mul(by)?.normalize();
        Some(self)
    }
}

/// The formula (without its `=`) as a linear form, with the workbook's defined names
/// that stand for numbers; `None` when it is not one. `budget` is how many more cells
/// the formulas of one sheet may name between them, so a sheet of ten thousand
/// `SUM(B1:B100000)` is not ten thousand times a hundred thousand cells of work.
pub fn linear(formula: &str, names: &HashMap<String, Decimal>, budget: &mut u64) -> Option<Linear> {
    let mut parser = Parser {
        text: formula.trim().trim_start_matches('='),
        at: 0,
        names,
        depth: 0,
        budget,
    };
    let value = parser.expression()?;
    parser.skip_spaces();
    (parser.at == parser.text.len()).then_some(value)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    names: &'a HashMap<String, Decimal>,
    depth: usize,
    budget: &'a mut u64,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_spaces();
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expression(&mut self) -> Option<Linear> {
        self.depth += 1;
        if self.depth > DEEPEST {
            return None;
        }
        let mut value = self.term()?;
        loop {
            if self.eat('+') {
                value = value.add(self.term()?, Decimal::ONE)?;
            } else if self.eat('-') {
                value = value.add(self.term()?, Decimal::NEGATIVE_ONE)?;
            } else {
                break;
            }
        }
        self.depth -= 1;
        Some(value)
    }

    fn term(&mut self) -> Option<Linear> {
        let mut value = self.factor()?;
        loop {
            if self.eat('*') {
                let other = self.factor()?;
                value = match (value.is_constant(), other.is_constant()) {
                    (_, true) => value.scale(other.constant)?,
                    (true, false) => other.scale(value.constant)?,
                    (false, false) => return None,
                };
            } else if self.eat('/') {
                let other = self.factor()?;
                if !other.is_constant() || other.constant.is_zero() {
                    return None;
                }
                let inverse = Decimal::ONE.checked_div(other.constant)?;
                // Only a division that a decimal holds exactly (by 1,000, by 4), so the
                // rule read is the rule written.
                if inverse.checked_mul(other.constant)? != Decimal::ONE {
                    return None;
                }
                value = value.scale(inverse)?;
            } else {
                break;
            }
        }
        Some(value)
    }

    fn factor(&mut self) -> Option<Linear> {
        self.depth += 1;
        if self.depth > DEEPEST {
            return None;
        }
        let value = self.signed();
        self.depth -= 1;
        value
    }

    fn signed(&mut self) -> Option<Linear> {
        if self.eat('-') {
            return self.factor()?.scale(Decimal::NEGATIVE_ONE);
        }
        if self.eat('+') {
            return self.factor();
        }
        let value = self.primary()?;
        if self.eat('%') {
            return value.scale(Decimal::new(1, 2));
        }
        Some(value)
    }

    fn primary(&mut self) -> Option<Linear> {
        self.skip_spaces();
        if self.eat('(') {
            let value = self.expression()?;
            return self.eat(')').then_some(value);
        }
        let rest = self.rest();
        let number_length = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_length > 0 {
            let number = Decimal::from_str(&rest[..number_length]).ok()?;
            self.at += number_length;
            return Some(Linear::constant(number));
        }
        let word_length = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'))
            .unwrap_or(rest.len());
        if word_length == 0 {
            return None;
        }
        let word = rest[..word_length].to_owned();
        self.at += word_length;
        let word = word.as_str();
        if word.eq_ignore_ascii_case("SUM") && self.eat('(') {
            return self.sum();
        }
        if let Some(cell) = parse_cell(&word.replace('$', "")) {
            if self.eat(':') {
                let end = self.cell()?;
                return range(cell, end, self.budget);
            }
            *self.budget = self.budget.checked_sub(1)?;
            return Some(Linear {
                cells: BTreeMap::from([(cell, Decimal::ONE)]),
                constant: Decimal::ZERO,
            });
        }
        self.names.get(word).copied().map(Linear::constant)
    }

    fn cell(&mut self) -> Option<(u32, u32)> {
        self.skip_spaces();
        let rest = self.rest();
        let length = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '$'))
            .unwrap_or(rest.len());
        let cell = parse_cell(&rest[..length].replace('$', ""))?;
        self.at += length;
        Some(cell)
    }

    fn sum(&mut self) -> Option<Linear> {
        let mut total = Linear::default();
        if self.eat(')') {
            return Some(total);
        }
        loop {
            total = total.add(self.expression()?, Decimal::ONE)?;
            if self.eat(')') {
                return Some(total);
            }
            if !self.eat(',') {
                return None;
            }
        }
    }
}

fn range(start: (u32, u32), end: (u32, u32), budget: &mut u64) -> Option<Linear> {
    let (top, bottom) = (start.0.min(end.0), start.0.max(end.0));
    let (left, right) = (start.1.min(end.1), start.1.max(end.1));
    let count = u64::from(bottom - top + 1) * u64::from(right - left + 1);
    if count > MOST_CELLS {
        return None;
    }
    *budget = budget.checked_sub(count)?;
    let cells = (top..=bottom)
        .flat_map(|row| (left..=right).map(move |column| ((row, column), Decimal::ONE)))
        .collect();
    Some(Linear {
        cells,
        constant: Decimal::ZERO,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(found: &Linear) -> Vec<((u32, u32), String)> {
        found
            .cells
            .iter()
            .map(|(cell, c)| (*cell, c.to_string()))
            .collect()
    }

    #[test]
    fn budget_rules_are_read() {
        let names = HashMap::from([("programme_support_rate".to_owned(), Decimal::new(13, 2))]);
        let sum = linear("SUM(B6:B8)", &names, &mut 100).unwrap_or_default();
        assert_eq!(cells(&sum).len(), 3);
        let rate = linear("=B19*13%", &names, &mut 100).unwrap_or_default();
        assert_eq!(cells(&rate), vec![((18, 1), "0.13".to_owned())]);
        let named = linear("programme_support_rate*B19", &names, &mut 100).unwrap_or_default();
        assert_eq!(cells(&named), vec![((18, 1), "0.13".to_owned())]);
        let terms = linear("B5+B6-$B$7", &names, &mut 100).unwrap_or_default();
        assert_eq!(
            cells(&terms),
            vec![
                ((4, 1), "1".to_owned()),
                ((5, 1), "1".to_owned()),
                ((6, 1), "-1".to_owned())
            ]
        );
        assert!(linear("B5*B6", &names, &mut 100).is_none());
        assert!(linear("VLOOKUP(A1,B1:C9,2)", &names, &mut 100).is_none());
        assert!(linear("B5/3", &names, &mut 100).is_none());
        assert!(linear(&"(".repeat(10_000), &names, &mut 100).is_none());
        assert!(linear(&"-".repeat(10_000), &names, &mut 100).is_none());
        // The sheet's budget of cells runs out.
        assert!(linear("SUM(B1:B101)", &names, &mut 100).is_none());
    }
}
