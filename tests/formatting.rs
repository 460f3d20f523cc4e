//! `bud fmt` on every decision and fixture in the repository: formatting is idempotent,
//! keeps every comment, and changes nothing bud computes or reports; the bundled
//! decisions are formatted; a mangled copy of BS-VI/7 comes back as the canonical file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bud::syntax::formatter::format;

const DECISION: &str = "decisions/bs-vi-7.bud";

fn bud() -> Command {
    let mut command = Command::cargo_bin("bud").unwrap();
    command.env("NO_COLOR", "1");
    command
}

/// Every `.bud` file of the repository's decisions and fixtures.
fn bud_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for directory in [
        "decisions",
        "decisions/unfccc",
        "tests/fixtures/valid",
        "tests/fixtures/errors",
        "tests/fixtures/imported",
    ] {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "bud") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 80, "fixtures not found: {}", files.len());
    files
}

/// Everything bud says about a decision except where it says it: each variant's
/// diagnostics (code, severity, message, help) and its tables as text.
fn outcome(path: &Path, source: &str) -> String {
    let directory = path.parent().unwrap().to_path_buf();
    let read = move |name: &str| {
        std::fs::read_to_string(directory.join(name)).map_err(|error| error.to_string())
    };
    let mut out = String::new();
    for checked in bud::check(
        &bud::world::Overlay::new(bud::world::Memory::MAIN, source, &read),
        bud::world::Memory::MAIN,
        bud::Request::Everything,
    )
    .variants
    {
        for d in &checked.diagnostics {
            out.push_str(&format!(
                "{:?} {:?} {} | {}\n",
                d.code,
                d.severity,
                d.message,
                d.help.as_deref().unwrap_or_default()
            ));
        }
        if let Some(model) = &checked.model {
            out.push_str(&bud::render::text::evaluation_of(&checked, model));
        }
    }
    out
}

/// The comments of a file, in order.
fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.find("//").map(|at| line[at..].trim_end().to_owned()))
        .collect()
}

#[test]
fn every_file_formats_once_for_all_and_means_the_same() {
    let mut formatted = 0;
    for path in bud_files() {
        let source = std::fs::read_to_string(&path).unwrap();
        let Ok(once) = format(&source) else {
            continue; // a fixture with a syntax error: bud fmt leaves it alone
        };
        formatted += 1;
        let twice = format(&once).unwrap();
        assert_eq!(
            once,
            twice,
            "{}: formatting again changed it",
            path.display()
        );
        assert_eq!(
            outcome(&path, &source),
            outcome(&path, &once),
            "{}: formatting changed what bud computes or reports",
            path.display()
        );
        assert_eq!(comments(&source), comments(&once), "{}", path.display());
        assert_eq!(
            source.lines().filter(|l| !l.trim().is_empty()).count(),
            once.lines().filter(|l| !l.trim().is_empty()).count(),
            "{}: lines joined or split",
            path.display()
        );
    }
    assert!(formatted > 50, "only {formatted} files parsed");
}

#[test]
fn the_bundled_decisions_are_formatted() {
    bud()
        .args(["fmt", "--check", "decisions/"])
        .assert()
        .code(0)
        .stdout("");
    let mut checked = 0;
    for directory in ["decisions", "decisions/unfccc"] {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "bud") {
                let source = std::fs::read_to_string(&path).unwrap();
                assert_eq!(format(&source).unwrap(), source, "{}", path.display());
                // Canonical means a fixed point: formatting the result changes nothing.
                assert_eq!(format(&format(&source).unwrap()).unwrap(), source);
                checked += 1;
            }
        }
    }
    assert_eq!(
        checked, 7,
        "BS-VI/7, the BRS report, the four UNFCCC decisions and the rule they share"
    );
}

/// BS-VI/7 with every line's indentation removed, every run of spaces between tokens
/// (outside strings and comments) made one, two or three spaces or a tab, and every
/// blank line tripled and given trailing spaces.
fn mangled(text: &str) -> String {
    let mut out = String::new();
    let mut turn = 0usize;
    for line in text.lines() {
        let mut in_string = false;
        let mut in_space = false;
        let trimmed = line.trim_start();
        let comment_at = trimmed
            .find("//")
            .filter(|at| trimmed[..*at].matches('"').count() % 2 == 0);
        let (code, comment) = trimmed.split_at(comment_at.unwrap_or(trimmed.len()));
        for c in code.chars() {
            if c == '"' {
                in_string = !in_string;
            }
            if c == ' ' && !in_string {
                if !in_space {
                    turn += 1;
                    out.push_str(["  ", " ", "\t", "   "][turn % 4]);
                }
                in_space = true;
                continue;
            }
            in_space = false;
            out.push(c);
        }
        out.push_str(comment);
        out.push('\n');
        if line.trim().is_empty() {
            out.push_str("  \n\n"); // blank lines become runs of them, with spaces
        }
    }
    out
}

