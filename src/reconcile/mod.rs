//! Reconciliation: every stated (published) figure against the value bud computes.
//!
//! The rule, also stated in the README:
//!
//! * **matches** — the computed value, rounded to the table's published step with the
//!   table's rounding mode, equals the stated figure (exactly, when the table declares
//!   no rounding);
//! * **rounding** — otherwise, if |stated − computed| ≤ U + s/2, where s is the
//!   published step and U is how far the computed value could move if every rounded
//!   input figure it is computed from were off by up to half its own step (sums add
//!   these bounds, a rate scales them: interval arithmetic). Shown, does not fail;
//! * **error** — a larger difference. Fails `bud check`.
//!
//! Example: Table 1's 2014 grand total is stated as 2,963.1; computed from the ten
//! published lines of 2014 (each ±0.05) plus 13% of them it is 2,963.199, which could be
//! off by ±0.565, so with the stated figure's own ±0.05 the tolerance is ±0.615, and the
//! difference of 0.099 is rounding.

pub mod attribution;
pub mod errata;
pub mod scale;
pub mod scale_causes;
pub mod swaps;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rust_decimal::Decimal;

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::format::{self, Scaled};
use crate::semantics::Model;
use crate::semantics::explain::{Subject, constant, derivation, difference_size, written_in};
use crate::semantics::number::Exact;
use crate::semantics::program::{Reference, RowDef, RowId, Stated, ValueDef, ValueId};
use crate::semantics::resolve::{column_name, figures};
use crate::semantics::unit::Unit;
use crate::semantics::{Evaluated, Program};
use crate::syntax::ast::{ColumnKey, FigureKind, RoundingMode, Scale, Written};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Matches,
    Rounding,
    Mismatch,
    /// Does not reconcile, and the decision says so: a published error, acknowledged
    /// with its reason (`erratum`). Does not fail.
    Acknowledged,
}

/// One stated figure, reconciled.
#[derive(Debug, Clone)]
pub struct Check {
    pub subject: Subject,
    /// The stated figure in base units (a dash is zero).
    pub stated: Decimal,
    /// As written; `None` for a published dash.
    pub written: Option<Written>,
    pub span: Span,
    pub computed: Exact,
    /// How far rounding of the inputs could have moved `computed`.
    pub uncertainty: Decimal,
    /// The published rounding step in base units; zero when figures are exact.
    pub step: Decimal,
    pub mode: RoundingMode,
    pub outcome: Outcome,
    /// For a figure that does not reconcile: its own error, or another figure's.
    pub cause: attribution::Cause,
    /// For a published error the decision acknowledges: which of
    /// `Reconciliation::acknowledged` gives its reason.
    pub erratum: Option<usize>,
}

impl Check {
    /// The largest difference rounding explains: U + s/2.
    pub fn tolerance(&self) -> Decimal {
        crate::semantics::Amount {
            value: self.computed,
            uncertainty: self.uncertainty,
        }
        .rounding_tolerance(self.step)
    }

    /// stated − computed.
    pub fn difference(&self) -> Exact {
        Exact::new(self.stated)
            .checked_sub(self.computed)
            .unwrap_or(Exact::new(Decimal::MAX))
    }
}

/// Which checks a reconciliation records one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keep {
    /// Every stated figure: what the tables, the editor and `explain` show beside it.
    #[default]
    Every,
    /// Only figures that differ; matching ones are counted. `bud check` reports nothing
    /// about a match, and at a million figures their records were 190 MB.
    Differences,
}

/// Stated figures counted without a record each: the matches of a reconciliation that
/// keeps only differences, and the figures a scenario shares with its base decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub matches: usize,
    pub rounding: usize,
    pub mismatches: usize,
    /// Published errors the decision acknowledges (`erratum`).
    pub acknowledged: usize,
    /// Of the mismatches, those that fail only because a figure they read is wrong.
    pub inherited: usize,
    /// Stated figures not checked because their computation failed.
    pub unchecked: usize,
}

impl Tally {
    /// Stated figures reconciled, whatever the outcome.
    pub fn stated(&self) -> usize {
        self.matches + self.rounding + self.mismatches + self.acknowledged
    }

    /// The two tallies together.
    pub fn plus(self, other: Tally) -> Tally {
        Tally {
            matches: self.matches + other.matches,
            rounding: self.rounding + other.rounding,
            mismatches: self.mismatches + other.mismatches,
            acknowledged: self.acknowledged + other.acknowledged,
            inherited: self.inherited + other.inherited,
            unchecked: self.unchecked + other.unchecked,
        }
    }

    /// This tally less `other`'s, never below zero.
    pub fn less(self, other: Tally) -> Tally {
        Tally {
            matches: self.matches.saturating_sub(other.matches),
            rounding: self.rounding.saturating_sub(other.rounding),
            mismatches: self.mismatches.saturating_sub(other.mismatches),
            acknowledged: self.acknowledged.saturating_sub(other.acknowledged),
            inherited: self.inherited.saturating_sub(other.inherited),
            unchecked: self.unchecked.saturating_sub(other.unchecked),
        }
    }

