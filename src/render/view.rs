//! The evaluated decision as plain data, the one thing every output format renders:
//! its identity, the values of its paragraphs, and each table as headings, lines and
//! cells, where a cell carries the figure as printed, its exact value, the stated
//! figure and how it reconciled, and the spreadsheet formula that computes it. Built
//! once from the model and its reconciliation, so the terminal, JSON, CSV, Markdown,
//! HTML and the workbook cannot disagree about a figure, a mark or a footnote.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::Span;
use crate::format::{self, Notation};
use crate::reconcile::attribution::Cause;
use crate::reconcile::{Check, Outcome, Reconciliation, Root, shown_unit};
use crate::semantics::explain::{Subject, constant, difference_size, written_in};
use crate::semantics::number::Exact;
use crate::semantics::program::{Line, RowDef, RowId, TableDef, TableId, ValueId};
use crate::semantics::resolve::{column_name, factor, figures};
use crate::semantics::unit::{Unit, currency_symbol};
use crate::semantics::{Evaluated, Model};
use crate::syntax::ast::{ColumnKey, FigureKind, Written};

pub use super::formula::CellFormula;

pub const MATCH: &str = "✓";
pub const ROUNDING: &str = "≈";
pub const MISMATCH: &str = "✗";
/// A published error the decision acknowledges (`erratum`).
pub const ACKNOWLEDGED: &str = "!";
/// A figure that does not reconcile only because of an error elsewhere: `→✗1`, "follows
/// from ✗1".
pub const FOLLOWS: &str = "→";

/// The whole evaluated decision, or one scenario of it.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// `decision` or `report`.
    pub kind: &'static str,
    pub symbol: String,
    pub title: String,
    pub meeting: Option<String>,
    /// Who issues a report.
    pub issuer: Option<String>,
    pub period: Option<Period>,
    /// A report's period as days: `1 January – 31 March 2014`.
    pub dates: Option<String>,
    pub currency: Option<String>,
    pub scenario: Option<Scenario>,
    pub paragraphs: Vec<Paragraph>,
    pub tables: Vec<Table>,
    pub summary: Summary,
    /// The published errors the decision acknowledges, each with its reason.
    pub errata: Vec<Erratum>,
    /// Whom the rendering is for; not part of the JSON, which is always the whole.
    #[serde(skip)]
    pub presentation: Presentation,
}

/// Whom a rendering is for: the person checking the decision, or its readers.
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    pub purpose: Purpose,
    /// The file the decision was read from, as it was named on the command line, for
    /// the line that says what produced a publication.
    pub source: Option<String>,
    /// Whether one table was asked for (`--table`): a reader gets it alone, without
    /// the paragraphs.
    pub one_table: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Purpose {
    /// Every mark, note, name and exact figure that shows how the figures reconcile.
    #[default]
    Review,
    /// The decision as adopted: the published figures at their published precision,
    /// without marks or internal names.
    Publication,
}

impl Document {
    /// The document as adopted, for publication: the published figures as printed and
    /// the figures bud computes that the decision does not print at the table's
    /// published precision; no marks, notes of bud's, values by their names in the
    /// file, or applications of rules to example data (arrears).
    pub fn published(mut self) -> Document {
        for paragraph in &mut self.paragraphs {
            paragraph.values.clear();
        }
        self.paragraphs.retain(|paragraph| paragraph.text.is_some());
        self.tables.retain(|table| table.kind != TableKind::Arrears);
        for table in &mut self.tables {
            table.publish();
        }
        self.errata.clear();
        self
    }

    pub fn is_publication(&self) -> bool {
        self.presentation.purpose == Purpose::Publication
    }
}

impl Table {
    fn publish(&mut self) {
        self.unit = adopted_unit(&self.unit);
        self.footnotes.clear();
        self.notes.drain(..self.found_notes.min(self.notes.len()));
        self.found_notes = 0;
        let decimals: Vec<Option<u32>> = self.columns.iter().map(|c| c.decimals).collect();
        let notation = self.notation;
        for line in &mut self.lines {
            line.name = None;
            for (cell, decimals) in line.cells.iter_mut().zip(&decimals) {
                cell.publish(*decimals, notation);
            }
        }
    }
}

/// "thousands of US$", "rates in per cent; contributions in US$": the unit line
/// without how bud reads the rounding of the figures.
fn adopted_unit(unit: &str) -> String {
    let unit = unit.split("; published figures").next().unwrap_or(unit);
    unit.split("; ")
        .map(|part| part.split(", rounded to ").next().unwrap_or(part))
        .map(|part| part.strip_suffix(", exact").unwrap_or(part))
        .collect::<Vec<_>>()
        .join("; ")
}

impl TableCell {
    /// As adopted: a published figure as printed; a figure bud computes that the
    /// decision does not print, at the column's published precision.
    fn publish(&mut self, decimals: Option<u32>, notation: Notation) {
        self.mark.clear();
        self.bud = None;
        self.role = None;
        self.at = None;
        if let Some(stated) = &self.stated {
            self.shown = notation.figure(&stated.written);
        } else if let (true, Some(number), Some(decimals)) = (self.computed, self.number, decimals)
        {
            let rounded = format::fixed(number, decimals, crate::syntax::ast::RoundingMode::HalfUp);
            self.shown = notation.figure(&rounded);
        }
        self.stated = None;
    }
}

impl Presentation {
    /// "Produced by bud 0.1.0 from decisions/bs-vi-7.bud": the line a publication ends with.
    pub fn colophon(&self) -> String {
        let version = env!("CARGO_PKG_VERSION");
        match &self.source {
            Some(source) => format!("Produced by bud {version} from {source}"),
            None => format!("Produced by bud {version}"),
        }
    }
}

