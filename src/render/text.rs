//! The evaluated decision as aligned text, in the published layout: the decision's
//! identity, the values of its paragraphs, then every table with its labels, columns,
//! thousands separators and published precision. Each stated figure carries a mark:
//! ✓ matches, ≈n differs by rounding, ✗n does not reconcile; numbered marks are
//! explained under the table. On a terminal, marks are coloured and long labels wrap
//! so that figures stay on their line; figures are never cut.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use super::view::{
    self, ACKNOWLEDGED, Document, FOLLOWS, LineKind, MATCH, MISMATCH, ROUNDING, Table, TableLine,
};
use crate::Checked;
use crate::format;
use crate::reconcile::Reconciliation;
use crate::semantics::Model;

pub use super::view::published;

/// How wide the text may run and whether it is coloured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// The terminal's width: long labels wrap to keep the figures on the line. `None`
    /// for a file or a pipe, where nothing wraps but the decision's prose.
    pub width: Option<usize>,
    /// ANSI colours for marks and headings, for a terminal that shows them.
    pub color: bool,
}

/// Prose (paragraph texts, notes) wraps here even when the output is wider: longer
/// lines are hard to read.
const PROSE_WIDTH: usize = 92;

/// The whole evaluated decision, or scenario of it.
pub fn evaluation_of(checked: &Checked, model: &Model) -> String {
    render(&view::document(checked, model), Layout::default())
}

/// The whole evaluated decision.
pub fn evaluation(model: &Model, reconciliation: &Reconciliation) -> String {
    render(&view::document_of(model, reconciliation), Layout::default())
}

/// The view as aligned text in the published layout.
pub fn render(document: &Document, layout: Layout) -> String {
    let document = &for_terminal(document);
    let mut out = String::new();
    let prose = layout
        .width
        .map_or(PROSE_WIDTH, |w| w.clamp(20, PROSE_WIDTH));
    header(&mut out, document, layout);
    if let Some(scenario) = &document.scenario {
        let _ = writeln!(
            out,
            "\n{}",
            paint(&format!("Scenario {}", scenario.name), bold(), layout)
        );
        for line in scenario.condition.iter().flat_map(|c| wrap(c, prose)) {
            let _ = writeln!(out, "  {line}");
        }
    }
    for paragraph in &document.paragraphs {
        let heading = match &paragraph.heading {
            Some(heading) => heading.clone(),
            None => "Values".to_owned(),
        };
        let _ = writeln!(out, "\n{}", paint(&heading, bold(), layout));
        for line in paragraph.text.iter().flat_map(|t| wrap(t, prose)) {
            let _ = writeln!(out, "  {line}");
        }
        value_lines(&mut out, &paragraph.values, layout);
    }
    for table in &document.tables {
        self::table(&mut out, table, layout, prose);
    }
    if document.is_publication() {
        let _ = writeln!(out, "\n{}", document.presentation.colophon());
    } else {
        summary(&mut out, document, layout);
    }
    out
}

fn header(out: &mut String, document: &Document, layout: Layout) {
    let title = format!("{}: {}", document.symbol, document.title);
    for line in wrap_heading(&title, layout) {
        let _ = writeln!(out, "{}", paint(&line, bold(), layout));
    }
    for line in document.meeting.iter().chain(&document.issuer) {
        for line in wrap_heading(line, layout) {
            let _ = writeln!(out, "{line}");
        }
    }
    let mut facts = Vec::new();
    if let Some(dates) = &document.dates {
        facts.push(format!("period {dates}"));
    } else if let Some(period) = document.period {
        facts.push(format!("period {}-{}", period.first, period.last));
    }
    if let Some(currency) = &document.currency {
        facts.push(format!("currency {currency}"));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}", capitalise(&facts.join(", ")));
    }
}

/// A heading wraps only on a terminal narrower than it: in a file it stays one line.
fn wrap_heading(text: &str, layout: Layout) -> Vec<String> {
    match layout.width {
        Some(width) if text.width() > width => wrap(text, width.max(20)),
        _ => vec![text.to_owned()],
    }
}

