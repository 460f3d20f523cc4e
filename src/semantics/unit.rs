//! Units, checked before anything is computed. Every value has one: an amount of a
//! currency written at a scale (US$, thousands of US$), a count of posts, a rate
//! (written with `%`), a plain number, a ratio such as 85:15, or a year. bud computes
//! every amount in the currency's units, exactly, so the scale only says how an amount
//! is written; but amounts at different scales are never added without a conversion
//! (`x in thousands of US$`) or a table's declared unit saying which scale the result is
//! in, so that no figure's scale is guessed.

use std::fmt;

use rust_decimal::Decimal;

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::syntax::ast::{BinaryOp, Scale};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unit {
    /// An amount in a currency (its ISO code), written at a scale.
    Money {
        currency: String,
        scale: Scale,
    },
    Posts,
    /// A rate or share written with `%` (shown as a percentage).
    Percent,
    /// A plain number: a growth factor, a count of years.
    Number,
    /// Parts such as 85:15, taken apart with `share(ratio, part)`.
    Ratio,
    /// A calendar year: `year`, the column being computed. Subtracting from it counts
    /// years (`year - 2012`); it takes part in no other arithmetic.
    Year,
}

impl Unit {
    pub fn money(currency: &str, scale: Scale) -> Unit {
        Unit::Money {
            currency: currency.to_owned(),
            scale,
        }
    }

    fn is_dimensionless(&self) -> bool {
        matches!(self, Unit::Percent | Unit::Number)
    }

    /// "an amount in US$", "an amount in thousands of US$", "a rate", ... for messages.
    pub fn describe(&self) -> String {
        match self {
            Unit::Money { .. } => format!("an amount in {self}"),
            Unit::Posts => "a number of posts".to_owned(),
            Unit::Percent => "a rate".to_owned(),
            Unit::Number => "a plain number".to_owned(),
            Unit::Ratio => "a ratio".to_owned(),
            Unit::Year => "a year".to_owned(),
        }
    }

    /// The unit of `lhs op rhs`, or why the two do not combine.
    pub fn combine(op: BinaryOp, lhs: &Unit, rhs: &Unit) -> Result<Unit, String> {
        if *lhs == Unit::Ratio || *rhs == Unit::Ratio {
            return Err("a ratio such as 85:15 cannot be used in arithmetic; take one part with share(ratio, part)".to_owned());
        }
        match op {
            BinaryOp::Add | BinaryOp::Subtract => add(op, lhs, rhs),
            BinaryOp::Multiply | BinaryOp::Of => multiply(lhs, rhs),
            BinaryOp::Divide => divide(lhs, rhs),
            BinaryOp::Power => {
                if lhs.is_dimensionless() && rhs.is_dimensionless() {
                    Ok(Unit::Number)
                } else {
                    let culprit = if lhs.is_dimensionless() { rhs } else { lhs };
                    Err(format!(
                        "only plain numbers and rates can be raised to a power, not {}",
                        culprit.describe()
                    ))
                }
            }
        }
    }

    /// Whether a value of this unit can fill a place declared as `expected`: a table's
    /// row or a stated figure. An amount fits any scale of its currency, because the
    /// place's declared unit says how it is written.
    pub fn fits(&self, expected: &Unit) -> bool {
        match (self, expected) {
            (Unit::Money { currency: a, .. }, Unit::Money { currency: b, .. }) => a == b,
            _ => self == expected || (self.is_dimensionless() && expected.is_dimensionless()),
        }
    }

    /// Whether two rules of one value agree: as `fits`, but an amount keeps its scale.
    pub fn agrees(&self, other: &Unit) -> bool {
        self == other || (self.is_dimensionless() && other.is_dimensionless())
    }

    /// The unit of `self in target`, or why the conversion is not one bud can make.
    pub fn convert(&self, target: &Unit) -> Result<Unit, String> {
        match (self, target) {
            (Unit::Money { currency: a, .. }, Unit::Money { currency: b, .. }) if a != b => {
                Err(format!(
                    "cannot convert {} to {}: that needs an exchange rate, and bud does not assume one",
                    self.describe(),
                    target.describe()
                ))
            }
            (from, to) if from.fits(to) => Ok(target.clone()),
            _ => Err(format!(
                "cannot convert {} to {}",
                self.describe(),
                target.describe()
            )),
        }
    }
}