    fn of(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Matches => self.matches,
            Outcome::Rounding => self.rounding,
            Outcome::Mismatch => self.mismatches,
            Outcome::Acknowledged => self.acknowledged,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    /// The stated figures checked, each with its outcome: all of them, or only those
    /// that differ (`keep`).
    pub checks: Vec<Check>,
    /// Stated figures that could not be checked because their computation failed.
    pub unchecked: usize,
    keep: Keep,
    /// Figures reconciled but not in `checks`.
    pub unrecorded: Tally,
    /// Where each subject's check is in `checks`, so renderers look cells up in O(1).
    /// Built on the first look-up: `bud check` of a clean decision never needs it, and
    /// for a million figures it is tens of megabytes.
    by_subject: std::sync::OnceLock<HashMap<Subject, usize>>,
    /// The published figures that, corrected, make others reconcile (`attribution`).
    pub culprits: Vec<attribution::Culprit>,
    /// The published errors the decision acknowledges, each with its reason and the
    /// figures it names (`errata`).
    pub acknowledged: Vec<errata::Acknowledged>,
    /// Causes found in scales: a rescaling factor the printed rates agree on, a rate
    /// printed in another Party's line, a mistyped base rate (`scale_causes`).
    pub scale_causes: Vec<scale_causes::ScaleCause>,
    /// The number of each error, for marks that point from a figure to the error it
    /// follows from (`error_numbers`). Built on the first look-up.
    numbers: std::sync::OnceLock<ErrorNumbers>,
}

/// What an error is about: a wrong figure (`culprits[n]`), a cause found in a scale
/// (`scale_causes[n]`), or a stated figure wrong on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Culprit(usize),
    Scale(usize),
    Own(Subject),
}

/// The errors bud reports, numbered 1, 2, … in the order of the files: each wrong
/// figure (`culprits`), each cause found in a scale, and each stated figure wrong on its
/// own. A figure that fails only because of one of them names its number (`✗1`).
#[derive(Debug, Clone, Default)]
pub struct ErrorNumbers {
    culprits: Vec<Option<usize>>,
    scale_causes: Vec<Option<usize>>,
    own: HashMap<Subject, usize>,
    /// The figure each error is about, by number (from 1).
    subjects: Vec<Subject>,
    /// What each error is, by number (from 1).
    roots: Vec<Root>,
    /// Whether the decision acknowledges a published error, which a figure upstream
    /// may follow from as well.
    acknowledges: bool,
    /// The error each figure that fails because of a figure upstream follows from,
    /// where its inputs name one (`upstream_errors`).
    upstream: HashMap<Subject, usize>,
}

impl ErrorNumbers {
    /// `printed`: the spans of the errors `bud check` prints, in its order, so that ✗1
    /// is the first error it prints; errors it does not print follow, in file order.
    fn of(reconciliation: &Reconciliation, printed: &[Span]) -> Self {
        let culprit_subjects: std::collections::HashSet<Subject> = reconciliation
            .culprits
            .iter()
            .map(|c| Subject::Cell {
                row: c.row,
                column: c.column,
            })
            .collect();
        let mut roots: Vec<(Span, Root, Subject)> = Vec::new();
        for (index, culprit) in reconciliation.culprits.iter().enumerate() {
            // Two figures typed the other way round are one error, numbered once.
            let second_of_a_swap = culprit.swapped_with.is_some_and(|other| other < index);
            if !culprit.acknowledged && !second_of_a_swap {
                let subject = Subject::Cell {
                    row: culprit.row,
                    column: culprit.column,
                };
                roots.push((culprit.span, Root::Culprit(index), subject));
            }
        }
        for (index, cause) in reconciliation.scale_causes.iter().enumerate() {
            let shown_at = reconciliation
                .checks
                .iter()
                .find(|check| check.span == cause.span)
                .map(|check| check.subject)
                .or_else(|| cause.explains.first().copied());
            if let Some(subject) = shown_at {
                roots.push((cause.span, Root::Scale(index), subject));
            }
        }
        for check in &reconciliation.checks {
            let own = check.outcome == Outcome::Mismatch && check.cause == attribution::Cause::Own;
            if own && !culprit_subjects.contains(&check.subject) {
                roots.push((check.span, Root::Own(check.subject), check.subject));
            }
        }
        let printed_at: HashMap<Span, usize> = printed
            .iter()
            .enumerate()
            .rev()
            .map(|(at, span)| (*span, at))
            .collect();
        roots.sort_by_key(|(span, _, _)| {
            (printed_at.get(span).copied().unwrap_or(usize::MAX), *span)
        });
        let mut numbers = ErrorNumbers {
            culprits: vec![None; reconciliation.culprits.len()],
            scale_causes: vec![None; reconciliation.scale_causes.len()],
            own: HashMap::default(),
            subjects: roots.iter().map(|(_, _, subject)| *subject).collect(),
            roots: roots.iter().map(|(_, root, _)| *root).collect(),
            acknowledges: !reconciliation.acknowledged.is_empty(),
            upstream: HashMap::default(),
        };
        for (number, (_, root, _)) in (1..).zip(roots) {
            match root {
                Root::Culprit(index) => {
                    numbers.culprits[index] = Some(number);
                    let partner = reconciliation.culprits[index].swapped_with;
                    if let Some(slot) = partner.and_then(|other| numbers.culprits.get_mut(other)) {
                        *slot = Some(number);
                    }
                }
                Root::Scale(index) => numbers.scale_causes[index] = Some(number),
                Root::Own(subject) => {
                    numbers.own.insert(subject, number);
                }
            }
        }
        numbers
    }

    /// The number of the wrong figure `culprits[index]`; `None` when acknowledged.
    pub fn culprit(&self, index: usize) -> Option<usize> {
        self.culprits.get(index).copied().flatten()
    }

    /// The number of the cause found in a scale, `scale_causes[index]`.
    pub fn scale_cause(&self, index: usize) -> Option<usize> {
        self.scale_causes.get(index).copied().flatten()
    }

    /// Whether bud reports no error at all.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// What error `number` is.
    pub fn root(&self, number: usize) -> Option<Root> {
        self.roots.get(number.checked_sub(1)?).copied()
    }

    /// The figure an error is about, to name it where a mark points to it.
    pub fn subject(&self, number: usize) -> Option<Subject> {
        self.subjects.get(number.checked_sub(1)?).copied()
    }

    /// The number of the error a failing check is, or follows from: its own, its
    /// wrong figure's, its scale cause's. A figure that follows from one upstream
    /// follows from the only error there is; with several, bud does not say which
    /// (`None`).
    pub fn of_check(&self, check: &Check) -> Option<usize> {
        match check.cause {
            attribution::Cause::Own => self.own.get(&check.subject).copied(),
            attribution::Cause::Figure(index) => self.culprit(index),
            attribution::Cause::Scale(index) => self.scale_cause(index),
            attribution::Cause::Upstream => {
                let only = (self.subjects.len() == 1 && !self.acknowledges).then_some(1);
                self.upstream.get(&check.subject).copied().or(only)
            }
        }
    }
}

