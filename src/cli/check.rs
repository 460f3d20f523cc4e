//! `bud check`: diagnostics only, and a one-line summary per file.

use std::path::PathBuf;

use bud::reconcile::Outcome;
use bud::render::report::{Source, render};

use super::{Status, input};

pub fn run(files: &[PathBuf], color: bool) -> Status {
    let mut status = Status::Clean;
    for path in files {
        status = status.max(check_file(path, color));
    }
    status
}

fn check_file(path: &std::path::Path, color: bool) -> Status {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            print!(
                "{}",
                render(
                    &diagnostic,
                    &Source::new(path.display().to_string(), ""),
                    color
                )
            );
            return Status::Unreadable;
        }
    };
    let checked = bud::check(&source.text);
    for diagnostic in &checked.diagnostics {
        print!("{}", render(diagnostic, &source, color));
    }
    if checked.is_unparsable() {
        println!("{}: could not be parsed", source.name);
        return Status::Unreadable;
    }
    let reconciliation = &checked.reconciliation;
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    println!(
        "{}: {} stated figures: {} match, {} differ by rounding, {} do not reconcile; {} error{}",
        source.name,
        reconciliation.checks.len(),
        reconciliation.count(Outcome::Matches),
        reconciliation.count(Outcome::Rounding),
        reconciliation.count(Outcome::Mismatch),
        errors,
        if errors == 1 { "" } else { "s" },
    );
    if checked.has_errors() {
        Status::Failed
    } else {
        Status::Clean
    }
}
