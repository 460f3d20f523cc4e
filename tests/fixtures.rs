//! The fixture corpus: small decisions under `tests/fixtures/`, one per situation.
//!
//! `errors/*.bud` are broken decisions; the first line of each names the codes it must
//! produce: `// expect: bud::names::unknown` (several separated by commas).
//! `valid/*.bud` are well-formed decisions whose first line is `// expect: clean` (no
//! diagnostic at all) or `// expect: rounding` (at least one rounding note, no error).
//!
//! `imported/*.bud` are not fixtures but files that fixtures import.
//!
//! Every fixture is checked with `bud::check`, its expectation is asserted, and its
//! source with every diagnostic rendered as a budget officer sees it is snapshotted
//! (`tests/snapshots/fixtures__fixture@<dir>__<file>.snap`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use bud::diagnostic::{Code, Diagnostic, Severity};
use bud::render::report::{Source, Sources, render_in};

mod common;
use common::{code_named, describe, missing_codes};

/// How long one fixture may take before it counts as a hang.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// The codes no fixture can produce: a file that cannot be read, a `--scenario` the
/// decision lacks (tests/cli.rs covers it), a git revision that cannot be read
/// (tests/diff.rs), a spreadsheet `bud import` cannot read (tests/import.rs covers
/// them), and bud's own bugs.
const UNREACHABLE: [Code; 7] = [
    Code::IoRead,
    Code::ScenarioUnknown,
    Code::IoRevision,
    Code::ImportSheet,
    Code::ImportRange,
    Code::ImportTable,
    Code::Internal,
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expectation {
    /// Each of these codes is among the diagnostics.
    Codes(Vec<Code>),
    /// No diagnostic at all.
    Clean,
    /// At least one rounding note, and no error.
    Rounding,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `errors/unknown_row_name.bud`, whatever the platform's separator.
fn fixture_name(path: &Path) -> String {
    let dir = fixtures_dir();
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
    let relative = path
        .strip_prefix(&canonical)
        .or_else(|_| path.strip_prefix(&dir))
        .unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads the `// expect: …` first line of a fixture.
fn expectation(name: &str, text: &str) -> Result<Expectation, String> {
    let first = text.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("// expect:") else {
        return Err(format!(
            "{name}: the first line must be `// expect: …`, found {first:?}"
        ));
    };
    let rest = rest.trim();
    let in_valid = name.starts_with("valid/");
    match rest {
        "clean" if in_valid => return Ok(Expectation::Clean),
        "rounding" if in_valid => return Ok(Expectation::Rounding),
        "clean" | "rounding" => {
            return Err(format!(
                "{name}: `expect: {rest}` belongs in valid/, not here"
            ));
        }
        _ if in_valid => {
            return Err(format!(
                "{name}: a valid fixture expects `clean` or `rounding`, not {rest:?}"
            ));
        }
        _ => {}
    }
    let mut codes = Vec::new();
    for word in rest.split(',').map(str::trim) {
        match code_named(word) {
            Some(code) => codes.push(code),
            None => return Err(format!("{name}: {word:?} is not a diagnostic code of bud")),
        }
    }
    if codes.is_empty() {
        return Err(format!("{name}: the expect line names no code"));
    }
    Ok(Expectation::Codes(codes))
}

/// What `bud::check` gave for one fixture.
struct Outcome {
    diagnostics: Vec<Diagnostic>,
    malformed: bool,
    /// The data files the fixture named, by name, with their text.
    data: Vec<(String, String)>,
    /// The files it imports, with the offset where each one's spans start.
    imported: Vec<(usize, String, String)>,
}

/// Runs `bud::check` on its own thread (with the stack of a program's main thread), so
/// that a panic or a hang fails the fixture with its name instead of the whole run.
fn check(name: &str, text: &str) -> Result<Outcome, String> {
    let (sender, receiver) = mpsc::channel();
    let source = text.to_owned();
    let beside = fixtures_dir().join(name).parent().map(Path::to_path_buf);
    let worker = thread::Builder::new()
        .name(name.to_owned())
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            // Data files a fixture names are read from beside it.
            let read = |file: &str| {
                let dir = beside.clone().unwrap_or_default();
                std::fs::read_to_string(dir.join(file)).map_err(|e| e.to_string())
            };
            // The decision and each of its scenarios, as `bud check` sees them.
            let variants = bud::check(
                &bud::world::Overlay::new(bud::world::Memory::MAIN, &source, &read),
                bud::world::Memory::MAIN,
                bud::Request::Everything,
            )
            .variants;
            let mut data: Vec<(String, String)> = Vec::new();
            for file in variants.iter().flat_map(|checked| checked.data.clone()) {
                if data.iter().all(|(name, _)| *name != file.name) {
                    data.push((file.name, file.text.to_string()));
                }
            }
            let imported = variants
                .first()
                .map(|checked| {
                    let files = checked.imported.iter();
                    let named = |f: &bud::syntax::imports::Imported| {
                        (f.base, f.name.clone(), f.text.to_string())
                    };
                    files.map(named).collect()
                })
                .unwrap_or_default();
            let outcome = Outcome {
                imported,
                malformed: variants.iter().any(bud::Checked::is_malformed),
                diagnostics: variants.into_iter().flat_map(|c| c.diagnostics).collect(),
                data,
            };
            // The receiver is gone only if the fixture already timed out.
            let _ = sender.send(outcome);
        })
        .expect("spawn a thread to check the fixture");
    match receiver.recv_timeout(TIME_LIMIT) {
        Ok(outcome) => {
            worker
                .join()
                .expect("the checking thread ends after sending");
            Ok(outcome)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "{name}: bud::check did not finish within {} s (a hang?)",
            TIME_LIMIT.as_secs()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().err().map_or_else(
                || "no panic message".to_owned(),
                |payload| {
                    payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "a panic without a message".to_owned())
                },
            );
            Err(format!("{name}: bud::check panicked: {panic}"))
        }
    }
}

