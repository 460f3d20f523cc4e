//! What `bud check` found, written for machines: GitHub Actions workflow commands
//! (`github`), one JSON document (`json`) and a SARIF 2.1.0 log (`sarif`). Each writer
//! is a pure function from the checked files to a string; the command line only prints
//! it. Spans become paths, lines and columns through `Sources::locate`, the same for
//! every format, so they all point where the terminal report points.
//!
//! The SARIF log is serialised from the few typed structs below rather than through a
//! SARIF crate: bud fills a dozen of the format's hundreds of properties, and a test
//! validates the output against the official schema (`tests/schemas/`).

use serde::Serialize;

use crate::Checked;
use crate::diagnostic::{Code, Diagnostic, Label, Severity, explain};
use crate::render::report::{Location, Source, Sources};

/// How a file, or a whole run, ended; the worst file decides the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every stated figure reconciles.
    Clean,
    /// A stated figure or a rule fails.
    Failed,
    /// The file cannot be read or parsed.
    Unreadable,
}

impl Status {
    /// The outcome of one checked variant.
    pub fn of(checked: &Checked) -> Status {
        if checked.is_malformed() {
            Status::Unreadable
        } else if checked.has_errors() {
            Status::Failed
        } else {
            Status::Clean
        }
    }
}

/// One decision file as `bud check` reports it: its variants (the decision and each
/// scenario) and every text their diagnostics point into, or why it could not be read.
pub struct CheckedFile {
    pub sources: Sources,
    /// Empty when the file could not be read.
    pub variants: Vec<Checked>,
    /// Why the file could not be read: a diagnostic without a span.
    pub unreadable: Option<Diagnostic>,
}

impl CheckedFile {
    pub fn new(sources: Sources, variants: Vec<Checked>) -> Self {
        CheckedFile {
            sources,
            variants,
            unreadable: None,
        }
    }

    /// A file named `path` that could not be read, and why.
    pub fn unreadable(path: impl Into<String>, diagnostic: Diagnostic) -> Self {
        CheckedFile {
            sources: Sources::new(Source::new(path, "")),
            variants: Vec::new(),
            unreadable: Some(diagnostic),
        }
    }

    /// The path as it was given or found.
    pub fn path(&self) -> &str {
        &self.sources.decision().name
    }

    pub fn status(&self) -> Status {
        let worst = self.variants.iter().map(Status::of).max();
        match &self.unreadable {
            Some(_) => Status::Unreadable,
            None => worst.unwrap_or(Status::Clean),
        }
    }

    /// Every diagnostic in the order the terminal report prints them, with the
    /// scenario it is about (`None` for the decision itself).
    pub fn diagnostics(&self) -> impl Iterator<Item = (Option<&str>, &Diagnostic)> {
        let read = self.unreadable.iter().map(|d| (None, d));
        let found = self.variants.iter().flat_map(|checked| {
            let scenario = scenario_of(checked);
            checked.diagnostics.iter().map(move |d| (scenario, d))
        });
        read.chain(found)
    }

    /// Where a label of one of this file's diagnostics is.
    fn locate(&self, diagnostic: &Diagnostic, label: &Label) -> Location {
        self.sources.locate(label.span, diagnostic.file())
    }

    /// Where a diagnostic is: its primary span, or only its file when it has none.
    fn place(&self, diagnostic: &Diagnostic) -> Place {
        match &diagnostic.primary {
            Some(label) => Place::At(self.locate(diagnostic, label)),
            None => Place::File(self.sources.path_of(diagnostic.file()).to_owned()),
        }
    }
}

fn scenario_of(checked: &Checked) -> Option<&str> {
    checked.scenario.as_ref().map(|(name, _)| name.as_str())
}

/// The worst status of all files; clean when there are none.
pub fn overall(files: &[CheckedFile]) -> Status {
    files
        .iter()
        .map(CheckedFile::status)
        .max()
        .unwrap_or(Status::Clean)
}

enum Place {
    At(Location),
    File(String),
}

