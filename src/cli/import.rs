//! `bud import FILE`: a table in a spreadsheet (.xlsx, .csv, .tsv) as a `.bud` file, to
//! standard output or `--output`, with the report of what was inferred on standard
//! error. The work is the library's (`bud::import`); this reads the file as every file
//! is read (a regular file, within the size limit) and writes the result whole.

use std::path::Path;

use bud::diagnostic::{Code, Diagnostic};
use bud::import::{Kind, Request};
use bud::world::Memory;

use super::Status;
use super::input::unreadable;
use super::output::{err, out, write_whole, written};
use super::project::{self, Refusal};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  the .bud file was written; the report on standard error says whether its figures reconcile
  2  the spreadsheet cannot be read as asked (file, sheet, range, no table), or the output cannot be written

The .bud text goes to standard output (or --output), the report to standard error.";

pub struct Options<'a> {
    pub file: &'a Path,
    pub sheet: Option<&'a str>,
    pub range: Option<&'a str>,
    pub name: Option<&'a str>,
    pub output: Option<&'a Path>,
    pub color: bool,
}

pub fn run(options: &Options<'_>) -> Status {
    let path = options.file;
    let shown = path.display().to_string();
    let refuse = |diagnostic: Diagnostic| {
        let _ = err(&unreadable(path, &diagnostic, options.color));
        Status::Unreadable
    };
    let Some(kind) = Kind::of_name(&shown) else {
        return refuse(
            Diagnostic::error(
                Code::ImportSheet,
                format!("`{shown}` is not a file bud import reads"),
            )
            .with_help("bud import reads .xlsx workbooks, and .csv and .tsv files"),
        );
    };
    let bytes = match project::read_regular_bytes(path) {
        Ok(bytes) => bytes,
        Err(refusal) => return refuse(refused(&shown, &refusal)),
    };
    let request = Request {
        file: &shown,
        kind,
        sheet: options.sheet,
        range: options.range,
        name: options.name,
    };
    let imported = match bud::import::import(&bytes, &request) {
        Ok(imported) => imported,
        Err(diagnostic) => return refuse(diagnostic),
    };
    let mut report = String::from("bud import: what was read and what was inferred\n");
    for line in &imported.report {
        report.push_str("  ");
        report.push_str(line);
        report.push('\n');
    }
    report.push_str(&format!(
        "  {} row(s) recognised as computed, {} left as inputs\n",
        imported.computed, imported.inputs
    ));
    report.push_str(&check_summary(&imported.text));
    let status = match options.output {
        Some(target) => match write_whole(target, |w| w.write_all(imported.text.as_bytes())) {
            Ok(()) => {
                report.push_str(&format!("  written to {}\n", target.display()));
                Status::Clean
            }
            Err(message) => {
                let _ = err(&format!("bud import: {message}\n"));
                return Status::Unreadable;
            }
        },
        None => written(out(&imported.text).map(|()| Status::Clean)),
    };
    let _ = err(&report);
    status
}

/// What `bud check` says of the imported text, in a line or a few.
fn check_summary(text: &str) -> String {
    let world = Memory::decision(text);
    let checked = bud::check(&world, Memory::MAIN, bud::Request::verify());
    let mut errors = Vec::new();
    let mut rounding = 0;
    for variant in &checked.variants {
        for diagnostic in &variant.diagnostics {
            if diagnostic.is_error() {
                errors.push(diagnostic.message.clone());
            } else if diagnostic.code == Code::ReconcileRounding {
                rounding += 1;
            }
        }
    }
    if errors.is_empty() {
        let rounding = if rounding > 0 {
            format!(" ({rounding} within rounding)")
        } else {
            String::new()
        };
        format!("  bud check: every stated figure reconciles{rounding}\n")
    } else {
        let mut summary = format!(
            "  bud check: {} figure(s) of the sheet disagree; run `bud check` on the file to see where:\n",
            errors.len()
        );
        for message in errors.iter().take(10) {
            summary.push_str(&format!("    {message}\n"));
        }
        summary
    }
}

fn refused(shown: &str, refusal: &Refusal) -> Diagnostic {
    let help = match refusal {
        Refusal::NotRegular(_) => "name the spreadsheet file itself",
        _ => "check the path",
    };
    Diagnostic::error(
        Code::IoRead,
        format!("cannot read `{shown}`: {}", refusal.reason()),
    )
    .with_help(help)
}