/// An acknowledgement of published errors (`erratum`): why, and the figures it names
/// as messages name them (`Annex, Spain, adjusted scale 2018 (%): printed 3.865, bud
/// computes 3.1728…`).
#[derive(Debug, Clone, Serialize)]
pub struct Erratum {
    pub reason: String,
    pub figures: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Period {
    pub first: i32,
    pub last: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    pub condition: Option<String>,
}

/// A paragraph's text and the values it defines; `number` is `None` for the values
/// written outside any paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Paragraph {
    /// The paragraph's number; `None` for values outside paragraphs and for those a
    /// table's note states.
    pub number: Option<String>,
    /// "Paragraph 11", "Table 1, note d", or nothing for values outside paragraphs.
    pub heading: Option<String>,
    pub text: Option<String>,
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Value {
    /// The name as the decision writes it: `host_offset`.
    pub name: String,
    pub year: Option<i32>,
    /// `US$ 189,533.0646`, `13%`, `?` when it could not be computed.
    pub shown: String,
    /// Every digit, in `unit`: `189533.0646`; `null` when not computed or a ratio.
    pub value: Option<String>,
    pub unit: Option<String>,
    pub stated: Option<Stated>,
    /// The stated figure's reconciliation in a sentence, for the terminal.
    #[serde(skip)]
    pub note: String,
    /// Where its stated figure is written, for a page that points at it.
    #[serde(skip)]
    pub at: Option<Place>,
    /// Whether its stated figure is a wrong one or only follows from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The value in the unit a spreadsheet holds it in: amounts in the currency's own
    /// units, rates as fractions (13% is 0.13).
    #[serde(skip)]
    pub number: Option<Decimal>,
    /// What `number` is in: `US$`, `%` (a fraction shown as a percentage), `posts`, or
    /// empty for a plain number.
    #[serde(skip)]
    pub number_unit: String,
    /// Whether a rule computes the value from others, rather than the decision writing
    /// it as a figure (`host_growth = 2 per cent`).
    #[serde(skip)]
    pub computed: bool,
    /// The rule as a spreadsheet formula over the other values and the tables'
    /// figures, in the currency's units, where it has one.
    #[serde(skip)]
    pub formula: Option<CellFormula>,
}

impl Value {
    /// `host_offset[2013]`.
    pub fn label(&self) -> String {
        match self.year {
            Some(year) => format!("{}[{year}]", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A table of budget lines: rows, sections and computed totals.
    Budget,
    /// A scale of assessments: one line per Party.
    Scale,
    /// An arrears rule applied: one line per Party of the status file.
    Arrears,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// `table-1`, or the table's name: unique, for anchors and sheet names.
    pub id: String,
    pub kind: TableKind,
    /// `Table 1`, or the table's name when it has no number.
    pub name: String,
    pub title: Option<String>,
    /// What the figures are in: `thousands of US$; published figures rounded to 0.1, half-up`.
    pub unit: String,
    /// The heading over the labels: `Description`, `Party`.
    pub label_heading: String,
    /// How the figures are printed (`shown`): `comma` (2,250,862, -41,609) or `UN`
    /// (2 250 862, (41 609), – for nil).
    pub notation: Notation,
    pub columns: Vec<Column>,
    pub lines: Vec<TableLine>,
    /// One per `≈n` or `✗n` mark: what the difference is and whether rounding explains it.
    pub footnotes: Vec<String>,
    /// The decision's notes under the table, and for a scale what its rule did.
    pub notes: Vec<String>,
    /// How many of `notes`, from the first, are what bud found (a scale's rule at work)
    /// rather than the decision's own notes: a publication leaves them out.
    #[serde(skip)]
    pub found_notes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub heading: String,
    /// Whether the column holds words (`Synergies`) rather than figures.
    pub text: bool,
    /// `thousands of US$`, `per cent`.
    pub unit: String,
    /// The published number of decimals; `null` where figures are shown exactly.
    pub decimals: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A heading that groups the rows below it; it has no figures.
    Section,
    /// A row of figures as written in the decision.
    Input,
    /// A row the decision computes with a rule.
    Computed,
    /// A Party's line of a scale of assessments.
    Party,
    /// A scale's TOTAL line.
    Total,
}

impl LineKind {
    /// As JSON writes it: `section`, `input`, `computed`, `party`, `total`.
    pub fn name(self) -> &'static str {
        match self {
            LineKind::Section => "section",
            LineKind::Input => "input",
            LineKind::Computed => "computed",
            LineKind::Party => "party",
            LineKind::Total => "total",
        }
    }
}

impl Table {
    /// The footnote a numbered mark (`≈2`) refers to.
    pub fn footnote(&self, mark: &str) -> Option<&str> {
        self.footnotes
            .iter()
            .find(|note| note.split(' ').next() == Some(mark))
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TableLine {
    pub kind: LineKind,
    /// The row's name in the decision file, for rows that have one.
    pub name: Option<String>,
    /// How far the label is indented: 0 for a top-level line.
    pub depth: usize,
    pub label: String,
    /// One per column; empty for a section.
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCell {
    pub kind: CellKind,
    /// As printed: `2,922.1`, `-`, empty for a blank, `?` when not computed, the words
    /// of a text cell, `n/a` for an absent amount.
    pub shown: String,
    /// Every digit in the column's unit (`2922.088`); `null` for a blank or a cell that
    /// could not be computed.
    pub value: Option<String>,
    /// Whether bud computes this figure (a rule, a total) rather than reads it.
    pub computed: bool,
    pub stated: Option<Stated>,
    /// `✓`, `≈1`, `✗2`, or empty: the mark printed beside the figure.
    #[serde(skip)]
    pub mark: String,
    /// For a figure that does not reconcile, bud's figure at the published precision,
    /// printed beside the published one (which `shown` keeps).
    #[serde(skip)]
    pub bud: Option<String>,
    /// The figure as a spreadsheet computes it from other cells, where it can.
    #[serde(skip)]
    pub formula: Option<CellFormula>,
    /// Where the figure is written, for a page that points from a diagnostic to it.
    #[serde(skip)]
    pub at: Option<Place>,
    /// For a figure that does not reconcile: the wrong figure itself (bud's root
    /// cause), or one that only follows from a wrong figure elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The value as a number, for formats that hold numbers.
    #[serde(skip)]
    pub number: Option<Decimal>,
    /// What `formula` gives, where that is not `number`: a scale's TOTAL line adds
    /// the Parties' shares of the amount apportioned, while bud reconciles it against
    /// the amount the budget computes.
    #[serde(skip)]
    pub formula_result: Option<Decimal>,
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// A figure, written or computed (or a blank where one could be).
    Amount,
    /// Words, in a text column.
    Text,
    /// An amount the document leaves absent: not a zero, and not computed.
    Absent,
}

impl CellKind {
    /// As JSON and CSV write it: `amount`, `text`, `absent`.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Amount => "amount",
            CellKind::Text => "text",
            CellKind::Absent => "absent",
        }
    }
}

/// How an absent amount is printed, in every format.
pub const ABSENT: &str = "n/a";

impl TableCell {
    /// A text column's cell.
    pub fn words(text: &str) -> Self {
        TableCell::without_amount(CellKind::Text, text.to_owned())
    }

    /// An amount the document leaves absent.
    pub fn absent() -> Self {
        TableCell::without_amount(CellKind::Absent, ABSENT.to_owned())
    }

    fn without_amount(kind: CellKind, shown: String) -> Self {
        TableCell {
            kind,
            shown,
            value: None,
            computed: false,
            stated: None,
            mark: String::new(),
            bud: None,
            formula: None,
            at: None,
            role: None,
            number: None,
            formula_result: None,
        }
    }
}

/// Where a figure is written: a span of the decision's files, or of the data file
/// `file` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: Option<String>,
    pub span: Span,
}

impl Place {
    /// A place in the decision's files.
    pub fn decision(span: Span) -> Self {
        Place { file: None, span }
    }
}

/// What a figure that does not reconcile is to the error bud found, with that error's
/// number (`✗1`) where bud numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The figure that is wrong: correcting it makes the others reconcile.
    Wrong(Option<usize>),
    /// A figure that fails only because it is computed from a wrong one.
    Follows(Option<usize>),
}

/// In JSON: `{"is": "wrong", "error": 1}`; `error` is null when bud does not number it.
impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut role = serializer.serialize_struct("Role", 2)?;
        role.serialize_field("is", self.name())?;
        role.serialize_field("error", &self.number())?;
        role.end()
    }
}

