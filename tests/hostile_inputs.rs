//! Inputs meant to break bud, run through the real binary: each must end, within a
//! time limit and the memory limit of `support/limits.rs`, with its diagnostic code and a non-zero exit code, and never a panic, a
//! hang or a stack overflow. Valid variations of the bundled decision (CRLF line
//! endings, a byte-order mark, tabs) must give exactly the same results.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/limits.rs"]
mod limits;

use limits::{Run, TIME_LIMIT};

use std::path::Path;

use assert_cmd::Command;

const DECISION: &str = "decisions/bs-vi-7.bud";
const TABLE_5: &str = "decisions/bs-vi-7-table-5.tsv";

const HEADER: &str = "decision \"T/1\" {\n    title    \"Hostile input\"\n    period   2013-2014\n    currency US$\n}\n";

fn check_path(dir: &Path, name: &str) -> Run {
    limits::run(dir, &["check", name])
}

/// `bud check` on a file holding `bytes`, in a fresh directory with `others` beside it.
fn check_bytes_with(bytes: &[u8], others: &[(&str, &[u8])]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.bud"), bytes).unwrap();
    for (name, text) in others {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    check_path(dir.path(), "input.bud")
}

fn check_bytes(bytes: &[u8]) -> Run {
    check_bytes_with(bytes, &[])
}

/// The run gave `code` and the exit code `exit`.
fn assert_refused(run: &Run, code: &str, exit: i32) {
    assert!(
        run.output.contains(code),
        "expected {code}, got:\n{}",
        run.output
    );
    assert_eq!(run.exit, exit, "{}", run.output);
}

fn with_header(body: &str) -> Vec<u8> {
    format!("{HEADER}\n{body}\n").into_bytes()
}

// ---------------------------------------------------------------- nothing, or not text

#[test]
fn an_empty_file() {
    let run = check_bytes(b"");
    assert_refused(&run, "bud::decision::field", 2);
    assert!(run.output.contains("the file is empty"), "{}", run.output);
}

#[test]
fn a_file_of_only_comments() {
    let run = check_bytes(b"// BS-VI/7, to be written\n\n// nothing yet\n");
    assert_refused(&run, "bud::decision::field", 2);
}

#[test]
fn binary_bytes() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert_refused(&check_bytes(&bytes), "bud::io::read", 2);
}

#[test]
fn latin_1_text_that_is_not_utf_8() {
    let run = check_bytes(b"decision \"T/1\" {\n    title \"R\xe9union\"\n}\n");
    assert_refused(&run, "bud::io::read", 2);
    assert!(run.output.contains("not UTF-8"), "{}", run.output);
}

#[test]
fn nul_bytes() {
    let run = check_bytes(&with_header("x = 1\0\0\0"));
    assert_refused(&run, "bud::syntax::unexpected", 2);
    assert!(run.output.contains("U+0000"), "{}", run.output);
}

// ---------------------------------------------------------------- sizes and depths

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("huge.bud")).unwrap();
    // Sparse: the test costs no disk, and bud must not read it to refuse it.
    file.set_len(128 * 1024 * 1024 + 1).unwrap();
    let run = check_path(dir.path(), "huge.bud");
    assert_refused(&run, "bud::syntax::limit", 2);
    assert!(run.output.contains("134,217,729 bytes"), "{}", run.output);
    assert!(run.output.contains("128 MiB"), "{}", run.output);
}

#[test]
fn a_two_megabyte_number_is_refused_without_printing_it() {
    let mut bytes = format!("{HEADER}x = ").into_bytes();
    bytes.extend(std::iter::repeat_n(b'1', 2 * 1024 * 1024));
    let run = check_printing_little(&bytes);
    assert_refused(&run, "bud::syntax::number", 2);
    assert!(run.output.contains("input.bud:6:5"), "{}", run.output);
    assert!(run.output.contains("too long to show"), "{}", run.output);
}

