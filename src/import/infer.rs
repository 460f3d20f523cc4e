//! What a grid of cells says as a budget table: the header row and its columns (years,
//! periods, Total), the title and unit above it, the rows with their markers, labels
//! and figures, the sections their headings open, and which rows are computed from
//! others: by the sheet's own formulas where it has them, otherwise from the figures
//! (a sum of the rows above, a percentage of a row, a sum or difference of rows).

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::formula;
use super::sheet::{Grid, Value, column_letters};
use crate::diagnostic::{Code, Diagnostic};

/// Percentages tried for a row whose label suggests a charge on another row
/// ("Programme support costs") but names no rate.
const COMMON_RATES: [i64; 8] = [13, 10, 12, 7, 8, 5, 3, 15];
/// How many rows above a row are tried as the base of its percentage or as terms.
const NEAREST: usize = 12;
/// How deep sections nest: deeper than any budget, far within what bud's parser takes.
const DEEPEST_SECTIONS: usize = 8;
/// How many cells the formulas of one sheet may name between them: a 10,000-row table
/// with a sub-total every hundred rows and a grand total names about 30,000.
const FORMULA_CELLS: u64 = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Year(u16),
    Period(u16, u16),
    Total,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub kind: ColumnKind,
    /// The heading as the sheet writes it, when it says more than the year.
    pub heading: Option<String>,
    /// The grid column it is read from.
    pub grid: usize,
}

/// What a computed row's formula reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Line(usize),
    Section(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `a + b - c`, `sum(section)`, `sum(a, b, c)`.
    Terms(Vec<(bool, Operand)>),
    /// `13% of subtotal`: the rate as a fraction, and the row.
    Percent(Decimal, usize),
}

#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based, as the spreadsheet numbers rows.
    pub sheet_row: u32,
    pub marker: Option<String>,
    pub label: String,
    pub figures: Vec<Option<Decimal>>,
    pub heading: bool,
    pub rule: Option<Rule>,
    pub section: Option<usize>,
    pub name: Option<String>,
    pub referenced: bool,
    /// What the rule gives in each column, from the inputs, once the row is computed.
    pub computed: Vec<Option<Decimal>>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub heading: usize,
    pub end: Option<usize>,
    pub parent: Option<usize>,
    pub name: String,
}

/// The table proposed, and why each part of it is what it is.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub symbol: String,
    pub decision_title: String,
    pub period: (u16, u16),
    pub currency: String,
    pub number: Option<String>,
    pub name: String,
    pub title: Option<String>,
    pub unit: String,
    pub rounding: Option<Decimal>,
    pub decimals: u32,
    pub columns: Vec<Column>,
    pub lines: Vec<Line>,
    pub sections: Vec<Section>,
    pub notes: Vec<String>,
    pub report: Vec<String>,
    pub computed: usize,
    pub inputs: usize,
}

