//! Keeps the examples of the language reference, `docs/language.md`, true.
//!
//! - Every ```` ```bud ```` block is a complete decision file whose first line says what
//!   `bud check` finds in it, as in `tests/fixtures`: `// expect: clean` (no error and no
//!   warning; rounding notes are allowed) or `// expect: <code>[, <code>]` (each code is
//!   among the diagnostics). The decision and every scenario are checked, as `bud check`
//!   checks them.
//! - Every line of a ```` ```bud-excerpt ```` block, trimmed, is a line of
//!   `decisions/bs-vi-7.bud` (or part of one, once runs of spaces are collapsed), except
//!   a line that is only `…` or `...`, which marks lines left out. A block opened
//!   ```` ```bud-excerpt decisions/unfccc/22-cp-21.bud ```` quotes that decision instead.
//! - ```` ```text ```` blocks (output, diagnostics, fragments) are not checked; a block of
//!   any other kind is refused, so that a misspelt kind cannot skip a check.
//!
//! The reference must hold at least one block of each checked kind, and every failure
//! names the line of `docs/language.md` it is about.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bud::diagnostic::{Code, Diagnostic, Severity};

mod common;
use common::{code_named, describe, missing_codes};

const DOC: &str = include_str!("../docs/language.md");
const DECISION: &str = include_str!("../decisions/bs-vi-7.bud");
const DOC_NAME: &str = "docs/language.md";

/// One fenced code block of the reference.
struct Block {
    kind: String,
    /// The line of the opening fence, counted from 1.
    line: usize,
    /// The block's lines, without the fence's indentation.
    lines: Vec<String>,
}

impl Block {
    fn text(&self) -> String {
        self.lines.iter().map(|line| format!("{line}\n")).collect()
    }
}

