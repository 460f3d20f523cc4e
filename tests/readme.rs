//! The README's tour must stay valid bud: its excerpt of Table 1 parses and resolves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bud::diagnostic::Code;

#[test]
fn the_tour_excerpt_is_valid_bud() {
    let readme = include_str!("../README.md");
    let tour = readme
        .split("## A short tour of the language")
        .nth(1)
        .and_then(|section| section.split("```").nth(1))
        .expect("the tour has a code block");
    // The excerpt elides rows with a line of `...`.
    let excerpt: String = tour
        .lines()
        .filter(|line| line.trim() != "...")
        .map(|line| format!("{line}\n"))
        .collect();
    let checked = bud::check(&excerpt);
    let problems: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code != Code::ReconcileMismatch && d.code != Code::ReconcileRounding)
        .collect();
    assert!(checked.model.is_some(), "{:#?}", checked.diagnostics);
    assert!(problems.is_empty(), "{problems:#?}");
}