/// Reads `grid` as one budget table. `file` is the file's name (the decision's symbol
/// comes from it); `name`, when given, is the table's.
pub fn infer(grid: &Grid, file: &str, name: Option<&str>) -> Result<Proposal, Diagnostic> {
    let header = header_row(grid).ok_or_else(|| {
        Diagnostic::error(
            Code::ImportTable,
            format!("no header row of years was found in {}", where_read(grid)),
        )
        .with_help(
            "bud needs the year of each column of figures: a row above the figures with \
             headings such as 2016, 2016 (EUR), 2016-2017 or Total; give `--range` to \
             start at that row if the sheet holds more than the table",
        )
    })?;
    let mut column_report = Vec::new();
    let (columns, first_figure_column) = columns_of(grid, header, &mut column_report);
    let mut report = Vec::new();
    let years: Vec<u16> = columns
        .iter()
        .flat_map(|c| match c.kind {
            ColumnKind::Year(y) => vec![y],
            ColumnKind::Period(a, b) => vec![a, b],
            ColumnKind::Total => vec![],
        })
        .collect();
    let (Some(&first_year), Some(&last_year)) = (years.iter().min(), years.iter().max()) else {
        return Err(Diagnostic::error(
            Code::ImportTable,
            format!("the header row {} names no year", header + 1),
        ));
    };

    // The title, the table's number and the unit, from the text above the header.
    let above: Vec<String> = grid.rows[..header]
        .iter()
        .flat_map(|row| row.iter())
        .filter_map(|cell| match &cell.value {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let (number, mut title) = title_of(above.first().map(String::as_str), grid.sheet.as_deref());
    // `Table 3` on a line of its own, the title on the next.
    if title.is_none()
        && number.is_some()
        && let Some(next) = above.get(1).filter(|t| !t.starts_with('('))
    {
        title = Some(next.trim().to_owned());
    }
    let header_texts: Vec<String> = grid.rows[header]
        .iter()
        .filter_map(|cell| match &cell.value {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let unit_text: Vec<&String> = above.iter().chain(&header_texts).collect();
    let (unit, currency, unit_why) = unit_of(&unit_text);
    let unit_report = format!("unit      {unit}: {unit_why}");

    let mut lines = lines_of(grid, header, first_figure_column, &columns);
    let formulas = formulas_of(grid, header, &columns, &lines);
    let notes_from = lines
        .iter()
        .rposition(|l| l.figures.iter().any(Option::is_some))
        .map_or(0, |i| i + 1);
    let trailing: Vec<Line> = lines.split_off(notes_from.min(lines.len()));
    let formula_rows: Vec<Vec<Option<String>>> = formulas.into_iter().take(lines.len()).collect();

    // The step the figures are published at, from those typed (not computed).
    let formula_table = &formula_rows;
    let typed: Vec<Decimal> = lines
        .iter()
        .enumerate()
        .flat_map(|(i, line)| {
            line.figures
                .iter()
                .enumerate()
                .filter(move |(c, _)| formula_table[i][*c].is_none())
                .filter_map(|(_, f)| *f)
        })
        .collect();
    let (step, decimals) = step_of(&typed);
    let mut results_rounded = false;
    for (i, line) in lines.iter_mut().enumerate() {
        for (c, figure) in line.figures.iter_mut().enumerate() {
            if formula_rows[i][c].is_some()
                && let Some(value) = figure
            {
                let rounded =
                    value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
                if rounded != *value {
                    results_rounded = true;
                    *value = rounded;
                }
            }
        }
    }

    // Notes under the table; bud's own remarks give the published figure of a cell
    // whose formula shows bud's computation.
    let mut notes = Vec::new();
    for line in &trailing {
        let text = match &line.marker {
            Some(marker) => format!("{marker} {}", line.label),
            None => line.label.clone(),
        };
        if text.is_empty() {
            continue;
        }
        if let Some((label, column, stated)) = bud_remark(&text) {
            let target = lines
                .iter()
                .position(|l| l.label == label || full_label(l) == label);
            let column = columns.iter().position(|c| column_name(c) == column);
            if let (Some(target), Some(column)) = (target, column) {
                lines[target].figures[column] = Some(stated);
                report.push(format!(
                    "row {:<5} {}: {} taken as published, {}, from bud's remark under the table",
                    lines[target].sheet_row,
                    full_label(&lines[target]),
                    column_name(&columns[column]),
                    crate::format::exact(stated)
                ));
                continue;
            }
        }
        notes.push(text);
    }

    let mut sections: Vec<Section> = Vec::new();
    let mut inexact = false;
    let mut state = State {
        open: Vec::new(),
        run_count: 0,
        run_first: None,
        run_last: 0,
        run_sums: vec![Decimal::ZERO; columns.len()],
        top_level: Vec::new(),
        computed: Vec::new(),
    };
    let years_only: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind != ColumnKind::Total)
        .map(|(i, _)| i)
        .collect();
    let grid_columns: Vec<u32> = columns
        .iter()
        .map(|c| grid.area.left + c.grid as u32)
        .collect();
    let line_of_row: HashMap<u32, usize> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (l.sheet_row, i))
        .collect();
    let mut budget = FORMULA_CELLS;
    let mut row_reports = Vec::new();
    for i in 0..lines.len() {
        // A marker of the same kind as an open section's (`B.` after `A. …`) is that
        // section's sibling: the section, and any inside it, close before it.
        if let Some(marker) = lines[i].marker.clone()
            && let Some(depth) = state.open.iter().position(|&s| {
                lines[sections[s].heading]
                    .marker
                    .as_deref()
                    .is_some_and(|heading| follows(&marker, heading))
            })
        {
            for closed in state.open.drain(depth..) {
                if sections[closed].end.is_none() {
                    sections[closed].end = Some(i.saturating_sub(1));
                }
            }
        }
        if lines[i].heading {
            // Headings one under another nest, at most `DEEPEST_SECTIONS` deep.
            let nested = i > 0
                && state.open.len() < DEEPEST_SECTIONS
                && lines[i - 1].heading
                && state
                    .open
                    .last()
                    .is_some_and(|&s| sections[s].heading == i - 1);
            if !nested && let Some(innermost) = state.open.pop() {
                sections[innermost].end = Some(i.saturating_sub(1));
            }
            let parent = state.open.last().copied();
            sections.push(Section {
                heading: i,
                end: None,
                parent,
                name: String::new(),
            });
            let id = sections.len() - 1;
            lines[i].section = parent;
            state.open.push(id);
            row_reports.push((i, "section".to_owned()));
            continue;
        }
        let mut context = Context {
            lines: &mut lines,
            sections: &mut sections,
            columns: &years_only,
            grid_columns: &grid_columns,
            line_of_row: &line_of_row,
            budget: &mut budget,
            step,
            inexact: &mut inexact,
        };
        let from_formula = formula_rule(&mut context, i, &formula_rows[i], grid, header);
        let (rule, why) = match from_formula {
            FormulaRule::Translated(rule, written) => {
                (Some(rule), format!("from the formula {written}"))
            }
            FormulaRule::NotTranslated(written) => {
                (None, format!("formula not translated: {written}"))
            }
            FormulaRule::None => match figure_rule(&mut context, i, &state) {
                Some((rule, why)) => (Some(rule), why),
                None => (None, String::new()),
            },
        };
        match rule {
            Some(rule) => {
                for open in state.open.drain(..) {
                    if sections[open].end.is_none() {
                        sections[open].end = Some(i.saturating_sub(1));
                    }
                }
                lines[i].section = None;
                lines[i].computed = (0..columns.len())
                    .map(|c| {
                        years_only
                            .contains(&c)
                            .then(|| evaluate(&rule, &lines, &sections, c))
                            .flatten()
                    })
                    .collect();
                lines[i].rule = Some(rule);
                state.run_count = 0;
                state.run_first = None;
                state
                    .run_sums
                    .iter_mut()
                    .for_each(|sum| *sum = Decimal::ZERO);
                state.top_level.push(i);
                state.computed.push(i);
                row_reports.push((i, format!("computed: {why}")));
            }
            None => {
                lines[i].section = state.open.last().copied();
                if lines[i].section.is_none() {
                    state.top_level.push(i);
                }
                state.run_count += 1;
                state.run_first.get_or_insert(i);
                state.run_last = i;
                for &c in &years_only {
                    state.run_sums[c] = state.run_sums[c]
                        .checked_add(value_of(&lines, i, c))
                        .unwrap_or(state.run_sums[c]);
                }
                let what = if why.is_empty() {
                    "input".to_owned()
                } else {
                    format!("input; {why}")
                };
                row_reports.push((i, what));
            }
        }
    }
    for open in state.open.drain(..) {
        if sections[open].end.is_none() {
            sections[open].end = Some(lines.len().saturating_sub(1));
        }
    }
    // A line's section is the innermost one whose rows hold it.
    for (i, line) in lines.iter_mut().enumerate() {
        if line.rule.is_some() {
            continue;
        }
        line.section = sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.heading < i && s.end.is_some_and(|end| i <= end))
            .max_by_key(|(_, s)| s.heading)
            .map(|(id, _)| id);
    }

    let table_name = name.map_or_else(
        || {
            let made = snake_name(title.as_deref().unwrap_or(""));
            if made == "row" {
                "imported".to_owned()
            } else {
                made
            }
        },
        snake_name,
    );
    name_everything(&mut lines, &mut sections, &table_name);

    let rounding = (inexact || results_rounded).then_some(step);
    report.insert(0, unit_report);
    report.insert(
        1,
        match rounding {
            Some(step) => format!(
                "rounding  {} half-up: the sheet's typed figures are multiples of it{}",
                crate::format::exact(step),
                if results_rounded {
                    "; formula results are rounded to it as the sheet shows them"
                } else {
                    ""
                }
            ),
            None => "rounding  none: every rule recognised holds exactly".to_owned(),
        },
    );
    for (at, line) in column_report.into_iter().enumerate() {
        report.insert(2 + at, line);
    }
    let mut computed = 0;
    let mut inputs = 0;
    for (i, what) in row_reports {
        let line = &lines[i];
        if line.rule.is_some() {
            computed += 1;
        } else if !line.heading {
            inputs += 1;
        }
        let shown = match (&line.rule, &line.name) {
            (Some(rule), _) => format!("{what}  → = {}", rule_text(rule, &lines, &sections)),
            (None, _) if line.heading => sections
                .iter()
                .find(|s| s.heading == i)
                .map_or(what.clone(), |s| format!("section `{}`", s.name)),
            _ => what,
        };
        report.push(format!(
            "row {:<5} {:<40} {shown}",
            line.sheet_row,
            cut(&full_label(line), 40)
        ));
    }
    if !notes.is_empty() {
        report.push(format!(
            "notes     {} line(s) under the table, kept as notes",
            notes.len()
        ));
    }

    let symbol = file
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned();
    Ok(Proposal {
        decision_title: title
            .clone()
            .unwrap_or_else(|| format!("Imported from {symbol}")),
        symbol,
        period: (first_year, last_year),
        currency,
        number,
        name: table_name,
        title,
        unit,
        rounding,
        decimals,
        columns,
        lines,
        sections,
        notes,
        report,
        computed,
        inputs,
    })
}

/// What the walk down the rows has seen: the sections open, the input rows since the
/// last computed row (their count, first, last and sums per column), and the rows
/// outside sections and the computed rows, nearest last.
struct State {
    open: Vec<usize>,
    run_count: usize,
    run_first: Option<usize>,
    run_last: usize,
    run_sums: Vec<Decimal>,
    top_level: Vec<usize>,
    computed: Vec<usize>,
}

struct Context<'a> {
    lines: &'a mut Vec<Line>,
    sections: &'a mut Vec<Section>,
    /// The indices of the year and period columns, whose figures the rules give.
    columns: &'a [usize],
    /// The sheet column (0-based) of each figure column.
    grid_columns: &'a [u32],
    /// The line on each sheet row (1-based).
    line_of_row: &'a HashMap<u32, usize>,
    /// How many more cells the sheet's formulas may name (`formula::linear`).
    budget: &'a mut u64,
    step: Decimal,
    inexact: &'a mut bool,
}

