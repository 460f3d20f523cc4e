//! What a scenario's changes reach. A scenario usually varies a few values or tables of
//! a decision; every item that neither is one of them nor reads one, directly or
//! through others, computes exactly as in the base decision. `bud check` therefore
//! evaluates a scenario as the items it reaches plus the items those read, and takes
//! the rest of its figures from the base decision's counts (`crate::verify`).
//!
//! Items are linked by the names their formulas write, compared as words: a name that
//! might mean an item links to it. Linking too much costs time, never a wrong answer.
//! A change of the period or of the decision block reaches everything. The same links
//! split a large decision into parts that read nothing of each other (`parts`).

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::syntax::ast::{
    Definition, Entry, Expr, ExprKind, File, Item, Paragraph, Reference, ScaleRule, ScaleTable,
    Table, TableSetting,
};

/// The items of a decision and of a variant of it to evaluate: those a scenario's
/// changes reach and those they read, named alike in both (`Key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    kept: HashSet<Key>,
}

impl Reach {
    /// The file with only the kept items, in their order; the decision block and
    /// imports are always kept.
    pub fn prune(&self, file: &File) -> File {
        let is_kept = |key: Key| key.is_global() || self.kept.contains(&key);
        File {
            items: file
                .items
                .iter()
                .filter(|item| Key::of(item).is_some_and(is_kept))
                .cloned()
                .collect(),
        }
    }
}

/// The items of `variant` (a scenario applied to `base`, see `scenario::apply`) that
/// its changes reach, with everything they read in either file. Evaluated on the
/// kept items alone, `base` and `variant` give the figures the scenario changes; every
/// other item computes the same in both. `None` when a change reaches every item (the
/// period, the decision block): the whole variant must then be evaluated.
pub fn of_scenario(base: &File, variant: &File) -> Option<Reach> {
    let before = Side::of(base);
    let after = Side::of(variant);
    let mut changed: Vec<&str> = Vec::new();
    let mut reached: Vec<usize> = Vec::new();
    for (index, (key, item)) in after.keyed.iter().enumerate() {
        let unchanged = before
            .with_key(key)
            .any(|earlier| same(before.keyed[earlier].1, item));
        if unchanged {
            continue;
        }
        if key.is_global() {
            return None;
        }
        // A name the base's version defined and this one no longer does is a change too.
        for earlier in before.with_key(key) {
            changed.extend(&before.pieces[earlier].names);
        }
        reached.push(index);
    }
    // A removed item is kept too: the base decision's figures for it are not the
    // scenario's.
    let mut removed: Vec<Key> = Vec::new();
    for (index, (key, _)) in before.keyed.iter().enumerate() {
        if after.with_key(key).next().is_some() {
            continue;
        }
        if key.is_global() {
            return None;
        }
        changed.extend(&before.pieces[index].names);
        removed.push(key.clone());
    }
    let reached = after.readers_of(reached, &changed);
    let mut kept: HashSet<Key> = reached
        .iter()
        .map(|index| after.keyed[*index].0.clone())
        .chain(removed)
        .collect();
    close_upstream(&mut kept, [&before, &after]);
    Some(Reach { kept })
}

/// Adds to `kept` every item a kept item reads, in either file, until nothing is added.
fn close_upstream(kept: &mut HashSet<Key>, sides: [&Side; 2]) {
    let mut queue: Vec<Key> = kept.iter().cloned().collect();
    while let Some(key) = queue.pop() {
        let read = sides.iter().flat_map(|side| side.reads_of(&key));
        let definers = read.flat_map(|name| sides.iter().flat_map(move |s| s.keys_defining(name)));
        for definer in definers {
            if kept.insert(definer.clone()) {
                queue.push(definer.clone());
            }
        }
    }
}

/// Which item of a file an item is: the same key names the base's item and the
/// scenario's version of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// The decision block and imports, whose change reaches everything.
    Global(String),
    Named(&'static str, String),
}

