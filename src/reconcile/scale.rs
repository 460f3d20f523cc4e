//! Reconciliation of scales of assessments: every stated adjusted rate, contribution
//! and Total of every Party, and the TOTAL line, by the same rule as any other figure;
//! how each one was computed, in a sentence naming the Party; and the rounding residue
//! of each year, reported as information.
//!
//! A change to one Party's rate moves every other Party's share a little and its own a
//! lot, so a scale's failures are listed largest first (by their size in money): the
//! Party whose figure was changed comes before the Parties it moved.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Check, Outcome, Reconciliation, judge};
use crate::diagnostic::{Code, Diagnostic};
use crate::format;
use crate::semantics::Model;
use crate::semantics::apportion::Binding;
use crate::semantics::eval::Amount;
use crate::semantics::explain::{ScaleLine, Subject};
use crate::semantics::number::Exact;
use crate::semantics::scale::{FigureRole, PartyDef, ScaleDef, ScaleModel, YearResult};
use crate::syntax::ast::{FigureKind, RoundingMode, Written};

/// Checks every stated figure of every scale.
pub(super) fn checks(model: &Model, reconciliation: &mut Reconciliation) {
    for (index, scale) in model.scales.scales.iter().enumerate() {
        for (party_index, party) in scale.def.parties.iter().enumerate() {
            let line = ScaleLine::Party(party_index);
            line_checks(scale, index, line, party, reconciliation);
        }
        if let Some(total) = &scale.def.total {
            line_checks(scale, index, ScaleLine::Total, total, reconciliation);
        }
    }
}

fn line_checks(
    scale: &ScaleModel,
    index: usize,
    line: ScaleLine,
    party: &PartyDef,
    reconciliation: &mut Reconciliation,
) {
    for (figure_index, figure) in party.figures.iter().enumerate() {
        let role = scale.def.role(figure_index);
        let (stated, written) = match figure.kind {
            FigureKind::Number(written) => (written.value, Some(written)),
            FigureKind::Dash => (Decimal::ZERO, None),
            // Refused when the scale is read (`bud::table::figures`).
            FigureKind::Blank | FigureKind::Absent | FigureKind::Text(_) => continue,
        };
        // A Party's base rate is an input; only the TOTAL line states its sum.
        if matches!((line, role), (ScaleLine::Party(_), FigureRole::Base(_))) {
            continue;
        }
        let Some(amount) = computed(scale, line, role) else {
            reconciliation.unchecked += 1;
            continue;
        };
        let (step, mode) = precision(&scale.def, role);
        let subject = Subject::Scale {
            scale: index,
            line,
            figure: figure_index,
        };
        reconciliation.record(judge(
            subject,
            (stated, written, figure.span),
            amount,
            step,
            mode,
        ));
    }
}

/// Rates are published to the `rates rounding` step (base rates to `base rounding`, if
/// given), money to the scale's `rounding`.
fn precision(def: &ScaleDef, role: FigureRole) -> (Decimal, RoundingMode) {
    let rates = |rounding: Option<crate::semantics::program::PublishedRounding>| {
        rounding.map_or((Decimal::ZERO, RoundingMode::HalfUp), |r| (r.step, r.mode))
    };
    match role {
        FigureRole::Base(_) => rates(def.base_rounding.or(def.rate_rounding)),
        FigureRole::Adjusted(_) => rates(def.rate_rounding),
        FigureRole::Contribution(_) | FigureRole::Total => (def.rounding.step, def.rounding.mode),
    }
}