enum FormulaRule {
    Translated(Rule, String),
    NotTranslated(String),
    None,
}

fn where_read(grid: &Grid) -> String {
    match &grid.sheet {
        Some(sheet) => format!("the sheet `{sheet}` ({})", grid.area.a1()),
        None => format!("the cells {}", grid.area.a1()),
    }
}

/// What a header cell says the column is.
fn heading_kind(value: &Value) -> Option<ColumnKind> {
    match value {
        Value::Number(n) => {
            let year = n.fract().is_zero().then(|| n.to_u16()).flatten()?;
            (1900..=2100)
                .contains(&year)
                .then_some(ColumnKind::Year(year))
        }
        Value::Text(text) => {
            if text.chars().count() > 40 {
                return None;
            }
            if text.to_lowercase().contains("total") {
                return Some(ColumnKind::Total);
            }
            let years = years_in(text);
            match years.as_slice() {
                [year] => Some(ColumnKind::Year(*year)),
                [first, last] if first < last => Some(ColumnKind::Period(*first, *last)),
                _ => None,
            }
        }
        Value::Empty => None,
    }
}

/// The four-digit years 1900–2100 in a text, in order.
fn years_in(text: &str) -> Vec<u16> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            // A year stands apart: not `host_contribution_2012`, not `FY2016a`.
            let apart = |c: Option<&char>| c.is_none_or(|c| !(c.is_alphanumeric() || *c == '_'));
            let bounded =
                apart(start.checked_sub(1).and_then(|b| chars.get(b))) && apart(chars.get(i));
            if i - start == 4 && bounded {
                let digits: String = chars[start..i].iter().collect();
                if let Ok(year) = digits.parse::<u16>()
                    && (1900..=2100).contains(&year)
                {
                    found.push(year);
                }
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The first row with a year or period heading right of the labels.
fn header_row(grid: &Grid) -> Option<usize> {
    let leftmost = grid
        .rows
        .iter()
        .filter_map(|row| row.iter().position(|c| c.value != Value::Empty))
        .min()?;
    // A row of headings: a year or period right of the labels, and no other number.
    grid.rows.iter().position(|row| {
        let has_year = row.iter().enumerate().any(|(column, cell)| {
            column > leftmost
                && matches!(
                    heading_kind(&cell.value),
                    Some(ColumnKind::Year(_) | ColumnKind::Period(..))
                )
        });
        let other_numbers = row.iter().any(|cell| {
            matches!(cell.value, Value::Number(_)) && heading_kind(&cell.value).is_none()
        });
        has_year && !other_numbers
    })
}

fn columns_of(grid: &Grid, header: usize, report: &mut Vec<String>) -> (Vec<Column>, usize) {
    let row = &grid.rows[header];
    let mut columns = Vec::new();
    for (index, cell) in row.iter().enumerate() {
        let Some(kind) = heading_kind(&cell.value) else {
            continue;
        };
        if columns.is_empty() && kind == ColumnKind::Total {
            continue;
        }
        // A year given twice is one column; the second is left out (below).
        if columns.iter().any(|c: &Column| c.kind == kind) {
            continue;
        }
        let written = match &cell.value {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        };
        let plain = match kind {
            ColumnKind::Year(y) => y.to_string(),
            ColumnKind::Period(a, b) => format!("{a}-{b}"),
            ColumnKind::Total => "Total".to_owned(),
        };
        let heading = written.filter(|w| *w != plain);
        columns.push(Column {
            kind,
            heading,
            grid: index,
        });
    }
    let first = columns.first().map_or(1, |c| c.grid);
    // bud's Total adds year columns; beside periods alone it is left out.
    if !columns
        .iter()
        .any(|c| matches!(c.kind, ColumnKind::Year(_)))
        && let Some(total) = columns.iter().position(|c| c.kind == ColumnKind::Total)
    {
        let removed = columns.remove(total);
        report.push(format!(
            "column    {} (Total) left out: bud's Total adds year columns, and the table has none",
            column_letters(grid.area.left + removed.grid as u32)
        ));
    }
    // Columns right of the labels with figures but no heading bud can read.
    let width = grid.rows.iter().map(Vec::len).max().unwrap_or(0);
    for index in first..width {
        if columns.iter().any(|c| c.grid == index) {
            continue;
        }
        let has_figures = grid.rows[header + 1..]
            .iter()
            .any(|r| matches!(r.get(index).map(|c| &c.value), Some(Value::Number(_))));
        let has_total = columns.iter().any(|c| c.kind == ColumnKind::Total);
        if has_figures
            && !has_total
            && index > first
            && is_total_column(grid, header, &columns, index)
        {
            let heading = match row.get(index).map(|c| &c.value) {
                Some(Value::Text(t)) => Some(t.clone()),
                _ => None,
            };
            report.push(format!(
                "column    {} {} is the sum of the year columns in every row: read as Total",
                column_letters(grid.area.left + index as u32),
                heading
                    .as_deref()
                    .map_or_else(|| "with no heading".to_owned(), |h| format!("headed `{h}`"))
            ));
            columns.push(Column {
                kind: ColumnKind::Total,
                heading,
                grid: index,
            });
            continue;
        }
        if has_figures {
            let heading = match row.get(index).map(|c| &c.value) {
                Some(Value::Text(t)) => format!("headed `{t}`"),
                _ => "with no heading".to_owned(),
            };
            report.push(format!(
                "column    {} {heading} left out: bud's columns are years, periods and Total",
                column_letters(grid.area.left + index as u32)
            ));
        }
    }
    let shown: Vec<String> = columns.iter().map(column_name).collect();
    let total_note = if columns.iter().any(|c| c.kind == ColumnKind::Total) {
        "; bud computes Total as the sum of the year columns and checks the sheet's"
    } else {
        ""
    };
    report.push(format!(
        "columns   {}: from the header row {}{total_note}",
        shown.join(" "),
        grid.area.top + header as u32 + 1
    ));
    (columns, first)
}

/// Whether the figures of column `index` are, in every row that has one, the sum of the
/// year columns' figures (a blank counting as zero), within the rounding of the row's
/// own figures.
fn is_total_column(grid: &Grid, header: usize, columns: &[Column], index: usize) -> bool {
    let years: Vec<usize> = columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Year(_)))
        .map(|c| c.grid)
        .collect();
    if years.len() < 2 {
        return false;
    }
    let mut rows = 0;
    let all = grid.rows[header + 1..].iter().all(|row| {
        let number = |column: usize| match row.get(column).map(|c| &c.value) {
            Some(Value::Number(n)) => Some(*n),
            _ => None,
        };
        let Some(total) = number(index) else {
            return true;
        };
        let parts: Vec<Decimal> = years.iter().filter_map(|&c| number(c)).collect();
        if parts.is_empty() {
            return total.is_zero();
        }
        rows += 1;
        let decimals = parts
            .iter()
            .chain([&total])
            .map(|n| n.normalize().scale())
            .max()
            .unwrap_or(0);
        let half = Decimal::new(5, decimals + 1);
        let sum: Decimal = parts.iter().sum();
        (total - sum).abs() <= half * Decimal::from(parts.len() + 1)
    });
    all && rows > 0
}

