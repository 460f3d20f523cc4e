//! The one diagnostic type of bud, produced by every stage (syntax, names, units,
//! evaluation, reconciliation, input/output) and rendered only at the edge: as a miette
//! report in a terminal (`render::diagnostics`), and later as an editor diagnostic or a
//! CI annotation. A diagnostic is data: a stable code, a severity, a one-line message,
//! the span it is about with a label, labelled related spans, and a help line that says
//! what to do.

use std::fmt;

pub mod explain;

/// A byte range in one source text.
///
/// Held as 32-bit offsets: every figure and name of a syntax tree has a span, and at a
/// million rows 64-bit ones were 60 MB more. A decision and the files it imports are
/// read into one range of offsets, which `syntax::imports` keeps under 4 GiB (each
/// file is at most 128 MiB, `syntax::limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// Offsets past 4 GiB, which no source can reach, are held at 4 GiB.
    pub fn new(start: usize, end: usize) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Span {
            start: offset(start),
            end: offset(end),
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Fails `bud check`.
    Error,
    /// Worth a look; does not fail.
    Warning,
    /// Information, such as a difference explained by rounding; does not fail.
    Note,
}

/// A span with the text shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: long_words_cut(message.into()),
        }
    }
}

/// A word (a run of letters, digits and `_`) longer than this is shown cut: a name of
/// a hundred thousand characters once filled the terminal, and no real name or figure
/// comes near it.
pub const LONGEST_WORD_SHOWN: usize = 80;

/// How many characters of a word over `LONGEST_WORD_SHOWN` a diagnostic keeps.
const CUT_WORD_KEEPS: usize = 60;

/// `text` with every word over `LONGEST_WORD_SHOWN` characters cut to its first
/// `CUT_WORD_KEEPS`, an ellipsis and its length: `aaaa…(100,000 characters)`.
pub fn long_words_cut(text: String) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut run = 0;
    let any_long = text.chars().any(|c| {
        run = if is_word(c) { run + 1 } else { 0 };
        run > LONGEST_WORD_SHOWN
    });
    if !any_long {
        return text;
    }
    let mut shown = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(is_word) {
        shown.push_str(&rest[..start]);
        let word_and_after = &rest[start..];
        let end = word_and_after
            .find(|c: char| !is_word(c))
            .unwrap_or(word_and_after.len());
        let word = &word_and_after[..end];
        let length = word.chars().count();
        if length > LONGEST_WORD_SHOWN {
            shown.extend(word.chars().take(CUT_WORD_KEEPS));
            let length = crate::format::exact(rust_decimal::Decimal::from(length));
            shown.push_str(&format!("…({length} characters)"));
        } else {
            shown.push_str(word);
        }
        rest = &word_and_after[end..];
    }
    shown.push_str(rest);
    shown
}

