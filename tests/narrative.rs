//! The BRS 2014 Q1 synergies report (`decisions/brs-2014-q1.bud`), a report of words:
//! it checks cleanly, prints its 13 activities in the published order wrapped to the
//! terminal's width, and every output format carries its text cells and its absent
//! savings (never as zero).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use unicode_width::UnicodeWidthStr;

#[path = "support/evaluate.rs"]
mod support;
use support::bud;

const REPORT: &str = "decisions/brs-2014-q1.bud";

/// The activities as the report lists them, each by the start of its text.
const ACTIVITIES: [&str; 13] = [
    "Harmonized approach to secretariat support",
    "Streamlined and harmonised websites",
    "Secretariat co-located on one floor.",
    "Sharing of office equipment",
    "Coordination on staff travel.",
    "The use of webinars",
    "Cooperation with UNEP Chemicals",
    "Joint resource mobilization",
    "Development of standard operating procedures",
    "Collaboration with CITES secretariat",
    "Work of the sustainability task force",
    "Scheduling of back-to back meetings/workshops",
    "Work of the BRS gender task team.",
];

fn evaluate(format: &str, columns: Option<&str>) -> Vec<u8> {
    support::evaluate(REPORT, format, columns)
}

fn text(format: &str, columns: Option<&str>) -> String {
    String::from_utf8(evaluate(format, columns)).unwrap()
}

/// Where each activity starts in `out`, asserting all 13 are there in order.
fn in_published_order(out: &str) {
    let mut from = 0;
    for activity in ACTIVITIES {
        let at = out[from..]
            .find(activity)
            .unwrap_or_else(|| panic!("`{activity}` missing or out of order"));
        from += at + activity.len();
    }
}

#[test]
fn the_report_checks_cleanly() {
    let output = bud().args(["check", REPORT]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "decisions/brs-2014-q1.bud: 0 stated figures reconciled: 0 match, 0 differ by rounding, \
         0 do not reconcile; 0 errors\n"
    );
}

#[test]
fn the_terminal_shows_the_activities_in_order_wrapped_to_its_width() {
    for width in [80, 100, 140] {
        let out = text("table", Some(&width.to_string()));
        let table = &out[out.find("Activity").unwrap()..];
        for line in table.lines() {
            assert!(
                line.width() <= width,
                "wider than {width}: {line:?} ({})",
                line.width()
            );
        }
        // Wrapped, a label keeps at least its first two words on its first line.
        let mut from = 0;
        for activity in ACTIVITIES {
            let start = activity.split(' ').take(2).collect::<Vec<_>>().join(" ");
            let at = table[from..]
                .find(&format!("\n{start}"))
                .unwrap_or_else(|| panic!("{width}: `{start}` missing or out of order"));
            from += at + start.len();
        }
        assert!(
            table.starts_with("Activity") && table.lines().next().unwrap().contains("Synergies")
        );
        let absent = table.lines().filter(|line| line.ends_with(" n/a")).count();
        assert_eq!(
            absent, 13,
            "one absent saving each, on its activity's first line"
        );
    }
}

#[test]
fn a_terminal_narrower_than_any_label_still_shows_every_activity() {
    // The label and text columns keep a readable minimum rather than shrink to
    // nothing; no width is too small to print the report.
    for width in ["1", "10", "20", "30"] {
        let out = text("table", Some(width));
        assert_eq!(
            out.lines().filter(|line| line.ends_with(" n/a")).count(),
            13,
            "{width}"
        );
    }
}

#[test]
fn the_terminal_snapshot_at_100_columns() {
    insta::assert_snapshot!(text("table", Some("100")));
}

#[test]
fn the_header_names_the_report_its_issuer_and_its_days() {
    let out = text("table", Some("100"));
    assert!(out.contains("Executive Secretary of the Basel, Rotterdam and Stockholm conventions"));
    assert!(out.contains("Period 1 January – 31 March 2014"));
}