impl Key {
    fn of(item: &Item) -> Option<Key> {
        let named = |kind, name: &str| Some(Key::Named(kind, name.to_owned()));
        match item {
            Item::Decision(_) => Some(Key::Global("decision".to_owned())),
            Item::Import(import) => Some(Key::Global(import.path.value.to_string())),
            Item::Scenario(_) => None,
            // What the decision says is wrong in it bears on every figure it names.
            Item::Erratum(erratum) => {
                Some(Key::Global(format!("erratum {}", erratum.span.start())))
            }
            Item::Paragraph(paragraph) => named("paragraph", &paragraph.number.name),
            Item::Definition(definition) => named("value", &definition.name.name),
            Item::Table(table) => named("table", &table.name.name),
            Item::Scale(scale) => named("scale", &scale.name.name),
            Item::Rule(rule) => named("rule", &rule.name.name),
            Item::Arrears(rule) => named("arrears", &rule.name.name),
            Item::Group(group) => named("group", &group.name.name),
        }
    }

    fn is_global(&self) -> bool {
        matches!(self, Key::Global(_))
    }
}

/// One file's items with their keys and links.
struct Side<'a> {
    keyed: Vec<(Key, &'a Item)>,
    pieces: Vec<Piece<'a>>,
    definers: HashMap<&'a str, Vec<usize>>,
    readers: HashMap<&'a str, Vec<usize>>,
    by_key: HashMap<Key, Vec<usize>>,
}

impl<'a> Side<'a> {
    fn of(file: &'a File) -> Side<'a> {
        let keyed: Vec<(Key, &Item)> = file
            .items
            .iter()
            .filter_map(|item| Key::of(item).map(|key| (key, item)))
            .collect();
        let pieces: Vec<Piece> = keyed.iter().map(|(_, item)| Piece::of(item)).collect();
        let mut side = Side {
            keyed,
            pieces,
            definers: HashMap::default(),
            readers: HashMap::default(),
            by_key: HashMap::default(),
        };
        for (index, piece) in side.pieces.iter().enumerate() {
            for name in &piece.names {
                side.definers.entry(name).or_default().push(index);
            }
            for name in &piece.reads {
                side.readers.entry(name).or_default().push(index);
            }
            side.by_key
                .entry(side.keyed[index].0.clone())
                .or_default()
                .push(index);
        }
        side
    }

    fn with_key(&self, key: &Key) -> impl Iterator<Item = usize> + '_ {
        self.by_key.get(key).into_iter().flatten().copied()
    }

    /// The names the items with this key read.
    fn reads_of<'s>(&'s self, key: &Key) -> impl Iterator<Item = &'a str> + 's {
        self.with_key(key)
            .flat_map(|index| self.pieces[index].reads.iter().copied())
    }

    /// The keys of the items that define `name`.
    fn keys_defining(&self, name: &str) -> impl Iterator<Item = &Key> + '_ {
        let definers = self.definers.get(name).into_iter().flatten();
        definers.map(|index| &self.keyed[*index].0)
    }

    /// `items`, the items that read one of `names`, and every item that reads one of
    /// those, directly or through others.
    fn readers_of(&self, items: Vec<usize>, names: &[&str]) -> Vec<usize> {
        let mut queue: VecDeque<usize> = items.into();
        for name in names {
            queue.extend(self.readers.get(name).into_iter().flatten());
        }
        let mut reached = vec![false; self.pieces.len()];
        while let Some(index) = queue.pop_front() {
            if std::mem::replace(&mut reached[index], true) {
                continue;
            }
            for name in &self.pieces[index].names {
                queue.extend(self.readers.get(name).into_iter().flatten());
            }
        }
        (0..reached.len()).filter(|index| reached[*index]).collect()
    }
}

/// Whether two items are the same; a table shared with the base is not compared.
fn same(before: &Item, after: &Item) -> bool {
    match (before, after) {
        (Item::Table(before), Item::Table(after)) => Arc::ptr_eq(before, after) || before == after,
        _ => before == after,
    }
}

/// What links an item to others: the names it defines and the names it reads.
struct Piece<'a> {
    /// A table's, scale's or group's name; each value's name; none for the decision.
    names: Vec<&'a str>,
    reads: HashSet<&'a str>,
}

