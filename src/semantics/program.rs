//! The resolved program: the decision with every name bound to what it means. Values,
//! tables, sections and rows live in flat arrays indexed by id, and formulas refer to
//! them by id, so evaluation never looks a name up again. Built by `resolve.rs`.

use std::collections::BTreeMap;

use compact_str::CompactString;

use rust_decimal::Decimal;

use super::number::Exact;
use super::unit::Unit;
use crate::diagnostic::Span;
use crate::syntax::ast::{
    BinaryOp, ColumnKey, Figure, FigureKind, Period, RoundingMode, Scale, Written,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(pub usize);

#[derive(Debug, Clone, Default)]
pub struct Program {
    pub decision: DecisionInfo,
    /// The decisions this one reads (`import "22-cp-21.bud" as cop`), each evaluated
    /// as itself; `FormulaKind::Imported` refers to them by index.
    pub imports: Vec<super::ImportedModel>,
    pub paragraphs: Vec<ParagraphInfo>,
    pub values: Vec<ValueDef>,
    pub tables: Vec<TableDef>,
    pub sections: Vec<SectionDef>,
    pub rows: Vec<RowDef>,
}

#[derive(Debug, Clone, Default)]
pub struct DecisionInfo {
    /// A decision, or a report (`report "…" { … }`).
    pub kind: crate::syntax::ast::DocumentKind,
    pub symbol: String,
    pub title: String,
    /// Who issues a report: "the Executive Secretary".
    pub issuer: Option<String>,
    /// The days a report covers, when its period is given as dates; `period` then
    /// holds their years.
    pub dates: Option<crate::syntax::ast::Dates>,
    pub meeting: Option<String>,
    pub period: Option<Period>,
    pub currency: Option<String>,
    /// How the decision's tables print their figures, unless a table says otherwise.
    pub notation: crate::format::Notation,
}

impl DecisionInfo {
    /// The years of the decision's period, in order.
    pub fn years(&self) -> Vec<i32> {
        self.period
            .map_or_else(Vec::new, |p| (p.first..=p.last).collect())
    }
}

#[derive(Debug, Clone)]
pub struct ParagraphInfo {
    /// `11` for paragraph 11; `Table 1, note d` for the values a table's note states.
    pub number: String,
    /// "Paragraph 11", "Table 1, note d": how outputs head its values.
    pub heading: String,
    pub text: Option<String>,
    pub values: Vec<ValueId>,
}

impl ParagraphInfo {
    /// Where its values are printed, as a message names it: "paragraph 11", or
    /// "Table 1, note d".
    pub fn place(&self) -> String {
        match self.heading.strip_prefix("Paragraph ") {
            Some(number) => format!("paragraph {number}"),
            None => self.heading.clone(),
        }
    }
}

/// A named value: one rule, or one rule per year and/or a rule for every year.
#[derive(Debug, Clone)]
pub struct ValueDef {
    pub name: String,
    pub name_span: Span,
    pub paragraph: Option<usize>,
    /// The scale whose `apportion` this is: the amount it shares out each year, a
    /// value of the decision's that no one names and no output lists.
    pub apportioned_by: Option<String>,
    pub scalar: Option<Rule>,
    pub by_year: BTreeMap<i32, Rule>,
    pub every_year: Option<Rule>,
    /// Figures stated on lines of their own (`reserve_level[2016] stated EUR …`), by
    /// year (`None` for a value of no year): the rule that computes them is given once.
    pub stated_apart: BTreeMap<Option<i32>, Stated>,
}

impl ValueDef {
    /// The rule that gives the value (for one year, when it is given per year).
    pub fn rule_for(&self, year: Option<i32>) -> Option<&Rule> {
        match year {
            None => self.scalar.as_ref(),
            Some(year) => self.by_year.get(&year).or(self.every_year.as_ref()),
        }
    }

    /// The figure stated for a year (or for a value of no year), on its rule's line or
    /// on a line of its own.
    pub fn stated_for(&self, year: Option<i32>) -> Option<&Stated> {
        self.rule_for(year)
            .and_then(|rule| rule.stated.as_ref())
            .or_else(|| self.stated_apart.get(&year))
    }

    /// Every figure stated for the value, with its year: a rule for every year states
    /// its figure for each year of the period.
    pub fn stated_figures(&self, period: &[i32]) -> Vec<(Option<i32>, &Stated)> {
        let mut years: std::collections::BTreeSet<Option<i32>> =
            self.stated_apart.keys().copied().collect();
        if self.scalar.is_some() {
            years.insert(None);
        }
        years.extend(self.by_year.keys().map(|year| Some(*year)));
        if self.every_year.is_some() {
            years.extend(period.iter().map(|year| Some(*year)));
        }
        years
            .into_iter()
            .filter_map(|year| self.stated_for(year).map(|stated| (year, stated)))
            .collect()
    }

    pub fn is_yearly(&self) -> bool {
        self.scalar.is_none()
    }

    /// Every rule of the value, for walks over all formulas.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.scalar
            .iter()
            .chain(self.by_year.values())
            .chain(self.every_year.iter())
    }

    /// The years this value is shown for: those it names, else the decision's.
    pub fn display_years(&self, decision_years: &[i32]) -> Vec<i32> {
        let mut years: Vec<i32> = self.by_year.keys().copied().collect();
        if self.every_year.is_some() {
            years.extend(decision_years.iter().copied());
            years.sort_unstable();
            years.dedup();
        }
        years
    }
}