/// A diagnostic's message with its help, if any, on the next line.
fn message_with_help(diagnostic: &Diagnostic) -> String {
    match &diagnostic.help {
        Some(help) => format!("{}\n{help}", diagnostic.message),
        None => diagnostic.message.clone(),
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

// ------------------------------------------------------------------ GitHub Actions

/// GitHub Actions workflow commands, one line per error or warning:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::MESSAGE`. Notes are
/// left out: the differences a decision's rounding explains would flood a pull
/// request with annotations that ask for nothing.
pub fn github(files: &[CheckedFile]) -> String {
    files
        .iter()
        .flat_map(|file| file.diagnostics().map(move |(_, d)| (file, d)))
        .filter_map(|(file, diagnostic)| github_line(file, diagnostic))
        .collect()
}

fn github_line(file: &CheckedFile, diagnostic: &Diagnostic) -> Option<String> {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => return None,
    };
    let mut properties = match file.place(diagnostic) {
        Place::At(at) => vec![
            ("file", at.path),
            ("line", at.line.to_string()),
            ("col", at.column.to_string()),
            ("endLine", at.end_line.to_string()),
            ("endColumn", at.end_column.to_string()),
        ],
        Place::File(path) if path.is_empty() => Vec::new(),
        Place::File(path) => vec![("file", path)],
    };
    properties.push(("title", diagnostic.code.as_str().to_owned()));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    let message = escape_data(&message_with_help(diagnostic));
    Some(format!("::{command} {}::{message}\n", properties.join(",")))
}

/// A workflow command's message, escaped as the Actions runner unescapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: its separators are escaped too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

// ------------------------------------------------------------------ JSON

/// The version of the JSON document's layout; raised when a field changes meaning or
/// goes away, not when one is added.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonRun<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
    status: Status,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    status: Status,
    variants: Vec<JsonVariant<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonVariant<'a> {
    scenario: Option<&'a str>,
    summary: Summary,
    /// The published errors the decision acknowledges, with their reasons.
    errata: Vec<super::view::Erratum>,
}

/// What reconciling one variant found, counted: the counts `bud evaluate` reports, and
/// the errors.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub counts: super::view::Summary,
    /// Diagnostics of severity error.
    pub errors: usize,
}

impl Summary {
    pub fn of(checked: &Checked) -> Summary {
        Summary {
            counts: super::view::Summary::of(&checked.reconciliation),
            errors: checked.diagnostics.iter().filter(|d| d.is_error()).count(),
        }
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    scenario: Option<&'a str>,
    message: &'a str,
    /// The text beside the primary span.
    label: Option<&'a str>,
    help: Option<&'a str>,
    location: Option<Location>,
    related: Vec<JsonRelated<'a>>,
    corrections: Vec<JsonCorrection<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: Location,
}

/// An edit that resolves the diagnostic: the text at `location` replaced.
#[derive(Serialize)]
struct JsonCorrection<'a> {
    title: &'a str,
    location: Location,
    replacement: &'a str,
}

/// One JSON document for the whole run, its layout versioned by `JSON_VERSION` and
/// described in `docs/ci.md`; keys come in a fixed order.
pub fn json(files: &[CheckedFile]) -> Result<String, serde_json::Error> {
    let run = JsonRun {
        version: JSON_VERSION,
        files: files.iter().map(json_file).collect(),
        status: overall(files),
    };
    let mut text = serde_json::to_string_pretty(&run)?;
    text.push('\n');
    Ok(text)
}

fn json_file(file: &CheckedFile) -> JsonFile<'_> {
    JsonFile {
        path: file.path(),
        status: file.status(),
        variants: file
            .variants
            .iter()
            .map(|checked| JsonVariant {
                scenario: scenario_of(checked),
                summary: Summary::of(checked),
                errata: checked
                    .reconciliation
                    .acknowledged
                    .iter()
                    .map(|acknowledged| super::view::Erratum {
                        reason: acknowledged.reason.clone(),
                        figures: acknowledged.figures.clone(),
                    })
                    .collect(),
            })
            .collect(),
        diagnostics: file
            .diagnostics()
            .map(|(scenario, diagnostic)| json_diagnostic(file, scenario, diagnostic))
            .collect(),
    }
}

