//! A shortcut past the grammar for the commonest line of a decision: a plain budget
//! line in a table, `staff_costs "Staff costs"  1,875.2  1,916.7  3,791.9`. Such lines
//! are nearly all of a large file, and reading them by hand is many times faster than
//! running the general grammar over them (see docs/performance.md). Each run of plain
//! lines is read here into rows and replaced, in the text the grammar sees, by one
//! placeholder row; lowering puts the rows back where the placeholder stands and maps
//! every other span back to the original text.
//!
//! The shortcut is conservative: it takes a line only when it is certain the grammar
//! would read it as a row with exactly this meaning (no marker, no formula, no escape,
//! no keyword for a name, figures well written), and leaves anything else to the
//! grammar, so every diagnostic still comes from there. Unit tests check that both ways
//! give the same tree.

use super::ast::{Entry, Figure, FigureKind, Ident, Row, Text};
use super::errors::KEYWORDS;
use super::figures::parse_number;
use crate::diagnostic::Span;
use compact_str::CompactString;

/// Words the shortcut does not take as a row's name: the keywords (`title "…"` is a
/// setting) and the words the grammar reserves. Sorted, for a binary search on every
/// line; a test checks it against `KEYWORDS`.
const NOT_ROW_NAMES: [&str; 39] = [
    "add",
    "apportion",
    "arrears",
    "base",
    "cap",
    "ceiling",
    "columns",
    "data",
    "decision",
    "erratum",
    "except",
    "exempt",
    "fixed",
    "floor",
    "group",
    "import",
    "in",
    "label",
    "notation",
    "note",
    "of",
    "paragraph",
    "period",
    "rates",
    "remove",
    "replace",
    "report",
    "rounding",
    "rule",
    "scale",
    "scenario",
    "stated",
    "status",
    "table",
    "title",
    "total",
    "unit",
    "without",
    "year",
];

/// The first letters of `NOT_ROW_NAMES`: most names (`line_7`) are cleared by one look.
const STARTS_A_NOT_ROW_NAME: [bool; 256] = {
    let mut starts = [false; 256];
    let mut index = 0;
    while index < NOT_ROW_NAMES.len() {
        starts[NOT_ROW_NAMES[index].as_bytes()[0] as usize] = true;
        index += 1;
    }
    starts
};

/// What the grammar sees in place of a run of plain lines: a row with an empty label.
pub(crate) const PLACEHOLDER: &str = "\"\"\n";

/// Consecutive plain lines of one table or section, read: `start..end` covers whole
/// lines, line ends included.
#[derive(Debug)]
pub(crate) struct Run {
    pub start: usize,
    pub end: usize,
    /// Entries rather than rows, sized exactly: a section of plain lines takes this
    /// vector as its own, without copying it.
    pub rows: Vec<Entry>,
}

impl Run {
    fn fitted(mut self) -> Run {
        self.rows.shrink_to_fit();
        self
    }
}

/// The text the grammar reads once the runs are replaced by placeholders.
pub(crate) struct Abridged {
    pub text: String,
    /// Per run, in order: where its placeholder starts in `text`, and its rows.
    pub placeholders: Vec<(usize, Vec<Entry>)>,
    /// Per run, in order: where its placeholder ends in `text`, and how many bytes of
    /// the original text all the runs up to and including it removed.
    pub shifts: Vec<(usize, usize)>,
}

/// Every run of plain lines in `source`, whose spans start at `base`. Empty when the
/// file's blocks cannot be followed line by line with certainty: the grammar then
/// reads all of it.
pub(crate) fn plain_row_runs(source: &str, base: usize) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Run> = None;
    let mut start = 0;
    while start < source.len() {
        let end = source[start..]
            .find('\n')
            .map_or(source.len(), |newline| start + newline + 1);
        let line = &source[start..end];
        let row = match blocks.last() {
            Some(Block::Rows) => plain_row(line, base + start),
            _ => None,
        };
        match row {
            Some(row) => match &mut current {
                Some(run) => {
                    run.rows.push(Entry::Row(row));
                    run.end = end;
                }
                None => {
                    current = Some(Run {
                        start,
                        end,
                        rows: vec![Entry::Row(row)],
                    })
                }
            },
            None => {
                runs.extend(current.take().map(Run::fitted));
                let Some(code) = code_of(line) else {
                    return Vec::new();
                };
                if !follow_blocks(&mut blocks, code) {
                    return Vec::new();
                }
            }
        }
        start = end;
    }
    runs.extend(current.map(Run::fitted));
    if !blocks.is_empty() {
        return Vec::new();
    }
    runs
}

