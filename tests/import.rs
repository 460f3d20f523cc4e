//! `bud import` through the real binary: BS-VI/7's Table 1 comes back from the workbook
//! `bud evaluate --format xlsx` writes; a table of 22/CP.21 copied as CSV comes back
//! with its sums; workbooks built here, with formulas and without, with merged label
//! cells and blank rows, come back with their rules; every result passes `bud fmt
//! --check` and `bud check`, or `bud check` points at the figure the sheet got wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rust_xlsxwriter::{Format, Formula, Workbook};

fn bud() -> Command {
    let mut command = Command::cargo_bin("bud").unwrap();
    command.env("NO_COLOR", "1");
    command
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = bud().args(args).output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Imports `file` with `args` into `out`, and returns the text and the report.
fn import(file: &Path, args: &[&str], out: &Path) -> (String, String) {
    let mut all = vec!["import", file.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", out.to_str().unwrap()]);
    let done = run(&all);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    (std::fs::read_to_string(out).unwrap(), done.stderr)
}

/// `bud fmt --check` and `bud check` pass on the file.
fn passes_fmt_and_check(file: &Path) {
    let formatted = run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(
        formatted.code,
        Some(0),
        "{}{}",
        formatted.stdout,
        formatted.stderr
    );
    let checked = run(&["check", file.to_str().unwrap()]);
    assert_eq!(
        checked.code,
        Some(0),
        "{}{}",
        checked.stdout,
        checked.stderr
    );
}

/// A row of a table as (marker, label, figures, formula), names left out: what the
/// sheet shows, and the rule.
fn rows(text: &str, table_start: &str) -> Vec<(String, String, String, String)> {
    let start = text.find(table_start).unwrap();
    let body = &text[start..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| l.contains('"') && !l.starts_with("title") && !l.starts_with("note"))
        .map(|line| {
            let open = line.find('"').unwrap();
            let close = open + 1 + line[open + 1..].find('"').unwrap();
            let before: Vec<&str> = line[..open].split_whitespace().collect();
            let marker = before
                .first()
                .filter(|w| w.ends_with('.'))
                .map_or("", |w| *w)
                .to_owned();
            let label = line[open + 1..close].to_owned();
            let after = &line[close + 1..];
            let (figures, formula) = after.split_once(" = ").unwrap_or((after, ""));
            let figures = figures.split_whitespace().collect::<Vec<_>>().join(" ");
            (marker, label, figures, formula.trim().to_owned())
        })
        .collect()
}

/// The text with every run of spaces as one, so that layout does not matter.
fn squeezed(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_with<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(&format!("\"{label}\"")))
        .unwrap_or_else(|| panic!("no row `{label}` in\n{text}"))
}

#[test]
fn table_1_of_bs_vi_7_comes_back_from_its_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("bs-vi-7.xlsx");
    let exported = run(&[
        "evaluate",
        "decisions/bs-vi-7.bud",
        "--format",
        "xlsx",
        "--output",
        workbook.to_str().unwrap(),
    ]);
    assert_eq!(exported.code, Some(0), "{}", exported.stderr);
    let out = dir.path().join("table-1.bud");
    let (text, report) = import(&workbook, &["--sheet", "Table 1"], &out);

    // The same rows: markers, labels and every figure as published.
    let original = std::fs::read_to_string("decisions/bs-vi-7.bud").unwrap();
    let published = rows(&original, "table 1 core_budget {");
    let imported = rows(&text, "table 1 ");
    let shown = |rows: &[(String, String, String, String)]| -> Vec<(String, String, String)> {
        rows.iter()
            .map(|(m, l, f, _)| (m.clone(), l.clone(), f.clone()))
            .collect()
    };
    assert_eq!(shown(&imported), shown(&published), "{text}");

    // The section, the settings and the rules.
    assert!(
        text.contains("I. expenditures \"Expenditures\" {"),
        "{text}"
    );
    assert!(squeezed(&text).contains("unit thousands of US$"), "{text}");
    assert!(squeezed(&text).contains("rounding 0.1 half-up"), "{text}");
    assert!(
        squeezed(&text).contains("columns 2013 2014 Total"),
        "{text}"
    );
    assert!(
        line_with(&text, "Sub-total (I)").ends_with("= sum(expenditures)"),
        "{text}"
    );
    assert!(
        line_with(&text, "Programme support charge (13%)").ends_with("= 13% of sub_total"),
        "{text}"
    );
    assert!(
        line_with(&text, "GRAND TOTAL (I + II + III)")
            .ends_with("= sub_total + programme_support_charge + working_capital_reserve"),
        "{text}"
    );
    assert!(
        line_with(&text, "TOTAL").ends_with("= grand_total - less_contribution_from_host"),
        "{text}"
    );
    assert!(
        line_with(&text, "NET TOTAL (amount to be shared by Parties)")
            .ends_with("= total - less_savings_from_previous"),
        "{text}"
    );
    // The workbook shows the figures as adopted (its formulas are in the check columns,
    // which the import leaves out), so the rules come from the figures; the host's
    // share, a rule over the decision's values, is an input.
    assert!(!line_with(&text, "Less contribution from host country").contains('='));
    assert!(
        report.contains(
            "Sub-total (I)                            computed: the sum of the rows above"
        ),
        "{report}"
    );
    assert!(
        report.contains("bud check: every stated figure reconciles"),
        "{report}"
    );
    passes_fmt_and_check(&out);
}

