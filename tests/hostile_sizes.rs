//! Inputs whose size once made bud's cost grow faster than the input (issue 21), run
//! through the real binary: each must end within a time limit, or within a memory
//! limit, that the quadratic (or whole-copy) code it replaced could not meet. The
//! benchmarks in `benches/hostile.rs` measure the same cases; these only keep them from
//! coming back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../examples/synth/generate.rs"]
mod generate;
#[path = "support/limits.rs"]
mod limits;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

/// For the inputs whose time grew too fast: generous beside what each takes now (a few
/// seconds, unoptimised), and short of what it took before (half a minute to minutes,
/// optimised).
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// For the inputs whose memory grew too fast, which the memory limit catches: only a
/// guard against a hang. Unoptimised, they take 10 to 20 seconds.
const GUARD_TIME_LIMIT: Duration = Duration::from_secs(600);

const HEADER: &str = "decision \"T/1\" {\n    title    \"Hostile sizes\"\n    period   2013-2014\n    currency US$\n}\n\n";

/// `bud` with `arguments`, run in `dir` within `TIME_LIMIT`, and the memory limit every
/// hostile input runs under (`support/limits.rs`).
fn bud_in(dir: &Path, arguments: &[&str]) -> Output {
    run_bud(dir, arguments, None)
}

/// `bud` with `arguments`, run in `dir` within an address space of `memory_kib`. One
/// allocator arena, so that the address space follows what is allocated rather than
/// what each thread's arena reserves.
fn bud_within_memory(dir: &Path, arguments: &[&str], memory_kib: u64) -> Output {
    run_bud(dir, arguments, Some(memory_kib))
}

fn run_bud(dir: &Path, arguments: &[&str], memory_kib: Option<u64>) -> Output {
    let kib = memory_kib.unwrap_or(limits::MEMORY_LIMIT_KIB);
    let mut command = Command::from_std(limits::bud_within(kib));
    let output = command
        .env("NO_COLOR", "1")
        .env("MALLOC_ARENA_MAX", "1")
        .current_dir(dir)
        .args(arguments)
        .timeout(match memory_kib {
            Some(_) => GUARD_TIME_LIMIT,
            None => TIME_LIMIT,
        })
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some(),
        "bud was killed (too slow, or out of memory): {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn printed(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// A fresh directory holding `input.bud` with `text`.
fn with_input(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.bud"), text).unwrap();
    dir
}

#[test]
fn a_group_of_two_hundred_thousand_members_is_checked_without_comparing_every_pair() {
    // Each member was compared with every member before it: 25 s for 100,000 members,
    // optimised, so some 100 s for these.
    let members: Vec<String> = (0..200_000).map(|n| format!("\"Party {n:06}\"")).collect();
    let lines: Vec<String> = members
        .chunks(10)
        .map(|line| format!("    {}", line.join("  ")))
        .collect();
    let text = format!(
        "{HEADER}group big \"A large group\" {{\n{}\n    \"Party 000007\"\n}}\n",
        lines.join("\n")
    );
    let dir = with_input(&text);
    let output = bud_in(dir.path(), &["check", "input.bud"]);
    let printed = printed(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("Party 000007 is listed twice in the group `big`"),
        "{printed}"
    );
}

#[test]
fn a_hundred_kilobyte_name_gets_no_suggestion_and_is_shown_cut() {
    // Its "did you mean" compared it with a defined name as long: 34 s, optimised, and
    // the report printed both names whole.
    let defined = "a".repeat(100_000);
    let misspelt = format!("{}b", &defined[1..]);
    let text = format!("{HEADER}{defined} = US$ 100\nsupport = {misspelt} + {defined}\n");
    let dir = with_input(&text);
    let output = bud_in(dir.path(), &["check", "input.bud"]);
    let printed = printed(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(printed.contains("bud::names::unknown"), "{printed}");
    assert!(printed.len() < 2_000, "printed {} bytes", printed.len());
    assert!(
        printed.contains(&format!(
            "`{}…(100,000 characters)` is not",
            &misspelt[..60]
        )),
        "{printed}"
    );
    assert!(!printed.contains("did you mean"), "{printed}");
}

#[test]
fn fmt_check_of_a_hundred_thousand_rows_laid_out_anew_ends_in_seconds() {
    // The diff of the whole texts took 178 s, optimised.
    let decision = generate::decision(&generate::Shape {
        tables: 1_000,
        rows: 100,
        parties: 10,
        years: 2,
    });
    let reindented: String = decision
        .lines()
        .map(|line| match line.strip_prefix("    ") {
            Some(rest) => format!("  {rest}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    let dir = with_input(&reindented);
    let output = bud_in(dir.path(), &["fmt", "--check", "input.bud"]);
    assert_eq!(output.status.code(), Some(1), "{}", printed(&output));
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(
        diff.starts_with("--- input.bud\n+++ input.bud (formatted)\n@@ "),
        "{}",
        &diff[..diff.len().min(500)]
    );
    assert!(
        diff.contains("\n-  title    \"A synthetic budget\"\n")
            && diff.contains("\n+    title    \"A synthetic budget\"\n"),
        "{}",
        &diff[..diff.len().min(2_000)]
    );
}

#[test]
fn four_hundred_scenarios_of_a_five_thousand_row_table_take_the_memory_of_one() {
    // Every scenario's model of the table it edits was kept until all were checked:
    // 1 GB at 700 scenarios, against 24 MB now.
    let rows: String = (0..5_000)
        .map(|n| format!("    row_{n} \"Row {n}\"  {n}  {}\n", n + 1))
        .collect();
    let scenarios: String = (0..400)
        .map(|n| {
            format!(
                "\nscenario s{n} \"Scenario {n}\" {{\n    in t {{\n        replace row_{n} \"Row {n}\"  {}  {}\n    }}\n}}\n",
                n + 1,
                n + 2
            )
        })
        .collect();
    let text = format!(
        "{HEADER}table 1 t {{\n    unit    US$\n    columns 2013 2014\n\n{rows}}}\n{scenarios}"
    );
    let dir = with_input(&text);
    let output = bud_within_memory(dir.path(), &["check", "input.bud"], 400 * 1024);
    let printed = printed(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.contains("scenario `s399`"), "{printed}");
}

#[test]
fn evaluate_writes_json_and_csv_of_a_hundred_thousand_rows_as_it_goes() {
    // The whole view, then the whole text, were built before a byte was written: 389 MB
    // for JSON and 614 MB for CSV, optimised, against 108 MB now.
    let decision = generate::decision(&generate::Shape {
        tables: 1_000,
        rows: 100,
        parties: 10,
        years: 2,
    });
    let dir = with_input(&decision);
    for format in ["json", "csv"] {
        let arguments = ["evaluate", "input.bud", "--format", format];
        let output = bud_within_memory(dir.path(), &arguments, 250 * 1024);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            printed(&output)
        );
        let written = String::from_utf8(output.stdout).unwrap();
        match format {
            "json" => {
                let json: serde_json::Value = serde_json::from_str(&written).unwrap();
                assert_eq!(json["decision"]["tables"].as_array().unwrap().len(), 1_001);
            }
            _ => assert!(written.lines().count() > 300_000, "{format}"),
        }
    }
}
