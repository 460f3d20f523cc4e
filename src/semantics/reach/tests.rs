//! What a scenario's changes reach, item by item.

use super::{item_name, of_scenario};
use crate::semantics::scenario;
use crate::syntax::ast::File;

fn parsed(source: &str) -> File {
    match crate::syntax::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => panic!("{diagnostics:?}"),
    }
}

/// The names of the items a scenario's variant is evaluated on, or `None` when it is
/// evaluated whole.
fn kept(source: &str) -> Option<Vec<String>> {
    let file = parsed(source);
    let found = scenario::scenarios(&file)[0];
    let (variant, _) = scenario::apply(&file, found);
    let reach = of_scenario(&file, &variant)?;
    Some(reach.prune(&variant).items.iter().map(item_name).collect())
}

/// The names of the kept items, for a scenario that must not be evaluated whole.
fn kept_items(source: &str) -> Vec<String> {
    match kept(source) {
        Some(items) => items,
        None => panic!("the scenario is evaluated whole"),
    }
}

const BASE: &str = r#"
decision "X/1" {
    title "T"
    period 2013-2014
    currency US$
}
rate = 13%
growth = 2 per cent
paragraph 1 "Host" {
    host = US$ 10
}
table 1 a {
    unit US$
    columns 2013 2014 Total
    x "X" 1 2 3
    y "Y" 1 1 2 = rate of x
}
table 2 b {
    unit US$
    columns 2013 2014 Total
    z "Z" 1 2 3 = a.x
}
table 3 c {
    unit US$
    columns 2013 2014 Total
    w "W" 1 2 3
}
"#;

fn with(scenario: &str) -> String {
    format!("{BASE}\nscenario s \"S\" {{\n{scenario}\n}}\n")
}

#[test]
fn a_value_nothing_reads_keeps_only_itself_and_the_decision() {
    assert_eq!(
        kept_items(&with("replace growth = 3 per cent")),
        ["decision", "growth"]
    );
}

#[test]
fn a_value_a_table_reads_keeps_that_table_and_what_it_reads() {
    assert_eq!(
        kept_items(&with("replace rate = 14%")),
        // `b` reads `a.x`, which the rate does not move; but items are linked by
        // name, table to table, and too much is only slower, never wrong.
        ["decision", "rate", "a", "b"]
    );
}

#[test]
fn a_table_keeps_the_tables_that_read_it() {
    assert_eq!(
        kept_items(&with("in a {\n replace x \"X\" 2 2 4\n}")),
        ["decision", "rate", "a", "b"]
    );
}

#[test]
fn a_value_inside_a_paragraph_keeps_the_paragraph() {
    assert_eq!(
        kept_items(&with("replace host = US$ 11")),
        ["decision", "paragraph 1"]
    );
}

#[test]
fn an_added_table_is_kept_with_what_it_reads() {
    let added = "table 4 d {\n unit US$\n columns 2013 2014 Total\n v \"V\" 1 1 2 = c.w\n}";
    assert_eq!(kept_items(&with(added)), ["decision", "c", "d"]);
}

#[test]
fn a_removed_item_reaches_what_read_it() {
    // `b` reads `a`: without `a` it has an error that the variant must report.
    assert_eq!(kept_items(&with("remove a")), ["decision", "rate", "b"]);
}

#[test]
fn a_new_period_reaches_everything() {
    assert_eq!(kept(&with("period 2013-2015")), None);
}
