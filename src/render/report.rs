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

    /// The file as a report shows it: what could drive a terminal (a control character,
    /// a mark that reorders text) shown as `?` or U+FFFD, of the same length in bytes,
    /// so that every span and line start still holds.
    fn printable(&self) -> std::borrow::Cow<'_, Source> {
        let name = crate::format::printable(&self.name);
        let text = crate::format::printable(&self.text);
        if matches!(
            (&name, &text),
            (std::borrow::Cow::Borrowed(_), std::borrow::Cow::Borrowed(_))
        ) {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(Source {
            name: name.into_owned(),
            text: text.into_owned().into(),
            line_starts: Arc::clone(&self.line_starts),
        })
    }

    /// The length in bytes of the longest line a snippet of `span` prints: the lines
    /// it covers and the line of context on either side.
    fn longest_line_shown(&self, span: Span) -> usize {
        let first = self.line_of(span.start()).saturating_sub(1);
        let last = self.line_of(span.end().max(span.start())) + 1;
        (first..=last)
            .map(|line| {
                let start = self
                    .line_starts
                    .get(line)
                    .copied()
                    .unwrap_or(self.text.len());
                let end = self
                    .line_starts
                    .get(line + 1)
                    .copied()
                    .unwrap_or(self.text.len());
                end.saturating_sub(start)
            })
            .max()
            .unwrap_or(0)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// The 1-based line and column of a byte offset, the column counted in characters
    /// (as editors and CI annotations count them), not bytes. An offset past the end is
    /// taken as the end.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = self.text.get(start..).map_or(0, |rest| {
            rest.char_indices()
                .take_while(|(index, _)| start + index < offset)
                .count()
        });
        (line + 1, column + 1)
    }

    /// Where a span of this text is.
    pub fn locate(&self, span: Span) -> Location {
        let start = span.start().min(self.text.len());
        let end = span.end().clamp(start, self.text.len());
        let (line, column) = self.line_column(start);
        let (end_line, end_column) = self.line_column(end);
        Location {
            path: self.name.clone(),
            line,
            column,
            end_line,
            end_column,
            offset: start,
            length: end - start,
        }
    }
}

/// Where a span is, as machines read it: the file as diagnostics name it, the 1-based
/// line and column of its first character and of the position just past its last
/// (columns in characters), and its byte offset and length within that file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub offset: usize,
    pub length: usize,
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

    /// Where a span of a diagnostic is: in the data file `file` when the diagnostic is
    /// about one (`Diagnostic::file`), otherwise in the decision or the imported file
    /// its offset falls in, with the offset made relative to that file.
    pub fn locate(&self, span: Span, file: Option<&str>) -> Location {
        let (source, base) = match file {
            Some(name) => (self.data_named(name), 0),
            None => self.file_of(span),
        };
        let local = Span::new(
            span.start().saturating_sub(base),
            span.end().saturating_sub(base),
        );
        source.locate(local)
    }

    /// The name of the file a diagnostic without a span is about: the data file it
    /// names, or the decision.
    pub fn path_of(&self, file: Option<&str>) -> &str {
        match file {
            Some(name) => &self.data_named(name).name,
            None => &self.decision.name,
        }
    }

    /// A data file by the name the decision gives it; the decision itself when it was
    /// not read, as the terminal report shows it.
    fn data_named(&self, name: &str) -> &Source {
        self.data
            .iter()
            .find(|(named, _)| named == name)
            .map_or(&self.decision, |(_, source)| source)
    }

    /// The file a span of the decision's offsets is in, and where that file starts.
    fn file_of(&self, span: Span) -> (&Source, usize) {
        self.imported
            .iter()
            .rev()
            .find(|(base, _)| span.start() >= *base)
            .map_or((&self.decision, 0), |(base, source)| (source, *base))
    }
}

/// Renders one diagnostic, each of its spans in the file it is in; `color` adds ANSI
/// colours for a terminal. Labels in another file than the primary one are shown in a
/// snippet of their own, below it.
pub fn render_in(diagnostic: &Diagnostic, sources: &Sources, color: bool) -> String {
    if let Some(name) = diagnostic.file() {
        return render(diagnostic, sources.data_named(name), color);
    }
    if sources.imported.is_empty() {
        return render(diagnostic, &sources.decision, color);
    }
    let home = diagnostic
        .primary
        .as_ref()
        .map_or(0, |label| label.span.start());
    let (source, base) = sources.file_of(Span::new(home, home));
    let mut local = diagnostic.clone();
    local.secondary.clear();
    local.primary = diagnostic.primary.as_ref().map(|label| within(label, base));
    let mut others = Vec::new();
    for label in &diagnostic.secondary {
        match sources.file_of(label.span) {
            (_, at) if at == base => local.secondary.push(within(label, base)),
            (elsewhere, at) => others.push((within(label, at), elsewhere)),
        }
    }
    render_with(&local, source, &others, color)
}

