//! Imports: `import "ldc-2012.bud"` puts another file's groups, values and tables in
//! the place of the import, as if written there. Every file of a decision gets its own
//! stretch of one offset space (the decision file from 0, each imported file after the
//! last), so a span says which file it is in, and a diagnostic can label spans in
//! several files. The files are read through the caller, as data files are: the
//! library does no I/O.

use compact_str::CompactString;
use std::sync::Arc;

use super::ast::{File, Import, Item};
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
}

/// A decision file with everything it imports: one syntax tree, or the diagnostics
/// that stop it, and the imported texts the spans point into either way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: Result<File, Vec<Diagnostic>>,
    pub imported: Vec<Imported>,
}

/// Parses `source` and every file it imports, read through `world` by name relative
/// to the decision file.
pub fn load(source: &str, world: &dyn World) -> Loaded {
    let mut loader = Loader {
        world,
        root: source,
        imported: Vec::new(),
        next_base: source.len() + 1,
        diagnostics: Vec::new(),
    };
    let file = match super::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => {
            return Loaded {
                file: Err(diagnostics),
                imported: Vec::new(),
            };
        }
    };
    let items = loader.expand(file.items, "", &mut Vec::new());
    let file = if loader.diagnostics.is_empty() {
        Ok(File { items })
    } else {
        Err(loader.diagnostics)
    };
    Loaded {
        file,
        imported: loader.imported,
    }
}

struct Loader<'a> {
    world: &'a dyn World,
    root: &'a str,
    imported: Vec<Imported>,
    next_base: usize,
    diagnostics: Vec<Diagnostic>,
}

/// An import being followed: the file's name and the statement that imports it.
struct Link {
    name: String,
    at: Span,
}

impl Loader<'_> {
    /// `items` of the file in folder `folder`, each import replaced by what it imports.
    fn expand(&mut self, items: Vec<Item>, folder: &str, chain: &mut Vec<Link>) -> Vec<Item> {
        let mut expanded = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Import(import) => {
                    let name = joined(folder, &import.path.value);
                    expanded.extend(self.import(&import, name, chain));
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

    fn import(&mut self, import: &Import, name: String, chain: &mut Vec<Link>) -> Vec<Item> {
        if let Some(first) = chain.iter().position(|link| link.name == name) {
            self.diagnostics
                .push(cycle(chain.get(first..).unwrap_or_default(), import, &name));
            return Vec::new();
        }
        if self.imported.iter().any(|file| file.name == name) {
            return Vec::new(); // imported already, by another file: its items are in.
        }
        let text = match self.world.read(&name) {
            Ok(text) if *text == *self.root => {
                self.diagnostics
                    .push(imports_the_decision(chain, import, &name));
                return Vec::new();
            }
            Ok(text) => text,
            Err(reason) => {
                self.diagnostics.push(unreadable(import, &name, &reason));
                return Vec::new();
            }
        };
        let base = self.next_base;
        if let Err(too_far) = limits::check_offsets(base, text.len(), import.span) {
            self.diagnostics.push(too_far);
            return Vec::new();
        }
        self.next_base += text.len() + 1;
        let parsed = match limits::check_size(&text).and_then(|()| limits::check(&text)) {
            Ok(()) => parser::parse_at(&text, base),
            Err(mut diagnostic) => {
                diagnostic.shift(base);
                Err(vec![diagnostic])
            }
        };
        self.imported.push(Imported {
            name: name.clone(),
            base,
            text,
        });
        let file = match parsed {
            Ok(file) => file,
            Err(diagnostics) => {
                self.diagnostics.extend(diagnostics);
                return Vec::new();
            }
        };
        self.refuse_a_decision_block(&file, import, &name);
        chain.push(Link {
            name: name.clone(),
            at: import.span,
        });
        let items = self.expand(file.items, folder_of(&name), chain);
        chain.pop();
        items
    }

    fn refuse_a_decision_block(&mut self, file: &File, import: &Import, name: &str) {
        for item in &file.items {
            if let Item::Decision(decision) = item {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::DecisionField,
                        format!("`{name}` is imported, but it has a decision block of its own"),
                    )
                    .at(decision.symbol.span, "a second decision block")
                    .with_label(import.span, "imported here")
                    .with_help(
                        "an imported file holds shared groups, values and tables; \
                         keep the decision block in the decision file only",
                    ),
                );
            }
        }
    }
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