impl Reconciliation {
    /// The errors, numbered in file order, or as `number_errors_as_printed` set.
    pub fn error_numbers(&self) -> &ErrorNumbers {
        self.numbers.get_or_init(|| ErrorNumbers::of(self, &[]))
    }

    /// Numbers the errors in the order `bud check` prints them: `printed` holds the
    /// primary spans of its error diagnostics, in order. A figure that fails only
    /// because a figure it is computed from does gets that figure's error, when all it
    /// reads that fails comes from one error. Must come before the first
    /// `error_numbers`, which otherwise numbers them in file order.
    pub fn number_errors_as_printed(&self, model: &Model, printed: &[Span]) {
        let mut numbers = ErrorNumbers::of(self, printed);
        numbers.upstream = upstream_errors(model, self, &numbers);
        let _ = self.numbers.set(numbers);
    }

    fn keeping(keep: Keep) -> Self {
        Reconciliation {
            keep,
            ..Reconciliation::default()
        }
    }

    /// Counts alone, with no record of a figure: a decision checked in parts, whose
    /// records pointed into models that are gone (`Request::verify`).
    pub fn counted(tally: Tally) -> Self {
        Reconciliation {
            unrecorded: tally,
            ..Reconciliation::keeping(Keep::Differences)
        }
    }

    /// Stated figures with this outcome, recorded or not.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.unrecorded.of(outcome)
            + self
                .checks
                .iter()
                .filter(|check| check.outcome == outcome)
                .count()
    }

    /// Every count, those of `unrecorded` included.
    pub fn tally(&self) -> Tally {
        Tally {
            matches: self.count(Outcome::Matches),
            rounding: self.count(Outcome::Rounding),
            mismatches: self.count(Outcome::Mismatch),
            acknowledged: self.count(Outcome::Acknowledged),
            inherited: self.inherited(),
            unchecked: self.unchecked + self.unrecorded.unchecked,
        }
    }

    /// Records a check, or only counts it when it matches and matches are not kept.
    fn record(&mut self, check: Check) {
        if self.keep == Keep::Differences && check.outcome == Outcome::Matches {
            self.unrecorded.matches += 1;
        } else {
            self.checks.push(check);
        }
    }

    pub fn check_for(&self, subject: Subject) -> Option<&Check> {
        self.index_of(subject)
            .and_then(|index| self.checks.get(index))
    }

    pub fn index_of(&self, subject: Subject) -> Option<usize> {
        let by_subject = self.by_subject.get_or_init(|| {
            self.checks
                .iter()
                .enumerate()
                .map(|(index, check)| (check.subject, index))
                .collect()
        });
        by_subject.get(&subject).copied()
    }

    /// Figures that do not reconcile only because a figure they are computed from is
    /// wrong: reported once, at that figure.
    pub fn inherited(&self) -> usize {
        let is_culprit = |subject: Subject| {
            self.culprits.iter().any(|c| {
                subject
                    == Subject::Cell {
                        row: c.row,
                        column: c.column,
                    }
            })
        };
        self.unrecorded.inherited
            + self
                .checks
                .iter()
                .filter(|c| c.outcome == Outcome::Mismatch && c.cause != attribution::Cause::Own)
                .filter(|c| !is_culprit(c.subject))
                .count()
    }
}

/// Reconciles every stated figure of the model; figures whose computation failed are
/// counted as unchecked (the failure has its own diagnostic).
pub fn reconcile(model: &Model) -> Reconciliation {
    reconcile_keeping(model, Keep::Every)
}

/// As `reconcile`, recording the checks `keep` asks for.
pub fn reconcile_keeping(model: &Model, keep: Keep) -> Reconciliation {
    let mut reconciliation = Reconciliation::keeping(keep);
    if keep == Keep::Every {
        // Most rows state one figure (their total) or more: a fair first size.
        reconciliation.checks.reserve(model.program.rows.len());
    }
    for (index, value) in model.program.values.iter().enumerate() {
        value_checks(model, ValueId(index), value, &mut reconciliation);
    }
    for (index, row) in model.program.rows.iter().enumerate() {
        row_checks(model, RowId(index), row, &mut reconciliation);
    }
    scale::checks(model, &mut reconciliation);
    reconciliation
}

fn value_checks(model: &Model, id: ValueId, value: &ValueDef, reconciliation: &mut Reconciliation) {
    let results = &model.values[id.0];
    let mut stated_at = |year: Option<i32>, stated: &Stated| {
        let result = match year {
            None => results.scalar.as_ref(),
            Some(year) => results.years.get(&year),
        };
        // A figure stated in the wrong unit has its own diagnostic; comparing it
        // would only add a meaningless difference.
        let unit_fits = model.value_units[id.0]
            .as_ref()
            .is_some_and(|unit| stated.unit.fits(unit));
        let (Some(Ok(Evaluated::Amount(amount))), true) = (result, unit_fits) else {
            reconciliation.unchecked += 1;
            return;
        };
        reconciliation.record(judge(
            Subject::Value { value: id, year },
            (stated.value, Some(stated.written), stated.span),
            *amount,
            stated.step,
            stated.mode,
        ));
    };
    for (year, stated) in value.stated_figures(&model.program.decision.years()) {
        stated_at(year, stated);
    }
}