/// What bud computes for a figure of a line, if it could be computed.
pub fn computed(scale: &ScaleModel, line: ScaleLine, role: FigureRole) -> Option<Amount> {
    let year = |index: usize| scale.years.get(index);
    // Figures over a Party list with an unreadable line would be wrong, not just off.
    if !scale.def.complete {
        return None;
    }
    match (line, role) {
        (ScaleLine::Party(party), FigureRole::Base(index)) => {
            let base = scale
                .def
                .base(scale.def.parties.get(party)?, index.unwrap_or(0));
            Some(Amount::exact(Exact::new(base)))
        }
        (ScaleLine::Party(party), FigureRole::Adjusted(index)) => {
            let year = year(index)?;
            let rate = year.rates.as_ref().ok()?.rates.get(party)?;
            let uncertainty = year
                .rate_uncertainty
                .get(party)
                .copied()
                .unwrap_or_default();
            Some(Amount {
                value: *rate,
                uncertainty,
            })
        }
        (ScaleLine::Party(party), FigureRole::Contribution(index)) => {
            year(index)?.contributions.get(party).copied()
        }
        (ScaleLine::Party(party), FigureRole::Total) => scale.party_total(party),
        (ScaleLine::Total, FigureRole::Base(index)) => {
            let sum = scale
                .def
                .parties
                .iter()
                .try_fold(Exact::ZERO, |sum, party| {
                    let base = scale.def.base(party, index.unwrap_or(0));
                    sum.checked_add(Exact::new(base)).ok()
                })?;
            // Base rates printed rounded: their sum is as uncertain as all of them.
            let uncertainty = scale.def.base_rounding.map_or(Decimal::ZERO, |r| {
                let parties = Decimal::from(scale.def.parties.len());
                (r.step / Decimal::TWO).saturating_mul(parties)
            });
            Some(Amount {
                value: sum,
                uncertainty,
            })
        }
        (ScaleLine::Total, FigureRole::Adjusted(index)) => {
            let rates = &year(index)?.rates.as_ref().ok()?.rates;
            let sum = rates
                .iter()
                .try_fold(Exact::ZERO, |sum, rate| sum.checked_add(*rate).ok())?;
            Some(Amount::exact(sum))
        }
        // The link: the stated TOTAL is checked against the amount as its table computes it.
        (ScaleLine::Total, FigureRole::Contribution(index)) => {
            Some(year(index)?.amount.as_ref().ok()?.computed)
        }
        (ScaleLine::Total, FigureRole::Total) => scale.amount_total(),
    }
}

// ---------------------------------------------------------------- words

/// "Table 5, Japan, contribution 2013"
pub(super) fn title(model: &Model, subject: Subject) -> String {
    let Some((scale, line, role)) = parts(model, subject) else {
        return String::new();
    };
    let party = match line {
        ScaleLine::Party(index) => scale
            .def
            .parties
            .get(index)
            .map_or("?", |p| p.name.as_str()),
        ScaleLine::Total => "TOTAL",
    };
    format!(
        "{}, {party}, {}",
        scale.def.display_name(),
        role_name(&scale.def, role)
    )
}

fn role_name(def: &ScaleDef, role: FigureRole) -> String {
    let year = |index: usize| def.years.get(index).map_or(String::new(), i32::to_string);
    match role {
        FigureRole::Base(Some(index)) => format!("UN scale {} (%)", year(index)),
        FigureRole::Base(None) => "UN scale (%)".to_owned(),
        FigureRole::Adjusted(index) => format!("adjusted scale {} (%)", year(index)),
        FigureRole::Contribution(index) => format!("contribution {}", year(index)),
        FigureRole::Total => format!("Total {}", years_span(def)),
    }
}

fn years_span(def: &ScaleDef) -> String {
    match (def.years.first(), def.years.last()) {
        (Some(first), Some(last)) if first != last => format!("{first}-{last}"),
        (Some(only), _) => only.to_string(),
        _ => String::new(),
    }
}

pub(super) fn is_rate(model: &Model, subject: Subject) -> bool {
    parts(model, subject)
        .is_some_and(|(_, _, role)| matches!(role, FigureRole::Base(_) | FigureRole::Adjusted(_)))
}

fn parts(model: &Model, subject: Subject) -> Option<(&ScaleModel, ScaleLine, FigureRole)> {
    let Subject::Scale {
        scale,
        line,
        figure,
    } = subject
    else {
        return None;
    };
    let scale = model.scales.scales.get(scale)?;
    Some((scale, line, scale.def.role(figure)))
}

