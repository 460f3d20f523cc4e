//! The typed syntax tree of a decision file: what the author wrote, with the byte span
//! of every node, and nothing computed yet.
//!
//! Figures keep the digits as written (`Written`) because the number of decimals an
//! author typed is part of what was published; the evaluator decides what it means.

use compact_str::CompactString;
use rust_decimal::Decimal;

use crate::diagnostic::Span;

/// A whole `.bud` file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Decision(Decision),
    /// Only in a file as parsed; `syntax::load` puts the imported items in its place.
    Import(Import),
    Paragraph(Paragraph),
    /// Shared, so that a scenario's variant of the decision copies only the tables it
    /// changes.
    Table(std::sync::Arc<Table>),
    Scale(ScaleTable),
    /// `rule financial_procedures "…" { … }`: a scale's limits, written once.
    Rule(RuleDef),
    /// `arrears bureau "…" { status "…" from 2005 years 2 exempt ldc sids }`.
    Arrears(ArrearsRule),
    Group(Group),
    Scenario(Scenario),
    Erratum(Erratum),
    Definition(Definition),
}

impl Item {
    /// Where the item is in the file.
    pub fn span(&self) -> Span {
        match self {
            Item::Decision(decision) => decision.span,
            Item::Import(import) => import.span,
            Item::Paragraph(paragraph) => paragraph.span,
            Item::Table(table) => table.span,
            Item::Scale(scale) => scale.span,
            Item::Rule(rule) => rule.span,
            Item::Arrears(rule) => rule.span,
            Item::Group(group) => group.span,
            Item::Scenario(scenario) => scenario.span,
            Item::Erratum(erratum) => erratum.span,
            Item::Definition(definition) => definition.span,
        }
    }
}

/// `erratum annex["Spain"].rate[2018] "…"`: published figures that are wrong as
/// published, and why. Checked: each must fail to reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct Erratum {
    pub reason: Text,
    pub figures: Vec<FigureRef>,
    pub span: Span,
}

/// A published figure named in an erratum: `core_budget.reserve[2016]`,
/// `reserve_level[2018]`, `annex["Japan"].rate[2016]`; without a column, every figure
/// of its line (or role).
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRef {
    pub names: Vec<Ident>,
    pub party: Option<Text>,
    pub column: Option<ReferenceIndex>,
    pub span: Span,
}

/// `scenario contingency-2015 "If …" { … }`: a named variant of the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// May hold hyphens, as people name scenarios: `contingency-2015`.
    pub name: Ident,
    /// The condition under which the variant applies, as the decision words it.
    pub condition: Option<Text>,
    pub changes: Vec<Change>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `period 2013-2015`: the variant's years.
    Period(Period, Span),
    /// A table, scale, group or value the base decision does not have.
    Add(Item),
    /// `replace table 6 core_budget { … }`: takes the place of the base decision's
    /// table, scale, group or value of the same name.
    Replace(Item, Span),
    /// `remove contributions`: the base decision's table, scale, group or value goes.
    Remove(Ident, Span),
    /// `in core_budget { replace … / add … / remove … }`: rows of one table change.
    Rows {
        table: Ident,
        edits: Vec<RowEdit>,
        span: Span,
    },
}

/// One change to the rows of a table in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum RowEdit {
    /// `replace C. "COP/MOP" 100.0 …`: the row of the same name (or, unnamed, label).
    Replace(Row),
    /// `add after "COP/MOP" C1. "Regional meetings" 10.0 …`, or at the table's end.
    Add {
        after: Option<RowSelector>,
        row: Row,
    },
    /// `remove savings` or `remove "Less savings from previous years"`.
    Remove(RowSelector),
}

/// A row of a table, by its name or its label.
#[derive(Debug, Clone, PartialEq)]
pub enum RowSelector {
    Name(Ident),
    Label(Text),
}

impl RowSelector {
    pub fn span(&self) -> Span {
        match self {
            RowSelector::Name(name) => name.span,
            RowSelector::Label(label) => label.span,
        }
    }

    /// `savings` or `"COP/MOP"`, as written.
    pub fn display(&self) -> String {
        match self {
            RowSelector::Name(name) => name.name.to_string(),
            RowSelector::Label(label) => format!("\"{}\"", label.value),
        }
    }

