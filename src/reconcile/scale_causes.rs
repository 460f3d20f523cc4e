//! One diagnosis per cause in a scale of assessments. A scale's rates hang together: a
//! rescaling factor a little off moves dozens of Parties' rates by 0.001, one mistyped
//! base rate moves its own Party's rate a lot and, through the sum of base rates, many
//! others' a little, and a rate printed in the wrong line makes two lines wrong. Left
//! alone, each of those is an error per Party; here each becomes one error that says
//! what the cause is, and the failing rates it explains are counted under it.
//!
//! The evidence is the printed rates themselves. A rate printed to a step `s` pins the
//! factor it was computed with to an interval: `p` printed for base `b` means the factor
//! lies in [(p − s/2)/b, (p + s/2)/b). The factor most printed rates agree on is where
//! most of those intervals overlap (one sweep over their ends, O(n log n)); rates
//! outside it are looked at one by one, as a rate of another line or a mistyped base.

use rust_decimal::Decimal;

use super::attribution::Cause;
use super::{Outcome, Reconciliation};
use crate::diagnostic::{Diagnostic, Span};
use crate::semantics::Model;
use crate::semantics::apportion::{Apportioned, Binding};
use crate::semantics::explain::{ScaleLine, Subject};
use crate::semantics::scale::{FigureRole, ScaleDef, ScaleModel};
use crate::syntax::ast::{FigureKind, Written};

/// A cause found in a scale, and the failing figures it explains.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleCause {
    pub scale: usize,
    pub kind: CauseKind,
    /// Where the error points: the figure that shows the cause best.
    pub span: Span,
    /// The failing figures it explains, in file order.
    pub explains: Vec<Subject>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CauseKind {
    /// The printed rates agree on a rescaling factor the rule does not give.
    Factor(Vec<FactorFit>),
    /// A line prints the rate of another Party (`owner`); `swapped` when the owner's
    /// line prints this line's rate in turn.
    Misplaced {
        line: usize,
        owner: usize,
        swapped: bool,
        years: Vec<i32>,
    },
    /// A Party's rate printed in the column of another year: the rate it has in
    /// `belongs_to`, printed under `printed_in`.
    OtherYear {
        party: usize,
        printed_in: i32,
        belongs_to: i32,
    },
    /// A base rate that, as the adjusted rates show, was meant to be `fits`.
    Base {
        party: usize,
        printed: Written,
        fits: Decimal,
    },
}

/// What one year's printed rates say about the rescaling factor.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorFit {
    pub year: i32,
    /// The factors every rescaled rate that agrees was computed with lie in
    /// [low, high).
    pub low: Decimal,
    pub high: Decimal,
    /// The rule's factor: what is rescaled, over the sum of the base rates rescaled.
    pub rule: Decimal,
    pub rescaled: Decimal,
    pub base_sum: Decimal,
}

impl FactorFit {
    /// How much the sum of base rates would have to be smaller (positive) or larger
    /// (negative) for the rule to give a factor in the interval: [from, to).
    pub fn base_sum_gap(&self) -> Option<(Decimal, Decimal)> {
        let at = |factor: Decimal| {
            self.rescaled
                .checked_div(factor)
                .and_then(|sum| self.base_sum.checked_sub(sum))
        };
        Some((at(self.low)?, at(self.high)?))
    }
}

/// Finds the causes in every scale and marks the failing figures they explain.
pub fn diagnose(model: &Model, reconciliation: &mut Reconciliation) {
    let mut causes = Vec::new();
    for (index, scale) in model.scales.scales.iter().enumerate() {
        if scale.def.complete && scale.def.rate_rounding.is_some() {
            causes.extend(scale_causes(index, scale, reconciliation));
        }
    }
    let offset = reconciliation.scale_causes.len();
    for (number, cause) in causes.iter().enumerate() {
        for subject in &cause.explains {
            if let Some(at) = reconciliation.index_of(*subject) {
                reconciliation.checks[at].cause = Cause::Scale(offset + number);
            }
        }
    }
    reconciliation.scale_causes.extend(causes);
}

/// One year's rates: what bud computes, and which printed ones fail on their own.
struct Year<'a> {
    index: usize,
    year: i32,
    column: usize,
    rates: &'a Apportioned,
    /// Parties whose printed rate fails with no cause found yet.
    failing: Vec<usize>,
}

