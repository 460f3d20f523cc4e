//! Exact numbers. Every figure and rate is a `rust_decimal::Decimal`; a division is
//! kept as a fraction of two decimals (so 2/37 is not cut to 28 digits, and
//! `x / 37 * 37 == x`) until the value is rounded or shown. Rounding is exact too,
//! including the ties that half-up and half-even treat differently.
//!
//! Sums and products are computed on the decimals' integer mantissas, so a result is
//! either exact or known not to be: only a value that needs more than 28 decimal places
//! or 96 bits falls back to the nearest 28-digit decimal, and one that would vanish
//! entirely (a product rounded to zero) is an error rather than a silent zero.
//!
//! Arithmetic returns plain errors; the evaluator attaches the span of the formula.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::syntax::ast::RoundingMode;

/// The largest whole exponent `^` computes, either way: growth over ten thousand years,
/// far beyond any budget, and a bound on the work one `^` can ask for.
pub const MAX_EXPONENT: u32 = 10_000;

/// What can go wrong in exact arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithmeticError {
    Overflow,
    DivisionByZero,
    /// `^` with an exponent that is not a whole number.
    Exponent,
    /// `^` with a whole exponent beyond `MAX_EXPONENT` either way.
    ExponentTooLarge,
    /// A non-zero result too small for 28 decimal places, which would read as zero.
    Underflow,
}

/// `a × b` if a decimal can hold the product exactly.
fn exact_product(a: Decimal, b: Decimal) -> Option<Decimal> {
    let mantissa = a.mantissa().checked_mul(b.mantissa())?;
    fitted(mantissa, a.scale() + b.scale())
}

/// `a + b` if a decimal can hold the sum exactly.
fn exact_sum(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    let widen = |d: Decimal| {
        d.mantissa()
            .checked_mul(10i128.checked_pow(scale - d.scale())?)
    };
    fitted(widen(a)?.checked_add(widen(b)?)?, scale)
}

/// Whether a denominator is exactly 1 as `Exact::new` writes it, by its parts: cheaper
/// than comparing decimals, which aligns their scales first.
fn is_one(denominator: Decimal) -> bool {
    denominator.scale() == 0 && denominator.mantissa() == 1
}