impl Role {
    /// As a page's class names it: `wrong`, `follows`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Wrong(_) => "wrong",
            Role::Follows(_) => "follows",
        }
    }

    /// The number of the error the figure is, or follows from.
    pub fn number(self) -> Option<usize> {
        match self {
            Role::Wrong(number) | Role::Follows(number) => number,
        }
    }

    /// The mark beside the figure: `✗1` for the wrong figure, `→✗1` for one that
    /// follows from it.
    pub fn mark(self) -> String {
        let number = self.number().map(|n| n.to_string()).unwrap_or_default();
        match self {
            Role::Wrong(_) => format!("{MISMATCH}{number}"),
            Role::Follows(_) => format!("{FOLLOWS}{MISMATCH}{number}"),
        }
    }

    /// The role of a figure: `culprit` is the number of the error when bud names this
    /// figure the wrong one; otherwise its own check says whether it is the error or
    /// follows from one.
    pub fn of(
        check: Option<&Check>,
        culprit: Option<usize>,
        reconciliation: &Reconciliation,
    ) -> Option<Role> {
        if culprit.is_some() {
            return Some(Role::Wrong(culprit));
        }
        let check = check.filter(|check| check.outcome == Outcome::Mismatch)?;
        let numbers = reconciliation.error_numbers();
        if check.cause == Cause::Upstream && numbers.is_empty() {
            // It reconciles with the published figures it is computed from, and bud
            // finds no error: not part of one (`mark` says so).
            return None;
        }
        let number = numbers.of_check(check);
        let root = match check.cause {
            Cause::Own => true,
            Cause::Figure(index) => reconciliation
                .culprits
                .get(index)
                .is_some_and(|culprit| culprit.span == check.span),
            Cause::Scale(index) => reconciliation
                .scale_causes
                .get(index)
                .is_some_and(|cause| cause.span == check.span),
            Cause::Upstream => false,
        };
        Some(if root {
            Role::Wrong(number)
        } else {
            Role::Follows(number)
        })
    }
}

/// A figure the decision publishes, and how it reconciles with what bud computes.
#[derive(Debug, Clone, Serialize)]
pub struct Stated {
    /// As written: `2,963.1`, or `-` for a dash.
    pub written: String,
    /// Every digit, in the same unit as the computed value.
    pub value: String,
    pub outcome: OutcomeName,
    /// stated − computed.
    pub difference: String,
    /// The largest difference rounding explains.
    pub tolerance: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeName {
    Matches,
    Rounding,
    Mismatch,
    /// Does not reconcile: a published error the decision acknowledges (`erratum`).
    Acknowledged,
    /// Published, but not checked: its cell failed, or depends on one that did.
    NotChecked,
}

impl OutcomeName {
    /// As JSON writes it: `matches`, `rounding`, `mismatch`, `not_checked`.
    pub fn name(self) -> &'static str {
        match self {
            OutcomeName::Matches => "matches",
            OutcomeName::Rounding => "rounding",
            OutcomeName::Mismatch => "mismatch",
            OutcomeName::Acknowledged => "acknowledged",
            OutcomeName::NotChecked => "not_checked",
        }
    }
}

impl From<Outcome> for OutcomeName {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Matches => OutcomeName::Matches,
            Outcome::Rounding => OutcomeName::Rounding,
            Outcome::Mismatch => OutcomeName::Mismatch,
            Outcome::Acknowledged => OutcomeName::Acknowledged,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    pub stated: usize,
    pub matches: usize,
    pub rounding: usize,
    pub mismatches: usize,
    /// Published errors the decision acknowledges (`erratum`): they do not reconcile,
    /// and do not fail.
    pub acknowledged: usize,
    /// Stated figures not checked because their cell failed or depends on one that did.
    pub unchecked: usize,
    /// Of the mismatches, those that fail only because a figure they are computed from
    /// is wrong; that figure is reported once, with the errors.
    pub inherited: usize,
}

/// The view of a checked decision (or scenario) that has a model.
pub fn document(checked: &crate::Checked, model: &Model) -> Document {
    outline(checked, model).into_document()
}

/// The view of an evaluated decision and its reconciliation.
pub fn document_of(model: &Model, reconciliation: &Reconciliation) -> Document {
    Outline::of(model, reconciliation).into_document()
}

/// The view of a checked decision without its tables, which `tables` builds one at a
/// time: a format that writes as it goes (JSON, CSV, the workbook) holds one table's
/// view at once instead of the whole decision's, which at a million rows was gigabytes.
pub fn outline<'a>(checked: &'a crate::Checked, model: &'a Model) -> Outline<'a> {
    // ✗1 is the first error `bud check` prints, whichever file it is in.
    let printed: Vec<crate::diagnostic::Span> = checked
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .filter_map(|diagnostic| diagnostic.primary.as_ref().map(|label| label.span))
        .collect();
    checked
        .reconciliation
        .number_errors_as_printed(model, &printed);
    let mut outline = Outline::of(model, &checked.reconciliation);
    outline.head.scenario = checked.scenario.as_ref().map(|(name, condition)| Scenario {
        name: name.clone(),
        condition: condition.clone(),
    });
    outline
}

/// How a table can be asked for by name (`Outline::only_table`).
struct TableKey {
    id: String,
    name: String,
    heading: String,
}

