//! What the workbench shows and changes, independent of HTTP: the served folder, the
//! decisions in it with their status, a decision checked and rendered for its page
//! (from disk, or from the text being edited in the page), two variants side by side,
//! and a save that replaces the file whole and never overwrites a change made on disk
//! since the page read it.

use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use bud::Checked;
use bud::diagnostic::{Diagnostic, Severity};
use bud::render::machine::Summary;
use bud::render::report::Source;
use bud::render::{html, view};
use serde::Serialize;

use super::guard::{Guard, decision_at, relative_name};
use super::watch::Changes;
use bud::render::machine::CheckedFile;
use rayon::prelude::*;

use crate::cli::check;
use crate::cli::discover::{self, Target};
use crate::cli::input::{self, Loaded};
use crate::cli::project::{self, Project};

/// The served folder and what every request shares.
pub struct Site {
    /// Canonical: every path a request names must be inside it.
    pub root: PathBuf,
    pub project: Project,
    pub guard: Guard,
    pub changes: Arc<Changes>,
    /// The decision named on the command line, shown at `/`.
    pub start: Option<String>,
    /// Held while a save compares and writes, so two saves cannot interleave.
    saving: Mutex<()>,
}

impl Site {
    pub fn new(root: PathBuf, guard: Guard, changes: Arc<Changes>, start: Option<String>) -> Self {
        Site {
            project: Project::at(&root),
            root,
            guard,
            changes,
            start,
            saving: Mutex::new(()),
        }
    }

    /// Every decision below the folder, with its status; files that others import
    /// for shared items are parts of those, not decisions, as `bud check` has them.
    pub fn index(&self) -> Vec<Listed> {
        let paths = match discover::target(&self.root) {
            Target::Found(paths, _) => paths,
            Target::Named(path) => vec![path],
            Target::Problem(..) => Vec::new(),
        };
        // A link to a file outside the folder is not one of its decisions.
        let paths: Vec<PathBuf> = paths
            .into_iter()
            .filter(|path| {
                let relative = path.strip_prefix(&self.root).unwrap_or(path);
                decision_at(&self.root, relative).is_some()
            })
            .collect();
        let (checked, titles): (Vec<_>, std::collections::HashMap<_, _>) = paths
            .into_par_iter()
            .map(|path| {
                let (file, title) = self.checked_file(&path);
                ((path.clone(), file), (path, title))
            })
            .unzip();
        check::without_libraries(checked)
            .into_iter()
            .map(|(path, file)| {
                let title = titles.get(&path).cloned().flatten();
                Listed::of(relative_name(&self.root, &path), &file, title)
            })
            .collect()
    }

    /// The decision at `path` as `bud check` checks it, and its title.
    fn checked_file(&self, path: &Path) -> (CheckedFile, Option<String>) {
        match input::read(path) {
            Ok(source) => {
                let loaded =
                    input::check_within(path, source, bud::Request::verify(), self.project.clone());
                let title = loaded
                    .variants
                    .first()
                    .and_then(|checked| checked.model.as_ref())
                    .map(|model| model.program.decision.title.clone());
                (loaded.into_checked_file(), title)
            }
            Err(diagnostic) => (
                CheckedFile::unreadable(path.display().to_string(), diagnostic),
                None,
            ),
        }
    }

