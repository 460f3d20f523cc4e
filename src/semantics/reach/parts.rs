//! A decision split into parts that read nothing of each other, so that `bud check`
//! can evaluate a large decision a part at a time, on every core, and never hold the
//! model of all of it at once (`Request::verify`).
//!
//! Tables and scales are the parts' substance. Two of them share a part when one
//! reads the other, directly or through values, or when they define the same name (a
//! duplicate must meet its first definition to be reported). A value that reads no
//! table, directly or not, is context: each part that reads it gets a copy to compute
//! with, but only the first part reconciles its stated figure, so every figure is
//! counted once. Linking is by name, as in `of_scenario`: linking too much makes the
//! parts larger, never the answer different.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::Side;
use crate::syntax::ast::{Definition, File, Item, Paragraph};

/// The file's items in parts of at least `rows` table rows and Party lines each (the
/// last may be smaller), in the file's order. Each part holds the decision block, the
/// tables and values it reconciles, and the context values they read, without their
/// stated figures. One part, the file itself, when nothing can be split.
pub fn parts(file: &File, rows: usize) -> Vec<File> {
    let side = Side::of(file);
    let substance = substance(&side);
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut size = 0;
    for component in components(&side, &substance) {
        let component_rows: usize = component
            .iter()
            .map(|index| rows_of(side.keyed[*index].1))
            .sum();
        match parts.last_mut() {
            Some(part) if size < rows => part.extend(component),
            _ => {
                size = 0;
                parts.push(component);
            }
        }
        size += component_rows;
    }
    if parts.len() < 2 {
        return vec![file.clone()];
    }
    // The first part reconciles the context values.
    if let Some(first) = parts.first_mut() {
        first.extend((0..side.keyed.len()).filter(|index| !substance[*index]));
    }
    parts.iter().map(|owned| part_of(&side, owned)).collect()
}

/// Which items are substance: tables, scales, what reads them directly or through
/// others, and whatever shares a name or a key with one of those.
fn substance(side: &Side) -> Vec<bool> {
    let mut substance = vec![false; side.keyed.len()];
    let mut queue: Vec<usize> = side
        .keyed
        .iter()
        .enumerate()
        .filter(|(_, (_, item))| matches!(item, Item::Table(_) | Item::Scale(_)))
        .map(|(index, _)| index)
        .collect();
    while let Some(index) = queue.pop() {
        if std::mem::replace(&mut substance[index], true) {
            continue;
        }
        for name in &side.pieces[index].names {
            queue.extend(side.readers.get(name).into_iter().flatten());
            queue.extend(side.definers.get(name).into_iter().flatten());
        }
        queue.extend(side.with_key(&side.keyed[index].0));
    }
    substance
}

/// The substance items that must be evaluated together, each group in file order, the
/// groups ordered by their first item.
fn components(side: &Side, substance: &[bool]) -> Vec<Vec<usize>> {
    let mut leader: Vec<usize> = (0..side.keyed.len()).collect();
    for index in (0..side.keyed.len()).filter(|index| substance[*index]) {
        let piece = &side.pieces[index];
        let linked = piece
            .reads
            .iter()
            .chain(&piece.names)
            .flat_map(|name| side.definers.get(name).into_iter().flatten().copied())
            .chain(side.with_key(&side.keyed[index].0));
        for other in linked {
            if substance[other] {
                join(&mut leader, index, other);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_leader = HashMap::default();
    for index in (0..side.keyed.len()).filter(|index| substance[*index]) {
        let root = root(&mut leader, index);
        let group = *group_of_leader.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(index);
    }
    groups
}

fn root(leader: &mut [usize], mut index: usize) -> usize {
    while leader[index] != index {
        leader[index] = leader[leader[index]];
        index = leader[index];
    }
    index
}

fn join(leader: &mut [usize], a: usize, b: usize) {
    let (a, b) = (root(leader, a), root(leader, b));
    // The earlier item leads, so that groups keep the file's order.
    leader[a.max(b)] = a.min(b);
}

/// The file of one part: its own items, what they read, and the decision block.
fn part_of(side: &Side, owned: &[usize]) -> File {
    let owned: HashSet<usize> = owned.iter().copied().collect();
    let mut included = vec![false; side.keyed.len()];
    let mut queue: Vec<usize> = owned.iter().copied().collect();
    while let Some(index) = queue.pop() {
        if std::mem::replace(&mut included[index], true) {
            continue;
        }
        let read = side.pieces[index].reads.iter();
        queue.extend(read.flat_map(|name| side.definers.get(name).into_iter().flatten()));
    }
    let items = side
        .keyed
        .iter()
        .enumerate()
        .filter_map(|(index, (key, item))| {
            if key.is_global() || owned.contains(&index) {
                Some((*item).clone())
            } else if included[index] {
                Some(without_stated(item))
            } else {
                None
            }
        });
    File {
        items: items.collect(),
    }
}

/// A context value as a part computes with it, its stated figure reconciled elsewhere.
fn without_stated(item: &Item) -> Item {
    let bare = |definition: &Definition| Definition {
        stated: None,
        ..definition.clone()
    };
    match item {
        Item::Definition(definition) => Item::Definition(bare(definition)),
        Item::Paragraph(paragraph) => Item::Paragraph(Paragraph {
            definitions: paragraph.definitions.iter().map(bare).collect(),
            ..paragraph.clone()
        }),
        other => other.clone(),
    }
}

/// The rows of a table, or Party lines of a scale, that an item brings to a part.
fn rows_of(item: &Item) -> usize {
    match item {
        Item::Table(table) => table.row_count(),
        Item::Scale(scale) => scale.parties.len(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
