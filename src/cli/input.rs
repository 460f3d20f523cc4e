//! Reading decision files, with a diagnostic for each way that can fail.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use bud::Checked;
use bud::diagnostic::{Code, Diagnostic};
use bud::render::machine::CheckedFile;
use bud::render::report::{Source, Sources, render, render_in};

/// A decision checked together with the data files it names (the base decision, one
/// scenario, or the base and every scenario), and every text its diagnostics can point
/// into.
pub struct Loaded {
    pub variants: Vec<Checked>,
    sources: Sources,
}

impl Loaded {
    /// The checked decision as the machine-readable writers take it.
    pub fn into_checked_file(self) -> CheckedFile {
        CheckedFile::new(self.sources, self.variants)
    }

    /// A diagnostic as a person sees it, every span shown in the file it is in.
    pub fn render(&self, diagnostic: &Diagnostic, color: bool) -> String {
        render_in(diagnostic, &self.sources, color)
    }
}

/// Which variants of a decision to check.
pub enum Variants<'a> {
    /// These variants: `None` is the decision itself, `Some` a scenario of it.
    These(&'a [Option<&'a str>]),
    /// The decision and every scenario, for their diagnostics and counts only
    /// (`bud::verify_every_variant`).
    All,
}

/// Checks the decision at `path`, reading its data files from the same directory.
pub fn check(path: &Path, decision: Source, which: Variants<'_>) -> Loaded {
    let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // Each variant resolves its scales again; a data file is read from disk once.
    let read = Mutex::new(HashMap::<String, Result<String, String>>::new());
    let read_beside = |name: &str| {
        read.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_owned())
            .or_insert_with(|| read_data(&directory.join(name)))
            .clone()
    };
    let variants = match which {
        Variants::These(scenarios) => bud::check_variants(&decision.text, &read_beside, scenarios),
        Variants::All => bud::verify_every_variant(&decision.text, &read_beside),
    };
    let mut sources = Sources::new(decision);
    if let Some(first) = variants.first() {
        for file in &first.imported {
            let shown = shown_path(&directory, &file.name);
            sources.import(file.base, Source::new(shown, file.text.clone()));
        }
    }
    let files = variants.iter().flat_map(|checked| &checked.data);
    for file in files {
        if !sources.has_data(&file.name) {
            let shown = shown_path(&directory, &file.name);
            sources.data(file.name.clone(), Source::new(shown, file.text.clone()));
        }
    }
    Loaded { variants, sources }
}

/// `decisions/bs-vi-7-table-5.tsv`: the path as a person would type it from here.
fn shown_path(directory: &Path, name: &str) -> String {
    let path: PathBuf = directory.join(name);
    path.display().to_string()
}

/// A file that cannot be read, reported as a diagnostic without source lines.
pub fn unreadable(path: &Path, diagnostic: &Diagnostic, color: bool) -> String {
    render(
        diagnostic,
        &Source::new(path.display().to_string(), ""),
        color,
    )
}

pub fn read(path: &Path) -> Result<Source, Diagnostic> {
    let text = read_text(path)?;
    Ok(Source::new(path.display().to_string(), text))
}

/// A data file's text, or why it cannot be read in a few words; the library words the
/// diagnostic, pointing at where the decision names the file.
fn read_data(path: &Path) -> Result<String, String> {
    if path.is_dir() {
        return Err("it is a directory".to_owned());
    }
    if let Some(size) = too_large(path) {
        return Err(format!(
            "it is {size} bytes, more than the {} bud reads",
            bud::syntax::limits::MAX_FILE_SIZE_IN_WORDS
        ));
    }
    let bytes = std::fs::read(path).map_err(|error| io_reason(&error))?;
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "it is not UTF-8 text (byte {} is not valid); save it as UTF-8",
            error.utf8_error().valid_up_to()
        )
    })
}

/// The size of a file too large to read, found before reading it, so that a huge file
/// named by mistake costs nothing.
fn too_large(path: &Path) -> Option<usize> {
    let size = std::fs::metadata(path).ok()?.len();
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    (size > bud::syntax::limits::MAX_FILE_BYTES).then_some(size)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => "there is no such file".to_owned(),
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(Diagnostic::error(
            Code::IoRead,
            format!("`{name}` is a directory, not a decision file"),
        )
        .with_help("name the .bud files in it, for example `decisions/*.bud`"));
    }
    if let Some(size) = too_large(path) {
        return Err(bud::syntax::limits::too_large(size));
    }
    let bytes = std::fs::read(path).map_err(|error| {
        let reason = io_reason(&error);
        Diagnostic::error(Code::IoRead, format!("cannot read `{name}`: {reason}"))
            .with_help("check the path; decision files are usually under decisions/")
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        Diagnostic::error(
            Code::IoRead,
            format!(
                "`{name}` is not UTF-8 text (byte {} is not valid)",
                error.utf8_error().valid_up_to()
            ),
        )
        .with_help("save the file as UTF-8; bud reads plain text decision files only")
    })?;
    Ok(text)
}
