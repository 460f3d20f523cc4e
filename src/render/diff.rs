//! Two versions of a decision compared figure by figure (`bud diff`), for the reviewer
//! of a change who cannot see which figures it moved. Pure: two evaluated views
//! (`view::Document`s of the decision, or of one scenario of it; either absent when
//! the file or scenario did not exist) become a `Diff`, and `text`, `markdown` and
//! `json` write it. Tables are matched by id, lines by row name
//! (else by label, the n-th line of a label with the n-th), cells by column heading,
//! paragraph values by name and year. What the change did comes first: input figures
//! changed, rows and tables added or removed, published figures changed (`changed`);
//! then what follows from it, the computed figures that moved: totals, subtotals, a
//! scale's rates and contributions, the values of paragraphs (`moved`); then the
//! stated figures that reconciled and now do not, and the reverse. Figures are shown as
//! the table publishes them, differences exactly; JSON holds every decimal as a string
//! (`docs/schema/diff.schema.json`).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use super::view::{
    Column, Document, LineKind, OutcomeName, Summary, Table, TableCell, TableLine, Value,
};
use crate::format::{self, Notation, Scaled};
use crate::semantics::number::Exact;
use crate::syntax::ast::RoundingMode;

/// The version of the JSON shape, raised on any change a reader could trip on.
pub const VERSION: u32 = 1;

/// What changed between two versions of a decision.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The scenario compared, by name; `null` for the decision itself.
    pub scenario: Option<String>,
    pub old: Side,
    pub new: Side,
    /// What the change did: input figures, rows and tables added or removed, published
    /// figures (of computed cells and values) changed.
    pub changed: Vec<Change>,
    /// What it moved: computed figures whose value differs.
    pub moved: Vec<Change>,
    pub reconciliation: Reconciled,
}

/// One version: where it was read from, and what it is.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// `decisions/bs-vi-7.bud`, or `origin/main:decisions/bs-vi-7.bud`.
    pub label: String,
    /// Whether the file exists in this version; when not, every row of the other is
    /// added or removed.
    pub exists: bool,
    pub symbol: Option<String>,
    pub summary: Option<Summary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// A figure the decision writes (an input row's cell, a Party's base rate, a
    /// paragraph's figure).
    Input,
    /// The published figure of a computed cell or value.
    Stated,
    /// A figure bud computes.
    Computed,
    RowAdded,
    RowRemoved,
    TableAdded,
    TableRemoved,
}

/// Where a change or an outcome is: a table's line and column, or a paragraph's value.
/// Its fields stand in the JSON object of either, in this order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Location {
    /// `table-1`; `null` for a paragraph's value.
    pub table: Option<String>,
    /// `Table 1`, or the paragraph's heading (`Paragraph 2`); `null` for values outside
    /// paragraphs.
    pub heading: Option<String>,
    /// The line's label (`A. Staff costs *`) or the value's (`approved_core_budget[2013]`);
    /// `null` for a table added or removed.
    pub line: Option<String>,
    /// The row's or value's name in the decision file, where it has one.
    pub name: Option<String>,
    /// The column's heading (`2013`, `Total`); `null` for a row, table or value.
    pub column: Option<String>,
    /// A paragraph value's year; `null` for a value of no year and in tables.
    pub year: Option<i32>,
}

/// One figure, row or table that differs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub what: What,
    #[serde(flatten)]
    pub at: Location,
    /// What the figures are in: `thousands of US$`, `per cent`.
    pub unit: Option<String>,
    pub old: Option<Figure>,
    pub new: Option<Figure>,
    /// new − old, exactly, in `unit`; `null` unless both are numbers.
    pub difference: Option<String>,
    /// A row added or removed: its figures, column by column.
    pub figures: Vec<ColumnFigure>,
    #[serde(skip)]
    shown_difference: String,
}

/// A figure as the table prints it, and its exact value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// `1,875.2`, `(41 609)`, `US$ 2,922,100`.
    pub shown: String,
    /// Every digit, in the unit; `null` for a blank, words or a figure not computed.
    pub value: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnFigure {
    pub column: String,
    pub shown: String,
    pub value: Option<String>,
}

/// How the stated figures' reconciliation changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciled {
    /// Stated figures that reconciled (or were not there) and now do not.
    pub now_failing: Vec<Outcome>,
    /// Stated figures that did not reconcile and now do.
    pub now_reconciling: Vec<Outcome>,
}

/// A stated figure whose reconciliation changed.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub at: Location,
    /// The figure as published, in the new version (the old one's when it was removed).
    pub stated: String,
    /// What bud computes now, as the table prints it.
    pub computed: String,
    /// `matches`, `rounding`, `mismatch`, `acknowledged`, `not_checked`; `null` where the
    /// figure was not there.
    pub was: Option<OutcomeName>,
    pub now: Option<OutcomeName>,
}

