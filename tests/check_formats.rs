//! `bud check` for machines: GitHub annotations, JSON and SARIF on the bundled decision
//! and on copies with one figure wrong, directories of decisions, and the same bytes
//! from run to run. Expected lines and columns are computed from the copied text, so
//! the tests say where a figure is, not where it happened to be.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::{Value, json};

#[path = "support/pipe.rs"]
mod pipe;

const DECISION: &str = "decisions/bs-vi-7.bud";
const TABLE_5: &str = "decisions/bs-vi-7-table-5.tsv";

/// Table 1's Total of Staff costs with two digits transposed: a stated figure nothing
/// else is computed from, so exactly one figure fails.
const STAFF_TOTAL: &str = "1,875.2   1,916.7   3,791.9";
const STAFF_TOTAL_WRONG: &str = "1,875.2   1,916.7   3,719.9";
const WRONG: &str = "3,719.9";

fn bud() -> Command {
    let mut command = Command::cargo_bin("bud").unwrap();
    command.env("NO_COLOR", "1");
    command
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bud().current_dir(dir).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Writes the decision (edited or not) as `name` in `dir`, its data file beside it.
fn write_decision(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    std::fs::copy(TABLE_5, dir.join("bs-vi-7-table-5.tsv")).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
}

fn wrong_figure_text() -> String {
    let text = std::fs::read_to_string(DECISION).unwrap();
    assert_eq!(text.matches(STAFF_TOTAL).count(), 1);
    text.replacen(STAFF_TOTAL, STAFF_TOTAL_WRONG, 1)
}

/// A copy of the decision with Table 1's Staff costs Total wrong, as `bs-vi-7.bud`.
fn wrong_figure_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_decision(dir.path(), "bs-vi-7.bud", &wrong_figure_text());
    dir
}

/// The 1-based line and character column of the wrong figure, found in the text.
fn wrong_figure_position() -> (usize, usize) {
    let text = wrong_figure_text();
    let (index, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains(STAFF_TOTAL_WRONG))
        .unwrap();
    let byte = line.find(WRONG).unwrap();
    (index + 1, line[..byte].chars().count() + 1)
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", stdout(output)))
}

// ---------------------------------------------------------------- github

#[test]
fn github_annotates_the_one_wrong_figure_at_its_line_and_column() {
    let dir = wrong_figure_copy();
    let output = run_in(dir.path(), &["check", "--format", "github", "bs-vi-7.bud"]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let (line, column) = wrong_figure_position();
    let end = column + WRONG.chars().count();
    let expected = format!(
        "::error file=bs-vi-7.bud,line={line},col={column},endLine={line},endColumn={end},\
         title=bud%3A%3Areconcile%3A%3Amismatch::Table 1, A. Staff costs *, Total: \
         stated 3,719.9, but bud computes 3,791.9%0Acomputed as 2013 + 2014"
    );
    // Standard output holds the one annotation and nothing else.
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with(&expected),
        "expected {expected}\n got {out}"
    );
    assert!(out.ends_with('\n'));
    // The summaries go to the log on standard error.
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.contains("1 do not reconcile; 1 error"), "{err}");
}