fn scale_causes(
    index: usize,
    scale: &ScaleModel,
    reconciliation: &Reconciliation,
) -> Vec<ScaleCause> {
    let def = &scale.def;
    let Some(step) = def.rate_rounding.map(|r| r.step) else {
        return Vec::new();
    };
    let mut years: Vec<Year<'_>> = Vec::new();
    for (year_index, result) in scale.years.iter().enumerate() {
        let (Some(column), Ok(rates)) = (
            def.column_of(FigureRole::Adjusted(year_index)),
            result.rates.as_ref(),
        ) else {
            continue;
        };
        let failing = (0..def.parties.len())
            .filter(|party| {
                let subject = rate_subject(index, *party, column);
                reconciliation.check_for(subject).is_some_and(|check| {
                    check.outcome == Outcome::Mismatch && check.cause == Cause::Own
                })
            })
            .collect();
        years.push(Year {
            index: year_index,
            year: result.year,
            column,
            rates,
            failing,
        });
    }
    let mut causes = Vec::new();
    let mut fits = Vec::new();
    // The factor each year's causes say the rates were computed with, for the
    // contributions that follow from them.
    let mut factors: Vec<Option<(usize, Decimal)>> = vec![None; years.len()];
    for (at, year) in years.iter_mut().enumerate() {
        let fit = fit(def, year, step);
        // The rule's factor outside what the printed rates agree on: a mistyped base
        // rate, if correcting one brings it in; else the factor itself.
        if let Some(fit) = fit.as_ref().filter(|fit| !fit.contains(fit.factor.rule)) {
            if let Some(found) =
                mistyped_base(index, (def, reconciliation), year, (step, fit), &mut causes)
            {
                factors[at] = Some(found);
            } else {
                let explained: Vec<usize> = year
                    .failing
                    .iter()
                    .copied()
                    .filter(|party| fit.agrees.contains(party))
                    .collect();
                if !explained.is_empty() {
                    year.failing.retain(|party| !explained.contains(party));
                    fits.push((fit.factor.clone(), year.column, explained));
                    factors[at] = Some((usize::MAX, fit.middle()));
                }
            }
        }
        // What is left and far off: a rate printed in another Party's line.
        misplaced(index, def, year, step, fit.as_ref(), &mut causes);
    }
    if !fits.is_empty() {
        causes.push(factor_cause(index, def, fits));
        let factor_cause = causes.len() - 1;
        for slot in factors.iter_mut().flatten() {
            if slot.0 == usize::MAX {
                slot.0 = factor_cause;
            }
        }
    }
    other_years(index, def, step, &mut years, &mut causes);
    following(index, scale, &years, &factors, reconciliation, &mut causes);
    causes
}