    /// Whether `row` is the row this selects.
    pub fn selects(&self, row: &Row) -> bool {
        match self {
            RowSelector::Name(name) => row.name.as_ref().is_some_and(|n| n.name == name.name),
            RowSelector::Label(label) => row.label.value == label.value,
        }
    }

    /// How a replacement or added row is matched: by its name, or else its label.
    pub fn of(row: &Row) -> RowSelector {
        match &row.name {
            Some(name) => RowSelector::Name(name.clone()),
            None => RowSelector::Label(row.label.clone()),
        }
    }
}

/// `group ldc "Least developed countries (2012)" { "Angola" "Bangladesh" … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: Ident,
    pub label: Option<Text>,
    pub members: Vec<Text>,
    pub span: Span,
}

/// `scale 5 contributions { … }`: an amount apportioned among Parties by a scale of
/// assessments, with the rule, the Parties' rates and the figures as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleTable {
    pub number: Option<Ident>,
    pub name: Ident,
    /// `title`, `unit`, `rounding` (of each contribution), `columns`, `note`.
    pub settings: Vec<TableSetting>,
    pub rules: Vec<ScaleRule>,
    pub parties: Vec<PartyLine>,
    /// `total "TOTAL" …`: the published totals.
    pub total: Option<PartyLine>,
    /// `data "bs-vi-7-table-5.tsv"`: Party lines read from a file.
    pub data: Vec<Text>,
    pub span: Span,
}

impl ScaleTable {
    /// The years of the scale's columns, in order.
    pub fn years(&self) -> Vec<i32> {
        let mut years = Vec::new();
        for setting in &self.settings {
            if let TableSetting::ScaleColumns(columns, _) = setting {
                for year in columns.iter().filter_map(|column| column.kind.year()) {
                    if !years.contains(&year) {
                        years.push(year);
                    }
                }
            }
        }
        years
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScaleRule {
    /// `apportion core_budget.net_total`, or any formula of an amount (`28.8% of
    /// core_budget.indicative_contributions`): the amount shared out each year, and the
    /// formula as written, for messages.
    Amount(Expr, CompactString, Span),
    /// `rates rounding 0.001 half-up`: how the adjusted scale is published.
    Rates(Rounding, Span),
    /// `base rounding 0.001`: the base rates are printed rounded.
    Base(Rounding, Span),
    /// `fixed "European Union" 2.5%`
    Fixed {
        party: Text,
        share: Written,
        span: Span,
    },
    /// `ceiling 22%`: the most any Party pays.
    Ceiling(Written, Span),
    /// `cap ldc 0.01%`: the most a member of the group pays.
    Cap {
        group: Ident,
        rate: Written,
        span: Span,
    },
    /// `floor 0.001%`: the least any Party pays.
    Floor(Written, Span),
    /// `rule financial_procedures without cap ldc`: the limits of a shared rule, less
    /// the parts the scale does not apply.
    Use {
        rule: Ident,
        without: Vec<Without>,
        span: Span,
    },
}

/// A part of a shared rule that a scale does not apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Without {
    Cap(Ident),
    Ceiling(Span),
    Floor(Span),
    Fixed(Text),
}

/// `arrears bureau "Eligibility for the Bureau (paragraphs 12 to 14)" { … }`: the rule of
/// who is in arrears and what follows, and the file of payments it is applied to.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrearsRule {
    pub name: Ident,
    pub title: Option<Text>,
    /// `status "bs-vi-7-status.tsv"`: per Party and year, assessed and paid.
    pub status: Option<Text>,
    /// `from 2005`: contributions due from 1 January of this year onwards count.
    pub from: Option<(i32, Span)>,
    /// `years 2`: in arrears for this many years or more, a Party is not eligible.
    pub years: Option<(Written, Span)>,
    /// `exempt ldc sids`: the groups the rule does not apply to.
    pub exempt: Vec<Ident>,
    pub span: Span,
}

/// `rule financial_procedures "Decision 15/CP.1, annex I, paragraph 7(a)" { fixed …
/// floor … }`: the limits of a scale's rule and the instrument they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    pub name: Ident,
    pub source: Option<Text>,
    /// `fixed`, `ceiling`, `cap` and `floor` lines only.
    pub limits: Vec<ScaleRule>,
    pub span: Span,
}

