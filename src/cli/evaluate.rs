//! `bud evaluate`: the computed tables in the chosen format, on standard output or in a
//! file written whole; diagnostics on standard error.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use bud::render::{csv, html, json, markdown, text, view, xlsx};

use super::output::{err, for_each_file, out, write_whole};
use super::{Color, Format, Status, input};

/// Everything `bud evaluate` was asked to do.
pub struct Request<'a> {
    pub files: &'a [PathBuf],
    pub scenario: Option<&'a str>,
    pub format: Format,
    pub output: Option<&'a Path>,
    pub color: Color,
    /// The decision as adopted rather than as checked (`--publication`).
    pub publication: bool,
    /// Only this table (`--table`).
    pub table: Option<&'a str>,
}

pub fn run(request: &Request<'_>) -> Status {
    if let Some(refusal) = refusal(request) {
        let _ = err(&format!("bud evaluate: {refusal}\n"));
        return Status::Unreadable;
    }
    let files = request.files;
    // Each file's outcome is known before its tables are printed, so a reader that
    // stops early (`bud evaluate … | head`) does not turn a failure into exit 0.
    let mut known = Status::Clean;
    let printed = for_each_file(files, |index, path| {
        if files.len() > 1 {
            let gap = if index > 0 { "\n" } else { "" };
            out(&format!("{gap}==> {} <==\n", path.display()))?;
        }
        evaluate_file(path, request, &mut known)
    });
    printed.max(known)
}

/// Why the request cannot be carried out as asked, before any file is read.
fn refusal(request: &Request<'_>) -> Option<String> {
    let several = request.files.len() > 1;
    if several && request.output.is_some() {
        return Some("--output writes one decision; give one file".to_owned());
    }
    if several && request.format != Format::Table {
        return Some(format!(
            "--format {} writes one decision; give one file, or run bud once per file",
            format_name(request.format)
        ));
    }
    if request.publication && streams(request.format) {
        return Some(format!(
            "--publication is for the formats that people read (table, markdown, html, xlsx); \
             --format {} is always the whole of what bud found",
            format_name(request.format)
        ));
    }
    if request.format == Format::Xlsx && request.output.is_none() && io::stdout().is_terminal() {
        return Some(
            "a workbook is a binary file: give --output FILE.xlsx, or redirect standard output"
                .to_owned(),
        );
    }
    None
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Table => "table",
        Format::Json => "json",
        Format::Csv => "csv",
        Format::Markdown => "markdown",
        Format::Html => "html",
        Format::Xlsx => "xlsx",
    }
}

fn evaluate_file(path: &Path, request: &Request<'_>, known: &mut Status) -> io::Result<Status> {
    let diagnostics_in_color = request.color.enabled(io::stderr().is_terminal());
    let source = match input::read(path) {
        Ok(source) => source,
        Err(diagnostic) => {
            err(&input::unreadable(path, &diagnostic, diagnostics_in_color))?;
            *known = Status::Unreadable;
            return Ok(Status::Unreadable);
        }
    };
    let loaded = input::check(path, source, bud::Request::Variants(&[request.scenario]));
    let Some(checked) = loaded.variants.first() else {
        return Ok(Status::Clean);
    };
    if let Some(target) = request.output {
        if let Some(input) = own_input(path, checked, target) {
            err(&format!(
                "bud evaluate: --output `{}` is `{}`, which this decision reads; choose another file\n",
                target.display(),
                input.display()
            ))?;
            *known = Status::Unreadable;
            return Ok(Status::Unreadable);
        }
    }
    let mut status = Status::of(checked);
    *known = (*known).max(status);
    // A file that cannot be read as a decision gives no output file at all: half a
    // decision's tables would read as the whole of it.
    let writes_file = request.output.is_some() && status != Status::Unreadable;
    if let Some(model) = &checked.model {
        let Some(outline) = presented(view::outline(checked, model), path, request)? else {
            *known = Status::Unreadable;
            return Ok(Status::Unreadable);
        };
        match request.output {
            // JSON and CSV are written as they are made, a table at a time.
            None if streams(request.format) => {
                let mut stdout = io::BufWriter::new(io::stdout().lock());
                streamed(request.format, &outline, &mut stdout)?;
                stdout.flush()?;
            }
            Some(target) if writes_file && streams(request.format) => {
                let written = write_whole(target, |mut file| {
                    streamed(request.format, &outline, &mut file)
                });
                if let Err(problem) = written {
                    err(&format!("bud evaluate: {problem}\n"))?;
                    status = Status::Unreadable;
                }
            }
            _ if request.output.is_none() || writes_file => {
                let rendered = rendered(request, outline);
                match (rendered, request.output) {
                    (Ok(bytes), Some(target)) => {
                        if let Err(problem) = write_whole(target, |file| file.write_all(&bytes)) {
                            err(&format!("bud evaluate: {problem}\n"))?;
                            status = Status::Unreadable;
                        }
                    }
                    (Ok(bytes), None) => io::stdout().lock().write_all(&bytes)?,
                    (Err(problem), _) => {
                        err(&format!("bud evaluate: {problem}\n"))?;
                        status = Status::Unreadable;
                    }
                }
            }
            _ => {}
        }
    }
    for diagnostic in checked.diagnostics.iter().filter(|d| d.is_error()) {
        err(&loaded.render(diagnostic, diagnostics_in_color))?;
    }
    Ok(status)
}