/// Every diagnostic bud can give. The string form (`bud::reconcile::mismatch`) is
/// stable: scripts and CI configurations may match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The file does not follow the grammar: `table 1 core_budget {` with no newline
    /// after the brace, a row with a stray character, an unclosed quote.
    SyntaxUnexpected,
    /// A keyword is misspelt: `tabel 1 core_budget {`.
    SyntaxKeyword,
    /// A number is malformed or too large: `18,75.2`, or 200 digits.
    SyntaxNumber,
    /// The file goes beyond a documented limit: brackets nested 101 deep.
    SyntaxLimit,
    /// A row's figures can be read in two ways: in a table of two columns,
    /// `12 345 678` is 12,345 and 678, or 12 and 345,678.
    SyntaxAmbiguous,
    /// The decision block is missing, or lacks a required field, or has an unknown one:
    /// a file with tables but no `decision "…" { … }`.
    DecisionField,
    /// A name is used but never defined: `= subtotl + support`.
    NameUnknown,
    /// The same name, year or row is defined twice: two `host_growth = …` lines.
    NameDuplicate,
    /// A name refers to two things at once: a row and a value both called `host`.
    NameAmbiguous,
    /// Values are defined in terms of each other: `a = b` and `b = a`.
    NameCycle,
    /// A name is used as something it is not: `sum(host_growth)`, `core_budget + 1`.
    NameKind,
    /// A row's figures do not match the table's columns: three columns, two figures.
    TableFigures,
    /// A table lacks a required setting or repeats one: no `unit`, two `columns`.
    TableSetting,
    /// A reference asks for a column that is not there: `core_budget.net_total[2016]`.
    TableColumn,
    /// Units do not combine: adding posts to dollars, a rate where an amount is needed.
    UnitMismatch,
    /// A formula computes with words: a text column's cell
    /// (`activities.coordination["Synergies"] + 1`), or a row's text where an amount is
    /// published.
    UnitText,
    /// A formula reads an amount the document leaves absent (`absent`, savings too
    /// early to identify): absent is not zero, so nothing computed from it has a value.
    EvalAbsent,
    /// An amount is too large, or a non-zero result too small, for exact decimal
    /// arithmetic: `US$ 79,228,162,514,264,337,593,543,950,335 * 2`.
    EvalOverflow,
    /// A division by zero.
    EvalDivisionByZero,
    /// A value that depends on the year is used where there is no single year:
    /// `host_contribution` in a `2013-2014` column.
    EvalYear,
    /// A function is called with the wrong arguments: `sum()`.
    EvalArguments,
    /// A power with an exponent that is not a whole number: `1.02 ^ 0.5`.
    EvalExponent,
    /// A percentage or ratio that cannot be what the decision means: `130 per cent`
    /// (a share above the whole), a ratio whose parts are all zero, `0:0`.
    EvalRange,
    /// A stated figure differs from the computed value by more than rounding explains.
    ReconcileMismatch,
    /// A stated figure differs from the computed value, within what rounding explains.
    ReconcileRounding,
    /// A figure the decision acknowledges as a published error (`erratum`) reconciles,
    /// or is an input that nothing fails because of: the acknowledgement is stale.
    ErratumReconciles,
    /// A data file that a decision names has a row bud cannot read: a missing cell, a
    /// stray quote, a figure that is not a number.
    DataRow,
    /// A Party list or apportionment names a Party or group that is not there, or
    /// lists a Party twice: `fixed "Europian Union" 2.5%`.
    ApportionParty,
    /// An apportionment rule cannot add up to 100%: caps and fixed shares that leave
    /// too little or too much to share, a floor above a cap.
    ApportionImpossible,
    /// The rounded contributions add up to a few dollars more or less than the amount
    /// apportioned. Information, never a failure.
    ApportionResidue,
    /// A scenario changes what the decision does not have: `replace table 6 budgt`,
    /// `remove contribution`, or adds what it already has.
    ScenarioChange,
    /// `--scenario` names a scenario the decision does not define.
    ScenarioUnknown,
    /// Files import each other in a circle: `a.bud` imports `b.bud`, which imports
    /// `a.bud`; or a file imports the decision file that imports it.
    ImportCycle,
    /// A file imported as a decision (`import "22-cp-21.bud" as cop`) cannot be read
    /// as one: it has no decision block, or errors of its own stop it being read.
    ImportDecision,
    /// A file could not be read: a missing path or a directory on the command line, or
    /// an `import "ldc.bud"` or `data "table-5.tsv"` naming a file that is not there.
    IoRead,
    /// A file could not be read as it was at a git revision (`bud diff --rev`): the
    /// folder is not in a git repository, git is not installed, or the repository has
    /// no such revision.
    IoRevision,
    /// `bud import` cannot read the workbook, or it has no sheet of the name given
    /// (the message lists its sheets), or `--sheet` was given for a CSV or TSV file.
    ImportSheet,
    /// `bud import --range` is not a range in A1 notation (`B4:F30`), ends before it
    /// starts, or holds no cell of the sheet.
    ImportRange,
    /// `bud import` found no table in the cells read: no header row naming the year of
    /// each column of figures.
    ImportTable,
    /// bud itself went wrong; please report it.
    Internal,
}

