//! `bud evaluate --format …` on the bundled decision, each output read back the way its
//! reader would: JSON against its published schema, CSV by a CSV parser, Markdown by a
//! CommonMark parser, HTML by a real browser (headless Chromium), the workbook by a
//! spreadsheet reader. And every format gives the same bytes for the same input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command as Process;

#[path = "support/pipe.rs"]
mod pipe;

#[path = "support/evaluate.rs"]
mod support;
use support::bud;

const DECISION: &str = "decisions/bs-vi-7.bud";
const FORMATS: [&str; 6] = ["table", "json", "csv", "markdown", "html", "xlsx"];

/// The bytes `bud evaluate --format FORMAT` writes for the bundled decision.
fn evaluate(format: &str) -> Vec<u8> {
    support::evaluate(DECISION, format, None)
}

fn evaluate_text(format: &str) -> String {
    String::from_utf8(evaluate(format)).unwrap()
}

// ---------------------------------------------------------------- JSON

fn schema() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string("docs/schema/evaluation.schema.json").unwrap())
        .unwrap()
}

#[test]
fn json_output_is_valid_against_its_published_schema() {
    let output: serde_json::Value = serde_json::from_str(&evaluate_text("json")).unwrap();
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&output)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_rejects_what_it_should() {
    // A float where a decimal string belongs, and an unknown field: the schema is
    // strict enough to catch a change of shape.
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let mut output: serde_json::Value = serde_json::from_str(&evaluate_text("json")).unwrap();
    output["decision"]["tables"][0]["lines"][1]["cells"][0]["value"] = serde_json::json!(1875.2);
    assert!(!validator.is_valid(&output));
    let mut output: serde_json::Value = serde_json::from_str(&evaluate_text("json")).unwrap();
    output["decision"]["surprise"] = serde_json::json!(true);
    assert!(!validator.is_valid(&output));
}

#[test]
fn json_carries_every_cell_with_its_stated_figure_and_outcome_exactly() {
    let output: serde_json::Value = serde_json::from_str(&evaluate_text("json")).unwrap();
    let decision = &output["decision"];
    assert_eq!(decision["symbol"], "BS-VI/7");
    let table_1 = &decision["tables"][0];
    assert_eq!(table_1["name"], "Table 1");
    let grand_total = table_1["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["name"] == "grand_total")
        .unwrap();
    let total = &grand_total["cells"][2];
    assert_eq!(total["shown"], "5,885.2");
    assert_eq!(total["value"], "5885.287");
    assert_eq!(total["stated"]["written"], "5,885.2");
    assert_eq!(total["stated"]["outcome"], "rounding");
    assert_eq!(total["stated"]["difference"], "-0.087");
    let summary = &decision["summary"];
    assert_eq!(summary["stated"], 872);
    assert_eq!(summary["rounding"], 8);
    assert_eq!(summary["mismatches"], 0);
    // Table 5 is there too, with every Party.
    let scale = &decision["tables"][4];
    assert_eq!(scale["kind"], "scale");
    assert_eq!(scale["lines"].as_array().unwrap().len(), 164 + 1);
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_reads_back_as_one_record_per_figure() {
    let text = evaluate_text("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(records.iter().all(|r| r.len() == headers.len()));
    let grand_total = records
        .iter()
        .find(|r| {
            r[column("table")] == *"table-1"
                && r[column("name")] == *"grand_total"
                && r[column("column")] == *"Total"
        })
        .unwrap();
    assert_eq!(&grand_total[column("shown")], "5,885.2");
    assert_eq!(&grand_total[column("value")], "5885.287");
    assert_eq!(&grand_total[column("outcome")], "rounding");
    assert_eq!(&grand_total[column("unit")], "thousands of US$");
    // Every cell of every table, and every value of the paragraphs: one record each.
    let json: serde_json::Value = serde_json::from_str(&evaluate_text("json")).unwrap();
    let cells: usize = json["decision"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["lines"].as_array().unwrap())
        .map(|l| l["cells"].as_array().unwrap().len())
        .sum();
    let values: usize = json["decision"]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["values"].as_array().unwrap().len())
        .sum();
    assert_eq!(records.len(), cells + values);
    let outcomes = records
        .iter()
        .filter(|r| !r[column("outcome")].is_empty())
        .count();
    assert_eq!(outcomes, 872, "every stated figure has its outcome");
}

// ---------------------------------------------------------------- Markdown

#[test]
fn markdown_tables_are_well_formed() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let text = evaluate_text("markdown");
    // Every table line has as many cells as its header.
    let mut expected: Option<usize> = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        assert!(line.ends_with(" |"), "an unterminated row: {line}");
        let cells = line.replace("\\|", "").matches('|').count() - 1;
        match expected {
            None => expected = Some(cells),
            Some(n) => assert_eq!(cells, n, "a row of the wrong width: {line}"),
        }
    }
    // A CommonMark parser sees five tables, and Table 1's grand total in a cell.
    let mut tables = 0;
    let mut in_cell = false;
    let mut cells_with_grand_total = 0;
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableCell) => in_cell = true,
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(text) if in_cell && text.contains("5,885.2") => cells_with_grand_total += 1,
            _ => {}
        }
    }
    // Tables 1 to 5 and the arrears rule's.
    assert_eq!(tables, 6);
    assert_eq!(cells_with_grand_total, 1);
}