#[test]
fn a_mangled_copy_is_reformatted_to_the_canonical_file() {
    let canonical = std::fs::read_to_string(DECISION).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("bs-vi-7.bud");
    std::fs::write(&copy, mangled(&canonical)).unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-table-5.tsv",
        dir.path().join("bs-vi-7-table-5.tsv"),
    )
    .unwrap();
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&copy).unwrap(), canonical);

    let check = bud().arg("fmt").arg("--check").arg(&copy).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let diff = String::from_utf8(check.stdout).unwrap();
    assert!(
        diff.contains("+++ ") && diff.contains("(formatted)"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+        A. staff_costs  \"Staff costs *\""),
        "{diff}"
    );

    bud().arg("fmt").arg(&copy).assert().code(0);
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), canonical);
    bud()
        .arg("fmt")
        .arg("--check")
        .arg(&copy)
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn a_file_that_does_not_parse_is_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.bud");
    let text = "decision \"X\" {\n    title    \"T\"\n}\ntabel 1 t {\n}\n";
    std::fs::write(&broken, text).unwrap();
    bud()
        .arg("fmt")
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bud::syntax::keyword"))
        .stderr(predicates::str::contains("was left as it is"));
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), text);
}

#[test]
fn comments_stay_on_their_lines_and_spaces_are_never_added_inside_tokens() {
    let source = "// a note on the file\n\
                  decision \"X/1\" {\n\
                  title \"T\"   // the title\n\
                  period 2013-2014\n\
                  currency US$\n\
                  }\n\n\n\n\
                  rate=13%   // as decided\n\
                  table 1 t {\n\
                  unit thousands of US$\n\
                  columns 2013\n\
                  // the rows\n\
                  a \"A\" 1.0\n\
                  s \"Sum\"  14.0 =sum(a)+13% of a\n\
                  }\n";
    let formatted = format(source).unwrap();
    assert_eq!(
        formatted,
        "// a note on the file\n\
         decision \"X/1\" {\n    \
             title    \"T\"  // the title\n    \
             period   2013-2014\n    \
             currency US$\n\
         }\n\n\
         rate=13%  // as decided\n\
         table 1 t {\n    \
             unit    thousands of US$\n    \
             columns 2013\n    \
             // the rows\n    \
             a  \"A\"     1.0\n    \
             s  \"Sum\"  14.0  =sum(a)+13% of a\n\
         }\n"
    );
}

#[test]
fn standard_input_is_formatted_to_standard_output_for_editors() {
    let canonical = std::fs::read_to_string(DECISION).unwrap();
    let flattened: String = canonical
        .lines()
        .map(|line| format!("{}\n", line.trim_start()))
        .collect();
    bud()
        .args(["fmt", "--stdin"])
        .write_stdin(flattened)
        .assert()
        .code(0)
        .stdout(canonical);
    // A text that does not parse comes back unchanged, with exit 2.
    bud()
        .args(["fmt", "--stdin"])
        .write_stdin("tabel 1 t {\n")
        .assert()
        .code(2)
        .stdout("tabel 1 t {\n");
}

#[cfg(unix)]
#[test]
fn a_link_formats_its_target_and_a_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let canonical = std::fs::read_to_string(DECISION).unwrap();
    let flattened: String = canonical
        .lines()
        .map(|line| format!("{}\n", line.trim_start()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.bud");
    let link = dir.path().join("link.bud");
    std::fs::write(&real, &flattened).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();

    bud().arg("fmt").arg(&link).assert().code(0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), canonical);
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a private file stays private");

    // A read-only file is not rewritten behind its owner's back.
    std::fs::write(&real, &flattened).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o444)).unwrap();
    bud()
        .arg("fmt")
        .arg(&real)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is read-only"));
    assert_eq!(std::fs::read_to_string(&real).unwrap(), flattened);
}