impl Diff {
    /// Whether any figure, row or table differs.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.moved.is_empty()
    }

    /// The two versions compared: `old` and `new` labelled as the user named them, each
    /// `None` when its file does not exist.
    pub fn between(old: (&str, Option<&Document>), new: (&str, Option<&Document>)) -> Diff {
        let side = |(label, document): (&str, Option<&Document>)| Side {
            label: label.to_owned(),
            exists: document.is_some(),
            symbol: document.map(|d| d.symbol.clone()),
            summary: document.map(|d| d.summary),
        };
        let mut diff = Diff {
            scenario: None,
            old: side(old),
            new: side(new),
            changed: Vec::new(),
            moved: Vec::new(),
            reconciliation: Reconciled::default(),
        };
        let no_tables: &[Table] = &[];
        let old_tables = old.1.map_or(no_tables, |d| d.tables.as_slice());
        let new_tables = new.1.map_or(no_tables, |d| d.tables.as_slice());
        for table in new_tables {
            match old_tables.iter().find(|t| t.id == table.id) {
                Some(before) => diff.tables(before, table),
                None => diff.whole_table(table, What::TableAdded),
            }
        }
        for table in old_tables {
            if !new_tables.iter().any(|t| t.id == table.id) {
                diff.whole_table(table, What::TableRemoved);
            }
        }
        let old_values = old.1.map(values).unwrap_or_default();
        let new_values = new.1.map(values).unwrap_or_default();
        let by_name =
            |values: &[(Option<String>, &Value)]| -> HashMap<(String, Option<i32>), usize> {
                values
                    .iter()
                    .enumerate()
                    .map(|(index, (_, v))| ((v.name.clone(), v.year), index))
                    .collect()
            };
        let (old_index, new_index) = (by_name(&old_values), by_name(&new_values));
        for (heading, value) in &new_values {
            let before = old_index
                .get(&(value.name.clone(), value.year))
                .and_then(|index| old_values.get(*index));
            match before {
                Some((_, before)) => diff.values(heading.as_deref(), before, value),
                None => diff.whole_value(heading.as_deref(), value, What::RowAdded),
            }
        }
        for (heading, value) in &old_values {
            if !new_index.contains_key(&(value.name.clone(), value.year)) {
                diff.whole_value(heading.as_deref(), value, What::RowRemoved);
            }
        }
        diff
    }

    fn whole_table(&mut self, table: &Table, what: What) {
        self.changed.push(Change {
            what,
            at: Location {
                table: Some(table.id.clone()),
                heading: Some(table.name.clone()),
                ..Location::default()
            },
            unit: None,
            old: None,
            new: None,
            difference: None,
            figures: Vec::new(),
            shown_difference: String::new(),
        });
        let row = if what == What::TableAdded {
            What::RowAdded
        } else {
            What::RowRemoved
        };
        for line in table.lines.iter().filter(|l| l.kind != LineKind::Section) {
            self.whole_line(table, line, row);
        }
    }

    fn whole_line(&mut self, table: &Table, line: &TableLine, what: What) {
        let added = what == What::RowAdded;
        for (column, cell) in table.columns.iter().zip(&line.cells) {
            if let Some(outcome) = cell.stated.as_ref().map(|s| s.outcome) {
                let place = Place::cell(table, line, column);
                let failing = outcome == OutcomeName::Mismatch;
                if added && failing {
                    self.reconciliation.now_failing.push(place.outcome(
                        cell,
                        None,
                        Some(outcome),
                        column,
                        table.notation,
                    ));
                } else if !added && failing {
                    self.reconciliation.now_reconciling.push(place.outcome(
                        cell,
                        Some(outcome),
                        None,
                        column,
                        table.notation,
                    ));
                }
            }
        }
        self.changed.push(Change {
            what,
            at: Location {
                table: Some(table.id.clone()),
                heading: Some(table.name.clone()),
                line: Some(line.label.clone()),
                name: line.name.clone(),
                ..Location::default()
            },
            unit: None,
            old: None,
            new: None,
            difference: None,
            figures: table
                .columns
                .iter()
                .zip(&line.cells)
                .map(|(column, cell)| ColumnFigure {
                    column: column.heading.clone(),
                    shown: cell.shown.clone(),
                    value: cell.value.clone(),
                })
                .collect(),
            shown_difference: String::new(),
        });
    }

    fn tables(&mut self, old: &Table, new: &Table) {
        let old_lines = keyed(old);
        let new_lines = keyed(new);
        let old_by_key: HashMap<&str, &TableLine> =
            old_lines.iter().map(|(k, l)| (k.as_str(), *l)).collect();
        let new_keys: HashSet<&str> = new_lines.iter().map(|(k, _)| k.as_str()).collect();
        for (key, line) in &new_lines {
            let Some(before) = old_by_key.get(key.as_str()) else {
                self.whole_line(new, line, What::RowAdded);
                continue;
            };
            for (column, cell) in new.columns.iter().zip(&line.cells) {
                let old_cell = old
                    .columns
                    .iter()
                    .position(|c| c.heading == column.heading)
                    .and_then(|index| before.cells.get(index));
                let old_column = old.columns.iter().find(|c| c.heading == column.heading);
                self.cell(
                    (old, old_column, old_cell),
                    Place::cell(new, line, column),
                    (new, column, Some(cell)),
                );
            }
            // Columns only the old table has.
            for (column, cell) in old.columns.iter().zip(&before.cells) {
                if !new.columns.iter().any(|c| c.heading == column.heading) {
                    self.cell(
                        (old, Some(column), Some(cell)),
                        Place::cell(new, line, column),
                        (new, column, None),
                    );
                }
            }
        }
        for (key, line) in &old_lines {
            if !new_keys.contains(key.as_str()) {
                self.whole_line(old, line, What::RowRemoved);
            }
        }
    }

    fn cell(
        &mut self,
        old: (&Table, Option<&Column>, Option<&TableCell>),
        place: Place,
        new: (&Table, &Column, Option<&TableCell>),
    ) {
        let (old_table, old_column, old_cell) = old;
        let (new_table, column, cell) = new;
        let scaled = |column: &Column, notation| Scaled {
            factor: Decimal::ONE,
            min_decimals: column.decimals.unwrap_or(0),
            notation,
        };
        let old_input = old_cell.filter(|c| !c.computed);
        let new_input = cell.filter(|c| !c.computed);
        // A figure the decision writes, changed (or written on one side only).
        if old_input.is_some() || new_input.is_some() {
            let old_figure = old_input.map(written);
            let new_figure = new_input.map(written);
            if old_figure != new_figure {
                self.changed.push(place.change(
                    What::Input,
                    old_figure,
                    new_figure,
                    scaled(column, new_table.notation),
                ));
            }
        }
        // A published figure of a computed cell, changed.
        let old_stated = old_cell.filter(|c| c.computed).and_then(stated);
        let new_stated = cell.filter(|c| c.computed).and_then(stated);
        if old_stated != new_stated {
            self.changed.push(place.change(
                What::Stated,
                old_stated,
                new_stated,
                scaled(column, new_table.notation),
            ));
        }
        // A computed figure that moved.
        let old_computed = old_cell
            .filter(|c| c.computed)
            .map(|c| computed(c, old_column.unwrap_or(column), old_table.notation));
        let new_computed = cell
            .filter(|c| c.computed)
            .map(|c| computed(c, column, new_table.notation));
        let value = |figure: &Option<Figure>| figure.as_ref().and_then(|f| f.value.clone());
        if (old_computed.is_some() || new_computed.is_some())
            && value(&old_computed) != value(&new_computed)
        {
            self.moved.push(place.change(
                What::Computed,
                old_computed,
                new_computed,
                scaled(column, new_table.notation),
            ));
        }
        // The stated figure's reconciliation.
        let was = old_cell.and_then(|c| c.stated.as_ref()).map(|s| s.outcome);
        let now = cell.and_then(|c| c.stated.as_ref()).map(|s| s.outcome);
        let failing = |o: Option<OutcomeName>| o == Some(OutcomeName::Mismatch);
        if let Some(cell) = cell.filter(|_| failing(now) && !failing(was)) {
            let outcome = place.outcome(cell, was, now, column, new_table.notation);
            self.reconciliation.now_failing.push(outcome);
        } else if failing(was) && !failing(now) {
            let outcome = match (cell.filter(|_| now.is_some()), old_cell) {
                (Some(cell), _) => place.outcome(cell, was, now, column, new_table.notation),
                (None, Some(old_cell)) => place.outcome(
                    old_cell,
                    was,
                    now,
                    old_column.unwrap_or(column),
                    old_table.notation,
                ),
                (None, None) => return,
            };
            self.reconciliation.now_reconciling.push(outcome);
        }
    }

    fn values(&mut self, heading: Option<&str>, old: &Value, new: &Value) {
        let place = Place::value(heading, new);
        let figure = |v: &Value| Figure {
            shown: v.shown.clone(),
            value: v.value.clone(),
        };
        let exact = Scaled::UNITS;
        if old.value != new.value || old.shown != new.shown {
            let what = if new.computed || old.computed {
                What::Computed
            } else {
                What::Input
            };
            let change = place.change(what, Some(figure(old)), Some(figure(new)), exact);
            match what {
                What::Computed => self.moved.push(change),
                _ => self.changed.push(change),
            }
        }
        let stated = |v: &Value| {
            v.stated.as_ref().map(|s| Figure {
                shown: s.written.clone(),
                value: Some(s.value.clone()),
            })
        };
        let (old_stated, new_stated) = (stated(old), stated(new));
        if old_stated != new_stated {
            self.changed
                .push(place.change(What::Stated, old_stated, new_stated, exact));
        }
        let was = old.stated.as_ref().map(|s| s.outcome);
        let now = new.stated.as_ref().map(|s| s.outcome);
        let failing = |o: Option<OutcomeName>| o == Some(OutcomeName::Mismatch);
        let outcome = |value: &Value| Outcome {
            at: Place::value(heading, value).at,
            stated: value
                .stated
                .as_ref()
                .map_or_else(String::new, |s| s.written.clone()),
            computed: value.shown.clone(),
            was,
            now,
        };
        if failing(now) && !failing(was) {
            self.reconciliation.now_failing.push(outcome(new));
        } else if failing(was) && !failing(now) {
            self.reconciliation.now_reconciling.push(outcome(new));
        }
    }

    fn whole_value(&mut self, heading: Option<&str>, value: &Value, what: What) {
        let mut change = Place::value(heading, value).change(what, None, None, Scaled::UNITS);
        change.figures.push(ColumnFigure {
            column: value.year.map_or_else(String::new, |y| y.to_string()),
            shown: value.shown.clone(),
            value: value.value.clone(),
        });
        self.changed.push(change);
    }
}