/// How the figure was computed, as a sentence ending in ". ".
pub(super) fn explanation(model: &Model, subject: Subject) -> Option<String> {
    let (scale, line, role) = parts(model, subject)?;
    let sentence = match (line, role) {
        (ScaleLine::Party(party), FigureRole::Adjusted(index)) => {
            rate_sentence(model, scale, party, index)?
        }
        (ScaleLine::Party(party), FigureRole::Contribution(index)) => {
            contribution_sentence(scale, party, index)?
        }
        (ScaleLine::Party(party), FigureRole::Total) => {
            let parts: Vec<String> = scale
                .years
                .iter()
                .filter_map(|year| {
                    year.contributions
                        .get(party)
                        .map(|c| format::exact_number(c.value))
                })
                .collect();
            let total = scale.party_total(party)?;
            format!(
                "The Total is the sum of the unrounded contributions, {} = {}, rounded {} to {}",
                parts.join(" + "),
                format::exact_number(total.value),
                scale.def.rounding.mode.name(),
                step_words(&scale.def)
            )
        }
        (ScaleLine::Total, FigureRole::Base(index)) => format!(
            "The sum of the {} Parties' UN scale rates{}",
            scale.def.parties.len(),
            index
                .and_then(|index| scale.def.years.get(index))
                .map_or_else(String::new, |year| format!(" for {year}"))
        ),
        (ScaleLine::Total, FigureRole::Adjusted(index)) => format!(
            "The sum of the {} Parties' adjusted rates for {}, which the rule makes 100",
            scale.def.parties.len(),
            scale.def.years.get(index)?
        ),
        (ScaleLine::Total, FigureRole::Contribution(index)) => {
            let (_, written, _) = scale.def.amount.as_ref()?;
            let year = scale.years.get(index)?;
            let amount = year.amount.as_ref().ok()?;
            format!(
                "This is the amount apportioned: `{written}` for {}, which bud computes as {} from the published figures of its table, to within ±{}",
                year.year,
                format::exact_number(amount.computed.value),
                format::exact(amount.computed.uncertainty)
            )
        }
        (ScaleLine::Total, FigureRole::Total) => {
            "The sum of the amounts apportioned in each year".to_owned()
        }
        (ScaleLine::Party(_), FigureRole::Base(_)) => return None,
    };
    Some(format!("{sentence}. "))
}

fn rate_sentence(
    model: &Model,
    scale: &ScaleModel,
    party_index: usize,
    year_index: usize,
) -> Option<String> {
    let def = &scale.def;
    let party = def.parties.get(party_index)?;
    let rates = scale.years.get(year_index)?.rates.as_ref().ok()?;
    let binding = *rates.bindings.get(party_index)?;
    let base = def.base_written(party, year_index)?;
    let scaled = rates.factor.checked_mul(Exact::new(base.value)).ok()?;
    let product = format!(
        "{}'s UN scale {} × the rescaling factor {} = {}",
        party.name,
        format::written(base),
        format::exact_number(rates.factor),
        format::exact_number(scaled)
    );
    let sentence = match binding {
        Binding::Fixed => format!(
            "{}'s share is fixed at {}% by the decision",
            party.name,
            format::exact(def.fixed_share(party_index)?.rate)
        ),
        Binding::Scaled => format!("{product}: {}", no_limit_applied(model, def, party)),
        Binding::AtMost => {
            let (limit, group) = def.most_for(party)?;
            let which = match group {
                Some(group) => format!(
                    "the {}% cap of group {}",
                    format::exact(limit.rate),
                    model.scales.groups.get(group)?.display_name()
                ),
                None => format!("the {}% ceiling", format::exact(limit.rate)),
            };
            format!("held at {which}: {product} would exceed it")
        }
        Binding::AtLeast => format!(
            "raised to the {}% floor: {product} would be below it",
            format::exact(def.floor?.rate)
        ),
    };
    Some(format!(
        "{sentence}. {}",
        factor_sentence(scale, year_index)?
    ))
}

/// Why no cap applied to a Party whose rate was scaled.
fn no_limit_applied(model: &Model, def: &ScaleDef, party: &PartyDef) -> String {
    let capped_groups: Vec<String> = def
        .caps
        .iter()
        .filter_map(|(group, _)| model.scales.groups.get(*group))
        .map(|group| format!("`{}`", group.name))
        .collect();
    let mut reasons = Vec::new();
    if !capped_groups.is_empty() {
        let in_group = def
            .caps
            .iter()
            .any(|(group, _)| party.groups.contains(group));
        if in_group {
            reasons.push("the rate is below its group's cap".to_owned());
        } else {
            reasons.push(format!(
                "{} is not in group {}",
                party.name,
                capped_groups.join(" or ")
            ));
        }
    }
    if let Some(ceiling) = def.ceiling {
        reasons.push(format!(
            "the rate is below the {}% ceiling",
            format::exact(ceiling.rate)
        ));
    }
    if reasons.is_empty() {
        "no cap applied".to_owned()
    } else {
        format!("no cap applied, as {}", reasons.join(" and "))
    }
}