/// An input row states only its Total; a computed row states every figure it gives.
fn row_checks(model: &Model, id: RowId, row: &RowDef, reconciliation: &mut Reconciliation) {
    let table = model.program.table(row.table);
    let (step, mode) = table
        .rounding
        .map_or((Decimal::ZERO, RoundingMode::HalfUp), |r| (r.step, r.mode));
    for (column, figure) in row.figures.iter().enumerate() {
        let key = table.columns.get(column).copied();
        let computed = match (&row.formula, key) {
            (Some(formula), Some(key)) => formula.for_column(key).is_some(),
            _ => false,
        };
        let is_stated = computed || key == Some(ColumnKey::Total);
        let stated = row.amount(column).unwrap_or(Decimal::ZERO);
        let written = match figure.kind {
            FigureKind::Number(written) => Some(written),
            FigureKind::Dash => None,
            // Words are not reconciled, and an absent amount states nothing.
            FigureKind::Blank | FigureKind::Absent | FigureKind::Text(_) => continue,
        };
        if !is_stated {
            continue;
        }
        let Some(Ok(amount)) = model.cells[id.0].get(column) else {
            reconciliation.unchecked += 1;
            continue;
        };
        reconciliation.record(judge(
            Subject::Cell { row: id, column },
            (stated, written, figure.span),
            *amount,
            step,
            mode,
        ));
    }
}

/// The outcome for one stated figure: `(value in base units, as written, where)`.
fn judge(
    subject: Subject,
    (stated, written, span): (Decimal, Option<Written>, Span),
    amount: crate::semantics::Amount,
    step: Decimal,
    mode: RoundingMode,
) -> Check {
    let mut check = Check {
        subject,
        stated,
        written,
        span,
        computed: amount.value,
        uncertainty: amount.uncertainty,
        step,
        mode,
        outcome: Outcome::Mismatch,
        cause: attribution::Cause::Own,
        erratum: None,
    };
    let matches = if step.is_zero() {
        Exact::new(stated) == amount.value
    } else if Exact::new(stated) == amount.value {
        // The common case, a stated figure equal to what is computed, needs no
        // rounding: it matches if it is on the published step, as it nearly always is.
        stated.checked_rem(step).is_some_and(|rest| rest.is_zero())
            || amount.value.round_to(step, mode) == Ok(stated)
    } else {
        amount.value.round_to(step, mode) == Ok(stated)
    };
    check.outcome = if matches {
        Outcome::Matches
    } else if amount.explains(stated, step) {
        Outcome::Rounding
    } else {
        Outcome::Mismatch
    };
    check
}

// ---------------------------------------------------------------- diagnostics

/// A note for each rounding difference and an error for each mismatch, in file order.
pub fn diagnostics(model: &Model, reconciliation: &Reconciliation) -> Vec<Diagnostic> {
    let failing: HashSet<Subject> = reconciliation
        .checks
        .iter()
        .filter(|check| check.outcome == Outcome::Mismatch)
        .map(|check| check.subject)
        .collect();
    let ranks = scale::ranks(model, reconciliation);
    let mut diagnostics: Vec<Diagnostic> = reconciliation
        .checks
        .iter()
        .filter_map(|check| {
            let diagnostic = match check.outcome {
                Outcome::Matches | Outcome::Acknowledged => return None,
                Outcome::Rounding => rounding_note(model, check),
                // Reported once, at the figure it follows from.
                Outcome::Mismatch if check.cause != attribution::Cause::Own => return None,
                Outcome::Mismatch => mismatch_error(model, check, &failing),
            };
            Some(match check.subject {
                Subject::Scale { .. } => scale::place(model, &ranks, check.subject, diagnostic),
                _ => diagnostic,
            })
        })
        .collect();
    let culprits = &reconciliation.culprits;
    diagnostics.extend(culprits.iter().enumerate().filter_map(|(number, culprit)| {
        match culprit.swapped_with.and_then(|other| culprits.get(other)) {
            // One error for the two, at the first; none if both are acknowledged.
            Some(partner) if culprit.swapped_with > Some(number) => {
                let acknowledged = culprit.acknowledged && partner.acknowledged;
                (!acknowledged).then(|| swaps::error(model, reconciliation, culprit, partner))
            }
            Some(_) => None,
            None => (!culprit.acknowledged).then(|| culprit_error(model, reconciliation, culprit)),
        }
    }));
    diagnostics.extend(
        reconciliation
            .scale_causes
            .iter()
            .filter_map(|cause| scale_causes::error(model, reconciliation, cause)),
    );
    diagnostics.extend(scale::column_sums(model, reconciliation));
    diagnostics.extend(scale::residues(model));
    diagnostics
}

/// One error at a published figure that several failing figures agree is wrong.
fn culprit_error(
    model: &Model,
    reconciliation: &Reconciliation,
    culprit: &attribution::Culprit,
) -> Diagnostic {
    let own = Subject::Cell {
        row: culprit.row,
        column: culprit.column,
    };
    let p = presentation(model, own);
    let published = p.figures.show(Exact::new(culprit.published));
    let corrected = p.figures.show(Exact::new(culprit.corrected));
    let others: Vec<&Subject> = culprit.explains.iter().filter(|s| **s != own).collect();
    let (count, all) = match others.len() {
        1 => ("the stated figure".to_owned(), "it reconciles"),
        2 => ("the 2 stated figures".to_owned(), "both reconcile"),
        n => (format!("the {n} stated figures"), "all reconcile"),
    };
    let gap = Exact::new(culprit.corrected)
        .checked_sub(Exact::new(culprit.published))
        .unwrap_or(Exact::ZERO);
    let mut error = Diagnostic::error(
        Code::ReconcileMismatch,
        format!(
            "{}: {published} does not agree with {count} computed from it; {all} if it is {corrected}",
            p.title
        ),
    )
    .at(
        culprit.span,
        format!("{corrected} here ({}) would reconcile them", p.figures.show_signed(gap)),
    );
    if let Some(figure) = written_in_cell(model, culprit.row, culprit.column, culprit.corrected) {
        error = error.with_correction(format!("correct it to {figure}"), culprit.span, figure);
    }
    for subject in culprit.explains.iter().filter(|s| **s != own) {
        if let Some(check) = reconciliation.check_for(*subject) {
            let label = presentation(model, *subject).title;
            error = error.with_label(
                check.span,
                format!(
                    "{label}: stated {}, reconciles with {corrected}",
                    show_stated(&p, check)
                ),
            );
        }
    }
    let then = downstream_sentence(reconciliation, "it");
    error.with_help(format!(
        "correct it to {corrected} if the figures computed from it are right; if it is right, they are each wrong by {}{then}",
        p.figures.show(gap.abs())
    ))
}