impl Code {
    pub const ALL: [Code; 40] = [
        Code::SyntaxUnexpected,
        Code::SyntaxKeyword,
        Code::SyntaxNumber,
        Code::SyntaxLimit,
        Code::SyntaxAmbiguous,
        Code::DecisionField,
        Code::NameUnknown,
        Code::NameDuplicate,
        Code::NameAmbiguous,
        Code::NameCycle,
        Code::NameKind,
        Code::TableFigures,
        Code::TableSetting,
        Code::TableColumn,
        Code::UnitMismatch,
        Code::UnitText,
        Code::EvalAbsent,
        Code::EvalOverflow,
        Code::EvalDivisionByZero,
        Code::EvalYear,
        Code::EvalArguments,
        Code::EvalExponent,
        Code::EvalRange,
        Code::ReconcileMismatch,
        Code::ReconcileRounding,
        Code::ErratumReconciles,
        Code::DataRow,
        Code::ApportionParty,
        Code::ApportionImpossible,
        Code::ApportionResidue,
        Code::ScenarioChange,
        Code::ScenarioUnknown,
        Code::ImportCycle,
        Code::ImportDecision,
        Code::IoRead,
        Code::IoRevision,
        Code::ImportSheet,
        Code::ImportRange,
        Code::ImportTable,
        Code::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::SyntaxUnexpected => "bud::syntax::unexpected",
            Code::SyntaxKeyword => "bud::syntax::keyword",
            Code::SyntaxNumber => "bud::syntax::number",
            Code::SyntaxLimit => "bud::syntax::limit",
            Code::SyntaxAmbiguous => "bud::syntax::ambiguous",
            Code::DecisionField => "bud::decision::field",
            Code::NameUnknown => "bud::names::unknown",
            Code::NameDuplicate => "bud::names::duplicate",
            Code::NameAmbiguous => "bud::names::ambiguous",
            Code::NameCycle => "bud::names::cycle",
            Code::NameKind => "bud::names::kind",
            Code::TableFigures => "bud::table::figures",
            Code::TableSetting => "bud::table::setting",
            Code::TableColumn => "bud::table::column",
            Code::UnitMismatch => "bud::units::mismatch",
            Code::UnitText => "bud::units::text",
            Code::EvalAbsent => "bud::eval::absent",
            Code::EvalOverflow => "bud::eval::overflow",
            Code::EvalDivisionByZero => "bud::eval::division_by_zero",
            Code::EvalYear => "bud::eval::year",
            Code::EvalArguments => "bud::eval::arguments",
            Code::EvalExponent => "bud::eval::exponent",
            Code::EvalRange => "bud::eval::range",
            Code::ReconcileMismatch => "bud::reconcile::mismatch",
            Code::ReconcileRounding => "bud::reconcile::rounding",
            Code::ErratumReconciles => "bud::erratum::reconciles",
            Code::DataRow => "bud::data::row",
            Code::ApportionParty => "bud::apportion::party",
            Code::ApportionImpossible => "bud::apportion::impossible",
            Code::ApportionResidue => "bud::apportion::residue",
            Code::ScenarioChange => "bud::scenario::change",
            Code::ScenarioUnknown => "bud::scenario::unknown",
            Code::ImportCycle => "bud::import::cycle",
            Code::ImportDecision => "bud::import::decision",
            Code::IoRead => "bud::io::read",
            Code::IoRevision => "bud::io::revision",
            Code::ImportSheet => "bud::import::sheet",
            Code::ImportRange => "bud::import::range",
            Code::ImportTable => "bud::import::table",
            Code::Internal => "bud::internal",
        }
    }

    /// Whether a file with this diagnostic cannot be read as a decision at all (exit
    /// code 2): unreadable, ungrammatical, or a table or decision block whose shape is
    /// wrong, as opposed to rules and figures that fail (exit code 1).
    pub fn is_malformed(self) -> bool {
        matches!(
            self,
            Code::IoRead
                | Code::IoRevision
                | Code::ImportSheet
                | Code::ImportRange
                | Code::ImportTable
                | Code::ImportCycle
                | Code::ImportDecision
                | Code::SyntaxUnexpected
                | Code::SyntaxKeyword
                | Code::SyntaxNumber
                | Code::SyntaxLimit
                | Code::SyntaxAmbiguous
                | Code::DecisionField
                | Code::TableFigures
                | Code::TableSetting
                | Code::DataRow
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about one source text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The span the diagnostic is about; absent only when no span applies
    /// (a file that cannot be read).
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    /// Boxed, like `details`, to keep the whole diagnostic small (see below).
    pub help: Option<Box<str>>,
    /// Set only for diagnostics about data files, sorted out of span order or with a
    /// correction to offer; boxed because diagnostics travel in every `Result` of the
    /// parser and evaluator, and a small `Err` keeps deep formulas within a thread's
    /// stack.
    pub details: Option<Box<Details>>,
}

/// One edit that resolves a diagnostic: replace `span` with `replacement`. `title` is
/// what an editor offers, in the words of the diagnostic's help.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Correction {
    pub title: String,
    pub span: Span,
    pub replacement: String,
}