/// "The rescaling factor is (100 − 2.5 fixed − 0.06 held at a limit) / 69.07, the UN scale of the 157 Parties that scale."
fn factor_sentence(scale: &ScaleModel, year_index: usize) -> Option<String> {
    let summary = scale.years.get(year_index)?.summary?;
    let mut taken = Vec::new();
    if !summary.fixed.is_zero() {
        taken.push(format!(" − {} fixed", format::exact(summary.fixed)));
    }
    if !summary.held.is_zero() {
        taken.push(format!(
            " − {} held at a limit",
            format::exact_number(summary.held)
        ));
    }
    Some(format!(
        "The rescaling factor is (100{}) / {}, the UN scale of the {} Parties that scale",
        taken.concat(),
        format::exact(summary.scaling),
        summary.scaling_parties
    ))
}

fn contribution_sentence(
    scale: &ScaleModel,
    party_index: usize,
    year_index: usize,
) -> Option<String> {
    let def = &scale.def;
    let party = def.parties.get(party_index)?;
    let year = scale.years.get(year_index)?;
    let rate = year.rates.as_ref().ok()?.rates.get(party_index)?;
    let amount = year.amount.as_ref().ok()?;
    let contribution = year.contributions.get(party_index)?;
    let source = if amount.from_stated_total {
        "the TOTAL line's figure, consistent with the amount its table computes"
    } else {
        "as its table computes it"
    };
    Some(format!(
        "{}'s adjusted rate {}% × the amount apportioned for {} ({} {}, {source}) = {}, rounded {} to {}",
        party.name,
        format::exact_number(*rate),
        year.year,
        def.currency_symbol(),
        format::exact_number(amount.used.value),
        format::exact_number(contribution.value),
        def.rounding.mode.name(),
        step_words(def)
    ))
}

/// "a whole US$", or "a multiple of 0.01 US$".
fn step_words(def: &ScaleDef) -> String {
    if def.rounding.step == Decimal::ONE {
        format!("a whole {}", def.currency_symbol())
    } else {
        format!(
            "a multiple of {} {}",
            format::exact(def.rounding.step),
            def.currency_symbol()
        )
    }
}

// ---------------------------------------------------------------- placement and residue

/// Where each scale diagnostic goes: the data file its figure is in, and its place
/// among the others (Parties by the size of their largest failure, TOTAL last).
/// Per scale, each failing Party's rank: computed once, not per diagnostic.
pub(super) type Ranks = HashMap<usize, HashMap<usize, usize>>;

pub(super) fn ranks(model: &Model, reconciliation: &Reconciliation) -> Ranks {
    (0..model.scales.scales.len())
        .map(|scale| (scale, party_ranks(model, reconciliation, scale)))
        .collect()
}

pub(super) fn place(
    model: &Model,
    ranks: &Ranks,
    subject: Subject,
    diagnostic: Diagnostic,
) -> Diagnostic {
    let Some((scale, line, role)) = parts(model, subject) else {
        return diagnostic;
    };
    let Subject::Scale {
        scale: scale_index, ..
    } = subject
    else {
        return diagnostic;
    };
    let ranks = ranks.get(&scale_index);
    // The amount apportioned comes first: when it fails, every contribution moves with it.
    let rank = match (line, role) {
        (ScaleLine::Total, FigureRole::Contribution(_)) => 0,
        (ScaleLine::Party(party), _) => ranks
            .and_then(|ranks| ranks.get(&party))
            .map_or(usize::MAX - 1, |r| r + 1),
        (ScaleLine::Total, _) => usize::MAX,
    };
    let file = match line {
        ScaleLine::Party(party) => scale.def.parties.get(party).and_then(|p| p.file.clone()),
        ScaleLine::Total => scale.def.total.as_ref().and_then(|p| p.file.clone()),
    };
    let diagnostic = match file {
        // The rule's line is in the decision file, which this report cannot show.
        Some(file) => Diagnostic {
            secondary: Vec::new(),
            ..diagnostic
        }
        .in_file(file),
        None => diagnostic,
    };
    diagnostic.ordered(scale.def.span.end(), rank)
}