#[test]
fn json_carries_text_cells_and_absent_amounts_and_fits_the_schema() {
    let json: serde_json::Value = serde_json::from_slice(&evaluate("json", None)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("docs/schema/evaluation.schema.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let decision = &json["decision"];
    assert_eq!(decision["kind"], "report");
    assert_eq!(decision["dates"], "1 January – 31 March 2014");
    let table = &decision["tables"][0];
    assert_eq!(table["label_heading"], "Activity");
    assert_eq!(table["columns"][0]["heading"], "Synergies");
    assert_eq!(table["columns"][0]["text"], true);
    let lines = table["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 13);
    let gender = &lines[12]["cells"];
    assert_eq!(gender[0]["kind"], "text");
    assert!(
        gender[0]["shown"]
            .as_str()
            .unwrap()
            .starts_with("Inter-secretariat coordination")
    );
    assert_eq!(gender[1]["kind"], "absent");
    assert_eq!(
        gender[1]["value"],
        serde_json::Value::Null,
        "absent is not zero"
    );
}

#[test]
fn csv_has_a_record_per_cell_with_its_kind() {
    let csv = text("csv", None);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let kind = header.iter().position(|h| h == "cell").unwrap();
    let value = header.iter().position(|h| h == "value").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 26, "13 activities, 2 columns each");
    let kinds: Vec<&str> = records.iter().map(|r| &r[kind]).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "text").count(), 13);
    assert_eq!(kinds.iter().filter(|k| **k == "absent").count(), 13);
    assert!(
        records
            .iter()
            .filter(|r| &r[kind] == "absent")
            .all(|r| r[value].is_empty())
    );
    in_published_order(&csv);
}

#[test]
fn markdown_and_html_show_the_words_left_aligned_and_absent_as_such() {
    let markdown = text("markdown", None);
    assert!(markdown.contains("| Activity | Synergies | 2014 |\n| :--- | :--- | ---: |"));
    assert!(markdown.contains("Period 1 January – 31 March 2014"));
    in_published_order(&markdown);
    assert_eq!(markdown.matches("| n/a |").count(), 13);
    let html = text("html", None);
    in_published_order(&html);
    assert_eq!(html.matches("<td class=\"text\">").count(), 13);
    assert_eq!(html.matches("<td class=\"figure absent\"").count(), 13);
}

#[test]
fn the_workbook_holds_the_words_as_text() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = evaluate("xlsx", None);
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["Decision", "Table 1"]);
    let sheet = workbook.worksheet_range("Table 1").unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|row| row.iter().map(|cell| cell.to_string()))
        .collect();
    in_published_order(&cells.join("\n"));
    let absent = sheet
        .rows()
        .flat_map(|row| row.iter())
        .filter(|cell| **cell == Data::String("n/a".to_owned()))
        .count();
    assert_eq!(absent, 13, "absent savings are written as n/a, not 0");
    assert!(
        !sheet
            .rows()
            .flat_map(|row| row.iter())
            .any(|cell| matches!(cell, Data::Float(_))),
        "no number anywhere: every saving is absent"
    );
}

#[test]
fn an_editor_hover_calls_words_words_and_an_absent_saving_absent() {
    let text = std::fs::read_to_string(REPORT).unwrap();
    let analysis = bud::ide::Analysis::new(
        &bud::world::Memory::decision(text.as_str()),
        bud::world::Memory::MAIN,
    );
    assert_eq!(analysis.diagnostics().count(), 0);
    let row = text.find("    gender ").unwrap();
    let hover_at = |needle: &str| {
        let offset = row + text[row..].find(needle).unwrap() + 1;
        analysis.hover(offset).unwrap().text
    };
    let words = hover_at("\"Inter-secretariat");
    assert!(words.contains("Synergies"), "{words}");
    assert!(words.contains("words in a text column"), "{words}");
    let absent = hover_at("absent");
    assert!(
        absent.contains("absent: the document gives no amount here"),
        "{absent}"
    );
    assert!(!absent.contains("not computed"), "{absent}");
}
