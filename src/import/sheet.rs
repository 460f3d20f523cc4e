//! A sheet as a grid of cells: each cell's value (a figure, words or nothing) and, in a
//! workbook, its formula; read from the bytes of an .xlsx workbook (calamine, from an
//! in-memory cursor) or of a CSV or TSV file. A range in A1 notation narrows the grid.

use std::collections::HashMap;
use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;

use crate::diagnostic::{Code, Diagnostic};

/// The kinds of file `bud import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Csv,
    Tsv,
}

impl Kind {
    /// The kind a file's name says it is: `.xlsx`, `.csv`, `.tsv` or `.tab`.
    pub fn of_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let extension = lower.rsplit_once('.').map(|(_, e)| e)?;
        match extension {
            "xlsx" | "xlsm" => Some(Kind::Xlsx),
            "csv" => Some(Kind::Csv),
            "tsv" | "tab" => Some(Kind::Tsv),
            _ => None,
        }
    }
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    #[default]
    Empty,
    Text(String),
    /// A figure; a dash (`-`, `–`) typed in a text file is a zero.
    Number(Decimal),
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub value: Value,
    /// The formula, without its `=`, as the workbook holds it: `SUM(B6:B18)`.
    pub formula: Option<String>,
}

/// A rectangle of cells, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub top: u32,
    pub left: u32,
    pub bottom: u32,
    pub right: u32,
}

impl Area {
    /// `B4:F30`.
    pub fn a1(self) -> String {
        format!(
            "{}{}:{}{}",
            column_letters(self.left),
            self.top + 1,
            column_letters(self.right),
            self.bottom + 1
        )
    }
}

/// The cells of one sheet (or of a text file), as read.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The sheet read; `None` for a CSV or TSV file.
    pub sheet: Option<String>,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
    /// Where `rows[0][0]` is on the sheet, and how far the cells read reach.
    pub area: Area,
    pub rows: Vec<Vec<Cell>>,
    /// Merged cells that cover more than one cell, inside the area.
    pub merged: Vec<Area>,
    /// The workbook's defined names that stand for one number (`programme_support_rate`
    /// for `Decision!$D$5`, which holds 0.13), so a formula reading them can be read.
    pub names: HashMap<String, Decimal>,
}

impl Grid {
    pub fn cell(&self, row: usize, column: usize) -> Option<&Cell> {
        self.rows.get(row)?.get(column)
    }
}

/// Reads `bytes` as `kind`: the sheet named (or the first), narrowed to `range`.
pub fn read(
    bytes: &[u8],
    kind: Kind,
    sheet: Option<&str>,
    range: Option<&str>,
) -> Result<Grid, Diagnostic> {
    let wanted = range.map(parse_range).transpose()?;
    if kind != Kind::Xlsx && sheet.is_some() {
        return Err(Diagnostic::error(
            Code::ImportSheet,
            "a CSV or TSV file has no sheets, so `--sheet` cannot be used with it",
        )
        .with_help("leave out `--sheet`; `--range` still narrows the cells read"));
    }
    let mut read = match kind {
        Kind::Xlsx => read_workbook(bytes, sheet)?,
        Kind::Csv => read_text(bytes, b',')?,
        Kind::Tsv => read_text(bytes, b'\t')?,
    };
    if let Some(wanted) = wanted {
        let have = bounds(&read.cells);
        let overlaps = have.is_some_and(|have| {
            wanted.top <= have.bottom
                && wanted.bottom >= have.top
                && wanted.left <= have.right
                && wanted.right >= have.left
        });
        if !overlaps {
            let holds = have.map_or_else(|| "nothing".to_owned(), Area::a1);
            return Err(Diagnostic::error(
                Code::ImportRange,
                format!("the range {} holds no cell of the sheet", wanted.a1()),
            )
            .with_help(format!(
                "the sheet's cells are in {holds}; give a range over the table"
            )));
        }
        read.cells.retain(|&(row, column), _| {
            (wanted.top..=wanted.bottom).contains(&row)
                && (wanted.left..=wanted.right).contains(&column)
        });
        read.merged
            .retain(|m| m.top >= wanted.top && m.bottom <= wanted.bottom);
    }
    if let Some(area) = bounds(&read.cells) {
        let size = u64::from(area.bottom - area.top + 1) * u64::from(area.right - area.left + 1);
        if size > MOST_CELLS {
            return Err(Diagnostic::error(
                Code::ImportRange,
                format!(
                    "the cells read span {}, {size} cells, more than the {MOST_CELLS} bud \
                     imports as one table",
                    area.a1()
                ),
            )
            .with_help("give `--range` over the table, from its header to its last row"));
        }
    }
    let mut grid = from_cells(read.cells);
    grid.sheet = read.sheet;
    grid.sheets = read.sheets;
    grid.merged = read.merged;
    grid.names = read.names;
    Ok(grid)
}