/// A failing rate that is, rounded, the same Party's rate in another year, and not its
/// own in this one: printed in the wrong year's column.
fn other_years(
    index: usize,
    def: &ScaleDef,
    step: Decimal,
    years: &mut [Year<'_>],
    causes: &mut Vec<ScaleCause>,
) {
    let rounded = |rate: Decimal| rate.round_dp(step.scale());
    let rate_in = |years: &[Year<'_>], at: usize, party: usize| {
        years
            .get(at)
            .and_then(|y| y.rates.rates.get(party))
            .map(|r| rounded(r.to_decimal()))
    };
    for at in 0..years.len() {
        let failing = years[at].failing.clone();
        for party in failing {
            let column = years[at].column;
            let Some(shown) = printed(def, party, column) else {
                continue;
            };
            if rate_in(years, at, party) == Some(shown) {
                continue;
            }
            let Some(other) = (0..years.len())
                .filter(|other| *other != at)
                .find(|other| rate_in(years, *other, party) == Some(shown))
            else {
                continue;
            };
            let span = def.parties[party]
                .figures
                .get(column)
                .map_or(def.parties[party].span, |f| f.span);
            causes.push(ScaleCause {
                scale: index,
                kind: CauseKind::OtherYear {
                    party,
                    printed_in: years[at].year,
                    belongs_to: years[other].year,
                },
                span,
                explains: vec![rate_subject(index, party, column)],
            });
            years[at].failing.retain(|p| *p != party);
        }
    }
}

/// The contributions and Totals that fail only because of a cause: computed at the
/// factor the cause says the rates were computed with, they reconcile. A Party's Total
/// follows when one of its contributions does.
fn following(
    index: usize,
    scale: &ScaleModel,
    years: &[Year<'_>],
    factors: &[Option<(usize, Decimal)>],
    reconciliation: &Reconciliation,
    causes: &mut [ScaleCause],
) {
    let def = &scale.def;
    let failing = |subject: Subject| {
        reconciliation
            .check_for(subject)
            .filter(|check| check.outcome == Outcome::Mismatch && check.cause == Cause::Own)
    };
    let total_column = def.column_of(FigureRole::Total);
    for (year, slot) in years.iter().zip(factors) {
        let (Some((cause, factor)), Some(column)) =
            (slot, def.column_of(FigureRole::Contribution(year.index)))
        else {
            continue;
        };
        for party in 0..def.parties.len() {
            let subject = rate_subject(index, party, column);
            let Some(check) = failing(subject) else {
                continue;
            };
            let Some(contribution) =
                contribution_at(scale, year, party, *factor, causes.get(*cause))
            else {
                continue;
            };
            if check.stated.saturating_sub(contribution).abs() <= check.tolerance() {
                if let Some(found) = causes.get_mut(*cause) {
                    found.explains.push(subject);
                }
            }
        }
    }
    let Some(total_column) = total_column else {
        return;
    };
    // A Party's Total adds its contributions: it follows when, with each year's
    // contribution as its cause computes it, it reconciles.
    for party in 0..def.parties.len() {
        let subject = rate_subject(index, party, total_column);
        let Some(check) = failing(subject) else {
            continue;
        };
        let mut total = Decimal::ZERO;
        let mut cause = None;
        for (year, slot) in years.iter().zip(factors) {
            let computed = scale
                .years
                .get(year.index)
                .and_then(|y| y.contributions.get(party))
                .map(|c| c.value.to_decimal());
            let contribution = match slot {
                Some((found, factor)) => {
                    cause = cause.or(Some(*found));
                    contribution_at(scale, year, party, *factor, causes.get(*found))
                }
                None => computed,
            };
            total = total.saturating_add(contribution.unwrap_or_default());
        }
        if let Some(found) = cause.and_then(|c| causes.get_mut(c)) {
            if check.stated.saturating_sub(total).abs() <= check.tolerance() {
                found.explains.push(subject);
            }
        }
    }
}

/// A Party's contribution for a year, with its rate at `factor` (and the base rate the
/// cause says it should have, for a mistyped one).
fn contribution_at(
    scale: &ScaleModel,
    year: &Year<'_>,
    party: usize,
    factor: Decimal,
    cause: Option<&ScaleCause>,
) -> Option<Decimal> {
    let def = &scale.def;
    let amount = scale
        .years
        .get(year.index)?
        .amount
        .as_ref()
        .ok()?
        .used
        .value
        .to_decimal();
    let rate = match year.rates.bindings.get(party)? {
        Binding::Scaled => {
            let base = match cause.map(|c| &c.kind) {
                Some(CauseKind::Base {
                    party: mistyped,
                    fits,
                    ..
                }) if *mistyped == party => *fits,
                _ => def.base(def.parties.get(party)?, year.index),
            };
            base.checked_mul(factor)?
        }
        _ => year.rates.rates.get(party)?.to_decimal(),
    };
    rate.checked_mul(amount)?.checked_div(Decimal::ONE_HUNDRED)
}

fn rate_subject(scale: usize, party: usize, column: usize) -> Subject {
    Subject::Scale {
        scale,
        line: ScaleLine::Party(party),
        figure: column,
    }
}

fn printed(def: &ScaleDef, party: usize, column: usize) -> Option<Decimal> {
    match def.parties.get(party)?.figures.get(column)?.kind {
        FigureKind::Number(written) => Some(written.value),
        _ => None,
    }
}

/// The factor most printed rates of a year agree on, and which Parties agree.
struct Fit {
    factor: FactorFit,
    agrees: Vec<usize>,
}

impl Fit {
    fn contains(&self, factor: Decimal) -> bool {
        self.factor.low <= factor && factor < self.factor.high
    }

    fn middle(&self) -> Decimal {
        self.factor.low.saturating_add(self.factor.high) / Decimal::TWO
    }
}

fn fit(def: &ScaleDef, year: &Year<'_>, step: Decimal) -> Option<Fit> {
    let half = step / Decimal::TWO;
    let mut intervals: Vec<(Decimal, Decimal, usize)> = Vec::new();
    let (mut rescaled, mut base_sum) = (Decimal::ZERO, Decimal::ZERO);
    for (party, binding) in year.rates.bindings.iter().enumerate() {
        if *binding != Binding::Scaled {
            continue;
        }
        let base = def.base(def.parties.get(party)?, year.index);
        rescaled = rescaled.checked_add(year.rates.rates.get(party)?.to_decimal())?;
        base_sum = base_sum.checked_add(base)?;
        let Some(printed) = printed(def, party, year.column) else {
            continue;
        };
        if base <= Decimal::ZERO {
            continue;
        }
        let low = printed.saturating_sub(half).checked_div(base)?;
        let high = printed.saturating_add(half).checked_div(base)?;
        intervals.push((low, high, party));
    }
    let (low, high) = widest_overlap(&intervals)?;
    let agrees: Vec<usize> = intervals
        .iter()
        .filter(|(from, to, _)| *from <= low && high <= *to)
        .map(|(_, _, party)| *party)
        .collect();
    // A factor is what most rates agree on, or it says nothing.
    if agrees.len() < 2 || agrees.len() * 2 < intervals.len() {
        return None;
    }
    Some(Fit {
        factor: FactorFit {
            year: year.year,
            low,
            high,
            rule: year.rates.factor.to_decimal(),
            rescaled,
            base_sum,
        },
        agrees,
    })
}

/// The stretch [low, high) that the most half-open intervals cover.
fn widest_overlap(intervals: &[(Decimal, Decimal, usize)]) -> Option<(Decimal, Decimal)> {
    let mut ends: Vec<(Decimal, i32)> = intervals
        .iter()
        .flat_map(|(low, high, _)| [(*low, 1), (*high, -1)])
        .collect();
    // An interval ends before another starts at the same point: they do not overlap.
    ends.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut covering, mut best) = (0i32, 0i32);
    let mut found = None;
    for (at, (point, change)) in ends.iter().enumerate() {
        covering += change;
        if covering > best {
            if let Some((next, _)) = ends.get(at + 1) {
                if next > point {
                    best = covering;
                    found = Some((*point, *next));
                }
            }
        }
    }
    found
}

/// A failing rate that is, rounded, the rate of exactly one other Party: a line holding
/// another's figure. Both lines' figures are explained when the other's fails too.
fn misplaced(
    index: usize,
    def: &ScaleDef,
    year: &mut Year<'_>,
    step: Decimal,
    fit: Option<&Fit>,
    causes: &mut Vec<ScaleCause>,
) {
    let rounded = |rate: Decimal| rate.round_dp(step.scale());
    let at_factor = |party: usize, factor: Decimal| -> Option<Decimal> {
        match year.rates.bindings.get(party)? {
            Binding::Scaled => Some(rounded(
                def.base(def.parties.get(party)?, year.index)
                    .saturating_mul(factor),
            )),
            _ => Some(rounded(year.rates.rates.get(party)?.to_decimal())),
        }
    };
    // Each Party's rate as the rule gives it, and at the factor the printed rates agree
    // on, worked out once; and which Parties have each such rate, to find an owner
    // without going through every Party for every failing line.
    let rates: Vec<Vec<Decimal>> = (0..def.parties.len())
        .map(|party| {
            let mut rates: Vec<Decimal> = year
                .rates
                .rates
                .get(party)
                .map(|rate| rounded(rate.to_decimal()))
                .into_iter()
                .collect();
            if let Some(fit) = fit {
                rates.extend(at_factor(party, fit.middle()));
            }
            rates.dedup();
            rates
        })
        .collect();
    let mut owners_of: std::collections::HashMap<Decimal, Vec<usize>> =
        std::collections::HashMap::new();
    for (party, party_rates) in rates.iter().enumerate() {
        for rate in party_rates {
            owners_of.entry(rate.normalize()).or_default().push(party);
        }
    }
    let rate_of = |party: usize| rates.get(party).map_or(&[][..], Vec::as_slice);
    let failing = year.failing.clone();
    let mut placed: Vec<usize> = Vec::new();
    for line in failing {
        if placed.contains(&line) {
            continue;
        }
        let Some(shown) = printed(def, line, year.column) else {
            continue;
        };
        // A rate a step or two off is the factor's or the rounding's; another line's
        // rate is further off than that from its own.
        let far = rate_of(line)
            .iter()
            .all(|own| shown.saturating_sub(*own).abs() > step.saturating_mul(Decimal::TWO));
        if !far {
            continue;
        }
        let owners: Vec<usize> = owners_of
            .get(&shown.normalize())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(|owner| *owner != line)
            .collect();
        let [owner] = owners[..] else {
            continue;
        };
        let owner_shown = printed(def, owner, year.column);
        let owner_fails = year.failing.contains(&owner);
        let swapped = owner_fails && owner_shown.is_some_and(|s| rate_of(line).contains(&s));
        let mut explains = vec![rate_subject(index, line, year.column)];
        placed.push(line);
        if owner_fails {
            explains.push(rate_subject(index, owner, year.column));
            placed.push(owner);
        }
        let span = def.parties[line]
            .figures
            .get(year.column)
            .map_or(def.parties[line].span, |f| f.span);
        merge_misplaced(
            causes,
            ScaleCause {
                scale: index,
                kind: CauseKind::Misplaced {
                    line,
                    owner,
                    swapped,
                    years: vec![year.year],
                },
                span,
                explains,
            },
        );
    }
    year.failing.retain(|party| !placed.contains(party));
}

/// The same two lines misplaced in another year are the same cause.
fn merge_misplaced(causes: &mut Vec<ScaleCause>, cause: ScaleCause) {
    let CauseKind::Misplaced {
        line, owner, years, ..
    } = &cause.kind
    else {
        return;
    };
    for existing in causes.iter_mut() {
        if let CauseKind::Misplaced {
            line: other_line,
            owner: other_owner,
            years: other_years,
            ..
        } = &mut existing.kind
        {
            if other_line == line && other_owner == owner {
                other_years.extend(years);
                existing.explains.extend(cause.explains);
                return;
            }
        }
    }
    causes.push(cause);
}

/// A failing rate the agreed factor cannot give from its Party's base rate, but can
/// from another base rate which, put in the sum, makes the rule give that factor: the
/// base rate was mistyped. The rates it moved through the sum are explained with it.
fn mistyped_base(
    index: usize,
    (def, reconciliation): (&ScaleDef, &Reconciliation),
    year: &mut Year<'_>,
    (step, fit): (Decimal, &Fit),
    causes: &mut Vec<ScaleCause>,
) -> Option<(usize, Decimal)> {
    let half = step / Decimal::TWO;
    let outliers: Vec<usize> = year
        .failing
        .iter()
        .copied()
        .filter(|party| !fit.agrees.contains(party))
        .filter(|party| year.rates.bindings.get(*party) == Some(&Binding::Scaled))
        .collect();
    let [party] = outliers[..] else {
        return None;
    };
    let (Some(line), Some(shown)) = (def.parties.get(party), printed(def, party, year.column))
    else {
        return None;
    };
    let written = def.base_written(line, year.index)?;
    let base_step = Decimal::new(1, written.decimals);
    let from = shown.saturating_sub(half).checked_div(fit.factor.high)?;
    let to = shown.saturating_add(half).checked_div(fit.factor.low)?;
    let middle = shown.checked_div(fit.middle())?.round_dp(written.decimals);
    if middle < from || middle > to || middle == written.value || middle <= Decimal::ZERO {
        return None;
    }
    let sum = fit
        .factor
        .base_sum
        .saturating_sub(written.value)
        .saturating_add(middle);
    let factor = fit.factor.rescaled.checked_div(sum)?;
    if !fit.contains(factor) || base_step.is_zero() {
        return None;
    }
    // Every failing rate this year is then explained: the Party's own, and those the
    // sum moved.
    let mut explains: Vec<Subject> = year
        .failing
        .iter()
        .map(|p| rate_subject(index, *p, year.column))
        .collect();
    explains.sort_by_key(|s| match s {
        Subject::Scale {
            line: ScaleLine::Party(p),
            ..
        } => *p,
        _ => usize::MAX,
    });
    year.failing.clear();
    // The TOTAL line's sum of base rates adds up with the corrected rate.
    if let Some(column) = def.base_column(year.index).filter(|_| def.total.is_some()) {
        let total = Subject::Scale {
            scale: index,
            line: ScaleLine::Total,
            figure: column,
        };
        let adds_up = reconciliation.check_for(total).is_some_and(|check| {
            check.outcome == Outcome::Mismatch
                && check
                    .stated
                    .saturating_sub(
                        check
                            .computed
                            .to_decimal()
                            .saturating_sub(written.value)
                            .saturating_add(middle),
                    )
                    .abs()
                    <= check.tolerance()
        });
        if adds_up {
            explains.push(total);
        }
    }
    let span = def
        .base_column(year.index)
        .and_then(|column| line.figures.get(column))
        .map_or(line.span, |f| f.span);
    // The same base rate in another year is the same cause.
    let same = |existing: &ScaleCause| {
        matches!(&existing.kind,
            CauseKind::Base { party: other, fits, .. } if *other == party && *fits == middle)
    };
    if let Some(at) = causes.iter().position(same) {
        causes[at].explains.extend(explains);
        return Some((at, factor));
    }
    causes.push(ScaleCause {
        scale: index,
        kind: CauseKind::Base {
            party,
            printed: written,
            fits: middle,
        },
        span,
        explains,
    });
    Some((causes.len() - 1, factor))
}

/// One error for the scale: each year's fit, and the rates it explains.
fn factor_cause(
    index: usize,
    def: &ScaleDef,
    fits: Vec<(FactorFit, usize, Vec<usize>)>,
) -> ScaleCause {
    let mut explains = Vec::new();
    let mut span = None;
    for (_, column, parties) in &fits {
        for party in parties {
            explains.push(rate_subject(index, *party, *column));
            if span.is_none() {
                span = def.parties[*party].figures.get(*column).map(|f| f.span);
            }
        }
    }
    ScaleCause {
        scale: index,
        kind: CauseKind::Factor(fits.into_iter().map(|(fit, _, _)| fit).collect()),
        span: span.unwrap_or(def.span),
        explains,
    }
}

// ---------------------------------------------------------------- words

/// The error for a cause, unless every figure it explains is acknowledged.
pub(super) fn error(
    model: &Model,
    reconciliation: &Reconciliation,
    cause: &ScaleCause,
) -> Option<Diagnostic> {
    let failing = cause.explains.iter().any(|subject| {
        reconciliation
            .check_for(*subject)
            .is_some_and(|check| check.outcome == Outcome::Mismatch)
    });
    if !failing {
        return None;
    }
    let scale = model.scales.scales.get(cause.scale)?;
    let def = &scale.def;
    let name = |party: usize| def.parties.get(party).map_or("?", |p| p.name.as_str());
    let stated = |subject: &Subject| reconciliation.check_for(*subject);
    let diagnostic: Diagnostic = match &cause.kind {
        CauseKind::Factor(fits) => factor_error(def, cause, fits, &stated, &name),
        CauseKind::Misplaced {
            line,
            owner,
            swapped,
            years,
        } => misplaced_error(def, cause, (*line, *owner, *swapped), years, &stated, &name),
        CauseKind::Base {
            party,
            printed,
            fits,
        } => base_error(def, cause, (*party, *printed, *fits), &name),
        CauseKind::OtherYear {
            party,
            printed_in,
            belongs_to,
        } => other_year_error(
            def,
            cause,
            (*party, *printed_in, *belongs_to),
            &stated,
            &name,
        ),
    };
    // A line read from a data file is shown in that file.
    let party = match &cause.kind {
        CauseKind::Misplaced { line, .. } => Some(*line),
        CauseKind::Base { party, .. } | CauseKind::OtherYear { party, .. } => Some(*party),
        CauseKind::Factor(_) => cause.explains.first().and_then(|subject| match subject {
            Subject::Scale {
                line: ScaleLine::Party(p),
                ..
            } => Some(*p),
            _ => None,
        }),
    };
    let file = party
        .and_then(|p| def.parties.get(p))
        .and_then(|p| p.file.clone());
    Some(match file {
        Some(file) => diagnostic.in_file(file),
        None => diagnostic,
    })
}

type Stated<'a> = dyn Fn(&Subject) -> Option<&'a super::Check> + 'a;

fn other_year_error<'a>(
    def: &ScaleDef,
    cause: &ScaleCause,
    (party, printed_in, belongs_to): (usize, i32, i32),
    stated: &Stated<'a>,
    name: &dyn Fn(usize) -> &'a str,
) -> Diagnostic {
    let decimals = def.rate_rounding.map_or(3, |r| r.written.decimals);
    let own = cause
        .explains
        .first()
        .and_then(stated)
        .map_or_else(String::new, |check| {
            let width = decimals as usize;
            format!("{:.width$}", check.computed.to_decimal().round_dp(decimals))
        });
    Diagnostic::error(
        crate::diagnostic::Code::ReconcileMismatch,
        format!(
            "{}, {}, {printed_in}: the rate printed is {}'s rate for {belongs_to}; for {printed_in} the rule gives {own}",
            def.display_name(),
            name(party),
            name(party)
        ),
    )
    .at(cause.span, format!("the rate for {belongs_to}"))
    .with_help(format!(
        "write {}'s rate for {printed_in} in its column, or acknowledge the figure as published (`erratum`)",
        name(party)
    ))
}