/// A `Document` whose `tables` are left empty in `head`, to be built by `tables`.
pub struct Outline<'a> {
    pub head: Document,
    model: &'a Model,
    reconciliation: &'a Reconciliation,
    /// Only the table this names, when one is asked for (`only_table`).
    only: Option<String>,
}

impl<'a> Outline<'a> {
    fn of(model: &'a Model, reconciliation: &'a Reconciliation) -> Self {
        Outline {
            head: head(model, reconciliation),
            model,
            reconciliation,
            only: None,
        }
    }

    /// Keeps only the table that `wanted` names: its number (`1`, as in "Table 1", or
    /// `annex-ii`), its heading (`Table 1`, `Annex II`), its id (`table-1`) or its name
    /// in the file (`core_budget`, a scale's `contributions`), in any case. False when
    /// no table has that name, and then the outline is left whole.
    pub fn only_table(&mut self, wanted: &str) -> bool {
        let wanted = wanted.trim().to_lowercase();
        let found = self.table_keys().into_iter().find(|key| {
            let number = key.id.strip_prefix("table-").unwrap_or(&key.id);
            [key.id.as_str(), number, &key.name, &key.heading]
                .iter()
                .any(|name| name.to_lowercase() == wanted)
        });
        let Some(found) = found else {
            return false;
        };
        self.only = Some(found.id);
        // The paragraphs stay in the outline: a workbook's formulas read their
        // values. The formats for reading leave them out (`one_table`).
        self.head.presentation.one_table = true;
        true
    }

    /// The names `only_table` takes, one per table, for a message when none matches:
    /// `1 (core_budget)`, `annex-ii (itl_fees)`.
    pub fn table_names(&self) -> Vec<String> {
        self.table_keys()
            .into_iter()
            .map(|key| {
                let number = key.id.strip_prefix("table-").unwrap_or(&key.id);
                if number == key.name {
                    key.name
                } else {
                    format!("{number} ({})", key.name)
                }
            })
            .collect()
    }

    /// Each table's id, name in the file and heading, known without building it.
    fn table_keys(&self) -> Vec<TableKey> {
        let model = self.model;
        let budget = model.program.tables.iter().map(|table| TableKey {
            id: table_id(table.number.as_deref(), &table.name),
            name: table.name.clone(),
            heading: table.display_name(),
        });
        let scales = model.scales.scales.iter().map(|scale| TableKey {
            id: table_id(scale.def.number.as_deref(), &scale.def.name),
            name: scale.def.name.clone(),
            heading: crate::semantics::program::display_name(
                scale.def.number.as_deref(),
                &scale.def.name,
            ),
        });
        let arrears = model.arrears.iter().map(|arrears| TableKey {
            id: format!("arrears-{}", arrears.name),
            name: arrears.name.clone(),
            heading: format!("Arrears ({})", arrears.name),
        });
        budget.chain(scales).chain(arrears).collect()
    }

    pub fn tables(&self) -> impl Iterator<Item = Table> + '_ {
        self.all_tables()
            .filter(|table| self.only.as_ref().is_none_or(|only| &table.id == only))
    }

    fn all_tables(&self) -> impl Iterator<Item = Table> + '_ {
        let (model, reconciliation) = (self.model, self.reconciliation);
        let budget = (0..model.program.tables.len())
            .map(move |index| budget_table(model, reconciliation, TableId(index)));
        let scales = model
            .scales
            .scales
            .iter()
            .enumerate()
            .map(move |(index, scale)| super::scale::view(model, reconciliation, index, scale));
        let arrears = model
            .arrears
            .iter()
            .map(move |arrears| super::arrears::view(model, arrears));
        budget.chain(scales).chain(arrears)
    }

    /// The whole document, every table built.
    pub fn into_document(self) -> Document {
        let tables = self.tables().collect();
        let mut document = Document {
            tables,
            ..self.head
        };
        if document.presentation.one_table {
            document.paragraphs.clear();
        }
        if document.is_publication() {
            document.published()
        } else {
            document
        }
    }
}

/// Everything of the document but its tables.
fn head(model: &Model, reconciliation: &Reconciliation) -> Document {
    let decision = &model.program.decision;
    Document {
        kind: decision.kind.name(),
        symbol: decision.symbol.clone(),
        title: decision.title.clone(),
        meeting: decision.meeting.clone(),
        issuer: decision.issuer.clone(),
        period: decision.period.map(|p| Period {
            first: p.first,
            last: p.last,
        }),
        dates: decision.dates.map(|dates| dates.to_string()),
        currency: decision
            .currency
            .as_deref()
            .map(|c| currency_symbol(c).to_owned()),
        scenario: None,
        paragraphs: paragraphs(model, reconciliation),
        tables: Vec::new(),
        summary: Summary::of(reconciliation),
        errata: reconciliation
            .acknowledged
            .iter()
            .map(|acknowledged| Erratum {
                reason: acknowledged.reason.clone(),
                figures: acknowledged.figures.clone(),
            })
            .collect(),
        presentation: Presentation::default(),
    }
}

impl Summary {
    /// The reconciliation's outcomes, counted.
    pub fn of(reconciliation: &Reconciliation) -> Summary {
        let tally = reconciliation.tally();
        Summary {
            stated: tally.stated(),
            matches: tally.matches,
            rounding: tally.rounding,
            mismatches: tally.mismatches,
            acknowledged: tally.acknowledged,
            unchecked: tally.unchecked,
            inherited: tally.inherited,
        }
    }
}

// ---------------------------------------------------------------- values

fn paragraphs(model: &Model, reconciliation: &Reconciliation) -> Vec<Paragraph> {
    let program = &model.program;
    let loose: Vec<ValueId> = (0..program.values.len())
        .map(ValueId)
        .filter(|id| {
            let value = program.value(*id);
            value.paragraph.is_none() && value.apportioned_by.is_none()
        })
        .collect();
    let mut paragraphs = Vec::new();
    if !loose.is_empty() {
        paragraphs.push(Paragraph {
            number: None,
            heading: None,
            text: None,
            values: values(model, reconciliation, &loose),
        });
    }
    for paragraph in &program.paragraphs {
        let is_paragraph = paragraph.heading.starts_with("Paragraph ");
        paragraphs.push(Paragraph {
            number: is_paragraph.then(|| paragraph.number.clone()),
            heading: Some(paragraph.heading.clone()),
            text: paragraph.text.clone(),
            values: values(model, reconciliation, &paragraph.values),
        });
    }
    paragraphs
}