pub fn column_name(column: &Column) -> String {
    match column.kind {
        ColumnKind::Year(y) => y.to_string(),
        ColumnKind::Period(a, b) => format!("{a}-{b}"),
        ColumnKind::Total => "Total".to_owned(),
    }
}

fn lines_of(grid: &Grid, header: usize, first_figure: usize, columns: &[Column]) -> Vec<Line> {
    let mut lines = Vec::new();
    for (index, row) in grid.rows.iter().enumerate().skip(header + 1) {
        let words: Vec<&str> = row
            .iter()
            .take(first_figure)
            .filter_map(|cell| match &cell.value {
                Value::Text(t) => Some(t.as_str()),
                Value::Number(_) | Value::Empty => None,
            })
            .collect();
        let figures: Vec<Option<Decimal>> = columns
            .iter()
            .map(|c| match row.get(c.grid).map(|cell| &cell.value) {
                Some(Value::Number(n)) => Some(*n),
                _ => None,
            })
            .collect();
        // A text right of the labels on a row with no figures (a note typed across
        // the sheet) is part of its words.
        let other_words: Vec<&str> = row
            .iter()
            .skip(first_figure)
            .filter_map(|cell| match &cell.value {
                Value::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        let mut text = words.join(" ");
        if figures.iter().all(Option::is_none) && !other_words.is_empty() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&other_words.join(" "));
        }
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() && figures.iter().all(Option::is_none) {
            continue;
        }
        let (marker, label) = split_marker(&text);
        lines.push(Line {
            sheet_row: grid.area.top + index as u32 + 1,
            marker,
            label,
            figures,
            heading: false,
            rule: None,
            section: None,
            name: None,
            referenced: false,
            computed: Vec::new(),
        });
    }
    // A line with no figures opens a section when figures or another heading follow.
    let last = lines
        .iter()
        .rposition(|l| l.figures.iter().any(Option::is_some));
    if let Some(last) = last {
        for i in (0..last).rev() {
            let empty = lines[i].figures.iter().all(Option::is_none);
            let next_opens =
                lines[i + 1].heading || lines[i + 1].figures.iter().any(Option::is_some);
            lines[i].heading = empty && next_opens;
        }
        // A blank row without a marker, followed by a row whose marker continues the
        // markers of a heading above (`Administrative Services` before `B.`, under
        // `A. Programme appropriations`), is a row of its own, not a heading.
        // The distinct markers of the headings above, as the walk goes down.
        let mut heading_markers: std::collections::HashSet<String> =
            std::collections::HashSet::new();
        for i in 0..last {
            if lines[i].heading && lines[i].marker.is_none() {
                let continues = lines[i + 1].marker.as_deref().is_some_and(|next| {
                    predecessors(next)
                        .iter()
                        .any(|m| heading_markers.contains(m))
                });
                if continues {
                    lines[i].heading = false;
                }
            }
            if lines[i].heading
                && let Some(marker) = &lines[i].marker
            {
                heading_markers.insert(marker.clone());
            }
        }
    }
    lines
}

/// The formulas of each line's figures, by line then column.
fn formulas_of(
    grid: &Grid,
    _header: usize,
    columns: &[Column],
    lines: &[Line],
) -> Vec<Vec<Option<String>>> {
    lines
        .iter()
        .map(|line| {
            let row = (line.sheet_row - 1 - grid.area.top) as usize;
            columns
                .iter()
                .map(|c| grid.cell(row, c.grid).and_then(|cell| cell.formula.clone()))
                .collect()
        })
        .collect()
}

/// Whether `marker` comes right after `previous` in a sequence of markers: `B.` after
/// `A.`, `II.` after `I.`, `2.` after `1.`, `(b)` after `(a)`. `I.` after `I.` does not,
/// so the row `I.` of a section headed `I.` stays in it.
fn follows(marker: &str, previous: &str) -> bool {
    let body = |m: &str| {
        m.trim_end_matches('.')
            .trim_start_matches('(')
            .trim_end_matches(')')
            .to_owned()
    };
    let (next, before) = (body(marker), body(previous));
    if marker.starts_with('(') != previous.starts_with('(') {
        return false;
    }
    if let (Ok(a), Ok(b)) = (next.parse::<u32>(), before.parse::<u32>()) {
        return b.checked_add(1) == Some(a);
    }
    let letter = |t: &str| {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
            _ => None,
        }
    };
    if let (Some(a), Some(b)) = (letter(&next), letter(&before))
        && u32::from(a) == u32::from(b) + 1
    {
        return true;
    }
    matches!((roman(&next), roman(&before)), (Some(a), Some(b)) if a == b + 1)
}

/// The markers `marker` can follow: `A.` for `B.`, `I.` and `U.` for `V.`.
fn predecessors(marker: &str) -> Vec<String> {
    let bracketed = marker.starts_with('(');
    let body = marker
        .trim_end_matches('.')
        .trim_start_matches('(')
        .trim_end_matches(')');
    let written = |inner: String| {
        if bracketed {
            format!("({inner})")
        } else {
            format!("{inner}.")
        }
    };
    let mut found = Vec::new();
    if let Ok(n) = body.parse::<u32>()
        && n > 0
    {
        found.push(written((n - 1).to_string()));
    }
    let mut chars = body.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_ascii_alphabetic()
        && c != 'a'
        && c != 'A'
    {
        found.push(written(char::from(c as u8 - 1).to_string()));
    }
    if let Some(value) = roman(body)
        && value > 1
    {
        const NUMERALS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
        let before = value - 1;
        let tens = "X".repeat((before / 10) as usize);
        found.push(written(format!(
            "{tens}{}",
            NUMERALS[(before % 10) as usize]
        )));
    }
    found.retain(|m| follows(marker, m));
    found
}

/// A Roman numeral up to 39 (`XXXIX`), as markers use them.
fn roman(text: &str) -> Option<u32> {
    const NUMERALS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    let upper = text.to_ascii_uppercase();
    let tens = upper.chars().take_while(|&c| c == 'X').count();
    let rest = &upper[tens..];
    let units = NUMERALS.iter().position(|n| *n == rest)?;
    let value = u32::try_from(tens * 10 + units).ok()?;
    (tens <= 3 && value > 0).then_some(value)
}