/// Where a change is, and what its figures are in.
struct Place {
    at: Location,
    unit: Option<String>,
}

impl Place {
    fn cell(table: &Table, line: &TableLine, column: &Column) -> Place {
        Place {
            at: Location {
                table: Some(table.id.clone()),
                heading: Some(table.name.clone()),
                line: Some(line.label.clone()),
                name: line.name.clone(),
                column: Some(column.heading.clone()),
                year: None,
            },
            unit: Some(column.unit.clone()).filter(|u| !u.is_empty()),
        }
    }

    fn value(heading: Option<&str>, value: &Value) -> Place {
        Place {
            at: Location {
                table: None,
                heading: heading.map(str::to_owned),
                line: Some(value.label()),
                name: Some(value.name.clone()),
                column: None,
                year: value.year,
            },
            unit: value.unit.clone(),
        }
    }

    fn change(
        &self,
        what: What,
        old: Option<Figure>,
        new: Option<Figure>,
        scaled: Scaled,
    ) -> Change {
        let number = |f: &Option<Figure>| {
            f.as_ref()
                .and_then(|f| f.value.as_deref())
                .and_then(|v| v.parse::<Decimal>().ok())
        };
        let difference = number(&old)
            .zip(number(&new))
            .and_then(|(old, new)| new.checked_sub(old));
        Change {
            what,
            at: self.at.clone(),
            unit: self.unit.clone(),
            old,
            new,
            difference: difference.map(|d| d.normalize().to_string()),
            shown_difference: difference.map_or_else(String::new, |d| {
                let shown = shown_difference(d, scaled);
                // A rate's difference is in points, not a percentage of the rate.
                match (&self.at.table, self.unit.as_deref()) {
                    (None, Some("%")) if d.abs() == Decimal::ONE => {
                        format!("{shown} percentage point")
                    }
                    (None, Some("%")) => format!("{shown} percentage points"),
                    _ => shown,
                }
            }),
            figures: Vec::new(),
        }
    }