/// `"Albania"  0.010  0.014  357  0.010  0.014  362  719`
#[derive(Debug, Clone, PartialEq)]
pub struct PartyLine {
    pub party: Text,
    pub figures: Vec<Figure>,
    pub span: Span,
}

/// A name written by the author, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: CompactString,
    pub span: Span,
}

/// A double-quoted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: CompactString,
    pub span: Span,
}

/// `import "ldc-2012.bud"`: another file's groups, values and tables, as if written
/// here; `import "22-cp-21.bud" as cop`: another decision, read under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The file's name relative to the importing file, as written.
    pub path: Text,
    /// The name a decision is imported under; `None` for a file of shared items.
    pub alias: Option<Ident>,
    pub span: Span,
}

/// `decision "BS-VI/7" { title "…"  period 2013-2014  currency US$ }`
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub kind: DocumentKind,
    pub symbol: Text,
    pub fields: Vec<DecisionField>,
    pub span: Span,
}

/// What the file's header block opens with: a decision a body adopts, or a report a
/// secretariat issues (`report "…" { title … issuer … period 1 January – 31 March 2014 }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentKind {
    #[default]
    Decision,
    Report,
}

impl DocumentKind {
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Decision => "decision",
            DocumentKind::Report => "report",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecisionField {
    pub name: Ident,
    pub value: FieldValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(Text),
    Period(Period),
    Dates(Dates),
    Currency(Currency),
    /// `notation UN`: how the decision's tables print their figures.
    Notation(Notation),
}

/// `1 January – 31 March 2014`: the days a report covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dates {
    pub first: Date,
    pub last: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    /// 1 for January.
    pub month: u8,
    pub day: u8,
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// "1 January 2014".
    pub fn day_and_month(self) -> String {
        let month = MONTHS
            .get(usize::from(self.month).saturating_sub(1))
            .unwrap_or(&"");
        format!("{} {month}", self.day)
    }

    /// Whether the day exists in its month (29 February only in a leap year).
    pub fn exists(self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => 0,
        };
        (1..=days).contains(&self.day)
    }
}

impl std::fmt::Display for Dates {
    /// "1 January – 31 March 2014", or with both years when they differ.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (first, last) = (self.first, self.last);
        if first.year == last.year {
            write!(
                f,
                "{} – {} {}",
                first.day_and_month(),
                last.day_and_month(),
                last.year
            )
        } else {
            write!(
                f,
                "{} {} – {} {}",
                first.day_and_month(),
                first.year,
                last.day_and_month(),
                last.year
            )
        }
    }
}

/// A range of years such as `2013-2014`, inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub first: i32,
    pub last: i32,
}

/// A currency as written: `US$`, `USD`, `€`, `EUR`, ... normalised to its ISO code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    pub code: String,
    pub span: Span,
}

/// `paragraph 1 "Welcomes …" { definitions }`: the values a paragraph of the decision
/// states, kept under its number so a figure can be traced back to the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub number: Ident,
    pub text: Option<Text>,
    pub definitions: Vec<Definition>,
    pub span: Span,
}

/// `name = expr`, `name[2013] = expr` or `name[year] = expr`, with an optional
/// `stated <figure>` that the computed value is reconciled against.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: Ident,
    pub index: Option<YearIndex>,
    /// `None` for a line that only states a figure (`reserve_level[2016] stated EUR …`)
    /// of a value whose rule is written elsewhere.
    pub value: Option<Expr>,
    pub stated: Option<Literal>,
    /// `rounding 100` after the stated figure: the step it is rounded to, in its own
    /// unit, when coarser than its last written digit.
    pub stated_rounding: Option<Rounding>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearIndex {
    /// `name[2013]`: the value for one year.
    Year(i32, Span),
    /// `name[year]`: a rule that gives the value for any year.
    EveryYear(Span),
}