    /// The decision at `path` checked and rendered, as its page shows it: from the
    /// disk, or from `edited`, the text being edited in the page.
    pub fn show(&self, path: &Path, edited: Option<String>, variant: Option<&str>) -> Shown {
        let name = relative_name(&self.root, path);
        let source = match edited {
            Some(text) => Source::new(path.display().to_string(), text),
            None => match input::read(path) {
                Ok(source) => source,
                Err(diagnostic) => return Shown::unreadable(name, &diagnostic),
            },
        };
        let text = source.text.clone();
        let loaded =
            input::check_within(path, source, bud::Request::Everything, self.project.clone());
        let chosen = loaded
            .variants
            .iter()
            .position(|checked| scenario_of(checked) == variant)
            .unwrap_or(0);
        let Some(checked) = loaded.variants.get(chosen) else {
            let nothing = Diagnostic::error(
                bud::diagnostic::Code::IoRead,
                "the decision gave nothing to show",
            );
            return Shown::unreadable(name, &nothing);
        };
        let document = checked
            .model
            .as_ref()
            .map(|model| view::document(checked, model));
        let (standing, detail) = Standing::of_variants(std::slice::from_ref(checked));
        Shown {
            path: name,
            version: version_of(&text),
            variant: scenario_of(checked).map(str::to_owned),
            variants: loaded
                .variants
                .iter()
                .map(|checked| VariantShown {
                    name: scenario_of(checked).map(str::to_owned),
                    condition: checked.scenario.as_ref().and_then(|(_, c)| c.clone()),
                    errors: Summary::of(checked).errors,
                })
                .collect(),
            status: standing.name(),
            sentence: match standing {
                // `1 error; …` says it already.
                Standing::Errors => format!("✗ {detail}"),
                _ => format!("{}: {detail}", standing.words()),
            },
            html: document.as_ref().map(html::body).unwrap_or_default(),
            diagnostics: checked
                .diagnostics
                .iter()
                .map(|diagnostic| DiagnosticShown::of(diagnostic, &loaded))
                .collect(),
            text: None,
        }
    }

    /// The decision's text and version, for the page's editor.
    pub fn source(&self, path: &Path) -> Result<(String, String), String> {
        let text = project::read_regular(path).map_err(|refusal| refusal.reason())?;
        Ok((version_of(&text), text))
    }

    /// Two variants of the decision at `path` side by side.
    pub fn compare(&self, path: &Path, left: Option<&str>, right: Option<&str>) -> Compared {
        let source = match input::read(path) {
            Ok(source) => source,
            Err(diagnostic) => {
                return Compared {
                    html: String::new(),
                    differences: diagnostic.message,
                };
            }
        };
        let names = [left, right];
        let loaded = input::check_within(
            path,
            source,
            bud::Request::Variants(&names),
            self.project.clone(),
        );
        let side = |checked: &Checked| {
            let title = html::escape(scenario_of(checked).unwrap_or("the decision"));
            let body = checked
                .model
                .as_ref()
                .map(|model| html::body(&view::document(checked, model)))
                .unwrap_or_else(|| "<p>This variant could not be evaluated.</p>".to_owned());
            format!(
                "<section class=\"side\" aria-label=\"{title}\"><p class=\"side-name\">{title}</p>{body}</section>"
            )
        };
        let html = loaded.variants.iter().map(side).collect::<String>();
        let models: Vec<_> = loaded
            .variants
            .iter()
            .filter_map(|checked| {
                Some((
                    scenario_of(checked).unwrap_or("the decision"),
                    checked.model.as_ref()?,
                ))
            })
            .collect();
        let differences = match models.as_slice() {
            [one, other] => bud::render::compare::comparison(*one, *other),
            _ => "One of the variants could not be evaluated; see its diagnostics.".to_owned(),
        };
        Compared { html, differences }
    }

    /// Replaces the decision at `path` with `text`, if the file on disk is still the
    /// version `base` the page began from; the new version.
    pub fn save(&self, path: &Path, base: &str, text: &str) -> Result<String, SaveRefused> {
        let _one_at_a_time = self.saving.lock().unwrap_or_else(PoisonError::into_inner);
        let (on_disk, _) = self.source(path).map_err(SaveRefused::Unreadable)?;
        if on_disk != base {
            return Err(SaveRefused::Conflict { on_disk });
        }
        let read_only = std::fs::metadata(path).is_ok_and(|file| file.permissions().readonly());
        if read_only {
            return Err(SaveRefused::Unwritable(
                "the file is read-only; bud does not replace it".to_owned(),
            ));
        }
        replace(path, text).map_err(|error| SaveRefused::Unwritable(error.to_string()))?;
        Ok(version_of(text))
    }
}