    fn outcome(
        &self,
        cell: &TableCell,
        was: Option<OutcomeName>,
        now: Option<OutcomeName>,
        column: &Column,
        notation: Notation,
    ) -> Outcome {
        Outcome {
            at: self.at.clone(),
            stated: cell
                .stated
                .as_ref()
                .map_or_else(String::new, |s| s.written.clone()),
            computed: computed(cell, column, notation).shown,
            was,
            now,
        }
    }
}

/// A difference with its sign, every digit; one that runs to more than four digits
/// past the table's precision (the share of a fraction, a Party's contribution) is
/// cut two digits past it, with `…` (JSON keeps every digit).
fn shown_difference(difference: Decimal, scaled: Scaled) -> String {
    let difference = difference.normalize();
    let enough = scaled.min_decimals + 2;
    if difference.scale() > scaled.min_decimals + 4 {
        let mut cut = difference
            .round_dp_with_strategy(enough, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        cut.rescale(enough);
        return format!("{}…", scaled.show_signed(Exact::new(cut)));
    }
    scaled.show_signed(Exact::new(difference))
}

/// Every value of the document, with the heading of the paragraph it is in.
fn values(document: &Document) -> Vec<(Option<String>, &Value)> {
    document
        .paragraphs
        .iter()
        .flat_map(|p| p.values.iter().map(|v| (p.heading.clone(), v)))
        .collect()
}

/// A table's lines with figures, each under the key it is matched by: its name, else
/// its label and how many earlier lines share that label. A scale's TOTAL line comes
/// first: what the Parties share moved by, before the Parties' lines.
fn keyed(table: &Table) -> Vec<(String, &TableLine)> {
    let mut lines: Vec<(String, &TableLine)> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let totals = table.lines.iter().filter(|l| l.kind == LineKind::Total);
    let others = table
        .lines
        .iter()
        .filter(|l| !matches!(l.kind, LineKind::Section | LineKind::Total));
    for line in totals.chain(others) {
        let key = match &line.name {
            Some(name) => format!("name {name}"),
            None => {
                let earlier = seen.entry(line.label.as_str()).or_default();
                *earlier += 1;
                format!("label {} {}", *earlier - 1, line.label)
            }
        };
        lines.push((key, line));
    }
    lines
}

/// An input cell as written.
fn written(cell: &TableCell) -> Figure {
    Figure {
        shown: cell.shown.clone(),
        value: cell.value.clone(),
    }
}

/// A computed cell's published figure.
fn stated(cell: &TableCell) -> Option<Figure> {
    cell.stated.as_ref().map(|s| Figure {
        shown: s.written.clone(),
        value: Some(s.value.clone()),
    })
}

/// A computed cell as bud computes it, at the column's published precision.
fn computed(cell: &TableCell, column: &Column, notation: Notation) -> Figure {
    let exact = cell
        .value
        .as_deref()
        .and_then(|v| v.parse::<Decimal>().ok());
    let shown = match (exact, column.decimals) {
        (Some(value), Some(decimals)) => {
            notation.figure(&format::fixed(value, decimals, RoundingMode::HalfUp))
        }
        (Some(value), None) => notation.figure(&format::exact(value)),
        (None, _) if cell.shown.is_empty() => String::new(),
        (None, _) => "?".to_owned(),
    };
    Figure {
        shown,
        value: cell.value.clone(),
    }
}

// ---------------------------------------------------------------- rendering

/// Lines of a table listed in text and Markdown before the rest are counted; JSON has
/// every one.
pub const SHOWN_PER_TABLE: usize = 25;

/// How to render: colour for a terminal, and how many lines of a table to list.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub color: bool,
    /// `None` lists every line.
    pub limit: Option<usize>,
}

