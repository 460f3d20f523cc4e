//! `bud check`: diagnostics only, and a one-line summary per file.

use std::io;
use std::path::{Path, PathBuf};

use bud::Checked;
use bud::reconcile::Outcome;

use super::output::{for_each_file, out};
use super::{Status, input};

pub fn run(files: &[PathBuf], color: bool) -> Status {
    for_each_file(files, |_, path| check_file(path, color))
}

fn check_file(path: &Path, color: bool) -> io::Result<Status> {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            out(&input::unreadable(path, &diagnostic, color))?;
            return Ok(Status::Unreadable);
        }
    };
    let loaded = input::check(path, source, input::Variants::All);
    let mut status = Status::Clean;
    for checked in &loaded.variants {
        for diagnostic in &checked.diagnostics {
            out(&loaded.render(diagnostic, color))?;
        }
        status = status.max(Status::of(checked));
    }
    // One line for the decision, then one per scenario, after every diagnostic.
    for checked in &loaded.variants {
        let name = match &checked.scenario {
            Some((scenario, _)) => format!("{}, scenario `{scenario}`", loaded.name()),
            None => loaded.name().to_owned(),
        };
        out(&format!("{name}: {}\n", summary(checked)))?;
    }
    Ok(status)
}

/// "45 stated figures reconciled: 39 match, 6 differ by rounding, 0 do not reconcile; 0 errors"
fn summary(checked: &Checked) -> String {
    if checked.model.is_none() {
        return "not a well-formed decision; nothing was reconciled".to_owned();
    }
    let reconciliation = &checked.reconciliation;
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let unchecked = match reconciliation.unchecked {
        0 => String::new(),
        n => format!(", {n} not checked because their cells failed or depend on one that did"),
    };
    let reconciled = reconciliation.checks.len();
    format!(
        "{reconciled} stated figure{} reconciled: {} match, {} differ by rounding, {} do not reconcile{unchecked}; {} error{}",
        if reconciled == 1 { "" } else { "s" },
        reconciliation.count(Outcome::Matches),
        reconciliation.count(Outcome::Rounding),
        reconciliation.count(Outcome::Mismatch),
        errors,
        if errors == 1 { "" } else { "s" },
    )
}
