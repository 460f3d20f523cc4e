//! The outline of a decision file, for an editor's symbol list and breadcrumbs: the
//! decision, its paragraphs with their values, each table with its sections and rows
//! nested as printed, scales, groups and scenarios with the tables they replace.

use std::collections::HashMap;

use super::Analysis;
use crate::diagnostic::Span;
use crate::semantics::program::{Line, Program, TableId};
use crate::syntax::ast::{self, Item};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole of the thing: a table from `table` to its `}`.
    pub span: Span,
    /// What to highlight when the symbol is picked: its name.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Decision,
    Paragraph,
    Value,
    Table,
    Section,
    Row,
    Scale,
    Group,
    Scenario,
}

fn symbol(name: String, kind: SymbolKind, span: Span, selection: Span) -> Symbol {
    Symbol {
        name,
        detail: None,
        kind,
        span,
        selection,
        children: Vec::new(),
    }
}

pub(super) fn outline(analysis: &Analysis) -> Vec<Symbol> {
    let Some(file) = analysis.file() else {
        return Vec::new();
    };
    let base = analysis.model(0).map(|(_, model)| &*model.program);
    // Found by name once, not searched for item by item: a file of thousands of tables
    // or scenarios would take their square.
    let tables: HashMap<Span, TableId> = base.map_or_else(HashMap::new, |program| {
        (0..program.tables.len())
            .map(|id| (program.tables[id].name_span, TableId(id)))
            .collect()
    });
    let variants: HashMap<&str, usize> = analysis
        .checked
        .iter()
        .enumerate()
        .filter_map(|(at, checked)| Some((checked.scenario.as_ref()?.0.as_str(), at)))
        .collect();
    let found = Found {
        analysis,
        base,
        tables,
        variants,
    };
    // Imported items are merged into the tree; the outline is of this file.
    file.items
        .iter()
        .filter(|item| analysis.is_here(item.span()))
        .filter_map(|item| item_symbol(&found, item))
        .collect()
}

/// What the outline looks items up in.
struct Found<'a> {
    analysis: &'a Analysis,
    base: Option<&'a Program>,
    tables: HashMap<Span, TableId>,
    variants: HashMap<&'a str, usize>,
}

fn item_symbol(found_in: &Found<'_>, item: &Item) -> Option<Symbol> {
    Some(match item {
        Item::Erratum(_) | Item::Rule(_) | Item::Arrears(_) => return None,
        Item::Decision(decision) => symbol(
            decision.symbol.value.to_string(),
            SymbolKind::Decision,
            decision.span,
            decision.symbol.span,
        ),
        Item::Paragraph(paragraph) => {
            let mut found = symbol(
                format!("paragraph {}", paragraph.number.name),
                SymbolKind::Paragraph,
                paragraph.span,
                paragraph.number.span,
            );
            found.detail = paragraph.text.as_ref().map(|t| t.value.to_string());
            found.children = paragraph.definitions.iter().map(definition).collect();
            found
        }
        Item::Definition(value) => definition(value),
        Item::Table(table) => {
            let program = found_in.base?;
            let id = found_in.tables.get(&table.name.span)?;
            table_symbol(program, *id)
        }
        Item::Scale(scale) => symbol(
            scale.name.name.to_string(),
            SymbolKind::Scale,
            scale.span,
            scale.name.span,
        ),
        Item::Group(group) => {
            let mut found = symbol(
                group.name.name.to_string(),
                SymbolKind::Group,
                group.span,
                group.name.span,
            );
            found.detail = group.label.as_ref().map(|l| l.value.to_string());
            found
        }
        Item::Scenario(scenario) => {
            let mut found = symbol(
                scenario.name.name.to_string(),
                SymbolKind::Scenario,
                scenario.span,
                scenario.name.span,
            );
            found.children = scenario_tables(found_in, scenario);
            found
        }
        Item::Import(_) => return None,
    })
}

fn definition(value: &ast::Definition) -> Symbol {
    symbol(
        value.name.name.to_string(),
        SymbolKind::Value,
        value.span,
        value.name.span,
    )
}

/// The tables a scenario writes, from the scenario's own evaluated program.
fn scenario_tables(found_in: &Found<'_>, scenario: &ast::Scenario) -> Vec<Symbol> {
    let variant = found_in.variants.get(&*scenario.name.name);
    let Some((_, model)) = variant.and_then(|v| found_in.analysis.model(*v)) else {
        return Vec::new();
    };
    let program = &model.program;
    (0..program.tables.len())
        .filter(|id| {
            let span = program.tables[*id].span;
            scenario.span.start() <= span.start() && span.end() <= scenario.span.end()
        })
        .map(|id| table_symbol(program, TableId(id)))
        .collect()
}

/// A table, its sections holding their rows as printed.
fn table_symbol(program: &Program, id: TableId) -> Symbol {
    let table = program.table(id);
    let mut root = symbol(
        table.display_name(),
        SymbolKind::Table,
        table.span,
        table.name_span,
    );
    root.detail = table.title.clone();
    // A stack of open sections by depth; a line at depth d closes those at d and deeper.
    let mut open: Vec<(usize, Symbol)> = Vec::new();
    let close = |open: &mut Vec<(usize, Symbol)>, root: &mut Symbol, depth: usize| {
        while open.last().is_some_and(|(d, _)| *d >= depth) {
            if let Some((_, done)) = open.pop() {
                match open.last_mut() {
                    Some((_, parent)) => parent.children.push(done),
                    None => root.children.push(done),
                }
            }
        }
    };
    for line in &table.lines {
        match line {
            Line::Section(section) => {
                let section = program.section(*section);
                close(&mut open, &mut root, section.depth);
                let mut found = symbol(
                    section.message_label(),
                    SymbolKind::Section,
                    section.span,
                    section.span,
                );
                found.detail = section.name.as_deref().map(str::to_owned);
                open.push((section.depth, found));
            }
            Line::Row(row) => {
                let row = program.row(*row);
                close(&mut open, &mut root, row.depth);
                let mut found = symbol(row.message_label(), SymbolKind::Row, row.span, row.span);
                found.detail = row.name.as_deref().map(str::to_owned);
                match open.last_mut() {
                    Some((_, parent)) => parent.children.push(found),
                    None => root.children.push(found),
                }
            }
        }
    }
    close(&mut open, &mut root, 0);
    root
}
