//! `bud diff` through the real binary: BS-VI/7 against a copy with one changed input
//! lists that input and the totals, paragraph value and contributions it moved, in text,
//! Markdown (read by a CommonMark parser) and JSON (valid against its schema); rows
//! added and removed; identical files; `--rev` against a git repository made in the
//! test, an import read at the revision, a file not there at it; an unknown revision.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

const DECISION: &str = "decisions/bs-vi-7.bud";
const DATA: [&str; 2] = [
    "decisions/bs-vi-7-table-5.tsv",
    "decisions/bs-vi-7-status-example.tsv",
];
const STAFF_2013: &str = "1,875.2   1,916.7   3,791.9";
const STAFF_2013_CHANGED: &str = "1,900.0   1,916.7   3,791.9";

fn bud() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("bud"))
}

/// The bundled decision as `old.bud` and an edited copy as `new.bud`, with the data
/// files beside them.
fn pair(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(DECISION).unwrap();
    let (old, new) = (dir.path().join("old.bud"), dir.path().join("new.bud"));
    std::fs::write(&old, &text).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&new, edited).unwrap();
    for data in DATA {
        let name = Path::new(data).file_name().unwrap();
        std::fs::copy(data, dir.path().join(name)).unwrap();
    }
    (dir, old, new)
}

fn one_changed_input() -> (tempfile::TempDir, PathBuf, PathBuf) {
    pair(|text| {
        assert_eq!(text.matches(STAFF_2013).count(), 1);
        text.replacen(STAFF_2013, STAFF_2013_CHANGED, 1)
    })
}

fn run(args: &[&std::ffi::OsStr], cwd: Option<&Path>) -> (i32, String, String) {
    let mut command = bud();
    command.arg("diff").args(args).env("NO_COLOR", "1");
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn diff(old: &Path, new: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<&std::ffi::OsStr> = extra.iter().map(|a| a.as_ref()).collect();
    args.push(old.as_os_str());
    args.push(new.as_os_str());
    run(&args, None)
}

/// The line of `text` that holds every one of `parts`, in order.
fn line_with<'a>(text: &'a str, parts: &[&str]) -> &'a str {
    text.lines()
        .find(|line| {
            let mut rest = *line;
            parts.iter().all(|part| match rest.find(part) {
                Some(at) => {
                    rest = &rest[at + part.len()..];
                    true
                }
                None => false,
            })
        })
        .unwrap_or_else(|| panic!("no line with {parts:?} in:\n{text}"))
}

#[test]
fn one_changed_input_and_the_totals_it_moved_as_text() {
    let (_dir, old, new) = one_changed_input();
    let (code, text, stderr) = diff(&old, &new, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(text.starts_with("BS-VI/7: "), "{text}");
    let changed = text.find("What changed").unwrap();
    let moved = text.find("What it moved").unwrap();
    let reconciliation = text.find("Reconciliation").unwrap();
    assert!(changed < moved && moved < reconciliation, "{text}");
    // What changed: the input alone.
    let what_changed = &text[changed..moved];
    line_with(
        what_changed,
        &["A. Staff costs *", "2013", "1,875.2 → 1,900.0", "+24.8"],
    );
    assert_eq!(what_changed.matches(" → ").count(), 1, "{what_changed}");
    // What it moved: the row's total, the subtotal, the support charge, the grand and
    // net totals, paragraph 2's approved budget and Table 5's contributions.
    let what_moved = &text[moved..reconciliation];
    for parts in [
        &["A. Staff costs *", "Total", "3,791.9 → 3,816.7", "+24.8"][..],
        &["Sub-total (I)", "2013", "2,577.6 → 2,602.4", "+24.8"],
        &[
            "Programme support charge (13%)",
            "2013",
            "335.1 →",
            "338.3",
            "+3.224",
        ],
        &[
            "GRAND TOTAL (I + II + III)",
            "2013",
            "2,922.1 → 2,950.1",
            "+28.024",
        ],
        &[
            "NET TOTAL (amount to be shared by Parties)",
            "2013",
            "2,532.6 → 2,560.6",
            "+28.024",
        ],
        &[
            "approved_core_budget[2013]",
            "US$ 2,922,088 → US$ 2,950,112",
            "+28,024",
        ],
        &["TOTAL", "2013", "2,532,555 → 2,560,579", "+28,024"],
        &["Austria", "2013", "30,385 →", "30,721", "+336.18…"],
    ] {
        line_with(what_moved, parts);
    }
    assert!(what_moved.contains("Table 5 (US$)"), "{what_moved}");
    // 2014 did not move.
    assert!(!what_moved.contains("2,622.3"), "{what_moved}");
    assert!(
        !what_moved.contains("approved_core_budget[2014]"),
        "{what_moved}"
    );
    // The stated figures that no longer reconcile.
    let after = &text[reconciliation..];
    line_with(after, &["before: 872 stated figures", "0 do not reconcile"]);
    // As `bud check` counts them: all follow from the one changed input.
    line_with(
        after,
        &[
            "after:",
            "274 do not reconcile (274 follow from an error reported once)",
        ],
    );
    line_with(
        after,
        &["Table 1, Sub-total (I), 2013: stated 2,577.6, bud computes 2,602.4"],
    );
    assert!(after.contains("stated figures now fail"), "{after}");
}

/// A pipe table's rows, each a list of cell texts.
type Rows = Vec<Vec<String>>;

/// Every pipe table of a Markdown text, as rows of cell texts, and its headings.
fn markdown_tables(text: &str) -> (Vec<(HeadingLevel, String)>, Vec<Rows>) {
    let (mut headings, mut tables) = (Vec::new(), Vec::new());
    let mut heading: Option<(HeadingLevel, String)> = None;
    let (mut table, mut row, mut cell): (Rows, Vec<String>, Option<String>) =
        (Vec::new(), Vec::new(), None);
    let options = pulldown_cmark::Options::ENABLE_TABLES;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => headings.extend(heading.take()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.extend(cell.take()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                table.push(std::mem::take(&mut row))
            }
            Event::End(TagEnd::Table) => tables.push(std::mem::take(&mut table)),
            Event::Text(words) | Event::Code(words) => {
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&words);
                } else if let Some((_, heading)) = heading.as_mut() {
                    heading.push_str(&words);
                }
            }
            _ => {}
        }
    }
    (headings, tables)
}

