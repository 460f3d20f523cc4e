//! The proposal as the text of a `.bud` file: a decision block, then the table with its
//! settings, sections, rows and notes, laid out by `bud fmt`'s formatter.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::infer::{Line, Proposal, column_name, rule_text};
use crate::syntax::ast::RoundingMode;

/// The `.bud` text of the proposal, unformatted.
pub fn text(proposal: &Proposal, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// Imported by `bud import` from {source}.");
    let _ = writeln!(
        out,
        "// Inputs are the sheet's figures; each row with `= …` was recognised as computed,"
    );
    let _ = writeln!(
        out,
        "// and its figures are the stated figures `bud check` reconciles."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "decision {} {{", quoted(&proposal.symbol));
    let _ = writeln!(out, "    title {}", quoted(&proposal.decision_title));
    let _ = writeln!(
        out,
        "    period {}-{}",
        proposal.period.0, proposal.period.1
    );
    let _ = writeln!(out, "    currency {}", proposal.currency);
    let _ = writeln!(out, "}}");
    let _ = writeln!(out);
    match &proposal.number {
        Some(number) => {
            let _ = writeln!(out, "table {number} {} {{", proposal.name);
        }
        None => {
            let _ = writeln!(out, "table {} {{", proposal.name);
        }
    }
    if let Some(title) = &proposal.title {
        let _ = writeln!(out, "    title {}", quoted(title));
    }
    let _ = writeln!(out, "    unit {}", proposal.unit);
    if let Some(step) = proposal.rounding {
        let _ = writeln!(out, "    rounding {} half-up", step.normalize());
    }
    let columns: Vec<String> = proposal
        .columns
        .iter()
        .map(|c| match &c.heading {
            Some(heading) => format!("{} as {}", column_name(c), quoted(heading)),
            None => column_name(c),
        })
        .collect();
    let _ = writeln!(out, "    columns {}", columns.join(" "));
    let _ = writeln!(out);

    let mut open: Vec<usize> = Vec::new();
    for (i, line) in proposal.lines.iter().enumerate() {
        // Close the sections this line is past.
        while let Some(&top) = open.last() {
            if proposal.sections[top].end.is_some_and(|end| end < i) {
                open.pop();
                let _ = writeln!(out, "{}}}", indent(open.len() + 1));
            } else {
                break;
            }
        }
        if line.heading {
            if let Some(id) = proposal.sections.iter().position(|s| s.heading == i) {
                let section = &proposal.sections[id];
                let _ = writeln!(
                    out,
                    "{}{}{} {} {{",
                    indent(open.len() + 1),
                    marker(line),
                    section.name,
                    quoted(&line.label)
                );
                open.push(id);
                // A heading with nothing under it closes at once.
                if section.end.is_some_and(|end| end <= i) {
                    open.pop();
                    let _ = writeln!(out, "{}}}", indent(open.len() + 1));
                }
            }
            continue;
        }
        let _ = writeln!(out, "{}{}", indent(open.len() + 1), row(proposal, line));
    }
    while open.pop().is_some() {
        let _ = writeln!(out, "{}}}", indent(open.len() + 1));
    }
    if !proposal.notes.is_empty() {
        let _ = writeln!(out);
        for note in &proposal.notes {
            let _ = writeln!(out, "    note {}", quoted(note));
        }
    }
    let _ = writeln!(out, "}}");
    out
}

fn row(proposal: &Proposal, line: &Line) -> String {
    let mut text = marker(line);
    if let Some(name) = &line.name {
        text.push_str(name);
        text.push(' ');
    }
    text.push_str(&quoted(&line.label));
    for figure in &line.figures {
        text.push(' ');
        // With a rounding step, every figure shows its decimals (`20.0`); without,
        // each is written exactly as it is (`1`, `2.5`).
        let decimals = if proposal.rounding.is_some() {
            proposal.decimals
        } else {
            0
        };
        text.push_str(&figure_text(*figure, decimals));
    }
    if let Some(rule) = &line.rule {
        text.push_str(" = ");
        text.push_str(&rule_text(rule, &proposal.lines, &proposal.sections));
    }
    text
}

fn marker(line: &Line) -> String {
    line.marker
        .as_ref()
        .map(|m| format!("{m} "))
        .unwrap_or_default()
}

/// `1,875.2`; a zero is the dash the table prints, an empty cell `_`.
fn figure_text(figure: Option<Decimal>, decimals: u32) -> String {
    match figure {
        None => "_".to_owned(),
        Some(value) if value.is_zero() => "-".to_owned(),
        Some(value) => {
            let shown = value.normalize();
            let decimals = decimals.max(shown.scale());
            crate::format::fixed(value, decimals, RoundingMode::HalfUp)
        }
    }
}

fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

/// A text in quotes as bud reads it: `"` escaped, line breaks and tabs as spaces, and
/// `^` (a footnote mark in bud) written apart from the letter after it.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut previous_space = false;
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '^' => out.push_str("^ "),
            c if c.is_control() => {
                if !previous_space {
                    out.push(' ');
                }
                previous_space = true;
                continue;
            }
            c => out.push(c),
        }
        previous_space = c == ' ';
    }
    out.push('"');
    out
}
