//! End-to-end runs of the real `bud` binary on the bundled decision and on broken
//! copies of it, as a budget officer would run them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const DECISION: &str = "decisions/bs-vi-7.bud";
const TABLE_5: &str = "decisions/bs-vi-7-table-5.tsv";

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

/// The decision, with the data file it names beside it.
fn write_decision(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bs-vi-7.bud");
    std::fs::write(&path, text).unwrap();
    std::fs::copy(TABLE_5, dir.path().join("bs-vi-7-table-5.tsv")).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
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
fn check_is_quiet_on_the_bundled_decision_and_counts_its_rounding_notes() {
    let output = bud().args(["check", DECISION]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    // A decision that reconciles prints its summary lines and nothing else.
    assert_eq!(
        stdout,
        "decisions/bs-vi-7.bud: 872 stated figures reconciled: 864 match, 8 differ by rounding, \
         0 do not reconcile; 0 errors, 10 notes (`--notes` lists them)\n\
         decisions/bs-vi-7.bud, scenario `contingency-2015`: 51 stated figures reconciled: \
         39 match, 12 differ by rounding, 0 do not reconcile; 0 errors, 12 notes (`--notes` lists them)\n"
    );
}

#[test]
fn check_lists_the_notes_when_asked_and_only_errors_when_quiet() {
    for notes in ["--notes", "-v"] {
        let output = bud().args(["check", notes, DECISION]).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout.matches("  ☞ ").count(), 22, "{stdout}");
        assert!(stdout.contains("see: bud explain bud::reconcile::rounding"));
        assert!(stdout.contains("; 0 errors, 10 notes\n"), "{stdout}");
        assert!(!stdout.contains("×"), "{stdout}");
    }
    let quiet = bud().args(["check", "-q", DECISION]).output().unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(String::from_utf8(quiet.stdout).unwrap(), "");
}

#[test]
fn with_one_wrong_figure_the_first_line_of_check_is_that_error() {
    let (dir, _) = edited_copy("1,875.2   1,916.7   3,791.9", "1,857.2   1,916.7   3,791.9");
    for arguments in [
        &["check", "bs-vi-7.bud"][..],
        &["check", "--notes", "bs-vi-7.bud"],
    ] {
        let (code, output) = run_in(dir.path(), arguments);
        assert_eq!(code, 1, "{output}");
        assert_eq!(
            output.lines().next(),
            Some(
                "  × Table 1, A. Staff costs *, 2013: 1,857.2 does not agree with the 2 stated figures computed"
            ),
            "{output}"
        );
    }
    let (code, quiet) = run_in(dir.path(), &["check", "-q", "bs-vi-7.bud"]);
    assert_eq!(code, 1);
    assert_eq!(errors_in(&quiet), 1, "{quiet}");
    assert!(!quiet.contains("☞ paragraph 2"), "no notes: {quiet}");
    assert!(
        !quiet.contains("stated figures reconciled"),
        "no summaries: {quiet}"
    );
}

// ---------------------------------------------------------------- an edited input

#[test]
fn an_edited_input_is_reported_once_at_the_figure_to_correct() {
    let (dir, _) = edited_copy("1,875.2   1,916.7   3,791.9", "1,885.2   1,916.7   3,791.9");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    // Every total computed from the line moves (the row's Total, the Sub-total, the
    // support charge, the grand total, paragraph 2, every contribution of Table 5), but
    // the one error is at the figure that was changed: line 40, column 72.
    assert_eq!(errors_in(&output), 1, "one error only:\n{output}");
    assert!(output.contains("[bs-vi-7.bud:40:72]"), "{output}");
    assert!(
        output.contains(
            "Table 1, A. Staff costs *, 2013: 1,885.2 does not agree with the 2 stated figures"
        ),
        "{output}"
    );
    assert!(
        output.contains("1,875.2 here (-10.0) would reconcile them"),
        "{output}"
    );
    // The two figures that agree it should be 1,875.2 are its labels.
    assert!(
        output
            .contains("Table 1, A. Staff costs *, Total: stated 3,791.9, reconciles with 1,875.2"),
        "{output}"
    );
    assert!(
        output.contains("[bs-vi-7.bud:54:72]"),
        "the Sub-total's own snippet:\n{output}"
    );
    // The others are counted, not reported again.
    assert!(
        output.contains(
            "872 stated figures reconciled: 622 match, 5 differ by rounding, 245 do not reconcile \
             (245 follow from an error reported once); 1 error"
        ),
        "{output}"
    );
    insta::assert_snapshot!("check_edited_staff_costs", output);
}

#[test]
fn an_edited_input_still_shows_every_figure_it_moves_in_evaluate() {
    let (dir, _) = edited_copy("1,875.2   1,916.7   3,791.9", "1,885.2   1,916.7   3,791.9");
    let (code, output) = run_in(dir.path(), &["evaluate", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    // The tables stay honest: the wrong figure is the one error, ✗1; each published
    // figure that differs only because of it is marked as following from it, with
    // bud's figure beside it, never in its place.
    assert!(
        output.contains("  A. Staff costs *                                1,885.2 ✗1"),
        "{output}"
    );
    assert!(
        output.contains(
            "Sub-total (I)                                     2,577.6 →✗1 (bud 2,587.6)"
        ),
        "{output}"
    );
    assert!(
        output.contains("✗1 A. Staff costs *, 2013: 1,885.2 is the wrong figure: 1,875.2 here (-10.0) would reconcile the 2 stated figures computed from it"),
        "{output}"
    );
    assert!(
        output.contains("→✗1 follows from ✗1 (Table 1, A. Staff costs *, 2013)"),
        "{output}"
    );
    let table_marks = output
        .match_indices(" ✗")
        .filter(|(at, _)| output[..*at].ends_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(
        table_marks, 1,
        "one error mark, at the wrong figure:\n{output}"
    );
    assert!(
        output.contains("245 of those that do not reconcile follow from an error reported once"),
        "{output}"
    );
}

// ---------------------------------------------------------------- syntax and names

#[test]
fn a_misspelt_keyword_is_named_with_its_correction() {
    let (dir, _) = edited_copy("table 2 staffing {", "tabel 2 staffing {");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert_eq!(errors_in(&output), 1, "one error only:\n{output}");
    assert!(output.contains("unknown keyword `tabel`"), "{output}");
    assert!(output.contains("did you mean `table`?"), "{output}");
    assert!(output.contains("[bs-vi-7.bud:66:1]"), "{output}");
}

#[test]
fn a_missing_figure_is_pointed_at() {
    let (dir, _) = edited_copy("20.0      25.0      45.0", "20.0      25.0");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert_eq!(errors_in(&output), 1, "one error only:\n{output}");
    assert!(
        output.contains("row \"Biosafety Bureau meetings\" has 2 figures but Table 1 has 3 columns (2013, 2014, Total)"),
        "{output}"
    );
    assert!(output.contains("[bs-vi-7.bud:41:75]"), "{output}");
}

#[test]
fn a_missing_amount_after_equals_is_a_syntax_error_at_the_end_of_the_line() {
    let (dir, _) = edited_copy(
        "host_growth            = 2 per cent",
        "host_growth            =",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("expected a value or a formula, found the end of the line"),
        "{output}"
    );
    assert!(output.contains("[bs-vi-7.bud:19:29]"), "{output}");
}

#[test]
fn an_unknown_name_suggests_the_closest_known_one() {
    let (dir, _) = edited_copy(
        "5,885.2  = subtotal + support + reserve",
        "5,885.2  = subtotl + support + reserve",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    assert_eq!(errors_in(&output), 1, "one error, no cascade:\n{output}");
    assert!(output.contains("`subtotl` is not defined"), "{output}");
    assert!(output.contains("did you mean `subtotal`?"), "{output}");
    assert!(output.contains("[bs-vi-7.bud:57:103]"), "{output}");
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
fn evaluate_refuses_a_directory_and_check_checks_the_decisions_in_it() {
    bud()
        .args(["evaluate", "decisions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    bud()
        .args(["check", "decisions"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "decisions/bs-vi-7.bud: 872 stated figures reconciled",
        ));
}

#[test]
fn several_files_are_checked_and_the_worst_outcome_decides_the_exit_code() {
    let (dir, broken) = edited_copy(
        "5,885.2  = subtotal + support + reserve",
        "5,885.2  = subtotl + support + reserve",
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
    // A line for each file's decision and one for each file's scenario.
    assert_eq!(
        stdout.matches("stated figures reconciled").count(),
        4,
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
    // The published figure stays in its cell, with bud's beside it.
    assert!(stdout.contains("2,575.6 ✗1 (bud 2,577.6)"), "{stdout}");
    assert!(
        stdout
            .contains("✗1 Sub-total (I), 2013: stated 2,575.6, computed 2,577.6, difference -2.0"),
        "{stdout}"
    );
    assert!(stderr.contains("bud::reconcile::mismatch"), "{stderr}");
    for (format, beside) in [
        ("html", "2,575.6<span class=\"mark mismatch\""),
        ("markdown", "2,575.6 ✗1 (bud 2,577.6)"),
    ] {
        let output = bud()
            .current_dir(dir.path())
            .args(["evaluate", "bs-vi-7.bud", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains(beside), "{format}: {text}");
        if format == "html" {
            assert!(
                text.contains("<span class=\"bud\">bud 2,577.6</span>"),
                "{text}"
            );
        }
    }
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
        "5,885.2  = subtotal + support + reserve",
        "5,885.2  = subtotl + support + reserve",
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

// ---------------------------------------------------------------- Table 5, the scale of assessments

/// A copy of the decision and its Table 5 data file, with one edit to the data file.
fn edited_table_5(from: &str, to: &str) -> tempfile::TempDir {
    let (dir, _) = write_decision(&decision_text());
    let data = std::fs::read_to_string(TABLE_5).unwrap();
    assert_eq!(
        data.matches(from).count(),
        1,
        "the edit must apply once: {from}"
    );
    std::fs::write(
        dir.path().join("bs-vi-7-table-5.tsv"),
        data.replacen(from, to, 1),
    )
    .unwrap();
    dir
}

/// The Party names of Table 5, from its data file.
fn table_5_parties() -> Vec<String> {
    std::fs::read_to_string(TABLE_5)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|name| *name != "TOTAL")
        .map(str::to_owned)
        .collect()
}

/// The `×` lines about Table 5, in the order `bud check` printed them.
/// How many errors a human `bud check` printed: each report's first line is its `×`.
fn errors_in(output: &str) -> usize {
    output
        .lines()
        .filter(|line| line.starts_with("  × "))
        .count()
}

fn table_5_errors(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("  × Table 5, "))
        .collect()
}

#[test]
fn table_5_reproduces_every_published_figure_of_all_164_parties() {
    let output = bud().args(["evaluate", DECISION]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let table_5 = &stdout[stdout.find("Table 5.").unwrap()..];
    let parties = table_5_parties();
    assert_eq!(parties.len(), 164);
    for party in &parties {
        let line = table_5
            .lines()
            .find(|line| line.starts_with(party.as_str()) && line[party.len()..].starts_with("  "))
            .unwrap_or_else(|| panic!("no line for {party}"));
        // Adjusted scale and contribution for 2013 and 2014, and the Total: all ✓.
        assert_eq!(line.matches('✓').count(), 5, "{line}");
    }
    let total = table_5
        .lines()
        .find(|line| line.starts_with("TOTAL"))
        .unwrap();
    for figure in ["71.671", "100.000", "2,532,558", "2,569,825", "5,102,383"] {
        assert!(total.contains(figure), "{total}");
    }
    let words = table_5.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(
        "held at a limit: Angola, Bangladesh, Ethiopia, Sudan, United Republic of Tanzania, Yemen"
    ));
    assert!(words.contains("rounded contributions add up to US$ 2,532,562 (residue +4)"));
    assert!(words.contains("rounded contributions add up to US$ 2,569,821 (residue -4)"));
}

#[test]
fn check_reports_table_5_s_rounding_residue_as_information() {
    let (code, output) = run_in(Path::new("decisions"), &["check", "--notes", "bs-vi-7.bud"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains(
        "Table 5, 2013: the rounded contributions add up to US$ 2,532,562, US$ 4 more than the amount"
    ));
    assert!(output.contains("bud::apportion::residue"));
    assert!(output.contains("872 stated figures reconciled: 864 match, 8 differ by rounding, 0 do not reconcile; 0 errors"));
}

#[test]
fn a_mistyped_un_rate_is_one_error_at_it_with_what_it_moves_counted() {
    let dir = edited_table_5(
        "Japan\t12.530\t17.665\t447379\t12.530",
        "Japan\t12.630\t17.665\t447379\t12.630",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    // Japan's own rate, the rates the changed sum moves, their contributions and
    // Totals, and the TOTAL line's sum of UN rates: one cause, one error.
    assert_eq!(
        table_5_errors(&output),
        ["Japan, base rate: printed 12.630, but the adjusted rates fit 12.530"],
        "{output}"
    );
    assert!(
        output.contains("374 do not reconcile (374 follow from an error reported once); 1 error"),
        "{output}"
    );
    assert!(
        output.contains("Japan's own and 373 moved through the sum"),
        "{output}"
    );
    // Japan's line in the data file is pointed at, line 74, column 7 (the 12.630).
    assert!(output.contains("[bs-vi-7-table-5.tsv:74:7]"), "{output}");
}

#[test]
fn a_least_developed_country_left_out_of_the_group_fails_with_how_its_rate_was_computed() {
    let (dir, _) = edited_copy(
        "\"Eritrea\"  \"Ethiopia\"  \"Gambia\"",
        "\"Eritrea\"  \"Gambia\"",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    let errors = table_5_errors(&output);
    assert_eq!(
        errors[0],
        "Ethiopia, adjusted scale 2013 (%): stated 0.010, but bud computes 0.011"
    );
    // The message shows the published precision; the help, every digit.
    assert!(output.contains("0.011278445669…"), "{output}");
    assert!(
        errors[1]
            .starts_with("Ethiopia, contribution 2013: stated US$ 253, but bud computes US$ 286")
    );
    let report = &output[output
        .find("× Table 5, Ethiopia, adjusted scale 2013")
        .unwrap()..];
    let help = report[report.find("help: ").unwrap()..report.find("bud::").unwrap()]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.starts_with("help: Ethiopia's UN scale 0.008 × the rescaling factor 1.409805708664… = 0.011278445669…: no cap applied, as Ethiopia is not in group `ldc` and the rate is below the 22% ceiling. The rescaling factor is (100 − 2.5 fixed − 0.05 held at a limit) / 69.123"),
        "{help}"
    );
}

#[test]
fn a_bad_cell_in_the_data_file_is_pointed_at_by_file_line_and_column() {
    let dir = edited_table_5("Japan\t12.530", "Japan\t12.53O");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("bud::data::row"), "{output}");
    assert!(
        output.contains("line 74 of bs-vi-7-table-5.tsv: `12.53O` is not a figure"),
        "{output}"
    );
    assert!(output.contains("[bs-vi-7-table-5.tsv:74:7]"), "{output}");
}

#[test]
fn a_slip_in_table_5_s_total_is_one_error_at_the_total_not_one_per_party() {
    // +300 is within what Table 1's rounding allows the amount, but not within what
    // the 164 published contributions allow their sum (±82.5).
    let dir = edited_table_5("\t2569825\t5102383", "\t2570125\t5102383");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    assert_eq!(
        table_5_errors(&output),
        ["TOTAL, contribution 2014: stated US$ 2,570,125, but the Parties' published"]
    );
    assert!(output.contains("[bs-vi-7-table-5.tsv:166:45]"), "{output}");
    assert!(output.contains("0 do not reconcile; 1 error"), "{output}");
}

// ---------------------------------------------------------------- scenarios

#[test]
fn the_contingency_scenario_shows_tables_6_and_7_with_2015() {
    let output = bud()
        .args(["evaluate", DECISION, "--scenario", "contingency-2015"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Scenario contingency-2015"), "{stdout}");
    let line = |label: &str| -> &str {
        stdout
            .lines()
            .find(|line| line.starts_with(label))
            .unwrap_or_else(|| panic!("no line {label:?} in:\n{stdout}"))
    };
    assert!(line("GRAND TOTAL (I + II + III)").contains("8,810.1"));
    assert!(line("Less contribution from host country").contains("197.2 ✓"));
    assert!(line("Less contribution from host country").contains("580.0"));
    assert!(line("TOTAL    ").contains("8,230.0"));
    assert!(line("NET TOTAL").contains("7,830.0"));
    assert!(line("TOTAL (I + II)").ends_with("12.5 ✓  12.5 ✓  12.5 ✓"));
    assert!(stdout.contains("Table 6.") && stdout.contains("Table 7."));
    assert!(!stdout.contains("Table 1.") && !stdout.contains("Table 5."));
    // Table 6 has rounding differences, none of them an error.
    assert!(
        stdout.contains("differ by rounding, 0 do not reconcile"),
        "{stdout}"
    );
}

#[test]
fn paragraph_22_alternatives_start_from_the_published_2013_2014_level() {
    let output = bud().args(["evaluate", DECISION]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let value = |name: &str| -> String {
        let line = stdout
            .lines()
            .find(|line| line.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no line {name:?} in:\n{stdout}"));
        line.trim_start()[name.len()..].trim().to_owned()
    };
    // The published 2,922.1 + 2,963.1, not bud's computed 5,885.287 (which would give 6,326.7).
    assert_eq!(value("core_budget_level_2013_2014"), "US$ 5,885.2 thousand");
    assert_eq!(value("alternative_b_increased"), "US$ 6,326.6 thousand");
    assert_eq!(value("alternative_c_maintained"), "US$ 5,885.2 thousand");
    // Paragraph 2 converts Table 1's thousands to US$ explicitly, as it states them.
    assert!(
        value("approved_core_budget[2013]").starts_with("US$ 2,922,088  ≈ stated US$ 2,922,100"),
        "{stdout}"
    );
}

#[test]
fn check_covers_the_decision_and_every_scenario() {
    let (code, output) = run_in(Path::new("decisions"), &["check", "--notes", "bs-vi-7.bud"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains(
        "bs-vi-7.bud, scenario `contingency-2015`: 51 stated figures reconciled: 39 match, 12 differ by rounding, 0 do not reconcile; 0 errors"
    ), "{output}");
    assert!(output.contains(
        "scenario `contingency-2015`: Table 6, Sub-total (I), 2013: stated 2,477.7, computed 2,477.6"
    ), "{output}");
}

#[test]
fn an_unknown_scenario_is_named_with_a_suggestion() {
    let output = bud()
        .args(["evaluate", DECISION, "--scenario", "contingency-2016"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bud::scenario::unknown"), "{stderr}");
    assert!(
        stderr.contains("there is no scenario `contingency-2016`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `contingency-2015`?"),
        "{stderr}"
    );
}

#[test]
fn a_scenario_replacing_a_missing_table_fails_check_at_the_name() {
    let (dir, _) = edited_copy(
        "    replace table 7 staffing {",
        "    replace table 7 stafing {",
    );
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains(
        "scenario `contingency-2015` replaces `stafing`, but the decision has no table of that name"
    ), "{output}");
    assert!(output.contains("did you mean `staffing`?"), "{output}");
}

#[test]
fn compare_lists_the_rows_a_scenario_changes_as_published() {
    let output = bud()
        .args(["compare", DECISION, "--scenario", "contingency-2015"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("the decision → contingency-2015\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Table 1 → Table 6 (core_budget)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  C. COP/MOP: 2013 200.0 → 100.0, 2014 250.0 → 200.0, 2015 — → 150.0"),
        "{stdout}"
    );
    // Published figures, not recomputed ones: 2,963.1, not 2,963.2.
    assert!(
        stdout
            .contains("GRAND TOTAL (I + II + III): 2013 2,922.1 → 2,948.4, 2014 2,963.1 → 2,901.1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Table 5 (contributions): only in the decision"),
        "{stdout}"
    );
    // Table 3 is the same in both, though two of its rows share a label.
    assert!(!stdout.contains("voluntary_bh"), "{stdout}");
    insta::assert_snapshot!("compare_contingency_2015", stdout);
}

#[test]
fn compare_shows_what_a_changed_rule_computes_where_the_figures_are_the_same() {
    // A scenario that raises the support rate to 14% and restates nothing.
    let text = decision_text()
        + "\nscenario dearer \"If UNEP charges 14%\" {\n    replace programme_support_rate = 14%\n}\n";
    let (dir, path) = write_decision(&text);
    let output = bud()
        .current_dir(dir.path())
        .args(["compare", path.to_str().unwrap(), "--scenario", "dearer"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    // 13% of 2,577.6 is 335.1; 14% is 360.9.
    assert!(
        stdout.contains(
            "II. Programme support charge (13%): 2013 computed 335.1 → 360.9 (published 335.1 in both)"
        ),
        "{stdout}"
    );
}

#[test]
fn compare_needs_a_known_scenario() {
    let output = bud()
        .args(["compare", DECISION, "--scenario", "contingency"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("there is no scenario `contingency`"),
        "{stderr}"
    );
    let output = bud().args(["compare", DECISION]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "--scenario is required");
}

#[test]
fn the_arrears_rule_is_applied_to_the_example_status_file_in_every_output() {
    let output = bud().args(["evaluate", DECISION]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let table = &text[text.find("Arrears (bureau).").expect("the arrears table")..];
    let line = |party: &str| -> String {
        let start = table
            .find(&format!("\n{party} "))
            .unwrap_or_else(|| panic!("{party}"));
        // A line and what its Why column wraps onto, up to the blank line after it.
        let rest = &table[start + 1..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (party, expected) in [
        ("Argentina", "2011, 2012 17,200 no in arrears for 2 years"),
        (
            "Germany",
            "2012 85,000 yes in arrears for 1 year, fewer than 2",
        ),
        (
            "Bangladesh",
            "yes in arrears for 2 years, but in the group Least developed countries (2012): the rule does not apply",
        ),
        (
            "Jamaica",
            "yes in arrears for 3 years, but in the group Small island developing States: the rule does not apply",
        ),
        (
            "Brazil",
            "yes in arrears for 2 years, but keeps to its agreed schedule of payments",
        ),
        (
            "Mexico",
            "no in arrears for 2 years, and does not keep to its agreed schedule of payments",
        ),
        (
            "Peru",
            "yes arrears only for years before 2005, which the rule does not count",
        ),
    ] {
        assert!(line(party).contains(expected), "{party}: {}", line(party));
    }
    // The example says it is one wherever the table is printed.
    assert!(
        table.contains(
            "Status of contributions: bs-vi-7-status-example.tsv. SYNTHETIC EXAMPLE, NOT REAL DATA"
        ),
        "{table}"
    );
    // Machines get the same table, its kind said.
    let json = bud()
        .args(["evaluate", DECISION, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let arrears = json["decision"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "arrears")
        .expect("an arrears table");
    assert_eq!(arrears["lines"].as_array().unwrap().len(), 8);
}

#[test]
fn two_figures_swapped_are_one_error_in_check_and_in_the_table() {
    let (dir, _) = edited_copy("20.0      25.0      45.0", "25.0      20.0      45.0");
    let (code, output) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_eq!(code, 1, "{output}");
    assert_eq!(errors_in(&output), 1, "{output}");
    assert!(
        output.starts_with("  × Table 1, B. Biosafety Bureau meetings: 2013 and 2014 look swapped"),
        "{output}"
    );
    let (_, table) = run_in(dir.path(), &["evaluate", "bs-vi-7.bud", "--table", "1"]);
    assert!(
        table.contains("  B. Biosafety Bureau meetings                       25.0 ✗1                    20.0 ✗1 "),
        "{table}"
    );
    assert!(table.contains("✗1 B. Biosafety Bureau meetings, 2013: 25.0 looks swapped with the 20.0 of the same row"), "{table}");
    assert!(!table.contains("✗2"), "one error, one number: {table}");
}

#[test]
fn a_mistyped_base_rate_carries_the_error_mark_in_the_scale() {
    let dir = edited_table_5("Germany\t8.018\t11.304", "Germany\t8.081\t11.304");
    let (code, table) = run_in(dir.path(), &["evaluate", "bs-vi-7.bud", "--table", "5"]);
    assert_eq!(code, 1, "{table}");
    let germany = table.lines().find(|l| l.starts_with("Germany")).unwrap();
    assert!(germany.contains("8.081 ✗1 "), "{germany}");
    assert!(
        table.contains(
            "\n✗1 Table 5, Germany, base rate: printed 8.081, but the adjusted rates fit 8.018"
        ),
        "{table}"
    );
    assert!(
        table.contains("→✗1 follows from ✗1 (Table 5, Germany, base rate)"),
        "{table}"
    );
}

#[test]
fn one_table_is_asked_for_by_its_number_heading_or_name() {
    for (file, wanted, heading) in [
        (DECISION, "1", "Table 1. "),
        (DECISION, "Table 2", "Table 2. "),
        (DECISION, "contributions", "Table 5. "),
        (DECISION, "arrears-bureau", "Arrears (bureau)"),
        ("decisions/unfccc/12-cmp-11.bud", "annex-ii", "Annex II. "),
        ("decisions/unfccc/12-cmp-11.bud", "kyoto", "Annex I. "),
    ] {
        let output = bud()
            .args(["evaluate", file, "--table", wanted])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{wanted}");
        let text = String::from_utf8(output.stdout).unwrap();
        let headings: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with("Table ") || l.starts_with("Annex ") || l.starts_with("Arrears (")
            })
            .collect();
        assert_eq!(headings.len(), 1, "{wanted}: {headings:?}");
        assert!(headings[0].starts_with(heading), "{wanted}: {headings:?}");
    }
    let output = bud()
        .args(["evaluate", DECISION, "--table", "9"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(
        error.contains("has no table `9`; give one of 1 (core_budget), 2 (staffing)"),
        "{error}"
    );
}

#[test]
fn errors_are_numbered_in_the_order_check_prints_them_across_files() {
    // One error in the decision file, one in its data file, which sorts first by
    // position in its own file.
    let dir = edited_table_5("France\t6.123\t8.632", "France\t6.123\t8.623");
    let path = dir.path().join("bs-vi-7.bud");
    let text = std::fs::read_to_string(&path).unwrap();
    let grand_total = "2,922.1   2,963.1   5,885.2";
    assert_eq!(text.matches(grand_total).count(), 1);
    std::fs::write(
        &path,
        text.replacen(grand_total, "2,922.1   2,936.1   5,885.2", 1),
    )
    .unwrap();
    let (_, check) = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    let errors: Vec<&str> = check.lines().filter(|l| l.starts_with("  × ")).collect();
    assert!(errors[0].contains("GRAND TOTAL"), "{errors:?}");
    assert!(errors[1].contains("France"), "{errors:?}");
    let (_, table) = run_in(dir.path(), &["evaluate", "bs-vi-7.bud"]);
    let line = |start: &str| {
        table
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap()
            .to_owned()
    };
    assert!(
        line("GRAND TOTAL").contains("2,936.1 ✗1 "),
        "{}",
        line("GRAND TOTAL")
    );
    assert!(line("France").contains("8.623 ✗2 "), "{}", line("France"));
}

#[test]
fn with_two_wrong_figures_each_follower_names_the_one_it_follows_from() {
    let text = decision_text()
        .replacen(
            "1,875.2   1,916.7   3,791.9",
            "1,857.2   1,916.7   3,791.9",
            1,
        )
        .replacen("20.0      25.0      45.0", "20.0      52.0      45.0", 1);
    let (dir, _) = write_decision(&text);
    let (code, table) = run_in(dir.path(), &["evaluate", "bs-vi-7.bud", "--table", "1"]);
    assert_eq!(code, 1, "{table}");
    let line = |start: &str| {
        table
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap()
            .to_owned()
    };
    // 2013 follows from the staff costs alone, 2014 from the meetings alone, and the
    // Total from both, which it says without a number.
    let grand_total = line("GRAND TOTAL");
    assert!(grand_total.contains("2,922.1 →✗1 "), "{grand_total}");
    assert!(grand_total.contains("2,963.1 →✗2 "), "{grand_total}");
    assert!(grand_total.contains("5,885.2 →✗ "), "{grand_total}");
}
