#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

fn limited(base: Decimal, most: Decimal) -> Terms {
    Terms {
        most: Some(most),
        ..Terms::scaled(base)
    }
}

fn floored(base: Decimal, least: Decimal) -> Terms {
    Terms {
        least: Some(least),
        ..Terms::scaled(base)
    }
}

fn fixed(share: Decimal) -> Terms {
    Terms {
        fixed: Some(share),
        ..Terms::scaled(Decimal::ZERO)
    }
}

fn decimals(rates: &[Exact]) -> Vec<Decimal> {
    rates.iter().map(|rate| rate.to_decimal()).collect()
}

fn total(rates: &[Exact]) -> Exact {
    rates
        .iter()
        .fold(Exact::ZERO, |sum, rate| sum.checked_add(*rate).unwrap())
}

#[test]
fn a_scale_that_already_adds_up_is_left_alone() {
    let parties = [dec!(50), dec!(30), dec!(20)].map(Terms::scaled);
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(result.factor, Exact::new(Decimal::ONE));
    assert_eq!(decimals(&result.rates), [dec!(50), dec!(30), dec!(20)]);
    assert!(result.bindings.iter().all(|b| *b == Binding::Scaled));
}

#[test]
fn a_fixed_share_is_kept_and_the_rest_rescaled_to_what_remains() {
    let parties = [
        fixed(dec!(2.5)),
        Terms::scaled(dec!(60)),
        Terms::scaled(dec!(40)),
    ];
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(result.factor, Exact::new(dec!(0.975)));
    assert_eq!(decimals(&result.rates), [dec!(2.5), dec!(58.5), dec!(39)]);
    assert_eq!(result.bindings[0], Binding::Fixed);
}

#[test]
fn a_binding_ceiling_holds_the_party_and_shares_the_excess() {
    let ceiling = dec!(22);
    let mut parties = vec![limited(dec!(50), ceiling)];
    parties.extend([dec!(10); 5].map(|base| limited(base, ceiling)));
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(result.bindings[0], Binding::AtMost);
    assert_eq!(result.factor, Exact::new(dec!(1.56)));
    assert_eq!(
        decimals(&result.rates),
        [
            dec!(22),
            dec!(15.6),
            dec!(15.6),
            dec!(15.6),
            dec!(15.6),
            dec!(15.6)
        ]
    );
}

#[test]
fn a_ceiling_that_binds_only_after_the_first_rescaling_is_found() {
    // 30 and 25 exceed 22 at once; rescaling the rest then lifts 20 above 22 too.
    let parties = [dec!(30), dec!(25), dec!(20), dec!(15), dec!(10)].map(|b| limited(b, dec!(22)));
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(
        result.bindings,
        [
            Binding::AtMost,
            Binding::AtMost,
            Binding::AtMost,
            Binding::Scaled,
            Binding::Scaled
        ]
    );
    assert_eq!(result.factor, Exact::new(dec!(1.36)));
    assert_eq!(
        decimals(&result.rates),
        [dec!(22), dec!(22), dec!(22), dec!(20.4), dec!(13.6)]
    );
}

#[test]
fn a_group_cap_holds_only_the_members_whose_scaled_rate_exceeds_it() {
    // Two least developed countries capped at 0.01: one would exceed it, one would not.
    let cap = dec!(0.01);
    let parties = [
        limited(dec!(0.010), cap),
        limited(dec!(0.005), cap),
        Terms::scaled(dec!(49.985)),
        Terms::scaled(dec!(20)),
    ];
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(result.bindings[0], Binding::AtMost);
    assert_eq!(result.bindings[1], Binding::Scaled);
    // k = (100 - 0.01) / (0.005 + 49.985 + 20)
    let factor = Exact::new(dec!(99.99))
        .checked_div(Exact::new(dec!(69.99)))
        .unwrap();
    assert_eq!(result.factor, factor);
    assert_eq!(total(&result.rates), Exact::new(HUNDRED));
    assert!(result.rates[1] < Exact::new(cap));
}