/// `A.`, `II.`, `1.` or `(a)` at the start of a label, as bud writes markers.
fn split_marker(text: &str) -> (Option<String>, String) {
    let Some((first, rest)) = text.split_once(' ') else {
        return (None, text.to_owned());
    };
    let rest = rest.trim();
    let is_marker = if let Some(body) = first.strip_suffix('.') {
        !body.is_empty()
            && (body.len() <= 4 && body.chars().all(|c| c.is_ascii_uppercase())
                || body.len() <= 3 && body.chars().all(|c| c.is_ascii_digit()))
    } else if let Some(body) = first.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        !body.is_empty() && body.len() <= 4 && body.chars().all(|c| c.is_ascii_lowercase())
    } else {
        false
    };
    if is_marker && !rest.is_empty() {
        (Some(first.to_owned()), rest.to_owned())
    } else {
        (None, text.to_owned())
    }
}

pub fn full_label(line: &Line) -> String {
    match &line.marker {
        Some(marker) => format!("{marker} {}", line.label),
        None => line.label.clone(),
    }
}

/// `Table 1. Title` or the sheet's `Table 1`: the table's number and its title.
fn title_of(first_text: Option<&str>, sheet: Option<&str>) -> (Option<String>, Option<String>) {
    let number_in = |text: &str| -> Option<(String, String)> {
        let rest = text.trim().strip_prefix("Table ")?;
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let valid = number.chars().next().is_some_and(|c| c.is_ascii_digit())
            && number
                .chars()
                .skip_while(char::is_ascii_digit)
                .all(|c| c.is_ascii_lowercase());
        if !valid || number.len() > 6 {
            return None;
        }
        let after = rest[number.len()..].trim_start_matches(['.', ':']).trim();
        Some((number, after.to_owned()))
    };
    let (mut number, mut title) = (None, None);
    if let Some(text) = first_text {
        match number_in(text) {
            Some((n, t)) => {
                number = Some(n);
                title = (!t.is_empty()).then_some(t);
            }
            None if !text.starts_with('(') => title = Some(text.trim().to_owned()),
            None => {}
        }
    }
    if number.is_none() {
        number = sheet.and_then(number_in).map(|(n, _)| n);
    }
    (number, title)
}

/// The table's unit and the decision's currency, proposed from the text above the
/// figures, and why.
fn unit_of(texts: &[&String]) -> (String, String, String) {
    let mut currency = None;
    let mut scale = "";
    let mut posts = false;
    let mut source = None;
    for text in texts {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_alphanumeric() || c == '$' || c == '€' || c == '£'))
            .filter(|w| !w.is_empty())
            .collect();
        let has = |w: &str| words.contains(&w);
        let found = if lower.contains("us$")
            || has("usd")
            || lower.contains("us dollars")
            || lower.contains("united states dollars")
        {
            Some("US$")
        } else if has("eur") || has("euro") || has("euros") || lower.contains('€') {
            Some("EUR")
        } else if has("chf") || lower.contains("swiss francs") {
            Some("CHF")
        } else if has("gbp") || lower.contains('£') {
            Some("GBP")
        } else if has("cad") {
            Some("CAD")
        } else {
            None
        };
        if currency.is_none()
            && let Some(found) = found
        {
            currency = Some(found);
            source = Some((*text).clone());
        }
        if scale.is_empty() {
            if has("thousands") || has("thousand") || lower.contains("'000") {
                scale = "thousands of ";
            } else if has("millions") || has("million") {
                scale = "millions of ";
            }
        }
        if has("posts") || has("staffing") {
            posts = true;
            source.get_or_insert_with(|| (*text).clone());
        }
    }
    match (currency, posts) {
        (Some(currency), _) => (
            format!("{scale}{currency}"),
            currency.to_owned(),
            format!("from the text `{}`", cut(&source.unwrap_or_default(), 60)),
        ),
        (None, true) => (
            "posts".to_owned(),
            "US$".to_owned(),
            format!(
                "from the text `{}`; the decision's currency US$ is a guess",
                cut(&source.unwrap_or_default(), 60)
            ),
        ),
        (None, false) => (
            "US$".to_owned(),
            "US$".to_owned(),
            "the sheet names no currency, so US$ is proposed: change `unit` and `currency` if \
             the figures are in another"
                .to_owned(),
        ),
    }
}

/// The step of the typed figures and its decimals: 0.1 (1) for `1,875.2`, 100 (0) when
/// every figure is a whole hundred.
fn step_of(typed: &[Decimal]) -> (Decimal, u32) {
    let decimals = typed
        .iter()
        .map(|f| f.normalize().scale())
        .max()
        .unwrap_or(0);
    if decimals > 0 {
        return (Decimal::new(1, decimals), decimals);
    }
    let nonzero: Vec<&Decimal> = typed.iter().filter(|f| !f.is_zero()).collect();
    let mut step = Decimal::ONE;
    if nonzero.len() >= 4 {
        for candidate in [Decimal::from(1000), Decimal::from(100), Decimal::TEN] {
            if nonzero.iter().all(|f| (**f % candidate).is_zero()) {
                step = candidate;
                break;
            }
        }
    }
    (step, 0)
}

/// `≈1 GRAND TOTAL (I + II + III), 2014: stated 2,963.1, computed …`, a remark bud
/// writes under a table in a workbook: the label, the column and the stated figure.
fn bud_remark(text: &str) -> Option<(String, String, Decimal)> {
    let rest = text.strip_prefix('≈').or_else(|| text.strip_prefix('✗'))?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix(' ')?;
    let (head, tail) = rest.split_once(": stated ")?;
    let (label, column) = head.rsplit_once(", ")?;
    let stated = tail.split(", computed").next()?;
    let stated = crate::syntax::figures::parse_number(stated.trim())
        .ok()?
        .value;
    Some((label.to_owned(), column.to_owned(), stated))
}

// ------------------------------------------------------------------ recognising rules

fn formula_rule(
    context: &mut Context<'_>,
    i: usize,
    formulas: &[Option<String>],
    grid: &Grid,
    _header: usize,
) -> FormulaRule {
    let written: Vec<&String> = context
        .columns
        .iter()
        .filter_map(|&c| formulas.get(c)?.as_ref())
        .collect();
    let Some(first) = written.first() else {
        return FormulaRule::None;
    };
    let shown = (*first).clone();
    let with_figures = context
        .columns
        .iter()
        .filter(|&&c| context.lines[i].figures[c].is_some())
        .count();
    if written.len() < with_figures {
        return FormulaRule::NotTranslated(format!(
            "{shown} (some of the row's figures are typed, not computed)"
        ));
    }
    // Each column's formula as lines and coefficients; all must agree.
    let mut shape: Option<Vec<(usize, Decimal)>> = None;
    for &c in context.columns {
        let Some(text) = formulas.get(c).and_then(Option::as_ref) else {
            continue;
        };
        let Some(linear) = formula::linear(text, &grid.names, context.budget) else {
            return FormulaRule::NotTranslated(shown);
        };
        if !linear.constant.is_zero() {
            return FormulaRule::NotTranslated(shown);
        }
        let mut terms = Vec::new();
        for (&(row, column), &coefficient) in &linear.cells {
            let column_here = context.grid_columns[c];
            if column != column_here {
                return FormulaRule::NotTranslated(shown);
            }
            let sheet_row = row + 1;
            match context.line_of_row.get(&sheet_row).copied() {
                Some(line) if line < i => {
                    if context.lines[line].heading {
                        continue;
                    }
                    terms.push((line, coefficient));
                }
                Some(_) => return FormulaRule::NotTranslated(shown),
                // An empty row inside a SUM's range.
                None if row >= grid.area.top && row <= grid.area.bottom => {}
                None => return FormulaRule::NotTranslated(shown),
            }
        }
        match &shape {
            None => shape = Some(terms),
            Some(known) if *known == terms => {}
            Some(_) => {
                return FormulaRule::NotTranslated(format!(
                    "{shown} (the columns' formulas read different rows)"
                ));
            }
        }
    }
    let Some(terms) = shape.filter(|t| !t.is_empty()) else {
        return FormulaRule::NotTranslated(shown);
    };
    let rule = if let [(line, rate)] = terms.as_slice()
        && *rate != Decimal::ONE
    {
        // A rate, not a scaling: `B19*13%`, `B19*0.13`, up to ten times the row.
        if rate.is_sign_negative() || *rate > Decimal::TEN {
            None
        } else {
            context.lines[*line].referenced = true;
            Some(Rule::Percent(*rate, *line))
        }
    } else if terms.iter().all(|(_, c)| *c == Decimal::ONE) && terms.len() >= 2 {
        let first = terms[0].0;
        let last = terms[terms.len() - 1].0;
        let figure_lines = (first..=last)
            .filter(|&l| !context.lines[l].heading)
            .count();
        let after_heading = first > 0 && context.lines[first - 1].heading;
        if figure_lines == terms.len() && (figure_lines > 3 || after_heading) {
            Some(sum_of_lines(context, first, last))
        } else {
            Some(terms_rule(context, &terms))
        }
    } else if terms.iter().all(|(_, c)| c.abs() == Decimal::ONE) {
        Some(terms_rule(context, &terms))
    } else {
        None
    };
    match rule {
        Some(rule) => FormulaRule::Translated(rule, shown),
        None => FormulaRule::NotTranslated(shown),
    }
}

