//! `bud fmt`: one canonical layout for a decision file. Blocks are indented four spaces
//! a level; a table's rows line up (names, then labels, then each column of figures
//! right-aligned, then the rule); the settings of a block and a run of `name = rule`
//! lines align on their values and `=`; comments stay on their lines; at most one blank
//! line separates items, and none opens or closes a block.
//!
//! The formatter changes only the whitespace *between* tokens, and only where there
//! was some: it never joins or splits a line, never touches a string or a comment, and
//! never puts a space where there was none (`13%`, `sum(expenditures)` stay whole). So
//! the formatted file reads exactly as the original did, which the tests check by
//! evaluating both; and since the layout depends only on the tokens, formatting a
//! formatted file changes nothing. A file that does not parse is not formatted.

use super::ast::{Change, Entry, File, Item, Row, RowEdit};
use crate::diagnostic::Diagnostic;

/// The file in its canonical layout, or the syntax errors that stop it being laid out.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let file = super::parse(source)?;
    Ok(layout_with(source, &figure_spans(&file)))
}

/// Where each figure of a row or Party line is, as the parser read it: a figure in UN
/// notation (`2 250 862`, `(41 609)`) has spaces inside, which are not the spaces
/// between tokens that the layout changes.
fn figure_spans(file: &File) -> Vec<(usize, usize)> {
    fn entries(list: &[Entry], spans: &mut Vec<(usize, usize)>) {
        for entry in list {
            match entry {
                Entry::Row(row) => row_spans(row, spans),
                Entry::Section(section) => entries(&section.entries, spans),
            }
        }
    }
    fn row_spans(row: &Row, spans: &mut Vec<(usize, usize)>) {
        spans.extend(row.figures.iter().map(|f| (f.span.start(), f.span.end())));
    }
    fn item(each: &Item, spans: &mut Vec<(usize, usize)>) {
        match each {
            Item::Table(table) => entries(&table.entries, spans),
            Item::Scale(scale) => {
                for line in scale.parties.iter().chain(&scale.total) {
                    spans.extend(line.figures.iter().map(|f| (f.span.start(), f.span.end())));
                }
            }
            Item::Scenario(scenario) => {
                for change in &scenario.changes {
                    match change {
                        Change::Add(added) | Change::Replace(added, _) => item(added, spans),
                        Change::Rows { edits, .. } => {
                            for edit in edits {
                                match edit {
                                    RowEdit::Replace(row) | RowEdit::Add { row, .. } => {
                                        row_spans(row, spans)
                                    }
                                    RowEdit::Remove(_) => {}
                                }
                            }
                        }
                        Change::Period(..) | Change::Remove(..) => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut spans = Vec::new();
    for each in &file.items {
        item(each, &mut spans);
    }
    spans.sort_unstable();
    spans
}

/// Spaces per level of nesting.
const INDENT: usize = 4;
/// Between a row's name and its label, its label and its figures, and before its rule.
const GAP: usize = 2;
/// Between two columns of figures.
const FIGURE_GAP: usize = 3;

/// Keywords of a table's or a scale's settings.
const SETTINGS: [&str; 16] = [
    "title",
    "label",
    "unit",
    "rounding",
    "columns",
    "notation",
    "note",
    "apportion",
    "rates",
    "base",
    "fixed",
    "ceiling",
    "cap",
    "floor",
    "rule",
    "data",
];

/// The block a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    File,
    Decision,
    Paragraph,
    Table,
    Section,
    Scale,
    Group,
    Scenario,
    /// `in core_budget { … }`: rows replaced, added and removed.
    RowChanges,
}

impl Block {
    /// Blocks whose rows line up together, nested sections included.
    fn holds_rows(self) -> bool {
        matches!(
            self,
            Block::Table | Block::Section | Block::Scale | Block::RowChanges
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    /// `unit thousands of US$`: a keyword and its value.
    Setting,
    /// `name = rule`: `head` is everything before the `=`.
    Definition {
        head: usize,
    },
    /// A table row or a Party line: `head` segments, the label, figures, then the rule.
    Row {
        head: usize,
        figures: usize,
        table: usize,
    },
    /// A group's members: strings only.
    Members,
    Other,
}

#[derive(Debug, Clone)]
struct Line {
    depth: usize,
    /// The code, cut at whitespace outside strings.
    segments: Vec<String>,
    comment: Option<String>,
    kind: Kind,
}

#[cfg(test)]
fn layout(source: &str) -> String {
    layout_with(source, &[])
}

/// `source` laid out, each of `figures` (byte ranges, sorted) kept as one token.
fn layout_with(source: &str, figures: &[(usize, usize)]) -> String {
    let (bom, text) = match source.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", source),
    };
    let lines = classify(text, bom.len(), figures);
    let mut out = String::from(bom);
    let widths = Widths::of(&lines);
    let mut previous_blank = true; // no blank line at the start of the file
    for (index, line) in lines.iter().enumerate() {
        if line.kind == Kind::Blank {
            let next_closes = lines[index + 1..]
                .iter()
                .find(|l| l.kind != Kind::Blank)
                .is_none_or(|l| l.segments.first().is_some_and(|s| s.starts_with('}')));
            if previous_blank || next_closes {
                continue;
            }
            out.push('\n');
            previous_blank = true;
            continue;
        }
        out.push_str(&render(line, index, &widths));
        out.push('\n');
        previous_blank = line.segments.last().is_some_and(|s| s.ends_with('{'));
    }
    // A file written with CRLF (a Windows checkout) keeps its line endings.
    let crlf = text.find('\n').is_some_and(|at| text[..at].ends_with('\r'));
    if crlf { out.replace('\n', "\r\n") } else { out }
}

// ---------------------------------------------------------------- reading lines

/// The lines of `text`, which starts `offset` bytes into the file.
fn classify(text: &str, offset: usize, figures: &[(usize, usize)]) -> Vec<Line> {
    let mut blocks = vec![Block::File];
    let mut tables = 0;
    let mut lines = Vec::new();
    let mut at = offset;
    for with_end in text.split_inclusive('\n') {
        let raw = with_end
            .strip_suffix('\n')
            .map_or(with_end, |line| line.strip_suffix('\r').unwrap_or(line));
        let (segments, comment) = split_figures(raw, at, figures);
        at += with_end.len();
        let closes = segments.first().is_some_and(|s| s.starts_with('}'));
        if closes && blocks.len() > 1 {
            blocks.pop();
        }
        let depth = blocks.len() - 1;
        let block = *blocks.last().unwrap_or(&Block::File);
        let opens = segments.last().is_some_and(|s| s.ends_with('{'));
        let kind = if segments.is_empty() {
            if comment.is_some() {
                Kind::Comment
            } else {
                Kind::Blank
            }
        } else if opens || closes {
            Kind::Other
        } else {
            kind_of(&segments, block, tables)
        };
        if opens {
            let opened = opened_block(&segments);
            if opened.holds_rows() && !block.holds_rows() {
                tables += 1;
            }
            blocks.push(opened);
        }
        lines.push(Line {
            depth,
            segments,
            comment,
            kind,
        });
    }
    // A row's table is the count of row-holding blocks opened before it, from 1.
    for line in &mut lines {
        if let Kind::Row { table, .. } = &mut line.kind {
            *table = table.saturating_sub(1);
        }
    }
    lines
}

/// What the line that ends in `{` opens, by its first words.
fn opened_block(segments: &[String]) -> Block {
    let first = segments.first().map(String::as_str).unwrap_or_default();
    let second = segments.get(1).map(String::as_str).unwrap_or_default();
    match (first, second) {
        // An arrears rule is settings only, as a decision block is.
        ("decision" | "report" | "arrears", _) => Block::Decision,
        // A note's values (`note d "…" {`) are laid out as a paragraph's.
        ("paragraph" | "note", _) => Block::Paragraph,
        ("table", _) | ("replace", "table") => Block::Table,
        // A shared rule's limits are laid out as a scale's.
        ("scale" | "rule", _) | ("replace", "scale") => Block::Scale,
        ("group", _) | ("replace", "group") => Block::Group,
        ("scenario", _) => Block::Scenario,
        ("in", _) => Block::RowChanges,
        _ => Block::Section,
    }
}

fn kind_of(segments: &[String], block: Block, tables: usize) -> Kind {
    let is_string = |s: &String| s.starts_with('"');
    match block {
        Block::Decision => return Kind::Setting,
        Block::Group if segments.iter().all(|s| is_string_member(s)) => return Kind::Members,
        _ => {}
    }
    if block.holds_rows() {
        if is_setting(segments) {
            return Kind::Setting;
        }
        if let Some(row) = row_parts(segments, tables) {
            return row;
        }
    }
    if !block.holds_rows() {
        // `reserve_level[2016] stated EUR …`: a stated figure on a line of its own.
        let head = segments
            .iter()
            .position(|s| s.starts_with('='))
            .or_else(|| segments.iter().position(|s| s == "stated"));
        if let Some(head) = head {
            if head > 0 && !segments[..head].iter().any(is_string) {
                return Kind::Definition { head };
            }
        }
    }
    Kind::Other
}

fn is_string_member(segment: &str) -> bool {
    segment.starts_with('"') && (segment.ends_with('"') || segment.ends_with("\","))
}

/// A table's or scale's setting: its keyword, and a value that is not a row's label.
fn is_setting(segments: &[String]) -> bool {
    let Some(keyword) = segments.first() else {
        return false;
    };
    if !SETTINGS.contains(&keyword.as_str()) {
        return false;
    }
    let second_is_string = segments.get(1).is_some_and(|s| s.starts_with('"'));
    match keyword.as_str() {
        "title" | "label" | "data" => second_is_string && segments.len() == 2,
        // `note "…"`, or a footnote with its mark: `note d "…"`.
        "note" => match segments.len() {
            2 => second_is_string,
            3 => segments[2].starts_with('"'),
            _ => false,
        },
        "fixed" => second_is_string && segments.len() == 3,
        // A text column's heading is a string (`columns "Synergies" 2014`), and no row
        // can be named `columns`.
        "columns" => true,
        _ => !second_is_string,
    }
}

/// `[replace | add [after X]] [marker] [name] "label" figure… [= rule]`.
fn row_parts(segments: &[String], tables: usize) -> Option<Kind> {
    let prefix = match segments.first().map(String::as_str) {
        Some("replace") => 1,
        Some("add") if segments.get(1).map(String::as_str) == Some("after") => 3,
        Some("add") => 1,
        _ => 0,
    };
    let label = segments
        .iter()
        .enumerate()
        .skip(prefix)
        .find(|(_, s)| s.starts_with('"'))
        .map(|(index, _)| index)?;
    if label > prefix + 2 {
        return None;
    }
    let rule = segments[label + 1..]
        .iter()
        .position(|s| s.starts_with('='))
        .map_or(segments.len(), |p| label + 1 + p);
    Some(Kind::Row {
        head: label,
        figures: rule - label - 1,
        table: tables,
    })
}

/// A line's code cut at whitespace outside strings, and its comment.
#[cfg(test)]
fn split(raw: &str) -> (Vec<String>, Option<String>) {
    split_figures(raw, 0, &[])
}

/// As `split`, for a line that starts at byte `line_at` of the file, keeping each
/// figure of `figures` whole; a `|` between cells, as a copied table has them, is
/// whitespace: the canonical layout aligns cells with spaces alone.
fn split_figures(
    raw: &str,
    line_at: usize,
    figures: &[(usize, usize)],
) -> (Vec<String>, Option<String>) {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = raw.char_indices().peekable();
    let mut in_string = false;
    let first = figures.partition_point(|(_, end)| *end <= line_at);
    let mut figures = figures[first..]
        .iter()
        .take_while(|(start, _)| *start < line_at + raw.len())
        .peekable();
    while let Some((at, c)) = chars.next() {
        if let Some(&&(start, end)) = figures.peek() {
            if !in_string && line_at + at == start {
                figures.next();
                if !current.is_empty() {
                    segments.push(std::mem::take(&mut current));
                }
                let until = end.saturating_sub(line_at).min(raw.len());
                // A blank cell between two `|` of a copied row is written `_`.
                let figure = raw.get(at..until).unwrap_or_default().trim();
                segments.push(if figure.is_empty() { "_" } else { figure }.to_owned());
                while chars.peek().is_some_and(|(next, _)| *next < until) {
                    chars.next();
                }
                continue;
            }
        }
        if in_string {
            current.push(c);
            if c == '\\' {
                if let Some((_, escaped)) = chars.next() {
                    current.push(escaped);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.push(c);
            }
            '/' if chars.peek().is_some_and(|(_, next)| *next == '/') => {
                if !current.is_empty() {
                    segments.push(std::mem::take(&mut current));
                }
                return (segments, Some(raw[at..].trim_end().to_owned()));
            }
            c if c.is_whitespace() || c == '|' => {
                if !current.is_empty() {
                    segments.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    (segments, None)
}

// ---------------------------------------------------------------- writing lines

/// How wide each aligned part is: per table for rows, per run of lines for settings
/// and definitions.
struct Widths {
    /// Per table: the column labels start at, figures start at, and each figure column's width.
    tables: Vec<TableWidths>,
    /// Per line of a run of settings or definitions: the width its head is padded to.
    heads: Vec<usize>,
}

#[derive(Default, Clone)]
struct TableWidths {
    label_at: usize,
    figures_at: usize,
    columns: Vec<usize>,
    /// Columns that hold words in some row: left as written, not padded, since one
    /// long text would push every other row's figures far to the right.
    text: Vec<bool>,
}

impl Widths {
    fn of(lines: &[Line]) -> Widths {
        let mut tables: Vec<TableWidths> = Vec::new();
        for line in lines {
            let Kind::Row { head, table, .. } = line.kind else {
                continue;
            };
            if tables.len() <= table {
                tables.resize(table + 1, TableWidths::default());
            }
            if head == 0 {
                continue; // a Party line or an unnamed row: its label starts the line
            }
            let widths = &mut tables[table];
            let head_width = joined_width(&line.segments[..head]);
            widths.label_at = widths.label_at.max(line.depth * INDENT + head_width + GAP);
        }
        for line in lines {
            let Kind::Row {
                head,
                figures,
                table,
            } = line.kind
            else {
                continue;
            };
            let widths = &mut tables[table];
            let label = width(&line.segments[head]);
            let label_at = label_start(line, head, widths);
            widths.figures_at = widths.figures_at.max(label_at + label + GAP);
            for (column, figure) in line.segments[head + 1..head + 1 + figures]
                .iter()
                .enumerate()
            {
                if widths.columns.len() <= column {
                    widths.columns.push(0);
                    widths.text.push(false);
                }
                widths.columns[column] = widths.columns[column].max(width(figure));
                widths.text[column] |= figure.starts_with('"');
            }
        }
        Widths {
            tables,
            heads: run_heads(lines),
        }
    }
}

/// For settings, the keyword's width padded in its run; for definitions, the width of
/// everything before `=` in its run. Other lines get 0.
fn run_heads(lines: &[Line]) -> Vec<usize> {
    let head_of = |line: &Line| match line.kind {
        Kind::Setting => Some((0, width(&line.segments[0]))),
        Kind::Definition { head } => Some((1, joined_width(&line.segments[..head]))),
        _ => None,
    };
    let mut heads = vec![0; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let Some((kind, _)) = head_of(&lines[start]) else {
            start += 1;
            continue;
        };
        let depth = lines[start].depth;
        let mut end = start;
        while end < lines.len()
            && lines[end].depth == depth
            && head_of(&lines[end]).is_some_and(|(k, _)| k == kind)
        {
            end += 1;
        }
        let widest = lines[start..end]
            .iter()
            .filter_map(|l| head_of(l).map(|(_, w)| w))
            .max()
            .unwrap_or(0);
        heads[start..end].fill(widest);
        start = end;
    }
    heads
}

fn render(line: &Line, index: usize, widths: &Widths) -> String {
    let indent = " ".repeat(line.depth * INDENT);
    let mut text = match &line.kind {
        Kind::Blank | Kind::Comment => indent,
        Kind::Setting => {
            let keyword = &line.segments[0];
            let rest = line.segments[1..].join(" ");
            let pad = widths.heads[index] - width(keyword) + 1;
            format!("{indent}{keyword}{}{rest}", " ".repeat(pad))
        }
        Kind::Definition { head } => {
            let name = line.segments[..*head].join(" ");
            // `… in US$  stated US$ 2,922,100`: the published figure stands apart.
            let rest = line.segments[*head..]
                .join(" ")
                .replace(" stated ", "  stated ");
            let apart = usize::from(rest.starts_with("stated "));
            let pad = widths.heads[index] - width(&name) + 1 + apart;
            format!("{indent}{name}{}{rest}", " ".repeat(pad))
        }
        Kind::Row {
            head,
            figures,
            table,
        } => row(line, *head, *figures, &widths.tables[*table]),
        Kind::Members => format!("{indent}{}", line.segments.join("  ")),
        Kind::Other => format!("{indent}{}", line.segments.join(" ")),
    };
    if let Some(comment) = &line.comment {
        if !line.segments.is_empty() {
            text.push_str(&" ".repeat(GAP));
        }
        text.push_str(comment);
    }
    text.trim_end().to_owned()
}

/// Where a row's label starts: in the table's label column when the row has a name or
/// marker; where the line starts when it has none.
fn label_start(line: &Line, head: usize, widths: &TableWidths) -> usize {
    if head == 0 {
        line.depth * INDENT
    } else {
        widths.label_at
    }
}

fn row(line: &Line, head: usize, figures: usize, widths: &TableWidths) -> String {
    let mut text = " ".repeat(line.depth * INDENT);
    text.push_str(&line.segments[..head].join(" "));
    pad_to(&mut text, label_start(line, head, widths));
    text.push_str(&line.segments[head]);
    let figure_segments = &line.segments[head + 1..head + 1 + figures];
    if !figure_segments.is_empty() {
        // Words after the label are read, not compared down a column: a narrative
        // table's cells follow their labels instead of lining up past the longest one.
        if widths.text.iter().any(|text| *text) {
            text.push_str(&" ".repeat(GAP));
        } else {
            pad_to(&mut text, widths.figures_at);
        }
        for (column, figure) in figure_segments.iter().enumerate() {
            let column_width = widths.columns.get(column).copied().unwrap_or(0);
            if column > 0 {
                text.push_str(&" ".repeat(FIGURE_GAP));
            }
            if !widths.text.get(column).copied().unwrap_or(false) {
                text.push_str(&" ".repeat(column_width.saturating_sub(width(figure))));
            }
            text.push_str(figure);
        }
    }
    let rule = &line.segments[head + 1 + figures..];
    if !rule.is_empty() {
        text.push_str(&" ".repeat(GAP));
        text.push_str(&rule.join(" "));
    }
    text
}

/// Pads with spaces to `column`, or one space when already there or past it.
fn pad_to(text: &mut String, column: usize) {
    let now = width(text);
    let spaces = if now < column { column - now } else { 1 };
    if !text.trim().is_empty() || now < column {
        text.push_str(&" ".repeat(spaces));
    }
}

fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

fn joined_width(segments: &[String]) -> usize {
    if segments.is_empty() {
        return 0;
    }
    segments.iter().map(|s| width(s)).sum::<usize>() + segments.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_keeps_its_spaces_and_its_slashes() {
        let (segments, comment) = split(r#"  note "a  b // c \"d\""   // e"#);
        assert_eq!(segments, ["note", r#""a  b // c \"d\"""#]);
        assert_eq!(comment.as_deref(), Some("// e"));
    }

    #[test]
    fn tokens_written_together_stay_together() {
        let (segments, _) = split("x=sum(a)+13% of  b");
        assert_eq!(segments, ["x=sum(a)+13%", "of", "b"]);
    }

    #[test]
    fn a_crlf_file_keeps_its_line_endings() {
        let source = "decision \"X\" {\r\n  title \"T\"\r\n}\r\n";
        assert_eq!(
            layout(source),
            "decision \"X\" {\r\n    title \"T\"\r\n}\r\n"
        );
        assert_eq!(layout(&layout(source)), layout(source));
    }

    #[test]
    fn blank_lines_open_and_close_no_block() {
        let source = "\n\ndecision \"X\" {\n\n    title \"T\"\n\n\n    period 2013-2014\n\n}\n\n\n";
        assert_eq!(
            layout(source),
            // The blank line the author left parts two runs of settings.
            "decision \"X\" {\n    title \"T\"\n\n    period 2013-2014\n}\n"
        );
    }
}
