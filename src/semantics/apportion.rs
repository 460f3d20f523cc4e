//! The apportionment rule of a scale of assessments, on its own: given each Party's
//! base rate (the UN scale), the shares a decision fixes (the European Union at 2.5%),
//! the most a Party may pay (a 22% ceiling, or its group's cap, 0.01% for a least
//! developed country) and the least (a floor), find the one rescaling factor `k` such
//! that every other Party pays `k × base`, held between its limits, and all rates add up
//! to 100%.
//!
//! Secretariats describe this as "rescale the rest to 100%, cap whoever now exceeds a
//! limit, and repeat until no capped rate moves". That loop can see-saw when a decision
//! has both caps and a floor, so bud finds the same fixed point directly: the total
//! `Σ clamp(k × base, least, most)` only grows with `k`, and changes slope only where a
//! Party starts or stops being held at a limit, so sweeping those points in order finds
//! the segment where the total reaches 100% and solves for `k` there, exactly, in
//! O(n log n). A rule that cannot reach 100% at any `k` is reported before the sweep.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::number::{ArithmeticError, Exact};

/// What the rule knows about one Party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// The Party's rate on the base scale, in per cent.
    pub base: Decimal,
    /// A share the decision fixes; the rule neither scales nor limits it.
    pub fixed: Option<Decimal>,
    /// The most the Party may pay, in per cent: the lowest of the ceiling and its
    /// groups' caps.
    pub most: Option<Decimal>,
    /// The least the Party must pay, in per cent (a floor).
    pub least: Option<Decimal>,
}

impl Terms {
    pub fn scaled(base: Decimal) -> Self {
        Terms {
            base,
            fixed: None,
            most: None,
            least: None,
        }
    }

    fn least_or_zero(&self) -> Decimal {
        self.least.unwrap_or(Decimal::ZERO)
    }
}

/// How a Party's rate came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Fixed by the decision.
    Fixed,
    /// Base rate × the rescaling factor, no limit applied.
    Scaled,
    /// Held at the most it may pay (a ceiling or a group cap).
    AtMost,
    /// Held at the least it must pay (a floor).
    AtLeast,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apportioned {
    /// Per Party, in the order given, in per cent; they add up to the total exactly.
    pub rates: Vec<Exact>,
    pub bindings: Vec<Binding>,
    /// The rescaling factor `k`.
    pub factor: Exact,
}

/// Why no rates can satisfy the rule. Amounts are in per cent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Impossible {
    /// The fixed shares alone exceed the total.
    FixedExceedTotal { fixed: Decimal },
    /// Even with every limited Party at its limit, the rates cannot reach the total.
    LimitsTooLow { most: Decimal, needed: Decimal },
    /// The floors alone exceed what is left to share.
    FloorsTooHigh { least: Decimal, available: Decimal },
    /// A Party's floor is above the most it may pay.
    FloorAboveLimit { party: usize },
    /// A base rate, fixed share or limit below zero.
    Negative { party: usize },
    /// Something is left to share, but no Party can take it: every Party is fixed or
    /// has a base rate of zero.
    NothingToScale { available: Decimal },
    /// The figures are too large or too finely divided for exact arithmetic.
    Arithmetic(ArithmeticError),
}

impl From<ArithmeticError> for Impossible {
    fn from(error: ArithmeticError) -> Self {
        Impossible::Arithmetic(error)
    }
}

/// Apportions `total` (100, in per cent) among `parties`.
pub fn apportion(parties: &[Terms], total: Decimal) -> Result<Apportioned, Impossible> {
    validate(parties)?;
    let fixed = sum(parties.iter().filter_map(|p| p.fixed))?;
    if fixed > total {
        return Err(Impossible::FixedExceedTotal { fixed });
    }
    let available = total - fixed;
    let scaled: Vec<&Terms> = parties.iter().filter(|p| p.fixed.is_none()).collect();
    feasible(&scaled, available)?;
    let factor = rescaling_factor(&scaled, available)?;
    let mut rates = Vec::with_capacity(parties.len());
    let mut bindings = Vec::with_capacity(parties.len());
    let mut sum_of_rates = Exact::ZERO;
    for terms in parties {
        let (rate, binding) = rate_of(terms, factor)?;
        sum_of_rates = sum_of_rates.checked_add(rate)?;
        rates.push(rate);
        bindings.push(binding);
    }
    // Exact arithmetic makes this hold by construction; rates so extreme that a
    // decimal had to round would break it, and must not pass for an apportionment.
    if sum_of_rates != Exact::new(total) {
        return Err(Impossible::Arithmetic(ArithmeticError::Overflow));
    }
    Ok(Apportioned {
        rates,
        bindings,
        factor,
    })
}

fn validate(parties: &[Terms]) -> Result<(), Impossible> {
    for (party, terms) in parties.iter().enumerate() {
        let figures = [Some(terms.base), terms.fixed, terms.most, terms.least];
        // `-0.000` as written is zero, not negative.
        if figures
            .iter()
            .flatten()
            .any(|figure| *figure < Decimal::ZERO)
        {
            return Err(Impossible::Negative { party });
        }
        if terms.fixed.is_none() && terms.most.is_some_and(|most| terms.least_or_zero() > most) {
            return Err(Impossible::FloorAboveLimit { party });
        }
    }
    Ok(())
}

fn sum(figures: impl IntoIterator<Item = Decimal>) -> Result<Decimal, Impossible> {
    figures
        .into_iter()
        .try_fold(Decimal::ZERO, |total, figure| total.checked_add(figure))
        .ok_or(Impossible::Arithmetic(ArithmeticError::Overflow))
}