/// "; 4 more stated figures computed from it differ only because of it, and are not
/// reported again": the failures that follow from the figures to correct, beyond those
/// each error labels. `culprit` is how the error names its figure ("it", "them").
fn downstream_sentence(reconciliation: &Reconciliation, culprit: &str) -> String {
    let downstream = reconciliation
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Mismatch && c.cause != attribution::Cause::Own)
        .count()
        .saturating_sub(
            reconciliation
                .culprits
                .iter()
                .map(|c| c.explains.len() + c.affects.len())
                .sum(),
        );
    // Two figures swapped are one error.
    let errors = reconciliation
        .culprits
        .iter()
        .enumerate()
        .filter(|(number, c)| c.swapped_with.is_none_or(|other| other > *number))
        .count();
    if downstream == 0 {
        String::new()
    } else if errors > 1 {
        // Which of the figures a total inherits from is not traced: say so.
        format!(
            "; {downstream} more stated figure{} differ only because of the {errors} figures reported like this one",
            if downstream == 1 { "" } else { "s" },
        )
    } else {
        format!(
            "; {downstream} more stated figure{} computed from {} differ only because of {culprit}, and are not reported again",
            if downstream == 1 { "" } else { "s" },
            if downstream == 1 { "it" } else { "them" },
        )
    }
}

/// How a figure is named in messages, and the scale its amounts are shown in.
struct Presentation {
    title: String,
    figures: Scaled,
    unit: Option<Unit>,
    /// Where the figure is computed, for a secondary label.
    formula_span: Option<Span>,
}

impl Presentation {
    /// The unit to write figures with, for a value outside tables (`US$ 2,922,100`,
    /// `12%`); a table's figures go by its columns and heading instead.
    fn own_unit(&self) -> Option<&Unit> {
        self.unit.as_ref().filter(|_| self.figures == Scaled::UNITS)
    }
}

/// For each budget cell that fails because of a figure upstream, the one error its
/// failing inputs come from: the wrong figures and stated figures it reads in its own
/// column (or, for a Total, in its own row), followed back through those that fail in
/// turn. A cell whose inputs come from two errors has none.
fn upstream_errors(
    model: &Model,
    reconciliation: &Reconciliation,
    numbers: &ErrorNumbers,
) -> HashMap<Subject, usize> {
    let culprits: HashMap<Subject, usize> = reconciliation
        .culprits
        .iter()
        .enumerate()
        .filter_map(|(index, c)| {
            let subject = Subject::Cell {
                row: c.row,
                column: c.column,
            };
            Some((subject, numbers.culprit(index)?))
        })
        .collect();
    let mut found: HashMap<Subject, Option<usize>> = HashMap::default();
    for check in &reconciliation.checks {
        let upstream =
            check.outcome == Outcome::Mismatch && check.cause == attribution::Cause::Upstream;
        if upstream {
            let mut walk = Walk {
                model,
                reconciliation,
                numbers,
                culprits: &culprits,
                found: &mut found,
            };
            walk.error_of(check.subject, 0);
        }
    }
    found
        .into_iter()
        .filter_map(|(subject, number)| Some((subject, number?)))
        .collect()
}

/// The walk of `upstream_errors`, remembering what it found for each figure.
struct Walk<'a> {
    model: &'a Model,
    reconciliation: &'a Reconciliation,
    numbers: &'a ErrorNumbers,
    culprits: &'a HashMap<Subject, usize>,
    found: &'a mut HashMap<Subject, Option<usize>>,
}

impl Walk<'_> {
    /// Deeper than any table nests its totals; a guard, not a limit a decision meets.
    const DEEPEST: usize = 64;

    /// The one error `subject` is, or follows from; `None` when there are several or
    /// none.
    fn error_of(&mut self, subject: Subject, depth: usize) -> Option<usize> {
        if let Some(number) = self.culprits.get(&subject) {
            return Some(*number);
        }
        if let Some(known) = self.found.get(&subject) {
            return *known;
        }
        let check = self.reconciliation.check_for(subject)?;
        if check.outcome != Outcome::Mismatch || depth > Self::DEEPEST {
            return None;
        }
        let number = match check.cause {
            attribution::Cause::Upstream => {
                let mut errors = std::collections::BTreeSet::new();
                for input in self.inputs(subject) {
                    let failing = self.culprits.contains_key(&input)
                        || self
                            .reconciliation
                            .check_for(input)
                            .is_some_and(|c| c.outcome == Outcome::Mismatch);
                    if failing {
                        match self.error_of(input, depth + 1) {
                            Some(number) => {
                                errors.insert(number);
                            }
                            None => return self.remember(subject, None),
                        }
                    }
                }
                match (errors.len(), errors.first()) {
                    (1, Some(number)) => Some(*number),
                    _ => None,
                }
            }
            _ => self.numbers.of_check(check),
        };
        self.remember(subject, number)
    }

    fn remember(&mut self, subject: Subject, number: Option<usize>) -> Option<usize> {
        self.found.insert(subject, number);
        number
    }

    /// The cells a budget cell is computed from: its row's other columns for a Total,
    /// the rows and sections its formula reads in its column otherwise.
    fn inputs(&self, subject: Subject) -> Vec<Subject> {
        let Subject::Cell { row, column } = subject else {
            return Vec::new();
        };
        let program: &Program = &self.model.program;
        let definition = program.row(row);
        let table = program.table(definition.table);
        if table.columns.get(column) == Some(&ColumnKey::Total) {
            return (0..table.columns.len())
                .filter(|other| *other != column)
                .map(|other| Subject::Cell { row, column: other })
                .collect();
        }
        let mut inputs = Vec::new();
        if let Some(formula) = &definition.formula {
            formula.for_each_reference(&mut |reference, _, _| match reference {
                Reference::Row(input) if program.row(input).table == definition.table => {
                    inputs.push(Subject::Cell { row: input, column });
                }
                Reference::Section(section) => {
                    let rows = &program.section(section).rows;
                    inputs.extend(rows.iter().map(|row| Subject::Cell { row: *row, column }));
                }
                _ => {}
            });
        }
        inputs
    }
}

