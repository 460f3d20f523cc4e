//! The four UNFCCC budget decisions of `decisions/unfccc/`, end to end through the real
//! binary: the folder passes with its published errors listed; every figure of the
//! published text (`tests/sources/unfccc/`) is in `bud evaluate` as printed, with its
//! outcome in JSON; and any input of a Table 1 changed is one error, at that figure, in
//! UN notation, whatever decision reads it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;

const FOLDER: &str = "decisions/unfccc";

/// Each decision file and the published text it is copied from.
const DECISIONS: [(&str, &str); 4] = [
    ("22-cp-21.bud", "22-CP.21.txt"),
    ("12-cmp-11.bud", "12-CMP.11.txt"),
    ("21-cp-23.bud", "21-CP.23.txt"),
    ("6-cmp-13.bud", "6-CMP.13.txt"),
];

/// The decisions and the rule they share, copied into `to`.
fn copy_folder(to: &Path) {
    for entry in std::fs::read_dir(FOLDER).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bud") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

fn bud() -> Command {
    let mut command = Command::cargo_bin("bud").unwrap();
    command.env("NO_COLOR", "1").env_remove("COLUMNS");
    command
}

fn run(args: &[&str]) -> (i32, String) {
    let output = bud().args(args).output().unwrap();
    let text =
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap();
    (output.status.code().unwrap(), text)
}

/// The errors of a `bud check` report, by their first line.
fn errors(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|line| line.starts_with("  × "))
        .collect()
}

#[test]
fn the_folder_passes_and_its_summary_lists_each_acknowledged_published_error() {
    // By default the summary counts them (below); with the notes, it lists them.
    let (code, quiet) = run(&["check", "decisions/"]);
    assert_eq!(code, 0, "{quiet}");
    assert!(!quiet.contains("published error acknowledged:"), "{quiet}");
    let (code, report) = run(&["check", "--notes", "decisions/"]);
    assert_eq!(code, 0, "{report}");
    assert!(errors(&report).is_empty(), "{report}");
    for (file, acknowledged) in [("12-cmp-11.bud", 34), ("6-cmp-13.bud", 28)] {
        let summary = report
            .lines()
            .find(|line| line.starts_with(&format!("decisions/unfccc/{file}: ")))
            .unwrap_or_else(|| panic!("no summary of {file}: {report}"));
        assert!(
            summary.contains(&format!(
                "{acknowledged} published errors acknowledged; 0 errors"
            )),
            "{summary}"
        );
    }
    for reason in [
        "published error acknowledged: printed 0.001 too high",
        "published error acknowledged: Spain's rate is printed 3.865",
        "published error acknowledged: Sri Lanka's rate is printed 3.173",
    ] {
        assert!(report.contains(reason), "{reason} not listed:\n{report}");
    }
    // Each acknowledged figure is named under its reason, as printed and as computed.
    assert!(
        report
            .contains("Annex, Spain, adjusted scale 2018 (%): printed 3.865, bud computes 3.1728"),
        "{report}"
    );
    // The COP decisions reconcile with no published error.
    for file in ["22-cp-21.bud", "21-cp-23.bud"] {
        let summary = report
            .lines()
            .find(|line| line.starts_with(&format!("decisions/unfccc/{file}: ")))
            .unwrap();
        assert!(
            summary.contains("0 do not reconcile; 0 errors"),
            "{summary}"
        );
    }
}

/// Whether a cell of the published text is a figure: `2 250 862`, `(41 609)`, `53.5`,
/// `0.005`, `–`.
fn is_figure(cell: &str) -> bool {
    if cell == "–" {
        return true;
    }
    let inner = cell
        .strip_prefix('(')
        .and_then(|c| c.strip_suffix(')'))
        .unwrap_or(cell);
    let (whole, fraction) = inner.split_once('.').unwrap_or((inner, "0"));
    let groups: Vec<&str> = whole.split(' ').collect();
    !whole.is_empty()
        && fraction.chars().all(|c| c.is_ascii_digit())
        && groups.iter().enumerate().all(|(i, group)| {
            group.chars().all(|c| c.is_ascii_digit())
                && !group.is_empty()
                && (if i == 0 {
                    group.len() <= 3
                } else {
                    group.len() == 3
                })
        })
}

/// Every figure of the published tables and annexes, with how often it appears.
fn published_figures(text: &str) -> HashMap<String, usize> {
    let mut figures = HashMap::new();
    for line in text.lines().map(str::trim) {
        if !(line.starts_with('|') && line.ends_with('|') && line.len() > 1) {
            continue;
        }
        for cell in line[1..line.len() - 1].split('|').map(str::trim) {
            if is_figure(cell) {
                *figures.entry(cell.to_owned()).or_insert(0) += 1;
            }
        }
    }
    figures
}