/// One definition of a value: its formula and the figure the decision states for it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub formula: Formula,
    pub stated: Option<Stated>,
    pub span: Span,
}

/// A figure as published, to reconcile against a computed value.
#[derive(Debug, Clone)]
pub struct Stated {
    /// The figure in the currency's units (thousands already multiplied out).
    pub value: Decimal,
    /// The figure exactly as written (`2,963.1`), for messages.
    pub written: Written,
    pub unit: Unit,
    pub span: Span,
    /// The step the figure is rounded to, in base units: its last written digit
    /// (EUR 2,372,575 is rounded to the euro), or the coarser one it is said to be
    /// rounded to (`stated US$ 2,922,100 rounding 100`).
    pub step: Decimal,
    pub mode: RoundingMode,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub number: Option<String>,
    pub name: String,
    pub name_span: Span,
    pub title: Option<String>,
    pub unit: TableUnit,
    /// The `unit` line, or the table's name when it has none.
    pub unit_span: Span,
    pub rounding: Option<PublishedRounding>,
    pub columns: Vec<ColumnKey>,
    /// The headings of the text columns: `ColumnKey::Text(n)` is headed `headings[n]`.
    pub headings: Vec<String>,
    /// Per column, the heading the decision prints over it, when the table gives one
    /// (`2016 as "2016 (EUR)"`).
    pub given_headings: Vec<Option<String>>,
    /// The table's own `notation`, if it has one.
    pub own_notation: Option<crate::format::Notation>,
    /// How the table prints its figures: its own notation, or the decision's.
    pub notation: crate::format::Notation,
    /// The heading over the row labels (`label "Activity"`), when the table gives one.
    pub label_heading: Option<String>,
    pub notes: Vec<String>,
    pub lines: Vec<Line>,
    /// False when the table's unit or columns are missing or wrong: its rows are then
    /// not computed, so one setting error does not become an error on every row.
    pub well_formed: bool,
    pub span: Span,
}

impl TableDef {
    /// "2016, 2017, Total": the table's columns, for a message.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| super::resolve::column_name(*c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A column's heading as the table prints it: "2013", "2013-2014", "Total" or a
    /// text column's own ("Synergies").
    pub fn heading(&self, column: ColumnKey) -> String {
        let given = self
            .column_index(column)
            .and_then(|index| self.given_headings.get(index))
            .and_then(Option::clone);
        if let Some(given) = given {
            return given;
        }
        match column {
            ColumnKey::Text(n) => self
                .headings
                .get(usize::from(n))
                .cloned()
                .unwrap_or_default(),
            other => super::resolve::column_name(other),
        }
    }

    /// Whether the column holds words rather than amounts.
    pub fn is_text(&self, index: usize) -> bool {
        self.columns.get(index).is_some_and(ColumnKey::is_text)
    }

    /// "Table 1", "Annex II", or the table's name when it has no number.
    pub fn display_name(&self) -> String {
        display_name(self.number.as_deref(), &self.name)
    }

    pub fn column_index(&self, key: ColumnKey) -> Option<usize> {
        self.columns.iter().position(|column| *column == key)
    }
}

/// What a table's figures are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUnit {
    pub unit: Unit,
    pub scale: Scale,
}

impl TableUnit {
    /// "thousands of US$", "US$", "posts".
    pub fn describe(&self) -> String {
        self.unit.to_string()
    }
}

/// `rounding 0.1 half-up`, in the currency's units (0.1 thousand is 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedRounding {
    /// The step as written in the table's unit, which fixes the decimals shown.
    pub written: Written,
    /// The step in base units.
    pub step: Decimal,
    pub mode: RoundingMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    Section(SectionId),
    Row(RowId),
}

