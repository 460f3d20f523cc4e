//! Units, checked before anything is computed. Every value has one: an amount of a
//! currency, a count of posts, a rate (written with `%`), a plain number, or a ratio
//! such as 85:15. How amounts are scaled (US$ or thousands of US$) is not a unit:
//! bud holds every amount in the currency's units and scales only where a table says
//! its figures are written in thousands.

use std::fmt;

use crate::syntax::ast::BinaryOp;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unit {
    /// An amount in a currency (its ISO code).
    Money(String),
    Posts,
    /// A rate or share written with `%` (shown as a percentage).
    Percent,
    /// A plain number: a growth factor, a year, a count.
    Number,
    /// Parts such as 85:15, taken apart with `share(ratio, part)`.
    Ratio,
}

impl Unit {
    fn is_dimensionless(&self) -> bool {
        matches!(self, Unit::Percent | Unit::Number)
    }

    /// "an amount in US$", "a rate", ... for messages.
    pub fn describe(&self) -> String {
        match self {
            Unit::Money(code) => format!("an amount in {}", currency_symbol(code)),
            Unit::Posts => "a number of posts".to_owned(),
            Unit::Percent => "a rate".to_owned(),
            Unit::Number => "a plain number".to_owned(),
            Unit::Ratio => "a ratio".to_owned(),
        }
    }

    /// The unit of `lhs op rhs`, or why the two do not combine.
    pub fn combine(op: BinaryOp, lhs: &Unit, rhs: &Unit) -> Result<Unit, String> {
        use Unit::*;
        if *lhs == Ratio || *rhs == Ratio {
            return Err("a ratio such as 85:15 cannot be used in arithmetic; take one part with share(ratio, part)".to_owned());
        }
        let dimensionless = |a: &Unit, b: &Unit| {
            if *a == Percent || *b == Percent {
                Percent
            } else {
                Number
            }
        };
        match op {
            BinaryOp::Add | BinaryOp::Subtract => match (lhs, rhs) {
                (Money(a), Money(b)) if a == b => Ok(lhs.clone()),
                (Posts, Posts) => Ok(Posts),
                (a, b) if a.is_dimensionless() && b.is_dimensionless() => {
                    Ok(if *a == Percent && *b == Percent {
                        Percent
                    } else {
                        Number
                    })
                }
                _ => Err(format!(
                    "cannot {} {} and {}",
                    if op == BinaryOp::Add {
                        "add"
                    } else {
                        "subtract"
                    },
                    lhs.describe(),
                    rhs.describe()
                )),
            },
            BinaryOp::Multiply | BinaryOp::Of => match (lhs, rhs) {
                (a, b) if a.is_dimensionless() && b.is_dimensionless() => Ok(dimensionless(a, b)),
                (a, other) | (other, a) if a.is_dimensionless() => Ok(other.clone()),
                _ => Err(format!(
                    "cannot multiply {} by {}",
                    lhs.describe(),
                    rhs.describe()
                )),
            },
            BinaryOp::Divide => match (lhs, rhs) {
                (a, b) if a.is_dimensionless() && b.is_dimensionless() => Ok(Number),
                (Money(a), Money(b)) if a == b => Ok(Number),
                (Posts, Posts) => Ok(Number),
                (a, b) if b.is_dimensionless() => Ok(a.clone()),
                _ => Err(format!(
                    "cannot divide {} by {}",
                    lhs.describe(),
                    rhs.describe()
                )),
            },
            BinaryOp::Power => {
                if lhs.is_dimensionless() && rhs.is_dimensionless() {
                    Ok(Number)
                } else {
                    Err(format!(
                        "only plain numbers and rates can be raised to a power, not {}",
                        if lhs.is_dimensionless() {
                            rhs.describe()
                        } else {
                            lhs.describe()
                        }
                    ))
                }
            }
        }
    }

    /// Whether a value of this unit can fill a place that expects `expected`.
    pub fn fits(&self, expected: &Unit) -> bool {
        self == expected || (self.is_dimensionless() && expected.is_dimensionless())
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
            Unit::Money(code) => f.write_str(currency_symbol(code)),
            Unit::Posts => f.write_str("posts"),
            Unit::Percent => f.write_str("%"),
            Unit::Number => f.write_str("number"),
            Unit::Ratio => f.write_str("ratio"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Unit {
        Unit::Money("USD".to_owned())
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
        let euro = Unit::Money("EUR".to_owned());
        assert!(Unit::combine(BinaryOp::Add, &usd(), &euro).is_err());
    }
}