#[test]
fn a_long_line_next_to_a_mistake_is_not_printed() {
    let mut bytes = format!("{HEADER}x = \n// ").into_bytes();
    bytes.extend(std::iter::repeat_n(b'1', 1024 * 1024));
    let run = check_printing_little(&bytes);
    assert_refused(&run, "bud::syntax::unexpected", 2);
}

/// `bud check` on `bytes`, which must print under 2,000 bytes however long its lines.
fn check_printing_little(bytes: &[u8]) -> Run {
    let run = check_bytes(bytes);
    let shown: String = run.output.chars().take(2_000).collect();
    assert!(
        run.output.len() < 2_000,
        "printed {} bytes: {shown}",
        run.output.len()
    );
    run
}

#[test]
fn a_line_just_under_the_size_limit_is_read_in_reasonable_time() {
    let mut bytes = with_header("x = 1 + ");
    bytes.extend(std::iter::repeat_n(b' ', 1_000_000));
    bytes.extend(b"\n");
    // A blank stretch is whitespace; the formula is still missing its right side.
    let run = check_bytes(&bytes);
    assert_refused(&run, "bud::syntax::unexpected", 2);
}

#[test]
fn a_hundred_thousand_nested_parentheses() {
    let body = format!("x = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_refused(&check_bytes(&with_header(&body)), "bud::syntax::limit", 2);
}

#[test]
fn a_hundred_thousand_unclosed_parentheses() {
    let body = format!("x = {}1", "(".repeat(100_000));
    assert_refused(&check_bytes(&with_header(&body)), "bud::syntax::limit", 2);
}

#[test]
fn a_number_of_two_hundred_digits() {
    let body = format!("x = {}", "9".repeat(200));
    assert_refused(&check_bytes(&with_header(&body)), "bud::syntax::number", 2);
}

// ---------------------------------------------------------------- arithmetic

#[test]
fn an_amount_that_overflows_in_a_sum() {
    let body = "big = US$ 70,000,000,000,000,000,000,000,000,000\ntwice = big + big";
    assert_refused(&check_bytes(&with_header(body)), "bud::eval::overflow", 1);
}

#[test]
fn an_amount_that_overflows_in_a_product() {
    let body = "big = US$ 70,000,000,000,000,000,000,000,000\nmore = big * 1,000,000";
    assert_refused(&check_bytes(&with_header(body)), "bud::eval::overflow", 1);
}

#[test]
fn an_amount_that_overflows_in_a_table_sum() {
    let body = "table 1 t {\n    unit    US$\n    columns 2013 2014\n\n    a \"A\" 70,000,000,000,000,000,000,000,000,000 1\n    b \"B\" 70,000,000,000,000,000,000,000,000,000 1\n    total \"Total\" _ 2 = a + b\n}";
    assert_refused(&check_bytes(&with_header(body)), "bud::eval::overflow", 1);
}

#[test]
fn division_by_zero() {
    let body = "posts = 0\ncost = US$ 1,000 / posts";
    assert_refused(
        &check_bytes(&with_header(body)),
        "bud::eval::division_by_zero",
        1,
    );
}

#[test]
fn a_percentage_out_of_range() {
    let body = "programme_support_rate = 130%";
    assert_refused(&check_bytes(&with_header(body)), "bud::eval::range", 1);
}

#[test]
fn a_ratio_out_of_range() {
    let body = "cost_sharing = 0:0\nbasel = share(cost_sharing, 1)";
    assert_refused(&check_bytes(&with_header(body)), "bud::eval::range", 1);
}

// ---------------------------------------------------------------- names

#[test]
fn a_name_defined_twice() {
    let body = "host_growth = 2%\nhost_growth = 3%";
    assert_refused(&check_bytes(&with_header(body)), "bud::names::duplicate", 1);
}

#[test]
fn a_row_named_twice() {
    let body = "table 1 t {\n    unit    US$\n    columns 2013 2014\n\n    staff \"Staff\" 1 1\n    staff \"Staff again\" 2 2\n}";
    assert_refused(&check_bytes(&with_header(body)), "bud::names::duplicate", 1);
}

#[test]
fn a_cyclic_definition_is_shown_name_by_name() {
    let body = "reserve = 5% of total\ntotal = subtotal + reserve\nsubtotal = US$ 100";
    let run = check_bytes(&with_header(body));
    assert_refused(&run, "bud::names::cycle", 1);
    for name in ["reserve", "total"] {
        assert!(run.output.contains(&format!("`{name}`")), "{}", run.output);
    }
}

// ---------------------------------------------------------------- files

#[test]
fn an_import_cycle() {
    let decision = with_header("import \"a.bud\"");
    let run = check_bytes_with(
        &decision,
        &[
            ("a.bud", b"import \"b.bud\"\n"),
            ("b.bud", b"import \"a.bud\"\n"),
        ],
    );
    assert_refused(&run, "bud::import::cycle", 2);
    assert!(
        run.output.contains("a.bud → b.bud → a.bud"),
        "{}",
        run.output
    );
}

#[test]
fn a_file_importing_the_decision_that_imports_it() {
    let decision = with_header("import \"a.bud\"");
    let run = check_bytes_with(&decision, &[("a.bud", b"import \"input.bud\"\n")]);
    assert_refused(&run, "bud::import::cycle", 2);
}

#[test]
fn a_missing_imported_file() {
    let run = check_bytes(&with_header("import \"shared/rates.bud\""));
    assert_refused(&run, "bud::io::read", 2);
    assert!(run.output.contains("input.bud:7:8"), "{}", run.output);
}

#[test]
fn a_directory_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("decisions")).unwrap();
    assert_refused(&check_path(dir.path(), "decisions"), "bud::io::read", 2);
}

