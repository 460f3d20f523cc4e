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
    let checked = bud::check(
        &bud::world::Memory::decision(&excerpt),
        bud::world::Memory::MAIN,
        bud::Request::DECISION,
    )
    .into_first()
    .unwrap();
    let problems: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code != Code::ReconcileMismatch && d.code != Code::ReconcileRounding)
        .collect();
    assert!(checked.model.is_some(), "{:#?}", checked.diagnostics);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Collapses runs of spaces so that a quoted line matches however it is aligned.
fn collapsed(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_units_examples_are_lines_of_the_bundled_decision() {
    let readme = include_str!("../README.md");
    let decision: Vec<String> = include_str!("../decisions/bs-vi-7.bud")
        .lines()
        .map(collapsed)
        .collect();
    let units = readme
        .split("### Units")
        .nth(1)
        .and_then(|section| section.split("\n## ").next())
        .expect("the README has a Units section");
    let quoted: Vec<String> = units
        .split("```")
        .skip(1)
        .step_by(2)
        .flat_map(str::lines)
        .map(collapsed)
        .filter(|line| !line.is_empty())
        .collect();
    assert!(quoted.len() >= 3, "{quoted:#?}");
    for line in quoted {
        assert!(
            decision.contains(&line),
            "the README quotes a line the decision does not have: {line}"
        );
    }
}

/// The first code block of "Set up" is what a newcomer types first: exactly the two
/// commands it promises, the decision and the test suite; installing is said later.
#[test]
fn set_up_has_its_two_commands_and_install_its_own_section() {
    let readme = include_str!("../README.md");
    let set_up = readme
        .split("## Set up")
        .nth(1)
        .and_then(|section| section.split("```").nth(1))
        .expect("the README has a Set up section with a code block");
    let commands: Vec<&str> = set_up
        .lines()
        .skip(1) // the fence's language, `sh`
        .filter_map(|line| line.split('#').next())
        .map(str::trim)
        .filter(|command| !command.is_empty())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- evaluate decisions/bs-vi-7.bud",
            "cargo test --locked"
        ]
    );
    let install = readme
        .split("\n## Install\n")
        .nth(1)
        .and_then(|section| section.split("\n## ").next())
        .expect("the README has an Install section");
    assert!(
        install.contains("```sh\ncargo install --locked --path .\n```"),
        "{install}"
    );
}
