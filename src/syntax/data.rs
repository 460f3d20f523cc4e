//! Data files that a decision names, such as the scale of assessments
//! `bs-vi-7-table-5.tsv`: CSV or TSV text read into a header and rows of cells, each
//! cell keeping the byte span it was written at. The spans are the point of this module:
//! whatever later finds a cell wrong (a Party that is not there, a figure that does not
//! reconcile) can show the file, line and column of that very cell. The `csv` crate does
//! the reading (quoting, doubled quotes, line endings); this module only adds a scan of
//! each record's raw bytes to learn where its cells are, and words the problems for the
//! budget officers who paste these files from spreadsheets. Like the rest of the
//! library it does no I/O: it receives the file's text.

use crate::diagnostic::{Code, Diagnostic, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    Comma,
    Tab,
}

impl Delimiter {
    /// By the file name's extension: `.csv` → Comma, `.tsv` and `.tab` → Tab
    /// (case-insensitive); anything else None.
    pub fn for_name(name: &str) -> Option<Delimiter> {
        let extension = std::path::Path::new(name).extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("csv") {
            Some(Delimiter::Comma)
        } else if extension.eq_ignore_ascii_case("tsv") || extension.eq_ignore_ascii_case("tab") {
            Some(Delimiter::Tab)
        } else {
            None
        }
    }

    fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Delimiter::Comma => "commas",
            Delimiter::Tab => "tabs",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Tab => "tab",
        }
    }
}

/// One cell as written: its text (unquoted; surrounding spaces trimmed) and where it is
/// in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCell {
    pub text: String,
    pub span: Span,
}

/// One record (line) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRow {
    /// 1-based; for a record whose quoted cell runs over several lines, its first line.
    pub line: usize,
    /// The whole record, without its line ending.
    pub span: Span,
    pub cells: Vec<DataCell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataTable {
    pub header: DataRow,
    pub rows: Vec<DataRow>,
}

const BYTE_ORDER_MARK: &str = "\u{feff}";

/// Reads the text of a data file. The first record is the header. Every record must have
/// as many cells as the header. Blank lines are skipped. A UTF-8 BOM at the start is
/// ignored (spans still index the original text).
///
/// A line whose cells are all empty, such as `,,,` or a line of tabs, counts as blank:
/// that is how spreadsheets export an empty row. The diagnostics carry no file name;
/// the caller, which knows it, sets `Diagnostic::file`.
pub fn read(text: &str, delimiter: Delimiter) -> Result<DataTable, Vec<Diagnostic>> {
    match read_all(text, delimiter) {
        (Some(table), problems) if problems.is_empty() => Ok(table),
        (_, problems) => Err(problems),
    }
}

/// As `read`, but keeps the rows that could be read alongside the problems with the
/// others, so that a caller can still check those rows and report everything at once.
/// The table is absent only when there is no readable header.
pub fn read_all(text: &str, delimiter: Delimiter) -> (Option<DataTable>, Vec<Diagnostic>) {
    let mut records = read_records(text, delimiter).into_iter();
    let header = match records.next() {
        None => return (None, vec![empty_file(delimiter)]),
        Some(Record::Row(header)) => header,
        // Without a header there is nothing to count cells against; the problems that
        // can be found are still worth reporting together.
        Some(Record::Unreadable(mut diagnostics)) => {
            for record in records {
                if let Record::Unreadable(mut more) = record {
                    diagnostics.append(&mut more);
                }
            }
            return (None, diagnostics);
        }
    };
    let mut rows = Vec::new();
    let mut diagnostics = Vec::new();
    for record in records {
        match record {
            Record::Row(row) if row.cells.len() == header.cells.len() => rows.push(row),
            Record::Row(row) => diagnostics.push(wrong_cell_count(&row, &header, delimiter)),
            Record::Unreadable(mut found) => diagnostics.append(&mut found),
        }
    }
    (Some(DataTable { header, rows }), diagnostics)
}

/// A non-blank record of the file, in the file's order.
enum Record {
    Row(DataRow),
    /// A record whose cells cannot be trusted, such as one with a stray quote.
    Unreadable(Vec<Diagnostic>),
}