#[test]
fn a_ceiling_and_a_group_cap_binding_at_once() {
    let (ceiling, cap) = (dec!(22), dec!(0.01));
    let mut parties = vec![limited(dec!(40), ceiling), limited(dec!(0.05), cap)];
    parties.extend([dec!(9.95); 6].map(|base| limited(base, ceiling)));
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(
        result.bindings[..3],
        [Binding::AtMost, Binding::AtMost, Binding::Scaled]
    );
    // What is left after 22 and 0.01, shared by six Parties of 9.95.
    let factor = Exact::new(dec!(77.99))
        .checked_div(Exact::new(dec!(59.7)))
        .unwrap();
    assert_eq!(result.factor, factor);
    assert_eq!(total(&result.rates), Exact::new(HUNDRED));
}

#[test]
fn a_floor_lifts_the_smallest_rates_and_the_rest_pay_less() {
    let floor = dec!(0.001);
    let parties = [
        floored(dec!(0.0005), floor),
        floored(dec!(0.0005), floor),
        floored(dec!(99.999), floor),
    ];
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(
        result.bindings,
        [Binding::AtLeast, Binding::AtLeast, Binding::Scaled]
    );
    assert_eq!(decimals(&result.rates), [floor, floor, dec!(99.998)]);
}

#[test]
fn a_floor_and_a_ceiling_together() {
    let party = |base| Terms {
        most: Some(dec!(22)),
        least: Some(dec!(0.001)),
        ..Terms::scaled(base)
    };
    let mut parties = vec![party(dec!(60)), party(dec!(0.0001))];
    parties.extend([dec!(10); 4].map(party));
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(
        result.bindings[..3],
        [Binding::AtMost, Binding::AtLeast, Binding::Scaled]
    );
    // 100 - 22 - 0.001 shared by four Parties of 10.
    assert_eq!(result.factor, Exact::new(dec!(1.949975)));
    assert_eq!(total(&result.rates), Exact::new(HUNDRED));
}

#[test]
fn a_party_with_no_base_rate_pays_its_floor() {
    let parties = [
        floored(Decimal::ZERO, dec!(0.001)),
        floored(dec!(100), dec!(0.001)),
    ];
    let result = apportion(&parties, HUNDRED).unwrap();
    assert_eq!(decimals(&result.rates), [dec!(0.001), dec!(99.999)]);
}

#[test]
fn caps_that_cannot_reach_the_total_are_impossible_not_a_loop() {
    let parties = [limited(dec!(60), dec!(22)), limited(dec!(40), dec!(22))];
    assert_eq!(
        apportion(&parties, HUNDRED),
        Err(Impossible::LimitsTooLow {
            most: dec!(44),
            needed: HUNDRED
        })
    );
}

#[test]
fn fixed_shares_above_the_total_are_impossible() {
    let parties = [fixed(dec!(60)), fixed(dec!(50)), Terms::scaled(dec!(1))];
    assert_eq!(
        apportion(&parties, HUNDRED),
        Err(Impossible::FixedExceedTotal { fixed: dec!(110) })
    );
}

#[test]
fn floors_above_what_is_left_are_impossible() {
    let parties = [fixed(dec!(99.9995)), floored(dec!(1), dec!(0.001))];
    assert_eq!(
        apportion(&parties, HUNDRED),
        Err(Impossible::FloorsTooHigh {
            least: dec!(0.001),
            available: dec!(0.0005)
        })
    );
}

#[test]
fn a_floor_above_a_cap_is_impossible() {
    let party = Terms {
        most: Some(dec!(0.001)),
        least: Some(dec!(0.01)),
        ..Terms::scaled(dec!(1))
    };
    assert_eq!(
        apportion(&[Terms::scaled(dec!(99)), party], HUNDRED),
        Err(Impossible::FloorAboveLimit { party: 1 })
    );
}

#[test]
fn a_negative_rate_is_refused() {
    assert_eq!(
        apportion(&[Terms::scaled(dec!(-1))], HUNDRED),
        Err(Impossible::Negative { party: 0 })
    );
}