#[test]
fn a_table_of_22_cp_21_copied_as_csv_comes_back_with_its_sums() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("conference-services.bud");
    let source = PathBuf::from("tests/fixtures/import/22-cp-21-table-3.csv");
    let (text, report) = import(&source, &["--name", "conference_services"], &out);
    assert!(text.contains("table 3 conference_services {"), "{text}");
    assert!(squeezed(&text).contains("unit EUR"), "{text}");
    assert!(squeezed(&text).contains("rounding 100 half-up"), "{text}");
    assert!(
        squeezed(&text).contains(
            "columns 2016 as \"2016 (EUR)\" 2017 as \"2017 (EUR)\" Total as \"Total 2016–2017 (EUR)\""
        ),
        "{text}"
    );
    assert!(
        line_with(&text, "Subtotal").ends_with("= sum(object_of_expenditure)"),
        "{text}"
    );
    assert!(
        line_with(&text, "Programme support costs").ends_with("= 13% of subtotal"),
        "{text}"
    );
    assert!(
        line_with(&text, "Total")
            .ends_with("= subtotal + programme_support_costs + working_capital_reserve"),
        "{text}"
    );
    assert!(line_with(&text, "Translation").contains("2,104,500   2,167,700    4,272,200"));
    assert!(report.contains("the sum of the rows above"), "{report}");
    passes_fmt_and_check(&out);
}

/// Figures of the fixture workbooks: (marker, label, 2020, 2021).
const LINES: [(&str, &str, f64, f64); 3] = [
    ("A.", "Executive direction", 1200.5, 1250.0),
    ("B.", "Mitigation", 800.0, 820.4),
    ("C.", "Adaptation", 410.2, 415.9),
];

