//! Imports: `import "ldc-2012.bud"` puts another file's groups, values and tables in
//! the place of the import, as if written there; `import "22-cp-21.bud" as cop` loads
//! another decision as itself, for formulas to read under its name (its own problems
//! stay its own: it is checked on its own). Every file of a decision gets its own
//! stretch of one offset space (the decision file from 0, each imported file after the
//! last), so a span says which file it is in, and a diagnostic can label spans in
//! several files. The files are read through the caller, as data files are: the
//! library does no I/O.

use compact_str::CompactString;
use std::sync::Arc;

use super::ast::{File, Ident, Import, Item};
use super::{limits, parser};
use crate::diagnostic::{Code, Diagnostic, Label, Span};
use crate::world::World;

/// An imported file as read, and where its spans start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Its name relative to the decision file (`lib/ldc-2012.bud`).
    pub name: String,
    /// The offset of its first byte; its spans are `base..base + text.len()`.
    pub base: usize,
    pub text: Arc<str>,
    /// Whether it is a decision imported under a name (`import "…" as cop`), checked as
    /// itself, rather than a file of shared items merged into the decision.
    pub decision: bool,
}

/// A decision file with everything it imports: one syntax tree, or the diagnostics
/// that stop it, the decisions it imports under a name, and the imported texts the
/// spans point into either way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: Result<File, Vec<Diagnostic>>,
    pub imported: Vec<Imported>,
    pub decisions: Vec<ImportedDecision>,
}

/// `import "22-cp-21.bud" as cop`: a decision another reads, loaded as itself.
#[derive(Debug, Clone)]
pub struct ImportedDecision {
    /// The name it is read under: `cop`.
    pub alias: Ident,
    /// Its file, relative to the decision file.
    pub name: String,
    /// The `import` line.
    pub at: Span,
    /// Its syntax tree (its own imported files merged in), or its own diagnostics,
    /// which are reported when it is checked itself, not by the decision reading it.
    pub file: Result<File, Vec<Diagnostic>>,
    /// The decisions it imports in turn.
    pub decisions: Vec<ImportedDecision>,
}

/// Parses `source` and every file it imports, read through `world` by name relative
/// to the decision file.
pub fn load(source: &str, world: &dyn World) -> Loaded {
    let mut loader = Loader {
        world,
        root: source,
        imported: Vec::new(),
        next_base: source.len() + 1,
    };
    let file = match super::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => {
            return Loaded {
                file: Err(diagnostics),
                imported: Vec::new(),
                decisions: Vec::new(),
            };
        }
    };
    let (file, decisions) = loader.tree(file, "", &mut Vec::new());
    Loaded {
        file,
        imported: loader.imported,
        decisions,
    }
}

struct Loader<'a> {
    world: &'a dyn World,
    root: &'a str,
    imported: Vec<Imported>,
    next_base: usize,
}

/// An import being followed: the file's name and the statement that imports it.
struct Link {
    name: String,
    at: Span,
}

/// What loading one file's imports finds: its diagnostics, the decisions it imports.
#[derive(Default)]
struct Found {
    diagnostics: Vec<Diagnostic>,
    decisions: Vec<ImportedDecision>,
    /// The files whose items are merged into this tree.
    merged: Vec<String>,
}