#[test]
fn a_missing_path_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    assert_refused(&check_path(dir.path(), "bs-vi-8.bud"), "bud::io::read", 2);
}

// ---------------------------------------------------------------- valid variations

/// `bud evaluate` and `bud check` on the bundled decision written as `text`: the
/// results, not the layout of the source lines that diagnostics quote (a tab is shown
/// as a tab): exit codes, the computed tables, and each diagnostic's code and message.
fn evaluated_and_checked(text: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bs-vi-7.bud"), text).unwrap();
    std::fs::copy(TABLE_5, dir.path().join("bs-vi-7-table-5.tsv")).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
    let mut all = String::new();
    for command in ["evaluate", "check"] {
        let output = Command::from_std(limits::bud())
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .args([command, "bs-vi-7.bud"])
            .timeout(TIME_LIMIT)
            .output()
            .unwrap();
        all.push_str(&format!("{command} exit {:?}\n", output.status.code()));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        for line in stdout
            .lines()
            .filter(|line| command == "evaluate" || is_result(line))
        {
            all.push_str(line);
            all.push('\n');
        }
    }
    all
}

/// A line of `bud check` that says a result: a code, a message, a summary.
fn is_result(line: &str) -> bool {
    line.starts_with("bud::")
        || ["  ×", "  ☞", "  ⚠", "  │"]
            .iter()
            .any(|sign| line.starts_with(sign))
        || line.contains("stated figures reconciled")
}

/// Equal, or fails showing the first line that differs.
fn assert_same(variant: &str, original: &str) {
    if let Some((a, b)) = variant.lines().zip(original.lines()).find(|(a, b)| a != b) {
        panic!("differs:\n  variant:  {a}\n  original: {b}");
    }
    assert_eq!(variant.lines().count(), original.lines().count());
}

fn bundled() -> String {
    std::fs::read_to_string(DECISION).unwrap()
}

#[test]
fn crlf_line_endings_give_identical_results() {
    let original = evaluated_and_checked(bundled().as_bytes());
    let crlf = bundled().replace('\n', "\r\n");
    assert_same(&evaluated_and_checked(crlf.as_bytes()), &original);
}

