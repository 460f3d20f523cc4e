//! `bud compare`: two variants of a decision side by side, the rows that differ.

use std::io;
use std::path::Path;

use bud::render::compare::comparison;

use super::output::{err, out};
use super::{Status, input};

/// Compares the decision with `scenarios[0]`, or `scenarios[0]` with `scenarios[1]`.
pub fn run(path: &Path, scenarios: &[String], color: bool) -> Status {
    match compare(path, scenarios, color) {
        Ok(status) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Status::Clean,
        Err(error) => {
            let _ = err(&format!("bud: cannot write the output: {error}\n"));
            Status::Unreadable
        }
    }
}

fn compare(path: &Path, scenarios: &[String], color: bool) -> io::Result<Status> {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            err(&input::unreadable(path, &diagnostic, color))?;
            return Ok(Status::Unreadable);
        }
    };
    let names: Vec<Option<&str>> = match scenarios {
        [one] => vec![None, Some(one.as_str())],
        [first, second, ..] => vec![Some(first.as_str()), Some(second.as_str())],
        [] => vec![None],
    };
    let loaded = input::check(path, source, bud::Request::Variants(&names));
    let mut status = Status::Clean;
    for checked in &loaded.variants {
        for diagnostic in checked.diagnostics.iter().filter(|d| d.is_error()) {
            err(&loaded.render(diagnostic, color))?;
        }
        status = status.max(Status::of(checked));
    }
    let models: Vec<_> = loaded
        .variants
        .iter()
        .zip(&names)
        .filter_map(|(checked, name)| {
            let model = checked.model.as_ref()?;
            Some((name.unwrap_or("the decision"), model))
        })
        .collect();
    if let [left, right] = models.as_slice() {
        out(&comparison(*left, *right))?;
    }
    Ok(status)
}