/// The rule can reach `available` only between the floors' sum and the limits' sum.
fn feasible(scaled: &[&Terms], available: Decimal) -> Result<(), Impossible> {
    let least = sum(scaled.iter().map(|p| p.least_or_zero()))?;
    if least > available {
        return Err(Impossible::FloorsTooHigh { least, available });
    }
    // A Party with a base rate and no limit can absorb any remainder.
    let unlimited = scaled.iter().any(|p| p.most.is_none() && !p.base.is_zero());
    if !unlimited {
        let most = sum(scaled.iter().map(|p| most_it_can_pay(p)))?;
        let can_scale = scaled.iter().any(|p| !p.base.is_zero());
        if most < available && !can_scale {
            return Err(Impossible::NothingToScale { available });
        }
        if most < available {
            return Err(Impossible::LimitsTooLow {
                most,
                needed: available,
            });
        }
    }
    Ok(())
}

/// A Party with a zero base rate pays its floor whatever the factor.
fn most_it_can_pay(terms: &Terms) -> Decimal {
    if terms.base.is_zero() {
        terms.least_or_zero()
    } else {
        terms.most.unwrap_or(Decimal::MAX)
    }
}

/// A point where a Party's rate starts or stops being held at a limit.
struct Change {
    at: Exact,
    base: Decimal,
    kind: ChangeKind,
    limit: Decimal,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ChangeKind {
    /// `k × base` rises above the floor: the Party starts scaling.
    LeavesFloor,
    /// `k × base` reaches the most it may pay: the Party stops scaling.
    ReachesLimit,
}

/// The running total `held + k × scaling` on the current segment of `k`.
#[derive(Default)]
struct Segment {
    /// The rates of Parties held at a floor or a limit.
    held: Decimal,
    /// The base rates of the Parties that scale.
    scaling: Decimal,
}

impl Segment {
    fn total_at(&self, factor: Exact) -> Result<Exact, ArithmeticError> {
        factor
            .checked_mul(Exact::new(self.scaling))?
            .checked_add(Exact::new(self.held))
    }

    fn apply(&mut self, change: &Change) -> Result<(), ArithmeticError> {
        let overflow = ArithmeticError::Overflow;
        match change.kind {
            ChangeKind::LeavesFloor => {
                self.held = self.held.checked_sub(change.limit).ok_or(overflow)?;
                self.scaling = self.scaling.checked_add(change.base).ok_or(overflow)?;
            }
            ChangeKind::ReachesLimit => {
                self.scaling = self.scaling.checked_sub(change.base).ok_or(overflow)?;
                self.held = self.held.checked_add(change.limit).ok_or(overflow)?;
            }
        }
        Ok(())
    }

    /// The factor at which this segment's total is `available`.
    fn solve(&self, available: Decimal) -> Result<Exact, ArithmeticError> {
        Exact::new(available)
            .checked_sub(Exact::new(self.held))?
            .checked_div(Exact::new(self.scaling))
    }
}

fn rescaling_factor(scaled: &[&Terms], available: Decimal) -> Result<Exact, Impossible> {
    let (mut segment, mut changes) = starting_segment(scaled)?;
    // Changes at one point are applied together, so their order among themselves is free.
    changes.sort_unstable_by_key(|change| change.at);
    let mut changes = changes.into_iter().peekable();
    let mut last_point = Exact::ZERO;
    while let Some(point) = changes.peek().map(|change| change.at) {
        if segment.total_at(point)? >= Exact::new(available) {
            break;
        }
        while let Some(change) = changes.next_if(|change| change.at.cmp(&point) == Ordering::Equal)
        {
            segment.apply(&change)?;
        }
        last_point = point;
    }
    if segment.scaling.is_zero() {
        // Every Party is held at its floor on this segment and the floors add up to the
        // total exactly (feasibility ruled out anything else): any factor here will do.
        return Ok(last_point);
    }
    Ok(segment.solve(available)?)
}

/// The segment just above `k = 0`: every Party with a floor is held at it, the others
/// scale; and every point where that changes.
fn starting_segment(scaled: &[&Terms]) -> Result<(Segment, Vec<Change>), Impossible> {
    let mut segment = Segment::default();
    let mut changes = Vec::new();
    let overflow = Impossible::Arithmetic(ArithmeticError::Overflow);
    for terms in scaled {
        let least = terms.least_or_zero();
        if terms.base.is_zero() {
            segment.held = segment.held.checked_add(least).ok_or(overflow.clone())?;
            continue;
        }
        let base = Exact::new(terms.base);
        if least.is_zero() {
            segment.scaling = segment
                .scaling
                .checked_add(terms.base)
                .ok_or(overflow.clone())?;
        } else {
            segment.held = segment.held.checked_add(least).ok_or(overflow.clone())?;
            changes.push(Change {
                at: Exact::new(least).checked_div(base)?,
                base: terms.base,
                kind: ChangeKind::LeavesFloor,
                limit: least,
            });
        }
        if let Some(most) = terms.most {
            changes.push(Change {
                at: Exact::new(most).checked_div(base)?,
                base: terms.base,
                kind: ChangeKind::ReachesLimit,
                limit: most,
            });
        }
    }
    Ok((segment, changes))
}

fn rate_of(terms: &Terms, factor: Exact) -> Result<(Exact, Binding), Impossible> {
    if let Some(fixed) = terms.fixed {
        return Ok((Exact::new(fixed), Binding::Fixed));
    }
    let scaled = factor.checked_mul(Exact::new(terms.base))?;
    if let Some(most) = terms.most {
        if scaled > Exact::new(most) {
            return Ok((Exact::new(most), Binding::AtMost));
        }
    }
    if let Some(least) = terms.least {
        if scaled < Exact::new(least) {
            return Ok((Exact::new(least), Binding::AtLeast));
        }
    }
    Ok((scaled, Binding::Scaled))
}

#[cfg(test)]
mod tests;