fn values(model: &Model, reconciliation: &Reconciliation, ids: &[ValueId]) -> Vec<Value> {
    let years = model.program.decision.years();
    let mut lines = Vec::new();
    for id in ids {
        let definition = model.program.value(*id);
        let results = &model.values[id.0];
        if let Some(result) = &results.scalar {
            lines.push(value(
                model,
                reconciliation,
                *id,
                None,
                result.as_ref().ok(),
            ));
        } else {
            for year in definition.display_years(&years) {
                let result = results.years.get(&year).and_then(|r| r.as_ref().ok());
                lines.push(value(model, reconciliation, *id, Some(year), result));
            }
        }
    }
    lines
}

fn value(
    model: &Model,
    reconciliation: &Reconciliation,
    id: ValueId,
    year: Option<i32>,
    result: Option<&Evaluated>,
) -> Value {
    let unit = model.value_units[id.0].as_ref();
    let check = reconciliation.check_for(Subject::Value { value: id, year });
    let amount = match result {
        Some(Evaluated::Amount(amount)) => Some(amount.value),
        _ => None,
    };
    let scaled = amount
        .zip(unit)
        .and_then(|(value, unit)| in_unit(value, unit));
    let computed = model
        .program
        .value(id)
        .rule_for(year)
        .is_none_or(|rule| !is_figure(&rule.formula.kind));
    Value {
        name: model.program.value(id).name.clone(),
        year,
        shown: shown_value(result, unit),
        value: scaled.map(plain),
        unit: unit.map(unit_name),
        stated: check
            .map(|check| stated_value(model, id, year, check))
            .or_else(|| unchecked_value(model, id, year)),
        note: stated_note(model, reconciliation, id, year, check),
        at: check.map(|check| Place::decision(check.span)),
        role: Role::of(check, None, reconciliation),
        number: amount.map(Exact::to_decimal),
        number_unit: unit.map_or_else(String::new, number_unit),
        computed,
        formula: computed
            .then(|| super::formula::value_formula(model, id, year))
            .flatten(),
    }
}

/// Whether a rule is a figure as written: `2 per cent`, `-US$ 5,000`, `1:2`.
fn is_figure(formula: &crate::semantics::program::FormulaKind) -> bool {
    use crate::semantics::program::FormulaKind;
    match formula {
        FormulaKind::Constant { .. } | FormulaKind::Ratio(_) => true,
        FormulaKind::Negate(inner) => is_figure(&inner.kind),
        _ => false,
    }
}

fn number_unit(unit: &Unit) -> String {
    match unit {
        Unit::Money { currency, .. } => currency_symbol(currency).to_owned(),
        Unit::Percent => "%".to_owned(),
        Unit::Posts => "posts".to_owned(),
        Unit::Number | Unit::Ratio | Unit::Year => String::new(),
    }
}

fn shown_value(result: Option<&Evaluated>, unit: Option<&Unit>) -> String {
    match (result, unit) {
        (Some(Evaluated::Amount(amount)), Some(unit)) => constant(amount.value, unit),
        (Some(Evaluated::Ratio(parts)), _) => parts
            .iter()
            .map(|p| format::exact(*p))
            .collect::<Vec<_>>()
            .join(":"),
        _ => "?".to_owned(),
    }
}

/// A value in the unit it is written in: thousands divided out, a rate in per cent.
fn in_unit(value: Exact, unit: &Unit) -> Option<Exact> {
    let factor = match unit {
        Unit::Money { scale, .. } => scale.factor(),
        Unit::Percent => Decimal::new(1, 2),
        _ => Decimal::ONE,
    };
    value.checked_div(Exact::new(factor)).ok()
}

/// `thousands of US$`, `%`, `posts`, `number`, `year`, `ratio`.
fn unit_name(unit: &Unit) -> String {
    match unit {
        Unit::Percent => "%".to_owned(),
        Unit::Number => "number".to_owned(),
        Unit::Ratio => "ratio".to_owned(),
        Unit::Year => "year".to_owned(),
        Unit::Money { .. } | Unit::Posts => unit.to_string(),
    }
}

fn stated_value(model: &Model, id: ValueId, year: Option<i32>, check: &Check) -> Stated {
    let unit = shown_unit(model, id, year).unwrap_or(Unit::Number);
    let scaled = |value: Exact| in_unit(value, &unit).map_or_else(|| "?".to_owned(), plain);
    Stated {
        written: check
            .written
            .map_or_else(|| "-".to_owned(), |written| written_in(written, &unit)),
        value: scaled(Exact::new(check.stated)),
        outcome: check.outcome.into(),
        difference: scaled(check.difference()),
        tolerance: scaled(Exact::new(check.tolerance())),
    }
}

/// A value's stated figure when the value could not be computed.
fn unchecked_value(model: &Model, id: ValueId, year: Option<i32>) -> Option<Stated> {
    let stated = model.program.value(id).stated_for(year)?;
    let unit = &stated.unit;
    let scaled = in_unit(Exact::new(stated.value), unit)?;
    Some(not_checked(written_in(stated.written, unit), plain(scaled)))
}

fn not_checked(written: String, value: String) -> Stated {
    Stated {
        written,
        value,
        outcome: OutcomeName::NotChecked,
        difference: "?".to_owned(),
        tolerance: "?".to_owned(),
    }
}

fn stated_note(
    model: &Model,
    reconciliation: &Reconciliation,
    id: ValueId,
    year: Option<i32>,
    check: Option<&Check>,
) -> String {
    let Some(check) = check else {
        return String::new();
    };
    let follows = match Role::of(Some(check), None, reconciliation) {
        Some(role @ Role::Follows(_)) => Some(role),
        _ => None,
    };
    let unit = shown_unit(model, id, year).unwrap_or(Unit::Number);
    let stated = check
        .written
        .map_or_else(|| "-".to_owned(), |written| written_in(written, &unit));
    let difference = check.difference();
    let sign = if difference < Exact::ZERO { "-" } else { "+" };
    let difference = format!("{sign}{}", difference_size(difference.abs(), &unit));
    let tolerance = difference_size(Exact::new(check.tolerance()), &unit);
    if let Some(role) = follows {
        return format!(
            "{} stated {stated}: differs by {difference} only because of {}",
            role.mark(),
            error_named(model, reconciliation, role.number())
        );
    }
    match check.outcome {
        Outcome::Matches => format!("{MATCH} stated {stated}"),
        Outcome::Rounding => format!(
            "{ROUNDING} stated {stated}: differs by {difference}, within ±{tolerance} (rounding)"
        ),
        Outcome::Mismatch if check.tolerance().is_zero() => {
            format!(
                "{MISMATCH} stated {stated}: differs by {difference} (error; the figures are exact)"
            )
        }
        Outcome::Mismatch => format!(
            "{MISMATCH} stated {stated}: differs by {difference}, more than ±{tolerance} (error)"
        ),
        Outcome::Acknowledged => format!(
            "{ACKNOWLEDGED} stated {stated}: differs by {difference}, a published error the decision acknowledges"
        ),
    }
}