/// What few diagnostics have: where the spans are and where it sorts, when that is not
/// the default, and the edits that resolve it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Details {
    /// The data file the spans are in, as the decision names it (`"bs-vi-7-table-5.tsv"`);
    /// `None` for the decision file itself.
    pub file: Option<String>,
    /// Where the diagnostic sorts among the others when that is not where its span is:
    /// a position in the decision file, then a rank among diagnostics sharing it.
    pub order: Option<(usize, usize)>,
    /// Edits that would resolve the diagnostic ("correct it to 1,875.2", "did you mean
    /// `subtotal`"), for an editor's code actions.
    pub corrections: Vec<Correction>,
}

impl Diagnostic {
    /// "the scenario `higher` is defined twice", at the second definition with the
    /// first labelled: the one wording of a name given twice.
    pub fn defined_twice(
        what: &str,
        name: &str,
        (second, first): (Span, Span),
        help: &str,
    ) -> Self {
        Diagnostic::error(
            Code::NameDuplicate,
            format!("the {what} `{name}` is defined twice"),
        )
        .at(second, "defined again here")
        .with_label(first, "first defined here")
        .with_help(help.to_owned())
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: long_words_cut(message.into()),
            primary: None,
            secondary: Vec::new(),
            help: None,
            details: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn note(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label::new(span, label));
        self
    }

    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, label));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(long_words_cut(help.into()).into_boxed_str());
        self
    }

    /// Offers an edit that resolves the diagnostic: `span` replaced by `replacement`.
    pub fn with_correction(
        mut self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        let correction = Correction {
            title: title.into(),
            span,
            replacement: replacement.into(),
        };
        self.details
            .get_or_insert_default()
            .corrections
            .push(correction);
        self
    }

    /// The edits that resolve the diagnostic; empty when there is none to offer.
    pub fn corrections(&self) -> &[Correction] {
        self.details.as_ref().map_or(&[], |d| &d.corrections)
    }

    /// Says that the spans are in the data file `name`, not in the decision file.
    pub fn in_file(mut self, name: impl Into<String>) -> Self {
        self.details.get_or_insert_default().file = Some(name.into());
        self
    }

    /// Sorts the diagnostic at `position` in the decision file, `rank`-th among those
    /// sharing it, rather than where its span is.
    pub fn ordered(mut self, position: usize, rank: usize) -> Self {
        self.details.get_or_insert_default().order = Some((position, rank));
        self
    }

    /// Moves every span `by` bytes: a diagnostic found in an imported file's own text,
    /// placed where that file sits among the decision's files.
    pub fn shift(&mut self, by: usize) {
        let labels = self.primary.iter_mut().chain(self.secondary.iter_mut());
        for label in labels {
            label.span = Span::new(label.span.start() + by, label.span.end() + by);
        }
        for correction in self
            .details
            .iter_mut()
            .flat_map(|d| d.corrections.iter_mut())
        {
            let span = correction.span;
            correction.span = Span::new(span.start() + by, span.end() + by);
        }
    }

    /// The data file the spans are in; `None` for the decision file.
    pub fn file(&self) -> Option<&str> {
        self.details.as_ref().and_then(|p| p.file.as_deref())
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where the diagnostic sorts among the others: in decision-file order, data-file
    /// diagnostics at the place the decision names the file.
    pub fn position(&self) -> (usize, usize) {
        let order = self.details.as_ref().and_then(|p| p.order);
        order.unwrap_or_else(|| {
            (
                self.primary.as_ref().map_or(0, |label| label.span.start()),
                0,
            )
        })
    }
}

