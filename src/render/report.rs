//! Diagnostics as a person sees them in a terminal: miette's graphical report with the
//! file name, line and column, the span underlined with its label, every related span
//! labelled, and the help line. Colour is the caller's choice, so output in files and
//! tests is plain.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Label, Severity, Span};

/// A source text with the name diagnostics show for it (usually its path), and where
/// each of its lines starts, so that rendering a diagnostic reads only the lines it
/// shows instead of the whole file (which made many diagnostics quadratic).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        Source {
            name: name.into(),
            line_starts: line_starts(&text).into(),
            text,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }
}

/// Offsets where lines start, counting line breaks as miette does: `\n`, `\r\n`, or a
/// lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, byte) in bytes.iter().enumerate() {
        let breaks = match byte {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        };
        if breaks {
            starts.push(i + 1);
        }
    }
    starts
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // The lines miette will show and one more on each side, so that it starts and
        // stops where it would in the whole text (its arithmetic is not the same at
        // offset 0); it lays them out itself, then the numbers are shifted back.
        let first_line = self
            .line_of(span.offset())
            .saturating_sub(context_lines_before + 1);
        let last_line = self.line_of(span.offset() + span.len()) + context_lines_after + 1;
        let start = self.line_starts.get(first_line).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(last_line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let window = self
            .text
            .as_bytes()
            .get(start..end)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + start).into(),
                contents.span().len(),
            ),
            contents.line() + first_line,
            contents.column(),
            contents.line_count() + first_line,
        )))
    }
}

/// Every text a decision's diagnostics can point into: the decision file, the files it
/// imports (each at the offset where its spans start), and its data files by name.
#[derive(Debug, Clone)]
pub struct Sources {
    decision: Source,
    imported: Vec<(usize, Source)>,
    data: Vec<(String, Source)>,
}

impl Sources {
    pub fn new(decision: Source) -> Self {
        Sources {
            decision,
            imported: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Adds a file the decision imports, whose spans start at `base`.
    pub fn import(&mut self, base: usize, source: Source) {
        self.imported.push((base, source));
    }

    /// Adds a data file, as the decision names it.
    pub fn data(&mut self, name: impl Into<String>, source: Source) {
        self.data.push((name.into(), source));
    }

    pub fn decision(&self) -> &Source {
        &self.decision
    }

    pub fn has_data(&self, name: &str) -> bool {
        self.data.iter().any(|(named, _)| named == name)
    }

    /// The file a span of the decision's offsets is in, and where that file starts.
    fn locate(&self, span: Span) -> (&Source, usize) {
        self.imported
            .iter()
            .rev()
            .find(|(base, _)| span.start >= *base)
            .map_or((&self.decision, 0), |(base, source)| (source, *base))
    }
}

/// Renders one diagnostic, each of its spans in the file it is in; `color` adds ANSI
/// colours for a terminal. Labels in another file than the primary one are shown in a
/// snippet of their own, below it.
pub fn render_in(diagnostic: &Diagnostic, sources: &Sources, color: bool) -> String {
    if let Some(name) = diagnostic.file() {
        let data = sources.data.iter().find(|(named, _)| named == name);
        return render(
            diagnostic,
            data.map_or(&sources.decision, |(_, s)| s),
            color,
        );
    }
    if sources.imported.is_empty() {
        return render(diagnostic, &sources.decision, color);
    }
    let home = diagnostic
        .primary
        .as_ref()
        .map_or(0, |label| label.span.start);
    let (source, base) = sources.locate(Span::new(home, home));
    let mut local = diagnostic.clone();
    local.secondary.clear();
    local.primary = diagnostic.primary.as_ref().map(|label| within(label, base));
    let mut others = Vec::new();
    for label in &diagnostic.secondary {
        match sources.locate(label.span) {
            (_, at) if at == base => local.secondary.push(within(label, base)),
            (elsewhere, at) => others.push((within(label, at), elsewhere)),
        }
    }
    render_with(&local, source, &others, color)
}

/// A label with its span made relative to the file starting at `base`.
fn within(label: &Label, base: usize) -> Label {
    let span = Span::new(
        label.span.start.saturating_sub(base),
        label.span.end.saturating_sub(base),
    );
    Label::new(span, label.message.clone())
}

/// Renders one diagnostic whose spans are all in `source`; `color` adds ANSI colours
/// for a terminal.
pub fn render(diagnostic: &Diagnostic, source: &Source, color: bool) -> String {
    render_with(diagnostic, source, &[], color)
}

/// As `render`, with labels in other files shown each in a snippet of its own.
fn render_with(
    diagnostic: &Diagnostic,
    source: &Source,
    others: &[(Label, &Source)],
    color: bool,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut far = far_labels(diagnostic, source);
    far.extend(others.iter().map(|(label, source)| Elsewhere {
        label,
        source,
        length: source.text.len(),
    }));
    let report = Report {
        diagnostic,
        source,
        length: source.text.len(),
        far: &far,
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!(
            "{}: {} [{}]\n",
            severity_word(diagnostic.severity),
            diagnostic.message,
            diagnostic.code
        );
    }
    for elsewhere in &far {
        let mut note = String::new();
        if handler.render_report(&mut note, elsewhere).is_ok() {
            out.push_str(&note);
        }
    }
    out
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a Source,
    length: usize,
    /// Labels too far from the primary one to share its snippet.
    far: &'a [Elsewhere<'a>],
}

/// A label more than this many lines from the primary one is shown in a snippet of its
/// own, below: miette would otherwise print every line between the two. (miette's own
/// "related" reports would print `Advice:` before it, or wrap the source lines.)
const NEAR_LINES: usize = 6;

fn far_labels<'a>(diagnostic: &'a Diagnostic, source: &'a Source) -> Vec<Elsewhere<'a>> {
    let Some(primary) = &diagnostic.primary else {
        return Vec::new();
    };
    let line = source.line_of(primary.span.start);
    diagnostic
        .secondary
        .iter()
        .filter(|label| source.line_of(label.span.start).abs_diff(line) > NEAR_LINES)
        .map(|label| Elsewhere {
            label,
            source,
            length: source.text.len(),
        })
        .collect()
}

/// A far label as a note of its own: "Table 1 holds thousands of US$" at the unit line.
struct Elsewhere<'a> {
    label: &'a Label,
    source: &'a Source,
    length: usize,
}