/// A workbook in the layout budget officers keep: a merged title, the unit, a merged
/// heading over the labels, markers in a column of their own, a section heading merged
/// across the label columns, a blank row inside the section, sub-total, support at
/// 13%, a reserve, the grand total, the host's share and the net total. With
/// `formulas`, every computed figure is a live formula with its result; without, the
/// figures are typed as the sheet shows them. `wrong` types one figure wrong.
fn budget_workbook(path: &Path, formulas: bool, wrong_subtotal_2021: Option<f64>) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Budget").unwrap();
    let plain = Format::new();
    sheet
        .merge_range(
            0,
            0,
            0,
            4,
            "Table 2. Programme budget for 2020-2021",
            &plain,
        )
        .unwrap();
    sheet.write_string(1, 0, "(thousands of EUR)").unwrap();
    sheet
        .merge_range(3, 0, 3, 1, "Description", &plain)
        .unwrap();
    sheet.write_number(3, 2, 2020).unwrap();
    sheet.write_number(3, 3, 2021).unwrap();
    sheet.write_string(3, 4, "Total").unwrap();
    sheet
        .merge_range(4, 0, 4, 1, "I. Programmes", &plain)
        .unwrap();
    // Rows 6, 7 and 9 (1-based); row 8 is blank.
    for ((marker, label, y2020, y2021), row) in LINES.iter().zip([5u32, 6, 8]) {
        sheet.write_string(row, 0, *marker).unwrap();
        sheet.write_string(row, 1, *label).unwrap();
        sheet.write_number(row, 2, *y2020).unwrap();
        sheet.write_number(row, 3, *y2021).unwrap();
    }
    let computed: [(u32, &str, [&str; 2], [f64; 2]); 4] = [
        (
            9,
            "Sub-total (I)",
            ["=SUM(C6:C9)", "=SUM(D6:D9)"],
            [2410.7, 2486.3],
        ),
        (
            10,
            "II. Programme support costs (13%)",
            ["=C10*13%", "=D10*0.13"],
            [313.391, 323.219],
        ),
        (
            12,
            "GRAND TOTAL (I + II + III)",
            ["=C10+C11+C12", "=D10+D11+D12"],
            [2772.291, 2859.219],
        ),
        (
            14,
            "NET TOTAL",
            ["=C13-C14", "=D13-D14"],
            [2672.291, 2759.219],
        ),
    ];
    let shown: [[f64; 2]; 4] = [
        [2410.7, 2486.3],
        [313.4, 323.2],
        [2772.3, 2859.2],
        [2672.3, 2759.2],
    ];
    for ((row, label, texts, results), typed) in computed.iter().zip(shown) {
        sheet.merge_range(*row, 0, *row, 1, label, &plain).unwrap();
        for (column, ((formula, result), typed)) in
            (2u16..).zip(texts.iter().zip(results).zip(typed))
        {
            let typed = match wrong_subtotal_2021 {
                Some(wrong) if *row == 9 && column == 3 => wrong,
                _ => typed,
            };
            if formulas {
                sheet
                    .write_formula(
                        *row,
                        column,
                        Formula::new(*formula).set_result(result.to_string()),
                    )
                    .unwrap();
            } else {
                sheet.write_number(*row, column, typed).unwrap();
            }
        }
    }
    // The reserve: a formula bud does not translate (ROUND), or typed figures.
    sheet
        .merge_range(11, 0, 11, 1, "III. Working capital reserve", &plain)
        .unwrap();
    if formulas {
        sheet
            .write_formula(11, 2, Formula::new("=ROUND(C10*2%,1)").set_result("48.2"))
            .unwrap();
        sheet
            .write_formula(11, 3, Formula::new("=ROUND(D10*2%,1)").set_result("49.7"))
            .unwrap();
    } else {
        sheet.write_number(11, 2, 48.2).unwrap();
        sheet.write_number(11, 3, 49.7).unwrap();
    }
    sheet
        .merge_range(13, 0, 13, 1, "Less host contribution", &plain)
        .unwrap();
    sheet.write_number(13, 2, 100.0).unwrap();
    sheet.write_number(13, 3, 100.0).unwrap();
    // The Total column: SUM of the year columns, or typed.
    let totals: [(u32, f64); 9] = [
        (5, 2450.5),
        (6, 1620.4),
        (8, 826.1),
        (9, 4897.0),
        (10, 636.6),
        (11, 97.9),
        (12, 5631.5),
        (13, 200.0),
        (14, 5431.5),
    ];
    for (row, total) in totals {
        if formulas {
            let formula = format!("=SUM(C{0}:D{0})", row + 1);
            sheet
                .write_formula(row, 4, Formula::new(formula).set_result(total.to_string()))
                .unwrap();
        } else {
            sheet.write_number(row, 4, total).unwrap();
        }
    }
    sheet
        .write_string(16, 0, "Note: figures as approved.")
        .unwrap();
    // A second sheet, so that --sheet has something to choose from.
    workbook.add_worksheet().set_name("Staffing").unwrap();
    workbook.save(path).unwrap();
}