/// What a cause found in a scale says, as `bud check` says it: "Table 5, Germany, base
/// rate: printed 8.081, but the adjusted rates fit 8.018".
pub fn scale_cause_message(
    model: &Model,
    reconciliation: &Reconciliation,
    index: usize,
) -> Option<String> {
    let cause = reconciliation.scale_causes.get(index)?;
    scale_causes::error(model, reconciliation, cause).map(|error| error.message)
}

/// How messages name a figure: `Table 1, A. Staff costs *, 2013`.
pub fn figure_title(model: &Model, subject: Subject) -> String {
    presentation(model, subject).title
}

fn presentation(model: &Model, subject: Subject) -> Presentation {
    let program = &model.program;
    match subject {
        Subject::Scale { scale: index, .. } => Presentation {
            title: scale::title(model, subject),
            figures: Scaled::UNITS,
            unit: match model.scales.scales.get(index) {
                Some(found) if !scale::is_rate(model, subject) => {
                    Some(Unit::money(&found.def.currency, Scale::Units))
                }
                _ => None,
            },
            formula_span: None,
        },
        Subject::Cell { row, column } => {
            let definition = program.row(row);
            let table = program.table(definition.table);
            let column_key = table
                .columns
                .get(column)
                .copied()
                .unwrap_or(ColumnKey::Total);
            Presentation {
                title: format!(
                    "{}, {}, {}",
                    table.display_name(),
                    definition.message_label(),
                    column_name(column_key)
                ),
                figures: figures(table),
                unit: Some(table.unit.unit.clone()),
                // A Total is the sum of the year columns, not the row's formula.
                formula_span: definition
                    .formula
                    .as_ref()
                    .filter(|_| column_key != ColumnKey::Total)
                    .map(|f| f.span),
            }
        }
        Subject::Value { value, year } => {
            let definition = program.value(value);
            let place = definition
                .paragraph
                .and_then(|p| program.paragraphs.get(p))
                .map(|p| format!("{}, ", p.place()))
                .unwrap_or_default();
            let rule = definition.rule_for(year);
            Presentation {
                title: match year {
                    Some(year) => format!("{place}`{}` for {year}", definition.name),
                    None => format!("{place}`{}`", definition.name),
                },
                figures: Scaled::UNITS,
                unit: shown_unit(model, value, year),
                formula_span: rule.map(|r| r.formula.span),
            }
        }
    }
}

/// The unit a value's reconciliation is shown in: the stated figure's own, as the
/// decision writes it (US$ 2,922,100), even when the value is held at another scale.
pub fn shown_unit(model: &Model, value: ValueId, year: Option<i32>) -> Option<Unit> {
    model
        .program
        .value(value)
        .stated_for(year)
        .map(|stated| stated.unit.clone())
        .or_else(|| model.value_units[value.0].clone())
}

/// An amount in the presentation's unit and scale, every digit: `2,963.199`, `US$ 2,922,088`.
fn show(presentation: &Presentation, value: Exact) -> String {
    match presentation.own_unit() {
        Some(unit) => constant(value, unit),
        None => presentation.figures.show(value),
    }
}

/// The computed value as a message shows it: at the stated figure's published precision
/// (`2,963.2` beside a stated `2,963.1`), with as many more decimals as it takes to
/// differ from the stated figure when they differ at all. The help gives every digit.
fn show_computed(presentation: &Presentation, check: &Check) -> String {
    let differs = check.computed != Exact::new(check.stated);
    let mut step = check.step;
    // Ten more decimals than published is far past any difference a message names.
    for _ in 0..10 {
        if step <= Decimal::ZERO {
            break;
        }
        let Ok(rounded) = check.computed.round_to(step, check.mode) else {
            break;
        };
        if rounded != check.stated || !differs {
            return show(presentation, Exact::new(rounded));
        }
        step /= Decimal::TEN;
    }
    show(presentation, check.computed)
}

fn show_stated(presentation: &Presentation, check: &Check) -> String {
    let notation = presentation.figures.notation;
    match (check.written, presentation.own_unit()) {
        (None, _) => format!("{} (a dash)", notation.dash()),
        (Some(written), Some(unit)) => written_in(written, unit),
        (Some(written), None) => notation.figure(&format::written(written)),
    }
}

fn show_bound(presentation: &Presentation, bound: Decimal) -> String {
    format!("±{}", size(presentation, Exact::new(bound)))
}

/// A difference or bound without sign: `10.0` in a table, `1 percentage point` for a rate.
fn size(presentation: &Presentation, value: Exact) -> String {
    match presentation.own_unit() {
        Some(unit) => difference_size(value, unit),
        None => presentation.figures.show(value),
    }
}

/// "2.5 lower", "12 higher": how the stated figure sits against the computed one.
fn direction(presentation: &Presentation, check: &Check) -> String {
    let difference = check.difference();
    let size = size(presentation, difference.abs());
    if difference < Exact::ZERO {
        format!("{size} lower")
    } else {
        format!("{size} higher")
    }
}

