//! `bud evaluate`: the computed tables on standard output, errors on standard error.

use std::path::PathBuf;

use bud::render::report::{Source, render};
use bud::render::text;

use super::{Status, input};

pub fn run(files: &[PathBuf], color: bool) -> Status {
    let mut status = Status::Clean;
    for (index, path) in files.iter().enumerate() {
        if files.len() > 1 {
            if index > 0 {
                println!();
            }
            println!("==> {} <==", path.display());
        }
        status = status.max(evaluate_file(path, color));
    }
    status
}

fn evaluate_file(path: &std::path::Path, color: bool) -> Status {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            eprint!(
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
    if let Some(model) = &checked.model {
        print!("{}", text::evaluation(model, &checked.reconciliation));
    }
    for diagnostic in checked.diagnostics.iter().filter(|d| d.is_error()) {
        eprint!("{}", render(diagnostic, &source, color));
    }
    if checked.is_malformed() {
        Status::Unreadable
    } else if checked.has_errors() {
        Status::Failed
    } else {
        Status::Clean
    }
}