// ---------------------------------------------------------------- HTML in a browser

/// Headless Chromium, which `.ci/run` installs; a machine without it skips the browser
/// test with a message, except in CI, where a missing browser fails it.
/// The `<td …>` element whose content begins with `content`.
fn cell_before<'a>(row: &'a str, content: &str) -> &'a str {
    let end = row.find(content).unwrap();
    let start = row[..end].rfind("<td").unwrap();
    &row[start..end]
}

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|name| Path::new("/usr/bin").join(name))
        .find(|path| path.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: install Debian's chromium (.ci/run does)"
        );
        eprintln!("skipping the browser test: no chromium in /usr/bin (apt-get install chromium)");
    }
    found
}

fn headless(chromium: &Path, profile: &Path) -> Process {
    let mut command = Process::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    // Chromium also writes crash settings and a dconf cache under the home folder: the
    // profile folder stands in for it, so nothing is written outside the test's own.
    for variable in ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"] {
        command.env(variable, profile);
    }
    command
}

#[test]
fn html_renders_in_a_real_browser_with_table_1() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bs-vi-7.html");
    bud()
        .args(["evaluate", DECISION, "--format", "html", "--output"])
        .arg(&page)
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must need nothing from the network"
    );

    let url = format!("file://{}", page.display());
    let dom = headless(&chromium, &dir.path().join("profile-dom"))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    // The browser's DOM: Table 1's section, its grand total row, 5,885.2 with its ≈ mark.
    let table_1 = dom.split("<section id=\"table-1\">").nth(1).unwrap();
    let table_1 = table_1.split("</section>").next().unwrap();
    let row = table_1
        .split("<tr")
        .find(|row| row.contains("GRAND TOTAL (I + II + III)"))
        .unwrap();
    // Each figure says where it is written, so a page can lead a diagnostic to it.
    let cell = cell_before(row, "5,885.2<span class=\"mark rounding\"");
    assert!(cell.starts_with("<td class=\"figure\" data-at=\""), "{row}");
    assert_eq!(dom.matches("<section id=").count(), 6);

    let screenshot = dir.path().join("page.png");
    let shot = headless(&chromium, &dir.path().join("profile-shot"))
        .arg(format!("--screenshot={}", screenshot.display()))
        .args(["--window-size=1280,2000", &url])
        .output()
        .unwrap();
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(
        png.len() > 20_000,
        "a rendered page, not a blank one: {} bytes",
        png.len()
    );
}

// ---------------------------------------------------------------- XLSX