fn json_diagnostic<'a>(
    file: &'a CheckedFile,
    scenario: Option<&'a str>,
    diagnostic: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    let primary = diagnostic.primary.as_ref();
    JsonDiagnostic {
        code: diagnostic.code.as_str(),
        severity: severity_word(diagnostic.severity),
        scenario,
        message: &diagnostic.message,
        label: primary.map(|label| label.message.as_str()),
        help: diagnostic.help.as_deref(),
        location: primary.map(|label| file.locate(diagnostic, label)),
        related: diagnostic
            .secondary
            .iter()
            .map(|label| JsonRelated {
                message: &label.message,
                location: file.locate(diagnostic, label),
            })
            .collect(),
        corrections: diagnostic
            .corrections()
            .iter()
            .map(|correction| JsonCorrection {
                title: &correction.title,
                location: file.sources.locate(correction.span, diagnostic.file()),
                replacement: &correction.replacement,
            })
            .collect(),
    }
}

// ------------------------------------------------------------------ SARIF

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun {
    tool: SarifTool,
    /// Said explicitly because bud counts columns in characters, and readers differ
    /// on the default.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<SarifText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<SarifHelp>,
}

#[derive(Serialize)]
struct SarifText {
    text: String,
}

#[derive(Serialize)]
struct SarifHelp {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: SarifText,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

/// A correction as SARIF proposes one: a replacement in one file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: SarifText,
    artifact_changes: [SarifChange; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifChange {
    artifact_location: SarifArtifact,
    replacements: [SarifReplacement; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifReplacement {
    deleted_region: SarifRegion,
    inserted_content: SarifText,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: SarifPhysical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifText>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysical {
    artifact_location: SarifArtifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
struct SarifArtifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// A SARIF 2.1.0 log with one run: a rule for each code that occurs (its summary and
/// its section of `docs/diagnostics.md` as help), and a result for every error and
/// warning; the notes too, as level `note`, only when `notes` asks for them, since code
/// scanning lists every result as an alert.
pub fn sarif(files: &[CheckedFile], notes: bool) -> Result<String, serde_json::Error> {
    let reported = |diagnostic: &Diagnostic| notes || diagnostic.severity != Severity::Note;
    let rules = codes_in(files, reported);
    let results = files
        .iter()
        .flat_map(|file| file.diagnostics().map(move |(_, d)| (file, d)))
        .filter(|(_, diagnostic)| reported(diagnostic))
        .map(|(file, diagnostic)| sarif_result(file, diagnostic, &rules))
        .collect();
    let information_uri = option_env!("CARGO_PKG_REPOSITORY").filter(|uri| !uri.is_empty());
    let log = SarifLog {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "bud",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri,
                    rules: rules.iter().map(|code| sarif_rule(*code)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

/// The codes of every diagnostic reported, each once, in the order of `Code::ALL`.
fn codes_in(files: &[CheckedFile], reported: impl Fn(&Diagnostic) -> bool) -> Vec<Code> {
    let found: Vec<Code> = files
        .iter()
        .flat_map(|file| file.diagnostics().map(|(_, d)| d))
        .filter(|d| reported(d))
        .map(|d| d.code)
        .collect();
    Code::ALL
        .into_iter()
        .filter(|code| found.contains(code))
        .collect()
}

fn sarif_rule(code: Code) -> SarifRule {
    SarifRule {
        id: code.as_str(),
        short_description: explain::summary(code).map(|text| SarifText { text }),
        help: explain::explanation(code).map(|section| SarifHelp {
            text: section,
            markdown: section,
        }),
    }
}

fn sarif_result(file: &CheckedFile, diagnostic: &Diagnostic, rules: &[Code]) -> SarifResult {
    let location = match file.place(diagnostic) {
        Place::At(at) => sarif_location(&at, None),
        Place::File(path) => SarifLocation {
            physical_location: SarifPhysical {
                artifact_location: SarifArtifact { uri: uri_of(&path) },
                region: None,
            },
            message: None,
        },
    };
    SarifResult {
        rule_id: diagnostic.code.as_str(),
        rule_index: rules
            .iter()
            .position(|code| *code == diagnostic.code)
            .unwrap_or(0),
        level: severity_word(diagnostic.severity),
        message: SarifText {
            text: message_with_help(diagnostic),
        },
        locations: vec![location],
        related_locations: diagnostic
            .secondary
            .iter()
            .map(|label| sarif_location(&file.locate(diagnostic, label), Some(&label.message)))
            .collect(),
        fixes: diagnostic
            .corrections()
            .iter()
            .map(|correction| sarif_fix(file, diagnostic, correction))
            .collect(),
    }
}

fn sarif_fix(
    file: &CheckedFile,
    diagnostic: &Diagnostic,
    correction: &crate::diagnostic::Correction,
) -> SarifFix {
    let at = file.sources.locate(correction.span, diagnostic.file());
    SarifFix {
        description: SarifText {
            text: correction.title.clone(),
        },
        artifact_changes: [SarifChange {
            artifact_location: SarifArtifact {
                uri: uri_of(&at.path),
            },
            replacements: [SarifReplacement {
                deleted_region: SarifRegion {
                    start_line: at.line,
                    start_column: at.column,
                    end_line: at.end_line,
                    end_column: at.end_column,
                },
                inserted_content: SarifText {
                    text: correction.replacement.clone(),
                },
            }],
        }],
    }
}

fn sarif_location(at: &Location, message: Option<&str>) -> SarifLocation {
    SarifLocation {
        physical_location: SarifPhysical {
            artifact_location: SarifArtifact {
                uri: uri_of(&at.path),
            },
            region: Some(SarifRegion {
                start_line: at.line,
                start_column: at.column,
                end_line: at.end_line,
                end_column: at.end_column,
            }),
        },
        message: message
            .filter(|text| !text.is_empty())
            .map(|text| SarifText {
                text: text.to_owned(),
            }),
    }
}

/// A path as a URI reference: forward slashes, and every byte but letters, digits,
/// `-._~` and `/` percent-encoded (so `a:b.bud` is not read as a scheme). A relative
/// path stays relative, as code scanning matches it against the repository; an
/// absolute one becomes a `file://` URI.
fn uri_of(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    let drive = path.as_bytes().get(1) == Some(&b':') && path.as_bytes().get(2) == Some(&b'/');
    if path.starts_with('/') {
        format!("file://{uri}")
    } else if drive {
        // `C:/…` keeps its colon, as `file:///C:/…`.
        format!("file:///{}", uri.replacen("%3A", ":", 1))
    } else {
        uri
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_are_escaped_as_the_runner_expects() {
        assert_eq!(
            escape_data("50% of a\r\nb: c, d"),
            "50%25 of a%0D%0Ab: c, d"
        );
        assert_eq!(
            escape_property("bud::reconcile::mismatch, 50%"),
            "bud%3A%3Areconcile%3A%3Amismatch%2C 50%25"
        );
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_of("decisions/bs-vi-7.bud"), "decisions/bs-vi-7.bud");
        assert_eq!(uri_of("decisions\\a b.bud"), "decisions/a%20b.bud");
        assert_eq!(uri_of("a:b.bud"), "a%3Ab.bud");
        assert_eq!(uri_of("/tmp/x.bud"), "file:///tmp/x.bud");
        assert_eq!(uri_of("C:\\d\\x.bud"), "file:///C:/d/x.bud");
        assert_eq!(uri_of("décision.bud"), "d%C3%A9cision.bud");
    }

    #[test]
    fn an_unreadable_file_has_a_file_but_no_line() {
        let file = CheckedFile::unreadable(
            "gone.bud",
            Diagnostic::error(Code::IoRead, "cannot read `gone.bud`").with_help("check it"),
        );
        assert_eq!(file.status(), Status::Unreadable);
        assert_eq!(
            github(std::slice::from_ref(&file)),
            "::error file=gone.bud,title=bud%3A%3Aio%3A%3Aread::cannot read `gone.bud`%0Acheck it\n"
        );
    }

    #[test]
    fn no_files_is_clean() {
        assert_eq!(overall(&[]), Status::Clean);
    }
}