fn add(op: BinaryOp, lhs: &Unit, rhs: &Unit) -> Result<Unit, String> {
    use Unit::*;
    let verb = if op == BinaryOp::Add {
        "add"
    } else {
        "subtract"
    };
    let refuse = || {
        Err(format!(
            "cannot {verb} {} and {}",
            lhs.describe(),
            rhs.describe()
        ))
    };
    match (lhs, rhs) {
        (
            Money {
                currency: a,
                scale: s,
            },
            Money {
                currency: b,
                scale: t,
            },
        ) if a == b && s != t => Err(format!(
            "cannot {verb} {} and {} without saying which the result is in",
            lhs.describe(),
            rhs.describe()
        )),
        (Money { .. }, Money { .. }) if lhs == rhs => Ok(lhs.clone()),
        (Posts, Posts) => Ok(Posts),
        // A year minus a year, or minus a number such as 2012, counts the years between.
        (Year, Year | Number) if op == BinaryOp::Subtract => Ok(Number),
        (Year, Number) | (Number, Year) if op == BinaryOp::Add => Ok(Year),
        (Percent, Percent) => Ok(Percent),
        (a, b) if a.is_dimensionless() && b.is_dimensionless() => Ok(Number),
        _ => refuse(),
    }
}

fn multiply(lhs: &Unit, rhs: &Unit) -> Result<Unit, String> {
    match (lhs, rhs) {
        (Unit::Percent, Unit::Percent) => Ok(Unit::Percent),
        (a, b) if a.is_dimensionless() && b.is_dimensionless() => Ok(Unit::Number),
        (a, other) | (other, a) if a.is_dimensionless() && *other != Unit::Year => {
            Ok(other.clone())
        }
        _ => Err(format!(
            "cannot multiply {} by {}",
            lhs.describe(),
            rhs.describe()
        )),
    }
}

fn divide(lhs: &Unit, rhs: &Unit) -> Result<Unit, String> {
    match (lhs, rhs) {
        (a, b) if a.is_dimensionless() && b.is_dimensionless() => Ok(Unit::Number),
        // Amounts are held in the currency's units, so their quotient is exact at any scale.
        (Unit::Money { currency: a, .. }, Unit::Money { currency: b, .. }) if a == b => {
            Ok(Unit::Number)
        }
        (Unit::Posts, Unit::Posts) => Ok(Unit::Number),
        (a, b) if b.is_dimensionless() && *a != Unit::Year => Ok(a.clone()),
        _ => Err(format!(
            "cannot divide {} by {}",
            lhs.describe(),
            rhs.describe()
        )),
    }
}

/// The word after an amount written at a scale, as in `US$ 5,885.2 thousand`.
/// A percentage written in a rule, if it is out of the range a rate of a decision can
/// have: above 100 per cent, more than the whole. (Below zero cannot be written: `-`
/// is an operator, and a decrease is written `x * (1 - 5%)`.)
pub fn percent_out_of_range(percent: Decimal, span: Span) -> Option<Diagnostic> {
    (percent > Decimal::ONE_HUNDRED).then(|| {
        Diagnostic::error(
            Code::EvalRange,
            format!("{} per cent is more than the whole", crate::format::exact(percent)),
        )
        .at(span, "above 100 per cent")
        .with_help("a rate, share, ceiling or cap of a decision is at most 100%; check for a misplaced decimal point (13% rather than 130%)")
    })
}

/// A ratio whose parts are all zero, which shares nothing: `0:0`.
pub fn ratio_out_of_range(parts: &[Decimal], span: Span) -> Option<Diagnostic> {
    parts.iter().all(Decimal::is_zero).then(|| {
        Diagnostic::error(Code::EvalRange, "every part of this ratio is zero")
            .at(span, "a ratio that shares nothing")
            .with_help("a cost-sharing ratio gives each part its weight, such as 85:15; at least one part must be more than zero")
    })
}

pub fn scale_word(scale: Scale) -> &'static str {
    match scale {
        Scale::Units => "",
        Scale::Thousands => " thousand",
        Scale::Millions => " million",
    }
}

