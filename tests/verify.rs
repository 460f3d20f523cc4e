//! `bud check` takes a shortcut (`bud::Request::verify()`): it counts matching
//! figures instead of recording them, and evaluates a scenario only where its changes
//! reach. These tests hold it to the long way (`bud::Request::Everything`): the same
//! diagnostics and the same counts for every variant, on every fixture, the bundled
//! decisions and scenarios written to exercise each kind of change; and they check
//! that the shortcut is taken where it should be, so that it cannot silently become
//! the long way. Every such comparison is made again with the decision, and any
//! scenario the shortcut cannot take, checked in the smallest parts
//! (`bud::Request::Verify` with a few rows per part), which a decision of the size of a
//! fixture would otherwise never be.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

#[path = "../examples/synth/generate.rs"]
mod generate;

use bud::Checked;
use bud::render::view::Summary;

/// A variant as `bud check` reports it.
#[derive(Debug, PartialEq)]
struct Report {
    scenario: Option<String>,
    diagnostics: Vec<String>,
    counts: String,
}

fn report(checked: &Checked) -> Report {
    let Summary {
        stated,
        matches,
        rounding,
        mismatches,
        acknowledged,
        unchecked,
        inherited,
    } = Summary::of(&checked.reconciliation);
    Report {
        scenario: checked.scenario.as_ref().map(|(name, _)| name.clone()),
        diagnostics: checked
            .diagnostics
            .iter()
            .map(|d| format!("{d:?}"))
            .collect(),
        counts: format!(
            "{stated} {matches} {rounding} {mismatches} {acknowledged} {unchecked} {inherited}"
        ),
    }
}

/// Checks `source` both ways and fails unless they report the same; returns the
/// shortcut's variants for further assertions.
fn same_both_ways(name: &str, source: &str, beside: &Path) -> Vec<Checked> {
    let read = |file: &str| std::fs::read_to_string(beside.join(file)).map_err(|e| e.to_string());
    let long: Vec<Report> = bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
        bud::world::Memory::MAIN,
        bud::Request::Everything,
    )
    .variants
    .iter()
    .map(report)
    .collect();
    let short = bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
        bud::world::Memory::MAIN,
        bud::Request::verify(),
    )
    .variants;
    let shortcut: Vec<Report> = short.iter().map(report).collect();
    assert_eq!(long, shortcut, "{name}: the shortcut reports otherwise");
    for rows in [1, 4] {
        let in_parts: Vec<Report> = bud::check(
            &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
            bud::world::Memory::MAIN,
            bud::Request::Verify {
                rows_per_part: rows,
            },
        )
        .variants
        .iter()
        .map(report)
        .collect();
        assert_eq!(
            long, in_parts,
            "{name}: in parts of {rows} rows, reports otherwise"
        );
    }
    short
}

/// The base decision as `bud check` checks it in parts of one row.
fn base_in_parts(source: &str) -> Checked {
    let read = bud::world::Memory::new();
    let mut variants = bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
        bud::world::Memory::MAIN,
        bud::Request::Verify { rows_per_part: 1 },
    )
    .variants;
    variants.remove(0)
}