/// Writes `text` beside `path` and renames it over it: a reader sees the old file or
/// the new one, never part of either. The file keeps its permissions.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new()
        .prefix(".bud-save-")
        .tempfile_in(folder)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    if let Ok(metadata) = std::fs::metadata(path) {
        temporary
            .as_file()
            .set_permissions(metadata.permissions())?;
    }
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Why a save did not happen.
pub enum SaveRefused {
    /// The file changed on disk since the page read it.
    Conflict {
        on_disk: String,
    },
    Unreadable(String),
    Unwritable(String),
}

/// A version of a text: equal texts, equal versions. It only has to tell the file a
/// page began from from a later one within one run.
pub fn version_of(text: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    format!("{:016x}-{}", hasher.finish(), text.len())
}

fn scenario_of(checked: &Checked) -> Option<&str> {
    checked.scenario.as_ref().map(|(name, _)| name.as_str())
}

/// A decision in the index.
#[derive(Serialize)]
pub struct Listed {
    pub path: String,
    pub title: Option<String>,
    /// `reconciles`, `rounding`, `acknowledged`, `errors` or `unreadable`.
    pub status: &'static str,
    /// `✓ reconciles`.
    pub words: &'static str,
    /// The figures behind the status.
    pub sentence: String,
}

impl Listed {
    fn of(path: String, file: &CheckedFile, title: Option<String>) -> Listed {
        if let Some(unreadable) = &file.unreadable {
            return Listed {
                path,
                title,
                status: Standing::Unreadable.name(),
                words: Standing::Unreadable.words(),
                sentence: unreadable.message.clone(),
            };
        }
        let (standing, detail) = Standing::of_variants(&file.variants);
        Listed {
            path,
            title,
            status: standing.name(),
            words: standing.words(),
            sentence: detail,
        }
    }
}

/// Where a decision stands, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    Unreadable,
    Errors,
    Acknowledged,
    Rounding,
    Reconciles,
}

impl Standing {
    fn of(variants: &[Checked]) -> Standing {
        variants
            .iter()
            .map(|checked| {
                let summary = Summary::of(checked);
                if checked.is_malformed() {
                    Standing::Unreadable
                } else if summary.errors > 0 {
                    Standing::Errors
                } else if summary.counts.acknowledged > 0 {
                    Standing::Acknowledged
                } else if summary.counts.rounding > 0 {
                    Standing::Rounding
                } else {
                    Standing::Reconciles
                }
            })
            .min()
            .unwrap_or(Standing::Unreadable)
    }

    fn name(self) -> &'static str {
        match self {
            Standing::Unreadable => "unreadable",
            Standing::Errors => "errors",
            Standing::Acknowledged => "acknowledged",
            Standing::Rounding => "rounding",
            Standing::Reconciles => "reconciles",
        }
    }

    /// The status in a few words, as its badge shows it.
    pub fn words(self) -> &'static str {
        match self {
            Standing::Unreadable => "✗ cannot be read",
            Standing::Errors => "✗ errors",
            Standing::Acknowledged => "! published errors acknowledged",
            Standing::Rounding => "≈ rounding only",
            Standing::Reconciles => "✓ reconciles",
        }
    }

    /// The figures behind the status: `summary` of the decision, `errors` of every
    /// variant, and how many variants there are.
    fn detail(self, summary: &Summary, errors: usize, variants: usize) -> String {
        let counts = summary.counts;
        let scenarios = match variants {
            0 | 1 => String::new(),
            2 => " (the decision and its scenario)".to_owned(),
            n => format!(" (the decision and its {} scenarios)", n - 1),
        };
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match self {
            Standing::Unreadable => "it cannot be parsed; its errors say where".to_owned(),
            Standing::Errors => {
                let mut detail = format!(
                    "{}{scenarios}; {} of the decision's {} stated figures do not reconcile",
                    plural(errors, "error", "errors"),
                    counts.mismatches,
                    counts.stated
                );
                if counts.inherited == counts.mismatches && counts.inherited > 0 {
                    detail.push_str(
                        ", all of them only because of a wrong figure they are computed from",
                    );
                } else if counts.inherited > 0 {
                    detail.push_str(&format!(
                        ", {} of them only because of a wrong figure they are computed from",
                        counts.inherited
                    ));
                }
                detail
            }
            Standing::Acknowledged => format!(
                "{} acknowledged; the other stated figures reconcile{scenarios}",
                plural(counts.acknowledged, "published error", "published errors")
            ),
            Standing::Rounding => format!(
                "{} stated figures, {} differing by rounding only{scenarios}",
                counts.stated, counts.rounding
            ),
            Standing::Reconciles if counts.stated == 0 => {
                format!("no stated figures to reconcile{scenarios}")
            }
            Standing::Reconciles => {
                format!("all {} stated figures match{scenarios}", counts.stated)
            }
        }
    }

    /// What a decision's variants show, in a few words and in figures.
    fn of_variants(variants: &[Checked]) -> (Standing, String) {
        let standing = Standing::of(variants);
        let Some(first) = variants.first() else {
            return (standing, "it cannot be read".to_owned());
        };
        let errors = variants
            .iter()
            .map(|checked| Summary::of(checked).errors)
            .sum();
        let detail = standing.detail(&Summary::of(first), errors, variants.len());
        (standing, detail)
    }
}