#[derive(Debug, Clone)]
pub struct SectionDef {
    pub table: TableId,
    pub depth: usize,
    pub marker: Option<CompactString>,
    pub name: Option<CompactString>,
    pub label: CompactString,
    /// Every row below the section, nested sections included, in order.
    pub rows: Vec<RowId>,
    pub span: Span,
}

impl SectionDef {
    pub fn display_label(&self) -> String {
        with_marker(self.marker.as_deref(), &self.label)
    }

    /// The label as a message names it: its footnote marks raised, as printed
    /// (`C. Programme support costs (overheads)ᶜ`).
    pub fn message_label(&self) -> String {
        crate::format::superscript_marks(&self.display_label())
    }
}

#[derive(Debug, Clone)]
pub struct RowDef {
    pub table: TableId,
    pub depth: usize,
    // Compact: a name or label up to 24 bytes is held inline, so copying a row from
    // the syntax tree allocates nothing (docs/performance.md).
    pub marker: Option<CompactString>,
    pub name: Option<CompactString>,
    pub label: CompactString,
    pub figures: std::sync::Arc<[Figure]>,
    /// What turns a figure into the currency's units (1,000 for a table in thousands).
    /// Every figure was checked not to overflow with it when resolving; the amounts are
    /// computed when read rather than stored, a vector less per row.
    pub scale: Decimal,
    /// Present for computed rows; an input row takes its figures as given. Boxed, as
    /// in the syntax tree, so that input rows stay small.
    pub formula: Option<Box<Formula>>,
    pub span: Span,
}

impl RowDef {
    /// "A. Staff costs *", as the table prints it.
    pub fn display_label(&self) -> String {
        with_marker(self.marker.as_deref(), &self.label)
    }

    /// The label as a message names it: its footnote marks raised, as printed
    /// (`C. Programme support costs (overheads)ᶜ`).
    pub fn message_label(&self) -> String {
        crate::format::superscript_marks(&self.display_label())
    }

    /// The figure the table prints in a column, in the currency's units (a dash is
    /// zero); `None` for a blank, an absent amount or text.
    pub fn printed(&self, column: usize) -> Option<Decimal> {
        match self.figures.get(column)?.kind {
            FigureKind::Number(_) | FigureKind::Dash => self.amount(column),
            FigureKind::Blank | FigureKind::Absent | FigureKind::Text(_) => None,
        }
    }

    /// A figure in the currency's units (a figure in thousands times 1,000); zero for a
    /// dash or a blank; `None` past the last figure, and for what is not an amount (an
    /// absent one, text).
    pub fn amount(&self, column: usize) -> Option<Decimal> {
        match &self.figures.get(column)?.kind {
            FigureKind::Number(written) => written.value.checked_mul(self.scale),
            FigureKind::Dash | FigureKind::Blank => Some(Decimal::ZERO),
            FigureKind::Absent | FigureKind::Text(_) => None,
        }
    }

    /// Whether the row leaves its amount in `column` absent (`absent`).
    pub fn is_absent(&self, column: usize) -> bool {
        matches!(
            self.figures.get(column).map(|f| &f.kind),
            Some(FigureKind::Absent)
        )
    }