fn read_records(text: &str, delimiter: Delimiter) -> Vec<Record> {
    // The csv crate would take a byte order mark for part of the first cell; reading
    // after it and adding its length back keeps the spans in the original text.
    let body_offset = if text.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    };
    let body = text.get(body_offset..).unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        // Unequal rows are reported by `read`, every one of them, with both spans; the
        // crate would stop at the first.
        .flexible(true)
        .from_reader(body.as_bytes());

    let mut lines = LineCounter::default();
    let mut end_of_previous = body_offset;
    let mut records = Vec::new();
    for result in reader.records() {
        let position = match &result {
            Ok(record) => record.position(),
            Err(error) => error.position(),
        };
        let Some(position) = position else {
            // Only an I/O error lacks a position, and reading from memory has none;
            // should one come, nothing after it can be trusted.
            if let Err(error) = result {
                let here = Span::new(end_of_previous, end_of_previous);
                records.push(Record::Unreadable(vec![unreadable(&error, here)]));
            }
            break;
        };
        let hint =
            body_offset.saturating_add(usize::try_from(position.byte()).unwrap_or(usize::MAX));
        let start = record_start(text, hint.max(end_of_previous));
        let scanned = scan_record(text, start, delimiter.byte());
        end_of_previous = scanned.span.end();
        let line = lines.line_at(text, start);
        match result {
            Ok(record) => match build_row(text, &scanned, &record, line) {
                Ok(Some(row)) => records.push(Record::Row(row)),
                Ok(None) => {}
                Err(found) => records.push(Record::Unreadable(found)),
            },
            Err(error) => {
                records.push(Record::Unreadable(vec![unreadable(&error, scanned.span)]));
            }
        }
    }
    records
}

/// Where a record really begins. The csv crate's record position can fall on the line
/// ending of the record before it, or on blank lines that it skips; a record never
/// begins with a line ending, so stepping over them finds its first byte.
fn record_start(text: &str, hint: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = hint.min(bytes.len());
    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    start
}

/// Numbers lines the way an editor does, counting line feeds, and walks forward only,
/// so numbering every record costs one pass over the text.
#[derive(Default)]
struct LineCounter {
    counted_up_to: usize,
    line_feeds: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        if offset > self.counted_up_to {
            let passed = &text.as_bytes()[self.counted_up_to..offset];
            self.line_feeds += passed.iter().filter(|&&byte| byte == b'\n').count();
            self.counted_up_to = offset;
        }
        self.line_feeds + 1
    }
}

/// Where one record and its cells lie in the text.
#[derive(Debug)]
struct ScannedRecord {
    span: Span,
    cells: Vec<ScannedCell>,
    /// The opening quote of a quoted cell that runs to the end of the file.
    unclosed_quote: Option<usize>,
}