/// The fenced blocks of a Markdown text, or why they cannot be read.
fn blocks(doc: &str) -> Result<Vec<Block>, String> {
    let mut found = Vec::new();
    let mut open: Option<(Block, usize)> = None;
    for (index, line) in doc.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(kind) = trimmed.strip_prefix("```") {
                    let block = Block {
                        kind: kind.trim().to_owned(),
                        line: number,
                        lines: Vec::new(),
                    };
                    open = Some((block, indent));
                }
            }
            Some((block, _)) if trimmed.trim_end() == "```" => found.push(block),
            Some((mut block, fence_indent)) => {
                // A block inside a list item is indented like its fence; a line indented
                // less is kept trimmed.
                let kept = match (line.get(..fence_indent), line.get(fence_indent..)) {
                    (Some(indent), Some(rest)) if indent.trim().is_empty() => rest,
                    _ => trimmed,
                };
                block.lines.push(kept.to_owned());
                open = Some((block, fence_indent));
            }
        }
    }
    match open {
        Some((block, _)) => Err(format!(
            "{DOC_NAME}:{}: the ```{} block is never closed",
            block.line, block.kind
        )),
        None => Ok(found),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Expectation {
    /// No error and no warning.
    Clean,
    /// Each of these codes is among the diagnostics.
    Codes(Vec<Code>),
}

/// Reads the `// expect: …` first line of a ```bud block.
fn expectation(block: &Block) -> Result<Expectation, String> {
    let at = format!("{DOC_NAME}:{}", block.line + 1);
    let first = block.lines.first().map_or("", |line| line.trim());
    let Some(rest) = first.strip_prefix("// expect:") else {
        return Err(format!(
            "{at}: a ```bud block starts with `// expect: clean` or `// expect: <code>`, not {first:?}"
        ));
    };
    let rest = rest.trim();
    if rest == "clean" {
        return Ok(Expectation::Clean);
    }
    let mut codes = Vec::new();
    for word in rest.split(',').map(str::trim) {
        match code_named(word) {
            Some(code) => codes.push(code),
            None => return Err(format!("{at}: {word:?} is not a diagnostic code of bud")),
        }
    }
    Ok(Expectation::Codes(codes))
}

/// Checks a ```bud block as `bud check` would: the decision, then each scenario.
fn check_bud_block(block: &Block) -> Result<(), String> {
    let expected = expectation(block)?;
    let at = format!("{DOC_NAME}:{}", block.line);
    let variants = bud::check(
        &bud::world::Overlay::new(
            bud::world::Memory::MAIN,
            block.text(),
            &bud::world::Memory::new(),
        ),
        bud::world::Memory::MAIN,
        bud::Request::Everything,
    )
    .variants;
    let malformed = variants.iter().any(bud::Checked::is_malformed);
    let diagnostics: Vec<Diagnostic> = variants.into_iter().flat_map(|c| c.diagnostics).collect();
    let produced = describe(&diagnostics);
    if diagnostics.iter().any(|d| d.code == Code::Internal) {
        return Err(format!(
            "{at}: bud reported an internal error; produced: {produced}"
        ));
    }
    match expected {
        Expectation::Clean => {
            let failing = diagnostics
                .iter()
                .any(|d| matches!(d.severity, Severity::Error | Severity::Warning));
            if failing || malformed {
                return Err(format!(
                    "{at}: the ```bud block expects `clean` (no error or warning); produced: {produced}"
                ));
            }
        }
        Expectation::Codes(codes) => {
            let missing = missing_codes(&codes, &diagnostics);
            if !missing.is_empty() {
                return Err(format!(
                    "{at}: the ```bud block expects {} but it was not produced; produced: {produced}",
                    missing.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn collapse_spaces(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks that every line of a ```bud-excerpt block is in the decision.
fn check_excerpt(block: &Block, decision: &str, file: &str) -> Result<(), String> {
    let trimmed: Vec<&str> = decision.lines().map(str::trim).collect();
    let collapsed: Vec<String> = decision.lines().map(collapse_spaces).collect();
    let mut problems = Vec::new();
    for (offset, line) in block.lines.iter().enumerate() {
        let line = line.trim();
        if line.is_empty() || line == "…" || line == "..." {
            continue;
        }
        let wanted = collapse_spaces(line);
        let present = trimmed.contains(&line)
            || collapsed
                .iter()
                .any(|decision_line| decision_line.contains(&wanted));
        if !present {
            problems.push(format!(
                "{DOC_NAME}:{}: this line of the ```bud-excerpt block at line {} is not in {file}: {line:?}",
                block.line + 1 + offset,
                block.line
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Every failure of a reference's checked blocks against a decision, one per line.
fn check_reference(doc: &str, decision: &str) -> Vec<String> {
    let blocks = match blocks(doc) {
        Ok(blocks) => blocks,
        Err(problem) => return vec![problem],
    };
    let mut failures = Vec::new();
    let (mut bud_blocks, mut excerpts) = (0, 0);
    for block in &blocks {
        let outcome = match block.kind.as_str() {
            "bud" => {
                bud_blocks += 1;
                check_bud_block(block)
            }
            "bud-excerpt" => {
                excerpts += 1;
                check_excerpt(block, decision, "decisions/bs-vi-7.bud")
            }
            kind if kind.starts_with("bud-excerpt decisions/") => {
                excerpts += 1;
                let file = kind.trim_start_matches("bud-excerpt ").trim();
                match std::fs::read_to_string(file) {
                    Ok(text) => check_excerpt(block, &text, file),
                    Err(error) => Err(format!(
                        "{DOC_NAME}:{}: the ```bud-excerpt block quotes {file}, which cannot be read: {error}",
                        block.line
                    )),
                }
            }
            "text" => Ok(()),
            other => Err(format!(
                "{DOC_NAME}:{}: a code block of kind {other:?}; write ```bud, ```bud-excerpt or ```text",
                block.line
            )),
        };
        if let Err(failure) = outcome {
            failures.push(failure);
        }
    }
    if bud_blocks == 0 {
        failures.push(format!(
            "{DOC_NAME} has no ```bud block: its complete examples are not checked"
        ));
    }
    if excerpts == 0 {
        failures.push(format!(
            "{DOC_NAME} has no ```bud-excerpt block: its excerpts of the decision are not checked"
        ));
    }
    failures
}

#[test]
fn the_examples_of_the_language_reference_hold() {
    let failures = check_reference(DOC, DECISION);
    assert!(
        failures.is_empty(),
        "{} problem{} with the examples of {DOC_NAME}:\n{}",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" },
        failures.join("\n")
    );
}

#[test]
fn a_broken_example_fails_at_its_line() {
    let doc = "# A reference\n\
               \n\
               ```bud-excerpt\n\
               programme_support_rate = 13%\n\
               programme_support_rate = 14%\n\
               ```\n\
               \n\
               ```bud\n\
               // expect: bud::eval::division_by_zero\n\
               x = 1\n\
               ```\n\
               \n\
               ```rust\n\
               ```\n";
    let failures = check_reference(doc, DECISION);
    assert_eq!(failures.len(), 3, "{failures:#?}");
    assert!(
        failures[0].starts_with("docs/language.md:5:") && failures[0].contains("14%"),
        "{}",
        failures[0]
    );
    assert!(
        failures[1].starts_with("docs/language.md:8:")
            && failures[1].contains("bud::eval::division_by_zero")
            && failures[1].contains("bud::decision::field"),
        "{}",
        failures[1]
    );
    assert!(
        failures[2].starts_with("docs/language.md:13:"),
        "{}",
        failures[2]
    );
}

#[test]
fn a_reference_without_checked_blocks_fails() {
    let failures = check_reference("# A reference\n\n```text\nbud check FILE\n```\n", DECISION);
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(failures[0].contains("no ```bud block"), "{}", failures[0]);
    assert!(
        failures[1].contains("no ```bud-excerpt block"),
        "{}",
        failures[1]
    );
    let unclosed = check_reference("```bud\n// expect: clean\n", DECISION);
    assert!(unclosed[0].contains("never closed"), "{unclosed:#?}");
}

#[test]
fn an_excerpt_of_another_decision_is_checked_against_that_decision() {
    let doc = "```bud-excerpt decisions/unfccc/22-cp-21.bud\n\
               import \"22-cp-21.bud\" as cop\n\
               ```\n\
               \n\
               ```bud-excerpt decisions/unfccc/12-cmp-11.bud\n\
               import \"22-cp-21.bud\" as cop\n\
               ```\n\
               \n\
               ```bud-excerpt decisions/unfccc/no-such-decision.bud\n\
               ```\n\
               \n\
               ```bud\n\
               // expect: bud::decision::field\n\
               ```\n";
    let failures = check_reference(doc, DECISION);
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(
        failures[0].starts_with("docs/language.md:2:")
            && failures[0].contains("is not in decisions/unfccc/22-cp-21.bud"),
        "{}",
        failures[0]
    );
    assert!(failures[1].contains("cannot be read"), "{}", failures[1]);
}