/// Whether the outcome meets the expectation; otherwise what is wrong, naming the file
/// and every diagnostic that was produced.
fn verify(name: &str, expected: &Expectation, outcome: &Outcome) -> Result<(), String> {
    let diagnostics = &outcome.diagnostics;
    let produced = describe(diagnostics);
    if let Some(internal) = diagnostics.iter().find(|d| d.code == Code::Internal) {
        return Err(format!(
            "{name}: bud reported an internal error: {} (produced: {produced})",
            internal.message
        ));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    match expected {
        Expectation::Codes(codes) => {
            let missing = missing_codes(codes, diagnostics);
            if !missing.is_empty() {
                return Err(format!(
                    "{name}: expected {} but it was not produced; produced: {produced}",
                    missing.join(", ")
                ));
            }
        }
        Expectation::Clean => {
            if !diagnostics.is_empty() || outcome.malformed {
                return Err(format!(
                    "{name}: expected no diagnostic at all; produced: {produced}"
                ));
            }
        }
        Expectation::Rounding => {
            if errors > 0 || outcome.malformed {
                return Err(format!(
                    "{name}: expected no error, only rounding notes; produced: {produced}"
                ));
            }
            let notes = diagnostics
                .iter()
                .filter(|d| d.code == Code::ReconcileRounding && d.severity == Severity::Note)
                .count();
            if notes == 0 {
                return Err(format!(
                    "{name}: expected at least one {} note; produced: {produced}",
                    Code::ReconcileRounding
                ));
            }
        }
    }
    Ok(())
}

/// The fixture's source, then every diagnostic as `bud check` prints it, without colour.
fn report(name: &str, text: &str, outcome: &Outcome) -> String {
    let diagnostics = &outcome.diagnostics;
    let mut sources = Sources::new(Source::new(name, text));
    for (file, text) in &outcome.data {
        sources.data(file.clone(), Source::new(file.clone(), text.clone()));
    }
    for (base, file, text) in &outcome.imported {
        sources.import(*base, Source::new(file.clone(), text.clone()));
    }
    let mut out = String::new();
    writeln!(out, "──── {name} ────").unwrap();
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    writeln!(
        out,
        "──── {} diagnostic{} ────",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    )
    .unwrap();
    for diagnostic in diagnostics {
        out.push_str(&render_in(diagnostic, &sources, false));
    }
    out
}

#[test]
fn fixture() {
    let mut failures = Vec::new();
    // A snapshot that differs fails the glob with a panic; catch it so that a fixture
    // whose expected code is missing is reported first, in words.
    let snapshots = panic::catch_unwind(AssertUnwindSafe(|| {
        insta::glob!("fixtures", "{errors,valid}/*.bud", |path| {
            let name = fixture_name(path);
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|error| panic!("{name}: cannot read the fixture: {error}"));
            let expected = expectation(&name, &text);
            let outcome = match check(&name, &text) {
                Ok(outcome) => outcome,
                Err(failure) => {
                    eprintln!("FAILED {failure}");
                    failures.push(failure);
                    return;
                }
            };
            if let Err(failure) = expected.and_then(|expected| verify(&name, &expected, &outcome)) {
                // Printed now too, in case INSTA_GLOB_FAIL_FAST stops the run at a snapshot.
                eprintln!("FAILED {failure}");
                failures.push(failure);
            }
            insta::with_settings!({ omit_expression => true, description => name.clone() }, {
                insta::assert_snapshot!(report(&name, &text, &outcome));
            });
        });
    }));
    assert!(
        failures.is_empty(),
        "{} fixture{} did not give what the first line expects:\n{}",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" },
        failures.join("\n")
    );
    if let Err(snapshot_failure) = snapshots {
        panic::resume_unwind(snapshot_failure);
    }
}

fn fixture_paths(dir: &Path, paths: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.ends_with("imported") {
            fixture_paths(&path, paths);
        } else if path.extension().is_some_and(|ext| ext == "bud") {
            paths.push(path);
        }
    }
}

#[test]
fn every_code_has_a_fixture() {
    let mut paths = Vec::new();
    fixture_paths(&fixtures_dir(), &mut paths);
    let mut covered = BTreeSet::new();
    let mut problems = Vec::new();
    for path in &paths {
        let name = fixture_name(path);
        let text = std::fs::read_to_string(path).unwrap();
        match expectation(&name, &text) {
            Ok(Expectation::Codes(codes)) => covered.extend(codes),
            Ok(Expectation::Rounding) => {
                covered.insert(Code::ReconcileRounding);
            }
            Ok(Expectation::Clean) => {}
            Err(problem) => problems.push(problem),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let uncovered: Vec<&str> = Code::ALL
        .into_iter()
        .filter(|code| !UNREACHABLE.contains(code) && !covered.contains(code))
        .map(Code::as_str)
        .collect();
    assert!(
        uncovered.is_empty(),
        "no fixture under tests/fixtures expects {}; add one to tests/fixtures/errors",
        uncovered.join(", ")
    );
}

#[test]
fn an_unmet_expectation_fails_with_the_file_and_what_was_produced() {
    let outcome = check("errors/example.bud", "x = 1\n").unwrap();
    let expected = Expectation::Codes(vec![Code::EvalDivisionByZero]);
    let failure = verify("errors/example.bud", &expected, &outcome).unwrap_err();
    assert!(failure.contains("errors/example.bud"), "{failure}");
    assert!(failure.contains("bud::eval::division_by_zero"), "{failure}");
    assert!(failure.contains("bud::decision::field"), "{failure}");
}