fn assert_budget_rules(text: &str) {
    assert!(
        text.contains("table 2 programme_budget_for_2020 {"),
        "{text}"
    );
    assert!(squeezed(text).contains("unit thousands of EUR"), "{text}");
    assert!(squeezed(text).contains("currency EUR"), "{text}");
    assert!(squeezed(text).contains("period 2020-2021"), "{text}");
    assert!(text.contains("I. programmes \"Programmes\" {"), "{text}");
    // Markers from their own column, labels from the next.
    let staff = line_with(text, "Executive direction");
    assert!(staff.trim_start().starts_with("A."), "{text}");
    assert!(staff.contains("1,200.5   1,250.0   2,450.5"), "{text}");
    assert!(
        line_with(text, "Sub-total (I)").ends_with("= sum(programmes)"),
        "{text}"
    );
    assert!(
        line_with(text, "Programme support costs (13%)").ends_with("= 13% of sub_total"),
        "{text}"
    );
    assert!(
        line_with(text, "GRAND TOTAL (I + II + III)")
            .ends_with("= sub_total + programme_support_costs + working_capital_reserve"),
        "{text}"
    );
    assert!(
        line_with(text, "NET TOTAL").ends_with("= grand_total - less_host_contribution"),
        "{text}"
    );
    assert!(
        text.contains("note \"Note: figures as approved.\""),
        "{text}"
    );
    // Every row of the section is inside it, the blank row gone.
    let section = &text[text.find("I. programmes").unwrap()..];
    let section = &section[..section.find('}').unwrap()];
    assert_eq!(
        section.lines().filter(|l| l.contains('"')).count(),
        4,
        "{section}"
    );
}

#[test]
fn a_workbook_with_formulas_comes_back_with_its_rules() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("budget.xlsx");
    budget_workbook(&workbook, true, None);
    let out = dir.path().join("budget.bud");
    let (text, report) = import(&workbook, &["--sheet", "Budget"], &out);
    assert_budget_rules(&text);
    assert!(report.contains("from the formula SUM(C6:C9)"), "{report}");
    assert!(report.contains("from the formula C10*13%"), "{report}");
    assert!(
        report.contains("formula not translated: ROUND(C10*2%,1)"),
        "{report}"
    );
    assert!(
        !line_with(&text, "Working capital reserve").contains('='),
        "{text}"
    );
    assert!(report.contains("merged    A1:E1"), "{report}");
    passes_fmt_and_check(&out);
}

#[test]
fn a_workbook_without_formulas_comes_back_with_its_rules_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("budget.xlsx");
    budget_workbook(&workbook, false, None);
    let out = dir.path().join("budget.bud");
    // The first sheet is taken when none is named.
    let (text, report) = import(&workbook, &[], &out);
    assert_budget_rules(&text);
    assert!(report.contains("the sum of the rows above"), "{report}");
    assert!(report.contains("the rate its label names"), "{report}");
    assert!(report.contains("first of 2"), "{report}");
    passes_fmt_and_check(&out);
}