#[test]
fn the_workbook_reads_back_with_table_1s_formulas() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = evaluate("xlsx");
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Decision",
            "Table 1",
            "Table 2",
            "Table 3",
            "Table 4",
            "Table 5",
            "Arrears (bureau)"
        ]
    );
    let values = workbook.worksheet_range("Table 1").unwrap();
    let formulas = workbook.worksheet_formula("Table 1").unwrap();
    // The row (1-based, as a formula names it) of a label in column A.
    let row_of = |label: &str| -> u32 {
        (0..values.height() as u32)
            .find(|row| values.get_value((*row, 0)) == Some(&Data::String(label.to_owned())))
            .unwrap_or_else(|| panic!("no row {label}"))
            + 1
    };
    let formula = |row: u32, column: u32| -> String {
        formulas
            .get_value((row - 1, column))
            .cloned()
            .unwrap_or_default()
    };
    let staff = row_of("A. Staff costs *");
    let last = row_of("M. AHTEG on Socio-economic considerations");
    let subtotal = row_of("Sub-total (I)");
    let support = row_of("II. Programme support charge (13%)");
    let reserve = row_of("III. Working capital reserve");
    let grand = row_of("GRAND TOTAL (I + II + III)");
    // The table shows the figures as adopted: numbers, the published ones.
    for (row, column) in [(staff, 1), (subtotal, 1), (grand, 2), (grand, 3)] {
        assert_eq!(formula(row, column), "", "row {row}, column {column}");
    }
    assert_eq!(values.get_value((staff - 1, 1)), Some(&Data::Float(1875.2)));
    assert_eq!(values.get_value((grand - 1, 2)), Some(&Data::Float(2963.1)));
    assert_eq!(values.get_value((grand - 1, 3)), Some(&Data::Float(5885.2)));
    // The Check columns F-H, beside the table, compare each published figure with its
    // computed one.
    assert_eq!(
        formula(grand, 6),
        format!(
            "IF(ROUND(J{grand},1)=ROUND(C{grand},1),\"✓\",IF(ABS(C{grand}-J{grand})<=0.615,\"≈\",\"✗ \"&FIXED(J{grand},1)))"
        )
    );
    assert_eq!(
        values.get_value((grand - 1, 6)),
        Some(&Data::String("≈".to_owned()))
    );
    // Its rules are live in the Computed columns I-K: an input read from the table,
    // each total over the computed figures.
    assert_eq!(
        values.get_value((2, 8)),
        Some(&Data::String(
            "Computed: bud's rules as live formulas".to_owned()
        ))
    );
    assert_eq!(formula(staff, 8), format!("B{staff}"));
    assert_eq!(formula(subtotal, 8), format!("SUM(I{staff}:I{last})"));
    assert_eq!(
        formula(support, 8),
        format!("programme_support_rate*I{subtotal}")
    );
    assert_eq!(
        formula(grand, 8),
        format!("I{subtotal}+I{support}+I{reserve}")
    );
    assert_eq!(formula(grand, 10), format!("SUM(I{grand}:J{grand})"));
    assert_eq!(
        formula(row_of("Less contribution from host country"), 9),
        "host_offset_2014/1000"
    );
    // The cached results are bud's, for readers that do not recalculate.
    match values.get_value((grand - 1, 10)) {
        Some(Data::Float(total)) => assert_eq!(format!("{total:.3}"), "5885.287"),
        other => panic!("grand total: {other:?}"),
    }
    // Table 5's TOTAL line as published; in its Computed columns (Q-W) each Party's
    // rescaled rate is its base rate times the year's factor, its contribution that
    // rate's share of the TOTAL apportioned, and the TOTAL adds the Parties, so the
    // sheet adds up across too.
    let scale = workbook.worksheet_range("Table 5").unwrap();
    let scale_formulas = workbook.worksheet_formula("Table 5").unwrap();
    let total = (0..scale.height() as u32)
        .find(|row| scale.get_value((*row, 0)) == Some(&Data::String("TOTAL".to_owned())))
        .unwrap();
    let number = |column: u32| match scale.get_value((total, column)) {
        Some(Data::Float(value)) => *value,
        other => panic!("TOTAL, column {column}: {other:?}"),
    };
    let scale_formula = |row: u32, column: u32| {
        scale_formulas
            .get_value((row, column))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(scale_formula(total, 18), format!("SUM(S5:S{total})"));
    assert_eq!(scale_formula(4, 18), format!("R5/100*D{}", total + 1));
    assert!(
        scale_formula(4, 17).starts_with("Q5*1.40"),
        "{}",
        scale_formula(4, 17)
    );
    // Angola, a least developed country, pays no more than the 0.01% cap.
    assert_eq!(
        scale_formula(6, 17),
        scale_formula(6 - 2, 17).replace("Q5", "MIN(0.01,Q7") + ")"
    );
    assert_eq!(number(3), 2_532_558.0);
    assert_eq!(number(6), 2_569_825.0);
    assert_eq!(number(3) + number(6), number(7));
    assert_eq!(number(18), 2_532_558.0);
    // The programme support rate is a named cell on the Decision sheet.
    let names = workbook.defined_names();
    assert!(names.iter().any(|(name, formula)| name == "programme_support_rate" && formula.contains("Decision")), "{names:?}");
}

