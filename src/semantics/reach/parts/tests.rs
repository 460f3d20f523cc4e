//! Which items each part of a decision holds.

use super::parts;
use crate::semantics::reach::item_name;
use crate::syntax::ast::File;

fn parsed(source: &str) -> File {
    match crate::syntax::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => panic!("{diagnostics:?}"),
    }
}

/// Each part's items by name; a value is marked `(stated)` when the part reconciles
/// its stated figure.
fn described(source: &str, rows: usize) -> Vec<Vec<String>> {
    let file = parsed(source);
    parts(&file, rows)
        .iter()
        .map(|part| part.items.iter().map(item_name).collect())
        .collect()
}

const HEADER: &str = r#"
decision "X/1" {
    title "T"
    period 2013-2014
    currency US$
}
rate = 13% stated 13%
unread = 2
"#;

/// A table `name` of two rows, the second computed by `formula`.
fn table(name: &str, formula: &str) -> String {
    format!(
        "table {name} {{\n unit US$\n columns 2013 2014 Total\n x \"X\" 1 2 3\n y \"Y\" 1 1 2 = {formula}\n}}\n"
    )
}

fn items(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

#[test]
fn tables_that_read_nothing_of_each_other_are_parts_and_share_the_values_they_read() {
    let source = format!(
        "{HEADER}{}{}",
        table("a", "rate of x"),
        table("b", "rate of x")
    );
    assert_eq!(
        described(&source, 1),
        [
            items(&["decision", "rate (stated)", "unread", "a"]),
            items(&["decision", "rate", "b"]),
        ],
        "only the first part reconciles the values"
    );
}

#[test]
fn tables_linked_through_a_value_or_a_reference_are_one_part() {
    let through_value = format!(
        "{HEADER}{}share = a.y * 2\n{}",
        table("a", "rate of x"),
        table("b", "share")
    );
    assert_eq!(described(&through_value, 1).len(), 1);
    let direct = format!("{HEADER}{}{}", table("a", "x"), table("b", "a.x"));
    assert_eq!(described(&direct, 1).len(), 1);
}

#[test]
fn items_of_the_same_name_are_one_part_so_that_the_duplicate_is_reported() {
    let source = format!("{HEADER}{}{}", table("a", "x"), table("a", "x"));
    assert_eq!(described(&source, 1).len(), 1);
    let value_named_like_a_table = format!("{HEADER}{}b = 2\n{}", table("a", "x"), table("b", "x"));
    assert_eq!(
        described(&value_named_like_a_table, 1),
        [
            items(&["decision", "rate (stated)", "unread", "a"]),
            items(&["decision", "b", "b"]),
        ]
    );
}

#[test]
fn parts_hold_at_least_the_rows_asked_for_and_one_part_is_the_file_itself() {
    let source = format!(
        "{HEADER}{}{}{}",
        table("a", "x"),
        table("b", "x"),
        table("c", "x")
    );
    let by_four = described(&source, 4);
    assert_eq!(by_four.len(), 2, "{by_four:?}");
    assert_eq!(by_four[0].last().map(String::as_str), Some("b"));
    let file = parsed(&source);
    assert_eq!(parts(&file, 100), [file]);
}