/// The outline as the request presents it: for publication or review, one table or
/// all. `None`, with the reason printed, when the table asked for is not there.
fn presented<'a>(
    mut outline: view::Outline<'a>,
    path: &Path,
    request: &Request<'_>,
) -> io::Result<Option<view::Outline<'a>>> {
    outline.head.presentation = view::Presentation {
        purpose: if request.publication {
            view::Purpose::Publication
        } else {
            view::Purpose::Review
        },
        source: Some(colophon_name(path)),
        one_table: false,
    };
    if let Some(wanted) = request.table {
        if !outline.only_table(wanted) {
            let names = outline.table_names();
            let tables = match names.is_empty() {
                true => "it has no tables".to_owned(),
                false => format!("give one of {}", names.join(", ")),
            };
            err(&format!(
                "bud evaluate: {} has no table `{wanted}`; {tables}\n",
                path.display(),
            ))?;
            return Ok(None);
        }
    }
    Ok(Some(outline))
}

/// The decision file as a publication names it: as given, unless that is an absolute
/// path, which would print a folder of the machine it was made on.
fn colophon_name(path: &Path) -> String {
    match path.file_name() {
        Some(name) if path.is_absolute() => name.to_string_lossy().into_owned(),
        _ => path.display().to_string(),
    }
}

/// The file among the decision, its imports and its data files that `target` is, if
/// it is one: writing there would destroy the input.
fn own_input(path: &Path, checked: &bud::Checked, target: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(target).ok()?;
    let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let imported = checked
        .imported
        .iter()
        .map(|file| directory.join(&file.name));
    let data = checked.data.iter().map(|file| directory.join(&file.name));
    std::iter::once(path.to_path_buf())
        .chain(imported)
        .chain(data)
        .find(|input| std::fs::canonicalize(input).is_ok_and(|input| input == target))
}

/// Whether the format is written as it is made rather than as one whole.
fn streams(format: Format) -> bool {
    matches!(format, Format::Json | Format::Csv)
}

/// A format that `streams`, written to `out` a table at a time.
fn streamed(format: Format, outline: &view::Outline<'_>, out: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Csv => csv::write(outline, out),
        _ => json::write(outline, out),
    }
}

fn rendered(request: &Request<'_>, outline: view::Outline<'_>) -> Result<Vec<u8>, String> {
    if request.format == Format::Xlsx {
        return xlsx::render(&outline);
    }
    let document = outline.into_document();
    Ok(match request.format {
        Format::Markdown => markdown::render(&document).into_bytes(),
        Format::Html => html::render(&document).into_bytes(),
        _ => text::render(&document, terminal_layout(request)).into_bytes(),
    })
}

/// Colour and wrapping for a terminal; `COLUMNS` sets the width anywhere, so a pipe
/// or a test can ask for the layout a narrow terminal gets.
fn terminal_layout(request: &Request<'_>) -> text::Layout {
    let to_terminal = request.output.is_none() && io::stdout().is_terminal();
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    let terminal =
        || terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w));
    text::Layout {
        width: columns.or_else(|| if to_terminal { terminal() } else { None }),
        color: request.output.is_none() && request.color.enabled(io::stdout().is_terminal()),
    }
}