/// The changes grouped by table (or paragraph), in order, and within a group by line.
fn groups(changes: &[Change]) -> Vec<Vec<Vec<&Change>>> {
    let mut groups: Vec<Vec<Vec<&Change>>> = Vec::new();
    for change in changes {
        let same_group = groups
            .last()
            .and_then(|g| g.last())
            .and_then(|l| l.last())
            .is_some_and(|last| {
                last.at.table == change.at.table && last.at.heading == change.at.heading
            });
        if !same_group {
            groups.push(vec![vec![change]]);
            continue;
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        let same_line = group.last().and_then(|l| l.last()).is_some_and(|last| {
            last.at.line == change.at.line && is_figure(last) && is_figure(change)
        });
        match group.last_mut() {
            Some(line) if same_line => line.push(change),
            _ => group.push(vec![change]),
        }
    }
    groups
}

fn is_figure(change: &Change) -> bool {
    matches!(change.what, What::Input | What::Stated | What::Computed)
}

/// `Table 1 (thousands of US$)`, `Paragraph 2`.
fn group_heading(first: &Change) -> String {
    let heading = first
        .at
        .heading
        .clone()
        .unwrap_or_else(|| "Values outside paragraphs".to_owned());
    match (&first.at.table, &first.unit) {
        (Some(_), Some(unit)) if is_figure(first) => format!("{heading} ({unit})"),
        _ => heading,
    }
}

fn figure_or_dash(figure: Option<&Figure>) -> String {
    match figure {
        Some(f) if f.shown.is_empty() => "(blank)".to_owned(),
        Some(f) => f.shown.clone(),
        None => "—".to_owned(),
    }
}

/// What a change is, in a few words, for the column or value it is in.
fn describe(change: &Change) -> (String, String, String, String) {
    let column = match change.what {
        What::Stated => format!(
            "{} (published)",
            change.at.column.clone().unwrap_or_default()
        )
        .trim_start()
        .to_owned(),
        _ => change.at.column.clone().unwrap_or_default(),
    };
    (
        column,
        figure_or_dash(change.old.as_ref()),
        figure_or_dash(change.new.as_ref()),
        change.shown_difference.clone(),
    )
}

fn row_words(change: &Change) -> String {
    let what = match change.what {
        What::RowAdded => "added",
        What::RowRemoved => "removed",
        What::TableAdded => "table added",
        What::TableRemoved => "table removed",
        _ => "",
    };
    let figures: Vec<String> = change
        .figures
        .iter()
        .filter(|f| !f.shown.is_empty())
        .map(|f| {
            if f.column.is_empty() {
                f.shown.clone()
            } else {
                format!("{} {}", f.column, f.shown)
            }
        })
        .collect();
    if figures.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {}", figures.join(", "))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary_words(summary: Option<&Summary>) -> String {
    match summary {
        None => "no file".to_owned(),
        Some(s) => {
            let mut words = format!(
                "{}: {} match, {} differ by rounding, {} do not reconcile",
                plural(s.stated, "stated figure", "stated figures"),
                s.matches,
                s.rounding,
                s.mismatches
            );
            // As `bud check` counts them: one wrong figure, and what follows from it.
            if s.inherited > 0 {
                let _ = write!(
                    words,
                    " ({} from an error reported once)",
                    plural(s.inherited, "follows", "follow")
                );
            }
            if s.acknowledged > 0 {
                let _ = write!(words, ", {} acknowledged", s.acknowledged);
            }
            words
        }
    }
}

fn outcome_words(outcome: &Outcome) -> String {
    let place = [
        outcome.at.heading.as_deref(),
        outcome.at.line.as_deref(),
        outcome.at.column.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    format!(
        "{place}: stated {}, bud computes {}",
        outcome.stated, outcome.computed
    )
}

fn title(diff: &Diff) -> String {
    let symbol = diff
        .new
        .symbol
        .as_deref()
        .or(diff.old.symbol.as_deref())
        .unwrap_or("decision");
    match &diff.scenario {
        Some(scenario) => format!(
            "{symbol}, scenario {scenario}: {} → {}",
            diff.old.label, diff.new.label
        ),
        None => format!("{symbol}: {} → {}", diff.old.label, diff.new.label),
    }
}

/// The diff as text for a terminal: what changed, what it moved, then the stated
/// figures whose reconciliation changed. Safe to print: every text from the decision
/// passes through `format::printable`.
pub fn text(diff: &Diff, options: Options) -> String {
    let bold = anstyle::Style::new().bold();
    let red = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into()));
    let green = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Green.into()));
    let paint = |style: anstyle::Style, text: &str| {
        if options.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    // Texts from the decision are made safe one by one, so the colours stay.
    let safe = |text: &str| format::printable(text).into_owned();
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint(bold, &safe(&title(diff))));
    if diff.is_empty() {
        let _ = writeln!(out, "  no figures changed");
        return out;
    }
    for (heading, changes) in [
        ("What changed", &diff.changed),
        ("What it moved", &diff.moved),
    ] {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", paint(bold, heading));
        for group in groups(changes) {
            let Some(first) = group.first().and_then(|l| l.first()) else {
                continue;
            };
            let _ = writeln!(out, "  {}", safe(&group_heading(first)));
            let rows = describe_rows(&group, options.limit);
            let label_width = rows.iter().map(|r| width(&r.label)).max().unwrap_or(0);
            let widths =
                [1, 2, 3].map(|i| rows.iter().map(|r| width(r.figure(i))).max().unwrap_or(0));
            for row in &rows {
                if row.figures.is_none() {
                    let _ = writeln!(out, "    {}", safe(&row.label));
                    continue;
                }
                let pad = |text: &str, to: usize| " ".repeat(to.saturating_sub(width(text)));
                let (column, old, new, difference) = row.figures.clone().unwrap_or_default();
                let (label, column, old, new) =
                    (safe(&row.label), safe(&column), safe(&old), safe(&new));
                let difference = match difference.as_str() {
                    "" => String::new(),
                    signed if signed.starts_with('-') => format!("  {}", paint(red, signed)),
                    signed => format!("  {}", paint(green, signed)),
                };
                let _ = writeln!(
                    out,
                    "    {label}{}  {column}{}  {}{old} → {}{new}{difference}",
                    pad(&label, label_width),
                    pad(&column, widths[0]),
                    pad(&old, widths[1]),
                    pad(&new, widths[2]),
                );
            }
        }
    }
    let _ = writeln!(out, "\n{}", paint(bold, "Reconciliation"));
    let _ = writeln!(
        out,
        "  before: {}",
        summary_words(diff.old.summary.as_ref())
    );
    let _ = writeln!(
        out,
        "  after:  {}",
        summary_words(diff.new.summary.as_ref())
    );
    for (words, outcomes, style) in [
        ("now fail", &diff.reconciliation.now_failing, red),
        ("now reconcile", &diff.reconciliation.now_reconciling, green),
    ] {
        if outcomes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  {} {words}:",
            paint(
                style,
                &plural(outcomes.len(), "stated figure", "stated figures")
            )
        );
        let shown = options.limit.unwrap_or(usize::MAX);
        for outcome in outcomes.iter().take(shown) {
            let _ = writeln!(out, "    {}", safe(&outcome_words(outcome)));
        }
        if outcomes.len() > shown {
            let _ = writeln!(
                out,
                "    … and {} (--all lists them)",
                plural(
                    outcomes.len() - shown,
                    "more stated figure",
                    "more stated figures"
                )
            );
        }
    }
    out
}

