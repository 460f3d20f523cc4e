//! Reading decision files, with a diagnostic for each way that can fail.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use bud::Checked;
use bud::diagnostic::{Code, Diagnostic};
use bud::render::machine::CheckedFile;
use bud::render::report::{Location, Source, Sources, render, render_in};
use bud::syntax::limits::MAX_FILE_BYTES;
use bud::world::World;

use super::project::{self, Project, Refusal};

/// A decision checked together with the data files it names (the base decision, one
/// scenario, or the base and every scenario), and every text its diagnostics can point
/// into.
pub struct Loaded {
    pub variants: Vec<Checked>,
    sources: Sources,
}

impl Loaded {
    /// The checked decision as `bud check` prints it: diagnostics, tallies and the
    /// texts they point into. The models are dropped: nothing printed reads them, and a
    /// tree of a thousand decisions held them all until the last was printed.
    pub fn into_checked_file(mut self) -> CheckedFile {
        for variant in &mut self.variants {
            variant.model = None;
        }
        CheckedFile::new(self.sources, self.variants)
    }

    /// Where a span is, in the file it is in: the data file `file` names, or the
    /// decision or a file it imports.
    pub fn locate(&self, span: bud::diagnostic::Span, file: Option<&str>) -> Location {
        self.sources.locate(span, file)
    }

    /// A diagnostic as a person sees it, every span shown in the file it is in.
    pub fn render(&self, diagnostic: &Diagnostic, color: bool) -> String {
        render_in(diagnostic, &self.sources, color)
    }
}

/// Checks the decision at `path` as `request` asks, reading the files it names from
/// its folder.
pub fn check(path: &Path, decision: Source, request: bud::Request<'_>) -> Loaded {
    check_within(path, decision, request, Project::of(path))
}

/// Checks the decision at `path` as `request` asks, reading only files inside `project`.
pub fn check_within(
    path: &Path,
    decision: Source,
    request: bud::Request<'_>,
    project: Project,
) -> Loaded {
    let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let main = bud::world::name_in_folder(path);
    let world = Disk::within(path, project).with_text(&main, decision.text.clone());
    check_in(&world, &main, &directory, decision, request)
}

/// Checks the decision `main` of `world` as `request` asks; the files it names are
/// shown to a person under `directory` (a folder, or `REV:folder` for a git revision).
pub fn check_in(
    world: &dyn World,
    main: &str,
    directory: &Path,
    decision: Source,
    request: bud::Request<'_>,
) -> Loaded {
    let variants = bud::check(world, main, request).variants;
    let mut sources = Sources::new(decision);
    if let Some(first) = variants.first() {
        for file in &first.imported {
            let shown = shown_path(directory, &file.name);
            sources.import(file.base, Source::new(shown, file.text.clone()));
        }
    }
    let files = variants.iter().flat_map(|checked| &checked.data);
    for file in files {
        if !sources.has_data(&file.name) {
            let shown = shown_path(directory, &file.name);
            sources.data(file.name.clone(), Source::new(shown, file.text.clone()));
        }
    }
    Loaded { variants, sources }
}

/// The files a decision names, read from disk once each however many variants ask
/// for them, and only inside its project; texts already in hand (the decision as read)
/// are put in front of the disk.
pub struct Disk {
    directory: PathBuf,
    project: Project,
    in_hand: HashMap<String, Arc<str>>,
    read: Mutex<HashMap<String, Result<Arc<str>, String>>>,
}

impl Disk {
    /// The files the decision at `path` names, relative to its folder.
    pub fn for_decision(path: &Path) -> Self {
        Disk::within(path, Project::of(path))
    }

    /// The files the decision at `path` names, read only inside `project`.
    pub fn within(path: &Path, project: Project) -> Self {
        Disk {
            directory: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            project,
            in_hand: HashMap::new(),
            read: Mutex::new(HashMap::new()),
        }
    }

    /// This world, with `text` as the file at `path` whatever the disk holds.
    pub fn with_text(mut self, path: &str, text: Arc<str>) -> Self {
        self.in_hand.insert(path.to_owned(), text);
        self
    }
}

impl World for Disk {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        if let Some(text) = self.in_hand.get(path) {
            return Ok(text.clone());
        }
        self.read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(path.to_owned())
            .or_insert_with(|| {
                let read = self.project.read(&self.directory.join(path));
                read.map(Arc::from).map_err(|refusal| refusal.reason())
            })
            .clone()
    }
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

/// The decision named on the command line: a regular file, whatever its project.
fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    project::read_regular(path).map_err(|refusal| match refusal {
        Refusal::NotRegular("a directory") => Diagnostic::error(
            Code::IoRead,
            format!("`{name}` is a directory, not a decision file"),
        )
        .with_help("name the .bud files in it, for example `decisions/*.bud`"),
        Refusal::TooLarge(size) => {
            bud::syntax::limits::too_large(size.map_or(MAX_FILE_BYTES + 1, |size| {
                usize::try_from(size).unwrap_or(usize::MAX)
            }))
        }
        Refusal::NotUtf8 { valid_up_to } => Diagnostic::error(
            Code::IoRead,
            format!("`{name}` is not UTF-8 text (byte {valid_up_to} is not valid)"),
        )
        .with_help("save the file as UTF-8; bud reads plain text decision files only"),
        Refusal::NotRegular(_) => Diagnostic::error(
            Code::IoRead,
            format!("cannot read `{name}`: {}", refusal.reason()),
        )
        .with_help("bud reads decision files; save what you meant to check as a .bud file"),
        _ => Diagnostic::error(
            Code::IoRead,
            format!("cannot read `{name}`: {}", refusal.reason()),
        )
        .with_help("check the path; decision files are usually under decisions/"),
    })
}