fn rounding_note(model: &Model, check: &Check) -> Diagnostic {
    let p = presentation(model, check.subject);
    let mut note = Diagnostic::note(
        Code::ReconcileRounding,
        format!(
            "{}: stated {}, computed {}: a rounding difference",
            p.title,
            show_stated(&p, check),
            show_computed(&p, check)
        ),
    )
    .at(
        check.span,
        format!(
            "{}: within the {} that rounding explains",
            direction(&p, check),
            show_bound(&p, check.tolerance())
        ),
    );
    if let Some(span) = p.formula_span {
        note = note.with_label(span, "computed by this formula");
    }
    let worked = worked_sentence(model, check, &p);
    note.with_help(format!(
        "{worked}{}; the stated figure is consistent with it once rounding is allowed for, so nothing needs correcting",
        tolerance_sentence(&p, check)
    ))
}

fn mismatch_error(model: &Model, check: &Check, failing: &HashSet<Subject>) -> Diagnostic {
    let p = presentation(model, check.subject);
    let computed = show_computed(&p, check);
    let mut error = Diagnostic::error(
        Code::ReconcileMismatch,
        format!(
            "{}: stated {}, but bud computes {computed}",
            p.title,
            show_stated(&p, check)
        ),
    )
    .at(
        check.span,
        format!(
            "bud computes {computed}; the stated figure is {}",
            direction(&p, check)
        ),
    );
    if let Some(span) = p.formula_span {
        error = error.with_label(span, "computed by this formula");
    }
    let worked = worked_sentence(model, check, &p);
    let upstream = failing_inputs(model, check.subject, failing);
    let advice = if upstream.is_empty() {
        "correct the stated figure, or the figures it is computed from".to_owned()
    } else {
        format!(
            "it is computed from {}, which {} not reconcile either: correct {} first",
            upstream.join(" and "),
            if upstream.len() == 1 { "does" } else { "do" },
            if upstream.len() == 1 { "that" } else { "those" }
        )
    };
    let verdict = if check.tolerance().is_zero() {
        tolerance_sentence(&p, check)
    } else {
        format!(
            "{}, which this difference exceeds",
            tolerance_sentence(&p, check)
        )
    };
    let error = error.with_help(format!("{worked}{verdict}; {advice}"));
    // Offered only when nothing it reads fails too: then the stated figure is the
    // likelier slip, and the help names it first.
    match stated_correction(model, check, &p).filter(|_| upstream.is_empty()) {
        Some((title, figure)) => error.with_correction(title, check.span, figure),
        None => error,
    }
}

/// "computed as subtotal + support + reserve = 2,587.6 + 336.388 + 9.4 = 2,933.388. "
fn worked_sentence(model: &Model, check: &Check, p: &Presentation) -> String {
    if let Subject::Scale { .. } = check.subject {
        return scale::explanation(model, check.subject).unwrap_or_default();
    }
    let exact = show(p, check.computed);
    match derivation(model, check.subject) {
        Some(derivation) => format!("computed as {}. ", derivation.sentence(&exact)),
        // The message shows the published precision; the help keeps every digit.
        None if exact != show_computed(p, check) => format!("bud computes exactly {exact}. "),
        None => String::new(),
    }
}

/// "rounding explains at most ±0.615 (±0.565 from the published figures it is computed
/// from, ±0.05 from the stated figure's own rounding to 0.1)"
fn tolerance_sentence(p: &Presentation, check: &Check) -> String {
    if check.tolerance().is_zero() {
        return "Its figures are exact, so rounding explains no difference at all".to_owned();
    }
    let mut parts = Vec::new();
    if !check.uncertainty.is_zero() {
        parts.push(format!(
            "{} from the rounding of the published figures it is computed from",
            show_bound(p, check.uncertainty)
        ));
    }
    if !check.step.is_zero() {
        parts.push(format!(
            "{} from the stated figure's own rounding to {} ({})",
            show_bound(p, check.step / Decimal::TWO),
            p.figures.show_decimal(check.step),
            check.mode.name()
        ));
    }
    match parts.as_slice() {
        [only] => format!("Rounding explains at most {only}"),
        _ => format!(
            "Rounding explains at most {} ({})",
            show_bound(p, check.tolerance()),
            parts.join(", ")
        ),
    }
}

/// Rows this cell reads that fail to reconcile in the same column.
fn failing_inputs(model: &Model, subject: Subject, failing: &HashSet<Subject>) -> Vec<String> {
    let Subject::Cell { row, column } = subject else {
        return scale::failing_amounts(model, subject, failing);
    };
    let program: &Program = &model.program;
    let definition = program.row(row);
    let table = program.table(definition.table);
    let mut names = Vec::new();
    if table.columns.get(column) == Some(&ColumnKey::Total) {
        for (other, key) in table.columns.iter().enumerate() {
            if other != column && failing.contains(&Subject::Cell { row, column: other }) {
                names.push(format!("its {} figure", column_name(*key)));
            }
        }
        return names;
    }
    if let Some(formula) = &definition.formula {
        formula.for_each_reference(&mut |reference, _, _| {
            if let Reference::Row(input) = reference {
                let same_table = program.row(input).table == definition.table;
                let name = program.row(input).message_label();
                if same_table
                    && failing.contains(&Subject::Cell { row: input, column })
                    && !names.contains(&name)
                {
                    names.push(name);
                }
            }
        });
    }
    names
}

/// An amount in base units written as the file writes the figure of `row` in `column`:
/// the table's notation and scale, and the figure's own decimals (the table's for a
/// dash), or more where the amount needs them, so the edit puts exactly it in place.
fn written_in_cell(model: &Model, row: RowId, column: usize, amount: Decimal) -> Option<String> {
    let definition = model.program.rows.get(row.0)?;
    let table = model.program.table(definition.table);
    let shown = figures(table);
    let written_decimals = match &definition.figures.get(column)?.kind {
        FigureKind::Number(written) => written.decimals,
        FigureKind::Dash => shown.min_decimals,
        FigureKind::Blank | FigureKind::Absent | FigureKind::Text(_) => return None,
    };
    let in_table = amount.checked_div(definition.scale)?;
    let decimals = written_decimals.max(in_table.normalize().scale());
    Some(
        shown
            .notation
            .figure(&format::fixed(in_table, decimals, RoundingMode::HalfUp)),
    )
}

