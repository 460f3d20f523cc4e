//! End-to-end runs of the real `bud` binary on the bundled decision and on broken
//! copies of it, as a budget officer would run them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const DECISION: &str = "decisions/bs-vi-7.bud";

fn bud() -> Command {
    let mut command = Command::cargo_bin("bud").unwrap();
    command.env("NO_COLOR", "1");
    command
}

fn decision_text() -> String {
    std::fs::read_to_string(DECISION).unwrap()
}

/// A copy of the bundled decision with one edit, in a fresh directory, so that
/// diagnostics name it `bs-vi-7.bud` wherever the tests run.
fn edited_copy(from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let text = decision_text();
    assert_eq!(
        text.matches(from).count(),
        1,
        "the edit must apply exactly once: {from}"
    );
    write_decision(&text.replacen(from, to, 1))
}

fn write_decision(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bs-vi-7.bud");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = bud().current_dir(dir).args(args).output().unwrap();
    let text =
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap();
    (output.status.code().unwrap(), text)
}

// ---------------------------------------------------------------- the bundled decision

#[test]
fn evaluate_shows_the_published_figures_of_every_table() {
    let output = bud().args(["evaluate", DECISION]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = |label: &str| -> String {
        stdout
            .lines()
            .find(|line| line.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line starting with {label:?} in:\n{stdout}"))
            .to_owned()
    };
    let figures_in_order = |label: &str, figures: &[&str]| {
        let text = line(label);
        let mut rest = text.as_str();
        for figure in figures {
            let at = rest.find(figure).unwrap_or_else(|| {
                panic!("{figure} missing after the previous figures in: {text}")
            });
            rest = &rest[at + figure.len()..];
        }
    };
    figures_in_order("Sub-total (I)", &["2,577.6 ✓", "2,622.3 ✓", "5,199.9 ✓"]);
    figures_in_order(
        "II. Programme support charge (13%)",
        &["335.1 ✓", "340.9 ✓", "676.0 ✓"],
    );
    figures_in_order("GRAND TOTAL", &["2,922.1 ✓", "2,963.1 ≈", "5,885.2 ≈"]);
    figures_in_order(
        "Less contribution from host country",
        &["189.5 ✓", "193.3 ✓", "382.9 ✓"],
    );
    figures_in_order("NET TOTAL", &["2,532.6 ✓", "2,569.8 ≈", "5,102.4 ✓"]);
    figures_in_order("TOTAL (I + II)", &["12.5 ✓", "12.5 ✓"]);
    figures_in_order(
        "Sub-total (I)                                                                         1,255,000",
        &["1,255,000 ✓"],
    );
    assert!(stdout.contains("163,150 ✓"));
    assert!(stdout.contains("1,418,150 ✓"));
    assert!(stdout.contains("678.0 ✓"));
    assert!(
        stdout.contains("GRAND TOTAL (I + II + III), 2014: stated 2,963.1, computed 2,963.199, difference -0.099"),
        "the 2014 grand total must be explained as rounding:\n{stdout}"
    );
}

#[test]
fn evaluate_output_is_the_published_layout() {
    let output = bud().args(["evaluate", DECISION]).output().unwrap();
    insta::assert_snapshot!(
        "evaluate_bs_vi_7",
        String::from_utf8(output.stdout).unwrap()
    );
}

#[test]
fn evaluate_output_is_byte_identical_from_run_to_run() {
    let first = bud().args(["evaluate", DECISION]).output().unwrap().stdout;
    let second = bud().args(["evaluate", DECISION]).output().unwrap().stdout;
    assert_eq!(first, second);
}

#[test]
fn check_passes_on_the_bundled_decision_and_shows_rounding() {
    bud()
        .args(["check", DECISION])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("bud::reconcile::rounding"))
        .stdout(predicate::str::contains("0 do not reconcile; 0 errors"))
        .stdout(predicate::str::contains("×").not());
}

// ---------------------------------------------------------------- an edited input

#[test]
fn an_edited_input_fails_check_on_every_total_that_depends_on_it() {
    let (dir, _) = edited_copy(
        "A. staff_costs      \"Staff costs *\"                                   1,875.2",
        "A. staff_costs      \"Staff costs *\"                                   1,885.2",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    for expected in [
        "Table 1, A. Staff costs *, Total: stated 3,791.9, but bud computes 3,801.9",
        "Table 1, Sub-total (I), 2013: stated 2,577.6, but bud computes 2,587.6",
        "Table 1, Sub-total (I), Total: stated 5,199.9, but bud computes 5,209.9",
        "Table 1, II. Programme support charge (13%), 2013: stated 335.1, but bud computes 336.388",
        "Table 1, GRAND TOTAL (I + II + III), 2013: stated 2,922.1, but bud computes 2,933.388",
        "Table 1, TOTAL, 2013: stated 2,732.6, but bud computes 2,743.8549354",
        "Table 1, NET TOTAL (amount to be shared by Parties), 2013: stated 2,532.6, but bud computes",
        "paragraph 2, `approved_core_budget` for 2013: stated US$ 2,922,100, but bud computes US$",
    ] {
        assert!(
            output.contains(expected),
            "missing {expected:?} in:\n{output}"
        );
    }
    // The sub-total's error underlines its stated 2013 figure: line 54, column 79.
    assert!(output.contains("[bs-vi-7.bud:54:79]"), "{output}");
    assert!(
        output.contains("bud computes 2,587.6; the stated figure is 10.0 lower"),
        "{output}"
    );
    assert!(
        output.contains("computed as sum(expenditures) = A. 1,885.2 + B. 20.0"),
        "{output}"
    );
    assert!(
        output.contains("12 do not reconcile; 12 errors"),
        "{output}"
    );
    insta::assert_snapshot!("check_edited_staff_costs", output);
}

// ---------------------------------------------------------------- syntax and names

#[test]
fn a_misspelt_keyword_is_named_with_its_correction() {
    let (dir, _) = edited_copy("table 2 staffing {", "tabel 2 staffing {");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert_eq!(
        output.matches("bud::").count(),
        1,
        "one diagnostic only:\n{output}"
    );
    assert!(output.contains("unknown keyword `tabel`"), "{output}");
    assert!(output.contains("did you mean `table`?"), "{output}");
    assert!(output.contains("[bs-vi-7.bud:66:1]"), "{output}");
}

#[test]
fn a_missing_figure_is_pointed_at() {
    let (dir, _) = edited_copy(
        "\"Biosafety Bureau meetings\"                          20.0      25.0      45.0",
        "\"Biosafety Bureau meetings\"                          20.0      25.0",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert_eq!(
        output.matches("bud::").count(),
        1,
        "one diagnostic only:\n{output}"
    );
    assert!(
        output.contains("row \"Biosafety Bureau meetings\" has 2 figures but Table 1 has 3 columns (2013, 2014, Total)"),
        "{output}"
    );
    assert!(output.contains("[bs-vi-7.bud:41:82]"), "{output}");
}

#[test]
fn a_missing_amount_after_equals_is_a_syntax_error_at_the_end_of_the_line() {
    let (dir, _) = edited_copy(
        "host_growth             = 2 per cent",
        "host_growth             =",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("expected a value or a formula, found the end of the line"),
        "{output}"
    );
    assert!(output.contains("[bs-vi-7.bud:19:30]"), "{output}");
}

#[test]
fn an_unknown_name_suggests_the_closest_known_one() {
    let (dir, _) = edited_copy(
        "= subtotal + support + reserve",
        "= subtotl + support + reserve",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        output.matches("bud::").count(),
        1,
        "one diagnostic, no cascade:\n{output}"
    );
    assert!(output.contains("`subtotl` is not defined"), "{output}");
    assert!(output.contains("did you mean `subtotal`?"), "{output}");
    assert!(output.contains("[bs-vi-7.bud:57:110]"), "{output}");
}

// ---------------------------------------------------------------- files and exit codes

#[test]
fn a_missing_file_exits_2() {
    bud()
        .args(["check", "decisions/no-such-decision.bud"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("there is no such file"));
    bud()
        .args(["evaluate", "decisions/no-such-decision.bud"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no such file"));
}

#[test]
fn a_directory_is_not_a_decision_file() {
    bud()
        .args(["check", "decisions"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("is a directory"));
}

#[test]
fn several_files_are_checked_and_the_worst_outcome_decides_the_exit_code() {
    let (dir, broken) = edited_copy(
        "= subtotal + support + reserve",
        "= subtotl + support + reserve",
    );
    let bundled = std::fs::canonicalize(DECISION).unwrap();
    let output = bud()
        .current_dir(dir.path())
        .args(["check"])
        .arg(&bundled)
        .arg(&broken)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.matches("stated figures reconciled").count(),
        2,
        "{stdout}"
    );

    let output = bud()
        .args(["evaluate", DECISION, "decisions/no-such-decision.bud"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("==> decisions/bs-vi-7.bud <==")
    );
}

#[test]
fn evaluate_prints_tables_and_reports_errors_on_stderr() {
    let (dir, _) = edited_copy("2,577.6   2,622.3   5,199.9", "2,575.6   2,622.3   5,199.9");
    let output = bud()
        .current_dir(dir.path())
        .args(["evaluate", "bs-vi-7.bud"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("2,577.6 ✗1"), "{stdout}");
    assert!(
        stdout
            .contains("✗1 Sub-total (I), 2013: stated 2,575.6, computed 2,577.6, difference -2.0"),
        "{stdout}"
    );
    assert!(stderr.contains("bud::reconcile::mismatch"), "{stderr}");
}

#[test]
fn help_documents_the_exit_codes() {
    bud()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains(
            "2  a file cannot be read or parsed",
        ));
}

#[test]
fn colour_is_off_unless_asked_for() {
    let (dir, _) = edited_copy(
        "= subtotal + support + reserve",
        "= subtotl + support + reserve",
    );
    let (_, plain) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert!(!plain.contains('\u{1b}'));
    let (_, coloured) = run_in(dir.path(), &["check", "--color", "always", "bs-vi-7.bud"]);
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn a_reader_that_goes_away_does_not_crash_bud() {
    for command in ["check", "evaluate"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bud"))
            .args([command, DECISION])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader closes before bud writes a byte
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        assert_ne!(output.status.code(), Some(101), "{command}: {stderr}");
    }
}