    /// The row's words in a text column.
    pub fn text(&self, column: usize) -> Option<&str> {
        match &self.figures.get(column)?.kind {
            FigureKind::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The shortest way to point at this row in a worked sum: its marker, name or label.
    pub fn short_name(&self) -> String {
        match (&self.marker, &self.name) {
            (Some(marker), _) => marker.to_string(),
            (None, Some(name)) => name.to_string(),
            (None, None) => format!("\"{}\"", self.label),
        }
    }
}

/// How a table or scale is headed and referred to: "Table 1" for `table 1`, "Annex" and
/// "Annex II" for `table annex` and `scale annex II`, its name when it has no number.
pub fn display_name(number: Option<&str>, name: &str) -> String {
    match number {
        Some(annex) if annex.starts_with("annex") => {
            let mut words = annex.split_whitespace();
            let _ = words.next();
            match words.next() {
                Some(numeral) => format!("Annex {numeral}"),
                None => "Annex".to_owned(),
            }
        }
        Some(number) => format!("Table {number}"),
        None => name.to_owned(),
    }
}

fn with_marker(marker: Option<&str>, label: &str) -> String {
    match marker {
        Some(marker) => format!("{marker} {label}"),
        None => label.to_owned(),
    }
}

/// A resolved formula.
#[derive(Debug, Clone)]
pub struct Formula {
    pub kind: FormulaKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum FormulaKind {
    Constant {
        value: Exact,
        unit: Unit,
    },
    Ratio(Vec<Decimal>),
    /// The year being computed.
    Year,
    Value {
        id: ValueId,
        at: At,
    },
    Row {
        id: RowId,
        at: At,
    },
    /// `sum(...)`: its terms, and the sections whose rows it adds (a section is read
    /// row by row when computed, never copied into the formula).
    Sum {
        terms: Vec<Formula>,
        sections: Vec<SectionTerm>,
    },
    /// `share(ratio, part)`: one part of a ratio as an exact rate.
    Share {
        ratio: Box<Formula>,
        part: usize,
    },
    Negate(Box<Formula>),
    Binary {
        op: BinaryOp,
        lhs: Box<Formula>,
        rhs: Box<Formula>,
    },
    /// `x in thousands of US$`: the same value, in the unit it is converted to.
    Convert {
        inner: Box<Formula>,
        to: Unit,
        to_span: Span,
    },
    /// `published(core_budget.grand_total[Total])`: a table's figure as published, not
    /// as computed, for rules that refer to the printed figure.
    Published {
        id: RowId,
        at: At,
    },
    /// `round(x, US$ 0.1 thousand)`: half-up to a multiple of the step.
    Round {
        value: Box<Formula>,
        step: Box<Formula>,
    },
    /// A row's rule with another for some columns (`except 2016 = level`), or none
    /// there (`except 2016`: the column's figure is an input).
    Except {
        rule: Box<Formula>,
        columns: Vec<(ColumnKey, Option<Formula>, Span)>,
    },
    /// `cop.core_budget.indicative[2016]`: a figure of a decision this one imports.
    Imported {
        import: usize,
        target: ImportedTarget,
        at: At,
    },
    /// A formula that could not be resolved; its diagnostic has been given already.
    Invalid,
}

/// What a formula reads of an imported decision, by id in that decision's program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportedTarget {
    Value(ValueId),
    Row(RowId),
    /// `cop.annex["Japan"]`: a Party's adjusted rate in a scale, for the year computed.
    Rate {
        scale: usize,
        party: usize,
    },
}

/// A section named in `sum(…)`, with the column it is read at.
#[derive(Debug, Clone, Copy)]
pub struct SectionTerm {
    pub id: SectionId,
    pub at: At,
    pub span: Span,
}

/// Which column or year a reference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The column or year being computed.
    Current,
    Column(ColumnKey),
    /// So many years from the one being computed: `level[year - 1]` is `Shifted(-1)`.
    Shifted(i32),
}

impl At {
    /// The column read when `current` is being computed; `None` when there is no
    /// single year to shift from.
    pub fn column_from(self, current: Option<ColumnKey>) -> Option<ColumnKey> {
        match self {
            At::Current => current,
            At::Column(column) => Some(column),
            At::Shifted(years) => match current? {
                ColumnKey::Year(year) => Some(ColumnKey::Year(year.checked_add(years)?)),
                _ => None,
            },
        }
    }

    /// The year read when `current` is being computed.
    pub fn year_from(self, current: Option<i32>) -> Option<i32> {
        match self {
            At::Column(ColumnKey::Year(year)) => Some(year),
            At::Shifted(years) => current?.checked_add(years),
            _ => current,
        }
    }
}

impl Formula {
    /// The rule that computes `column` of a row: the row's own, or the one its
    /// `except` gives that column; `None` where the column's figure is an input.
    pub fn for_column(&self, column: ColumnKey) -> Option<&Formula> {
        match &self.kind {
            FormulaKind::Except { rule, columns } => {
                match columns.iter().find(|(key, _, _)| *key == column) {
                    Some((_, other, _)) => other.as_ref(),
                    None => Some(rule),
                }
            }
            _ => Some(self),
        }
    }

    /// The row's rule and every other rule its `except` gives, each once.
    pub fn branches(&self) -> Vec<&Formula> {
        match &self.kind {
            FormulaKind::Except { rule, columns } => std::iter::once(&**rule)
                .chain(columns.iter().filter_map(|(_, other, _)| other.as_ref()))
                .collect(),
            _ => vec![self],
        }
    }

    /// Every value and row this formula reads, with the column or year it reads, in
    /// order of appearance.
    pub fn for_each_reference(&self, visit: &mut impl FnMut(Reference, At, Span)) {
        self.walk(false, visit);
    }

