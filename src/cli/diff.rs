//! `bud diff`: what changed between two versions of a decision, two files or a file
//! and itself at a git revision (`revision.rs`), as text, Markdown or JSON
//! (`bud::render::diff`). Each version is checked through a world of its own, so its
//! imports and data files are read from the same version; the decision is compared,
//! then each scenario with the scenario of the same name.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use bud::diagnostic::Code;
use bud::render::diff::{self, Diff, Options, SHOWN_PER_TABLE};
use bud::render::report::Source;
use bud::render::view::{self, Document};

use super::output::{err, out, written};
use super::revision::GitRevision;
use super::{Color, Status, input};

pub const EXIT_CODES: &str = "\
Examples:
  bud diff before.bud decisions/bs-vi-7.bud         two files
  bud diff --rev HEAD decisions/bs-vi-7.bud         the file against its last commit
  bud diff --rev origin/main --format markdown decisions/*.bud >> \"$GITHUB_STEP_SUMMARY\"

Exit codes:
  0  the diff was made, whether figures differ or not
  1  with --exit-code: a figure, row or table differs
  2  a file cannot be read or parsed, the revision cannot be read, or the command line is wrong";

/// The arguments of `bud diff`.
#[derive(Debug, clap::Args)]
pub struct Arguments {
    /// OLD and NEW decision files (.bud); with --rev, one or more files, each compared
    /// with itself at the revision.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Compare each FILE with the same file at this git revision: a branch, a tag or a
    /// commit (`origin/main`, `HEAD~1`). Its imports and data files are read at the
    /// revision too.
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// List every line that changed; text and Markdown list 25 lines a table.
    #[arg(long)]
    all: bool,
    /// Exit 1 when a figure, row or table differs, as `git diff --exit-code` does.
    #[arg(long)]
    exit_code: bool,
}

/// What `bud diff` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Aligned lines for a terminal: what changed, what it moved, the reconciliation.
    Text,
    /// A heading per decision and a pipe table per table, for a pull request comment
    /// or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One document, every change; see docs/schema/diff.schema.json.
    Json,
}

pub fn run(arguments: &Arguments, color: Color) -> Status {
    let pairs: Vec<(Version, Version)> = match (&arguments.rev, arguments.files.as_slice()) {
        (None, [old, new]) => vec![(Version::File(old.clone()), Version::File(new.clone()))],
        (None, _) => {
            let _ = err(
                "bud diff: give two files, OLD and NEW, or --rev REV and the files to compare with it\n",
            );
            return Status::Unreadable;
        }
        (Some(revision), files) => files
            .iter()
            .map(|file| {
                (
                    Version::Revision(revision.clone(), file.clone()),
                    Version::File(file.clone()),
                )
            })
            .collect(),
    };
    let diagnostics_in_color = color.enabled(io::stderr().is_terminal());
    let mut status = Status::Clean;
    let mut diffs = Vec::new();
    for (old, new) in &pairs {
        let old = old.document(diagnostics_in_color);
        let new = new.document(diagnostics_in_color);
        match (old, new) {
            (Ok(old), Ok(new)) => diffs.extend(variants(&old, &new)),
            _ => status = Status::Unreadable,
        }
    }
    let options = Options {
        color: arguments.format == DiffFormat::Text && color.enabled(io::stdout().is_terminal()),
        limit: (!arguments.all).then_some(SHOWN_PER_TABLE),
    };
    let text = match arguments.format {
        DiffFormat::Json => diff::json(&diffs),
        DiffFormat::Text => diffs
            .iter()
            .map(|d| diff::text(d, options))
            .collect::<Vec<_>>()
            .join("\n"),
        DiffFormat::Markdown => diffs
            .iter()
            .map(|d| diff::markdown(d, options))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    // A file that could not be read leaves its diff out; the others are still shown.
    if !diffs.is_empty() || arguments.format == DiffFormat::Json {
        status = status.max(written(out(&text).map(|()| Status::Clean)));
    }
    if arguments.exit_code && diffs.iter().any(|d| !d.is_empty()) {
        status = status.max(Status::Failed);
    }
    status
}

/// The decision's diff, then each scenario's: those of the new version in its order,
/// then those only the old one has. A scenario only one version has is all added or
/// all removed.
fn variants(old: &Evaluated, new: &Evaluated) -> Vec<Diff> {
    let mut names: Vec<Option<&str>> = vec![None];
    for (name, _) in new.variants.iter().chain(&old.variants) {
        if name.is_some() && !names.contains(&name.as_deref()) {
            names.push(name.as_deref());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mut diff =
                Diff::between((&old.label, old.find(name)), (&new.label, new.find(name)));
            diff.scenario = name.map(str::to_owned);
            diff
        })
        .collect()
}

/// A version's label and the views of its decision and each of its scenarios (none
/// when the file is not at the revision).
struct Evaluated {
    label: String,
    variants: Vec<(Option<String>, Document)>,
}

impl Evaluated {
    /// The view of the decision (`None`) or of one of its scenarios.
    fn find(&self, scenario: Option<&str>) -> Option<&Document> {
        self.variants
            .iter()
            .find(|(name, _)| name.as_deref() == scenario)
            .map(|(_, document)| document)
    }
}

/// One version of a decision: a file on disk, or a file as it was at a revision.
enum Version {
    File(PathBuf),
    Revision(String, PathBuf),
}

impl Version {
    /// The version's label and its evaluated variants, none when the file does not
    /// exist at the revision; `Err` (its diagnostics printed) when it cannot be read or
    /// evaluated.
    fn document(&self, color: bool) -> Result<Evaluated, ()> {
        match self {
            Version::File(path) => {
                let source = match input::read(path) {
                    Ok(source) => source,
                    Err(diagnostic) => {
                        let _ = err(&input::unreadable(path, &diagnostic, color));
                        return Err(());
                    }
                };
                let loaded = input::check(path, source, bud::Request::Everything);
                let label = path.display().to_string();
                evaluated(&loaded, color).map(|variants| Evaluated { label, variants })
            }
            Version::Revision(revision, path) => {
                let world = match GitRevision::open(path, revision) {
                    Ok(world) => world,
                    Err(diagnostic) => {
                        let _ = err(&input::unreadable(path, &diagnostic, color));
                        return Err(());
                    }
                };
                let main = bud::world::name_in_folder(path);
                let label = world.shown(&main);
                if !world.has(&main) {
                    return Ok(Evaluated {
                        label,
                        variants: Vec::new(),
                    });
                }
                let text = match bud::world::World::read(&world, &main) {
                    Ok(text) => text,
                    Err(reason) => {
                        let diagnostic = bud::diagnostic::Diagnostic::error(
                            Code::IoRevision,
                            format!("cannot read `{label}`: {reason}"),
                        );
                        let _ = err(&input::unreadable(Path::new(&label), &diagnostic, color));
                        return Err(());
                    }
                };
                let source = Source::new(label.clone(), text.to_string());
                let loaded = input::check_in(
                    &world,
                    &main,
                    &world.shown_folder(),
                    source,
                    bud::Request::Everything,
                );
                evaluated(&loaded, color).map(|variants| Evaluated { label, variants })
            }
        }
    }
}

/// The views of a checked decision and its scenarios; when one cannot be evaluated,
/// its errors are printed as `bud check` prints them.
fn evaluated(loaded: &input::Loaded, color: bool) -> Result<Vec<(Option<String>, Document)>, ()> {
    let mut documents = Vec::new();
    let mut failed = loaded.variants.is_empty();
    for checked in &loaded.variants {
        let model = checked.model.as_ref().filter(|_| !checked.is_malformed());
        for diagnostic in checked.diagnostics.iter().filter(|d| {
            // A figure that no longer reconciles is what the diff reports; other errors
            // (a name unknown, a file unreadable) are shown as `bud check` shows them.
            d.is_error() && (model.is_none() || d.code != Code::ReconcileMismatch)
        }) {
            let _ = err(&loaded.render(diagnostic, color));
        }
        match model {
            Some(model) => documents.push((
                checked.scenario.as_ref().map(|(name, _)| name.clone()),
                view::document(checked, model),
            )),
            None => failed = true,
        }
    }
    if failed { Err(()) } else { Ok(documents) }
}