/// Names longer than this get no "did you mean": an edit distance costs the product of
/// the two lengths, and a name of a hundred thousand characters took half a minute
/// against one as long. Real names, Party names and labels are far shorter.
pub const LONGEST_SUGGESTED: usize = 200;

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    if length > LONGEST_SUGGESTED {
        return None;
    }
    let limit = match length {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let lowercase_word = word.to_lowercase();
    let word_length = lowercase_word.chars().count();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
        // Each edit changes the length by at most one, so a candidate whose length
        // differs by more than the limit cannot be close: skipped before the costly
        // distance. A character is at most 4 bytes, and lowercase is never shorter.
        .filter(|candidate| candidate.len() <= 4 * (word_length + limit))
        .filter_map(|candidate| {
            let lowercase = candidate.to_lowercase();
            let length = lowercase.chars().count();
            (length.abs_diff(word_length) <= limit).then(|| {
                let distance = strsim::damerau_levenshtein(&lowercase_word, &lowercase);
                (distance, candidate)
            })
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_namespaced() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(code.as_str().starts_with("bud::"), "{code}");
            assert!(seen.insert(code.as_str()), "duplicate {code}");
        }
    }

    #[test]
    fn closest_suggests_a_likely_typo_only() {
        let names = ["subtotal", "support", "reserve"];
        assert_eq!(closest("subtotl", names), Some("subtotal"));
        assert_eq!(closest("suport", names), Some("support"));
        assert_eq!(closest("grand_total", names), None);
    }

    #[test]
    fn a_name_over_the_longest_suggested_gets_no_suggestion() {
        let long = "a".repeat(LONGEST_SUGGESTED + 1);
        let close = format!("{}b", &long[1..]);
        assert_eq!(closest(&close, [long.as_str()]), None);
        let within = "a".repeat(LONGEST_SUGGESTED);
        let close = format!("{}b", &within[1..]);
        assert_eq!(closest(&close, [within.as_str()]), Some(within.as_str()));
    }

    #[test]
    fn a_candidate_of_another_length_is_skipped_but_one_within_the_limit_is_not() {
        assert_eq!(closest("support", ["sup"]), None);
        assert_eq!(closest("support", ["supp"]), Some("supp"));
        // Lowercase may lengthen a name (İ is two characters lowercased): lengths are
        // compared lowercased, as the distance is.
        assert_eq!(closest("i\u{307}stanbul", ["İstanbul"]), Some("İstanbul"));
    }

    #[test]
    fn a_long_word_is_cut_in_every_text_of_a_diagnostic() {
        let name = "x".repeat(100_000);
        let diagnostic = Diagnostic::error(Code::NameUnknown, format!("`{name}` is not defined"))
            .at(Span::new(0, 1), format!("{name} here"))
            .with_help(format!("did you mean `{name}`?"));
        let cut = format!("{}…(100,000 characters)", "x".repeat(60));
        assert_eq!(diagnostic.message, format!("`{cut}` is not defined"));
        assert_eq!(diagnostic.primary.unwrap().message, format!("{cut} here"));
        assert_eq!(
            diagnostic.help.as_deref(),
            Some(format!("did you mean `{cut}`?").as_str())
        );
        let short = "y".repeat(LONGEST_WORD_SHOWN);
        assert_eq!(long_words_cut(format!("`{short}`")), format!("`{short}`"));
    }
}