fn terms_rule(context: &mut Context<'_>, terms: &[(usize, Decimal)]) -> Rule {
    for (line, _) in terms {
        context.lines[*line].referenced = true;
    }
    Rule::Terms(
        terms
            .iter()
            .map(|(line, c)| (c.is_sign_negative(), Operand::Line(*line)))
            .collect(),
    )
}

/// The rule adding every figure line from `first` to `last`: the section they make up
/// (nesting the sections between, when the first heading above `first` opens them all),
/// or the rows by name.
fn sum_of_lines(context: &mut Context<'_>, first: usize, last: usize) -> Rule {
    let mut top = first;
    while top > 0 && context.lines[top - 1].heading {
        top -= 1;
    }
    let outer = (top < first)
        .then(|| context.sections.iter().position(|s| s.heading == top))
        .flatten();
    if let Some(outer) = outer {
        let outer_parent = context.sections[outer].parent;
        for id in 0..context.sections.len() {
            let heading = context.sections[id].heading;
            if id != outer && heading > top && heading <= last {
                if context.sections[id].parent == outer_parent
                    || context.sections[id].parent.is_none()
                {
                    context.sections[id].parent = Some(outer);
                }
                if context.sections[id].end.is_none_or(|end| end > last) {
                    context.sections[id].end = Some(last);
                }
            }
        }
        context.sections[outer].end = Some(last);
        return Rule::Terms(vec![(false, Operand::Section(outer))]);
    }
    let lines: Vec<(usize, Decimal)> = (first..=last)
        .filter(|&l| !context.lines[l].heading)
        .map(|l| (l, Decimal::ONE))
        .collect();
    terms_rule(context, &lines)
}

/// A rule recognised from the figures alone, and why.
fn figure_rule(context: &mut Context<'_>, i: usize, state: &State) -> Option<(Rule, String)> {
    let step = context.step;
    let half = step / Decimal::TWO;
    let figures = context.lines[i].figures.clone();
    if context.columns.iter().all(|&c| figures[c].is_none()) {
        return None;
    }
    let value = |lines: &[Line], l: usize, c: usize| value_of(lines, l, c);
    // (0) The rows its label names by their markers: `Total (A + B + C + D)`.
    if let Some(terms) = named_by_markers(context, i) {
        let tolerance = half * Decimal::from(terms.len() + 1);
        let rule = Rule::Terms(terms);
        let mut exact = true;
        let mut compared = 0;
        let all = context.columns.iter().all(|&c| {
            let Some(stated) = figures[c] else {
                return true;
            };
            let expected = evaluate(&rule, context.lines, context.sections, c);
            compared += 1;
            exact &= Some(stated) == expected;
            within(stated, expected, tolerance)
        });
        if all && compared > 0 {
            *context.inexact |= !exact;
            if let Rule::Terms(terms) = &rule {
                for (_, operand) in terms {
                    if let Operand::Line(l) = operand {
                        context.lines[*l].referenced = true;
                    }
                }
            }
            return Some((rule, "the rows its label names by their markers".to_owned()));
        }
    }
    // (1) The sum of the input rows since the last computed row.
    let count = state.run_count;
    let after_heading = state
        .run_first
        .is_some_and(|f| f > 0 && context.lines[f - 1].heading);
    if let Some(first) = state.run_first
        && (count >= 2 || count == 1 && after_heading)
    {
        let last = state.run_last;
        let tolerance = half * Decimal::from(count + 1);
        let mut agree = 0;
        let mut exact = true;
        let mut disagree = Vec::new();
        for &c in context.columns {
            let Some(stated) = figures[c] else { continue };
            let sum = state.run_sums[c];
            if within(stated, Some(sum), tolerance) {
                agree += 1;
                exact &= stated == sum;
            } else {
                disagree.push(c);
            }
        }
        let says_total = says_total(&context.lines[i].label);
        // Unlabelled, a sum of two rows is too easily a coincidence (posts 1, 1, 2).
        if disagree.is_empty() && agree > 0 && (says_total || count >= 3) {
            *context.inexact |= !exact;
            let rule = sum_of_lines(context, first, last);
            return Some((rule, "the sum of the rows above".to_owned()));
        }
        if says_total && agree >= disagree.len() && agree > 0 {
            *context.inexact |= !exact;
            let rule = sum_of_lines(context, first, last);
            return Some((
                rule,
                "the sum of the rows above (its label says so), though not in every column: \
                 `bud check` shows where"
                    .to_owned(),
            ));
        }
    }
    // (2) A percentage of a row above.
    let label = context.lines[i].label.to_lowercase();
    let named_rate = rate_in(&label);
    let rates: Vec<Decimal> = match named_rate {
        Some(rate) => vec![rate],
        None if ["support", "overhead", "charge"]
            .iter()
            .any(|w| label.contains(w)) =>
        {
            COMMON_RATES.iter().map(|&p| Decimal::new(p, 2)).collect()
        }
        None => Vec::new(),
    };
    if !rates.is_empty() {
        let mut bases: Vec<usize> = state.computed.iter().rev().take(NEAREST).copied().collect();
        bases.extend(
            (0..i)
                .rev()
                .filter(|&l| context.lines[l].rule.is_none() && !context.lines[l].heading)
                .take(NEAREST),
        );
        for &rate in &rates {
            for &base in bases.iter().take(NEAREST) {
                let tolerance = half + rate * half;
                let mut compared = 0;
                let all = context.columns.iter().all(|&c| {
                    let Some(stated) = figures[c] else {
                        return true;
                    };
                    let expected = rate.checked_mul(value(context.lines, base, c));
                    if expected.is_some_and(|e| !e.is_zero()) {
                        compared += 1;
                    }
                    within(stated, expected, tolerance)
                });
                if all && compared > 0 {
                    if context.columns.iter().any(|&c| {
                        figures[c].is_some_and(|s| {
                            Some(s) != rate.checked_mul(value(context.lines, base, c))
                        })
                    }) {
                        *context.inexact = true;
                    }
                    context.lines[base].referenced = true;
                    let why = if named_rate.is_some() {
                        "the rate its label names, of a row above"
                    } else {
                        "a usual support rate of a row above"
                    };
                    return Some((Rule::Percent(rate, base), why.to_owned()));
                }
            }
        }
    }
    // (3) Rows outside sections: the sum of the last few, or one less the last.
    let top_level: Vec<usize> = state
        .top_level
        .iter()
        .rev()
        .take(NEAREST)
        .copied()
        .collect();
    let matches = |context: &mut Context<'_>, terms: &[(bool, usize)]| {
        let tolerance = half * Decimal::from(terms.len() + 1);
        let mut compared = 0;
        let mut exact = true;
        let ok = context.columns.iter().all(|&c| {
            let Some(stated) = figures[c] else {
                return true;
            };
            let expected = terms.iter().try_fold(Decimal::ZERO, |sum, &(negative, l)| {
                let v = value(context.lines, l, c);
                sum.checked_add(if negative { -v } else { v })
            });
            compared += 1;
            exact &= Some(stated) == expected;
            within(stated, expected, tolerance)
        });
        if ok && !exact {
            *context.inexact = true;
        }
        ok && compared > 0
    };
    let total_like = says_total(&context.lines[i].label);
    // Rows inside a section are inputs unless their label says otherwise.
    if !state.open.is_empty() && !total_like {
        return None;
    }
    for k in 2..=top_level.len() {
        if k < 3 && !total_like {
            continue;
        }
        let terms: Vec<(bool, usize)> = top_level[..k].iter().rev().map(|&l| (false, l)).collect();
        if matches(context, &terms) {
            let terms: Vec<(usize, Decimal)> =
                terms.iter().map(|&(_, l)| (l, Decimal::ONE)).collect();
            return Some((
                terms_rule(context, &terms),
                "the sum of the rows above it".to_owned(),
            ));
        }
    }
    if let Some((&last, earlier)) = top_level.split_first().filter(|_| total_like) {
        for &first in earlier {
            let terms = [(false, first), (true, last)];
            if matches(context, &terms) {
                let terms = [(first, Decimal::ONE), (last, Decimal::NEGATIVE_ONE)];
                return Some((
                    terms_rule(context, &terms),
                    "a row above less the row before it".to_owned(),
                ));
            }
        }
    }
    None
}