impl<'a> Piece<'a> {
    fn of(item: &'a Item) -> Piece<'a> {
        let mut piece = Piece {
            names: Vec::new(),
            reads: HashSet::default(),
        };
        match item {
            Item::Decision(_) | Item::Import(_) | Item::Scenario(_) | Item::Erratum(_) => {}
            Item::Paragraph(paragraph) => piece.paragraph(paragraph),
            Item::Definition(definition) => piece.definition(definition),
            Item::Table(table) => piece.table(table),
            Item::Scale(scale) => piece.scale(scale),
            Item::Rule(rule) => {
                piece.names.push(&rule.name.name);
                piece.limits(&rule.limits);
            }
            Item::Arrears(rule) => {
                piece.names.push(&rule.name.name);
                for group in &rule.exempt {
                    piece.reads.insert(&group.name);
                }
            }
            Item::Group(group) => piece.names.push(&group.name.name),
        }
        piece
    }

    fn paragraph(&mut self, paragraph: &'a Paragraph) {
        paragraph
            .definitions
            .iter()
            .for_each(|d| self.definition(d));
    }

    /// A line that only states a figure needs the value it states, defined elsewhere.
    fn definition(&mut self, definition: &'a Definition) {
        match &definition.value {
            Some(value) => {
                self.names.push(&definition.name.name);
                self.expr(value);
            }
            None => {
                self.reads.insert(&definition.name.name);
            }
        }
    }

    fn table(&mut self, table: &'a Table) {
        self.names.push(&table.name.name);
        self.entries(&table.entries);
        self.notes(&table.settings);
    }

    /// The values a table's or scale's notes state are defined by it.
    fn notes(&mut self, settings: &'a [TableSetting]) {
        for setting in settings {
            if let TableSetting::Note(note) = setting {
                note.definitions.iter().for_each(|d| self.definition(d));
            }
        }
    }

    fn entries(&mut self, entries: &'a [Entry]) {
        for entry in entries {
            match entry {
                Entry::Section(section) => self.entries(&section.entries),
                Entry::Row(row) => {
                    if let Some(formula) = &row.formula {
                        self.expr(formula);
                    }
                }
            }
        }
    }

    fn scale(&mut self, scale: &'a ScaleTable) {
        self.names.push(&scale.name.name);
        self.notes(&scale.settings);
        self.limits(&scale.rules);
    }

    /// What a scale's rule reads: its amount, the groups it caps, a shared rule.
    fn limits(&mut self, rules: &'a [ScaleRule]) {
        for rule in rules {
            match rule {
                ScaleRule::Amount(amount, ..) => self.expr(amount),
                ScaleRule::Base(..) => {}
                ScaleRule::Cap { group, .. } => {
                    self.reads.insert(&group.name);
                }
                ScaleRule::Use { rule, .. } => {
                    self.reads.insert(&rule.name);
                }
                ScaleRule::Rates(..)
                | ScaleRule::Fixed { .. }
                | ScaleRule::Ceiling(..)
                | ScaleRule::Floor(..) => {}
            }
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        match &expr.kind {
            ExprKind::Reference(reference) => self.reference(reference),
            ExprKind::Negate(inner) | ExprKind::Convert { inner, .. } => self.expr(inner),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|arg| self.expr(arg)),
            ExprKind::Except { rule, columns } => {
                self.expr(rule);
                for column in columns {
                    if let Some(other) = &column.rule {
                        self.expr(other);
                    }
                }
            }
            ExprKind::Literal(_) | ExprKind::Year => {}
        }
    }

    fn reference(&mut self, reference: &'a Reference) {
        if let Some(qualifier) = &reference.qualifier {
            self.reads.insert(&qualifier.name);
        }
        self.reads.insert(&reference.name.name);
    }
}

mod parts;
pub use parts::parts;

/// An item as the tests list the items kept: its name, and `(stated)` after a value
/// whose stated figure is reconciled.
#[cfg(test)]
fn item_name(item: &Item) -> String {
    match item {
        Item::Decision(_) => "decision".to_owned(),
        Item::Definition(d) if d.stated.is_some() => format!("{} (stated)", d.name.name),
        Item::Definition(d) => d.name.name.to_string(),
        Item::Paragraph(p) => format!("paragraph {}", p.number.name),
        Item::Table(t) => t.name.name.to_string(),
        Item::Scale(s) => s.name.name.to_string(),
        Item::Group(g) => g.name.name.to_string(),
        Item::Rule(r) => format!("rule {}", r.name.name),
        Item::Arrears(a) => format!("arrears {}", a.name.name),
        Item::Import(_) | Item::Scenario(_) | Item::Erratum(_) => "other".to_owned(),
    }
}

#[cfg(test)]
mod tests;