impl Loader<'_> {
    /// One file's tree with its imports followed: the items of the files it imports
    /// merged in, the decisions it imports loaded each as itself.
    fn tree(
        &mut self,
        file: File,
        folder: &str,
        chain: &mut Vec<Link>,
    ) -> (Result<File, Vec<Diagnostic>>, Vec<ImportedDecision>) {
        let mut found = Found::default();
        let items = self.expand(file.items, folder, chain, &mut found);
        let file = if found.diagnostics.is_empty() {
            Ok(File { items })
        } else {
            Err(found.diagnostics)
        };
        (file, found.decisions)
    }

    /// `items` of the file in folder `folder`, each import replaced by what it imports.
    fn expand(
        &mut self,
        items: Vec<Item>,
        folder: &str,
        chain: &mut Vec<Link>,
        found: &mut Found,
    ) -> Vec<Item> {
        let mut expanded = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Import(import) => {
                    let name = joined(folder, &import.path.value);
                    match &import.alias {
                        Some(alias) => {
                            let decision = self.decision(&import, alias, name, chain, found);
                            found.decisions.extend(decision);
                        }
                        None => expanded.extend(self.import(&import, name, chain, found)),
                    }
                }
                Item::Scale(mut scale) => {
                    // A data file, like an import, is named relative to its file.
                    for data in &mut scale.data {
                        data.value = CompactString::from(joined(folder, &data.value));
                    }
                    expanded.push(Item::Scale(scale));
                }
                item => expanded.push(item),
            }
        }
        expanded
    }

    /// The text of an imported file and where its spans start: read and placed once,
    /// however many files import it; `None` (with a diagnostic) when it cannot be.
    fn read(
        &mut self,
        import: &Import,
        name: &str,
        chain: &[Link],
        decision: bool,
        found: &mut Found,
    ) -> Option<(Arc<str>, usize, bool)> {
        if let Some(known) = self.imported.iter().find(|file| file.name == name) {
            return Some((known.text.clone(), known.base, true));
        }
        let text = match self.world.read(name) {
            Ok(text) if *text == *self.root => {
                found
                    .diagnostics
                    .push(imports_the_decision(chain, import, name));
                return None;
            }
            Ok(text) => text,
            Err(reason) => {
                found.diagnostics.push(unreadable(import, name, &reason));
                return None;
            }
        };
        let base = self.next_base;
        if let Err(too_far) = limits::check_offsets(base, text.len(), import.span) {
            found.diagnostics.push(too_far);
            return None;
        }
        self.next_base += text.len() + 1;
        self.imported.push(Imported {
            name: name.to_owned(),
            base,
            text: text.clone(),
            decision,
        });
        Some((text, base, false))
    }

    /// An imported file's syntax tree as parsed at `base`, or its diagnostics.
    fn parsed(text: &str, base: usize) -> Result<File, Vec<Diagnostic>> {
        match limits::check_size(text).and_then(|()| limits::check(text)) {
            Ok(()) => parser::parse_at(text, base),
            Err(mut diagnostic) => {
                diagnostic.shift(base);
                Err(vec![diagnostic])
            }
        }
    }

    fn import(
        &mut self,
        import: &Import,
        name: String,
        chain: &mut Vec<Link>,
        found: &mut Found,
    ) -> Vec<Item> {
        if let Some(first) = chain.iter().position(|link| link.name == name) {
            found
                .diagnostics
                .push(cycle(chain.get(first..).unwrap_or_default(), import, &name));
            return Vec::new();
        }
        // Items are merged once into each tree: a library a decision imports, and a
        // decision it imports under a name imports too, is in both.
        if found.merged.contains(&name) {
            return Vec::new();
        }
        let Some((text, base, _)) = self.read(import, &name, chain, false, found) else {
            return Vec::new();
        };
        found.merged.push(name.clone());
        let file = match Self::parsed(&text, base) {
            Ok(file) => file,
            Err(diagnostics) => {
                found.diagnostics.extend(diagnostics);
                return Vec::new();
            }
        };
        refuse_a_decision_block(&file, import, &name, found);
        chain.push(Link {
            name: name.clone(),
            at: import.span,
        });
        let items = self.expand(file.items, folder_of(&name), chain, found);
        chain.pop();
        items
    }

    /// `import "22-cp-21.bud" as cop`: the decision loaded as itself. Its own problems
    /// stay with it; the import gets one diagnostic when they stop it being read.
    fn decision(
        &mut self,
        import: &Import,
        alias: &Ident,
        name: String,
        chain: &mut Vec<Link>,
        found: &mut Found,
    ) -> Option<ImportedDecision> {
        if let Some(first) = chain.iter().position(|link| link.name == name) {
            found
                .diagnostics
                .push(cycle(chain.get(first..).unwrap_or_default(), import, &name));
            return None;
        }
        let (text, base, _) = self.read(import, &name, chain, true, found)?;
        let file = match Self::parsed(&text, base) {
            Ok(file) => file,
            Err(diagnostics) => {
                found
                    .diagnostics
                    .push(not_readable_decision(import, &name, &diagnostics));
                return Some(ImportedDecision {
                    alias: alias.clone(),
                    name,
                    at: import.span,
                    file: Err(diagnostics),
                    decisions: Vec::new(),
                });
            }
        };
        if !file
            .items
            .iter()
            .any(|item| matches!(item, Item::Decision(_)))
        {
            found.diagnostics.push(not_a_decision(import, &name));
            return None;
        }
        chain.push(Link {
            name: name.clone(),
            at: import.span,
        });
        let (file, decisions) = self.tree(file, folder_of(&name), chain);
        chain.pop();
        // A cycle through the imported decision is the importer's to report too: it is
        // what stops the decisions being read.
        if let Err(diagnostics) = &file {
            let cycles: Vec<Diagnostic> = diagnostics
                .iter()
                .filter(|d| d.code == Code::ImportCycle)
                .cloned()
                .collect();
            if cycles.is_empty() {
                found
                    .diagnostics
                    .push(not_readable_decision(import, &name, diagnostics));
            }
            found.diagnostics.extend(cycles);
        }
        Some(ImportedDecision {
            alias: alias.clone(),
            name,
            at: import.span,
            file,
            decisions,
        })
    }
}

