//! The evaluated decision as Markdown: a heading per table, its unit in italics, and a
//! pipe table a person can paste into a report, with the reconciliation mark beside
//! each stated figure and the footnotes and notes under it. Section lines are bold and
//! nesting is shown with non-breaking spaces, since Markdown tables have no indent.

use std::fmt::Write as _;

use super::view::{Document, LineKind, Table};

/// The document as CommonMark with GitHub's table extension.
pub fn render(document: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}: {}\n",
        escape(&document.symbol),
        escape(&document.title)
    );
    for line in document.meeting.iter().chain(&document.issuer) {
        let _ = writeln!(out, "{}\n", escape(line));
    }
    if let Some(dates) = &document.dates {
        let _ = writeln!(out, "Period {}\n", escape(dates));
    }
    if let Some(scenario) = &document.scenario {
        let _ = writeln!(out, "## Scenario {}\n", escape(&scenario.name));
        if let Some(condition) = &scenario.condition {
            let _ = writeln!(out, "{}\n", escape(condition));
        }
    }
    for paragraph in &document.paragraphs {
        let heading = match &paragraph.heading {
            Some(heading) => heading.clone(),
            None => "Values".to_owned(),
        };
        let _ = writeln!(out, "## {heading}\n");
        if let Some(text) = &paragraph.text {
            let _ = writeln!(out, "{}\n", escape(text));
        }
        for value in &paragraph.values {
            let note = if value.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape(&value.note))
            };
            let _ = writeln!(
                out,
                "- `{}` = {}{note}",
                value.label(),
                escape(&value.shown)
            );
        }
        if !paragraph.values.is_empty() {
            out.push('\n');
        }
    }
    for table in &document.tables {
        self::table(&mut out, table);
    }
    if document.is_publication() {
        let _ = writeln!(out, "*{}*", escape(&document.presentation.colophon()));
        return out;
    }
    let summary = document.summary;
    let acknowledged = match summary.acknowledged {
        0 => String::new(),
        n => format!(", {n} published errors acknowledged (!)"),
    };
    let _ = writeln!(
        out,
        "{} stated figures: {} match (✓), {} differ by rounding (≈), {} do not reconcile (✗){acknowledged}; {} not checked.",
        summary.stated, summary.matches, summary.rounding, summary.mismatches, summary.unchecked
    );
    for erratum in &document.errata {
        let _ = writeln!(
            out,
            "\n**Published error acknowledged:** {}\n",
            escape(&erratum.reason)
        );
        for figure in &erratum.figures {
            let _ = writeln!(out, "- {}", escape(figure));
        }
    }
    out
}

fn table(out: &mut String, table: &Table) {
    let heading = match &table.title {
        Some(title) => format!("{}. {title}", table.name),
        None => table.name.clone(),
    };
    let _ = writeln!(out, "## {}\n", marked(&heading));
    if !table.unit.is_empty() {
        let _ = writeln!(out, "*({})*\n", escape(&table.unit));
    }
    let mut header = format!("| {} |", escape(&table.label_heading));
    let mut rule = String::from("| :--- |");
    for column in &table.columns {
        let _ = write!(header, " {} |", marked(&column.heading));
        // Words read from the left, figures line up on the right.
        rule.push_str(if column.text { " :--- |" } else { " ---: |" });
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for line in &table.lines {
        let indent = "\u{a0}\u{a0}".repeat(line.depth);
        let label = marked(&line.label);
        let mut text = match line.kind {
            LineKind::Section => format!("| {indent}**{label}** |"),
            _ => format!("| {indent}{label} |"),
        };
        for column in 0..table.columns.len() {
            let cell = line.cells.get(column);
            let figure = cell.map_or(String::new(), |c| {
                let bud = c.bud.as_ref().map(|bud| format!("(bud {bud})"));
                [
                    c.shown.as_str(),
                    c.mark.as_str(),
                    bud.as_deref().unwrap_or_default(),
                ]
                .iter()
                .filter(|part| !part.is_empty())
                .map(|part| escape(part))
                .collect::<Vec<_>>()
                .join(" ")
            });
            let _ = write!(text, " {figure} |");
        }
        let _ = writeln!(out, "{text}");
    }
    out.push('\n');
    for note in table.footnotes.iter().chain(&table.notes) {
        let _ = writeln!(out, "{}\n", escape(note));
    }
}

/// Text that Markdown would otherwise read as markup: a `|` ends a cell, `*` and `_`
/// start emphasis, `<` a tag, and a leading `#` or `-` a heading or list.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' | '\\'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A text escaped, its footnote marks (`Administrative Services^a`) raised: `<sup>a</sup>`.
fn marked(text: &str) -> String {
    crate::format::rewrite_marks(&escape(text), |mark| format!("<sup>{mark}</sup>"))
}
