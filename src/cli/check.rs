//! `bud check`: diagnostics only, for a person or for a machine (GitHub annotations,
//! JSON, SARIF). For a person it is quiet when the figures are right: the errors come
//! first, then the warnings, then one line per file and scenario that counts the notes
//! (differences explained by rounding) without listing them, as `bean-check` prints
//! nothing on success; `--notes` lists them, `--quiet` prints the errors alone. Files
//! are named or found below directories; every one is checked before anything is
//! printed.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use bud::Checked;
use bud::diagnostic::Severity;
use bud::render::machine::{self, CheckedFile};
use bud::render::report::render_in;

use rayon::prelude::*;

use super::discover::{self, Target};
use super::output::{err, for_each_file, out, written};
use super::{CheckFormat, Status, input};

/// How much of what was found a person is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The errors alone (`--quiet`).
    Errors,
    /// The errors, the warnings and a summary per file that counts the notes.
    Findings,
    /// Everything, notes included (`--notes`).
    Everything,
}

impl Shown {
    pub fn asked(notes: bool, quiet: bool) -> Shown {
        match (notes, quiet) {
            (true, _) => Shown::Everything,
            (false, true) => Shown::Errors,
            (false, false) => Shown::Findings,
        }
    }

    fn includes(self, severity: Severity) -> bool {
        match severity {
            Severity::Error => true,
            Severity::Warning => self != Shown::Errors,
            Severity::Note => self == Shown::Everything,
        }
    }
}

pub(super) fn run(arguments: &[PathBuf], format: CheckFormat, shown: Shown, color: bool) -> Status {
    let files = check_all(arguments);
    // Every file is checked before anything is printed, so a reader that stops early
    // (`bud check … | head`) does not turn a failing run into exit 0.
    let checked: Status = machine::overall(&files).into();
    let printed = match format {
        CheckFormat::Human => human(&files, shown, color),
        CheckFormat::Github => for_each_file(&files, |_, file| {
            let one = std::slice::from_ref(file);
            out(&machine::github(one))?;
            // The log of the CI run shows what was checked; standard output holds
            // only annotations.
            err(&summaries(file, false))?;
            Ok(file.status().into())
        }),
        CheckFormat::Json => document(machine::json(&files), &files),
        CheckFormat::Sarif => document(machine::sarif(&files, shown == Shown::Everything), &files),
    };
    // The process ends after this. Freeing a large decision's trees node by node took
    // a second for a million rows; the system reclaims the memory at once.
    std::mem::forget(files);
    printed.max(checked)
}

/// Prints a machine format's one document; the files' worst outcome is the status.
fn document(text: Result<String, serde_json::Error>, files: &[CheckedFile]) -> Status {
    let printed = match text {
        Ok(text) => out(&text),
        Err(error) => Err(io::Error::other(error)),
    };
    written(printed.map(|()| machine::overall(files).into()))
}

/// Every file the arguments stand for, checked, in order, then every decision they
/// import that was not among them: a decision that reads a wrong figure of another
/// fails only where that figure is, so checking it alone must check the other too.
fn check_all(arguments: &[PathBuf]) -> Vec<CheckedFile> {
    let mut files = Vec::new();
    for argument in arguments {
        match discover::target(argument) {
            Target::Named(path) => {
                let file = check_file(&path);
                files.push((path, file));
            }
            Target::Found(paths, problems) => {
                // Files are independent: check them on every core, keeping their order.
                let found = paths
                    .into_par_iter()
                    .map(|path| {
                        let file = check_file(&path);
                        (path, file)
                    })
                    .collect();
                files.extend(without_libraries(found));
                for (path, diagnostic) in problems {
                    let file = CheckedFile::unreadable(path.display().to_string(), diagnostic);
                    files.push((path, file));
                }
            }
            Target::Problem(path, diagnostic) => {
                let file = CheckedFile::unreadable(path.display().to_string(), diagnostic);
                files.push((path, file));
            }
        }
    }
    with_imported_decisions(files)
}

/// The files, and after them each decision they import (and those import, and so on)
/// not checked already, each once.
fn with_imported_decisions(mut files: Vec<(PathBuf, CheckedFile)>) -> Vec<CheckedFile> {
    let mut seen: HashSet<PathBuf> = files.iter().map(|(path, _)| canonical(path)).collect();
    let mut next = 0;
    while next < files.len() {
        let (path, file) = &files[next];
        let imports = imports_of(path, file, true);
        for import in imports {
            if seen.insert(canonical(&import)) {
                let checked = check_file(&import);
                files.push((import, checked));
            }
        }
        next += 1;
    }
    files.into_iter().map(|(_, file)| file).collect()
}

/// The files `file` imports: decisions imported under a name, or files of shared
/// items (libraries), as paths beside it.
fn imports_of(path: &Path, file: &CheckedFile, decisions: bool) -> Vec<PathBuf> {
    let directory = path.parent().unwrap_or(Path::new(""));
    file.variants.first().map_or_else(Vec::new, |checked| {
        checked
            .imported
            .iter()
            .filter(|imported| imported.decision == decisions)
            .map(|imported| directory.join(&imported.name))
            .collect()
    })
}