fn refuse_a_decision_block(file: &File, import: &Import, name: &str, found: &mut Found) {
    for item in &file.items {
        if let Item::Decision(decision) = item {
            found.diagnostics.push(
                Diagnostic::error(
                    Code::DecisionField,
                    format!("`{name}` is imported, but it has a decision block of its own"),
                )
                .at(decision.symbol.span, "a second decision block")
                .with_label(import.span, "imported here")
                .with_help(
                    "an imported file holds shared groups, values and tables; keep the \
                     decision block in the decision file only, or import a decision under \
                     a name to read its figures: `import \"…\" as cop`",
                ),
            );
        }
    }
}

/// A file imported as a decision that has no decision block.
fn not_a_decision(import: &Import, name: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ImportDecision,
        format!("`{name}` is imported as a decision, but it has no decision block"),
    )
    .at(import.path.span, "not a decision")
    .with_help(
        "import a decision file under a name (`import \"22-cp-21.bud\" as cop`), or a file of \
         shared groups, values and tables without one (`import \"lib/rates.bud\"`)",
    )
}

/// A decision imported under a name whose own errors stop it being read.
fn not_readable_decision(import: &Import, name: &str, diagnostics: &[Diagnostic]) -> Diagnostic {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    Diagnostic::error(
        Code::ImportDecision,
        format!(
            "`{name}` cannot be read: it has {errors} error{} of its own",
            if errors == 1 { "" } else { "s" }
        ),
    )
    .at(import.path.span, "imported here")
    .with_help(format!(
        "check it on its own (`bud check {name}`) and correct it; nothing of it can be read until it parses"
    ))
}

/// `name` as the decision file's folder sees it, when `folder` (`lib/`, or empty)
/// imports it: `..` and `.` resolved, `/` between folders.
fn joined(folder: &str, name: &str) -> String {
    if name.starts_with('/') {
        return name.to_owned();
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// The folder of a file named relative to the decision file: `lib/` for `lib/a.bud`.
fn folder_of(name: &str) -> &str {
    name.rfind('/')
        .map_or("", |i| name.get(..=i).unwrap_or_default())
}

fn cycle(links: &[Link], closing: &Import, name: &str) -> Diagnostic {
    let path: Vec<&str> = links
        .iter()
        .map(|link| link.name.as_str())
        .chain(std::iter::once(name))
        .collect();
    let mut diagnostic = Diagnostic::error(
        Code::ImportCycle,
        format!("`{name}` imports itself: {}", path.join(" → ")),
    )
    .at(closing.span, format!("`{name}` is imported again here"));
    for link in links {
        diagnostic.secondary.push(Label::new(
            link.at,
            format!("`{}` is imported here", link.name),
        ));
    }
    diagnostic.with_help(
        "an imported file cannot import, directly or through others, a file that imports it; \
         move what both need into a third file that both import",
    )
}

fn imports_the_decision(chain: &[Link], import: &Import, name: &str) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        Code::ImportCycle,
        format!("`{name}` is the decision file itself, imported from a file it imports"),
    )
    .at(import.span, "the decision file is imported here");
    for link in chain {
        diagnostic.secondary.push(Label::new(
            link.at,
            format!("`{}` is imported here", link.name),
        ));
    }
    diagnostic.with_help("a decision file can import others, but no file can import it")
}