// ---------------------------------------------------------------- every format

#[test]
fn the_same_input_gives_the_same_bytes_in_every_format() {
    for format in FORMATS {
        assert_eq!(
            evaluate(format),
            evaluate(format),
            "{format} differs between two runs"
        );
    }
}

#[test]
fn output_is_written_whole_and_a_failed_run_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    bud()
        .args(["evaluate", DECISION, "--format", "json", "-o"])
        .arg(&target)
        .assert()
        .code(0)
        .stdout("");
    let written = std::fs::read(&target).unwrap();
    assert_eq!(written, evaluate("json"));

    // A decision that cannot be parsed: exit 2, and the file from before is untouched.
    let broken = dir.path().join("broken.bud");
    std::fs::write(
        &broken,
        "decision \"X\" {\n  title \"T\"\n  period 2013-2014\n  currency US$\n}\ntable 1 t {\n",
    )
    .unwrap();
    for format in FORMATS {
        bud()
            .args(["evaluate", "--format", format, "-o"])
            .arg(&target)
            .arg(&broken)
            .assert()
            .code(2);
        assert_eq!(
            std::fs::read(&target).unwrap(),
            written,
            "{format} touched the file"
        );
    }
    // A directory that does not exist: exit 2, nothing left behind anywhere.
    bud()
        .args(["evaluate", DECISION, "--format", "csv", "-o"])
        .arg(dir.path().join("missing/out.csv"))
        .assert()
        .code(2);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "only out.json and broken.bud: {left:?}");
}

#[test]
fn a_machine_format_takes_one_decision() {
    bud()
        .args(["evaluate", DECISION, DECISION, "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--format json writes one decision",
        ));
}

// ---------------------------------------------------------------- the terminal table

#[test]
fn a_narrow_terminal_wraps_labels_and_never_cuts_a_figure() {
    let wide = evaluate_text("table");
    let narrow = bud()
        .args(["evaluate", DECISION])
        .env("COLUMNS", "72")
        .output()
        .unwrap();
    let narrow = String::from_utf8(narrow.stdout).unwrap();
    // Table 4's one long label no longer pushes its figure past column 72 …
    let table_4 = narrow
        .split("Table 4.")
        .nth(1)
        .unwrap()
        .split("Table 5.")
        .next()
        .unwrap();
    for line in table_4.lines() {
        assert!(line.chars().count() <= 72, "too wide: {line}");
    }
    assert!(table_4.contains("  Meetings of the Conference of the Parties serving as"));
    assert!(
        table_4
            .lines()
            .any(|l| l.trim_start().starts_with("the Protocol")
                || l.contains("Protocol") && l.ends_with("600.0"))
    );
    // … and every figure of the wide output is still there, whole.
    for figure in ["600.0", "1,418,150", "5,885.2 ≈2", "2,532,558 ≈1"] {
        assert!(wide.contains(figure) && narrow.contains(figure), "{figure}");
    }
    // Wrapping moves text to new lines; it adds and removes no words.
    let words = |text: &str| {
        text.split_whitespace()
            .filter(|w| !w.starts_with('─'))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&wide), words(&narrow));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = evaluate_text("table");
    assert!(!plain.contains('\u{1b}'), "no escape codes in a pipe");
    let coloured = bud()
        .args(["--color", "always", "evaluate", DECISION])
        .output()
        .unwrap();
    let coloured = String::from_utf8(coloured.stdout).unwrap();
    assert!(coloured.contains("\u{1b}[32m✓"), "a green ✓");
    assert!(coloured.contains("\u{1b}[33m≈1"), "a yellow ≈1");
    // The same text once the colours are taken out.
    let stripped = strip_ansi(&coloured);
    assert_eq!(stripped, plain);
    // Colour never reaches a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tables.txt");
    bud()
        .args(["--color", "always", "evaluate", DECISION, "-o"])
        .arg(&file)
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), plain);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for next in chars.by_ref() {
                if next == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn output_never_overwrites_the_decision_or_its_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let decision = dir.path().join("bs-vi-7.bud");
    let data = dir.path().join("bs-vi-7-table-5.tsv");
    std::fs::copy(DECISION, &decision).unwrap();
    std::fs::copy("decisions/bs-vi-7-table-5.tsv", &data).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
    let before = (
        std::fs::read(&decision).unwrap(),
        std::fs::read(&data).unwrap(),
    );
    for (format, target) in [("json", &decision), ("csv", &data)] {
        bud()
            .args(["evaluate", "--format", format, "-o"])
            .arg(target)
            .arg(&decision)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("which this decision reads"));
    }
    assert_eq!(
        (
            std::fs::read(&decision).unwrap(),
            std::fs::read(&data).unwrap()
        ),
        before
    );
}

