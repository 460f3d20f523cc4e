//! The evaluated decision as one long-format CSV file: one record per figure (every
//! cell of every table, and every value of the paragraphs), with the table, line and
//! column it belongs to. One file rather than one per table, because a spreadsheet's
//! pivot table or a data frame's filter turns a long file into any layout, while
//! several files would need a directory and lose the tables' order. Numbers are plain
//! decimals (`2922.088`, no separators) that every spreadsheet reads as numbers.

use std::io::{self, Write};

use super::view::{CellKind, Outline, Paragraph, Role, Stated, Table, TableCell, TableLine, Value};

const HEADER: [&str; 18] = [
    "table",
    "table_title",
    "line",
    "kind",
    "name",
    "label",
    "depth",
    "column",
    "unit",
    "shown",
    "value",
    "computed",
    "stated",
    "stated_value",
    "outcome",
    "difference",
    // Last, so that the columns before it keep their places: `amount`, `text` (a text
    // column's words, in `shown`) or `absent` (no amount, which is not zero).
    "cell",
    // After `cell`, for the same reason: `wrong 1` for the figure that is error 1,
    // `follows 1` for one that fails only because of it; empty otherwise.
    "error",
];

/// The document as CSV with a header record, written to `out` a table at a time: a
/// record is written as it is made, so at a million rows no list of them is held.
pub fn write(outline: &Outline<'_>, out: &mut impl Write) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(HEADER).map_err(io_error)?;
    let paragraphs = match outline.head.presentation.one_table {
        true => &[][..],
        false => &outline.head.paragraphs[..],
    };
    for paragraph in paragraphs {
        let table = paragraph_id(paragraph);
        for (index, value) in paragraph.values.iter().enumerate() {
            writer
                .write_record(value_record(&table, index, value))
                .map_err(io_error)?;
        }
    }
    for table in outline.tables() {
        for (index, line) in table.lines.iter().enumerate() {
            for (column, cell) in line.cells.iter().enumerate() {
                writer
                    .write_record(cell_record(&table, index, line, column, cell))
                    .map_err(io_error)?;
            }
        }
    }
    writer.flush()
}

/// The writer's own error where there is one, so that a reader that went away
/// (`bud evaluate … | head`) is still told apart from a failure.
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// What the `table` field says of a paragraph's values: `paragraph-11`, or its heading
/// in words (`table-1-note-d`), or `values`.
fn paragraph_id(paragraph: &Paragraph) -> String {
    match (&paragraph.number, &paragraph.heading) {
        (Some(number), _) => format!("paragraph-{number}"),
        // "Table 1, note d" as "table-1-note-d".
        (None, Some(heading)) => heading
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join("-"),
        (None, None) => "values".to_owned(),
    }
}

fn value_record(table: &str, index: usize, value: &Value) -> Vec<String> {
    let mut record = vec![
        table.to_owned(),
        String::new(),
        (index + 1).to_string(),
        "value".to_owned(),
        value.name.clone(),
        value.label(),
        "0".to_owned(),
        value.year.map(|y| y.to_string()).unwrap_or_default(),
        value.unit.clone().unwrap_or_default(),
        value.shown.clone(),
        value.value.clone().unwrap_or_default(),
        "true".to_owned(),
    ];
    record.extend(stated_fields(value.stated.as_ref()));
    record.push(CellKind::Amount.name().to_owned());
    record.push(error_field(value.role));
    record
}

/// `wrong 1`, `follows 1`, `follows` when bud does not number the error; empty for a
/// figure that is not part of an error.
fn error_field(role: Option<Role>) -> String {
    match role {
        Some(role) => match role.number() {
            Some(number) => format!("{} {number}", role.name()),
            None => role.name().to_owned(),
        },
        None => String::new(),
    }
}

fn cell_record(
    table: &Table,
    index: usize,
    line: &TableLine,
    column: usize,
    cell: &TableCell,
) -> Vec<String> {
    let heading = table.columns.get(column);
    let mut record = vec![
        table.id.clone(),
        table.title.clone().unwrap_or_default(),
        (index + 1).to_string(),
        line.kind.name().to_owned(),
        line.name.clone().unwrap_or_default(),
        line.label.clone(),
        line.depth.to_string(),
        heading.map(|c| c.heading.clone()).unwrap_or_default(),
        heading.map(|c| c.unit.clone()).unwrap_or_default(),
        cell.shown.clone(),
        cell.value.clone().unwrap_or_default(),
        cell.computed.to_string(),
    ];
    record.extend(stated_fields(cell.stated.as_ref()));
    record.push(cell.kind.name().to_owned());
    record.push(error_field(cell.role));
    record
}

fn stated_fields(stated: Option<&Stated>) -> [String; 4] {
    match stated {
        Some(stated) => [
            stated.written.clone(),
            stated.value.clone(),
            stated.outcome.name().to_owned(),
            stated.difference.clone(),
        ],
        None => Default::default(),
    }
}