#[test]
fn github_prints_nothing_for_the_clean_decision_not_even_its_rounding_notes() {
    let output = bud()
        .args(["check", "--format", "github", DECISION])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

#[test]
fn github_annotates_a_data_file_and_an_unreadable_file() {
    let output = bud()
        .args([
            "check",
            "--format",
            "github",
            "tests/fixtures/errors/scale_data_bad_row.bud",
            "decisions/no-such-decision.bud",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let out = stdout(&output);
    assert!(
        out.contains("::error file=tests/fixtures/errors/scale_data_bad_row.tsv,line=3,col=9,"),
        "{out}"
    );
    assert!(
        out.contains(
            "::error file=decisions/no-such-decision.bud,title=bud%3A%3Aio%3A%3Aread::cannot read"
        ),
        "{out}"
    );
}

// ---------------------------------------------------------------- json

#[test]
fn json_reports_each_variant_and_the_wrong_figure_with_its_location() {
    let dir = wrong_figure_copy();
    let output = run_in(dir.path(), &["check", "--format", "json", "bs-vi-7.bud"]);
    assert_eq!(output.status.code(), Some(1));
    let run = json_of(&output);
    assert_eq!(run["version"], 1);
    assert_eq!(run["status"], "failed");
    let file = &run["files"][0];
    assert_eq!(file["path"], "bs-vi-7.bud");
    assert_eq!(file["status"], "failed");
    let variants = file["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    assert_eq!(variants[0]["scenario"], Value::Null);
    assert_eq!(variants[0]["summary"]["mismatches"], 1);
    assert_eq!(variants[0]["summary"]["errors"], 1);
    assert_eq!(variants[0]["summary"]["stated"], 872);
    assert_eq!(variants[1]["scenario"], "contingency-2015");
    assert_eq!(variants[1]["summary"]["errors"], 0);

    let diagnostics = file["diagnostics"].as_array().unwrap();
    let errors: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    let error = errors[0];
    assert_eq!(error["code"], "bud::reconcile::mismatch");
    assert_eq!(error["scenario"], Value::Null);
    assert_eq!(
        error["message"],
        "Table 1, A. Staff costs *, Total: stated 3,719.9, but bud computes 3,791.9"
    );
    assert!(error["help"].as_str().unwrap().starts_with("computed as"));
    let (line, column) = wrong_figure_position();
    let location = &error["location"];
    assert_eq!(location["path"], "bs-vi-7.bud");
    assert_eq!(location["line"], line);
    assert_eq!(location["column"], column);
    assert_eq!(location["end_line"], line);
    assert_eq!(location["end_column"], column + WRONG.len());
    assert_eq!(location["length"], WRONG.len());
    let offset = usize::try_from(location["offset"].as_u64().unwrap()).unwrap();
    assert_eq!(&wrong_figure_text()[offset..offset + WRONG.len()], WRONG);
    // The edit that resolves it: the stated figure, where it is, replaced.
    assert_eq!(
        error["corrections"],
        json!([{ "title": "correct the stated figure to 3,791.9",
                 "location": location, "replacement": "3,791.9" }])
    );
    // Every other diagnostic is a rounding note or residue, none of them failing.
    assert!(
        diagnostics
            .iter()
            .filter(|d| d["severity"] != "error")
            .all(|d| d["severity"] == "note")
    );
}

#[test]
fn json_of_the_clean_decision_is_clean_with_notes() {
    let output = bud()
        .args(["check", "--format", "json", DECISION])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let run = json_of(&output);
    assert_eq!(run["status"], "clean");
    assert_eq!(run["files"][0]["path"], DECISION);
    let diagnostics = run["files"][0]["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    assert!(diagnostics.iter().all(|d| d["severity"] == "note"));
    let scenario_notes = diagnostics
        .iter()
        .filter(|d| d["scenario"] == "contingency-2015")
        .count();
    assert!(scenario_notes > 0);
}

#[test]
fn json_reports_an_unreadable_file_without_a_location_and_exits_2() {
    let output = bud()
        .args(["check", "--format", "json", DECISION, "decisions/nope.bud"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let run = json_of(&output);
    assert_eq!(run["status"], "unreadable");
    assert_eq!(run["files"][0]["status"], "clean");
    let file = &run["files"][1];
    assert_eq!(file["path"], "decisions/nope.bud");
    assert_eq!(file["status"], "unreadable");
    assert_eq!(file["variants"], Value::Array(Vec::new()));
    let diagnostic = &file["diagnostics"][0];
    assert_eq!(diagnostic["code"], "bud::io::read");
    assert_eq!(diagnostic["location"], Value::Null);
}

/// `check --format json` of a decision with `body` after its header: the text and
/// the run.
fn json_of_body(body: &str) -> (String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "decision \"T/1\" {{\n    title \"T\"\n    period 2013-2014\n    currency US$\n}}\n{body}"
    );
    std::fs::write(dir.path().join("t.bud"), &text).unwrap();
    let run = json_of(&run_in(dir.path(), &["check", "--format", "json", "t.bud"]));
    (text, run)
}

/// The corrections of such a decision: each title, the text it replaces and by what.
fn corrections_of(body: &str) -> Vec<(String, String, String)> {
    let (text, run) = json_of_body(body);
    run["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["corrections"].as_array().unwrap().clone())
        .map(|c| {
            let at = c["location"]["offset"].as_u64().unwrap() as usize;
            let length = c["location"]["length"].as_u64().unwrap() as usize;
            (
                c["title"].as_str().unwrap().to_owned(),
                text[at..at + length].to_owned(),
                c["replacement"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn json_corrects_a_misspelt_keyword_and_unit_but_not_percent() {
    let table = |first: &str, unit: &str| {
        format!("{first} 1 t {{\n    unit {unit}\n    columns 2013\n    a \"A\" 1.0\n}}\n")
    };
    let edit =
        |title: &str, from: &str, to: &str| (title.to_owned(), from.to_owned(), to.to_owned());
    assert_eq!(
        corrections_of(&table("tabel", "thousands of US$")),
        [edit("replace `tabel` with `table`", "tabel", "table")]
    );
    assert_eq!(
        corrections_of(&table("table", "thousnds of US$")),
        [edit("change to `thousands`", "thousnds", "thousands")]
    );
    // `percent` is `per cent` or `%`: two ways to write it, so no one edit.
    let (_, run) = json_of_body("x = 2 percent\n");
    let diagnostic = &run["files"][0]["diagnostics"][0];
    let help = diagnostic["help"].as_str().unwrap();
    assert!(
        help.starts_with("did you mean `per cent` or `%`?"),
        "{help}"
    );
    assert_eq!(diagnostic["corrections"], json!([]));
}

// ---------------------------------------------------------------- sarif

/// The published pattern of `language` (of a run and of a tool component), with a
/// stray `]` that jsonschema refuses to compile, and what it means; bud writes no
/// `language`.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/schemas/sarif-2.1.0.json").unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    for owner in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(*pattern, BROKEN_LANGUAGE_PATTERN);
        *pattern = Value::from(LANGUAGE_PATTERN);
    }
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn the_sarif_schema_rejects_a_broken_log() {
    // The validation below can fail: a log without `runs` is not SARIF.
    let broken = serde_json::json!({ "version": "2.1.0" });
    assert!(!sarif_validator().is_valid(&broken));
}

#[test]
fn sarif_is_valid_and_places_the_wrong_figure() {
    let dir = wrong_figure_copy();
    let output = run_in(dir.path(), &["check", "--format", "sarif", "bs-vi-7.bud"]);
    assert_eq!(output.status.code(), Some(1));
    let log = json_of(&output);
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "bud");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let errors: Vec<&Value> = results.iter().filter(|r| r["level"] == "error").collect();
    assert_eq!(errors.len(), 1);
    let error = errors[0];
    assert_eq!(error["ruleId"], "bud::reconcile::mismatch");
    let index = usize::try_from(error["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(rules[index]["id"], "bud::reconcile::mismatch");
    assert!(
        rules[index]["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("A figure the decision states differs")
    );
    let location = &error["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "bs-vi-7.bud");
    // The correction is a fix that replaces the wrong figure's region.
    assert_eq!(
        error["fixes"],
        json!([{
            "description": { "text": "correct the stated figure to 3,791.9" },
            "artifactChanges": [{
                "artifactLocation": { "uri": "bs-vi-7.bud" },
                "replacements": [{ "deletedRegion": location["region"], "insertedContent": { "text": "3,791.9" } }]
            }]
        }])
    );
    let (line, column) = wrong_figure_position();
    let region = &location["region"];
    assert_eq!(region["startLine"], line);
    assert_eq!(region["startColumn"], column);
    assert_eq!(region["endLine"], line);
    assert_eq!(region["endColumn"], column + WRONG.chars().count());
    // Code scanning makes an alert of every result: rounding notes only when asked.
    assert!(results.iter().all(|r| r["level"] != "note"), "{results:?}");
    assert!(rules.iter().all(|r| r["id"] != "bud::reconcile::rounding"));
    // Every result names the rule at its index.
    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_has_the_rounding_notes_when_asked() {
    let dir = wrong_figure_copy();
    let output = run_in(
        dir.path(),
        &["check", "--format", "sarif", "--notes", "bs-vi-7.bud"],
    );
    assert_eq!(output.status.code(), Some(1));
    let log = json_of(&output);
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let notes = results.iter().filter(|r| r["level"] == "note").count();
    assert!(notes > 0, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "bud::reconcile::rounding")
    );
}

#[test]
fn sarif_is_valid_for_related_spans_data_files_and_unreadable_files() {
    let output = bud()
        .args([
            "check",
            "--format",
            "sarif",
            "tests/fixtures/errors/posts_added_to_money.bud",
            "tests/fixtures/errors/scale_data_bad_row.bud",
            "tests/fixtures/valid/imports_shared_rates.bud",
            "decisions/nope.bud",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let log = json_of(&output);
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let units = results
        .iter()
        .find(|r| r["ruleId"] == "bud::units::mismatch")
        .unwrap();
    assert_eq!(
        units["relatedLocations"][0]["message"]["text"],
        "a number of posts"
    );
    let data = results
        .iter()
        .find(|r| r["ruleId"] == "bud::data::row")
        .unwrap();
    assert_eq!(
        data["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/errors/scale_data_bad_row.tsv"
    );
    let unreadable = results
        .iter()
        .find(|r| r["ruleId"] == "bud::io::read")
        .unwrap();
    let physical = &unreadable["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "decisions/nope.bud");
    assert_eq!(physical.get("region"), None);
}

// ---------------------------------------------------------------- directories

/// A tree of decisions: `a/good.bud`, `b/broken.bud` (one figure wrong), and broken
/// copies where no check should look (a hidden directory, `target/`).
fn decision_tree() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(DECISION).unwrap();
    write_decision(&root.path().join("b"), "broken.bud", &wrong_figure_text());
    write_decision(&root.path().join("a"), "good.bud", &good);
    write_decision(
        &root.path().join(".git"),
        "hidden.bud",
        &wrong_figure_text(),
    );
    write_decision(
        &root.path().join("target"),
        "built.bud",
        &wrong_figure_text(),
    );
    root
}

#[test]
fn a_directory_is_checked_file_by_file_in_sorted_order_and_the_worst_exit_wins() {
    let root = decision_tree();
    let output = run_in(root.path(), &["check", "."]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let good = out
        .find("./a/good.bud: 872 stated figures reconciled")
        .unwrap();
    let broken = out
        .find("./b/broken.bud: 872 stated figures reconciled")
        .unwrap();
    assert!(good < broken, "{out}");
    assert!(
        !out.contains("hidden.bud") && !out.contains("built.bud"),
        "{out}"
    );

    let output = run_in(root.path(), &["check", "--format", "json", "."]);
    assert_eq!(output.status.code(), Some(1));
    let run = json_of(&output);
    let paths: Vec<&str> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["./a/good.bud", "./b/broken.bud"]);
    assert_eq!(run["files"][0]["status"], "clean");
    assert_eq!(run["files"][1]["status"], "failed");

    let output = run_in(root.path(), &["check", "--format", "github", "."]);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("::error file=./b/broken.bud,line="),
        "{out}"
    );
}

#[test]
fn a_library_found_beside_the_decision_that_imports_it_is_not_checked_alone() {
    let root = tempfile::tempdir().unwrap();
    // The decision reads `../imported/rates.bud`: both folders are one project.
    std::fs::write(root.path().join(".bud-project"), "").unwrap();
    for (from, to) in [
        (
            "tests/fixtures/valid/imports_shared_rates.bud",
            "valid/a.bud",
        ),
        ("tests/fixtures/imported/rates.bud", "imported/rates.bud"),
    ] {
        let to = root.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
    let output = run_in(root.path(), &["check", "--format", "json", "."]);
    let run = json_of(&output);
    assert_eq!(output.status.code(), Some(0), "{run:#}");
    assert_eq!(run["files"].as_array().unwrap().len(), 1, "{run:#}");
    assert_eq!(run["files"][0]["path"], "./valid/a.bud");
    // Named on its own, the library is checked, and fails for lacking a decision.
    let output = run_in(root.path(), &["check", "imported/rates.bud"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_directory_without_decisions_exits_2_in_every_format() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("empty/.hidden")).unwrap();
    std::fs::write(root.path().join("empty/.hidden/x.bud"), "").unwrap();
    std::fs::write(root.path().join("empty/notes.txt"), "").unwrap();
    for format in ["human", "json", "github", "sarif"] {
        let output = run_in(root.path(), &["check", "--format", format, "empty"]);
        assert_eq!(output.status.code(), Some(2), "{format}");
        assert!(
            stdout(&output).contains("holds no .bud files"),
            "{format}: {}",
            stdout(&output)
        );
    }
}

// ---------------------------------------------------------------- every format

#[test]
fn every_format_keeps_the_exit_codes_and_prints_the_same_bytes_each_run() {
    let dir = wrong_figure_copy();
    for format in ["human", "json", "github", "sarif"] {
        let first = run_in(dir.path(), &["check", "--format", format, "bs-vi-7.bud"]);
        let second = run_in(dir.path(), &["check", "--format", format, "bs-vi-7.bud"]);
        assert_eq!(first.status.code(), Some(1), "{format}");
        assert!(!first.stdout.is_empty(), "{format}");
        assert_eq!(first.stdout, second.stdout, "{format}");
        let clean = bud()
            .args(["check", "--format", format, DECISION])
            .output()
            .unwrap();
        assert_eq!(clean.status.code(), Some(0), "{format}");
    }
}

#[test]
fn the_default_format_is_the_terminal_report() {
    let dir = wrong_figure_copy();
    let default = run_in(dir.path(), &["check", "bs-vi-7.bud"]);
    let human = run_in(dir.path(), &["check", "--format", "human", "bs-vi-7.bud"]);
    assert_eq!(default.stdout, human.stdout);
    assert!(stdout(&default).contains("× Table 1, A. Staff costs *, Total: stated 3,719.9"));
}

// ---------------------------------------------------------------- snapshots

fn fixture_output(format: &str, fixture: &str) -> String {
    let output = bud()
        .args(["check", "--format", format, fixture])
        .output()
        .unwrap();
    // The version changes with each release, not with the format.
    stdout(&output).replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn github_output_of_broken_fixtures_as_snapshotted() {
    let mut out = String::new();
    for fixture in [
        "tests/fixtures/errors/posts_added_to_money.bud",
        "tests/fixtures/errors/stated_total_wrong.bud",
        "tests/fixtures/errors/scale_data_bad_row.bud",
    ] {
        out.push_str(&fixture_output("github", fixture));
    }
    insta::assert_snapshot!("check_github", out);
}

#[test]
fn sarif_output_of_a_broken_fixture_as_snapshotted() {
    insta::assert_snapshot!(
        "check_sarif",
        fixture_output("sarif", "tests/fixtures/errors/posts_added_to_money.bud")
    );
}

#[test]
fn a_reader_that_stops_early_does_not_hide_a_failure() {
    // The reader (`true`) is gone before bud writes a byte: every write meets a closed
    // pipe, and the exit code is still the check's.
    assert_eq!(pipe::exit_code_behind_a_closed_pipe("check"), Some(1));
}