#[test]
fn a_published_figure_whose_cell_failed_is_kept_and_marked_not_checked() {
    let output = bud()
        .args([
            "evaluate",
            "tests/fixtures/errors/unknown_value.bud",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema()).unwrap();
    assert!(validator.is_valid(&json));
    let stated: Vec<&serde_json::Value> = json["decision"]["tables"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|line| line["cells"].as_array().unwrap())
        .filter(|cell| cell["shown"] == "?")
        .map(|cell| &cell["stated"])
        .collect();
    assert!(!stated.is_empty());
    assert!(
        stated
            .iter()
            .all(|s| s["outcome"] == "not_checked" && s["written"] != ""),
        "{stated:?}"
    );
}

#[test]
fn a_reader_that_stops_early_does_not_hide_a_failing_evaluation() {
    // The reader (`true`) is gone before bud writes the tables; the exit code is still 1.
    assert_eq!(pipe::exit_code_behind_a_closed_pipe("evaluate"), Some(1));
}

/// The bundled decision with 2013 Staff costs mistyped (1,875.2 as 1,857.2) in Table 1
/// only, with its data files beside it.
fn one_wrong_input() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(DECISION).unwrap();
    let row = "1,875.2   1,916.7   3,791.9";
    assert_eq!(text.matches(row).count(), 1);
    let edited = text.replacen(row, "1,857.2   1,916.7   3,791.9", 1);
    std::fs::write(dir.path().join("bs-vi-7.bud"), edited).unwrap();
    for data in ["bs-vi-7-table-5.tsv", "bs-vi-7-status-example.tsv"] {
        std::fs::copy(Path::new("decisions").join(data), dir.path().join(data)).unwrap();
    }
    dir
}

/// Where a test leaves the pictures it takes, for a person to look at.
fn pictures() -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("output-pictures");
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