/// "the amount apportioned for 2013 (the TOTAL line)", when a Party's contribution or
/// Total is computed from an amount that does not reconcile.
pub(super) fn failing_amounts(
    model: &Model,
    subject: Subject,
    failing: &rustc_hash::FxHashSet<Subject>,
) -> Vec<String> {
    let Some((scale, ScaleLine::Party(_), role)) = parts(model, subject) else {
        return Vec::new();
    };
    let Subject::Scale { scale: index, .. } = subject else {
        return Vec::new();
    };
    let years: Vec<usize> = match role {
        FigureRole::Contribution(year) => vec![year],
        FigureRole::Total => (0..scale.def.years.len()).collect(),
        _ => Vec::new(),
    };
    years
        .into_iter()
        .filter(|year| {
            let Some(figure) = scale.def.column_of(FigureRole::Contribution(*year)) else {
                return false;
            };
            failing.contains(&Subject::Scale {
                scale: index,
                line: ScaleLine::Total,
                figure,
            })
        })
        .filter_map(|year| scale.def.years.get(year))
        .map(|year| format!("the amount apportioned for {year} (the TOTAL line)"))
        .collect()
}

/// Each Party with a failing figure, ranked by its largest difference in money.
fn party_ranks(
    model: &Model,
    reconciliation: &Reconciliation,
    scale_index: usize,
) -> HashMap<usize, usize> {
    let mut sizes: HashMap<usize, Exact> = HashMap::new();
    for check in &reconciliation.checks {
        let Subject::Scale {
            scale,
            line: ScaleLine::Party(party),
            figure,
        } = check.subject
        else {
            continue;
        };
        if scale != scale_index || check.outcome == Outcome::Matches {
            continue;
        }
        let size = money_size(model, scale, figure, check);
        let entry = sizes.entry(party).or_insert(Exact::ZERO);
        if size > *entry {
            *entry = size;
        }
    }
    let mut ordered: Vec<(usize, Exact)> = sizes.into_iter().collect();
    ordered.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ordered
        .into_iter()
        .enumerate()
        .map(|(rank, (party, _))| (party, rank))
        .collect()
}

/// A difference in money: a rate's difference times the year's amount.
fn money_size(model: &Model, scale: usize, figure: usize, check: &Check) -> Exact {
    let difference = check.difference().abs();
    let Some(scale) = model.scales.scales.get(scale) else {
        return difference;
    };
    match scale.def.role(figure) {
        role @ (FigureRole::Base(_) | FigureRole::Adjusted(_)) => {
            let year = match role {
                FigureRole::Adjusted(year) | FigureRole::Base(Some(year)) => year,
                _ => 0,
            };
            let amount = scale
                .years
                .get(year)
                .and_then(|y| y.amount.ok())
                .map_or(Exact::ZERO, |a| a.used.value);
            difference
                .checked_mul(amount)
                .and_then(|d| d.checked_div(Exact::new(Decimal::ONE_HUNDRED)))
                .unwrap_or(difference)
        }
        _ => difference,
    }
}

/// A note per year: the rounded contributions against the amount apportioned.
pub(super) fn residues(model: &Model) -> Vec<Diagnostic> {
    let mut notes = Vec::new();
    // A scale of rates alone prints no contributions, so has no residue to report.
    for scale in model.scales.scales.iter().filter(|s| s.def.has_amounts()) {
        for (index, year) in scale.years.iter().enumerate() {
            if let Some(note) = residue(scale, index, year) {
                notes.push(note);
            }
        }
    }
    notes
}