/// A label with its span made relative to the file starting at `base`.
fn within(label: &Label, base: usize) -> Label {
    let span = Span::new(
        label.span.start().saturating_sub(base),
        label.span.end().saturating_sub(base),
    );
    Label::new(span, label.message.clone())
}

/// Renders one diagnostic whose spans are all in `source`; `color` adds ANSI colours
/// for a terminal.
pub fn render(diagnostic: &Diagnostic, source: &Source, color: bool) -> String {
    render_with(diagnostic, source, &[], color)
}

/// A source line longer than this is not printed under a diagnostic: one line of a
/// corrupted or generated file would otherwise fill the terminal (a ten-megabyte
/// number printed ten megabytes of digits and thirty of underline).
const LONGEST_SHOWN_LINE: usize = 1_000;

/// `diagnostic` with its labels moved into its message as line and column, when a line
/// it points at is too long to show; `None` when every line can be shown.
fn without_long_lines(diagnostic: &Diagnostic, source: &Source) -> Option<Diagnostic> {
    let mut labels = diagnostic.primary.iter().chain(&diagnostic.secondary);
    if labels.all(|label| source.longest_line_shown(label.span) <= LONGEST_SHOWN_LINE) {
        return None;
    }
    let mut plain = diagnostic.clone();
    let places: Vec<String> = diagnostic
        .primary
        .iter()
        .chain(&diagnostic.secondary)
        .map(|label| {
            let (line, column) = source.line_column(label.span.start());
            format!("{}:{line}:{column}: {}", source.name, label.message)
        })
        .collect();
    plain.message = format!(
        "{}\n  at {} (the line is too long to show)",
        diagnostic.message,
        places.join("\n  and ")
    );
    plain.primary = None;
    plain.secondary.clear();
    Some(plain)
}

/// As `render`, with labels in other files shown each in a snippet of its own.
fn render_with(
    diagnostic: &Diagnostic,
    source: &Source,
    others: &[(Label, &Source)],
    color: bool,
) -> String {
    let printable = printable_diagnostic(diagnostic);
    let diagnostic = &printable;
    let shown = source.printable();
    let source: &Source = &shown;
    if let Some(plain) = without_long_lines(diagnostic, source) {
        return render_with(&plain, source, others, color);
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut far = far_labels(diagnostic, source);
    let others_shown: Vec<(&Label, std::borrow::Cow<'_, Source>)> = others
        .iter()
        .map(|(label, source)| (label, source.printable()))
        .collect();
    far.extend(others_shown.iter().map(|(label, source)| Elsewhere {
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
    out.push_str(&format!("  see: bud explain {}\n\n", diagnostic.code));
    out
}

/// The diagnostic with its words safe to print: a label or name quoted from the file
/// may hold what a terminal would obey.
fn printable_diagnostic(diagnostic: &Diagnostic) -> Diagnostic {
    let safe = |text: &str| crate::format::printable(text).into_owned();
    let mut printable = diagnostic.clone();
    printable.message = safe(&diagnostic.message);
    printable.help = diagnostic.help.as_deref().map(|help| safe(help).into());
    for label in printable
        .primary
        .iter_mut()
        .chain(printable.secondary.iter_mut())
    {
        label.message = safe(&label.message);
    }
    printable
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
    let line = source.line_of(primary.span.start());
    diagnostic
        .secondary
        .iter()
        .filter(|label| source.line_of(label.span.start()).abs_diff(line) > NEAR_LINES)
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
    let start = label.span.start().min(length);
    let end = label.span.end().clamp(start, length);
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
    // No code above the message: the first line of a report says what is wrong, and
    // the code closes it (`see: bud explain …`).
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        None
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

    #[test]
    fn lines_and_columns_count_characters_and_every_line_break() {
        let source = Source::new("f.bud", "é = 1\r\nab\rc\n\nend");
        assert_eq!(source.line_column(0), (1, 1));
        // `é` is two bytes, one character.
        assert_eq!(source.line_column(3), (1, 3));
        assert_eq!(source.line_column(10), (2, 3));
        // A lone `\r` ends a line, as miette counts.
        assert_eq!(source.line_column(12), (3, 2));
        assert_eq!(source.line_column(14), (5, 1));
        assert_eq!(source.line_column(1000), (5, 4));
        let at = source.locate(Span::new(8, 10));
        assert_eq!(
            (
                at.line,
                at.column,
                at.end_line,
                at.end_column,
                at.offset,
                at.length
            ),
            (2, 1, 2, 3, 8, 2)
        );
    }

    #[test]
    fn a_span_in_an_imported_file_is_located_in_that_file() {
        let mut sources = Sources::new(Source::new("d.bud", "decision\n"));
        sources.import(9, Source::new("lib/r.bud", "a = 1\nb = 2\n"));
        let at = sources.locate(Span::new(15, 16), None);
        assert_eq!((at.path.as_str(), at.line, at.column), ("lib/r.bud", 2, 1));
        let at = sources.locate(Span::new(2, 3), None);
        assert_eq!((at.path.as_str(), at.line, at.column), ("d.bud", 1, 3));
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