/// A row's figure in a column as the rules above it compute it (the figure itself for
/// an input), so that one wrong total does not hide the rules of the rows below it.
fn value_of(lines: &[Line], l: usize, c: usize) -> Decimal {
    lines[l]
        .computed
        .get(c)
        .copied()
        .flatten()
        .or(lines[l].figures[c])
        .unwrap_or_default()
}

/// What `rule` gives in column `c`; `None` past what a decimal holds (a sheet whose
/// every row adds all the rows above doubles at each row).
fn evaluate(rule: &Rule, lines: &[Line], sections: &[Section], c: usize) -> Option<Decimal> {
    match rule {
        Rule::Percent(rate, line) => rate.checked_mul(value_of(lines, *line, c)),
        Rule::Terms(terms) => terms
            .iter()
            .try_fold(Decimal::ZERO, |sum, (negative, operand)| {
                let v = match operand {
                    Operand::Line(l) => value_of(lines, *l, c),
                    Operand::Section(s) => {
                        let section = &sections[*s];
                        let end = section.end.unwrap_or(section.heading);
                        (section.heading + 1..=end)
                            .filter(|&l| !lines[l].heading)
                            .try_fold(Decimal::ZERO, |sum, l| {
                                sum.checked_add(value_of(lines, l, c))
                            })?
                    }
                };
                sum.checked_add(if *negative { -v } else { v })
            }),
    }
}

/// Whether `stated` is within `tolerance` of `expected`.
fn within(stated: Decimal, expected: Option<Decimal>, tolerance: Decimal) -> bool {
    expected
        .and_then(|e| stated.checked_sub(e))
        .is_some_and(|d| d.abs() <= tolerance)
}

/// The rows a label names by their markers, `(I + II + III)` or `(A + B - C)`: each the
/// nearest row above with that marker, or the section it heads (its sub-total row, when
/// one adds exactly that section).
fn named_by_markers(context: &Context<'_>, i: usize) -> Option<Vec<(bool, Operand)>> {
    let label = &context.lines[i].label;
    let open = label.rfind('(')?;
    let close = open + label[open..].find(')')?;
    let inside = &label[open + 1..close];
    let mut terms = Vec::new();
    let mut negative = false;
    let mut expect_marker = true;
    for word in inside.split_whitespace() {
        match (expect_marker, word) {
            (false, "+") => negative = false,
            (false, "-" | "–" | "−") => negative = true,
            (true, marker)
                if marker
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
            {
                let written = format!("{marker}.");
                let line = (0..i)
                    .rev()
                    .find(|&l| context.lines[l].marker.as_deref() == Some(written.as_str()))?;
                let operand = if context.lines[line].heading {
                    let section = context.sections.iter().position(|s| s.heading == line)?;
                    let only_section = Rule::Terms(vec![(false, Operand::Section(section))]);
                    match (line + 1..i)
                        .find(|&l| context.lines[l].rule.as_ref() == Some(&only_section))
                    {
                        Some(total) => Operand::Line(total),
                        None => Operand::Section(section),
                    }
                } else {
                    Operand::Line(line)
                };
                terms.push((negative, operand));
            }
            _ => return None,
        }
        expect_marker = !expect_marker;
    }
    (terms.len() >= 2 && !expect_marker).then_some(terms)
}

/// Whether a label says its row adds or nets others: `Sub-total (I)`, `TOTAL`, `NET
/// TOTAL`, `Programme expenditures (A + B)`.
fn says_total(label: &str) -> bool {
    let lower = label.to_lowercase();
    let words = ["total", "subtotal", "sub-total", "sum", "net ", "balance"];
    words.iter().any(|w| lower.contains(w))
        || lower
            .find('(')
            .is_some_and(|open| lower[open..].contains(" + ") || lower[open..].contains(" - "))
}

/// `13%`, `(13%)`, `13 per cent`, `8.3 per cent` in a label, as a fraction.
fn rate_in(label: &str) -> Option<Decimal> {
    let end = label.find('%').or_else(|| label.find(" per cent"))?;
    let before = label[..end].trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let number: Decimal = before[start..].parse().ok()?;
    (number > Decimal::ZERO && number < Decimal::ONE_HUNDRED).then(|| number / Decimal::ONE_HUNDRED)
}

// ------------------------------------------------------------------ names

/// The reserved words and keywords a row's name may not be.
const NOT_NAMES: [&str; 12] = [
    "of",
    "year",
    "stated",
    "in",
    "except",
    "sum",
    "share",
    "published",
    "round",
    "absent",
    "note",
    "erratum",
];