/// `table 1 core_budget { … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub number: Option<Ident>,
    pub name: Ident,
    pub settings: Vec<TableSetting>,
    pub entries: Vec<Entry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TableSetting {
    Title(Text),
    /// `label "Activity"`: the heading over the row labels.
    Label(Text),
    Unit(TableUnit, Span),
    Rounding(Rounding, Span),
    Columns(Columns),
    /// A scale's columns, each a role for a year.
    ScaleColumns(Vec<ScaleColumn>, Span),
    Note(Note),
    /// `notation UN`: how the table prints its figures.
    Notation(Notation, Span),
}

/// `note d "In accordance with …" { reserve_level[2016] = … }`: a note under a table,
/// with the mark the table prints it with, and the values it states.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub mark: Option<CompactString>,
    pub text: Text,
    pub definitions: Vec<Definition>,
    pub span: Span,
}

impl Note {
    /// As printed under the table: "d  In accordance with …".
    pub fn printed(&self) -> String {
        match &self.mark {
            Some(mark) => format!("{mark}  {}", self.text.value),
            None => self.text.value.to_string(),
        }
    }
}

/// One column of a scale, as `columns` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleColumn {
    pub kind: ScaleColumnKind,
    /// The heading the decision prints over it (`as "…"`).
    pub heading: Option<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleColumnKind {
    /// `2013`: three columns, the year's base rate, adjusted rate and contribution.
    Year(i32),
    /// `base`: the base rates for every year; `base 2013`: for one year.
    Base(Option<i32>),
    /// `rate 2016`: the adjusted rates of one year.
    Rate(i32),
    /// `contribution 2016`: the contributions of one year.
    Contribution(i32),
    /// `Total`: each Party's contributions added up.
    Total,
}

impl ScaleColumnKind {
    /// How many figures of a Party line the column stands for.
    pub fn figures(self) -> usize {
        match self {
            ScaleColumnKind::Year(_) => 3,
            _ => 1,
        }
    }

    pub fn year(self) -> Option<i32> {
        match self {
            ScaleColumnKind::Year(year)
            | ScaleColumnKind::Base(Some(year))
            | ScaleColumnKind::Rate(year)
            | ScaleColumnKind::Contribution(year) => Some(year),
            ScaleColumnKind::Base(None) | ScaleColumnKind::Total => None,
        }
    }
}

/// `columns 2016 as "2016 (EUR)" 2017 Total`: the columns in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Each column with where it was written.
    pub keys: Vec<(ColumnKey, Span)>,
    /// The heading the decision prints over each column, when it is given (`as "…"`).
    pub headings: Vec<Option<Text>>,
    /// The headings of the text columns: `ColumnKey::Text(n)` is headed by the n-th.
    pub texts: Vec<Text>,
    pub span: Span,
}

pub use crate::format::Notation;

/// The unit every figure of a table is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableUnit {
    Money { currency: Currency, scale: Scale },
    Posts,
    Percent,
}

/// How many base units one written unit stands for: `thousands of US$` is `Thousands`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    Units,
    Thousands,
    Millions,
}

impl Scale {
    pub fn factor(self) -> Decimal {
        match self {
            Scale::Units => Decimal::ONE,
            Scale::Thousands => Decimal::from(1_000),
            Scale::Millions => Decimal::from(1_000_000),
        }
    }
}

/// `rounding 0.1 half-up`: the published figures are rounded to this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    pub step: Written,
    pub mode: RoundingMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoundingMode {
    /// Halves go away from zero, as a spreadsheet's ROUND does.
    #[default]
    HalfUp,
    /// Halves go to the even neighbour (banker's rounding).
    HalfEven,
}

impl RoundingMode {
    pub fn name(self) -> &'static str {
        match self {
            RoundingMode::HalfUp => "half-up",
            RoundingMode::HalfEven => "half-even",
        }
    }
}

/// A column heading: one year, a period shown as one column, the computed Total, or
/// a column of text (`columns "Synergies"`), which holds words, never amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnKey {
    Year(i32),
    Period(Period),
    Total,
    /// The n-th text column of its table; its heading is in the table's `columns`.
    Text(u16),
}

impl ColumnKey {
    /// Whether the column holds words rather than amounts.
    pub fn is_text(&self) -> bool {
        matches!(self, ColumnKey::Text(_))
    }
}