#[derive(Debug)]
struct ScannedCell {
    /// From just after the delimiter before it to just before the one after it.
    raw: Span,
    /// Just past the quote that closed the cell, if it was quoted: anything between
    /// there and the end of the cell other than spaces is a stray.
    after_closing_quote: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScanState {
    StartOfCell,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: doubled it stands for a quote, alone it closes.
    QuoteInQuoted,
    AfterClosingQuote,
}

/// Finds the cells of the record that starts at `start`, following the same rules as
/// the csv crate's reader (a quote opens a quoted cell only as its first byte, `""`
/// inside one is a quote, `\r` and `\n` end a record outside quotes), so that its cells
/// and these spans correspond one to one. Every boundary is an ASCII byte, so every
/// span falls on a character boundary.
fn scan_record(text: &str, start: usize, delimiter: u8) -> ScannedRecord {
    let bytes = text.as_bytes();
    let mut cells = Vec::new();
    let mut state = ScanState::StartOfCell;
    let mut cell_start = start;
    let mut opening_quote = start;
    let mut after_closing_quote = None;
    let mut end = bytes.len();
    let mut index = start;
    while index < bytes.len() {
        let byte = bytes[index];
        if state == ScanState::QuoteInQuoted {
            if byte == b'"' {
                state = ScanState::Quoted;
                index += 1;
                continue;
            }
            after_closing_quote = Some(index);
            state = ScanState::AfterClosingQuote;
        }
        match state {
            ScanState::Quoted if byte == b'"' => state = ScanState::QuoteInQuoted,
            // Delimiters and line endings inside quotes are text.
            ScanState::Quoted => {}
            _ if byte == delimiter => {
                cells.push(ScannedCell {
                    raw: Span::new(cell_start, index),
                    after_closing_quote: after_closing_quote.take(),
                });
                cell_start = index + 1;
                state = ScanState::StartOfCell;
            }
            _ if byte == b'\r' || byte == b'\n' => {
                end = index;
                break;
            }
            ScanState::StartOfCell if byte == b'"' => {
                opening_quote = index;
                state = ScanState::Quoted;
            }
            ScanState::StartOfCell => state = ScanState::Unquoted,
            _ => {}
        }
        index += 1;
    }
    if state == ScanState::QuoteInQuoted {
        after_closing_quote = Some(end);
    }
    cells.push(ScannedCell {
        raw: Span::new(cell_start, end),
        after_closing_quote,
    });
    ScannedRecord {
        span: Span::new(start, end),
        cells,
        unclosed_quote: (state == ScanState::Quoted).then_some(opening_quote),
    }
}

/// The record as a row, `None` if it is blank, or what is wrong with its cells.
fn build_row(
    text: &str,
    scanned: &ScannedRecord,
    record: &csv::StringRecord,
    line: usize,
) -> Result<Option<DataRow>, Vec<Diagnostic>> {
    if let Some(quote) = scanned.unclosed_quote {
        return Err(vec![unclosed_quote(quote, line)]);
    }
    if scanned.cells.len() != record.len() {
        return Err(vec![scan_disagrees(scanned, record.len(), line)]);
    }
    let mut cells = Vec::with_capacity(record.len());
    let mut diagnostics = Vec::new();
    for (scanned_cell, field) in scanned.cells.iter().zip(record.iter()) {
        let span = trimmed(text, scanned_cell.raw);
        diagnostics.extend(misplaced_quote(text, scanned_cell, span, line));
        cells.push(DataCell {
            text: field.trim().to_owned(),
            span,
        });
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    if cells.iter().all(|cell| cell.text.is_empty()) {
        return Ok(None);
    }
    Ok(Some(DataRow {
        line,
        span: scanned.span,
        cells,
    }))
}

/// A quote that would make the cell read other than it looks. The csv crate reads
/// `"12"3` as `123`, and ` "Bolivia, Plurinational State of"` (a space before the
/// quote) as two cells with quotes in their text; refusing both beats a figure or a
/// Party name that silently differs from the file.
fn misplaced_quote(text: &str, cell: &ScannedCell, span: Span, line: usize) -> Option<Diagnostic> {
    match cell.after_closing_quote {
        Some(after_quote) => {
            let rest = slice(text, Span::new(after_quote, cell.raw.end()));
            (!rest.trim().is_empty()).then(|| text_after_closing_quote(span, line))
        }
        None => slice(text, span)
            .starts_with('"')
            .then(|| space_before_opening_quote(cell.raw, span, line)),
    }
}

/// The span without the spaces around the cell, which spreadsheets leave behind.
fn trimmed(text: &str, raw: Span) -> Span {
    let written = slice(text, raw);
    let leading = written.len() - written.trim_start().len();
    let start = raw.start() + leading;
    Span::new(start, start + written.trim().len())
}

/// The text under a span; empty for a span that does not fall on the text's character
/// boundaries, which the scan never produces.
fn slice(text: &str, span: Span) -> &str {
    text.get(span.start()..span.end()).unwrap_or_default()
}

fn cells(count: usize) -> String {
    if count == 1 {
        "1 cell".to_owned()
    } else {
        format!("{count} cells")
    }
}

fn empty_file(delimiter: Delimiter) -> Diagnostic {
    Diagnostic::error(
        Code::DataRow,
        "the data file is empty: it needs a header row naming its columns",
    )
    .at(Span::new(0, 0), "nothing here")
    .with_help(format!(
        "write the column names on the first line, separated by {}, and one line per row below it",
        delimiter.plural()
    ))
}

fn wrong_cell_count(row: &DataRow, header: &DataRow, delimiter: Delimiter) -> Diagnostic {
    let found = row.cells.len();
    let expected = header.cells.len();
    let columns = if expected == 1 { "column" } else { "columns" };
    let separators = delimiter.plural();
    let mut help = format!(
        "every row needs one cell per column, separated by {separators}; an empty cell is written as nothing between two {separators}"
    );
    if found > expected {
        // Too many cells are most often a delimiter left at the end of the line.
        help.push_str(&format!(
            "; look for a {} at the end of the line or inside a cell that is not quoted",
            delimiter.singular()
        ));
    }
    Diagnostic::error(
        Code::DataRow,
        format!(
            "line {} has {}, but the header has {expected}",
            row.line,
            cells(found)
        ),
    )
    .at(row.span, format!("{} here", cells(found)))
    .with_label(
        header.span,
        format!("the header names {expected} {columns}"),
    )
    .with_help(help)
}

fn unclosed_quote(quote: usize, line: usize) -> Diagnostic {
    Diagnostic::error(
        Code::DataRow,
        format!("line {line} opens a quoted cell that is never closed"),
    )
    .at(Span::new(quote, quote + 1), "this quote has no closing quote")
    .with_help(
        "end the cell with a closing \"; a quote inside a quoted cell is written twice, as in \"the \"\"core\"\" budget\"",
    )
}

fn text_after_closing_quote(cell: Span, line: usize) -> Diagnostic {
    Diagnostic::error(
        Code::DataRow,
        format!("line {line} has a cell with text after its closing quote"),
    )
    .at(cell, "text after the closing quote")
    .with_help(
        "a quoted cell ends at its closing quote; to keep a quote in the text, quote the whole cell and write the inner quote twice, as in \"the \"\"core\"\" budget\"",
    )
}

fn space_before_opening_quote(raw: Span, quote_onwards: Span, line: usize) -> Diagnostic {
    Diagnostic::error(
        Code::DataRow,
        format!("line {line} has a space before the opening quote of a cell"),
    )
    .at(
        Span::new(raw.start(), quote_onwards.start()),
        "remove this space",
    )
    .with_help(
        "a quote opens a quoted cell only as the cell's first character; after a space it is read as part of the text, and a delimiter inside it splits the cell",
    )
}

/// The csv crate and the scan split a record differently: a bug in bud, not the file.
fn scan_disagrees(scanned: &ScannedRecord, read: usize, line: usize) -> Diagnostic {
    Diagnostic::error(
        Code::Internal,
        format!(
            "line {line} was read as {} but located as {}",
            cells(read),
            cells(scanned.cells.len())
        ),
    )
    .at(scanned.span, "this line")
    .with_help("this is a bug in bud; please report it with the data file")
}

fn unreadable(error: &csv::Error, record: Span) -> Diagnostic {
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "a line of the data file is not valid UTF-8 text".to_owned(),
        _ => format!("the data file could not be read: {error}"),
    };
    Diagnostic::error(Code::DataRow, message).at(record, "this line")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written<'a>(text: &'a str, cell: &DataCell) -> &'a str {
        &text[cell.span.start()..cell.span.end()]
    }

    fn texts(row: &DataRow) -> Vec<&str> {
        row.cells.iter().map(|cell| cell.text.as_str()).collect()
    }

    #[test]
    fn delimiter_follows_the_extension() {
        assert_eq!(
            Delimiter::for_name("bs-vi-7-table-5.tsv"),
            Some(Delimiter::Tab)
        );
        assert_eq!(Delimiter::for_name("scale.TSV"), Some(Delimiter::Tab));
        assert_eq!(Delimiter::for_name("data/scale.tab"), Some(Delimiter::Tab));
        assert_eq!(Delimiter::for_name("scale.Csv"), Some(Delimiter::Comma));
        assert_eq!(Delimiter::for_name("scale.xlsx"), None);
        assert_eq!(Delimiter::for_name("tsv"), None);
        assert_eq!(Delimiter::for_name("csv.d/scale"), None);
    }

    #[test]
    fn tsv_cells_have_their_text_lines_and_spans() {
        let text = "party\tshare\nAlbania\t0.010\nAntigua and Barbuda\t0.002\n";
        let table = read(text, Delimiter::Tab).unwrap();
        assert_eq!(texts(&table.header), ["party", "share"]);
        assert_eq!(table.header.line, 1);
        assert_eq!(table.header.span, Span::new(0, 11));
        assert_eq!(table.rows.len(), 2);
        assert_eq!(texts(&table.rows[1]), ["Antigua and Barbuda", "0.002"]);
        assert_eq!(table.rows[1].line, 3);
        assert_eq!(
            &text[table.rows[1].span.start()..table.rows[1].span.end()],
            "Antigua and Barbuda\t0.002"
        );
        let share = &table.rows[0].cells[1];
        assert_eq!(share.span, Span::new(20, 25));
        assert_eq!(written(text, share), "0.010");
    }

    #[test]
    fn csv_cells_and_a_final_line_without_newline() {
        let text = "party,share\nAlbania,0.010\nAlgeria,0.128";
        let table = read(text, Delimiter::Comma).unwrap();
        let last = &table.rows[1];
        assert_eq!(last.line, 3);
        assert_eq!(texts(last), ["Algeria", "0.128"]);
        assert_eq!(written(text, &last.cells[1]), "0.128");
        assert_eq!(last.span.end(), text.len());
    }

    #[test]
    fn quoted_cells_keep_delimiters_and_doubled_quotes() {
        let text = "name,note\n\"Bolivia, Plurinational State of\",\"the \"\"core\"\" budget\"\n";
        let table = read(text, Delimiter::Comma).unwrap();
        let row = &table.rows[0];
        assert_eq!(
            texts(row),
            ["Bolivia, Plurinational State of", "the \"core\" budget"]
        );
        assert_eq!(
            written(text, &row.cells[0]),
            "\"Bolivia, Plurinational State of\""
        );
        assert_eq!(written(text, &row.cells[1]), "\"the \"\"core\"\" budget\"");
    }

    #[test]
    fn quoted_tsv_cell_with_a_tab_and_a_line_break() {
        let text = "name\tnote\n\"a\tb\"\t\"two\nlines\"\nlast\tone\n";
        let table = read(text, Delimiter::Tab).unwrap();
        assert_eq!(texts(&table.rows[0]), ["a\tb", "two\nlines"]);
        assert_eq!(written(text, &table.rows[0].cells[1]), "\"two\nlines\"");
        assert_eq!(
            table.rows[1].line, 4,
            "the quoted line break counts as a line"
        );
    }

    #[test]
    fn crlf_line_endings_are_not_in_spans_or_text() {
        let text = "party,share\r\nAlbania,0.010\r\n\r\nAlgeria,0.128\r\n";
        let table = read(text, Delimiter::Comma).unwrap();
        assert_eq!(table.header.span, Span::new(0, 11));
        let rows: Vec<(usize, &str)> = table
            .rows
            .iter()
            .map(|row| (row.line, &text[row.span.start()..row.span.end()]))
            .collect();
        assert_eq!(rows, [(2, "Albania,0.010"), (4, "Algeria,0.128")]);
        assert_eq!(written(text, &table.rows[1].cells[1]), "0.128");
        assert_eq!(table.rows[1].cells[1].text, "0.128");
    }

    #[test]
    fn a_byte_order_mark_is_skipped_but_spans_index_the_original_text() {
        let text = "\u{feff}party\tshare\nAlbania\t0.010\n";
        let table = read(text, Delimiter::Tab).unwrap();
        assert_eq!(table.header.cells[0].text, "party");
        assert_eq!(table.header.cells[0].span, Span::new(3, 8));
        assert_eq!(written(text, &table.rows[0].cells[0]), "Albania");
    }

    #[test]
    fn spaces_around_cells_are_trimmed_from_text_and_span() {
        let text = "party , share\n Albania ,\u{a0}0.010 \n\"Chad\"  , 0.002\n";
        let table = read(text, Delimiter::Comma).unwrap();
        assert_eq!(texts(&table.header), ["party", "share"]);
        assert_eq!(texts(&table.rows[0]), ["Albania", "0.010"]);
        assert_eq!(written(text, &table.rows[0].cells[0]), "Albania");
        assert_eq!(written(text, &table.rows[0].cells[1]), "0.010");
        assert_eq!(texts(&table.rows[1]), ["Chad", "0.002"]);
        assert_eq!(written(text, &table.rows[1].cells[0]), "\"Chad\"");
    }

    #[test]
    fn an_empty_cell_has_a_zero_length_span_where_it_is() {
        let text = "a\tb\tc\n1\t\t3\n";
        let table = read(text, Delimiter::Tab).unwrap();
        let empty = &table.rows[0].cells[1];
        assert_eq!(empty.text, "");
        assert_eq!(empty.span, Span::new(8, 8));
    }

    #[test]
    fn blank_lines_and_lines_of_only_delimiters_are_skipped() {
        let text = "\n\na,b\n\n   \n,,\n1,2\n\n";
        let table = read(text, Delimiter::Comma).unwrap();
        assert_eq!(table.header.line, 3);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].line, 7);
    }

    #[test]
    fn an_empty_file_needs_a_header() {
        for text in ["", "\n\n", "\r\n  \n", "\u{feff}", "\t\t\n"] {
            let diagnostics = read(text, Delimiter::Tab).unwrap_err();
            assert_eq!(diagnostics.len(), 1, "{text:?}");
            assert_eq!(diagnostics[0].code, Code::DataRow);
            assert_eq!(
                diagnostics[0].message,
                "the data file is empty: it needs a header row naming its columns"
            );
            assert!(diagnostics[0].help.as_deref().unwrap().contains("tabs"));
        }
    }

    #[test]
    fn a_row_with_too_few_cells_points_at_itself_and_the_header() {
        let text = "party\tun\tadjusted\ttotal\nAlbania\t0.010\t0.014\t719\nAlgeria\t0.128\t9208\n";
        let diagnostics = read(text, Delimiter::Tab).unwrap_err();
        assert_eq!(diagnostics.len(), 1);
        let diagnostic = &diagnostics[0];
        assert_eq!(diagnostic.code, Code::DataRow);
        assert_eq!(
            diagnostic.message,
            "line 3 has 3 cells, but the header has 4"
        );
        let primary = diagnostic.primary.as_ref().unwrap();
        assert_eq!(
            &text[primary.span.start()..primary.span.end()],
            "Algeria\t0.128\t9208"
        );
        assert_eq!(primary.message, "3 cells here");
        assert_eq!(diagnostic.secondary.len(), 1);
        let header = &diagnostic.secondary[0];
        assert_eq!(header.span, Span::new(0, 23));
        assert_eq!(header.message, "the header names 4 columns");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some(
                "every row needs one cell per column, separated by tabs; an empty cell is written as nothing between two tabs"
            )
        );
    }

    #[test]
    fn a_csv_row_with_too_many_cells_says_commas() {
        let text = "a,b\n1,2,\n";
        let diagnostics = read(text, Delimiter::Comma).unwrap_err();
        assert_eq!(
            diagnostics[0].message,
            "line 2 has 3 cells, but the header has 2"
        );
        let help = diagnostics[0].help.as_deref().unwrap();
        assert!(help.contains("separated by commas"), "{help}");
        assert!(help.contains("a comma at the end of the line"), "{help}");
    }

    #[test]
    fn one_cell_is_singular() {
        let diagnostics = read("a,b\nonly\n", Delimiter::Comma).unwrap_err();
        assert_eq!(
            diagnostics[0].message,
            "line 2 has 1 cell, but the header has 2"
        );
        assert_eq!(
            diagnostics[0].primary.as_ref().unwrap().message,
            "1 cell here"
        );
    }

    #[test]
    fn every_bad_row_is_reported() {
        let text = "a\tb\tc\n1\t2\n1\t2\t3\n1\t2\t3\t4\n\n1\n";
        let diagnostics = read(text, Delimiter::Tab).unwrap_err();
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "line 2 has 2 cells, but the header has 3",
                "line 4 has 4 cells, but the header has 3",
                "line 6 has 1 cell, but the header has 3",
            ]
        );
    }

    #[test]
    fn quote_problems_and_wrong_counts_are_reported_together_in_file_order() {
        let text = "a,b\n1\n\"2\"x,3\n4,5,6\n";
        let diagnostics = read(text, Delimiter::Comma).unwrap_err();
        let lines: Vec<&str> = diagnostics.iter().map(|d| &d.message[..6]).collect();
        assert_eq!(lines, ["line 2", "line 3", "line 4"]);
    }

    #[test]
    fn a_header_with_a_quote_problem_still_reports_the_others() {
        let text = "a,\"b\"c\n1,2,3\n\"4\"x,5\n";
        let diagnostics = read(text, Delimiter::Comma).unwrap_err();
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "line 1 has a cell with text after its closing quote",
                "line 3 has a cell with text after its closing quote",
            ],
            "no cell counts without a header to count against"
        );
    }

    #[test]
    fn an_unclosed_quote_points_at_the_quote() {
        let text = "a,b\n1,2\n3,\"4\n5,6\n";
        let diagnostics = read(text, Delimiter::Comma).unwrap_err();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].message,
            "line 3 opens a quoted cell that is never closed"
        );
        assert_eq!(
            diagnostics[0].primary.as_ref().unwrap().span,
            Span::new(10, 11)
        );
    }

    #[test]
    fn text_after_a_closing_quote_is_refused() {
        let text = "a,b\n\"12\"3,4\n";
        let diagnostics = read(text, Delimiter::Comma).unwrap_err();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].message,
            "line 2 has a cell with text after its closing quote"
        );
        let span = diagnostics[0].primary.as_ref().unwrap().span;
        assert_eq!(&text[span.start()..span.end()], "\"12\"3");
    }

    #[test]
    fn a_space_before_an_opening_quote_is_refused() {
        let text = "name,share\nBolivia, \"Plurinational State of, 2\"\n";
        let diagnostics = read(text, Delimiter::Comma).unwrap_err();
        assert_eq!(
            diagnostics[0].message,
            "line 2 has a space before the opening quote of a cell"
        );
        assert_eq!(
            diagnostics[0].primary.as_ref().unwrap().span,
            Span::new(19, 20)
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_text() {
        let text = "pipe,size\nsteel,5\" wide\n";
        let table = read(text, Delimiter::Comma).unwrap();
        assert_eq!(table.rows[0].cells[1].text, "5\" wide");
        assert_eq!(written(text, &table.rows[0].cells[1]), "5\" wide");
    }

    #[test]
    fn the_scale_of_assessments_shape_reads() {
        let mut text = String::from("party\tun_2012\tadjusted_2013\tcontribution_2013\n");
        for index in 0..164 {
            text.push_str(&format!("Party {index}\t0.010\t0.014\t{}\n", 357 + index));
        }
        let table = read(&text, Delimiter::Tab).unwrap();
        assert_eq!(table.rows.len(), 164);
        let last = table.rows.last().unwrap();
        assert_eq!(last.line, 165);
        assert_eq!(written(&text, &last.cells[3]), "520");
    }

    /// The cell as read from what its span covers: unquoted, with `""` as `"`.
    fn unquote(written: &str) -> String {
        match written
            .strip_prefix('"')
            .and_then(|inner| inner.strip_suffix('"'))
        {
            Some(inner) => inner.replace("\"\"", "\""),
            None => written.to_owned(),
        }
    }

    fn check_spans(text: &str, table: &DataTable) {
        for row in std::iter::once(&table.header).chain(&table.rows) {
            assert!(text.get(row.span.start()..row.span.end()).is_some());
            let line_feeds = text[..row.span.start()].matches('\n').count();
            assert_eq!(row.line, line_feeds + 1);
            for cell in &row.cells {
                let written = text.get(cell.span.start()..cell.span.end());
                assert!(written.is_some(), "{:?} in {text:?}", cell.span);
                assert!(row.span.start() <= cell.span.start() && cell.span.end() <= row.span.end());
                assert_eq!(unquote(written.unwrap()).trim(), cell.text);
            }
        }
    }

    proptest! {
        #[test]
        fn any_text_reads_without_panicking(text in any::<String>()) {
            for delimiter in [Delimiter::Comma, Delimiter::Tab] {
                if let Ok(table) = read(&text, delimiter) {
                    check_spans(&text, &table);
                }
            }
        }

        #[test]
        fn delimited_text_has_spans_that_cover_each_cell(
            text in "\u{feff}?[a\"é,\t \r\n\u{a0}]{0,60}"
        ) {
            for delimiter in [Delimiter::Comma, Delimiter::Tab] {
                match read(&text, delimiter) {
                    Ok(table) => check_spans(&text, &table),
                    Err(diagnostics) => {
                        for diagnostic in diagnostics {
                            prop_assert_ne!(diagnostic.code, Code::Internal, "{:?}", text);
                            let labels = diagnostic.primary.iter().chain(&diagnostic.secondary);
                            for label in labels {
                                prop_assert!(text.get(label.span.start()..label.span.end()).is_some());
                            }
                        }
                    }
                }
            }
        }
    }
}