/// The edit that makes a stated figure reconcile: what bud computes, rounded as the
/// figure is published and written as it is (a table's notation and decimals, a
/// value's unit). None for a scale's figure, or a computation that does not end.
fn stated_correction(model: &Model, check: &Check, p: &Presentation) -> Option<(String, String)> {
    let rounded = if check.step.is_zero() {
        (!check.computed.is_fraction()).then(|| check.computed.to_decimal())?
    } else {
        check.computed.round_to(check.step, check.mode).ok()?
    };
    let figure = match check.subject {
        Subject::Cell { row, column } => written_in_cell(model, row, column, rounded)?,
        Subject::Value { .. } => {
            let (written, unit) = (check.written?, p.own_unit()?);
            // What one written unit is in base units: US$ 5.5 thousand is 5,500.
            let factor = check.stated.checked_div(written.value)?;
            let value = rounded.checked_div(factor)?;
            let decimals = written.decimals.max(value.normalize().scale());
            written_in(Written { value, decimals }, unit)
        }
        Subject::Scale { .. } => return None,
    };
    Some((format!("correct the stated figure to {figure}"), figure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn reconciled(body: &str) -> (Model, Reconciliation) {
        let source = format!("{}{body}", crate::TEST_DECISION);
        let file = parse(&source).unwrap();
        let (model, diagnostics) = crate::semantics::evaluate(&file);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let reconciliation = reconcile(&model);
        (model, reconciliation)
    }

    fn outcomes(reconciliation: &Reconciliation) -> Vec<Outcome> {
        reconciliation.checks.iter().map(|c| c.outcome).collect()
    }

    fn table(figures: &str) -> String {
        format!(
            "table 1 t {{\n    unit thousands of US$\n    rounding 0.1\n    columns 2013\n    a \"A\" 1,875.2\n    b \"B\" 20.0\n    c \"C\" 252.4\n    s \"Sum\" {figures} = a + b + c\n}}\n"
        )
    }

    #[test]
    fn a_figure_equal_to_the_rounded_computation_matches() {
        let (_, reconciliation) = reconciled(&table("2,147.6"));
        assert_eq!(outcomes(&reconciliation), [Outcome::Matches]);
    }

    #[test]
    fn a_difference_within_the_propagated_rounding_is_rounding() {
        // Three inputs at ±0.05 and the stated figure's own ±0.05: tolerance ±0.2.
        let (_, reconciliation) = reconciled(&table("2,147.8"));
        let check = &reconciliation.checks[0];
        assert_eq!(check.outcome, Outcome::Rounding);
        assert_eq!(check.tolerance(), Decimal::new(200, 0));
    }

    #[test]
    fn a_larger_difference_is_an_error() {
        let (model, reconciliation) = reconciled(&table("2,147.9"));
        assert_eq!(outcomes(&reconciliation), [Outcome::Mismatch]);
        let diagnostics = diagnostics(&model, &reconciliation);
        assert_eq!(diagnostics[0].code, Code::ReconcileMismatch);
        assert_eq!(
            diagnostics[0].primary.as_ref().map(|l| l.message.as_str()),
            Some("bud computes 2,147.6; the stated figure is 0.3 higher")
        );
        let help = diagnostics[0].help.as_deref().unwrap_or_default();
        assert!(
            help.starts_with("computed as a + b + c = 1,875.2 + 20.0 + 252.4 = 2,147.6."),
            "{help}"
        );
        assert!(help.contains("Rounding explains at most ±0.2"), "{help}");
    }

    #[test]
    fn exact_tables_tolerate_no_difference() {
        let (_, reconciliation) = reconciled(
            "table 2 posts {\n    unit posts\n    columns 2013\n    a \"A\" 2.5\n    b \"B\" 5\n    t \"Total\" 7.4 = a + b\n}\n",
        );
        assert_eq!(outcomes(&reconciliation), [Outcome::Mismatch]);
    }

    #[test]
    fn the_2014_grand_total_of_bs_vi_7_is_rounding() {
        let source = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/decisions/bs-vi-7.bud"
        ))
        .unwrap();
        let checked = crate::checked_text(&source);
        let model = checked.model.as_ref().unwrap();
        let grand_total = model
            .program
            .rows
            .iter()
            .position(|r| r.name.as_deref() == Some("grand_total"))
            .unwrap();
        let check = checked
            .reconciliation
            .check_for(Subject::Cell {
                row: RowId(grand_total),
                column: 1,
            })
            .unwrap();
        assert_eq!(check.outcome, Outcome::Rounding);
        assert_eq!(check.computed.to_decimal(), Decimal::new(2_963_199, 0));
        assert_eq!(check.stated, Decimal::new(2_963_100, 0));
        // Ten published lines of 2014 at ±50 dollars, 13% of them, and the stated ±50.
        assert_eq!(check.tolerance(), Decimal::new(615, 0));
        assert_eq!(checked.reconciliation.count(Outcome::Mismatch), 0);
    }

    #[test]
    fn the_rounding_mode_decides_ties() {
        let table = |mode: &str, stated: &str| {
            format!(
                "table 1 t {{\n    unit US$\n    rounding 1 {mode}\n    columns 2013\n    a \"A\" 5\n    h \"Half\" {stated} = a / 2\n}}\n"
            )
        };
        let (_, even) = reconciled(&table("half-even", "2"));
        assert_eq!(outcomes(&even), [Outcome::Matches]);
        let (_, up) = reconciled(&table("half-up", "3"));
        assert_eq!(outcomes(&up), [Outcome::Matches]);
        let (_, up_but_even) = reconciled(&table("half-up", "2"));
        assert_eq!(outcomes(&up_but_even), [Outcome::Rounding]);
    }
}