    /// Every name the formula writes, `published(…)` included: what an editor finds,
    /// where `for_each_reference` gives what evaluation depends on.
    pub fn for_each_name(&self, visit: &mut impl FnMut(Reference, At, Span)) {
        self.walk(true, visit);
    }

    fn walk(&self, published: bool, visit: &mut impl FnMut(Reference, At, Span)) {
        match &self.kind {
            FormulaKind::Value { id, at } => visit(Reference::Value(*id), *at, self.span),
            FormulaKind::Row { id, at } => visit(Reference::Row(*id), *at, self.span),
            // A published figure is read from the file, not computed: no dependency.
            FormulaKind::Published { id, at } if published => {
                visit(Reference::Row(*id), *at, self.span);
            }
            FormulaKind::Sum { terms, sections } => {
                terms.iter().for_each(|term| term.walk(published, visit));
                for section in sections {
                    visit(Reference::Section(section.id), section.at, section.span);
                }
            }
            FormulaKind::Share { ratio, .. } => ratio.walk(published, visit),
            FormulaKind::Negate(inner) | FormulaKind::Convert { inner, .. } => {
                inner.walk(published, visit)
            }
            FormulaKind::Binary { lhs, rhs, .. }
            | FormulaKind::Round {
                value: lhs,
                step: rhs,
            } => {
                lhs.walk(published, visit);
                rhs.walk(published, visit);
            }
            FormulaKind::Except { .. } => {
                for branch in self.branches() {
                    branch.walk(published, visit);
                }
            }
            // Another decision's figures are its own: nothing here depends on them.
            FormulaKind::Constant { .. }
            | FormulaKind::Ratio(_)
            | FormulaKind::Year
            | FormulaKind::Published { .. }
            | FormulaKind::Imported { .. }
            | FormulaKind::Invalid => {}
        }
    }
}

/// What a formula can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reference {
    Value(ValueId),
    Row(RowId),
    /// All rows of a section at once, as `sum(section)` reads them.
    Section(SectionId),
}

/// Which of a value's rules: the one rule, the rule for one year, or the rule for
/// every other year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKey {
    Scalar,
    Year(i32),
    EveryYear,
}

/// A unit of evaluation: one rule of a value, or one row (all its columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Rule(ValueId, RuleKey),
    Row(RowId),
    /// Stands for all rows of a section, so that n sums of an m-row section make
    /// n + m edges rather than n × m.
    Section(SectionId),
}

impl ValueDef {
    pub fn rule(&self, key: RuleKey) -> Option<&Rule> {
        match key {
            RuleKey::Scalar => self.scalar.as_ref(),
            RuleKey::Year(year) => self.by_year.get(&year),
            RuleKey::EveryYear => self.every_year.as_ref(),
        }
    }

    /// Every rule with its key.
    pub fn keyed_rules(&self) -> impl Iterator<Item = (RuleKey, &Rule)> {
        self.scalar
            .iter()
            .map(|rule| (RuleKey::Scalar, rule))
            .chain(
                self.by_year
                    .iter()
                    .map(|(year, rule)| (RuleKey::Year(*year), rule)),
            )
            .chain(
                self.every_year
                    .iter()
                    .map(|rule| (RuleKey::EveryYear, rule)),
            )
    }

    /// The rules a reference reading `at` may use: the rule for the year it names, or
    /// the rule for every year; all of them when the year is the one being computed.
    pub fn rules_read_at(&self, at: At) -> Vec<RuleKey> {
        if self.scalar.is_some() {
            return vec![RuleKey::Scalar];
        }
        match at {
            At::Column(ColumnKey::Year(year)) if self.by_year.contains_key(&year) => {
                vec![RuleKey::Year(year)]
            }
            At::Column(ColumnKey::Year(_)) if self.every_year.is_some() => vec![RuleKey::EveryYear],
            At::Column(ColumnKey::Year(_)) => Vec::new(),
            _ => self.keyed_rules().map(|(key, _)| key).collect(),
        }
    }
}

impl Program {
    pub fn value(&self, id: ValueId) -> &ValueDef {
        &self.values[id.0]
    }

    pub fn table(&self, id: TableId) -> &TableDef {
        &self.tables[id.0]
    }

    pub fn row(&self, id: RowId) -> &RowDef {
        &self.rows[id.0]
    }

    pub fn section(&self, id: SectionId) -> &SectionDef {
        &self.sections[id.0]
    }
}
