//! The evaluated decision as one self-contained HTML page: every table with its unit,
//! marks and footnotes, styled by an inline stylesheet with a print section (no
//! external fonts, scripts or images, so the page opens the same offline, attached to
//! an email, or archived). Each mark's meaning is in its `title`, so hovering a ≈
//! shows the difference that rounding explains.

use std::fmt::Write as _;

use super::view::{
    CellKind, Document, LineKind, MISMATCH, OutcomeName, Place, Role, Table, TableCell,
};

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; margin-top: 2rem; }
p.unit { font-style: italic; margin: 0.25rem 0 0.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.15rem 0.6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { text-align: right; border-bottom: 2px solid #555; }
th.label, td.label, th.text, td.text { text-align: left; }
td.absent { color: #57606a; font-style: italic; }
td.figure { text-align: right; white-space: nowrap; }
tr.section td { font-weight: 600; background: #f4f4f4; }
tr.computed td.label, tr.total td { font-weight: 600; }
.mark { display: inline-block; min-width: 1.8em; text-align: left; padding-left: 0.2em; font-size: 0.9em; }
.bud { display: block; font-size: 0.8em; color: #555; }
.matches { color: #1a7f37; }
.rounding { color: #9a6700; }
.mismatch { color: #cf222e; font-weight: 700; }
.acknowledged { color: #0969da; font-weight: 700; }
.follows { color: #7d4e00; font-weight: 400; }
td.failed { color: #cf222e; }
td.wrong, li.wrong { outline: 2px solid #cf222e; outline-offset: -2px; background: #ffebe9; }
td.follows, li.follows { outline: 1px dashed #9a6700; outline-offset: -2px; background: #fff8c5; }
.role { display: block; font-size: 0.75em; font-weight: 600; }
td.wrong .role, li.wrong .role { color: #cf222e; }
td.follows .role, li.follows .role { color: #7d4e00; font-weight: 400; }
ul.values { list-style: none; padding-left: 1rem; }
ul.values code { font-size: 0.95em; }
p.note, p.footnote { font-size: 0.9em; margin: 0.2rem 0; max-width: 60rem; }
p.summary { margin: 1rem 0; font-weight: 600; }
p.colophon { margin-top: 2rem; font-size: 0.8em; color: #555; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; color: #000; }
  h2 { break-after: avoid; }
  table { break-inside: auto; width: 100%; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .matches, .rounding, .mismatch, td.failed { color: #000; }
  tr.section td { background: none; }
}
"#;

/// The document as an HTML5 page.
pub fn render(document: &Document) -> String {
    let mut out = head(document, &format!("<style>{STYLE}</style>"));
    out.push_str(&body(document));
    let _ = writeln!(out, "</body>\n</html>");
    out
}

/// The stylesheet of the page, which `bud serve` serves as a file of its own.
pub const STYLESHEET: &str = STYLE;

/// The page up to and including `<body>`, with `style` (a stylesheet or a link to
/// one, and whatever else the head needs) in its head.
pub fn head(document: &Document, style: &str) -> String {
    let mut out = String::new();
    let title = format!("{}: {}", document.symbol, document.title);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    );
    let _ = writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"bud {}\">",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "<title>{}</title>\n{style}\n</head>\n<body>",
        escape(&title)
    );
    out
}

/// The document itself: its heading, paragraphs, tables, summary and errata, as the
/// body of a page holds it. Each figure is marked with where it is written
/// (`data-at`, `data-file`) and, when it does not reconcile, whether it is the wrong
/// figure or only follows from one.
pub fn body(document: &Document) -> String {
    let mut out = String::new();
    let title = format!("{}: {}", document.symbol, document.title);
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    for line in document.meeting.iter().chain(&document.issuer) {
        let _ = writeln!(out, "<p>{}</p>", escape(line));
    }
    if let Some(dates) = &document.dates {
        let _ = writeln!(out, "<p>Period {}</p>", escape(dates));
    }
    if let Some(scenario) = &document.scenario {
        let _ = writeln!(out, "<h2>Scenario {}</h2>", escape(&scenario.name));
        if let Some(condition) = &scenario.condition {
            let _ = writeln!(out, "<p>{}</p>", escape(condition));
        }
    }
    if document.is_publication() {
        paragraphs(&mut out, document);
        for table in &document.tables {
            self::table(&mut out, table);
        }
        let colophon = escape(&document.presentation.colophon());
        let _ = writeln!(out, "<p class=\"colophon\">{colophon}</p>");
        return out;
    }
    // The outcome first: a reader learns whether anything is wrong before the tables.
    summary(&mut out, document);
    paragraphs(&mut out, document);
    for table in &document.tables {
        self::table(&mut out, table);
    }
    out
}

/// How the stated figures reconcile, and the published errors the decision
/// acknowledges.
fn summary(out: &mut String, document: &Document) {
    let summary = document.summary;
    let acknowledged = match summary.acknowledged {
        0 => String::new(),
        n => format!(", {n} published errors acknowledged <span class=\"acknowledged\">!</span>"),
    };
    let follows = match summary.inherited {
        0 => String::new(),
        n => format!(
            " ({n} of them only because of a wrong figure they follow from, marked <span class=\"follows\">→✗</span>)"
        ),
    };
    let _ = writeln!(
        out,
        "<p class=\"summary\">{} stated figures: {} match <span class=\"matches\">✓</span>, {} differ by rounding <span class=\"rounding\">≈</span>, {} do not reconcile <span class=\"mismatch\">✗</span>{follows}{acknowledged}; {} not checked.</p>",
        summary.stated, summary.matches, summary.rounding, summary.mismatches, summary.unchecked
    );
    for erratum in &document.errata {
        let _ = writeln!(
            out,
            "<section class=\"erratum\"><p><strong>Published error acknowledged:</strong> {}</p><ul>",
            escape(&erratum.reason)
        );
        for figure in &erratum.figures {
            let _ = writeln!(out, "<li>{}</li>", escape(figure));
        }
        let _ = writeln!(out, "</ul></section>");
    }
}

fn paragraphs(out: &mut String, document: &Document) {
    for paragraph in &document.paragraphs {
        let heading = match &paragraph.heading {
            Some(heading) => heading.clone(),
            None => "Values".to_owned(),
        };
        let _ = writeln!(out, "<h2>{}</h2>", marked(&heading));
        if let Some(text) = &paragraph.text {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        if paragraph.values.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<ul class=\"values\">");
        for value in &paragraph.values {
            let class = match value.role {
                Some(Role::Follows(_)) => "follows",
                _ => value.stated.as_ref().map_or("", |s| s.outcome.name()),
            };
            let _ = writeln!(
                out,
                "<li{}{}><code>{}</code> = {} <span class=\"{class}\">{}</span>{}</li>",
                role_class(value.role, ""),
                place_attributes(value.at.as_ref()),
                escape(&value.label()),
                escape(&value.shown),
                escape(&value.note),
                role_words(value.role)
            );
        }
        let _ = writeln!(out, "</ul>");
    }
}

fn table(out: &mut String, table: &Table) {
    let heading = match &table.title {
        Some(title) => format!("{}. {title}", table.name),
        None => table.name.clone(),
    };
    let _ = writeln!(out, "<section id=\"{}\">", escape(&table.id));
    let _ = writeln!(out, "<h2>{}</h2>", marked(&heading));
    if !table.unit.is_empty() {
        let _ = writeln!(out, "<p class=\"unit\">({})</p>", escape(&table.unit));
    }
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th class=\"label\" scope=\"col\">{}</th>",
        escape(&table.label_heading)
    );
    for column in &table.columns {
        let class = if column.text { " class=\"text\"" } else { "" };
        let _ = write!(
            out,
            "<th{class} scope=\"col\">{}</th>",
            marked(&column.heading)
        );
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    let aligned = table.lines.iter().any(has_mark);
    for line in &table.lines {
        let class = match line.kind {
            LineKind::Section => "section",
            LineKind::Input | LineKind::Party => "input",
            LineKind::Computed => "computed",
            LineKind::Total => "total",
        };
        // In tenths of an em, so no float arithmetic enters the crate.
        let tenths = 6 + 12 * line.depth.min(20);
        let indent = format!("padding-left: {}.{}em", tenths / 10, tenths % 10);
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td class=\"label\" style=\"{indent}\">{}</td>",
            marked(&line.label)
        );
        if line.kind == LineKind::Section {
            let _ = write!(out, "<td colspan=\"{}\"></td>", table.columns.len());
        } else {
            for cell in &line.cells {
                cell_html(out, cell, table, aligned);
            }
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    for footnote in &table.footnotes {
        let _ = writeln!(out, "<p class=\"footnote\">{}</p>", escape(footnote));
    }
    for note in &table.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    let _ = writeln!(out, "</section>");
}

/// `aligned`: whether the table has marks, so that a figure without one keeps an
/// empty place for it.
fn cell_html(out: &mut String, cell: &TableCell, table: &Table, aligned: bool) {
    match cell.kind {
        CellKind::Text => {
            let _ = writeln!(out, "<td class=\"text\">{}</td>", escape(&cell.shown));
            return;
        }
        CellKind::Absent => {
            let _ = writeln!(
                out,
                "<td class=\"figure absent\" title=\"absent: no amount is given, which is not zero\">{}</td>",
                escape(&cell.shown)
            );
            return;
        }
        CellKind::Amount => {}
    }
    let failed = if cell.shown == "?" { " failed" } else { "" };
    let _ = write!(
        out,
        "<td{}{}>{}",
        role_class(cell.role, &format!("figure{failed}")),
        place_attributes(cell.at.as_ref()),
        escape(&cell.shown)
    );
    if let Some(stated) = &cell.stated {
        let class = match cell.role {
            Some(Role::Follows(_)) => "follows",
            _ => stated.outcome.name(),
        };
        let meaning = table
            .footnote(&cell.mark)
            .map(str::to_owned)
            .unwrap_or_else(|| match stated.outcome {
                OutcomeName::NotChecked => format!(
                    "published {}; not checked: the cell failed, or depends on one that did",
                    stated.written
                ),
                _ => format!("matches the published figure {}", stated.written),
            });
        let _ = write!(
            out,
            "<span class=\"mark {class}\" title=\"{}\">{}</span>",
            escape(&meaning),
            escape(&cell.mark)
        );
        if let Some(bud) = &cell.bud {
            let _ = write!(out, "<span class=\"bud\">bud {}</span>", escape(bud));
        }
    } else if !cell.mark.is_empty() {
        // A wrong figure that is an input: its mark, and the footnote that corrects it.
        let meaning = table.footnote(&cell.mark).unwrap_or_default();
        let _ = write!(
            out,
            "<span class=\"mark mismatch\" title=\"{}\">{}</span>",
            escape(meaning),
            escape(&cell.mark)
        );
    } else if aligned {
        // An empty mark keeps unmarked figures aligned with marked ones.
        out.push_str("<span class=\"mark\"></span>");
    }
    out.push_str(&role_words(cell.role));
    out.push_str("</td>");
}

/// Whether a line has a figure with a mark beside it; a publication has none.
fn has_mark(line: &super::view::TableLine) -> bool {
    line.cells.iter().any(|cell| !cell.mark.is_empty())
}

/// ` class="figure wrong"`: the classes given, and the figure's role if it has one.
fn role_class(role: Option<Role>, classes: &str) -> String {
    let all = [classes, role.map_or("", Role::name)]
        .iter()
        .filter(|class| !class.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if all.is_empty() {
        String::new()
    } else {
        format!(" class=\"{all}\"")
    }
}

/// The role in words, under the figure, so it reads without colour and in print.
fn role_words(role: Option<Role>) -> String {
    let error = |role: Role| {
        role.number()
            .map_or_else(String::new, |number| format!(" {MISMATCH}{number}"))
    };
    match role {
        Some(role @ Role::Wrong(_)) => {
            format!("<span class=\"role\">wrong figure{}</span>", error(role))
        }
        Some(role @ Role::Follows(_)) => match role.number() {
            Some(_) => format!("<span class=\"role\">follows from{}</span>", error(role)),
            None => "<span class=\"role\">follows from a wrong figure</span>".to_owned(),
        },
        None => String::new(),
    }
}

/// ` data-at="1204-1211"`, and ` data-file="…"` for a figure in a data file.
fn place_attributes(place: Option<&Place>) -> String {
    let Some(place) = place else {
        return String::new();
    };
    let mut attributes = format!(" data-at=\"{}-{}\"", place.span.start(), place.span.end());
    if let Some(file) = &place.file {
        let _ = write!(attributes, " data-file=\"{}\"", escape(file));
    }
    attributes
}

/// `text` with the characters HTML gives meaning to written as entities.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A text escaped, its footnote marks (`Administrative Services^a`) raised: `<sup>a</sup>`.
fn marked(text: &str) -> String {
    crate::format::rewrite_marks(&escape(text), |mark| format!("<sup>{mark}</sup>"))
}