fn bud_files(directory: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "bud"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_and_bundled_decision_reports_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let directories = ["decisions", "tests/fixtures/valid", "tests/fixtures/errors"];
    let mut checked = 0;
    for directory in directories {
        for path in bud_files(&root.join(directory)) {
            let source = std::fs::read_to_string(&path).unwrap();
            same_both_ways(&path.display().to_string(), &source, path.parent().unwrap());
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} files found");
}

/// A decision with a value no table reads, a value a table reads, a table another
/// table reads and a scale; `{scenario}` is put at its end.
fn decision(scenario: &str) -> String {
    format!(
        r#"
decision "X/1" {{
    title    "Reach"
    period   2013-2014
    currency US$
}}

paragraph 1 "Support" {{
    support_rate = 13%
}}

paragraph 2 "Growth" {{
    unread_rate  = 2 per cent
}}

table 1 budget {{
    unit     thousands of US$
    rounding 0.1 half-up
    columns  2013 2014 Total

    staff    "Staff"          100.0   110.0   210.0
    travel   "Travel"          20.0    22.0    42.0
    subtotal "Sub-total"      120.0   132.0   252.0  = staff + travel
    support  "Support (13%)"   15.6    17.2    32.8  = support_rate of subtotal
    total    "Total"          135.6   149.2   284.8  = subtotal + support
}}

table 2 summary {{
    unit     thousands of US$
    rounding 0.1 half-up
    columns  2013 2014 Total

    core     "Core budget"    135.6   149.2   284.8  = budget.total
}}

table 3 other {{
    unit     thousands of US$
    rounding 0.1 half-up
    columns  2013 2014 Total

    rent     "Rent"            50.0    50.0   100.0
    total    "Total"           50.0    50.0   100.0  = rent
}}

scale 4 contributions {{
    unit     US$
    rounding 1 half-up
    columns  2013 2014 Total

    apportion summary.core
    rates     rounding 0.001 half-up

    "Party A"  60.000  60.000  81,360  60.000  60.000  89,520  170,880
    "Party B"  40.000  40.000  54,240  40.000  40.000  59,680  113,920
}}

{scenario}
"#
    )
}

/// A scenario `s` making `changes`.
fn scenario(changes: &str) -> String {
    format!("scenario s \"A change\" {{\n{changes}\n}}")
}

/// The tables the shortcut evaluated for the scenario, which keeps their names and not
/// its model; or, for a scenario evaluated whole, every table of its model.
fn tables_evaluated(checked: &Checked) -> Vec<String> {
    if let Some(reached) = &checked.reached {
        assert!(checked.model.is_none(), "a scenario's reach keeps no model");
        return reached.tables.clone();
    }
    let model = checked.model.as_ref().expect("a model");
    model
        .program
        .tables
        .iter()
        .map(|t| t.name.clone())
        .collect()
}

#[test]
fn the_decision_written_for_these_tests_is_clean() {
    let checked = bud::check(
        &bud::world::Memory::decision(decision("")),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    )
    .into_first()
    .unwrap();
    assert!(
        checked.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}",
        checked.diagnostics
    );
    assert_eq!(Summary::of(&checked.reconciliation).mismatches, 0);
}

#[test]
fn a_scenario_changing_a_value_nothing_reads_evaluates_no_table() {
    let source = decision(&scenario("replace unread_rate = 3 per cent"));
    let variants = same_both_ways("unread value", &source, Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), Vec::<String>::new());
}

#[test]
fn a_scenario_taken_where_its_changes_reach_keeps_no_model() {
    // Kept, the models of hundreds of scenarios editing one large table were all alive
    // at once.
    let source = decision(&scenario(
        "in budget {\n replace travel \"Travel\" 20.0 22.0 42.0\n}",
    ));
    let variants = same_both_ways("row edit, model dropped", &source, Path::new("."));
    assert!(variants[1].model.is_none());
    assert!(variants[1].reached.is_some());
}

#[test]
fn a_scenario_changing_a_rate_evaluates_the_tables_that_read_it_and_no_other() {
    let source = decision(&scenario("replace support_rate = 14%"));
    let variants = same_both_ways("read value", &source, Path::new("."));
    // The rate makes the stated support figures wrong: errors, so the scenario is
    // evaluated whole and every table is in its model.
    assert!(variants[1].has_errors());
    let source = decision(&scenario("replace support_rate = 13.0%"));
    let variants = same_both_ways("read value, same figures", &source, Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), ["budget", "summary"]);
}

#[test]
fn a_scenario_editing_a_row_reaches_the_tables_and_scales_that_read_its_table() {
    let source = decision(&scenario(
        "in other {\n replace rent \"Rent\" 50.0 50.0 100.0\n}",
    ));
    let variants = same_both_ways("row edit, unread table", &source, Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), ["other"]);
    let source = decision(&scenario(
        "in budget {\n replace travel \"Travel\" 20.0 22.0 42.0\n}",
    ));
    let variants = same_both_ways("row edit, read table", &source, Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), ["budget", "summary"]);
    let reached = variants[1].reached.as_ref().unwrap();
    assert_eq!(reached.scales, ["contributions"], "the scale reads summary");
}