// ---------------------------------------------------------------- budget tables

fn budget_table(model: &Model, reconciliation: &Reconciliation, id: TableId) -> Table {
    let program = &model.program;
    let definition = program.table(id);
    let mut footnotes = Footnotes::default();
    let positions = line_positions(definition);
    let mut lines = Vec::new();
    for line in &definition.lines {
        lines.push(match line {
            Line::Section(section) => {
                let section = program.section(*section);
                TableLine {
                    kind: LineKind::Section,
                    name: section.name.as_deref().map(str::to_owned),
                    depth: section.depth,
                    label: section.display_label(),
                    cells: Vec::new(),
                }
            }
            Line::Row(row) => {
                let def = program.row(*row);
                let context = RowContext {
                    model,
                    reconciliation,
                    table: definition,
                    id: *row,
                    row: def,
                    positions: &positions,
                };
                TableLine {
                    kind: if def.formula.is_some() {
                        LineKind::Computed
                    } else {
                        LineKind::Input
                    },
                    name: def.name.as_deref().map(str::to_owned),
                    depth: def.depth,
                    label: def.display_label(),
                    cells: context.cells(&mut footnotes),
                }
            }
        });
    }
    let unit = definition.unit.describe();
    let decimals = definition.rounding.map(|r| r.written.decimals);
    Table {
        id: table_id(definition.number.as_deref(), &definition.name),
        kind: TableKind::Budget,
        name: definition.display_name(),
        title: definition.title.clone(),
        // A table of words alone has no unit to state.
        unit: if definition.columns.iter().all(ColumnKey::is_text) {
            String::new()
        } else {
            unit_line(definition)
        },
        label_heading: definition
            .label_heading
            .clone()
            .unwrap_or_else(|| "Description".to_owned()),
        notation: definition.notation,
        columns: definition
            .columns
            .iter()
            .map(|key| {
                // A column of words has no unit and no precision.
                let text = key.is_text();
                Column {
                    heading: definition.heading(*key),
                    text,
                    unit: if text { String::new() } else { unit.clone() },
                    decimals: decimals.filter(|_| !text),
                }
            })
            .collect(),
        lines,
        footnotes: footnotes.into_notes(),
        notes: definition.notes.clone(),
        found_notes: 0,
    }
}

/// `table-1` for Table 1, else the table's name.
/// `table-1`, `annex-ii`, or the table's name when it has no number.
pub(super) fn table_id(number: Option<&str>, name: &str) -> String {
    match number {
        Some(annex) if annex.starts_with("annex") => annex
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
            .to_lowercase(),
        Some(number) => format!("table-{number}"),
        None => name.to_owned(),
    }
}

fn unit_line(table: &TableDef) -> String {
    match table.rounding {
        Some(rounding) => format!(
            "{}; published figures rounded to {}, {}",
            table.unit.describe(),
            format::written(rounding.written),
            rounding.mode.name()
        ),
        None => table.unit.describe(),
    }
}

/// Where each row of the table is among its lines, for formulas that point at cells.
fn line_positions(table: &TableDef) -> std::collections::HashMap<RowId, usize> {
    table
        .lines
        .iter()
        .enumerate()
        .filter_map(|(index, line)| match line {
            Line::Row(row) => Some((*row, index)),
            Line::Section(_) => None,
        })
        .collect()
}

/// One row of a budget table, with what its cells are worked out from.
struct RowContext<'a> {
    model: &'a Model,
    reconciliation: &'a Reconciliation,
    table: &'a TableDef,
    id: RowId,
    row: &'a RowDef,
    positions: &'a std::collections::HashMap<RowId, usize>,
}

