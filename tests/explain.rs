//! `bud explain`: every diagnostic code has a section in `docs/diagnostics.md`, and the
//! example of each section gives that code when bud checks it, so the explanations
//! cannot drift from what bud does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bud::diagnostic::Code;
use bud::diagnostic::explain::explanation;

/// Codes whose example cannot be a single `.bud` text: a file that cannot be read, a
/// `--scenario` the decision lacks, files that import each other, a git revision that
/// cannot be read, a spreadsheet that `bud import` cannot read. Their sections show the
/// commands and what bud prints instead.
const SHOWN_AS_COMMANDS: [Code; 7] = [
    Code::IoRead,
    Code::ScenarioUnknown,
    Code::ImportCycle,
    Code::IoRevision,
    Code::ImportSheet,
    Code::ImportRange,
    Code::ImportTable,
];

/// The fenced blocks of a section: (info string, text).
fn blocks(section: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let text: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        found.push((info.trim().to_owned(), text.join("\n") + "\n"));
    }
    found
}

fn codes_given_by(example: &str, data: &[(String, String)]) -> Vec<Code> {
    let read = |name: &str| {
        data.iter()
            .find(|(named, _)| named == name)
            .map(|(_, text)| text.clone())
            .ok_or_else(|| format!("the example has no data file {name}"))
    };
    bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, example, &read),
        bud::world::Memory::MAIN,
        bud::Request::Everything,
    )
    .variants
    .into_iter()
    .flat_map(|checked| checked.diagnostics)
    .map(|diagnostic| diagnostic.code)
    .collect()
}

#[test]
fn every_example_gives_the_code_it_explains() {
    let mut problems = Vec::new();
    for code in Code::ALL {
        let Some(section) = explanation(code) else {
            problems.push(format!("{code}: no section in docs/diagnostics.md"));
            continue;
        };
        let blocks = blocks(section);
        let example = blocks.iter().find(|(info, _)| info == "bud");
        match example {
            Some((_, example)) => {
                let data: Vec<(String, String)> = blocks
                    .iter()
                    .filter_map(|(info, text)| {
                        // A data file (`tsv table.tsv`) or another file the
                        // example imports (`file rates.bud`).
                        let name = info
                            .strip_prefix("tsv ")
                            .or_else(|| info.strip_prefix("file "))?;
                        Some((name.trim().to_owned(), text.clone()))
                    })
                    .collect();
                let given = codes_given_by(example, &data);
                if !given.contains(&code) {
                    problems.push(format!("{code}: the example gives {given:?} instead"));
                }
            }
            None if code == Code::Internal => {}
            None if SHOWN_AS_COMMANDS.contains(&code) => {
                if !blocks.iter().any(|(info, _)| info == "console") {
                    problems.push(format!("{code}: no example, not even as commands"));
                }
            }
            None => problems.push(format!("{code}: the section has no ```bud example")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_section_without_its_code_would_be_found() {
    // The harness itself: an example that gives another code is a problem.
    let example = "x = 1\n";
    assert!(!codes_given_by(example, &[]).contains(&Code::EvalRange));
}

#[test]
fn bud_explain_prints_the_section_and_suggests_a_code_for_a_typo() {
    let bud = env!("CARGO_BIN_EXE_bud");
    let shown = std::process::Command::new(bud)
        .args(["explain", "eval::range"])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(0));
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.starts_with("## bud::eval::range\n"), "{text}");
    assert!(text.contains("```bud"), "{text}");

    let typo = std::process::Command::new(bud)
        .args(["explain", "bud::reconcile::mismach"])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    let message = String::from_utf8(typo.stderr).unwrap();
    assert!(
        message.contains("Did you mean `bud::reconcile::mismatch`?"),
        "{message}"
    );
}

#[test]
fn bud_explain_without_a_code_lists_every_code() {
    let listed = std::process::Command::new(env!("CARGO_BIN_EXE_bud"))
        .arg("explain")
        .output()
        .unwrap();
    let text = String::from_utf8(listed.stdout).unwrap();
    for code in Code::ALL {
        assert!(text.contains(&format!("{code}\n")), "{code} is not listed");
    }
}
