//! Unit tests of resolution, ordering, units and evaluation on small decisions.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::program::{RowId, ValueId};
use super::{Evaluated, Model, evaluate};
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::parse;

const HEADER: &str =
    "decision \"T/1\" {\n    title \"Test\"\n    period 2013-2014\n    currency US$\n}\n";

fn model(body: &str) -> (Model, Vec<Diagnostic>) {
    let source = format!("{HEADER}{body}");
    let file = parse(&source).unwrap_or_else(|d| panic!("does not parse: {d:#?}"));
    evaluate(&file)
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn cell(model: &Model, row: &str, column: usize) -> Decimal {
    let id = model
        .program
        .rows
        .iter()
        .position(|r| r.name.as_deref() == Some(row))
        .unwrap_or_else(|| panic!("no row {row}"));
    model.cells[RowId(id).0][column].unwrap().value.to_decimal()
}

fn value(model: &Model, name: &str, year: Option<i32>) -> Decimal {
    let id = model
        .program
        .values
        .iter()
        .position(|v| v.name == name)
        .unwrap();
    let results = &model.values[ValueId(id).0];
    let result = match year {
        None => results.scalar.clone(),
        Some(year) => results.years.get(&year).cloned(),
    };
    match result {
        Some(Ok(Evaluated::Amount(amount))) => amount.value.to_decimal(),
        other => panic!("{name}: {other:?}"),
    }
}

const BUDGET: &str = "
table 1 budget {
    unit     thousands of US$
    rounding 0.1
    columns  2013 2014 Total

    I. costs \"Costs\" {
        A. staff  \"Staff\"     100.0   110.0   210.0
        B.        \"Travel\"     20.0       -    20.0
    }
    subtotal  \"Sub-total\"       120.0   110.0   230.0  = sum(costs)
    support   \"Support (13%)\"    15.6    14.3    29.9  = support_rate of subtotal
    reserve   \"Reserve\"           9.4       _     9.4
    total     \"TOTAL\"           145.0   124.3   269.3  = subtotal + support + reserve
}
";

#[test]
fn names_may_be_used_before_they_are_defined() {
    let (model, diagnostics) = model(&format!("{BUDGET}\nsupport_rate = 13%\n"));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(cell(&model, "subtotal", 0), dec!(120000));
    assert_eq!(cell(&model, "support", 1), dec!(14300));
    assert_eq!(cell(&model, "total", 2), dec!(269300));
}

#[test]
fn dashes_and_blanks_are_no_amount() {
    let (model, _) = model(&format!("{BUDGET}\nsupport_rate = 13%\n"));
    assert_eq!(cell(&model, "reserve", 1), Decimal::ZERO);
    assert_eq!(cell(&model, "reserve", 2), dec!(9400));
}

#[test]
fn rounding_uncertainty_follows_the_published_figures() {
    let (model, _) = model(&format!("{BUDGET}\nsupport_rate = 13%\n"));
    let id = model
        .program
        .rows
        .iter()
        .position(|r| r.name.as_deref() == Some("total"))
        .unwrap();
    // 2014: staff (±50 dollars), the dash is exact, 13% of it (±6.5), a blank reserve.
    assert_eq!(model.cells[id][1].unwrap().uncertainty, dec!(56.5));
    // 2013: two inputs, 13% of both, and the reserve: 100 + 13 + 50.
    assert_eq!(model.cells[id][0].unwrap().uncertainty, dec!(163.0));
}