#[test]
fn a_byte_order_mark_gives_identical_results() {
    let original = evaluated_and_checked(bundled().as_bytes());
    let with_bom = format!("\u{FEFF}{}", bundled());
    assert_same(&evaluated_and_checked(with_bom.as_bytes()), &original);
}

#[test]
fn tabs_give_identical_results() {
    let original = evaluated_and_checked(bundled().as_bytes());
    // Indentation and the runs of spaces between figures become tabs; texts keep theirs.
    let tabbed: String = bundled()
        .lines()
        .map(|line| {
            let indented = line.trim_start();
            let depth = (line.len() - indented.len()) / 4;
            format!("{}{}\n", "\t".repeat(depth), tabs_between_figures(indented))
        })
        .collect();
    assert_ne!(tabbed, bundled());
    assert_same(&evaluated_and_checked(tabbed.as_bytes()), &original);
}

/// A line with every run of two or more spaces outside quotes turned into a tab.
fn tabs_between_figures(line: &str) -> String {
    let mut out = String::new();
    let mut in_text = false;
    let mut spaces = 0;
    for c in line.chars() {
        if c == ' ' && !in_text {
            spaces += 1;
            continue;
        }
        match spaces {
            0 => {}
            1 => out.push(' '),
            _ => out.push('\t'),
        }
        spaces = 0;
        if c == '"' {
            in_text = !in_text;
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------- many mistakes at once

#[test]
fn three_independent_mistakes_are_reported_in_one_run() {
    let text = bundled();
    let edits = [
        // A figure mistyped: Table 1's staff costs for 2013.
        ("1,875.2", "1,857.2"),
        // A name misspelt in a formula.
        ("= programme_support_rate of", "= programme_suport_rate of"),
        // A rate with a misplaced decimal point.
        (
            "host_offset_share      = 16.5 per cent",
            "host_offset_share      = 165 per cent",
        ),
    ];
    let mut edited = text.clone();
    for (from, to) in edits {
        assert!(edited.contains(from), "the decision no longer has {from:?}");
        edited = edited.replacen(from, to, 1);
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bs-vi-7.bud"), &edited).unwrap();
    std::fs::copy(TABLE_5, dir.path().join("bs-vi-7-table-5.tsv")).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
    let run = check_path(dir.path(), "bs-vi-7.bud");
    assert_eq!(run.exit, 1, "{}", run.output);
    assert!(
        run.output.contains("bud::reconcile::mismatch"),
        "{}",
        run.output
    );
    assert!(
        run.output.contains("did you mean `programme_support_rate`"),
        "{}",
        run.output
    );
    assert!(run.output.contains("bud::eval::range"), "{}", run.output);
    assert!(run.output.contains("165 per cent"), "{}", run.output);
}

#[test]
fn three_broken_lines_are_reported_in_one_run() {
    let edited = bundled()
        .replacen("1,875.2", "1,875.2 #", 1)
        .replacen("table 2 ", "tabel 2 ", 1)
        .replacen(
            "host_growth            = 2 per cent",
            "host_growth            = 2 per cent per",
            1,
        );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bs-vi-7.bud"), &edited).unwrap();
    std::fs::copy(TABLE_5, dir.path().join("bs-vi-7-table-5.tsv")).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
    let run = check_path(dir.path(), "bs-vi-7.bud");
    assert_eq!(run.exit, 2, "{}", run.output);
    let reported = run.output.matches("bud::syntax::").count();
    assert_eq!(reported, 3, "{}", run.output);
    assert!(
        run.output.contains("did you mean `table`"),
        "{}",
        run.output
    );
}

// ---------------------------------------------------------------- never a silent wrong result

#[test]
fn two_scenarios_of_one_name_fail_rather_than_hide_the_second() {
    // The second scenario's stated figure is wrong; before, only the first was checked
    // and the run passed.
    let body = "host = US$ 100\n\n\
                scenario higher \"More\" {\n    replace host = US$ 200  stated US$ 200\n}\n\n\
                scenario higher \"More still\" {\n    replace host = US$ 300  stated US$ 999\n}";
    let run = check_bytes(&with_header(body));
    assert_refused(&run, "the scenario `higher` is defined twice", 1);
}

#[test]
fn two_tables_of_one_number_and_a_period_set_twice_are_errors() {
    let tables = "table 1 a {\n    unit US$\n    columns 2013 2014\n\n    x \"X\"  1  2\n}\n\n\
                  table 1 b {\n    unit US$\n    columns 2013 2014\n\n    y \"Y\"  1  2\n}";
    assert_refused(
        &check_bytes(&with_header(tables)),
        "two tables are numbered Table 1",
        1,
    );
    let periods = "host = US$ 100\n\nscenario longer \"Longer\" {\n    period 2013-2015\n    period 2013-2016\n}";
    assert_refused(
        &check_bytes(&with_header(periods)),
        "the scenario `longer` sets its period twice",
        1,
    );
}

#[test]
fn a_scenario_that_changes_one_value_twice_fails() {
    let body = "host = US$ 100\n\nscenario higher \"More\" {\n    replace host = US$ 200  stated US$ 999\n    replace host = US$ 300\n}";
    assert_refused(
        &check_bytes(&with_header(body)),
        "the scenario `higher` changes `host` twice",
        1,
    );
}

#[test]
fn a_huge_whole_exponent_says_what_the_limit_is() {
    let body = "growth = 2 per cent\nfactor = (1 + growth) ^ 99999999";
    assert_refused(
        &check_bytes(&with_header(body)),
        "an exponent must be a whole number from -10,000 to 10,000",
        1,
    );
}

#[test]
fn a_quotient_beyond_a_decimal_is_an_overflow_not_a_wrong_figure() {
    // 5 × 10^28 / 0.1 is 5 × 10^29, beyond what bud computes exactly; before, it read as
    // its numerator and `x / 0.1 - x` gave a figure 4.5 × 10^28 that is off by ten times.
    let body = "x = 50,000,000,000,000,000,000,000,000,000\ny = x / 0.1 - x  stated 0";
    assert_refused(&check_bytes(&with_header(body)), "bud::eval::overflow", 1);
}

// ---------------------------------------------------------------- terminal safety

#[test]
fn control_characters_and_bidi_overrides_never_reach_a_terminal_raw() {
    // A title and a label holding an escape sequence and a right-to-left override, and
    // a Total that fails so that the label is quoted in a report with its source line.
    let decision = "decision \"T/1\" {\n    title    \"Bidi \u{202E}title\"\n    period   2013-2014\n    currency US$\n}\n\n\
                    table 1 t {\n    unit    US$\n    columns 2013 2014 Total\n\n    a \"Staff \u{1b}[31mred\u{1b}[0m \u{2067}evil\"  1  2  4\n}\n";
    let raw = |text: &str| text.contains(['\u{1b}', '\u{202E}', '\u{2067}']);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.bud"), decision).unwrap();
    let check = check_path(dir.path(), "input.bud");
    assert_eq!(check.exit, 1, "{}", check.output);
    assert!(
        check.output.contains("Staff ?[31mred?[0m"),
        "{}",
        check.output
    );
    assert!(!raw(&check.output), "{:?}", check.output);
    let run = |format: &str| {
        let output = Command::from_std(limits::bud())
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .args(["evaluate", "input.bud", "--format", format])
            .timeout(TIME_LIMIT)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr)
    };
    let table = run("table");
    assert!(table.contains("Staff ?[31mred?[0m"), "{table}");
    assert!(!raw(&table), "{table:?}");
    // A format for programs keeps the text as the decision writes it.
    let json = run("json");
    assert!(json.contains("\\u001b[31mred"), "{json}");
}