/// `USD` is printed the way the decisions print it.
pub fn currency_symbol(code: &str) -> &str {
    match code {
        "USD" => "US$",
        other => other,
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Money { currency, scale } => {
                let symbol = currency_symbol(currency);
                match scale {
                    Scale::Units => f.write_str(symbol),
                    Scale::Thousands => write!(f, "thousands of {symbol}"),
                    Scale::Millions => write!(f, "millions of {symbol}"),
                }
            }
            Unit::Posts => f.write_str("posts"),
            Unit::Percent => f.write_str("%"),
            Unit::Number => f.write_str("number"),
            Unit::Ratio => f.write_str("ratio"),
            Unit::Year => f.write_str("year"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Unit {
        Unit::money("USD", Scale::Units)
    }

    fn thousands_of_usd() -> Unit {
        Unit::money("USD", Scale::Thousands)
    }

    #[test]
    fn rates_scale_amounts() {
        assert_eq!(
            Unit::combine(BinaryOp::Of, &Unit::Percent, &usd()),
            Ok(usd())
        );
        assert_eq!(
            Unit::combine(BinaryOp::Multiply, &usd(), &Unit::Number),
            Ok(usd())
        );
        assert_eq!(
            Unit::combine(BinaryOp::Divide, &usd(), &usd()),
            Ok(Unit::Number)
        );
    }

    #[test]
    fn posts_never_mix_with_money() {
        let error = Unit::combine(BinaryOp::Add, &Unit::Posts, &usd()).unwrap_err();
        assert_eq!(error, "cannot add a number of posts and an amount in US$");
        assert!(Unit::combine(BinaryOp::Multiply, &Unit::Posts, &usd()).is_err());
    }

    #[test]
    fn a_rate_is_not_an_amount() {
        assert!(Unit::combine(BinaryOp::Add, &usd(), &Unit::Percent).is_err());
        assert!(!Unit::Percent.fits(&usd()));
        assert!(Unit::Number.fits(&Unit::Percent));
    }

    #[test]
    fn currencies_do_not_mix() {
        let euro = Unit::money("EUR", Scale::Units);
        assert!(Unit::combine(BinaryOp::Add, &usd(), &euro).is_err());
    }

    #[test]
    fn amounts_at_different_scales_are_added_only_after_a_conversion() {
        let error = Unit::combine(BinaryOp::Add, &usd(), &thousands_of_usd()).unwrap_err();
        assert_eq!(
            error,
            "cannot add an amount in US$ and an amount in thousands of US$ without saying which the result is in"
        );
        assert_eq!(usd().convert(&thousands_of_usd()), Ok(thousands_of_usd()));
        let converted = usd().convert(&thousands_of_usd()).unwrap();
        assert_eq!(
            Unit::combine(BinaryOp::Add, &converted, &thousands_of_usd()),
            Ok(thousands_of_usd())
        );
    }

    #[test]
    fn a_table_or_a_stated_figure_takes_any_scale_of_its_currency() {
        assert!(usd().fits(&thousands_of_usd()));
        assert!(!usd().agrees(&thousands_of_usd()));
        assert!(!usd().fits(&Unit::money("EUR", Scale::Thousands)));
    }

    #[test]
    fn quotients_of_amounts_are_numbers_at_any_scale() {
        assert_eq!(
            Unit::combine(BinaryOp::Divide, &usd(), &thousands_of_usd()),
            Ok(Unit::Number)
        );
    }

    #[test]
    fn a_year_counts_only_in_a_difference() {
        assert_eq!(
            Unit::combine(BinaryOp::Subtract, &Unit::Year, &Unit::Number),
            Ok(Unit::Number)
        );
        assert_eq!(
            Unit::combine(BinaryOp::Subtract, &Unit::Year, &Unit::Year),
            Ok(Unit::Number)
        );
        assert_eq!(
            Unit::combine(BinaryOp::Add, &Unit::Year, &Unit::Number),
            Ok(Unit::Year)
        );
        assert_eq!(
            Unit::combine(BinaryOp::Multiply, &Unit::Year, &usd()),
            Err("cannot multiply a year by an amount in US$".to_owned())
        );
        assert!(Unit::combine(BinaryOp::Multiply, &Unit::Year, &Unit::Percent).is_err());
        assert!(Unit::combine(BinaryOp::Add, &Unit::Year, &usd()).is_err());
        assert!(Unit::combine(BinaryOp::Power, &Unit::Number, &Unit::Year).is_err());
        assert!(!Unit::Year.fits(&usd()));
    }

    #[test]
    fn conversions_never_change_what_is_counted() {
        assert!(Unit::Posts.convert(&usd()).is_err());
        assert!(Unit::Percent.convert(&usd()).is_err());
        let error = usd()
            .convert(&Unit::money("EUR", Scale::Units))
            .unwrap_err();
        assert!(error.contains("exchange rate"), "{error}");
        assert_eq!(Unit::Number.convert(&Unit::Percent), Ok(Unit::Percent));
    }
}