/// A decision as its page shows it.
#[derive(Serialize)]
pub struct Shown {
    pub path: String,
    /// The version of the text shown: a save names it as the version it began from.
    pub version: String,
    /// The scenario shown; `null` for the decision itself.
    pub variant: Option<String>,
    pub variants: Vec<VariantShown>,
    pub status: &'static str,
    pub sentence: String,
    /// The document's tables and paragraphs (`render::html::body`).
    pub html: String,
    pub diagnostics: Vec<DiagnosticShown>,
    /// The text, when the page asks for it with the rest.
    pub text: Option<String>,
}

impl Shown {
    fn unreadable(path: String, diagnostic: &Diagnostic) -> Shown {
        Shown {
            path,
            version: String::new(),
            variant: None,
            variants: Vec::new(),
            status: Standing::Unreadable.name(),
            sentence: format!("{}: {}", Standing::Unreadable.words(), diagnostic.message),
            html: String::new(),
            diagnostics: vec![DiagnosticShown::alone(diagnostic)],
            text: None,
        }
    }
}

#[derive(Serialize)]
pub struct VariantShown {
    pub name: Option<String>,
    pub condition: Option<String>,
    pub errors: usize,
}

/// A diagnostic for the page's panel: what it says, where, and the spans it is about,
/// which the page matches with the figures' `data-at`.
#[derive(Serialize)]
pub struct DiagnosticShown {
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// `bs-vi-7.bud:40:72`.
    pub location: Option<String>,
    /// The data file the spans are in; `null` for the decision's own files.
    pub file: Option<String>,
    /// The primary span first, then the others, each `[start, end, label]`.
    pub spans: Vec<(usize, usize, String)>,
}

impl DiagnosticShown {
    fn of(diagnostic: &Diagnostic, loaded: &Loaded) -> Self {
        let file = diagnostic.file();
        let location = diagnostic.primary.as_ref().map(|label| {
            let at = loaded.locate(label.span, file);
            let name = Path::new(&at.path).file_name().map_or_else(
                || at.path.clone(),
                |name| name.to_string_lossy().into_owned(),
            );
            format!("{name}:{}:{}", at.line, at.column)
        });
        DiagnosticShown {
            location,
            file: file.map(str::to_owned),
            spans: diagnostic
                .primary
                .iter()
                .chain(&diagnostic.secondary)
                .map(|label| (label.span.start(), label.span.end(), label.message.clone()))
                .collect(),
            ..DiagnosticShown::alone(diagnostic)
        }
    }

    fn alone(diagnostic: &Diagnostic) -> Self {
        DiagnosticShown {
            severity: match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            },
            code: diagnostic.code.as_str(),
            message: diagnostic.message.clone(),
            help: diagnostic.help.as_deref().map(str::to_owned),
            location: None,
            file: None,
            spans: Vec::new(),
        }
    }
}

/// Two variants side by side, and the rows that differ as `bud compare` words them.
#[derive(Serialize)]
pub struct Compared {
    pub html: String,
    pub differences: String,
}