#[test]
fn yearly_values_follow_the_paragraph_rule() {
    let (model, diagnostics) = model(
        "paragraph 1 {\n    base = US$ 1,126,162\n    growth = 2 per cent\n    share = 16.5%\n    offset[year] = base * (1 + growth) ^ (year - 2012) * share\n}\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&model, "offset", Some(2013)), dec!(189533.0646));
    assert_eq!(value(&model, "offset", Some(2014)), dec!(193323.7258920));
}

#[test]
fn a_year_can_override_the_rule_for_every_year() {
    let (model, diagnostics) = model("x[year] = US$ 10 * (year - 2000)\nx[2014] = US$ 1\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&model, "x", Some(2013)), dec!(130));
    assert_eq!(value(&model, "x", Some(2014)), dec!(1));
}

#[test]
fn ratios_give_exact_shares() {
    let (model, diagnostics) =
        model("sharing = 2:35\nprotocol = share(sharing, 1) * US$ 1,261,925,848\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&model, "protocol", None), dec!(68212208));
}

#[test]
fn an_unknown_name_is_reported_once_and_suggests_a_known_one() {
    let (model, diagnostics) = model(&format!("{BUDGET}\nsupport_rat = 13%\n"));
    assert_eq!(codes(&diagnostics), [Code::NameUnknown]);
    assert_eq!(
        diagnostics[0].help.as_deref(),
        Some("did you mean `support_rat`?")
    );
    // The edit the help names: the misspelt name, where it is, replaced.
    let [correction] = diagnostics[0].corrections() else {
        panic!("one correction: {:#?}", diagnostics[0]);
    };
    assert_eq!(correction.title, "change to `support_rat`");
    assert_eq!(correction.replacement, "support_rat");
    assert_eq!(
        Some(correction.span),
        diagnostics[0].primary.as_ref().map(|l| l.span)
    );
    // The support row fails; the rows computed from it fail silently.
    let id = model
        .program
        .rows
        .iter()
        .position(|r| r.name.as_deref() == Some("total"))
        .unwrap();
    assert!(model.cells[id][0].is_err());
}

#[test]
fn a_row_of_another_table_needs_its_table_name() {
    let (_, diagnostics) = model(&format!(
        "{BUDGET}\nsupport_rate = 13%\nx[year] = subtotal\n"
    ));
    assert_eq!(codes(&diagnostics), [Code::NameUnknown]);
    let help = diagnostics[0].help.as_deref().unwrap();
    assert!(help.contains("write `budget.subtotal`"), "{help}");
    let edits: Vec<&str> = diagnostics[0]
        .corrections()
        .iter()
        .map(|c| c.replacement.as_str())
        .collect();
    assert_eq!(edits, ["budget.subtotal"]);
}

#[test]
fn a_section_read_as_a_row_and_a_backwards_period_come_with_their_edit() {
    let source = format!(
        "{HEADER}table 1 t {{\n    unit US$\n    columns 2014-2013\n    I. lines \"Lines\" {{\n        a \"A\" 1\n    }}\n    s \"S\" 1 = lines\n}}\n"
    );
    let file = parse(&source).unwrap_or_else(|d| panic!("does not parse: {d:#?}"));
    let (_, diagnostics) = evaluate(&file);
    let edits: Vec<(&str, &str)> = diagnostics
        .iter()
        .flat_map(|d| d.corrections())
        .map(|c| {
            (
                &source[c.span.start()..c.span.end()],
                c.replacement.as_str(),
            )
        })
        .collect();
    assert_eq!(
        edits,
        [("2014-2013", "2013-2014"), ("lines", "sum(lines)")],
        "{diagnostics:#?}"
    );
}

#[test]
fn a_qualified_reference_reads_the_named_column() {
    let (model, diagnostics) = model(&format!(
        "{BUDGET}\nsupport_rate = 13%\nx = budget.total[2014]\n"
    ));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&model, "x", None), dec!(124300));
}

#[test]
fn duplicate_and_ambiguous_names_are_refused() {
    let (_, diagnostics) = model("a = 1\na = 2\n");
    assert_eq!(codes(&diagnostics), [Code::NameDuplicate]);
    let (_, diagnostics) = model(&format!("{BUDGET}\nsupport_rate = 13%\nsubtotal = US$ 1\n"));
    assert!(
        codes(&diagnostics).contains(&Code::NameAmbiguous),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_cycle_is_shown_name_by_name() {
    let (_, diagnostics) = model("a = b + 1\nb = c\nc = a\n");
    assert_eq!(codes(&diagnostics), [Code::NameCycle]);
    let help = diagnostics[0].help.as_deref().unwrap();
    assert!(help.contains("`a` → `b` → `c` → `a`"), "{help}");
    assert_eq!(diagnostics[0].secondary.len(), 2);
}

#[test]
fn posts_never_mix_with_money() {
    let (_, diagnostics) = model("staff = 2.5 posts\ncost = US$ 100\nx = staff + cost\n");
    assert_eq!(codes(&diagnostics), [Code::UnitMismatch]);
    let diagnostic = &diagnostics[0];
    assert_eq!(
        diagnostic.message,
        "cannot add a number of posts and an amount in US$"
    );
    assert_eq!(
        diagnostic.primary.as_ref().unwrap().message,
        "a number of posts"
    );
    assert_eq!(diagnostic.secondary[0].message, "an amount in US$");
}

#[test]
fn a_rate_is_not_an_amount_in_a_money_table() {
    let table = BUDGET.replace("= support_rate of subtotal", "= support_rate");
    let (_, diagnostics) = model(&format!("{table}\nsupport_rate = 13%\n"));
    assert_eq!(codes(&diagnostics), [Code::UnitMismatch]);
    assert!(
        diagnostics[0]
            .message
            .contains("gives a rate but Table 1 is in thousands of US$")
    );
}

#[test]
fn a_period_column_has_no_single_year() {
    let (_, diagnostics) = model(
        "offset[year] = US$ 5 * (year - 2012)\ntable 3 fund {\n    unit US$\n    columns 2013-2014\n    x \"X\" 10 = offset\n}\n",
    );
    assert_eq!(codes(&diagnostics), [Code::EvalYear]);
}

#[test]
fn reading_a_missing_column_says_which_columns_exist() {
    let (_, diagnostics) = model(&format!(
        "{BUDGET}\nsupport_rate = 13%\nx = budget.total[2016]\n"
    ));
    assert_eq!(codes(&diagnostics), [Code::TableColumn]);
    assert!(
        diagnostics[0]
            .message
            .contains("Table 1 has no column 2016")
    );
}

#[test]
fn division_by_zero_and_overflow_are_diagnostics() {
    let (_, diagnostics) = model("a = US$ 1 / 0\n");
    assert_eq!(codes(&diagnostics), [Code::EvalDivisionByZero]);
    let (_, diagnostics) = model("a = US$ 79,228,162,514,264,337,593,543,950,335 * 2\n");
    assert_eq!(codes(&diagnostics), [Code::EvalOverflow]);
}

#[test]
fn a_failure_is_reported_where_it_happens_not_in_everything_above_it() {
    let (_, diagnostics) = model("a = US$ 1 / 0\nb = a + US$ 1\nc = b * 2\n");
    assert_eq!(codes(&diagnostics), [Code::EvalDivisionByZero]);
}

#[test]
fn growth_from_a_given_year_is_no_cycle() {
    let (model, diagnostics) =
        model("host[2013] = US$ 1,000\nhost[year] = host[2013] * (1 + 2%) ^ (year - 2013)\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&model, "host", Some(2014)), dec!(1020));
}

#[test]
fn growth_from_a_year_that_is_not_given_is_a_cycle() {
    let (_, diagnostics) = model("host[year] = host[2013] * (1 + 2%) ^ (year - 2013)\n");
    assert_eq!(codes(&diagnostics), [Code::NameCycle]);
    assert!(
        diagnostics[0]
            .message
            .contains("`host[year]` is computed from itself")
    );
}

#[test]
fn figures_too_large_once_scaled_are_diagnostics_not_crashes() {
    let (_, diagnostics) = model(
        "table 1 t {\n    unit thousands of US$\n    columns 2013\n    a \"A\" 100,000,000,000,000,000,000,000,000\n}\n",
    );
    assert_eq!(codes(&diagnostics), [Code::EvalOverflow]);
    let (_, diagnostics) = model(
        "table 1 t {\n    unit millions of US$\n    rounding 100,000,000,000,000,000,000,000,000\n    columns 2013\n    a \"A\" 1\n}\n",
    );
    assert_eq!(codes(&diagnostics), [Code::TableSetting]);
}

#[test]
fn a_literal_too_large_once_scaled_is_reported_where_it_is_written() {
    let huge = "US$ 100,000,000,000,000,000,000,000,000 million";
    let (_, diagnostics) = model(&format!("y = US$ 1 stated {huge}\n"));
    assert_eq!(codes(&diagnostics), [Code::EvalOverflow]);
    let (_, diagnostics) = model(&format!("y = {huge}\n"));
    assert_eq!(codes(&diagnostics), [Code::EvalOverflow]);
}

#[test]
fn a_part_of_a_ratio_may_be_written_with_decimals() {
    let (model, diagnostics) = model("r = 85:15\nprotocol = share(r, 2.0) * US$ 100\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&model, "protocol", None), dec!(15));
}

#[test]
fn published_reads_the_printed_figure_not_the_computed_one() {
    // TOTAL 2014 printed as 124.4 where bud computes 124.3: a rounding difference.
    let table = BUDGET.replace("145.0   124.3   269.3", "145.0   124.4   269.4");
    let body = format!(
        "{table}\nsupport_rate = 13%\nlevel = published(budget.total[2013]) + published(budget.total[2014])\nincreased = round(level * (1 + 7.5%), US$ 0.1 thousand)\n"
    );
    let (model, diagnostics) = model(&body);
    assert!(
        diagnostics
            .iter()
            .all(|d| d.code == Code::ReconcileRounding),
        "{diagnostics:#?}"
    );
    assert_eq!(cell(&model, "total", 1), dec!(124300.0));
    assert_eq!(value(&model, "level", None), dec!(269400));
    // 269,400 × 1.075 = 289,605, to the nearest US$ 100 half-up.
    assert_eq!(value(&model, "increased", None), dec!(289600));
}

#[test]
fn amounts_at_two_scales_need_a_conversion_and_then_add_exactly() {
    let (_, diagnostics) = model(&format!(
        "{BUDGET}\nsupport_rate = 13%\nx = budget.total[2013] + US$ 1,000\n"
    ));
    assert_eq!(codes(&diagnostics), [Code::UnitMismatch]);
    assert_eq!(
        diagnostics[0].primary.as_ref().unwrap().message,
        "an amount in thousands of US$"
    );
    assert_eq!(diagnostics[0].secondary[0].message, "an amount in US$");

    let (converted, diagnostics) = model(&format!(
        "{BUDGET}\nsupport_rate = 13%\ny = (budget.total[2013] in US$) + US$ 1,000\n"
    ));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&converted, "y", None), dec!(146000.0));
}

#[test]
fn a_year_counts_years_only_when_subtracted_from() {
    let (counted, diagnostics) = model("years[year] = year - 2012\n");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(value(&counted, "years", Some(2014)), dec!(2));
    let (_, diagnostics) = model("cost[year] = US$ 100 * year\n");
    assert_eq!(codes(&diagnostics), [Code::UnitMismatch]);
    assert_eq!(
        diagnostics[0].message,
        "cannot multiply an amount in US$ by a year"
    );
}

#[test]
fn a_rate_in_a_money_table_points_at_the_table_unit_too() {
    let table = BUDGET.replace("= support_rate of subtotal", "= support_rate");
    let (_, diagnostics) = model(&format!("{table}\nsupport_rate = 13%\n"));
    assert_eq!(
        diagnostics[0].secondary[0].message,
        "Table 1 holds thousands of US$"
    );
}