/// One printed line: the row's label (empty when it continues the row above), and
/// the column, old, new and difference; or a line of words alone.
struct Row {
    label: String,
    figures: Option<(String, String, String, String)>,
}

impl Row {
    fn figure(&self, index: usize) -> &str {
        match (&self.figures, index) {
            (Some(f), 1) => &f.0,
            (Some(f), 2) => &f.1,
            (Some(f), 3) => &f.2,
            _ => "",
        }
    }
}

fn describe_rows(group: &[Vec<&Change>], limit: Option<usize>) -> Vec<Row> {
    let shown = limit.unwrap_or(usize::MAX);
    let mut rows = Vec::new();
    for line in group.iter().take(shown) {
        for (index, change) in line.iter().enumerate() {
            let label = if index == 0 {
                change.at.line.clone().unwrap_or_default()
            } else {
                String::new()
            };
            if is_figure(change) {
                rows.push(Row {
                    label,
                    figures: Some(describe(change)),
                });
            } else {
                let label = change
                    .at
                    .line
                    .clone()
                    .unwrap_or_else(|| change.at.heading.clone().unwrap_or_default());
                rows.push(Row {
                    label: format!("{label}: {}", row_words(change)),
                    figures: None,
                });
            }
        }
    }
    if group.len() > shown {
        rows.push(Row {
            label: format!(
                "… and {} more {} (--all lists them)",
                group.len() - shown,
                if group.len() - shown == 1 {
                    "line"
                } else {
                    "lines"
                }
            ),
            figures: None,
        });
    }
    rows
}

fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// The diff as Markdown, for a pull request comment or `$GITHUB_STEP_SUMMARY`: a
/// heading for the decision, then a pipe table per table of changes.
pub fn markdown(diff: &Diff, options: Options) -> String {
    use super::markdown::escape;
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", escape(&title(diff)));
    if diff.is_empty() {
        out.push_str("No figures changed.\n");
        return out;
    }
    for (heading, changes) in [
        ("What changed", &diff.changed),
        ("What it moved", &diff.moved),
    ] {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{heading}**\n");
        for group in groups(changes) {
            let Some(first) = group.first().and_then(|l| l.first()) else {
                continue;
            };
            let _ = writeln!(out, "_{}_\n", escape(&group_heading(first)));
            let rows = describe_rows(&group, options.limit);
            let (figures, words): (Vec<&Row>, Vec<&Row>) =
                rows.iter().partition(|row| row.figures.is_some());
            if !figures.is_empty() {
                out.push_str("| Line | Column | Before | After | Difference |\n");
                out.push_str("|---|---|--:|--:|--:|\n");
                for row in figures {
                    let (column, old, new, difference) = row.figures.clone().unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        escape(&row.label),
                        escape(&column),
                        escape(&old),
                        escape(&new),
                        escape(&difference)
                    );
                }
                out.push('\n');
            }
            for row in words {
                let _ = writeln!(out, "- {}", not_a_list(&escape(&row.label)));
            }
            if rows.iter().any(|row| row.figures.is_none()) {
                out.push('\n');
            }
        }
    }
    out.push_str("**Reconciliation**\n\n");
    let _ = writeln!(
        out,
        "- before: {}\n- after: {}",
        escape(&summary_words(diff.old.summary.as_ref())),
        escape(&summary_words(diff.new.summary.as_ref()))
    );
    for (words, outcomes) in [
        ("now fail", &diff.reconciliation.now_failing),
        ("now reconcile", &diff.reconciliation.now_reconciling),
    ] {
        if outcomes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "- **{} {words}**",
            plural(outcomes.len(), "stated figure", "stated figures")
        );
        let shown = options.limit.unwrap_or(usize::MAX);
        for outcome in outcomes.iter().take(shown) {
            let _ = writeln!(out, "  - {}", escape(&outcome_words(outcome)));
        }
        if outcomes.len() > shown {
            let _ = writeln!(
                out,
                "  - … and {}",
                plural(
                    outcomes.len() - shown,
                    "more stated figure",
                    "more stated figures"
                )
            );
        }
    }
    out
}