#[test]
fn a_wrong_total_in_the_sheet_is_shown_at_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("budget.xlsx");
    // 2,486.3 typed as 2,468.3.
    budget_workbook(&workbook, false, Some(2468.3));
    let out = dir.path().join("budget.bud");
    let (text, report) = import(&workbook, &[], &out);
    // Still recognised as the section's sum, and everything below it too.
    assert_budget_rules(&text);
    assert!(report.contains("not in every column"), "{report}");
    assert!(
        report.contains("1 figure(s) of the sheet disagree"),
        "{report}"
    );
    let formatted = run(&["fmt", "--check", out.to_str().unwrap()]);
    assert_eq!(formatted.code, Some(0), "{}", formatted.stdout);
    let checked = run(&["check", out.to_str().unwrap()]);
    assert_eq!(checked.code, Some(1), "{}", checked.stdout);
    let said = format!("{}{}", checked.stdout, checked.stderr);
    assert!(said.contains("bud::reconcile::mismatch"), "{said}");
    assert!(
        said.contains("Sub-total (I), 2021: stated 2,468.3, but bud computes 2,486.3"),
        "{said}"
    );
    // At the figure's line and column in the written file.
    let line = text
        .lines()
        .position(|l| l.contains("\"Sub-total (I)\""))
        .unwrap()
        + 1;
    let column = text.lines().nth(line - 1).unwrap().find("2,468.3").unwrap() + 1;
    assert!(
        said.contains(&format!("budget.bud:{line}:{column}")),
        "{said}"
    );
    assert_eq!(
        said.matches("bud::reconcile::mismatch").count(),
        1,
        "{said}"
    );
}

#[test]
fn the_bud_text_goes_to_standard_output_and_the_report_to_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("budget.xlsx");
    budget_workbook(&workbook, true, None);
    let done = run(&["import", workbook.to_str().unwrap(), "--sheet", "budget"]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.starts_with("// Imported by `bud import`"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("decision \"budget\" {"),
        "{}",
        done.stdout
    );
    assert!(!done.stdout.contains("bud import:"), "{}", done.stdout);
    assert!(done.stderr.contains("row 10"), "{}", done.stderr);
}

#[test]
fn a_range_narrows_the_cells_read() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("budget.xlsx");
    budget_workbook(&workbook, true, None);
    let out = dir.path().join("budget.bud");
    // From the header to the sub-total: no title, no unit, and no note.
    let (text, report) = import(&workbook, &["--range", "A4:E10"], &out);
    assert!(text.contains("= sum(programmes)"), "{text}");
    assert!(!text.contains("NET TOTAL"), "{text}");
    assert!(report.contains("the sheet names no currency"), "{report}");
    passes_fmt_and_check(&out);
}