fn check_file(path: &Path) -> CheckedFile {
    match input::read(path) {
        Ok(source) => input::check(path, source, bud::Request::verify()).into_checked_file(),
        Err(diagnostic) => CheckedFile::unreadable(path.display().to_string(), diagnostic),
    }
}

/// Of the files found below a directory, those that another of them imports are
/// libraries, not decisions: they are checked within each decision that imports
/// them, and on their own would fail for having no decision block.
pub(crate) fn without_libraries(found: Vec<(PathBuf, CheckedFile)>) -> Vec<(PathBuf, CheckedFile)> {
    let imported: HashSet<PathBuf> = found
        .iter()
        .flat_map(|(path, file)| imported_by(path, file))
        .collect();
    found
        .into_iter()
        .filter(|(path, _)| !imported.contains(&canonical(path)))
        .collect()
}

/// A decision imported under a name is checked as itself; only files of shared items
/// are libraries.
fn imported_by(path: &Path, file: &CheckedFile) -> Vec<PathBuf> {
    imports_of(path, file, false)
        .iter()
        .map(|import| canonical(import))
        .collect()
}

/// The same file named two ways (`a/../b.bud`, `b.bud`) is one path.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What was found, as a person reads it: every file's errors as reports, then their
/// warnings, then (when asked) their notes, then a summary per file.
fn human(files: &[CheckedFile], shown: Shown, color: bool) -> Status {
    let reports = |severity: Severity| {
        move |_: usize, file: &CheckedFile| -> io::Result<Status> {
            if shown.includes(severity) {
                let text: String = file
                    .diagnostics()
                    .filter(|(_, diagnostic)| diagnostic.severity == severity)
                    .map(|(_, diagnostic)| render_in(diagnostic, &file.sources, color))
                    .collect();
                out(&text)?;
            }
            Ok(file.status().into())
        }
    };
    let severities = [Severity::Error, Severity::Warning, Severity::Note];
    let mut status = Status::Clean;
    for severity in severities {
        status = status.max(for_each_file(files, reports(severity)));
    }
    if shown != Shown::Errors {
        let listed = shown.includes(Severity::Note);
        status = status.max(for_each_file(files, |_, file| {
            out(&summaries(file, listed))?;
            Ok(file.status().into())
        }));
    }
    status
}

/// One line for the decision, then one per scenario; under a line, each published
/// error the decision acknowledges. `notes_listed`: whether the notes were printed
/// above, or are only counted here.
fn summaries(file: &CheckedFile, notes_listed: bool) -> String {
    let mut text = String::new();
    for checked in &file.variants {
        let name = match &checked.scenario {
            Some((scenario, _)) => format!("{}, scenario `{scenario}`", file.path()),
            None => file.path().to_owned(),
        };
        // Names, reasons and labels come from the files: printed so no terminal obeys them.
        let safe = |text: &str| bud::format::printable(text).into_owned();
        text.push_str(&format!(
            "{}: {}\n",
            safe(&name),
            summary(checked, notes_listed)
        ));
        // A scenario acknowledges the decision's own errors: listed once, under it,
        // with the notes; the summary counts them otherwise.
        if checked.scenario.is_none() && notes_listed {
            for erratum in &checked.reconciliation.acknowledged {
                text.push_str(&format!(
                    "  published error acknowledged: {}\n",
                    safe(&erratum.reason)
                ));
                for figure in &erratum.figures {
                    text.push_str(&format!("    {}\n", safe(figure)));
                }
            }
        }
    }
    text
}

/// "45 stated figures reconciled: 39 match, 6 differ by rounding, 0 do not reconcile;
/// 0 errors, 6 notes (`--notes` lists them)"
fn summary(checked: &Checked, notes_listed: bool) -> String {
    if !checked.evaluated {
        return "not a well-formed decision; nothing was reconciled".to_owned();
    }
    let tally = checked.reconciliation.tally();
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let unchecked = match tally.unchecked {
        0 => String::new(),
        n => format!(", {n} not checked because their cells failed or depend on one that did"),
    };
    let inherited = match tally.inherited {
        0 => String::new(),
        n => format!(" ({n} follow from an error reported once)"),
    };
    let acknowledged = match tally.acknowledged {
        0 => String::new(),
        1 => ", 1 published error acknowledged".to_owned(),
        n => format!(", {n} published errors acknowledged"),
    };
    let reconciled = tally.stated();
    format!(
        "{reconciled} stated figure{} reconciled: {} match, {} differ by rounding, {} do not reconcile{inherited}{acknowledged}{unchecked}; {}{}",
        if reconciled == 1 { "" } else { "s" },
        tally.matches,
        tally.rounding,
        tally.mismatches,
        counted(errors, "error"),
        notes_counted(checked, notes_listed),
    )
}

/// ", 10 notes (`--notes` lists them)": the notes of one variant, counted; nothing when
/// there are none.
fn notes_counted(checked: &Checked, listed: bool) -> String {
    let notes = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Note)
        .count();
    match (notes, listed) {
        (0, _) => String::new(),
        (_, true) => format!(", {}", counted(notes, "note")),
        (_, false) => format!(", {} (`--notes` lists them)", counted(notes, "note")),
    }
}

/// "1 error", "2 errors".
fn counted(count: usize, what: &str) -> String {
    if count == 1 {
        format!("1 {what}")
    } else {
        format!("{count} {what}s")
    }
}