impl fmt::Debug for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.label, f)
    }
}

impl fmt::Display for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label.message)
    }
}

impl std::error::Error for Elsewhere<'_> {}

impl miette::Diagnostic for Elsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = clamped(self.label, self.length);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None, span,
        ))))
    }
}

/// A span clamped to the text, so a label at the very end still renders.
fn clamped(label: &Label, length: usize) -> SourceSpan {
    let start = label.span.start.min(length);
    let end = label.span.end.clamp(start, length);
    SourceSpan::new(start.into(), end - start)
}

impl Report<'_> {
    fn span(&self, label: &Label) -> SourceSpan {
        clamped(label, self.length)
    }

    fn is_far(&self, label: &Label) -> bool {
        self.far.iter().any(|far| std::ptr::eq(far.label, label))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.diagnostic
            .primary
            .as_ref()
            .map(|_| self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.diagnostic.primary.as_ref()?;
        let first =
            LabeledSpan::new_primary_with_span(non_empty(&primary.message), self.span(primary));
        let rest = self
            .diagnostic
            .secondary
            .iter()
            .filter(|label| !self.is_far(label))
            .map(|label| LabeledSpan::new_with_span(non_empty(&label.message), self.span(label)));
        Some(Box::new(std::iter::once(first).chain(rest)))
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!["a", "bc", " ", "\n", "\r\n", "\r", "é"]),
            0..60,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn reading_by_line_index_equals_reading_the_whole_text(
            text in text(),
            start in 0usize..200,
            len in 0usize..20,
            before in 0usize..3,
            after in 0usize..3,
        ) {
            let start = start.min(text.len());
            let len = len.min(text.len() - start);
            let span = SourceSpan::new(start.into(), len);
            let indexed = Source::new("f.bud", text.clone());
            let whole = text.as_str().read_span(&span, before, after);
            let windowed = indexed.read_span(&span, before, after);
            match (whole, windowed) {
                (Ok(whole), Ok(windowed)) => {
                    prop_assert_eq!(whole.data(), windowed.data());
                    prop_assert_eq!(whole.span(), windowed.span());
                    prop_assert_eq!(whole.line(), windowed.line());
                    prop_assert_eq!(whole.column(), windowed.column());
                }
                (Err(_), Err(_)) => {}
                (whole, windowed) => prop_assert!(false, "whole: {:?}, windowed: {:?}", whole.is_ok(), windowed.is_ok()),
            }
        }
    }
}