/// The decimal `mantissa × 10^-scale`, dropping trailing zeros to fit, if it fits exactly.
fn fitted(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    const LIMIT: u128 = 1 << 96;
    // The cheap test first: nearly every sum fits, and a 128-bit remainder is slow.
    while (scale > 28 || mantissa.unsigned_abs() >= LIMIT) && scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if scale > 28 || mantissa.unsigned_abs() >= LIMIT {
        return None;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// An exact quotient `numerator / denominator` with a positive denominator;
/// the denominator is 1 for every number that a decimal can hold.
#[derive(Debug, Clone, Copy)]
pub struct Exact {
    numerator: Decimal,
    denominator: Decimal,
}

type Outcome = Result<Exact, ArithmeticError>;

impl Exact {
    pub const ZERO: Exact = Exact {
        numerator: Decimal::ZERO,
        denominator: Decimal::ONE,
    };

    pub fn new(value: Decimal) -> Self {
        Exact {
            numerator: value,
            denominator: Decimal::ONE,
        }
    }

    /// A quotient, reduced to a decimal when the decimal is exact.
    fn fraction(numerator: Decimal, denominator: Decimal) -> Outcome {
        if denominator.is_zero() {
            return Err(ArithmeticError::DivisionByZero);
        }
        let (numerator, denominator) = if denominator.is_sign_negative() {
            (-numerator, -denominator)
        } else {
            (numerator, denominator)
        };
        if denominator == Decimal::ONE {
            return Ok(Exact::new(numerator));
        }
        // A quotient no decimal can come near is beyond what bud computes: kept as a
        // fraction, it would read as its numerator wherever a decimal is needed.
        let Some(quotient) = numerator.checked_div(denominator) else {
            return Err(ArithmeticError::Overflow);
        };
        if exact_product(quotient, denominator) == Some(numerator) {
            return Ok(Exact::new(quotient));
        }
        Ok(Exact {
            numerator,
            denominator,
        })
    }

    /// The value as numerator and denominator, exactly: what tests compare with an
    /// oracle of their own.
    pub fn parts(self) -> (Decimal, Decimal) {
        (self.numerator, self.denominator)
    }

    pub fn is_fraction(self) -> bool {
        self.denominator != Decimal::ONE
    }

    /// The nearest decimal (exact unless the value is a fraction such as 2/37). Every
    /// fraction `fraction` makes has a quotient a decimal holds; the fallback is never
    /// reached, and saturates rather than read as the numerator.
    pub fn to_decimal(self) -> Decimal {
        if self.is_fraction() {
            self.numerator.checked_div(self.denominator).unwrap_or(
                if self.numerator.is_sign_negative() {
                    Decimal::MIN
                } else {
                    Decimal::MAX
                },
            )
        } else {
            self.numerator
        }
    }

    pub fn is_zero(self) -> bool {
        self.numerator.is_zero()
    }

    pub fn abs(self) -> Exact {
        Exact {
            numerator: self.numerator.abs(),
            denominator: self.denominator,
        }
    }

    pub fn checked_add(self, other: Exact) -> Outcome {
        // Two decimals (the common case): their sum, with no fraction to reduce.
        if is_one(self.denominator) && is_one(other.denominator) {
            if let Some(sum) = exact_sum(self.numerator, other.numerator) {
                return Ok(Exact::new(sum));
            }
        }
        if self.denominator == other.denominator {
            if let Some(sum) = exact_sum(self.numerator, other.numerator) {
                return Exact::fraction(sum, self.denominator);
            }
        } else {
            let cross = exact_product(self.numerator, other.denominator)
                .zip(exact_product(other.numerator, self.denominator))
                .and_then(|(a, b)| exact_sum(a, b))
                .zip(exact_product(self.denominator, other.denominator));
            if let Some((numerator, denominator)) = cross {
                return Exact::fraction(numerator, denominator);
            }
        }
        approximate(self.to_decimal().checked_add(other.to_decimal()), false)
    }

    pub fn checked_sub(self, other: Exact) -> Outcome {
        self.checked_add(-other)
    }

    pub fn checked_mul(self, other: Exact) -> Outcome {
        let product = exact_product(self.numerator, other.numerator)
            .zip(exact_product(self.denominator, other.denominator));
        match product {
            Some((numerator, denominator)) => Exact::fraction(numerator, denominator),
            None => approximate(
                self.to_decimal().checked_mul(other.to_decimal()),
                !self.is_zero() && !other.is_zero(),
            ),
        }
    }

    pub fn checked_div(self, other: Exact) -> Outcome {
        if other.is_zero() {
            return Err(ArithmeticError::DivisionByZero);
        }
        let inverse = Exact {
            numerator: other.denominator,
            denominator: other.numerator,
        };
        let inverse = if inverse.denominator.is_sign_negative() {
            Exact {
                numerator: -inverse.numerator,
                denominator: -inverse.denominator,
            }
        } else {
            inverse
        };
        let product = exact_product(self.numerator, inverse.numerator)
            .zip(exact_product(self.denominator, inverse.denominator));
        match product {
            Some((numerator, denominator)) => Exact::fraction(numerator, denominator),
            // Past 28 digits, the quotient of the two decimals: a product with the
            // reciprocal would keep only the digits the reciprocal has (10 of them for
            // a divisor near 10^18).
            None => approximate(
                self.to_decimal().checked_div(other.to_decimal()),
                !self.is_zero(),
            ),
        }
    }

    /// `self ^ exponent` for a whole exponent, exactly.
    pub fn pow(self, exponent: Exact) -> Outcome {
        let exponent = exponent.to_decimal();
        if exponent.fract() != Decimal::ZERO {
            return Err(ArithmeticError::Exponent);
        }
        if exponent.abs() > Decimal::from(MAX_EXPONENT) {
            return Err(ArithmeticError::ExponentTooLarge);
        }
        let times = exponent.abs().mantissa() / 10i128.pow(exponent.scale());
        let mut result = Exact::new(Decimal::ONE);
        let mut base = self;
        let mut remaining = times;
        // Square-and-multiply keeps the number of exact multiplications logarithmic.
        while remaining > 0 {
            if remaining % 2 == 1 {
                result = result.checked_mul(base)?;
            }
            remaining /= 2;
            if remaining > 0 {
                base = base.checked_mul(base)?;
            }
        }
        if exponent.is_sign_negative() {
            Exact::new(Decimal::ONE).checked_div(result)
        } else {
            Ok(result)
        }
    }

    /// Rounds to a multiple of `step` (such as 0.1 or 100), exactly.
    pub fn round_to(self, step: Decimal, mode: RoundingMode) -> Result<Decimal, ArithmeticError> {
        if step <= Decimal::ZERO {
            return Ok(self.to_decimal());
        }
        let Some(modulus) = exact_product(self.denominator, step) else {
            return round_decimal(self.to_decimal(), step, mode);
        };
        let Some(remainder) = self.numerator.checked_rem(modulus) else {
            return round_decimal(self.to_decimal(), step, mode);
        };
        let whole = self
            .numerator
            .checked_sub(remainder)
            .and_then(|multiple| multiple.checked_div(modulus))
            .ok_or(ArithmeticError::Overflow)?;
        let twice = remainder.abs().checked_mul(Decimal::TWO);
        let away = match twice.map(|twice| twice.cmp(&modulus)) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Less) => false,
            Some(Ordering::Equal) => match mode {
                RoundingMode::HalfUp => true,
                RoundingMode::HalfEven => whole % Decimal::TWO != Decimal::ZERO,
            },
            None => true,
        };
        let steps = if away && !remainder.is_zero() {
            let one = if remainder.is_sign_negative() {
                -Decimal::ONE
            } else {
                Decimal::ONE
            };
            whole.checked_add(one).ok_or(ArithmeticError::Overflow)?
        } else {
            whole
        };
        steps.checked_mul(step).ok_or(ArithmeticError::Overflow)
    }
}