#[test]
fn one_wrong_input_is_the_one_error_mark_on_the_page() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = one_wrong_input();
    let page = dir.path().join("bs-vi-7.html");
    bud()
        .current_dir(dir.path())
        .args(["evaluate", "bs-vi-7.bud", "--format", "html", "--output"])
        .arg(&page)
        .assert()
        .code(1);
    let url = format!("file://{}", page.display());
    let dom = headless(&chromium, &dir.path().join("profile-dom"))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(dom.status.success());
    let dom = String::from_utf8(dom.stdout).unwrap();
    // The summary comes first, before the paragraphs and tables.
    let summary = dom.find("<p class=\"summary\">").unwrap();
    assert!(summary < dom.find("<h2>").unwrap(), "summary first");
    // One error mark on the page, on the figure that is wrong; the 299 figures that
    // follow from it are marked as following, each naming it.
    assert_eq!(dom.matches("class=\"mark mismatch\"").count(), 1, "{dom}");
    assert_eq!(dom.matches("<td class=\"figure wrong\"").count(), 1);
    let wrong = &dom[dom.find("<td class=\"figure wrong\"").unwrap()..];
    let wrong = &wrong[..wrong.find("</td>").unwrap()];
    assert!(wrong.contains(">1,857.2<"), "{wrong}");
    assert!(wrong.contains("wrong figure ✗1"), "{wrong}");
    let follows = dom.matches("class=\"mark follows\"").count();
    assert!(follows >= 14, "the totals that follow from it: {follows}");
    // Every figure that follows names the error: the cells, and paragraph 2's value.
    assert_eq!(dom.matches("follows from ✗1</span>").count(), follows + 1);

    let screenshot = pictures().join("one-wrong-input.png");
    let shot = headless(&chromium, &dir.path().join("profile-shot"))
        .arg(format!("--screenshot={}", screenshot.display()))
        .args(["--window-size=1280,1600", &url])
        .output()
        .unwrap();
    assert!(shot.status.success());
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn the_publication_of_table_1_prints_on_one_page_as_adopted() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("table-1.html");
    bud()
        .args(["evaluate", DECISION, "--publication", "--table", "1"])
        .args(["--format", "html", "--output"])
        .arg(&page)
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&page).unwrap();
    // As adopted: the published figures (2014's grand total is 2,963.1, although bud
    // computes 2,963.199), no marks, no names from the file, and what produced it.
    for adopted in ["2,922.1", "2,963.1", "5,885.2", "1,875.2", "2,569.8"] {
        assert!(html.contains(&format!(">{adopted}<")), "{adopted}");
    }
    for review in [
        "✓",
        "≈",
        "✗",
        "class=\"mark",
        "grand_total",
        "stated figures",
        "2,963.2",
    ] {
        assert!(!html.contains(review), "{review} in the publication");
    }
    assert!(html.contains("Produced by bud "));
    assert!(html.contains(" from decisions/bs-vi-7.bud"));
    assert_eq!(html.matches("<section id=").count(), 1, "Table 1 alone");

    let pdf = pictures().join("table-1-publication.pdf");
    let printed = headless(&chromium, &dir.path().join("profile-pdf"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let pages = bytes
        .windows(11)
        .filter(|w| w == b"/Type /Page" || w == b"/Type/Page\n")
        .count()
        - bytes.windows(12).filter(|w| w == b"/Type /Pages").count();
    assert_eq!(pages, 1, "Table 1 prints on one page");
    // What the printed page says, read back from the PDF by Debian's poppler (which
    // .ci/run installs for the workbook's tests).
    let pdftotext = Path::new("/usr/bin/pdftotext");
    assert!(
        pdftotext.exists() || std::env::var_os("CI").is_none(),
        "CI reads the printed page: install poppler-utils (.ci/run does)"
    );
    if pdftotext.exists() {
        let text = Process::new(pdftotext)
            .args(["-layout"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        let grand_total = text
            .lines()
            .find(|line| line.contains("GRAND TOTAL (I + II + III)"))
            .unwrap_or_else(|| panic!("{text}"));
        let figures: Vec<&str> = grand_total.split_whitespace().rev().take(3).collect();
        assert_eq!(figures, ["5,885.2", "2,963.1", "2,922.1"], "{grand_total}");
        assert!(text.contains("Produced by bud"), "{text}");
    }
    // A picture of the page, for a person to look at, where Debian's poppler is.
    if Path::new("/usr/bin/pdftoppm").exists() {
        let png = pictures().join("table-1-publication");
        let status = Process::new("/usr/bin/pdftoppm")
            .args(["-png", "-r", "60", "-singlefile"])
            .arg(&pdf)
            .arg(&png)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[test]
fn json_and_csv_name_the_wrong_figure_and_what_follows_from_it() {
    let dir = one_wrong_input();
    let run = |format: &str| {
        let output = bud()
            .current_dir(dir.path())
            .args(["evaluate", "bs-vi-7.bud", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let validator = jsonschema::validator_for(&schema()).unwrap();
    assert!(validator.is_valid(&json));
    let mut roles = Vec::new();
    for table in json["decision"]["tables"].as_array().unwrap() {
        for line in table["lines"].as_array().unwrap() {
            for cell in line["cells"].as_array().into_iter().flatten() {
                if let Some(role) = cell.get("role") {
                    roles.push((line["label"].clone(), cell["shown"].clone(), role.clone()));
                }
            }
        }
    }
    let wrong: Vec<_> = roles
        .iter()
        .filter(|(_, _, r)| r["is"] == "wrong")
        .collect();
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert_eq!(wrong[0].0, "A. Staff costs *");
    assert_eq!(wrong[0].1, "1,857.2");
    assert_eq!(wrong[0].2["error"], 1);
    assert!(
        roles
            .iter()
            .filter(|(_, _, r)| r["is"] == "follows")
            .all(|(_, _, r)| r["error"] == 1)
    );

    let csv = run("csv");
    assert!(csv.lines().next().unwrap().ends_with(",cell,error"));
    let wrong: Vec<&str> = csv.lines().filter(|l| l.ends_with(",wrong 1")).collect();
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].contains(",A. Staff costs *,"), "{}", wrong[0]);
}