fn residue(scale: &ScaleModel, year_index: usize, year: &YearResult) -> Option<Diagnostic> {
    let def = &scale.def;
    let amount = year.amount.as_ref().ok()?;
    let (rounded, residue) = year.rounded_sum(&def.rounding)?;
    if residue.is_zero() {
        return None;
    }
    let symbol = def.currency_symbol();
    let direction = if residue < Exact::ZERO {
        "less"
    } else {
        "more"
    };
    let span = def
        .total
        .as_ref()
        .and_then(|total| {
            let figure = def.column_of(FigureRole::Contribution(year_index))?;
            total.figures.get(figure)
        })
        .map_or(def.span, |figure| figure.span);
    let mut note = Diagnostic::note(
        Code::ApportionResidue,
        format!(
            "{}, {}: the rounded contributions add up to {symbol} {}, {symbol} {} {direction} than the amount apportioned ({symbol} {})",
            def.display_name(),
            year.year,
            format::exact(rounded),
            format::exact_number(residue.abs()),
            format::exact_number(amount.used.value)
        ),
    )
    .at(span, "the amount apportioned")
    .with_help(format!(
        "each contribution is rounded {} to {} on its own, so together they can differ from the amount by a few {symbol}: a rounding residue, not an error",
        def.rounding.mode.name(),
        step_words(def)
    ))
    .ordered(def.span.end(), usize::MAX);
    if let Some(file) = def.total.as_ref().and_then(|t| t.file.clone()) {
        note = note.in_file(file);
    }
    Some(note)
}

/// The TOTAL line against the figures printed above it: each column's printed figures
/// add up to its TOTAL within their rounding (each figure's half step, and the TOTAL's
/// own). A figure that does not reconcile on its own line, and has been reported or
/// acknowledged there, counts as bud computes it: the sum fails only for a cause of
/// its own, such as a TOTAL mistyped or a line missing.
pub(super) fn column_sums(model: &Model, reconciliation: &Reconciliation) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (index, scale) in model.scales.scales.iter().enumerate() {
        let def = &scale.def;
        let Some(total) = def.total.as_ref().filter(|_| def.complete) else {
            continue;
        };
        for (column, figure) in total.figures.iter().enumerate() {
            let FigureKind::Number(stated) = figure.kind else {
                continue;
            };
            let own = Subject::Scale {
                scale: index,
                line: ScaleLine::Total,
                figure: column,
            };
            // A TOTAL that fails against what bud computes is reported there, once.
            let fails_already = reconciliation.check_for(own).is_some_and(|check| {
                check.outcome != Outcome::Matches && check.outcome != Outcome::Rounding
            });
            if fails_already {
                continue;
            }
            let role = def.role(column);
            // Contributions are checked against their TOTAL when the amount is read
            // (`semantics::scale`), before they are computed.
            if matches!(role, FigureRole::Contribution(_)) {
                continue;
            }
            let (step, _) = precision(def, role);
            let mut sum = Decimal::ZERO;
            let mut printed = 0u32;
            for (party, line) in def.parties.iter().enumerate() {
                let value = match line.figures.get(column).map(|f| &f.kind) {
                    Some(FigureKind::Number(written)) => written.value,
                    Some(FigureKind::Dash) => Decimal::ZERO,
                    _ => continue,
                };
                printed += 1;
                let subject = Subject::Scale {
                    scale: index,
                    line: ScaleLine::Party(party),
                    figure: column,
                };
                let counted = match reconciliation.check_for(subject) {
                    Some(check)
                        if matches!(check.outcome, Outcome::Mismatch | Outcome::Acknowledged) =>
                    {
                        check.computed.to_decimal()
                    }
                    _ => value,
                };
                sum = sum.saturating_add(counted);
            }
            let tolerance = (step / Decimal::TWO).saturating_mul(Decimal::from(printed + 1));
            if stated.value.saturating_sub(sum).abs() <= tolerance || printed == 0 {
                continue;
            }
            let shown = |value: Decimal| {
                format::written(Written {
                    value,
                    decimals: stated.decimals,
                })
            };
            let title = title(model, own);
            errors.push(
                Diagnostic::error(
                    Code::ReconcileMismatch,
                    format!(
                        "{title}: printed {}, but the {printed} figures printed above it add up to {}",
                        format::written(stated),
                        shown(sum.round_dp(stated.decimals)),
                    ),
                )
                .at(figure.span, format!("the column adds up to {}", shown(sum.round_dp(stated.decimals))))
                .with_help(format!(
                    "rounding explains at most ±{} ({printed} figures and the TOTAL, each rounded to {}); correct the TOTAL, or look for a figure left blank, or a line missing or printed twice",
                    tolerance.normalize(),
                    step.normalize()
                )),
            );
        }
    }
    errors
}