impl RowContext<'_> {
    fn cells(&self, footnotes: &mut Footnotes) -> Vec<TableCell> {
        (0..self.table.columns.len())
            .map(|column| self.cell(column, footnotes))
            .collect()
    }

    fn cell(&self, column: usize, footnotes: &mut Footnotes) -> TableCell {
        if self.table.is_text(column) {
            return TableCell::words(self.row.text(column).unwrap_or_default());
        }
        if self.row.is_absent(column) {
            return TableCell::absent();
        }
        let check = self.reconciliation.check_for(Subject::Cell {
            row: self.id,
            column,
        });
        let key = self.table.columns.get(column).copied();
        let is_total = key == Some(ColumnKey::Total);
        let figure = self.row.figures.get(column).map(|f| f.kind.clone());
        let by_rule = match (&self.row.formula, key) {
            (Some(formula), Some(key)) => formula.for_column(key).is_some(),
            _ => false,
        };
        let computed = by_rule || is_total;
        let scale = figures(self.table);
        let number = self.number(column, computed, figure.clone());
        let culprit = self.reconciliation.culprits.iter().position(|culprit| {
            culprit.row == self.id && culprit.column == column && !culprit.acknowledged
        });
        let culprit_number =
            culprit.and_then(|index| self.reconciliation.error_numbers().culprit(index));
        let what = || {
            let column = column_name(key.unwrap_or(ColumnKey::Total));
            format!("{}, {column}", self.row.message_label())
        };
        let written_at = self.row.figures.get(column).map(|figure| figure.span);
        let role = Role::of(check, culprit_number, self.reconciliation);
        TableCell {
            kind: CellKind::Amount,
            shown: self.shown(column, computed, figure.clone(), check),
            bud: self.bud(column, computed, check),
            value: number.map(|n| plain(Exact::new(n))),
            computed,
            stated: check
                .map(|check| stated_cell(check, factor(&self.table.unit), self.table.notation))
                .or_else(|| self.unchecked(column, computed, figure)),
            mark: match culprit {
                Some(index) => culprit_mark(self.reconciliation, index, footnotes, what, scale),
                None => mark(
                    check,
                    role,
                    self.model,
                    self.reconciliation,
                    footnotes,
                    what,
                    scale,
                ),
            },
            formula: if computed && number.is_some() {
                self.formula(column, is_total)
            } else {
                None
            },
            at: check
                .map(|check| check.span)
                .or(written_at)
                .map(Place::decision),
            role,
            number,
            formula_result: None,
        }
    }

    /// The figure in the table's unit, as a spreadsheet should hold it: what was
    /// written for an input, every digit of what bud computes otherwise.
    fn number(&self, column: usize, computed: bool, figure: Option<FigureKind>) -> Option<Decimal> {
        if !computed {
            return input_number(figure);
        }
        match self.model.cells[self.id.0].get(column) {
            Some(Ok(amount)) if figure == Some(FigureKind::Blank) && amount.value.is_zero() => None,
            Some(Ok(amount)) => amount
                .value
                .checked_div(Exact::new(factor(&self.table.unit)))
                .ok()
                .map(Exact::to_decimal),
            _ => None,
        }
    }

    fn shown(
        &self,
        column: usize,
        computed: bool,
        figure: Option<FigureKind>,
        check: Option<&Check>,
    ) -> String {
        let notation = self.table.notation;
        if !computed {
            return input_shown(figure, notation);
        }
        // A stated figure is shown as published: when it matches or differs only by
        // rounding it is the correct rounding of amounts bud only sees rounded, and when
        // it does not reconcile bud's figure goes beside it (`bud`), never in its place.
        if let Some(check) = check {
            return figure_in(check.written, notation);
        }
        match self.model.cells[self.id.0].get(column) {
            Some(Ok(amount)) if figure == Some(FigureKind::Blank) && amount.value.is_zero() => {
                String::new()
            }
            Some(Ok(amount)) => published(self.table, amount.value),
            _ => "?".to_owned(),
        }
    }

    /// bud's figure for a stated figure that does not reconcile.
    fn bud(&self, column: usize, computed: bool, check: Option<&Check>) -> Option<String> {
        check.filter(|c| computed && c.outcome == Outcome::Mismatch)?;
        match self.model.cells[self.id.0].get(column) {
            Some(Ok(amount)) => Some(published(self.table, amount.value)),
            _ => None,
        }
    }

    /// A published figure bud could not check because the cell failed: still shown as
    /// published, so a reader of the output does not take it for a blank.
    fn unchecked(
        &self,
        column: usize,
        computed: bool,
        figure: Option<FigureKind>,
    ) -> Option<Stated> {
        if !computed {
            return None;
        }
        let value = self.row.printed(column)?;
        let scaled = Exact::new(value)
            .checked_div(Exact::new(factor(&self.table.unit)))
            .ok()?;
        Some(not_checked(
            input_shown(figure, self.table.notation),
            plain(scaled),
        ))
    }

    /// The Total column adds the row's other columns; a rule becomes the same
    /// arithmetic over the cells it reads, where every part has a spreadsheet form.
    fn formula(&self, column: usize, is_total: bool) -> Option<CellFormula> {
        let own_line = *self.positions.get(&self.id)?;
        if is_total {
            let years = (0..self.table.columns.len())
                .filter(|c| self.table.columns[*c] != ColumnKey::Total)
                .map(|c| CellFormula::Cell {
                    line: own_line,
                    column: c,
                })
                .collect();
            return Some(CellFormula::Sum(years));
        }
        let formula = self.row.formula.as_ref()?;
        super::formula::translate(
            &super::formula::Place {
                model: self.model,
                table: self.table,
                column,
                positions: self.positions,
            },
            formula,
        )
    }
}

fn stated_cell(check: &Check, factor: Decimal, notation: Notation) -> Stated {
    let scaled = |value: Exact| {
        value
            .checked_div(Exact::new(factor))
            .map_or_else(|_| "?".to_owned(), plain)
    };
    Stated {
        written: figure_in(check.written, notation),
        value: scaled(Exact::new(check.stated)),
        outcome: check.outcome.into(),
        difference: scaled(check.difference()),
        tolerance: scaled(Exact::new(check.tolerance())),
    }
}

/// A scale figure's stated figure: scales hold rates and amounts in their own units.
pub(super) fn stated_as_is(check: &Check, notation: Notation) -> Stated {
    stated_cell(check, Decimal::ONE, notation)
}

/// A stated figure as the table prints it, in its notation; `None` is a dash.
pub(super) fn figure_in(written: Option<Written>, notation: Notation) -> String {
    match written {
        Some(written) => notation.figure(&format::written(written)),
        None => notation.dash().to_owned(),
    }
}

/// An input figure as a number, in the unit it is written in: a dash is zero.
pub(super) fn input_number(figure: Option<FigureKind>) -> Option<Decimal> {
    match figure? {
        FigureKind::Number(written) => Some(written.value),
        FigureKind::Dash => Some(Decimal::ZERO),
        FigureKind::Blank | FigureKind::Absent | FigureKind::Text(_) => None,
    }
}

/// An input figure as printed: `1,875.2`, `-`, or nothing for a blank; in UN notation
/// `2 250 862`, `(41 609)`, `–`.
pub(super) fn input_shown(figure: Option<FigureKind>, notation: Notation) -> String {
    match figure {
        Some(FigureKind::Number(written)) => notation.figure(&format::written(written)),
        Some(FigureKind::Dash) => notation.dash().to_owned(),
        Some(FigureKind::Absent) => ABSENT.to_owned(),
        Some(FigureKind::Text(text)) => text.to_string(),
        Some(FigureKind::Blank) | None => String::new(),
    }
}

/// A computed figure as the table publishes it: at its rounding, or every digit.
pub fn published(table: &TableDef, value: Exact) -> String {
    let Ok(scaled) = value.checked_div(Exact::new(factor(&table.unit))) else {
        return "?".to_owned();
    };
    let comma = match table.rounding {
        Some(rounding) => format::fixed(
            scaled.to_decimal(),
            rounding.written.decimals,
            rounding.mode,
        ),
        None => format::exact_number(scaled),
    };
    table.notation.figure(&comma)
}

