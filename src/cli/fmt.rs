//! `bud fmt`: lays decision files out canonically, in place; with `--check`, changes
//! nothing, prints what would change as a unified diff and exits 1 if anything would;
//! with `--stdin`, formats standard input to standard output for editors.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use bud::render::report::render;
use bud::syntax::formatter;

use super::discover::{self, Target};
use super::output::{err, for_each_file, out, write_whole};
use super::{Color, Status, input};

pub fn run(arguments: &[PathBuf], check: bool, color: Color) -> Status {
    let color = color.enabled(io::stderr().is_terminal());
    let mut files = Vec::new();
    for argument in arguments {
        match discover::target(argument) {
            Target::Named(path) => files.push(Ok(path)),
            Target::Found(paths, problems) => {
                files.extend(paths.into_iter().map(Ok));
                files.extend(problems.into_iter().map(Err));
            }
            Target::Problem(path, diagnostic) => files.push(Err((path, diagnostic))),
        }
    }
    for_each_file(&files, |_, file| match file {
        Ok(path) => format_file(path, check, color),
        Err((path, diagnostic)) => {
            err(&input::unreadable(path, diagnostic, color))?;
            Ok(Status::Unreadable)
        }
    })
}

/// `bud fmt --stdin`: standard input formatted to standard output; a text that does
/// not parse is written back unchanged, with its diagnostics on standard error.
pub fn filter(color: Color) -> Status {
    let color = color.enabled(io::stderr().is_terminal());
    let mut text = String::new();
    if let Err(error) = io::Read::read_to_string(&mut io::stdin(), &mut text) {
        let _ = err(&format!("bud fmt: cannot read standard input: {error}\n"));
        return Status::Unreadable;
    }
    let source = bud::render::report::Source::new("<stdin>", text.as_str());
    let (output, status) = match formatter::format(&text) {
        Ok(formatted) => (formatted, Status::Clean),
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                let _ = err(&render(diagnostic, &source, color));
            }
            (text.clone(), Status::Unreadable)
        }
    };
    super::output::written(out(&output).map(|()| status))
}

fn format_file(path: &Path, check: bool, color: bool) -> io::Result<Status> {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            err(&input::unreadable(path, &diagnostic, color))?;
            return Ok(Status::Unreadable);
        }
    };
    let formatted = match formatter::format(&source.text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                err(&render(diagnostic, &source, color))?;
            }
            err(&format!(
                "bud fmt: `{}` was left as it is: it does not parse\n",
                path.display()
            ))?;
            return Ok(Status::Unreadable);
        }
    };
    if formatted == *source.text {
        return Ok(Status::Clean);
    }
    if check {
        out(&diff(path, &source.text, &formatted))?;
        return Ok(Status::Failed);
    }
    if let Err(problem) = write_whole(path, |file| file.write_all(formatted.as_bytes())) {
        err(&format!("bud fmt: {problem}\n"))?;
        return Ok(Status::Unreadable);
    }
    Ok(Status::Clean)
}

/// `--- decisions/x.bud` / `+++ decisions/x.bud (formatted)` and the changed lines.
fn diff(path: &Path, before: &str, after: &str) -> String {
    bud::syntax::format_diff::unified(&path.display().to_string(), before, after)
}
