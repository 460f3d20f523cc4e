//! Where bud reads files. The library does no I/O: every file a check needs (the
//! decision, the files and decisions it imports, the data files its scales name) is
//! read through a `World`, as Typst's compiler reads through its own. The command line
//! backs it with the disk, the language server with the editor's open documents and
//! the disk, tests and benchmarks with memory; `crate::check` is the one way in for all
//! of them.
//!
//! Files are named by paths relative to the folder of the decision being checked,
//! with `/` between folders (`lib/ldc-2012.bud`, `../2016/22-cp-21.bud`): an import or
//! a data file is named relative to the file that names it, and `syntax::imports`
//! joins the two before asking the world.

use std::collections::HashMap;
use std::sync::Arc;

/// What bud reads files through. `Sync`, because the variants of a decision are
/// checked in parallel.
pub trait World: Sync {
    /// The text of the file at `path`, or why it cannot be read, in a few words
    /// ("there is no such file"); the library words the diagnostic, pointing at the
    /// line that names the file.
    fn read(&self, path: &str) -> Result<Arc<str>, String>;
}

/// Any function from a path to its text is a world: a test's closure, say.
impl<F, T> World for F
where
    F: Fn(&str) -> Result<T, String> + Sync,
    T: Into<Arc<str>>,
{
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        self(path).map(Into::into)
    }
}

/// Texts in front of another world: a decision in hand (as an editor holds it, or as
/// a test writes it), and the other documents an editor holds open, whose other files
/// come from elsewhere.
pub struct Overlay<'a> {
    texts: HashMap<String, Arc<str>>,
    under: &'a dyn World,
}

impl<'a> Overlay<'a> {
    pub fn new(path: impl Into<String>, text: impl AsRef<str>, under: &'a dyn World) -> Self {
        Overlay {
            texts: HashMap::new(),
            under,
        }
        .and(path, Arc::from(text.as_ref()))
    }

    /// This overlay with one more file in front: another document an editor holds open.
    pub fn and(mut self, path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        self.texts.insert(path.into(), text.into());
        self
    }
}

impl World for Overlay<'_> {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        match self.texts.get(path) {
            Some(text) => Ok(text.clone()),
            None => self.under.read(path),
        }
    }
}

/// The name a world gives the decision at `path`: its file name, as its folder holds it.
pub fn name_in_folder(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || "decision.bud".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Files held in memory, by path: a decision given as text, with whatever it reads.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    files: HashMap<String, Arc<str>>,
}

impl Memory {
    /// The path under which `Memory::decision` holds its text.
    pub const MAIN: &'static str = "decision.bud";

    pub fn new() -> Self {
        Memory::default()
    }

    /// A world of one file: the decision `text`, at `Memory::MAIN`.
    pub fn decision(text: impl AsRef<str>) -> Self {
        Memory::new().with(Memory::MAIN, text)
    }

    /// This world with one more file (or another text for a path it has).
    pub fn with(mut self, path: impl Into<String>, text: impl AsRef<str>) -> Self {
        self.files.insert(path.into(), Arc::from(text.as_ref()));
        self
    }
}

impl World for Memory {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "there is no such file".to_owned())
    }
}