/// `✓`, or `≈n` / `✗n` with a numbered note under the table: "{what}: stated …,
/// computed …, difference …: within/more than the ±… that rounding explains".
pub(super) fn mark(
    check: Option<&Check>,
    role: Option<Role>,
    model: &Model,
    reconciliation: &Reconciliation,
    footnotes: &mut Footnotes,
    what: impl FnOnce() -> String,
    figures: format::Scaled,
) -> String {
    let show = |value: Exact| figures.show(value);
    let Some(check) = check else {
        return String::new();
    };
    if let Some(Role::Follows(number)) = role {
        return follows_mark(model, reconciliation, number, footnotes);
    }
    // A figure that reconciles with the published figures it is computed from, where
    // bud finds no error, differs by the rounding of those figures.
    let upstream_rounding = check.outcome == Outcome::Mismatch && role.is_none();
    let symbol = match check.outcome {
        Outcome::Matches => return MATCH.to_owned(),
        Outcome::Rounding => ROUNDING,
        Outcome::Mismatch if upstream_rounding => ROUNDING,
        Outcome::Mismatch => MISMATCH,
        Outcome::Acknowledged => ACKNOWLEDGED,
    };
    // Errors carry their number in the whole document, as `bud check` counts them;
    // rounding and acknowledged differences are numbered within their table.
    let number = match role.and_then(Role::number) {
        Some(number) => number,
        None => footnotes.next_difference(),
    };
    let stated = figure_in(check.written, figures.notation);
    let tolerance = show(Exact::new(check.tolerance()));
    let verdict = match check.outcome {
        Outcome::Rounding => format!("within the ±{tolerance} that rounding explains"),
        Outcome::Mismatch if upstream_rounding => format!(
            "more than the ±{tolerance} that rounding explains, but it reconciles with the published figures it is computed from"
        ),
        Outcome::Acknowledged => {
            let reason = check
                .erratum
                .and_then(|number| reconciliation.acknowledged.get(number))
                .map_or("", |acknowledged| acknowledged.reason.as_str());
            format!("a published error, acknowledged: {reason}")
        }
        _ => format!("more than the ±{tolerance} that rounding explains"),
    };
    footnotes.push(format!(
        "{symbol}{number} {}: stated {stated}, computed {}, difference {}: {verdict}",
        what(),
        show(check.computed),
        figures.show_signed(check.difference()),
    ));
    format!("{symbol}{number}")
}

/// The footnotes of a table as it is built, one per mark: each error's and each
/// difference's. Kept with the marks already noted and the count of differences, so
/// that a table of a million figures numbers them without reading them again.
#[derive(Debug, Default)]
pub(super) struct Footnotes {
    notes: Vec<String>,
    marked: std::collections::HashSet<String>,
    differences: usize,
}

impl Footnotes {
    /// Whether `mark` has its footnote already.
    fn has(&self, mark: &str) -> bool {
        self.marked.contains(mark)
    }

    /// Adds a footnote, which starts with its mark.
    fn push(&mut self, note: String) {
        if let Some(mark) = note.split(' ').next() {
            self.marked.insert(mark.to_owned());
        }
        self.notes.push(note);
    }

    /// The number of the next rounding or acknowledged difference (`≈2`); errors carry
    /// their own.
    fn next_difference(&mut self) -> usize {
        self.differences += 1;
        self.differences
    }

    pub(super) fn into_notes(self) -> Vec<String> {
        self.notes
    }
}

/// The mark of the wrong figure `culprits[index]`, and its footnote: what it would
/// have to be for the figures computed from it to reconcile.
fn culprit_mark(
    reconciliation: &Reconciliation,
    index: usize,
    footnotes: &mut Footnotes,
    what: impl FnOnce() -> String,
    figures: format::Scaled,
) -> String {
    let Some(culprit) = reconciliation.culprits.get(index) else {
        return String::new();
    };
    let role = Role::Wrong(reconciliation.error_numbers().culprit(index));
    let mark = role.mark();
    if footnotes.has(&mark) {
        // The second figure of a swap: the first's footnote says it for both.
        return mark;
    }
    let published = figures.show(Exact::new(culprit.published));
    let partner = culprit
        .swapped_with
        .and_then(|other| reconciliation.culprits.get(other));
    if let Some(partner) = partner {
        footnotes.push(format!(
            "{mark} {}: {published} looks swapped with the {} of the same row: the other way round, both reconcile",
            what(),
            figures.show(Exact::new(partner.published)),
        ));
        return mark;
    }
    let corrected = figures.show(Exact::new(culprit.corrected));
    let change = figures.show_signed(Exact::new(culprit.corrected - culprit.published));
    let explained = culprit.explains.len();
    footnotes.push(format!(
        "{} {}: {published} is the wrong figure: {corrected} here ({change}) would reconcile the {} computed from it",
        role.mark(),
        what(),
        if explained == 1 {
            "stated figure".to_owned()
        } else {
            format!("{explained} stated figures")
        }
    ));
    role.mark()
}

/// `→✗1`: a figure that fails only because of error 1; the table gets one footnote
/// that says so, however many of its figures follow from it.
fn follows_mark(
    model: &Model,
    reconciliation: &Reconciliation,
    number: Option<usize>,
    footnotes: &mut Footnotes,
) -> String {
    let mark = Role::Follows(number).mark();
    if !footnotes.has(&mark) {
        footnotes.push(format!(
            "{mark} follows from {}: not wrong in itself; bud's figure is beside the published one",
            error_named(model, reconciliation, number)
        ));
    }
    mark
}

/// "✗1 (Table 1, A. Staff costs *, 2013)", or "a wrong figure it is computed from" when
/// bud does not single the error out.
fn error_named(model: &Model, reconciliation: &Reconciliation, number: Option<usize>) -> String {
    let numbers = reconciliation.error_numbers();
    let Some(number) = number else {
        return "a wrong figure it is computed from".to_owned();
    };
    let name = match numbers.root(number) {
        // A scale's cause is named as its error names it: "Table 5, Germany, base rate".
        Some(Root::Scale(index)) => {
            crate::reconcile::scale_cause_message(model, reconciliation, index)
                .map(|message| message.split(": ").next().unwrap_or_default().to_owned())
        }
        _ => numbers
            .subject(number)
            .map(|subject| crate::reconcile::figure_title(model, subject)),
    };
    match name {
        Some(name) => format!("{MISMATCH}{number} ({name})"),
        None => format!("{MISMATCH}{number}"),
    }
}

/// The mark of the figure a cause found in a scale points at (`scale_causes[index]`),
/// an input such as a base rate that has no check of its own, and its footnote: the
/// error as `bud check` gives it.
pub(super) fn scale_cause_mark(
    model: &Model,
    reconciliation: &Reconciliation,
    index: usize,
    footnotes: &mut Footnotes,
) -> String {
    let number = reconciliation.error_numbers().scale_cause(index);
    let mark = Role::Wrong(number).mark();
    if !footnotes.has(&mark) {
        if let Some(message) = crate::reconcile::scale_cause_message(model, reconciliation, index) {
            footnotes.push(format!("{mark} {message}"));
        }
    }
    mark
}

/// Every digit, no separators: `2922.088`; a fraction to 28 significant digits.
pub fn plain(value: Exact) -> String {
    value.to_decimal().normalize().to_string()
}