fn terms() -> impl Strategy<Value = Terms> {
    let rate = |max: i64| (0..=max).prop_map(|thousandths| Decimal::new(thousandths, 3));
    (
        rate(30_000),
        prop::option::weighted(0.05, rate(5_000)),
        prop::option::weighted(0.3, rate(25_000)),
        prop::option::weighted(0.2, rate(50)),
    )
        .prop_map(|(base, fixed, most, least)| Terms {
            base,
            fixed,
            most,
            least,
        })
}

proptest! {
    #[test]
    fn any_rule_adds_up_to_the_total_within_every_limit_or_says_why_not(
        parties in prop::collection::vec(terms(), 1..40)
    ) {
        let Ok(result) = apportion(&parties, HUNDRED) else {
            return Ok(());
        };
        prop_assert_eq!(total(&result.rates), Exact::new(HUNDRED));
        for ((terms, rate), binding) in parties.iter().zip(&result.rates).zip(&result.bindings) {
            if let Some(share) = terms.fixed {
                prop_assert_eq!(*rate, Exact::new(share));
                continue;
            }
            if let Some(most) = terms.most {
                prop_assert!(*rate <= Exact::new(most));
            }
            if let Some(least) = terms.least {
                prop_assert!(*rate >= Exact::new(least));
            }
            if *binding == Binding::Scaled {
                prop_assert_eq!(*rate, result.factor.checked_mul(Exact::new(terms.base)).unwrap());
            }
        }
    }
}

/// Small rules, often infeasible, with repeated and zero rates.
fn small_terms() -> impl Strategy<Value = Terms> {
    (
        0u32..60,
        prop::option::of(0u32..12),
        prop::option::of(0u32..4),
        prop::option::weighted(0.15, 0u32..30),
    )
        .prop_map(|(base, most, least, fixed)| Terms {
            base: Decimal::new(i64::from(base) * 1237 % 7919, 3),
            most: most.map(|m| Decimal::new(i64::from(m) * 333, 2)),
            least: least.map(|l| Decimal::new(i64::from(l) * 7, 1)),
            fixed: fixed.map(Decimal::from),
        })
}

/// Whether any rates can satisfy the rule, worked out independently of the sweep.
fn feasible(parties: &[Terms]) -> bool {
    let limits_in_order = parties
        .iter()
        .all(|t| t.fixed.is_some() || t.most.is_none_or(|m| t.least.unwrap_or_default() <= m));
    let fixed: Decimal = parties.iter().filter_map(|t| t.fixed).sum();
    let scaled: Vec<&Terms> = parties.iter().filter(|t| t.fixed.is_none()).collect();
    let least: Decimal = scaled.iter().map(|t| t.least.unwrap_or_default()).sum();
    let unlimited = scaled.iter().any(|t| t.most.is_none() && !t.base.is_zero());
    let most: Decimal = scaled
        .iter()
        .map(|t| match (t.base.is_zero(), t.most) {
            (true, _) => t.least.unwrap_or_default(),
            (false, Some(most)) => most,
            (false, None) => Decimal::from(1000),
        })
        .sum();
    let available = HUNDRED - fixed;
    limits_in_order && fixed <= HUNDRED && least <= available && (unlimited || most >= available)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// An oracle: the rule is refused exactly when it is infeasible, and otherwise every
    /// rate is clamp(k × base, floor, most) and they add up to 100.
    #[test]
    fn the_rule_is_refused_exactly_when_no_rates_can_satisfy_it(
        parties in prop::collection::vec(small_terms(), 0..12)
    ) {
        let result = apportion(&parties, HUNDRED);
        prop_assert_eq!(result.is_ok(), feasible(&parties), "{:?} -> {:?}", parties, result);
        if let Ok(result) = result {
            prop_assert_eq!(total(&result.rates), Exact::new(HUNDRED));
            for (terms, rate) in parties.iter().zip(&result.rates) {
                if let Some(share) = terms.fixed {
                    prop_assert_eq!(*rate, Exact::new(share));
                    continue;
                }
                let mut expected = result.factor.checked_mul(Exact::new(terms.base)).unwrap();
                if let Some(most) = terms.most {
                    expected = expected.min(Exact::new(most));
                }
                if let Some(least) = terms.least {
                    expected = expected.max(Exact::new(least));
                }
                prop_assert_eq!(*rate, expected);
            }
        }
    }
}