#[test]
fn a_wrong_sheet_lists_the_sheets_and_a_bad_range_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("budget.xlsx");
    budget_workbook(&workbook, true, None);
    let path = workbook.to_str().unwrap();

    let sheet = run(&["import", path, "--sheet", "Table 9"]);
    assert_eq!(sheet.code, Some(2));
    assert!(
        sheet.stderr.contains("bud::import::sheet"),
        "{}",
        sheet.stderr
    );
    assert!(
        sheet.stderr.contains("no sheet `Table 9`"),
        "{}",
        sheet.stderr
    );
    assert!(
        sheet.stderr.contains("`Budget`, `Staffing`"),
        "{}",
        sheet.stderr
    );
    assert!(sheet.stdout.is_empty());

    let range = run(&["import", path, "--range", "B4-F30"]);
    assert_eq!(range.code, Some(2));
    assert!(
        range.stderr.contains("bud::import::range"),
        "{}",
        range.stderr
    );
    assert!(
        range.stderr.contains("no `:` between two cells"),
        "{}",
        range.stderr
    );

    let backwards = run(&["import", path, "--range", "F30:B4"]);
    assert_eq!(backwards.code, Some(2));
    assert!(
        backwards.stderr.contains("before it starts"),
        "{}",
        backwards.stderr
    );

    let outside = run(&["import", path, "--range", "K1:M9"]);
    assert_eq!(outside.code, Some(2));
    assert!(
        outside.stderr.contains("the sheet's cells are in A1:E17"),
        "{}",
        outside.stderr
    );

    let empty = run(&["import", path, "--sheet", "Staffing"]);
    assert_eq!(empty.code, Some(2));
    assert!(
        empty.stderr.contains("bud::import::table"),
        "{}",
        empty.stderr
    );

    // A cell at the sheet's far corner would make a grid of billions of cells.
    let far = dir.path().join("far.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 1, 2020).unwrap();
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    book.save(&far).unwrap();
    let wide = run(&["import", far.to_str().unwrap()]);
    assert_eq!(wide.code, Some(2));
    assert!(
        wide.stderr.contains("bud::import::range"),
        "{}",
        wide.stderr
    );
    assert!(
        wide.stderr.contains("the cells read span B1:XFD1048576"),
        "{}",
        wide.stderr
    );

    let not_a_workbook = dir.path().join("notes.xlsx");
    std::fs::write(&not_a_workbook, "plain text").unwrap();
    let garbled = run(&["import", not_a_workbook.to_str().unwrap()]);
    assert_eq!(garbled.code, Some(2));
    assert!(
        garbled
            .stderr
            .contains("cannot be read as an .xlsx workbook"),
        "{}",
        garbled.stderr
    );

    let missing = run(&["import", "no-such-file.csv"]);
    assert_eq!(missing.code, Some(2));
    assert!(
        missing.stderr.contains("bud::io::read"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_tsv_file_with_blank_rows_and_a_failed_output_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("staffing.tsv");
    std::fs::write(
        &tsv,
        "Staffing (posts)\n\n\t2020\t2021\nProfessional\t\t\nP-4\t2\t2\n\nP-3\t3\t4\n\
         Total Professional\t5\t6\nGeneral Service\t4\t4\nTOTAL\t9\t10\n",
    )
    .unwrap();
    let out = dir.path().join("staffing.bud");
    let (text, _) = import(&tsv, &[], &out);
    assert!(squeezed(&text).contains("unit posts"), "{text}");
    assert!(
        line_with(&text, "Total Professional").ends_with("= sum(professional)"),
        "{text}"
    );
    assert!(
        line_with(&text, "TOTAL").ends_with("= total_professional + general_service"),
        "{text}"
    );
    passes_fmt_and_check(&out);

    // --output into a directory that is not there: exit 2, nothing written.
    let nowhere = dir.path().join("missing").join("x.bud");
    let failed = run(&[
        "import",
        tsv.to_str().unwrap(),
        "-o",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!(failed.code, Some(2));
    assert!(!nowhere.exists());
}

#[test]
fn a_column_that_adds_the_years_is_the_total_whatever_its_heading() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("biennium.csv");
    std::fs::write(
        &csv,
        "Budget (USD)\n,2020,2021,Biennium\nTravel,1.5,2.0,3.5\nMeetings,3.0,4.0,7.0\n\
         Total,4.5,6.0,10.5\n",
    )
    .unwrap();
    let out = dir.path().join("biennium.bud");
    let (text, report) = import(&csv, &[], &out);
    assert!(
        squeezed(&text).contains("columns 2020 2021 Total as \"Biennium\""),
        "{text}"
    );
    assert!(squeezed(&text).contains("unit US$"), "{text}");
    assert!(report.contains("read as Total"), "{report}");
    assert!(
        line_with(&text, "Total").ends_with("= travel + meetings"),
        "{text}"
    );
    passes_fmt_and_check(&out);
}

#[test]
fn table_1_of_22_cp_21_copied_as_csv_keeps_its_structure_and_the_rules_its_labels_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("core-budget.bud");
    let source = PathBuf::from("tests/fixtures/import/22-cp-21-table-1.csv");
    let (text, report) = import(&source, &["--name", "core_budget"], &out);
    // `Administrative Services` (no figures) stays a row of section A, and `B.`, which
    // follows `A.`, is outside it.
    let section = &text[text.find("A. programme_appropriations").unwrap()..];
    let section = &section[..section.find('}').unwrap()];
    assert!(section.contains("\"Administrative Servicesa\""), "{text}");
    assert!(!section.contains("B."), "{text}");
    assert!(
        line_with(&text, "Programme expenditures (A + B)")
            .ends_with("= sum(programme_appropriations) + secretariat_wide_operating_costsb"),
        "{text}"
    );
    assert!(
        line_with(&text, "Programme support costs (overheads)c")
            .ends_with("= 13% of programme_expenditures"),
        "{text}"
    );
    assert!(
        line_with(&text, "Total income").ends_with("= sum(income)"),
        "{text}"
    );
    assert!(line_with(&text, "Adjustment to working capital reserved").contains("-41,609"));
    assert!(
        report.contains("the rows its label names by their markers"),
        "{report}"
    );
    passes_fmt_and_check(&out);
}

#[test]
fn rules_whose_values_outgrow_a_decimal_do_not_break_the_import() {
    // Every row adds all the rows above it: the values double at each row, past what
    // an exact decimal holds within a hundred rows.
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("doubling.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 1, 2020).unwrap();
    sheet.write_string(1, 0, "First").unwrap();
    sheet.write_number(1, 1, 9e19).unwrap();
    for row in 2..200u32 {
        sheet.write_string(row, 0, format!("Total {row}")).unwrap();
        sheet
            .write_formula(
                row,
                1,
                Formula::new(format!("=SUM(B2:B{row})")).set_result("1"),
            )
            .unwrap();
    }
    book.save(&workbook).unwrap();
    let done = run(&["import", workbook.to_str().unwrap()]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("= sum("), "{}", done.stdout);
}

mod any_sheet {
    use proptest::prelude::*;

    const WORDS: [&str; 22] = [
        "Total",
        "Sub-total",
        "A.",
        "B.",
        "I.",
        "II.",
        "(a)",
        "Programme support (13%)",
        "Net",
        "x",
        "(A + B)",
        "(I + II - III)",
        "Less",
        "2020",
        "—",
        "-",
        "(41 609)",
        "1,234.5",
        "9e99",
        "\"",
        "^a",
        "É",
    ];
    const HEADINGS: [&str; 6] = ["2020", "2021", "Total", "2020-2021", "x", "2019 (EUR)"];

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            (-1000i64..100_000).prop_map(|n| n.to_string()),
            (0i64..100_000, 0u32..3)
                .prop_map(|(n, scale)| rust_decimal::Decimal::new(n, scale).to_string()),
            proptest::sample::select(&WORDS[..]).prop_map(str::to_owned),
        ]
    }

    fn sheet() -> impl Strategy<Value = String> {
        (1usize..6).prop_flat_map(|columns| {
            (
                proptest::collection::vec(proptest::sample::select(&HEADINGS[..]), columns),
                proptest::collection::vec(
                    (
                        proptest::collection::vec(proptest::sample::select(&WORDS[..]), 0..3),
                        proptest::collection::vec(cell(), columns),
                    ),
                    0..30,
                ),
            )
                .prop_map(|(headings, rows)| {
                    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
                    let mut text = String::from(",");
                    text.push_str(&headings.join(","));
                    text.push('\n');
                    for (label, cells) in rows {
                        text.push_str(&quote(&label.join(" ")));
                        for c in cells {
                            text.push(',');
                            text.push_str(&quote(&c));
                        }
                        text.push('\n');
                    }
                    text
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever a sheet holds, the import is a refusal or a decision that parses, is
        /// laid out as `bud fmt` lays it out, and is well formed (at worst its figures
        /// disagree).
        #[test]
        fn every_import_parses_formats_and_is_well_formed(text in sheet()) {
            let request = bud::import::Request {
                file: "any.csv",
                kind: bud::import::Kind::Csv,
                sheet: None,
                range: None,
                name: None,
            };
            if let Ok(imported) = bud::import::import(text.as_bytes(), &request) {
                let formatted = bud::syntax::formatter::format(&imported.text);
                prop_assert_eq!(formatted.as_deref().ok(), Some(imported.text.as_str()));
                let world = bud::world::Memory::decision(&imported.text);
                let checked = bud::check(&world, bud::world::Memory::MAIN, bud::Request::verify());
                for variant in &checked.variants {
                    prop_assert!(!variant.is_malformed(), "{}\n{:?}", imported.text, variant.diagnostics);
                }
            }
        }
    }
}