/// The fallback when an exact result outgrows a decimal: the nearest 28-digit decimal,
/// unless it rounds a non-zero result to zero.
fn approximate(value: Option<Decimal>, must_be_nonzero: bool) -> Outcome {
    match value {
        None => Err(ArithmeticError::Overflow),
        Some(value) if must_be_nonzero && value.is_zero() => Err(ArithmeticError::Underflow),
        Some(value) => Ok(Exact::new(value)),
    }
}

fn round_decimal(
    value: Decimal,
    step: Decimal,
    mode: RoundingMode,
) -> Result<Decimal, ArithmeticError> {
    let strategy = match mode {
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let steps = value
        .checked_div(step)
        .ok_or(ArithmeticError::Overflow)?
        .round_dp_with_strategy(0, strategy);
    steps.checked_mul(step).ok_or(ArithmeticError::Overflow)
}

impl PartialEq for Exact {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> Ordering {
        if let Some(order) = cross_compare(self, other) {
            return order;
        }
        let cross = exact_product(self.numerator, other.denominator)
            .zip(exact_product(other.numerator, self.denominator));
        match cross {
            Some((left, right)) => left.cmp(&right),
            None => self.to_decimal().cmp(&other.to_decimal()),
        }
    }
}

/// `a/b` against `c/d` as `a·d` against `c·b` in 128-bit integers (denominators are
/// positive), when the products and their alignment fit: no decimal is built, which
/// made sorting 200,000 limits for an apportionment several times faster.
fn cross_compare(left: &Exact, right: &Exact) -> Option<Ordering> {
    let product = |a: Decimal, b: Decimal| {
        Some((
            a.mantissa().checked_mul(b.mantissa())?,
            a.scale() + b.scale(),
        ))
    };
    let (ad, ad_scale) = product(left.numerator, right.denominator)?;
    let (cb, cb_scale) = product(right.numerator, left.denominator)?;
    let widened = |value: i128, by: u32| value.checked_mul(10i128.checked_pow(by)?);
    let (ad, cb) = match ad_scale.cmp(&cb_scale) {
        Ordering::Equal => (ad, cb),
        Ordering::Less => (widened(ad, cb_scale - ad_scale)?, cb),
        Ordering::Greater => (ad, widened(cb, ad_scale - cb_scale)?),
    };
    Some(ad.cmp(&cb))
}

impl std::ops::Neg for Exact {
    type Output = Exact;

    fn neg(self) -> Exact {
        Exact {
            numerator: -self.numerator,
            denominator: self.denominator,
        }
    }
}

impl From<Decimal> for Exact {
    fn from(value: Decimal) -> Self {
        Exact::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn exact(value: Decimal) -> Exact {
        Exact::new(value)
    }

    #[test]
    fn division_stays_exact_until_rounded() {
        let share = exact(dec!(2)).checked_div(exact(dec!(37))).unwrap();
        assert!(share.is_fraction());
        let amount = exact(dec!(1_261_925_848)).checked_mul(share).unwrap();
        // 1,261,925,848 × 2/37 is exactly 68,212,208.
        assert_eq!(
            amount.round_to(dec!(1), RoundingMode::HalfUp).unwrap(),
            dec!(68_212_208)
        );
        assert_eq!(share.checked_mul(exact(dec!(37))).unwrap(), exact(dec!(2)));
    }

    #[test]
    fn terminating_quotients_become_decimals() {
        let quotient = exact(dec!(15)).checked_div(exact(dec!(100))).unwrap();
        assert!(!quotient.is_fraction());
        assert_eq!(quotient.to_decimal(), dec!(0.15));
    }

    #[test]
    fn growth_by_a_power_is_exact() {
        let growth = exact(dec!(1.02)).pow(exact(dec!(2))).unwrap();
        assert_eq!(growth.to_decimal(), dec!(1.0404));
        let host = exact(dec!(1126162))
            .checked_mul(growth)
            .unwrap()
            .checked_mul(exact(dec!(0.165)))
            .unwrap();
        assert_eq!(host.to_decimal(), dec!(193323.7258920));
    }

    #[test]
    fn ties_follow_the_named_mode() {
        let half = exact(dec!(2.25));
        assert_eq!(
            half.round_to(dec!(0.1), RoundingMode::HalfUp).unwrap(),
            dec!(2.3)
        );
        assert_eq!(
            half.round_to(dec!(0.1), RoundingMode::HalfEven).unwrap(),
            dec!(2.2)
        );
        let negative = exact(dec!(-2.25));
        assert_eq!(
            negative.round_to(dec!(0.1), RoundingMode::HalfUp).unwrap(),
            dec!(-2.3)
        );
        // A tie that only exists exactly: 5/2 of a hundred.
        let fraction = exact(dec!(250)).checked_div(exact(dec!(1))).unwrap();
        assert_eq!(
            fraction.round_to(dec!(100), RoundingMode::HalfUp).unwrap(),
            dec!(300)
        );
        let third = exact(dec!(1)).checked_div(exact(dec!(3))).unwrap();
        assert_eq!(
            third.round_to(dec!(0.01), RoundingMode::HalfUp).unwrap(),
            dec!(0.33)
        );
    }

    #[test]
    fn a_quotient_is_a_decimal_only_when_exactly_one() {
        // 1/0.7 has no finite decimal: rounding it to 28 places must not pass for exact.
        let inverse = exact(dec!(1)).checked_div(exact(dec!(0.7))).unwrap();
        assert!(inverse.is_fraction());
        let amount = exact(dec!(1750000.35)).checked_mul(inverse).unwrap();
        assert_eq!(
            amount.round_to(dec!(1), RoundingMode::HalfEven).unwrap(),
            dec!(2500000)
        );
        assert_eq!(amount, exact(dec!(2500000.5)));
    }

    #[test]
    fn a_product_too_small_to_hold_is_an_error_not_zero() {
        let tiny = exact(dec!(0.5)).pow(exact(dec!(200)));
        assert_eq!(tiny, Err(ArithmeticError::Underflow));
    }

    #[test]
    fn exact_products_and_sums_drop_only_trailing_zeros() {
        assert_eq!(exact_product(dec!(0.5000), dec!(2.0000)), Some(dec!(1)));
        assert_eq!(
            exact_product(dec!(0.0000000000000001), dec!(0.0000000000000001)),
            None
        );
        assert_eq!(exact_sum(dec!(1e20), dec!(1e-10)), None);
        assert_eq!(exact_sum(dec!(1.25), dec!(-0.25)), Some(dec!(1)));
    }

    #[test]
    fn overflow_and_division_by_zero_are_errors() {
        assert_eq!(
            exact(Decimal::MAX).checked_add(exact(Decimal::MAX)),
            Err(ArithmeticError::Overflow)
        );
        assert_eq!(
            exact(dec!(1)).checked_div(Exact::ZERO),
            Err(ArithmeticError::DivisionByZero)
        );
        assert_eq!(
            exact(dec!(2)).pow(exact(dec!(0.5))),
            Err(ArithmeticError::Exponent)
        );
        assert_eq!(
            exact(dec!(10)).pow(exact(dec!(99999999))),
            Err(ArithmeticError::ExponentTooLarge)
        );
    }

    fn small_decimal() -> impl Strategy<Value = Decimal> {
        (-1_000_000_000i64..1_000_000_000, 0u32..6)
            .prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
    }

    proptest! {
        #[test]
        fn dividing_then_multiplying_gives_back_the_number(a in small_decimal(), b in small_decimal()) {
            prop_assume!(!b.is_zero());
            let back = exact(a).checked_div(exact(b)).unwrap().checked_mul(exact(b)).unwrap();
            prop_assert_eq!(back, exact(a));
        }

        #[test]
        fn rounding_lands_within_half_a_step(a in small_decimal(), b in 1i64..1000) {
            let value = exact(a).checked_div(exact(Decimal::from(b))).unwrap();
            let rounded = value.round_to(dec!(0.1), RoundingMode::HalfUp).unwrap();
            let gap = exact(rounded).checked_sub(value).unwrap().abs();
            prop_assert!(gap <= exact(dec!(0.05)));
        }

        #[test]
        fn addition_is_exact_and_commutative(a in small_decimal(), b in small_decimal()) {
            let left = exact(a).checked_add(exact(b)).unwrap();
            prop_assert_eq!(left, exact(b).checked_add(exact(a)).unwrap());
            prop_assert_eq!(left.to_decimal(), a + b);
        }
    }
}