fn unreadable(import: &Import, name: &str, reason: &str) -> Diagnostic {
    Diagnostic::error(Code::IoRead, format!("cannot import `{name}`: {reason}"))
        .at(import.path.span, "this file cannot be read")
        .with_help("an imported file is named relative to the file that imports it")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(named: &[(&str, &str)]) -> crate::world::Memory {
        named
            .iter()
            .fold(crate::world::Memory::new(), |world, (name, text)| {
                world.with(*name, *text)
            })
    }

    fn codes(loaded: &Loaded) -> Vec<Code> {
        match &loaded.file {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics.iter().map(|d| d.code).collect(),
        }
    }

    #[test]
    fn imported_items_take_the_place_of_the_import_with_spans_after_the_decision() {
        let root = "a = 1\nimport \"lib/b.bud\"\nc = 3\n";
        let read = files(&[("lib/b.bud", "b = 2\n")]);
        let loaded = load(root, &read);
        let file = loaded.file.unwrap();
        let names: Vec<Span> = file.items.iter().map(Item::span).collect();
        assert_eq!(names.len(), 3);
        assert_eq!(loaded.imported[0].base, root.len() + 1);
        assert_eq!(names[1], Span::new(root.len() + 1, root.len() + 6));
        assert!(names[2].start() < root.len());
    }

    #[test]
    fn names_are_relative_to_the_importing_file() {
        assert_eq!(joined("", "b.bud"), "b.bud");
        assert_eq!(joined("lib/", "c.bud"), "lib/c.bud");
        assert_eq!(joined("lib/", "../c.bud"), "c.bud");
        assert_eq!(joined("", "../shared/c.bud"), "../shared/c.bud");
        assert_eq!(joined("lib/", "./x/./c.bud"), "lib/x/c.bud");
        let root = "import \"lib/b.bud\"\n";
        let read = files(&[
            ("lib/b.bud", "import \"c.bud\"\n"),
            ("lib/c.bud", "c = 1\n"),
        ]);
        assert!(load(root, &read).file.is_ok());
    }

    #[test]
    fn a_cycle_is_shown_file_by_file() {
        let root = "x = 1\nimport \"a.bud\"\n";
        let read = files(&[
            ("a.bud", "import \"b.bud\"\n"),
            ("b.bud", "import \"a.bud\"\n"),
        ]);
        let loaded = load(root, &read);
        assert_eq!(codes(&loaded), vec![Code::ImportCycle]);
        let diagnostic = &loaded.file.unwrap_err()[0];
        assert_eq!(
            diagnostic.message,
            "`a.bud` imports itself: a.bud → b.bud → a.bud"
        );
        assert_eq!(diagnostic.secondary.len(), 2);
    }

    #[test]
    fn importing_the_decision_file_is_a_cycle() {
        let root = "decision \"X\" {\n}\nimport \"a.bud\"\n";
        let read = files(&[("a.bud", "import \"x.bud\"\n"), ("x.bud", root)]);
        assert_eq!(codes(&load(root, &read)), vec![Code::ImportCycle]);
    }

    #[test]
    fn a_file_imported_twice_is_read_once() {
        let root = "import \"a.bud\"\nimport \"b.bud\"\n";
        let read = files(&[
            ("a.bud", "import \"c.bud\"\n"),
            ("b.bud", "import \"c.bud\"\n"),
            ("c.bud", "c = 1\n"),
        ]);
        let loaded = load(root, &read);
        assert_eq!(loaded.file.unwrap().items.len(), 1);
        assert_eq!(loaded.imported.len(), 3);
    }

    #[test]
    fn a_missing_file_and_a_broken_one_are_reported_in_their_own_files() {
        let root = "import \"missing.bud\"\nimport \"broken.bud\"\n";
        let read = files(&[("broken.bud", "x = = 1\n")]);
        let loaded = load(root, &read);
        let diagnostics = loaded.file.unwrap_err();
        assert_eq!(diagnostics[0].code, Code::IoRead);
        assert_eq!(diagnostics[1].code, Code::SyntaxUnexpected);
        let broken = &loaded.imported[0];
        let span = diagnostics[1].primary.as_ref().unwrap().span;
        assert!(span.start() >= broken.base && span.end() <= broken.base + broken.text.len());
    }

    #[test]
    fn an_imported_decision_block_is_refused() {
        let root = "import \"a.bud\"\n";
        let read = files(&[("a.bud", "decision \"Y\" {\n}\n")]);
        assert_eq!(codes(&load(root, &read)), vec![Code::DecisionField]);
    }
}