#[test]
fn a_scenario_adding_or_removing_an_item_reports_the_same_both_ways() {
    let added = scenario(
        "table 5 extra {\n unit thousands of US$\n columns 2013 2014 Total\n books \"Books\" 1.0 2.0 3.0\n}",
    );
    let variants = same_both_ways("added table", &decision(&added), Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), ["extra"]);
    let removed = scenario("remove other");
    same_both_ways("removed table", &decision(&removed), Path::new("."));
    let removed_read = scenario("remove budget");
    let variants = same_both_ways(
        "removed table that is read",
        &decision(&removed_read),
        Path::new("."),
    );
    assert!(variants[1].has_errors(), "summary reads the removed table");
}

#[test]
fn a_scenario_replacing_a_table_keeps_its_readers_and_what_it_reads() {
    let replaced = scenario(
        "replace table 1 budget {\n unit thousands of US$\n rounding 0.1 half-up\n columns 2013 2014 Total\n total \"Total\" 135.6 149.2 284.8\n}",
    );
    let variants = same_both_ways("replaced table", &decision(&replaced), Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), ["budget", "summary"]);
}

#[test]
fn a_scenario_changing_the_period_is_evaluated_whole() {
    let source = decision(&scenario("period 2013-2015"));
    let variants = same_both_ways("period", &source, Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]).len(), 3);
}

#[test]
fn the_synthetic_decision_s_scenario_evaluates_no_table() {
    let source = generate::decision(&generate::Shape {
        tables: 4,
        rows: 10,
        parties: 8,
        years: 2,
    });
    assert!(source.contains("scenario"), "{source}");
    let variants = same_both_ways("synthetic", &source, Path::new("."));
    assert_eq!(tables_evaluated(&variants[1]), Vec::<String>::new());
}

#[test]
fn a_decision_of_independent_tables_is_checked_in_parts_and_dropped_part_by_part() {
    // Table 3 reads nothing the others read: a part of its own, so no model is kept.
    let base = base_in_parts(&decision(""));
    assert!(base.evaluated && base.model.is_none(), "checked whole");
    same_both_ways("in parts", &decision(""), Path::new("."));
    let source = generate::decision(&generate::Shape {
        tables: 6,
        rows: 3,
        parties: 8,
        years: 2,
    });
    assert!(base_in_parts(&source).model.is_none(), "checked whole");
}

#[test]
fn a_figure_that_does_not_reconcile_is_reported_from_its_part() {
    let base = in_parts_with_an_error(
        "a wrong figure in a part",
        "rent     \"Rent\"            50.0",
        "rent     \"Rent\"            51.0",
    );
    assert!(base.model.is_none(), "checked whole");
}

#[test]
fn a_part_that_meets_another_error_has_the_decision_checked_whole() {
    // An unknown name's error suggests the names in scope: the whole decision's.
    let base = in_parts_with_an_error("an unknown name in a part", "= rent", "= rentt");
    assert!(base.model.is_some(), "the error was reported from a part");
}

/// The test decision with `from` replaced by `to`, which must make an error: checked
/// in parts, and the same both ways.
fn in_parts_with_an_error(name: &str, from: &str, to: &str) -> Checked {
    let source = decision("").replace(from, to);
    assert_ne!(source, decision(""));
    let base = base_in_parts(&source);
    assert!(base.has_errors());
    same_both_ways(name, &source, Path::new("."));
    base
}

#[test]
fn a_stated_value_two_parts_read_and_a_name_two_parts_define_report_the_same_in_parts() {
    let stated = decision("").replace("support_rate = 13%", "support_rate = 13% stated 13%");
    let source = stated.replace(
        "    total    \"Total\"           50.0    50.0   100.0  = rent",
        "    total    \"Total\"           56.5    56.5   113.0  = rent + support_rate of rent",
    );
    let variants = same_both_ways("a stated value read by two parts", &source, Path::new("."));
    assert!(!variants[0].has_errors(), "{:?}", variants[0].diagnostics);
    let twice = format!("{source}\nother = 2\n");
    let variants = same_both_ways("a name defined twice", &twice, Path::new("."));
    assert!(variants[0].has_errors());
}