fn value_lines(out: &mut String, values: &[view::Value], layout: Layout) {
    let labels: Vec<String> = values.iter().map(view::Value::label).collect();
    let name_width = labels.iter().map(|l| l.width()).max().unwrap_or(0);
    let value_width = values.iter().map(|v| v.shown.width()).max().unwrap_or(0);
    for (value, label) in values.iter().zip(&labels) {
        let line = format!(
            "  {label}{}  {}{}  {}",
            pad(label, name_width),
            value.shown,
            pad(&value.shown, value_width),
            paint_note(&value.note, layout),
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// A stated value's note, its leading mark coloured.
fn paint_note(note: &str, layout: Layout) -> String {
    let Some(first) = note.chars().next() else {
        return String::new();
    };
    let (mark, rest) = note.split_at(first.len_utf8());
    format!("{}{rest}", paint(mark, mark_style(mark), layout))
}

// ---------------------------------------------------------------- tables

fn table(out: &mut String, table: &Table, layout: Layout, prose: usize) {
    let _ = writeln!(out);
    let heading = match &table.title {
        Some(title) => format!("{}. {}", table.name, format::superscript_marks(title)),
        None => table.name.clone(),
    };
    for line in wrap_heading(&heading, layout) {
        let _ = writeln!(out, "{}", paint(&line, bold(), layout));
    }
    if !table.unit.is_empty() {
        let _ = writeln!(out, "({})", table.unit);
    }
    let headings: Vec<String> = table
        .columns
        .iter()
        .map(|c| format::superscript_marks(&c.heading))
        .collect();
    let body: Vec<(String, Vec<CellText>)> = table.lines.iter().map(line_text).collect();
    let indents: Vec<usize> = table.lines.iter().map(|l| l.depth * 2).collect();
    if table.columns.iter().any(|column| column.text) {
        narrative_grid(out, table, &body, layout, prose);
    } else {
        grid_in(
            out,
            &table.label_heading,
            &headings,
            &body,
            &indents,
            layout,
        );
    }
    for footnote in &table.footnotes {
        let _ = writeln!(out, "{}", paint_note(footnote, layout));
    }
    for note in &table.notes {
        for line in wrap(note, prose) {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn line_text(line: &TableLine) -> (String, Vec<CellText>) {
    let label = indent(line.depth, &format::superscript_marks(&line.label));
    let cells = match line.kind {
        LineKind::Section => Vec::new(),
        _ => line
            .cells
            .iter()
            .map(|cell| CellText {
                figure: cell.shown.clone(),
                // bud's figure beside a published one that does not reconcile.
                mark: match &cell.bud {
                    Some(bud) => format!("{} (bud {bud})", cell.mark),
                    None => cell.mark.clone(),
                },
            })
            .collect(),
    };
    (label, cells)
}

/// One printed cell: the figure and its mark.
pub(super) struct CellText {
    pub(super) figure: String,
    pub(super) mark: String,
}

/// Labels down the left, figures right-aligned under their headings, a mark beside
/// each; labels that would push the figures past the layout's width;
/// a wrapped label's further lines are indented under its text (`indents`: how far
/// each label's text starts).
fn grid_in(
    out: &mut String,
    first: &str,
    headings: &[String],
    body: &[(String, Vec<CellText>)],
    indents: &[usize],
    layout: Layout,
) {
    let mark_width = body
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|c| c.mark.width()))
        .max()
        .unwrap_or(0);
    // A long heading (`UNFCCC adjusted scale of assessments for 2016`) wraps over
    // lines as narrow as its column's figures allow, at least HEADING_WIDTH.
    let heading_lines: Vec<Vec<String>> = (0..headings.len())
        .map(|i| {
            let widest_figure = body
                .iter()
                .filter_map(|(_, cells)| cells.get(i).map(|c| c.figure.width()))
                .max()
                .unwrap_or(0);
            wrap_label(&headings[i], widest_figure.max(HEADING_WIDTH), 0)
                .into_iter()
                .map(|line| line.trim().to_owned())
                .collect()
        })
        .collect();
    let figure_widths: Vec<usize> = (0..headings.len())
        .map(|i| {
            body.iter()
                .filter_map(|(_, cells)| cells.get(i).map(|c| c.figure.width()))
                .chain(heading_lines[i].iter().map(|line| line.width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mark_gap = if mark_width > 0 { mark_width + 1 } else { 0 };
    let figures_width: usize = figure_widths.iter().map(|w| w + 2 + mark_gap).sum();
    let widest_label = body
        .iter()
        .map(|(label, _)| label.width())
        .chain(std::iter::once(first.width()))
        .max()
        .unwrap_or(0);
    // Labels give way to figures, down to a readable minimum; figures never shrink.
    let label_width = match layout.width {
        Some(width) => widest_label.min(width.saturating_sub(figures_width).max(MIN_LABEL_WIDTH)),
        None => widest_label,
    };

    // Headings stand on the line above the rule; a wrapped one starts higher.
    let depth = heading_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut rule_width = 0;
    for level in 0..depth {
        let last = level + 1 == depth;
        let left = if last { first } else { "" };
        let mut heading = format!("{left}{}", pad(left, label_width));
        for (lines, width) in heading_lines.iter().zip(&figure_widths) {
            let text = (level + lines.len())
                .checked_sub(depth)
                .and_then(|line| lines.get(line))
                .map_or("", String::as_str);
            let _ = write!(
                heading,
                "  {}{text}{}",
                " ".repeat(width - text.width()),
                " ".repeat(mark_gap)
            );
        }
        rule_width = rule_width.max(heading.trim_end().width());
        let _ = writeln!(out, "{}", paint(heading.trim_end(), bold(), layout));
    }
    let _ = writeln!(out, "{}", "─".repeat(rule_width));
    for ((label, cells), indent) in body.iter().zip(indents) {
        let mut label_lines = wrap_label(label, label_width, *indent);
        let last = label_lines.pop().unwrap_or_default();
        for line in label_lines {
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let mut line = format!("{last}{}", pad(&last, label_width));
        for (cell, width) in cells.iter().zip(&figure_widths) {
            let mark = marked(cell, mark_width, layout);
            let figure = if cell.figure == "?" {
                paint(&cell.figure, mark_style(MISMATCH), layout)
            } else {
                cell.figure.clone()
            };
            let _ = write!(
                line,
                "  {}{figure}{mark}",
                " ".repeat(width - cell.figure.width()),
            );
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

const MIN_LABEL_WIDTH: usize = 16;

/// How narrow a long column heading may wrap, however narrow its figures.
const HEADING_WIDTH: usize = 12;

/// Space between two columns of a narrative table.
const GUTTER: &str = "   ";

/// A table with text columns: the label and each text column wrap within a share of
/// the width (the terminal's, or the prose width in a file, since such cells are
/// prose), figures keep their natural width on the row's first line, and rows are
/// set apart by a blank line when any of them wraps.
fn narrative_grid(
    out: &mut String,
    table: &Table,
    body: &[(String, Vec<CellText>)],
    layout: Layout,
    prose: usize,
) {
    let grid = NarrativeGrid::of(
        table,
        body,
        layout.width.unwrap_or(prose.max(PROSE_WIDTH + 28)),
    );
    let mut heading = pad_to(
        &format::superscript_marks(&table.label_heading),
        grid.widths[0],
    );
    for (i, column) in table.columns.iter().enumerate() {
        heading.push_str(GUTTER);
        let text = format::superscript_marks(&column.heading);
        if column.text {
            heading.push_str(&pad_to(&text, grid.widths[i + 1]));
        } else {
            let room = grid.figure_room(i);
            let _ = write!(
                heading,
                "{}{text}{}",
                pad(&text, room),
                " ".repeat(grid.mark_gap(i))
            );
        }
    }
    let heading = heading.trim_end().to_owned();
    let _ = writeln!(out, "{}", paint(&heading, bold(), layout));
    let _ = writeln!(out, "{}", "─".repeat(heading.width()));
    let rendered: Vec<Vec<String>> = body
        .iter()
        .map(|(label, cells)| grid.row(table, label, cells, layout))
        .collect();
    let spaced = rendered.iter().any(|lines| lines.len() > 1);
    for (index, lines) in rendered.iter().enumerate() {
        if spaced && index > 0 {
            let _ = writeln!(out);
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// The widths of a narrative table: the label's first, then each column's (a figure
/// column's includes room for its widest mark, so that figures line up).
struct NarrativeGrid {
    widths: Vec<usize>,
    mark_widths: Vec<usize>,
}

impl NarrativeGrid {
    fn of(table: &Table, body: &[(String, Vec<CellText>)], total: usize) -> Self {
        let widest = |width: &dyn Fn(&str, &[CellText]) -> usize| {
            body.iter()
                .map(|(label, cells)| width(label, cells))
                .max()
                .unwrap_or(0)
        };
        let mark_widths: Vec<usize> = (0..table.columns.len())
            .map(|i| widest(&|_, cells| cells.get(i).map_or(0, |c| c.mark.width())))
            .collect();
        let mut grid = NarrativeGrid {
            widths: Vec::new(),
            mark_widths,
        };
        grid.widths
            .push(widest(&|label, _| label.width()).max(table.label_heading.width()));
        for (i, column) in table.columns.iter().enumerate() {
            let figures = widest(&|_, cells| cells.get(i).map_or(0, |c| c.figure.width()));
            grid.widths
                .push(figures.max(column.heading.width()) + grid.mark_gap(i));
        }
        grid.share_out(table, total);
        grid
    }

    /// The label and the text columns share what the figures leave, each in
    /// proportion to its longest text, none narrower than a readable minimum unless
    /// its text is.
    fn share_out(&mut self, table: &Table, total: usize) {
        let flexible: Vec<usize> = std::iter::once(0)
            .chain(
                (0..table.columns.len())
                    .filter(|i| table.columns[*i].text)
                    .map(|i| i + 1),
            )
            .collect();
        let fixed: usize = (1..self.widths.len())
            .filter(|i| !flexible.contains(i))
            .map(|i| self.widths[i])
            .sum::<usize>()
            + GUTTER.len() * table.columns.len();
        let wanted: usize = flexible.iter().map(|i| self.widths[*i]).sum();
        let room = total.saturating_sub(fixed);
        if wanted <= room {
            return;
        }
        for i in flexible {
            let share = self.widths[i] * room / wanted.max(1);
            self.widths[i] = share.max(MIN_LABEL_WIDTH).min(self.widths[i]);
        }
    }

    fn mark_gap(&self, column: usize) -> usize {
        match self.mark_widths[column] {
            0 => 0,
            width => width + 1,
        }
    }

    /// Where a figure column's figures end: before its marks.
    fn figure_room(&self, column: usize) -> usize {
        self.widths[column + 1] - self.mark_gap(column)
    }

    /// One table line: its label and text cells wrapped side by side, its figures on
    /// the first of its lines.
    fn row(&self, table: &Table, label: &str, cells: &[CellText], layout: Layout) -> Vec<String> {
        let wrapped = |text: &str, column: usize| -> Vec<String> {
            if text.width() <= self.widths[column] {
                vec![text.to_owned()]
            } else {
                wrap(text, self.widths[column])
            }
        };
        // A label keeps its section's indentation on every line it wraps to.
        let indent = label.len() - label.trim_start().len();
        let label_lines = if label.width() <= self.widths[0] {
            vec![label.to_owned()]
        } else {
            let margin = " ".repeat(indent);
            wrap(
                label.trim_start(),
                self.widths[0].saturating_sub(indent).max(1),
            )
            .into_iter()
            .map(|line| format!("{margin}{line}"))
            .collect()
        };
        let mut columns = vec![label_lines];
        for (i, cell) in cells.iter().enumerate() {
            columns.push(if table.columns[i].text {
                wrapped(&cell.figure, i + 1)
            } else {
                let mark = marked(cell, self.mark_widths[i], layout);
                vec![format!(
                    "{}{}{mark}",
                    pad(&cell.figure, self.figure_room(i)),
                    cell.figure
                )]
            });
        }
        let height = columns.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|row| {
                let mut line = String::new();
                for (column, lines) in columns.iter().enumerate() {
                    if column > 0 {
                        line.push_str(GUTTER);
                    }
                    let text = lines.get(row).map_or("", String::as_str);
                    line.push_str(&pad_to(text, self.widths[column]));
                }
                line.trim_end().to_owned()
            })
            .collect()
    }
}

/// A figure's mark, coloured, after a space and padded to the column's widest mark;
/// nothing in a column without marks.
fn marked(cell: &CellText, mark_width: usize, layout: Layout) -> String {
    if mark_width == 0 {
        return String::new();
    }
    format!(
        " {}{}",
        paint(&cell.mark, mark_style(&cell.mark), layout),
        pad(&cell.mark, mark_width)
    )
}

/// `text` and the spaces that make it `width` wide.
fn pad_to(text: &str, width: usize) -> String {
    format!("{text}{}", pad(text, width))
}

/// A label cut to `width` at spaces, its further lines indented two more than its
/// first; the figures go on its last line. A word longer than the width stays whole.
fn wrap_label(label: &str, width: usize, indent: usize) -> Vec<String> {
    if label.width() <= width {
        return vec![label.to_owned()];
    }
    let continuation = " ".repeat((indent + 2).min(width / 2));
    let mut lines = Vec::new();
    let mut line = " ".repeat(indent);
    let mut empty = true;
    for word in label.split_whitespace() {
        if !empty && line.width() + 1 + word.width() > width {
            lines.push(std::mem::replace(&mut line, continuation.clone()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

fn summary(out: &mut String, document: &Document, layout: Layout) {
    let summary = document.summary;
    let total = summary.stated;
    let _ = writeln!(
        out,
        "\n{total} stated figure{}: {} match{}, {} differ{} by rounding, {} do{} not reconcile.",
        if total == 1 { "" } else { "s" },
        summary.matches,
        if summary.matches == 1 { "es" } else { "" },
        summary.rounding,
        if summary.rounding == 1 { "s" } else { "" },
        summary.mismatches,
        if summary.mismatches == 1 { "es" } else { "" },
    );
    if summary.inherited > 0 {
        let _ = writeln!(
            out,
            "{} of those that do not reconcile follow from an error reported once, with the errors: \
             a wrong figure they are computed from, or one cause in a scale.",
            summary.inherited,
        );
    }
    if summary.unchecked > 0 {
        let _ = writeln!(
            out,
            "{} more could not be checked (shown ?): each failure is reported once, with the \
             errors, and not again at the totals that depend on it.",
            summary.unchecked,
        );
    }
    errata(out, document, layout);
    let mut legend = vec![
        (MATCH, "matches the published figure"),
        (ROUNDING, "differs only by rounding"),
        (MISMATCH, "does not reconcile"),
    ];
    if summary.inherited > 0 {
        legend.push((
            FOLLOWS_ERROR,
            "does not reconcile only because of error ✗n, not wrong in itself",
        ));
    }
    if summary.acknowledged > 0 {
        legend.push((ACKNOWLEDGED, "a published error, acknowledged"));
    }
    let one_line: usize = legend
        .iter()
        .map(|(mark, meaning)| mark.width() + 1 + meaning.width())
        .sum::<usize>()
        + 3 * (legend.len() - 1);
    // On a terminal narrower than the legend, one mark a line rather than a broken one.
    let separator = match layout.width {
        Some(width) if one_line > width => "\n",
        _ => "   ",
    };
    let legend: Vec<String> = legend
        .iter()
        .map(|(mark, meaning)| format!("{} {meaning}", paint(mark, mark_style(mark), layout)))
        .collect();
    let _ = writeln!(out, "{}", legend.join(separator));
    if summary.unchecked > 0 {
        let _ = writeln!(
            out,
            "{} not computed: the cell failed, or depends on one that did",
            paint("?", mark_style(MISMATCH), layout)
        );
    }
}

/// "3 published errors acknowledged (shown !):", then each reason and its figures.
fn errata(out: &mut String, document: &Document, layout: Layout) {
    let count = document.summary.acknowledged;
    if count == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "{count} published error{} acknowledged by the decision (shown {}), none failing:",
        if count == 1 { "" } else { "s" },
        paint(ACKNOWLEDGED, mark_style(ACKNOWLEDGED), layout)
    );
    let width = layout.width.unwrap_or(PROSE_WIDTH + 28);
    for erratum in &document.errata {
        for line in wrap(&format!("- {}", erratum.reason), width.saturating_sub(2)) {
            let _ = writeln!(out, "  {line}");
        }
        for figure in &erratum.figures {
            for (index, line) in wrap(figure, width.saturating_sub(6)).iter().enumerate() {
                let lead = if index == 0 { "    " } else { "      " };
                let _ = writeln!(out, "{lead}{line}");
            }
        }
    }
}

// ---------------------------------------------------------------- colour

fn bold() -> Style {
    Style::new().bold()
}

/// The legend's form of a mark that points to an error: `→✗n`.
const FOLLOWS_ERROR: &str = "→✗n";

fn mark_style(mark: &str) -> Style {
    if mark.starts_with(MATCH) {
        Style::new().fg_color(Some(AnsiColor::Green.into()))
    } else if mark.starts_with(ROUNDING) {
        Style::new().fg_color(Some(AnsiColor::Yellow.into()))
    } else if mark.starts_with(ACKNOWLEDGED) {
        Style::new().fg_color(Some(AnsiColor::Cyan.into()))
    } else if mark.starts_with(FOLLOWS) {
        Style::new().fg_color(Some(AnsiColor::Magenta.into()))
    } else if mark.starts_with(MISMATCH) || mark == "?" {
        Style::new().fg_color(Some(AnsiColor::Red.into())).bold()
    } else {
        Style::new()
    }
}

/// The text in the style when colour is on; as it is otherwise.
fn paint(text: &str, style: Style, layout: Layout) -> String {
    if layout.color && !text.is_empty() {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

// ---------------------------------------------------------------- layout helpers

fn pad(text: &str, width: usize) -> String {
    " ".repeat(width.saturating_sub(text.width()))
}

fn indent(depth: usize, text: &str) -> String {
    format!("{}{text}", "  ".repeat(depth))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Splits text into lines of at most `width` columns at spaces (a longer word stays whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The document with every text from the decision safe to print: a title, label or
/// note may hold a control character or a mark that reorders text, which a terminal
/// would obey. The JSON and the workbook keep them as written.
fn for_terminal(document: &Document) -> Document {
    let safe = |text: &mut String| {
        if let std::borrow::Cow::Owned(printable) = format::printable(text) {
            *text = printable;
        }
    };
    let mut document = document.clone();
    for text in [&mut document.symbol, &mut document.title] {
        safe(text);
    }
    for text in [&mut document.meeting, &mut document.issuer]
        .into_iter()
        .flatten()
    {
        safe(text);
    }
    if let Some(scenario) = &mut document.scenario {
        safe(&mut scenario.name);
        scenario.condition.iter_mut().for_each(safe);
    }
    for paragraph in &mut document.paragraphs {
        paragraph.number.iter_mut().for_each(safe);
        paragraph.heading.iter_mut().for_each(safe);
        paragraph.text.iter_mut().for_each(safe);
        for value in &mut paragraph.values {
            safe(&mut value.note);
        }
    }
    for table in &mut document.tables {
        table.title.iter_mut().for_each(safe);
        for text in [&mut table.name, &mut table.unit, &mut table.label_heading] {
            safe(text);
        }
        table.columns.iter_mut().for_each(|c| safe(&mut c.heading));
        for line in &mut table.lines {
            safe(&mut line.label);
            line.cells.iter_mut().for_each(|cell| safe(&mut cell.shown));
        }
        table.footnotes.iter_mut().for_each(safe);
        table.notes.iter_mut().for_each(safe);
    }
    for erratum in &mut document.errata {
        safe(&mut erratum.reason);
        erratum.figures.iter_mut().for_each(safe);
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_label_keeps_every_word_and_fits_its_width() {
        let label =
            "  Meetings of the Conference of the Parties serving as the meeting of the Parties";
        let lines = wrap_label(label, 30, 2);
        assert!(lines.iter().all(|l| l.width() <= 30), "{lines:#?}");
        assert!(lines[0].starts_with("  Meetings"));
        assert!(
            lines[1..]
                .iter()
                .all(|l| l.starts_with("    ") && !l.starts_with("     "))
        );
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(words, label.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn a_label_that_fits_is_left_alone() {
        assert_eq!(wrap_label("  Staff", 30, 2), vec!["  Staff".to_owned()]);
    }
}