/// `source` with each run replaced by `PLACEHOLDER`.
pub(crate) fn abridge(source: &str, runs: Vec<Run>) -> Abridged {
    let removed_bytes: usize = runs.iter().map(|run| run.end - run.start).sum();
    let mut text = String::with_capacity(source.len() - removed_bytes + runs.len() * 3);
    let mut placeholders = Vec::with_capacity(runs.len());
    let mut shifts = Vec::with_capacity(runs.len());
    let mut copied_up_to = 0;
    let mut removed = 0;
    for run in runs {
        text.push_str(&source[copied_up_to..run.start]);
        placeholders.push((text.len(), run.rows));
        text.push_str(PLACEHOLDER);
        removed += run.end - run.start - PLACEHOLDER.len();
        shifts.push((text.len(), removed));
        copied_up_to = run.end;
    }
    text.push_str(&source[copied_up_to..]);
    Abridged {
        text,
        placeholders,
        shifts,
    }
}

/// Where an offset of the abridged text is in the original one.
pub(crate) fn original_offset(shifts: &[(usize, usize)], offset: usize) -> usize {
    match shifts.partition_point(|(end, _)| *end <= offset) {
        0 => offset,
        after => offset + shifts[after - 1].1,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// A table or a section: rows may stand here.
    Rows,
    /// Anything else: a decision, paragraph, scale, group, scenario or `in` block.
    Other,
}

/// Follows a line that is not a plain row: a block opening with `{` at its end, a
/// closing `}` alone, or any other line. `false` when the line breaks the pattern the
/// grammar allows (a `}` with no block open, or after other code).
fn follow_blocks(blocks: &mut Vec<Block>, code: &str) -> bool {
    let code = code.trim_matches([' ', '\t', '\r', '\n']);
    if code == "}" {
        return blocks.pop().is_some();
    }
    if code.contains('}') {
        return false;
    }
    if let Some(opening) = code.strip_suffix('{') {
        blocks.push(opened(blocks.last().copied(), opening));
    }
    true
}

/// The kind of block a line opens, from its first words and the enclosing block.
fn opened(enclosing: Option<Block>, opening: &str) -> Block {
    let mut words = opening.split([' ', '\t']).filter(|word| !word.is_empty());
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    let opens_table = first == "table" || (first == "replace" && second == "table");
    if opens_table || (enclosing == Some(Block::Rows) && !KEYWORDS.contains(&first)) {
        Block::Rows
    } else {
        Block::Other
    }
}

/// A line without its comment and line end, or `None` when the line has something
/// the shortcut does not follow (an unclosed text, an escape).
fn code_of(line: &str) -> Option<&str> {
    let mut in_text = false;
    let bytes = line.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        match (in_text, byte) {
            (_, b'\\') => return None,
            (_, b'"') => in_text = !in_text,
            (false, b'/') if bytes.get(index + 1) == Some(&b'/') => return Some(&line[..index]),
            (_, b'\n') => return (!in_text).then_some(&line[..index]),
            _ => {}
        }
    }
    (!in_text).then_some(line)
}

/// `line` (with its line end) read as a plain row, or `None` if it is anything else.
fn plain_row(line: &str, at: usize) -> Option<Row> {
    let mut scan = Scan { line, position: 0 };
    scan.spaces();
    let name = match scan.peek()? {
        b'"' => None,
        _ => Some(scan.name(at)?),
    };
    if name.is_some() && scan.spaces() == 0 {
        return None;
    }
    let label = scan.label(at)?;
    let mut end = scan.position;
    let mut figures = Vec::new();
    let mut previous = "";
    loop {
        let gap_start = scan.position;
        let spaces = scan.spaces();
        match scan.peek() {
            None | Some(b'\n' | b'\r') => break,
            Some(b'/') => {
                scan.comment()?;
                break;
            }
            Some(_) if spaces == 0 => return None,
            Some(_) => {
                let from = scan.position;
                figures.push(scan.figure(at)?);
                let written = &line[from..scan.position];
                // `2 250 862`: one space between digit groups may join them, which
                // depends on the table's columns; the grammar's reading decides.
                if &line[gap_start..from] == " " && may_be_one_number(previous, written) {
                    return None;
                }
                previous = written;
                end = scan.position;
            }
        }
    }
    let rest = &line[scan.position..];
    if !(rest.is_empty() || rest == "\n" || rest == "\r\n") {
        return None;
    }
    // The grammar's row ends after the whitespace and comment it skips before looking
    // for a formula, so its span does too.
    if scan.position > end {
        end = scan.position;
    }
    Some(Row {
        marker: None,
        name,
        label,
        figures: figures.into(),
        formula: None,
        span: Span::new(at + row_start(line), at + end),
    })
}