/// A list item's text that starts as an ordered list would (`1. Meetings`), with its
/// `.` escaped, so that it is not read as a list of its own.
fn not_a_list(text: &str) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text[digits..].chars().next() {
        Some(mark @ ('.' | ')')) if digits > 0 => {
            format!("{}\\{mark}{}", &text[..digits], &text[digits + 1..])
        }
        _ => text.to_owned(),
    }
}

/// Several diffs (one per file) as one JSON document, compact, ending in a newline.
pub fn json(diffs: &[Diff]) -> String {
    #[derive(Serialize)]
    struct Document<'a> {
        format: &'static str,
        version: u32,
        generator: String,
        changed: bool,
        diffs: &'a [Diff],
    }
    let document = Document {
        format: "bud-diff",
        version: VERSION,
        generator: format!("bud {}", env!("CARGO_PKG_VERSION")),
        changed: diffs.iter().any(|d| !d.is_empty()),
        diffs,
    };
    let mut text = serde_json::to_string(&document).unwrap_or_else(|error| {
        // Serialising plain strings and numbers cannot fail; say so if it ever does.
        format!("{{\"error\":\"{error}\"}}")
    });
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::world::Memory;

    const DECISION: &str = r#"
decision "X/1" {
    title    "A small budget"
    period   2013-2014
    currency US$
}

rate = 13%

paragraph 2 "Approves" {
    approved[2013] = budget.total[2013] in US$  stated US$ 113,000
}

table 1 budget {
    unit     thousands of US$
    rounding 0.1
    columns  2013 2014 Total

    staff    "Staff costs"      100.0   110.0   210.0
    support  "Support (13%)"     13.0    14.3    27.3  = rate of staff
    total    "Total"            113.0   124.3   237.3  = staff + support
}
"#;

    fn document(text: &str) -> Document {
        let world = Memory::decision(text);
        let checks = crate::check(&world, Memory::MAIN, crate::Request::DECISION);
        let checked = checks.first().unwrap();
        super::super::view::document(checked, checked.model.as_ref().unwrap())
    }

    #[test]
    fn one_changed_input_is_listed_with_what_it_moved() {
        let old = document(DECISION);
        let new = document(&DECISION.replace("100.0   110.0", "200.0   110.0"));
        let diff = Diff::between(("old", Some(&old)), ("new", Some(&new)));
        let inputs: Vec<_> = diff
            .changed
            .iter()
            .map(|c| {
                (
                    c.at.line.as_deref(),
                    c.at.column.as_deref(),
                    c.difference.as_deref(),
                )
            })
            .collect();
        assert_eq!(inputs, [(Some("Staff costs"), Some("2013"), Some("100"))]);
        let moved: Vec<_> = diff
            .moved
            .iter()
            .map(|c| {
                (
                    c.at.line.clone().unwrap(),
                    c.at.column.clone(),
                    c.new.as_ref().unwrap().shown.clone(),
                    c.shown_difference.clone(),
                )
            })
            .collect();
        assert!(moved.contains(&(
            "Support (13%)".into(),
            Some("2013".into()),
            "26.0".into(),
            "+13.0".into()
        )));
        assert!(moved.contains(&(
            "approved[2013]".into(),
            None,
            "US$ 226,000".into(),
            "+113,000".into()
        )));
        assert!(
            diff.reconciliation
                .now_failing
                .iter()
                .any(|o| o.at.line.as_deref() == Some("Total")
                    && o.at.column.as_deref() == Some("2013"))
        );
    }

    #[test]
    fn the_same_decision_twice_has_no_changes() {
        let old = document(DECISION);
        let diff = Diff::between(("a", Some(&old)), ("b", Some(&old)));
        assert!(diff.is_empty());
        let options = Options {
            color: false,
            limit: None,
        };
        assert!(text(&diff, options).contains("no figures changed"));
    }

    #[test]
    fn a_missing_old_file_adds_every_row() {
        let new = document(DECISION);
        let diff = Diff::between(("a", None), ("b", Some(&new)));
        let added = diff
            .changed
            .iter()
            .filter(|c| c.what == What::RowAdded && c.at.table.is_some())
            .count();
        assert_eq!(added, 3);
    }
}