/// The most cells a table may span (rows × columns): a sheet of 10,000 rows and 20
/// columns is 200,000. A cell far out (`XFD1048576`) would otherwise make a grid of
/// billions.
const MOST_CELLS: u64 = 5_000_000;

/// What a file holds, before it is laid out as a grid.
struct Read {
    cells: HashMap<(u32, u32), Cell>,
    sheet: Option<String>,
    sheets: Vec<String>,
    merged: Vec<Area>,
    names: HashMap<String, Decimal>,
}

/// The rectangle the cells span.
fn bounds(cells: &HashMap<(u32, u32), Cell>) -> Option<Area> {
    cells
        .keys()
        .fold(None, |area: Option<Area>, &(row, column)| {
            Some(match area {
                None => Area {
                    top: row,
                    left: column,
                    bottom: row,
                    right: column,
                },
                Some(a) => Area {
                    top: a.top.min(row),
                    left: a.left.min(column),
                    bottom: a.bottom.max(row),
                    right: a.right.max(column),
                },
            })
        })
}

fn read_workbook(bytes: &[u8], sheet: Option<&str>) -> Result<Read, Diagnostic> {
    let unreadable = |error: &dyn std::fmt::Display| {
        Diagnostic::error(
            Code::ImportSheet,
            format!("the file cannot be read as an .xlsx workbook: {error}"),
        )
        .with_help("save it from the spreadsheet as an Excel workbook (.xlsx), or as CSV")
    };
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let sheets = workbook.sheet_names();
    let name = match sheet {
        Some(name) => sheets
            .iter()
            .find(|s| s.as_str() == name)
            .or_else(|| sheets.iter().find(|s| s.eq_ignore_ascii_case(name)))
            .cloned()
            .ok_or_else(|| {
                Diagnostic::error(
                    Code::ImportSheet,
                    format!("the workbook has no sheet `{name}`"),
                )
                .with_help(format!(
                    "its sheets are {}; name one with `--sheet`",
                    listed(&sheets)
                ))
            })?,
        None => sheets.first().cloned().ok_or_else(|| {
            Diagnostic::error(Code::ImportSheet, "the workbook has no sheets")
                .with_help("save a workbook that holds the table")
        })?,
    };
    // Cell by cell, never as calamine's `Range`, which is dense: one cell in the
    // sheet's far corner would make it billions of cells.
    let mut cells: HashMap<(u32, u32), Cell> = HashMap::new();
    let too_many = || {
        Diagnostic::error(
            Code::ImportRange,
            format!(
                "the sheet holds more than {MOST_CELLS} cells, more than bud imports as one table"
            ),
        )
        .with_help("save the table on a sheet of its own")
    };
    {
        let mut reader = workbook
            .worksheet_cells_reader(&name)
            .map_err(|e| unreadable(&e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
            let value = value_of(&Data::from(cell.get_value().clone()));
            if value != Value::Empty {
                if cells.len() as u64 >= MOST_CELLS {
                    return Err(too_many());
                }
                cells.entry(cell.get_position()).or_default().value = value;
            }
        }
    }
    {
        let mut reader = workbook
            .worksheet_cells_reader(&name)
            .map_err(|e| unreadable(&e))?;
        while let Some(cell) = reader.next_formula().map_err(|e| unreadable(&e))? {
            if !cell.get_value().trim().is_empty() {
                if cells.len() as u64 >= MOST_CELLS {
                    return Err(too_many());
                }
                cells.entry(cell.get_position()).or_default().formula =
                    Some(cell.get_value().clone());
            }
        }
    }
    let merged = match workbook.load_merged_regions() {
        Ok(()) => workbook
            .merged_regions_by_sheet(&name)
            .into_iter()
            .map(|(_, _, d)| Area {
                top: d.start.0,
                left: d.start.1,
                bottom: d.end.0,
                right: d.end.1,
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let names = defined_numbers(&mut workbook);
    Ok(Read {
        cells,
        sheet: Some(name),
        sheets,
        merged,
        names,
    })
}

/// The defined names that point at one cell holding a number; the first thousand, each
/// found by reading its sheet up to its cell.
fn defined_numbers(workbook: &mut Xlsx<Cursor<&[u8]>>) -> HashMap<String, Decimal> {
    let mut found = HashMap::new();
    let names: Vec<(String, String)> = workbook
        .defined_names()
        .iter()
        .take(1000)
        .cloned()
        .collect();
    for (name, target) in names {
        let target = target.trim_start_matches('=');
        let Some((sheet, cell)) = target.rsplit_once('!') else {
            continue;
        };
        let sheet = sheet.trim_matches('\'').to_owned();
        let Some((row, column)) = parse_cell(&cell.replace('$', "")) else {
            continue;
        };
        let Ok(mut reader) = workbook.worksheet_cells_reader(&sheet) else {
            continue;
        };
        // Rows come in order: stop at the cell, or past its row.
        while let Ok(Some(cell)) = reader.next_cell() {
            let (at_row, at_column) = cell.get_position();
            if (at_row, at_column) == (row, column) {
                if let Value::Number(number) = value_of(&Data::from(cell.get_value().clone())) {
                    found.insert(name.clone(), number);
                }
                break;
            }
            if at_row > row {
                break;
            }
        }
    }
    found
}

fn value_of(data: &Data) -> Value {
    match data {
        Data::Empty => Value::Empty,
        Data::Int(n) => figure(Decimal::from(*n), n.to_string()),
        Data::Float(f) => float(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text_value(s),
        Data::Bool(b) => Value::Text(b.to_string()),
        Data::DateTime(d) => Value::Text(format!("{}", d.as_f64())),
        Data::Error(e) => Value::Text(format!("#{e:?}")),
    }
}

/// A workbook's number, exactly as the workbook means it. Excel keeps every number as a
/// binary floating-point value, so 335.1 is stored as the nearest double,
/// 335.1000000000000227…; converting that double's exact binary value would give a
/// figure nobody typed. Rust writes a double (`{}`) as the shortest decimal that reads
/// back as the same double: 335.1, which is what was typed and what the sheet shows.
/// That decimal is parsed as a `Decimal`, and no arithmetic is ever done on the float.
fn float(f: f64) -> Value {
    let shortest = format!("{f}");
    match Decimal::from_str(&shortest) {
        Ok(number) => figure(number.normalize(), shortest),
        // Too large or too small for an exact decimal (1e30, 1e-30): kept as words,
        // so it is reported rather than rounded.
        Err(_) => Value::Text(shortest),
    }
}

/// The largest figure read as one (10^20): no budget comes near it, and sums of a
/// million such figures stay far within exact decimal arithmetic.
fn figure(number: Decimal, written: String) -> Value {
    if number.abs() > Decimal::from_i128_with_scale(100_000_000_000_000_000_000, 0) {
        Value::Text(written)
    } else {
        Value::Number(number)
    }
}

/// A text cell: a figure typed as text (`1,875.2`, `2 250 862`, `(41 609)`, a dash) is
/// a figure; anything else is words.
fn text_value(text: &str) -> Value {
    let trimmed = text.trim().trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Value::Empty;
    }
    if matches!(trimmed, "-" | "–" | "—" | "−") {
        return Value::Number(Decimal::ZERO);
    }
    match crate::syntax::figures::parse_number(trimmed) {
        Ok(written) => figure(written.value, trimmed.to_owned()),
        Err(_) => Value::Text(trimmed.to_owned()),
    }
}

fn read_text(bytes: &[u8], delimiter: u8) -> Result<Read, Diagnostic> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut cells = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut row = 0u32;
    // A record csv cannot split (a stray quote at the end) ends the file as read; what
    // came before it is kept.
    while let Ok(true) = reader.read_byte_record(&mut record) {
        for (column, field) in (0u32..).zip(record.iter()) {
            let text = String::from_utf8_lossy(field);
            let value = text_value(&text);
            if value != Value::Empty {
                if cells.len() as u64 >= MOST_CELLS {
                    return Err(Diagnostic::error(
                        Code::ImportRange,
                        format!(
                            "the file holds more than {MOST_CELLS} cells, more than bud \
                             imports as one table"
                        ),
                    )
                    .with_help("save the table alone, or give `--range` over it"));
                }
                cells.insert(
                    (row, column),
                    Cell {
                        value,
                        formula: None,
                    },
                );
            }
        }
        row = row.saturating_add(1);
    }
    Ok(Read {
        cells,
        sheet: None,
        sheets: Vec::new(),
        merged: Vec::new(),
        names: HashMap::new(),
    })
}

fn from_cells(cells: HashMap<(u32, u32), Cell>) -> Grid {
    let empty = Area {
        top: 0,
        left: 0,
        bottom: 0,
        right: 0,
    };
    let area = bounds(&cells).unwrap_or(empty);
    let mut rows = if cells.is_empty() {
        Vec::new()
    } else {
        vec![
            vec![Cell::default(); (area.right - area.left + 1) as usize];
            (area.bottom - area.top + 1) as usize
        ]
    };
    for ((row, column), cell) in cells {
        if let Some(slot) = rows
            .get_mut((row - area.top) as usize)
            .and_then(|r| r.get_mut((column - area.left) as usize))
        {
            *slot = cell;
        }
    }
    Grid {
        sheet: None,
        sheets: Vec::new(),
        area,
        rows,
        merged: Vec::new(),
        names: HashMap::new(),
    }
}

/// `B4:F30` as an area; why not, in words, otherwise.
pub fn parse_range(text: &str) -> Result<Area, Diagnostic> {
    let bad = |why: String| {
        Diagnostic::error(
            Code::ImportRange,
            format!("`{text}` is not a range bud can read: {why}"),
        )
        .with_help(
            "give the range in A1 notation, its top left and bottom right cells: `--range B4:F30`",
        )
    };
    let cleaned = text.trim().replace('$', "");
    let Some((first, last)) = cleaned.split_once(':') else {
        return Err(bad("it has no `:` between two cells".to_owned()));
    };
    let corner = |cell: &str| {
        parse_cell(cell.trim()).ok_or_else(|| {
            bad(format!(
                "`{cell}` is not a cell: a column's letters then a row's number, such as B4"
            ))
        })
    };
    let (top, left) = corner(first)?;
    let (bottom, right) = corner(last)?;
    if bottom < top || right < left {
        return Err(bad(format!(
            "it ends at {last} before it starts at {first}; the first cell is the top left one"
        )));
    }
    Ok(Area {
        top,
        left,
        bottom,
        right,
    })
}

/// `B4` as (row, column), 0-based.
pub fn parse_cell(cell: &str) -> Option<(u32, u32)> {
    let letters = cell.chars().take_while(char::is_ascii_alphabetic).count();
    let (column, row) = cell.split_at(letters);
    if letters == 0 || letters > 3 || row.is_empty() || !row.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let column = column.chars().try_fold(0u32, |acc, c| {
        let digit = u32::from(c.to_ascii_uppercase()) - u32::from('A') + 1;
        acc.checked_mul(26)?.checked_add(digit)
    })?;
    let row: u32 = row.parse().ok()?;
    if row == 0 || row > 1_048_576 || column > 16_384 {
        return None;
    }
    Some((row - 1, column - 1))
}

/// `AB` for the 28th column (0-based 27).
pub fn column_letters(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn listed(sheets: &[String]) -> String {
    sheets
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_ranges_in_a1_notation() {
        assert_eq!(parse_cell("B4"), Some((3, 1)));
        assert_eq!(parse_cell("AA10"), Some((9, 26)));
        assert_eq!(parse_cell("4B"), None);
        assert_eq!(column_letters(27), "AB");
        assert_eq!(
            parse_range("$B$4:F30").map(Area::a1).ok(),
            Some("B4:F30".into())
        );
        assert!(parse_range("F30:B4").is_err());
        assert!(parse_range("B4").is_err());
    }

    #[test]
    fn floats_become_the_decimal_that_was_typed() {
        assert_eq!(float(335.1), Value::Number(Decimal::new(3351, 1)));
        assert_eq!(float(0.13), Value::Number(Decimal::new(13, 2)));
        assert_eq!(float(2577.6), Value::Number(Decimal::new(25776, 1)));
    }
}