/// Where a row starts on its line: after the indentation.
fn row_start(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

struct Scan<'a> {
    line: &'a str,
    position: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.line.as_bytes().get(self.position).copied()
    }

    /// Skips spaces and tabs; how many.
    fn spaces(&mut self) -> usize {
        let from = self.position;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.position += 1;
        }
        self.position - from
    }

    fn name(&mut self, at: usize) -> Option<Ident> {
        let from = self.position;
        let first = self.peek()?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
            self.position += 1;
        }
        let name = &self.line[from..self.position];
        if STARTS_A_NOT_ROW_NAME[usize::from(first)] && NOT_ROW_NAMES.binary_search(&name).is_ok() {
            return None;
        }
        Some(Ident {
            name: CompactString::from(name.to_owned()),
            span: Span::new(at + from, at + self.position),
        })
    }

    fn label(&mut self, at: usize) -> Option<Text> {
        let from = self.position;
        if self.peek()? != b'"' {
            return None;
        }
        let inner = &self.line[from + 1..];
        let length = inner.find(['"', '\\', '\n', '\r'])?;
        if inner.as_bytes()[length] != b'"' {
            return None;
        }
        self.position = from + 1 + length + 1;
        Some(Text {
            value: CompactString::from(inner[..length].to_owned()),
            span: Span::new(at + from, at + self.position),
        })
    }

    /// A figure: a number, `-` or `_`, ending at a space or the line's end.
    fn figure(&mut self, at: usize) -> Option<Figure> {
        let from = self.position;
        while matches!(self.peek(), Some(b) if !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            self.position += 1;
        }
        let written = &self.line[from..self.position];
        let kind = match written {
            "-" => FigureKind::Dash,
            "_" => FigureKind::Blank,
            _ if well_written(written) => FigureKind::Number(parse_number(written).ok()?),
            _ => return None,
        };
        Some(Figure {
            kind,
            span: Span::new(at + from, at + self.position),
        })
    }

    /// A `//` comment, to the line's end.
    fn comment(&mut self) -> Option<()> {
        if !self.line[self.position..].starts_with("//") {
            return None;
        }
        let rest = &self.line[self.position..];
        self.position += rest.find(['\r', '\n']).unwrap_or(rest.len());
        Some(())
    }
}

/// Whether two figures parted by one space could be groups of one number (`2 250`).
fn may_be_one_number(before: &str, after: &str) -> bool {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let group = after.split('.').next().unwrap_or(after);
    digits(before.trim_start_matches('-')) && group.len() == 3 && digits(group)
}