impl Table {
    /// How many rows the table has, in its sections too (the sections not counted).
    pub fn row_count(&self) -> usize {
        fn in_entries(entries: &[Entry]) -> usize {
            entries
                .iter()
                .map(|entry| match entry {
                    Entry::Row(_) => 1,
                    Entry::Section(section) => in_entries(&section.entries),
                })
                .sum()
        }
        in_entries(&self.entries)
    }
}

/// One line of a table body. A section is boxed, so that each of a million rows is
/// the size of a row, not of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Section(Box<Section>),
    Row(Row),
}

/// `I. expenditures "Expenditures" { rows }`
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub marker: Option<Text>,
    pub name: Option<Ident>,
    pub label: Text,
    pub entries: Vec<Entry>,
    pub span: Span,
}

/// `A. staff_costs "Staff costs *"  1,875.2  1,916.7  3,791.9` or, computed,
/// `subtotal "Sub-total (I)"  2,577.6  2,622.3  5,199.9  = sum(expenditures)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Boxed: few rows have a marker (`A.`), and an inline one is a fifth of a row.
    pub marker: Option<Box<Text>>,
    pub name: Option<Ident>,
    pub label: Text,
    /// Shared with the resolved row (`RowDef`), so a million rows keep one copy.
    pub figures: std::sync::Arc<[Figure]>,
    /// Boxed: most rows are inputs, and an inline formula would more than double
    /// every row's size.
    pub formula: Option<Box<Expr>>,
    pub span: Span,
}

/// One cell of a row as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub kind: FigureKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FigureKind {
    Number(Written),
    /// A published dash: no amount.
    Dash,
    /// A cell the publication left empty (`_`).
    Blank,
    /// An amount the document says it cannot give yet (`absent`): shown as not
    /// identified, never as zero, and never added to anything.
    Absent,
    /// Words in a text column (`"More consistent service to parties"`). Shared, so a
    /// figure stays the size of a number.
    Text(std::sync::Arc<str>),
}

/// A number as written, exactly, with the count of decimals the author typed
/// (`20.0` has one; it is not the same publication as `20`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Written {
    pub value: Decimal,
    pub decimals: u32,
}

/// A formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// `name`, `table.row`, `name[2013]`, `table.row[total]`.
    Reference(Reference),
    /// The year of the column or definition being computed.
    Year,
    Negate(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
    /// `host_offset in thousands of US$`: the same amount, written at another scale.
    Convert {
        inner: Box<Expr>,
        to: TableUnit,
        to_span: Span,
    },
    /// A row's rule with other rules for some columns: `= level - level[year - 1]
    /// except 2016 = level`. Only a row's whole formula is one.
    Except {
        rule: Box<Expr>,
        columns: Vec<ColumnRule>,
    },
}

/// `except 2016 = level`, or `except 2016` for a column whose figure is an input.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRule {
    pub column: ColumnKey,
    /// Where `except 2016` is written.
    pub span: Span,
    pub rule: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    /// `13% of subtotal`: a multiplication that reads like the decision's text.
    Of,
    Power,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Of => "of",
            BinaryOp::Power => "^",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// `cop` in `cop.core_budget.indicative`: the decision imported under that name.
    pub decision: Option<Ident>,
    /// `table` in `table.row`, absent for a bare name.
    pub qualifier: Option<Ident>,
    pub name: Ident,
    pub index: Option<ReferenceIndex>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceIndex {
    Column(ColumnKey, Span),
    /// `[year]`: the year being computed, written out.
    CurrentYear(Span),
    /// `[year - 1]`: a year before (or after) the one being computed.
    ShiftedYear(i32, Span),
    /// `["Synergies"]`: a text column, which no formula can compute with.
    Text(Text, Span),
}

/// A literal with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub kind: LiteralKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    /// A plain number: `2`, `1.02`, `2012`.
    Number(Written),
    /// `16.5%` or `16.5 per cent`; `value` is the number written before the sign.
    Percent(Written),
    /// `US$ 1,126,162`, `US$ 2,922.1 thousand`.
    Money {
        currency: Currency,
        amount: Written,
        scale: Scale,
    },
    /// `2.5 posts`.
    Posts(Written),
    /// `85:15`.
    Ratio(Vec<Written>),
}