fn factor(value: Decimal) -> String {
    format!("{:.7}", value.round_dp(7))
}

fn rate(value: Decimal) -> String {
    let mut text = value.normalize().to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    text
}

/// "2016 and 2017", "2016, 2017 and 2018".
fn years_in_words(years: &[i32]) -> String {
    let words: Vec<String> = years.iter().map(i32::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn factor_error<'a>(
    def: &ScaleDef,
    cause: &ScaleCause,
    fits: &[FactorFit],
    stated: &Stated<'a>,
    name: &dyn Fn(usize) -> &'a str,
) -> Diagnostic {
    let first = &fits[0];
    let same = fits
        .iter()
        .all(|f| (f.low, f.high, f.rule) == (first.low, first.high, first.rule));
    let years: Vec<i32> = fits.iter().map(|f| f.year).collect();
    let ranges = if same {
        format!(
            "from {} to {} ({})",
            factor(first.low),
            factor(first.high),
            years_in_words(&years)
        )
    } else {
        fits.iter()
            .map(|f| format!("from {} to {} in {}", factor(f.low), factor(f.high), f.year))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rule = if same {
        format!(
            "{} / {} = {}",
            rate(first.rescaled.round_dp(6)),
            rate(first.base_sum),
            factor(first.rule)
        )
    } else {
        fits.iter()
            .map(|f| format!("{} in {}", factor(f.rule), f.year))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parties: Vec<&str> = cause
        .explains
        .iter()
        .filter_map(|subject| match subject {
            Subject::Scale {
                line: ScaleLine::Party(p),
                ..
            } => Some(name(*p)),
            _ => None,
        })
        .collect();
    parties.dedup();
    let mut seen = std::collections::HashSet::new();
    parties.retain(|p| seen.insert(*p));
    let label = cause
        .explains
        .first()
        .and_then(stated)
        .map_or_else(String::new, |check| {
            format!(
                "printed {}; the rule gives {}",
                check
                    .written
                    .map_or_else(|| rate(check.stated), crate::format::written),
                rate(check.computed.to_decimal().round_dp(6))
            )
        });
    let gap = first.base_sum_gap().map_or_else(String::new, |(from, to)| {
        let (low, high) = if from < to { (from, to) } else { (to, from) };
        let candidates: Vec<String> = def
            .parties
            .iter()
            .filter(|p| {
                let base = def.base(p, 0);
                low <= base && base < high
            })
            .take(6)
            .map(|p| format!("{} ({})", p.name, rate(def.base(p, 0))))
            .collect();
        let direction = if low > Decimal::ZERO { "smaller" } else { "larger" };
        let such = if candidates.is_empty() || low <= Decimal::ZERO {
            String::new()
        } else {
            format!(", as if a Party of that rate, such as {}, were left out of it", candidates.join(", "))
        };
        format!(
            " A sum of base rates {direction} by {} to {} than the {} the rule uses gives such a factor{such}.",
            rate(low.abs().round_dp(5)),
            rate(high.abs().round_dp(5)),
            rate(first.base_sum)
        )
    });
    Diagnostic::error(
        crate::diagnostic::Code::ReconcileMismatch,
        format!(
            "{}: the printed rates fit a rescaling factor {ranges}, but the rule gives {rule}",
            def.display_name()
        ),
    )
    .at(cause.span, label)
    .with_help(format!(
        "{} printed rate{} of {} Part{} differ because of it: {}.{gap} Correct the rule or the base rates, or acknowledge the rates as published (`erratum`).",
        cause.explains.len(),
        if cause.explains.len() == 1 { "" } else { "s" },
        parties.len(),
        if parties.len() == 1 { "y" } else { "ies" },
        parties.join(", ")
    ))
}

fn misplaced_error<'a>(
    def: &ScaleDef,
    cause: &ScaleCause,
    (line, owner, swapped): (usize, usize, bool),
    years: &[i32],
    stated: &Stated<'a>,
    name: &dyn Fn(usize) -> &'a str,
) -> Diagnostic {
    let shown = |subject: Option<&Subject>| {
        subject.and_then(stated).map_or_else(String::new, |check| {
            check
                .written
                .map_or_else(|| rate(check.stated), crate::format::written)
        })
    };
    let computed = |subject: Option<&Subject>| {
        subject.and_then(stated).map_or_else(String::new, |check| {
            let decimals = def.rate_rounding.map_or(3, |r| r.written.decimals) as usize;
            format!(
                "{:.decimals$}",
                check.computed.to_decimal().round_dp(decimals as u32)
            )
        })
    };
    let (own, others) = (cause.explains.first(), cause.explains.get(1));
    let years = years_in_words(years);
    let message = if swapped {
        format!(
            "{}, {} and {}, {years}: the two rates are swapped: {}'s line prints {}, {}'s rate, and {}'s line prints {}, {}'s",
            def.display_name(),
            name(line),
            name(owner),
            name(line),
            shown(own),
            name(owner),
            name(owner),
            shown(others),
            name(line)
        )
    } else {
        format!(
            "{}, {}, {years}: its line prints {}, which is {}'s rate; its own is {}",
            def.display_name(),
            name(line),
            shown(own),
            name(owner),
            computed(own)
        )
    };
    let mut diagnostic = Diagnostic::error(crate::diagnostic::Code::ReconcileMismatch, message)
        .at(cause.span, format!("{}'s rate", name(owner)));
    if let Some(other) = others.and_then(stated) {
        let words = if swapped {
            format!("{}'s rate", name(line))
        } else {
            format!(
                "{}'s line prints this; the rule gives {}",
                name(owner),
                computed(others)
            )
        };
        diagnostic = diagnostic.with_label(other.span, words);
    }
    diagnostic.with_help(format!(
        "{} figure{} of these lines differ because of it; write each Party's rate in its own line, or acknowledge them as published (`erratum`)",
        cause.explains.len(),
        if cause.explains.len() == 1 { "" } else { "s" }
    ))
}

fn base_error<'a>(
    def: &ScaleDef,
    cause: &ScaleCause,
    (party, printed, fits): (usize, Written, Decimal),
    name: &dyn Fn(usize) -> &'a str,
) -> Diagnostic {
    let others = cause.explains.len().saturating_sub(1);
    let decimals = printed.decimals as usize;
    let fits = format!("{fits:.decimals$}");
    Diagnostic::error(
        crate::diagnostic::Code::ReconcileMismatch,
        format!(
            "{}, {}, base rate: printed {}, but the adjusted rates fit {fits}",
            def.display_name(),
            name(party),
            crate::format::written(printed),
        ),
    )
    .at(cause.span, format!("{fits} here would reconcile them"))
    .with_help(format!(
        "with {fits} the sum of base rates, and so the rescaling factor, gives every printed rate; {} figure{} differ because of it: {}'s own and {others} moved through the sum. Correct it if the adjusted rates are right",
        cause.explains.len(),
        if cause.explains.len() == 1 { "" } else { "s" },
        name(party)
    ))
    .with_correction(format!("correct it to {fits}"), cause.span, fits)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_mistyped_base_rate_comes_with_the_edit_that_reconciles_the_scale() {
        let source = include_str!("../../tests/fixtures/errors/scale_base_rate_mistyped.bud");
        let correction = crate::only_correction(source);
        assert_eq!(correction.title, "correct it to 9.680");
        let (start, end) = (correction.span.start(), correction.span.end());
        assert_eq!(&source[start..end], "6.980");
        let corrected = format!(
            "{}{}{}",
            &source[..start],
            correction.replacement,
            &source[end..]
        );
        let checked = crate::checked_text(&corrected);
        assert!(
            checked.diagnostics.iter().all(|d| !d.is_error()),
            "{:#?}",
            checked.diagnostics
        );
    }
}