/// Whether `written` is a whole figure as the grammar writes one: `-`? digits, then
/// `,digits` groups, then `.digits`. (Whether the groups have three digits is
/// `parse_number`'s to say.)
fn well_written(written: &str) -> bool {
    let unsigned = written.strip_prefix('-').unwrap_or(written);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    integer.split(',').all(digits) && fraction.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::super::parser::{parse_at, parse_by_grammar};
    use super::*;
    use proptest::prelude::*;

    /// Parses `source` both ways and insists on the same tree or the same diagnostics.
    fn same_both_ways(source: &str) {
        assert_eq!(
            parse_at(source, 7),
            parse_by_grammar(source, 7),
            "the shortcut read this differently:\n{source}"
        );
    }

    fn in_a_table(rows: &str) -> String {
        format!(
            "table 1 t {{\n    columns 2013 2014 Total\n    I. s \"Section\" {{\n{rows}    }}\n{rows}}}\n"
        )
    }

    #[test]
    fn the_words_not_taken_as_names_are_the_keywords_and_reserved_words() {
        let mut expected: Vec<&str> = KEYWORDS.to_vec();
        expected.extend(["of", "year", "stated", "in", "except"]);
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(NOT_ROW_NAMES.to_vec(), expected);
    }

    #[test]
    fn the_bundled_decision_reads_the_same_and_takes_the_shortcut() {
        let source = include_str!("../../decisions/bs-vi-7.bud");
        assert!(plain_row_runs(source, 0).len() > 5);
        same_both_ways(source);
    }

    #[test]
    fn plain_lines_in_every_layout_read_the_same() {
        for line in [
            "a \"A\" 1 2 3",
            "a \"A\" 1,875.2   -   _",
            "    a\t\"A\"\t-12.5\t0.0\t3\t",
            "a \"A\" 1 2 3   ",
            "a \"A\" 1 2 3 // a note",
            "a \"A\"// a note",
            "\"Only a label\"",
            "\"No name\" 1 2 3",
            "a \"A\" 1 2 3\r",
            "income \"Starts like a reserved word\" 1",
            "_a \"Underscore\" 1",
        ] {
            let source = in_a_table(&format!("        {line}\n        b \"B\" 4 5 9\n"));
            assert!(!plain_row_runs(&source, 0).is_empty(), "{line}");
            same_both_ways(&source);
        }
    }

    #[test]
    fn lines_the_shortcut_leaves_to_the_grammar_read_the_same() {
        for line in [
            "A. a \"Marked\" 1 2 3",
            "(a) \"Marked\" 1 2 3",
            "a \"Computed\" 1 2 3 = 1 + 2",
            "a \"Esc\\\"aped\" 1",
            "title \"A keyword\"",
            "note \"A keyword\"",
            "in \"Reserved\" 1",
            "a\"Glued\" 1",
            "a \"A\"1",
            "a \"A\" 18,75.2",
            "a \"A\" 1.",
            "a \"A\" 1,",
            "a \"A\" --1",
            "a \"A\" 1 / 2",
            "a \"A\" 99999999999999999999999999999999",
            "a \"A\" 1 x",
            "a \"A\" \"Words in a text column\" 1",
            "a \"A\" absent 1",
            "label \"A keyword\"",
        ] {
            same_both_ways(&in_a_table(&format!(
                "        b \"B\" 4 5 9\n        {line}\n"
            )));
        }
    }

    #[test]
    fn a_large_file_parsed_in_parallel_is_the_same_tree() {
        let decision = include_str!("../../decisions/bs-vi-7.bud");
        let large = decision.repeat(80);
        assert!(large.len() > 1 << 20);
        // On one core there is nothing to split for; the tree must be the same anyway.
        let parallel = super::super::parser::parse_in_parallel(&large, 5);
        assert_eq!(parallel.is_some(), rayon::current_num_threads() > 1);
        assert_eq!(parse_at(&large, 5), parse_by_grammar(&large, 5));
    }

    #[test]
    fn a_cut_inside_a_block_falls_back_to_one_piece() {
        // Unindented, a scenario's table starts at the margin, where a cut may fall.
        let scenario = "scenario s \"S\" {\ntable 9 t {\n    columns 2013\n    a \"A\" 1\n}\n}\n";
        let large = format!("{}{scenario}", include_str!("../../decisions/bs-vi-7.bud")).repeat(70);
        assert!(large.len() > 1 << 20);
        assert_eq!(parse_at(&large, 0), parse_by_grammar(&large, 0));
    }

    #[test]
    fn rows_outside_a_table_are_not_taken() {
        let source = "scale 5 s {\n    \"Party\" 1 2 3\n}\ngroup g {\n    \"Angola\"\n}\n";
        assert!(plain_row_runs(source, 0).is_empty());
        same_both_ways(source);
    }

    #[test]
    fn unbalanced_blocks_leave_the_whole_file_to_the_grammar() {
        let source = "table 1 t {\n    a \"A\" 1\n";
        assert!(plain_row_runs(source, 0).is_empty());
        same_both_ways(source);
        same_both_ways("}\ntable 1 t {\n    a \"A\" 1\n}\n");
    }

    #[test]
    fn spans_after_a_run_point_into_the_original_text() {
        let source = in_a_table("        a \"A\" 1 2 3\n        b \"B\" 4 5 9\n");
        let Ok(file) = parse_at(&source, 0) else {
            panic!("does not parse")
        };
        let crate::syntax::ast::Item::Table(table) = &file.items[0] else {
            panic!("not a table")
        };
        assert_eq!(table.span.end(), source.len() - 1);
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_owned()),
            Just("in".to_owned()),
            Just("title".to_owned()),
            Just("\"Label\"".to_owned()),
            Just("\"\"".to_owned()),
            Just("\"a\\\"b\"".to_owned()),
            Just("-".to_owned()),
            Just("_".to_owned()),
            Just("=".to_owned()),
            Just("+".to_owned()),
            Just("A.".to_owned()),
            Just("// c".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            "-?[0-9]{1,4}(,[0-9]{1,4})?(\\.[0-9]{0,2})?",
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        (
            "[ \t]{0,3}",
            prop::collection::vec((token(), "[ \t]{0,2}"), 0..7),
            prop_oneof![Just("\n"), Just("\r\n")],
        )
            .prop_map(|(indent, tokens, end)| {
                let mut line = indent;
                for (token, space) in tokens {
                    line.push_str(&token);
                    line.push_str(&space);
                }
                line + end
            })
    }

    proptest! {
        #[test]
        fn any_lines_read_the_same_both_ways(lines in prop::collection::vec(line(), 1..6)) {
            let plain = "        p \"P\" 1 2 3\n";
            let rows: String = lines.iter().flat_map(|l| [plain, l.as_str()]).collect();
            let source = in_a_table(&rows);
            prop_assert_eq!(parse_at(&source, 3), parse_by_grammar(&source, 3), "{}", source);
        }
    }
}