/// Every figure `bud evaluate --format json` shows in the decision's tables, with how
/// often; and each stated figure's outcome.
fn shown_figures(decision: &serde_json::Value) -> (HashMap<String, usize>, Vec<String>) {
    let mut shown = HashMap::new();
    let mut outcomes = Vec::new();
    for table in decision["tables"].as_array().unwrap() {
        for line in table["lines"].as_array().unwrap() {
            for cell in line["cells"].as_array().unwrap() {
                if let Some(text) = cell["shown"].as_str() {
                    *shown.entry(text.to_owned()).or_insert(0) += 1;
                }
                if let Some(outcome) = cell["stated"]["outcome"].as_str() {
                    outcomes.push(format!("{} {}: {outcome}", table["name"], line["label"]));
                }
            }
        }
    }
    (shown, outcomes)
}

#[test]
fn every_published_figure_is_shown_as_printed_and_every_stated_one_has_its_outcome() {
    for (file, source) in DECISIONS {
        let text = std::fs::read_to_string(Path::new("tests/sources/unfccc").join(source)).unwrap();
        let published = published_figures(&text);
        assert!(
            published.len() > 100,
            "{source}: {} figures",
            published.len()
        );
        let path = format!("{FOLDER}/{file}");
        let output = bud()
            .args(["evaluate", &path, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{file}");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let decision = &json["decision"];
        let (shown, outcomes) = shown_figures(decision);
        let missing: Vec<String> = published
            .iter()
            .filter(|(figure, count)| shown.get(*figure).copied().unwrap_or(0) < **count)
            .map(|(figure, count)| format!("{figure} ×{count}"))
            .collect();
        assert!(missing.is_empty(), "{file} does not show {missing:?}");
        assert!(outcomes.len() > 300, "{file}: {} stated", outcomes.len());
        let failing: Vec<&String> = outcomes
            .iter()
            .filter(|o| {
                !["matches", "rounding", "acknowledged"]
                    .iter()
                    .any(|ok| o.ends_with(ok))
            })
            .collect();
        assert!(failing.is_empty(), "{file}: {failing:?}");
        assert_eq!(decision["summary"]["mismatches"], 0, "{file}");
    }
    // UN notation in the text output too: a negative figure in parentheses.
    let (code, text) = run(&["evaluate", "decisions/unfccc/22-cp-21.bud"]);
    assert_eq!(code, 0);
    assert!(
        text.contains(
            "D. Adjustment to working capital reserveᵈ      (41 609)         (264) ✓    (41 873) ✓"
        ),
        "{text}"
    );
}

/// `2 250 862` plus 100 in the same notation: `2 250 962`; `(41 609)` gives `(41 509)`.
fn plus_100(figure: &str) -> String {
    let negative = figure.starts_with('(');
    let digits: String = figure.chars().filter(char::is_ascii_digit).collect();
    let value: i64 = digits.parse::<i64>().unwrap() * if negative { -1 } else { 1 } + 100;
    let magnitude = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in magnitude.chars().enumerate() {
        if i > 0 && (magnitude.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    if value < 0 {
        format!("({grouped})")
    } else {
        grouped
    }
}

/// The input figures of Table 1 in a decision file: each year figure of a row with no
/// rule, as written, with the line it is on.
fn table_1_inputs(text: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut inputs = Vec::new();
    for line in text.lines() {
        if line.starts_with("table 1 ") {
            inside = true;
            continue;
        }
        if inside && line.starts_with('}') {
            break;
        }
        let Some(label_end) = line.rfind('"') else {
            continue;
        };
        if !inside || line.contains(" = ") || line.trim_start().starts_with("note") {
            continue;
        }
        let cells: Vec<&str> = line[label_end + 1..]
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        // The year columns; the Total is checked against them.
        for figure in cells.iter().take(2) {
            if is_figure(figure) && *figure != "–" {
                inputs.push((line.to_owned(), (*figure).to_owned()));
            }
        }
    }
    inputs
}

#[test]
fn any_input_of_a_table_1_changed_is_one_error_at_it_in_un_notation_whoever_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_folder(dir.path());
    let folder = dir.path().to_str().unwrap().to_owned();
    let (mut tried, mut marked) = (0, 0);
    for cop in ["22-cp-21.bud", "21-cp-23.bud"] {
        let original = std::fs::read_to_string(Path::new(FOLDER).join(cop)).unwrap();
        for (line, figure) in table_1_inputs(&original) {
            let changed_figure = plus_100(&figure);
            let changed_line = line.replacen(&figure, &changed_figure, 1);
            std::fs::write(
                dir.path().join(cop),
                original.replacen(&line, &changed_line, 1),
            )
            .unwrap();
            let (code, report) = run(&["check", &folder]);
            assert_eq!(code, 1, "{cop}: {figure} → {changed_figure}");
            let errors = errors(&report);
            assert_eq!(
                errors.len(),
                1,
                "{cop}: {figure} → {changed_figure}:\n{report}"
            );
            // The error is at the changed figure, and names it and the figure that
            // would reconcile, both as the decision prints them.
            let error_at = report.find("  × ").unwrap();
            let report_of_error = &report[error_at..];
            assert!(errors[0].contains(&changed_figure), "{}", errors[0]);
            // A footnote mark in a label is printed raised, never as written (`^b`).
            assert!(!errors[0].contains('^'), "{}", errors[0]);
            assert!(report_of_error.contains(&figure), "{report_of_error}");
            assert!(
                report_of_error.contains(&format!("{cop}:")),
                "{report_of_error}"
            );
            marked += usize::from(errors[0].contains(['ᵃ', 'ᵇ', 'ᶜ']));
            tried += 1;
        }
        std::fs::write(dir.path().join(cop), &original).unwrap();
    }
    assert!(tried >= 40, "only {tried} inputs changed");
    assert!(marked >= 2, "only {marked} labels with a footnote mark");
}

#[test]
fn a_decision_reading_a_wrong_figure_of_another_counts_what_follows_and_fails_checked_alone() {
    let dir = tempfile::tempdir().unwrap();
    copy_folder(dir.path());
    // 2017's Adaptation in 22/CP.21 feeds its reserve level for 2017, from which
    // 21/CP.23 measures its first adjustment.
    let cop = dir.path().join("22-cp-21.bud");
    let text = std::fs::read_to_string(&cop).unwrap();
    assert_eq!(text.matches("2 336 252").count(), 1);
    std::fs::write(&cop, text.replacen("2 336 252", "2 436 252", 1)).unwrap();

    let folder = dir.path().to_str().unwrap();
    let (code, report) = run(&["check", folder]);
    assert_eq!(code, 1);
    assert_eq!(errors(&report).len(), 1, "{report}");
    let later = report
        .lines()
        .find(|line| line.contains("21-cp-23.bud: "))
        .unwrap();
    assert!(
        later.contains("follow from an error reported once); 0 errors"),
        "{later}"
    );

    // Checked alone, the later decision still fails, at the figure that is wrong.
    let (code, report) = bud()
        .current_dir(dir.path())
        .args(["check", "21-cp-23.bud"])
        .output()
        .map(|o| {
            (
                o.status.code().unwrap(),
                String::from_utf8(o.stdout).unwrap() + &String::from_utf8(o.stderr).unwrap(),
            )
        })
        .unwrap();
    assert_eq!(code, 1, "{report}");
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{report}");
    assert!(
        errors[0].contains("Table 1, Adaptation, 2017: 2 436 252"),
        "{}",
        errors[0]
    );
    assert!(report.contains("22-cp-21.bud: "), "{report}");
}

#[test]
fn the_workbook_shows_marks_raised_un_notation_and_each_acknowledged_error() {
    use calamine::{Data, Reader, Xlsx};
    let workbook_of = |file: &str| -> Vec<u8> {
        let output = bud()
            .args(["evaluate", &format!("{FOLDER}/{file}"), "--format", "xlsx"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{file}");
        output.stdout
    };
    let bytes = workbook_of("22-cp-21.bud");
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Decision", "Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Annex"
        ]
    );
    let table_1 = workbook.worksheet_range("Table 1").unwrap();
    let labels: Vec<String> = (0..table_1.height() as u32)
        .filter_map(|row| match table_1.get_value((row, 0)) {
            Some(Data::String(label)) => Some(label.clone()),
            _ => None,
        })
        .collect();
    assert!(
        labels.contains(&"D. Adjustment to working capital reserveᵈ".to_owned()),
        "{labels:?}"
    );
    assert!(
        !labels.iter().any(|label| label.contains('^')),
        "{labels:?}"
    );
    // The reserve adjustment is a negative figure: the workbook's format shows it in
    // parentheses, and a nil as an en dash.
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains("#,##0;(#,##0);&quot;–&quot;"), "{styles}");

    // 6/CMP.13: each acknowledged rate carries a note that says so, with the reason.
    let comments = zip_entry(&workbook_of("6-cmp-13.bud"), "xl/comments1.xml");
    assert_eq!(
        comments.matches("a published error, acknowledged").count(),
        28
    );
    assert!(
        comments.contains("Spain, adjusted scale 2018: stated 3.865"),
        "{comments}"
    );
}

/// One file of a workbook (a zip archive), as text.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}
