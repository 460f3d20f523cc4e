//! `bud evaluate`: the computed tables on standard output, errors on standard error.

use std::io;
use std::path::{Path, PathBuf};

use bud::render::text;

use super::output::{err, for_each_file, out};
use super::{Status, input};

pub fn run(files: &[PathBuf], scenario: Option<&str>, color: bool) -> Status {
    for_each_file(files, |index, path| {
        if files.len() > 1 {
            let gap = if index > 0 { "\n" } else { "" };
            out(&format!("{gap}==> {} <==\n", path.display()))?;
        }
        evaluate_file(path, scenario, color)
    })
}

fn evaluate_file(path: &Path, scenario: Option<&str>, color: bool) -> io::Result<Status> {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            err(&input::unreadable(path, &diagnostic, color))?;
            return Ok(Status::Unreadable);
        }
    };
    let loaded = input::check(path, source, input::Variants::These(&[scenario]));
    let Some(checked) = loaded.variants.first() else {
        return Ok(Status::Clean);
    };
    if let Some(model) = &checked.model {
        out(&text::evaluation_of(checked, model))?;
    }
    for diagnostic in checked.diagnostics.iter().filter(|d| d.is_error()) {
        err(&loaded.render(diagnostic, color))?;
    }
    Ok(Status::of(checked))
}