fn name_everything(lines: &mut [Line], sections: &mut [Section], table: &str) {
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    used.insert(table.to_owned());
    let mut unique = |base: String| {
        let mut name = base.clone();
        let mut counter = 2;
        while used.contains(&name) {
            name = format!("{base}_{counter}");
            counter += 1;
        }
        used.insert(name.clone());
        name
    };
    let mut headings: HashMap<usize, usize> = HashMap::new();
    for (id, section) in sections.iter().enumerate() {
        headings.insert(section.heading, id);
    }
    for (i, line) in lines.iter_mut().enumerate() {
        if line.heading {
            if let Some(&id) = headings.get(&i) {
                sections[id].name = unique(snake_name(&line.label));
            }
        } else if line.rule.is_some() || line.referenced {
            line.name = Some(unique(snake_name(&line.label)));
        }
    }
}

/// A name for formulas from a label: `Sub-total (I)` is `sub_total`.
fn snake_name(label: &str) -> String {
    let name = snake(label, 4);
    let name = if name.is_empty() {
        "row".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("row_{name}")
    } else {
        name
    };
    // `total` names rows in every decision; the other keywords would read as settings.
    if NOT_NAMES.contains(&name.as_str())
        || name != "total" && crate::syntax::KEYWORDS.contains(&name.as_str())
    {
        format!("{name}_row")
    } else {
        name
    }
}

/// The first `words` words of `text` in lower case joined by `_`, without what is in
/// brackets.
fn snake(text: &str, words: usize) -> String {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_ascii_alphanumeric() => plain.push(c.to_ascii_lowercase()),
            _ => plain.push(' '),
        }
    }
    plain
        .split_whitespace()
        .take(words)
        .collect::<Vec<_>>()
        .join("_")
}

fn cut(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(most.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// A rule as bud writes it.
pub fn rule_text(rule: &Rule, lines: &[Line], sections: &[Section]) -> String {
    let operand = |o: &Operand| match o {
        Operand::Line(l) => lines[*l].name.clone().unwrap_or_default(),
        Operand::Section(s) => format!("sum({})", sections[*s].name),
    };
    match rule {
        Rule::Percent(rate, line) => {
            let percent = (*rate * Decimal::ONE_HUNDRED).normalize();
            format!(
                "{percent}% of {}",
                lines[*line].name.clone().unwrap_or_default()
            )
        }
        Rule::Terms(terms) => {
            let all_plus = terms.iter().all(|(negative, _)| !negative);
            let all_lines = terms.iter().all(|(_, o)| matches!(o, Operand::Line(_)));
            if all_plus && all_lines && terms.len() > 3 {
                let names: Vec<String> = terms.iter().map(|(_, o)| operand(o)).collect();
                return format!("sum({})", names.join(", "));
            }
            let mut text = String::new();
            for (index, (negative, o)) in terms.iter().enumerate() {
                if index > 0 {
                    text.push_str(if *negative { " - " } else { " + " });
                } else if *negative {
                    text.push('-');
                }
                text.push_str(&operand(o));
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_rates_and_names_come_from_labels() {
        assert_eq!(
            split_marker("II. Programme support charge (13%)"),
            (
                Some("II.".to_owned()),
                "Programme support charge (13%)".to_owned()
            )
        );
        assert_eq!(
            split_marker("(a) Travel"),
            (Some("(a)".to_owned()), "Travel".to_owned())
        );
        assert_eq!(
            split_marker("GRAND TOTAL"),
            (None, "GRAND TOTAL".to_owned())
        );
        assert_eq!(split_marker("P-4"), (None, "P-4".to_owned()));
        assert_eq!(
            rate_in("programme support charge (13%)"),
            Some(Decimal::new(13, 2))
        );
        assert_eq!(
            rate_in("reserve of 8.3 per cent"),
            Some(Decimal::new(83, 3))
        );
        assert_eq!(rate_in("staff costs"), None);
        assert_eq!(rate_in("charge €13%"), Some(Decimal::new(13, 2)));
        assert_eq!(snake_name("Sub-total (I)"), "sub_total");
        assert_eq!(snake_name("GRAND TOTAL (I + II + III)"), "grand_total");
        assert_eq!(snake_name("2016 reserve"), "row_2016_reserve");
        assert_eq!(snake_name("Title"), "title_row");
        assert_eq!(snake_name("Total"), "total");
        assert_eq!(snake_name("Évaluation"), "valuation");
        assert!(says_total("Programme expenditures (A + B)"));
        assert!(follows("B.", "A."));
        assert!(follows("II.", "I."));
        assert!(follows("10.", "9."));
        assert!(follows("(b)", "(a)"));
        assert!(follows("XIV.", "XIII."));
        assert!(!follows("I.", "I."));
        assert!(!follows("A.", "I."));
        assert!(!follows("(b)", "A."));
        assert_eq!(predecessors("V."), vec!["U.".to_owned(), "IV.".to_owned()]);
        assert_eq!(predecessors("(b)"), vec!["(a)".to_owned()]);
        assert_eq!(predecessors("10."), vec!["9.".to_owned()]);
        assert!(predecessors("A.").is_empty());
        assert!(!says_total("Adaptation"));
    }

    #[test]
    fn headings_name_years_periods_and_total() {
        let text = |t: &str| Value::Text(t.to_owned());
        assert_eq!(
            heading_kind(&Value::Number(Decimal::from(2013))),
            Some(ColumnKind::Year(2013))
        );
        assert_eq!(
            heading_kind(&text("2016 (EUR)")),
            Some(ColumnKind::Year(2016))
        );
        assert_eq!(
            heading_kind(&text("2016–2017")),
            Some(ColumnKind::Period(2016, 2017))
        );
        assert_eq!(
            heading_kind(&text("Total 2016–2017 (EUR)")),
            Some(ColumnKind::Total)
        );
        assert_eq!(heading_kind(&text("host_contribution_2012")), None);
        assert_eq!(heading_kind(&Value::Number(Decimal::new(20135, 1))), None);
    }

    #[test]
    fn bud_remarks_give_the_published_figure() {
        let remark = "≈1 GRAND TOTAL (I + II + III), 2014: stated 2,963.1, computed 2,963.199, difference -0.099: within the ±0.615 that rounding explains";
        assert_eq!(
            bud_remark(remark),
            Some((
                "GRAND TOTAL (I + II + III)".to_owned(),
                "2014".to_owned(),
                Decimal::new(29631, 1)
            ))
        );
        assert_eq!(bud_remark("* Includes 15% costs"), None);
    }

    #[test]
    fn the_step_is_the_typed_figures_precision() {
        let step = |figures: &[i64], scale: u32| {
            let typed: Vec<Decimal> = figures.iter().map(|&f| Decimal::new(f, scale)).collect();
            step_of(&typed)
        };
        assert_eq!(step(&[18752, 200, 2524], 1), (Decimal::new(1, 1), 1));
        assert_eq!(
            step(&[1_258_100, 2_104_500, 719_900, 259_200], 0),
            (Decimal::from(100), 0)
        );
        assert_eq!(step(&[1, 2, 3], 0), (Decimal::ONE, 0));
    }
}