#[test]
fn one_changed_input_as_markdown_for_a_pull_request() {
    let (_dir, old, new) = one_changed_input();
    let (code, text, stderr) = diff(&old, &new, &["--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    let (headings, tables) = markdown_tables(&text);
    // A heading for the decision, and one for its scenario, which the edit leaves
    // alone (its Table 6 replaces Table 1).
    assert_eq!(headings.len(), 2, "{text}");
    assert_eq!(headings[0].0, HeadingLevel::H3);
    assert!(headings[0].1.starts_with("BS-VI/7: "), "{headings:?}");
    assert!(
        headings[1]
            .1
            .starts_with("BS-VI/7, scenario contingency-2015: "),
        "{headings:?}"
    );
    assert!(text.ends_with("No figures changed.\n"), "{text}");
    let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    // The first table is what changed: a heading row and the input.
    assert_eq!(
        tables[0],
        [
            row(&["Line", "Column", "Before", "After", "Difference"]),
            row(&["A. Staff costs *", "2013", "1,875.2", "1,900.0", "+24.8"]),
        ]
    );
    // Then Table 1's moved figures, the subtotal's Total on a line of its own.
    let moved = &tables[1];
    assert!(moved.contains(&row(&[
        "Sub-total (I)",
        "2013",
        "2,577.6",
        "2,602.4",
        "+24.8"
    ])));
    assert!(moved.contains(&row(&["", "Total", "5,199.9", "5,224.7", "+24.8"])));
    assert!(moved.contains(&row(&[
        "GRAND TOTAL (I + II + III)",
        "2013",
        "2,922.1",
        "2,950.1",
        "+28.024"
    ])));
    let every_row: Vec<&Vec<String>> = tables.iter().flatten().collect();
    assert!(every_row.contains(&&row(&[
        "TOTAL",
        "2013",
        "2,532,555",
        "2,560,579",
        "+28,024"
    ])));
    assert!(every_row.contains(&&row(&[
        "approved_core_budget[2013]",
        "",
        "US$ 2,922,088",
        "US$ 2,950,112",
        "+28,024"
    ])));
    assert!(text.contains("**Reconciliation**"), "{text}");
}

fn schema_validator(file: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn json(text: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let validator = schema_validator("docs/schema/diff.schema.json");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    value
}

#[test]
fn one_changed_input_as_json_valid_against_its_schema() {
    let (_dir, old, new) = one_changed_input();
    let (code, text, stderr) = diff(&old, &new, &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let document = json(&text);
    assert_eq!(document["format"], "bud-diff");
    assert_eq!(document["version"], 1);
    assert_eq!(document["changed"], true);
    let diffs = document["diffs"].as_array().unwrap();
    assert_eq!(diffs.len(), 2);
    assert_eq!(diffs[1]["scenario"], "contingency-2015");
    assert_eq!(diffs[1]["changed"], serde_json::json!([]));
    assert_eq!(diffs[1]["moved"], serde_json::json!([]));
    let diff = &diffs[0];
    assert_eq!(diff["scenario"], serde_json::Value::Null);
    assert_eq!(diff["old"]["symbol"], "BS-VI/7");
    assert_eq!(diff["old"]["summary"]["mismatches"], 0);
    let changed = diff["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    let input = &changed[0];
    assert_eq!(input["what"], "input");
    assert_eq!(input["table"], "table-1");
    assert_eq!(input["name"], "staff_costs");
    assert_eq!(input["column"], "2013");
    assert_eq!(input["unit"], "thousands of US$");
    assert_eq!(input["old"]["shown"], "1,875.2");
    assert_eq!(input["new"]["value"], "1900");
    assert_eq!(input["difference"], "24.8");
    let moved = diff["moved"].as_array().unwrap();
    let find = |table: Option<&str>, line: &str, column: Option<&str>| {
        moved
            .iter()
            .find(|m| {
                m["table"].as_str() == table && m["line"] == line && m["column"].as_str() == column
            })
            .unwrap_or_else(|| panic!("{line} {column:?} did not move"))
    };
    let support = find(
        Some("table-1"),
        "II. Programme support charge (13%)",
        Some("2013"),
    );
    assert_eq!(support["what"], "computed");
    assert_eq!(support["difference"], "3.224");
    assert_eq!(support["new"]["shown"], "338.3");
    let grand = find(Some("table-1"), "GRAND TOTAL (I + II + III)", Some("Total"));
    assert_eq!(grand["difference"], "28.024");
    let approved = find(None, "approved_core_budget[2013]", None);
    assert_eq!(approved["heading"], "Paragraph 2");
    assert_eq!(approved["year"], 2013);
    assert_eq!(approved["difference"], "28024");
    let total = find(Some("table-5"), "TOTAL", Some("2013"));
    assert_eq!(total["difference"], "28024");
    assert!(
        moved
            .iter()
            .filter(|m| m["table"] == "table-5" && m["column"] == "2013")
            .count()
            > 100
    );
    let failing = diff["reconciliation"]["now_failing"].as_array().unwrap();
    assert!(failing.iter().any(|f| f["line"] == "Sub-total (I)"
        && f["column"] == "2013"
        && f["stated"] == "2,577.6"
        && f["computed"] == "2,602.4"
        && f["was"] == "matches"
        && f["now"] == "mismatch"));
}

#[test]
fn a_change_to_a_scenario_alone_is_its_own_diff() {
    // Table 6 is the contingency scenario's replacement of Table 1.
    let table_6 = "1,875.2   1,916.7   1,959.3   5,751.2";
    let (_dir, old, new) =
        pair(|text| text.replacen(table_6, "1,875.2   1,916.7   1,999.3   5,751.2", 1));
    let (code, text, stderr) = diff(&old, &new, &[]);
    assert_eq!(code, 0, "{stderr}");
    let scenario = text.find("BS-VI/7, scenario contingency-2015: ").unwrap();
    let (decision, scenario) = text.split_at(scenario);
    assert!(decision.contains("no figures changed"), "{decision}");
    line_with(scenario, &["Table 6 (thousands of US$)"]);
    line_with(
        scenario,
        &["A. Staff costs *", "2015", "1,959.3 → 1,999.3", "+40.0"],
    );
    line_with(
        scenario,
        &["NET TOTAL (amount to be shared by Parties)", "2015"],
    );
}

#[test]
fn the_schema_rejects_a_float_difference() {
    let (_dir, old, new) = one_changed_input();
    let (_, text, _) = diff(&old, &new, &["--format", "json"]);
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["diffs"][0]["changed"][0]["difference"] = serde_json::json!(24.8);
    assert!(
        !schema_validator("docs/schema/diff.schema.json").is_valid(&document),
        "a float passed"
    );
}

#[test]
fn a_row_added_and_a_row_removed() {
    let removed = "        L.              \"Translation of BCH website\"                      25.0      25.0      50.0\n";
    let (_dir, old, new) = pair(|text| {
        assert_eq!(text.matches(removed).count(), 1);
        text.replacen(
            removed,
            "        N.              \"Translation of the website\"                      30.0      20.0      50.0\n",
            1,
        )
    });
    let (code, text, stderr) = diff(&old, &new, &[]);
    assert_eq!(code, 0, "{stderr}");
    line_with(
        &text,
        &["N. Translation of the website: added: 2013 30.0, 2014 20.0, Total 50.0"],
    );
    line_with(
        &text,
        &["L. Translation of BCH website: removed: 2013 25.0, 2014 25.0, Total 50.0"],
    );
    // 2013 gains 5.0, 2014 loses 5.0.
    line_with(
        &text,
        &["Sub-total (I)", "2013", "2,577.6 → 2,582.6", "+5.0"],
    );
    line_with(&text, &["2014", "2,622.3 → 2,617.3", "-5.0"]);
    let (_, json_text, _) = diff(&old, &new, &["--format", "json"]);
    let document = json(&json_text);
    let changed = document["diffs"][0]["changed"].as_array().unwrap();
    let whats: Vec<(&str, &str)> = changed
        .iter()
        .map(|c| (c["what"].as_str().unwrap(), c["line"].as_str().unwrap()))
        .collect();
    assert_eq!(
        whats,
        [
            ("row_added", "N. Translation of the website"),
            ("row_removed", "L. Translation of BCH website")
        ]
    );
    assert_eq!(changed[0]["figures"][0]["column"], "2013");
    assert_eq!(changed[0]["figures"][0]["value"], "30");
}

#[test]
fn identical_files_change_no_figures() {
    let (_dir, old, new) = pair(|text| text.replacen("// Decision BS-VI/7", "// BS-VI/7", 1));
    let (code, text, stderr) = diff(&old, &new, &["--exit-code"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(text.contains("no figures changed"), "{text}");
    let (_, markdown, _) = diff(&old, &new, &["--format", "markdown"]);
    assert!(markdown.contains("No figures changed."), "{markdown}");
    let (_, json_text, _) = diff(&old, &new, &["--format", "json"]);
    let document = json(&json_text);
    assert_eq!(document["changed"], false);
    assert_eq!(document["diffs"][0]["moved"], serde_json::json!([]));
}

#[test]
fn exit_code_is_one_with_differences_when_asked() {
    let (_dir, old, new) = one_changed_input();
    assert_eq!(diff(&old, &new, &["--exit-code"]).0, 1);
    assert_eq!(diff(&old, &new, &[]).0, 0);
}

#[test]
fn a_decision_that_does_not_parse_is_reported_and_exits_two() {
    let (_dir, old, new) =
        pair(|text| text.replacen("table 1 core_budget {", "tabel 1 core_budget {", 1));
    let (code, text, stderr) = diff(&old, &new, &[]);
    assert_eq!(code, 2);
    assert!(text.is_empty(), "{text}");
    assert!(stderr.contains("bud::syntax::keyword"), "{stderr}");
    assert!(stderr.contains("new.bud"), "{stderr}");
}

#[test]
fn one_file_without_rev_is_refused() {
    let (_dir, old, _) = one_changed_input();
    let (code, _, stderr) = run(&[old.as_os_str()], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("give two files"), "{stderr}");
}

// ---------------------------------------------------------------- --rev

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "bud")
        .env("GIT_AUTHOR_EMAIL", "bud@example.org")
        .env("GIT_COMMITTER_NAME", "bud")
        .env("GIT_COMMITTER_EMAIL", "bud@example.org")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

const IMPORTING: &str = r#"decision "X/1" {
    title    "A budget whose support rate is shared"
    period   2013-2014
    currency US$
}

import "lib/rates.bud"

table 1 budget {
    unit     thousands of US$
    rounding 0.1
    columns  2013 2014 Total

    staff    "Staff costs"      100.0   110.0   210.0
    support  "Support (13%)"     13.0    14.3    27.3  = programme_support_rate of staff
    total    "Total"            113.0   124.3   237.3  = staff + support
}
"#;

/// A repository with `decisions/x.bud` importing `decisions/lib/rates.bud`, committed.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let decisions = dir.path().join("decisions");
    std::fs::create_dir_all(decisions.join("lib")).unwrap();
    std::fs::write(decisions.join("x.bud"), IMPORTING).unwrap();
    std::fs::write(
        decisions.join("lib/rates.bud"),
        "programme_support_rate = 13%\n",
    )
    .unwrap();
    git(dir.path(), &["init", "--quiet"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "--quiet", "-m", "the decision"]);
    dir
}

#[test]
fn rev_reads_the_decision_and_its_import_as_they_were() {
    let repo = repository();
    // Only the imported file changes in the work tree: if the old version read its
    // import from disk, nothing would differ.
    std::fs::write(
        repo.path().join("decisions/lib/rates.bud"),
        "programme_support_rate = 14%\n",
    )
    .unwrap();
    let args = ["--rev", "HEAD", "decisions/x.bud"].map(std::ffi::OsStr::new);
    let (code, text, stderr) = run(&args, Some(repo.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.starts_with("X/1: HEAD:decisions/x.bud → decisions/x.bud"),
        "{text}"
    );
    line_with(&text, &["Support (13%)", "2013", "13.0 →", "14.0", "+1.0"]);
    line_with(&text, &["Total", "2013", "113.0 →", "114.0", "+1.0"]);
    line_with(&text, &["Values outside paragraphs"]);
    line_with(
        &text,
        &["programme_support_rate", "13% → 14%", "+1 percentage point"],
    );
    assert!(text.contains("now fail"), "{text}");

    // From the decision's own folder, and in Markdown.
    let args = ["--rev", "HEAD", "--format", "markdown", "x.bud"].map(std::ffi::OsStr::new);
    let (code, markdown, stderr) = run(&args, Some(&repo.path().join("decisions")));
    assert_eq!(code, 0, "{stderr}");
    let (headings, _) = markdown_tables(&markdown);
    assert_eq!(headings[0].1, "X/1: HEAD:decisions/x.bud → x.bud");
}

#[test]
fn rev_with_a_file_not_there_at_the_revision_adds_every_row() {
    let repo = repository();
    std::fs::write(repo.path().join("decisions/y.bud"), IMPORTING).unwrap();
    let args = ["--rev", "HEAD", "--format", "json", "decisions/y.bud"].map(std::ffi::OsStr::new);
    let (code, text, stderr) = run(&args, Some(repo.path()));
    assert_eq!(code, 0, "{stderr}");
    let document = json(&text);
    let diff = &document["diffs"][0];
    assert_eq!(diff["old"]["exists"], false);
    assert_eq!(diff["old"]["label"], "HEAD:decisions/y.bud");
    let added: Vec<&str> = diff["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["what"] == "row_added" && c["table"] == "table-1")
        .map(|c| c["line"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["Staff costs", "Support (13%)", "Total"]);
}

#[test]
fn an_unknown_revision_is_one_clear_error() {
    let repo = repository();
    let args = ["--rev", "no-such-branch", "decisions/x.bud"].map(std::ffi::OsStr::new);
    let (code, text, stderr) = run(&args, Some(repo.path()));
    assert_eq!(code, 2);
    assert!(text.is_empty(), "{text}");
    assert!(stderr.contains("bud::io::revision"), "{stderr}");
    assert!(
        stderr.contains("has no revision `no-such-branch`"),
        "{stderr}"
    );
    // An option is not a revision.
    let args = ["--rev=--output=x", "decisions/x.bud"].map(std::ffi::OsStr::new);
    let (code, _, stderr) = run(&args, Some(repo.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a git revision"), "{stderr}");
}

#[test]
fn rev_outside_a_repository_is_one_clear_error() {
    let (dir, old, _) = one_changed_input();
    let args = ["--rev", "HEAD", old.to_str().unwrap()].map(std::ffi::OsStr::new);
    let (code, _, stderr) = run(&args, Some(dir.path()));
    assert_eq!(code, 2);
    assert!(stderr.contains("is not in a git repository"), "{stderr}");
}

#[test]
fn colour_only_when_asked_and_never_in_markdown() {
    let (_dir, old, new) = one_changed_input();
    let (_, plain, _) = diff(&old, &new, &[]);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let (_, coloured, _) = diff(&old, &new, &["--color", "always"]);
    assert!(coloured.contains("\u{1b}[32m+24.8\u{1b}[0m"), "{coloured}");
    let (_, markdown, _) = diff(&old, &new, &["--color", "always", "--format", "markdown"]);
    assert!(!markdown.contains('\u{1b}'), "{markdown}");
}

#[test]
fn all_lists_every_line_the_default_counts_the_rest() {
    let (_dir, old, new) = one_changed_input();
    let (_, short, _) = diff(&old, &new, &[]);
    assert!(!short.contains("Zambia"), "{short}");
    line_with(&short, &["… and 140 more lines (--all lists them)"]);
    let (_, every, _) = diff(&old, &new, &["--all"]);
    line_with(&every, &["Zambia", "2013"]);
    assert!(!every.contains("--all lists them"), "{every}");
}
