//! Scenarios: named variants of a decision (BS-VI/7's contingency Tables 6 and 7, "if
//! the next meeting is held in 2015"). A scenario is applied to the syntax tree before
//! anything is resolved: its tables, scales, groups and values are added to the base
//! decision's, `replace` puts one in the place of the base item of the same name,
//! `remove` takes one out, and `period` sets the variant's years. Everything else is the
//! base decision's own, so a variant reuses the base rules (the 13% support charge, the
//! host contribution's growth) rather than copying them, and the variant is then
//! resolved, evaluated and reconciled like any decision.

use crate::diagnostic::{Code, Diagnostic, Span, closest};
use crate::syntax::ast::{
    Change, Definition, Entry, FieldValue, File, Ident, Item, Period, Row, RowEdit, RowSelector,
    Scenario, Table,
};

/// The scenarios a decision defines, in file order.
pub fn scenarios(file: &File) -> Vec<&Scenario> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Scenario(scenario) => Some(scenario),
            _ => None,
        })
        .collect()
}

/// The scenario called `name`, or a diagnostic naming the ones there are.
pub fn find<'a>(file: &'a File, name: &str) -> Result<&'a Scenario, Diagnostic> {
    let all = scenarios(file);
    if let Some(scenario) = all.iter().find(|s| s.name.name == name) {
        return Ok(scenario);
    }
    let names: Vec<&str> = all.iter().map(|s| s.name.name.as_str()).collect();
    let help = match (closest(name, names.iter().copied()), names.as_slice()) {
        (Some(close), _) => format!("did you mean `{close}`?"),
        (None, []) => "this decision defines no scenario; run without --scenario".to_owned(),
        (None, _) => format!("the scenarios of this decision are: {}", names.join(", ")),
    };
    Err(Diagnostic::error(
        Code::ScenarioUnknown,
        format!("there is no scenario `{name}`"),
    )
    .with_help(help))
}

/// Names given twice among the scenarios, and a scenario's `period` given twice: the
/// second of each would never be checked, and a mismatch in it hidden.
pub fn duplicates(file: &File) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let all = scenarios(file);
    for (at, scenario) in all.iter().enumerate() {
        if let Some(first) = all[..at].iter().find(|s| s.name.name == scenario.name.name) {
            problems.push(Diagnostic::defined_twice(
                "scenario",
                &scenario.name.name,
                (scenario.name.span, first.name.span),
                "give each scenario a name of its own: only the first of two with one name would be checked",
            ));
        }
        let periods: Vec<Span> = scenario
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Period(_, span) => Some(*span),
                _ => None,
            })
            .collect();
        changed_twice(scenario, &mut problems);
        if let [first, second, ..] = periods[..] {
            problems.push(
                Diagnostic::error(
                    Code::ScenarioChange,
                    format!(
                        "the scenario `{}` sets its period twice",
                        scenario.name.name
                    ),
                )
                .at(second, "set again here")
                .with_label(first, "first set here")
                .with_help("keep one `period` line in the scenario"),
            );
        }
    }
    problems
}

/// What a scenario adds, replaces or removes, named (a value with its year, if any).
fn changed_name(change: &Change) -> Option<(String, Span)> {
    let of_item = |item: &Item| -> Option<(String, Span)> {
        match item {
            Item::Table(table) => Some((table.name.name.to_string(), table.name.span)),
            Item::Scale(scale) => Some((scale.name.name.to_string(), scale.name.span)),
            Item::Group(group) => Some((group.name.name.to_string(), group.name.span)),
            Item::Definition(definition) => {
                let index = match definition.index {
                    Some(crate::syntax::ast::YearIndex::Year(year, _)) => format!("[{year}]"),
                    Some(crate::syntax::ast::YearIndex::EveryYear(_)) => "[year]".to_owned(),
                    None => String::new(),
                };
                Some((
                    format!("{}{index}", definition.name.name),
                    definition.name.span,
                ))
            }
            _ => None,
        }
    };
    match change {
        Change::Add(item) | Change::Replace(item, _) => of_item(item),
        Change::Remove(name, _) => Some((name.name.to_string(), name.span)),
        Change::Period(..) | Change::Rows { .. } => None,
    }
}

/// A scenario that changes one item twice: only the last change would count, and a
/// figure stated in the first would never be checked.
fn changed_twice(scenario: &Scenario, problems: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(String, Span)> = Vec::new();
    for change in &scenario.changes {
        let Some((name, span)) = changed_name(change) else {
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == name) {
            problems.push(
                Diagnostic::error(
                    Code::ScenarioChange,
                    format!(
                        "the scenario `{}` changes `{name}` twice",
                        scenario.name.name
                    ),
                )
                .at(span, "changed again here")
                .with_label(*first, "first changed here")
                .with_help("keep one change of it: only the last would count"),
            );
            continue;
        }
        seen.push((name, span));
    }
}

/// The base decision: the file without its scenarios.
pub fn base(file: &File) -> File {
    File {
        items: file
            .items
            .iter()
            .filter(|item| !matches!(item, Item::Scenario(_)))
            .cloned()
            .collect(),
    }
}

/// The decision as `scenario` varies it, and a diagnostic for each change that cannot
/// be made (replacing or removing what is not there, adding what already is).
pub fn apply(file: &File, scenario: &Scenario) -> (File, Vec<Diagnostic>) {
    let mut variant = base(file);
    let mut problems = Vec::new();
    for change in &scenario.changes {
        let outcome = match change {
            Change::Period(period, span) => set_period(&mut variant, *period, *span),
            Change::Add(item) => add(&mut variant, item),
            Change::Replace(item, _) => replace(&mut variant, item),
            Change::Remove(name, _) => remove(&mut variant, &name.name, name.span),
            Change::Rows { table, edits, .. } => {
                problems.extend(edit_rows(&mut variant, table, edits));
                Ok(())
            }
        };
        problems.extend(outcome.err());
    }
    for problem in &mut problems {
        problem.message = format!("scenario `{}` {}", scenario.name.name, problem.message);
    }
    (variant, problems)
}

/// What a change can name: a table, scale, group or value, by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Table,
    Scale,
    Group,
    Value,
}

impl Kind {
    fn of(item: &Item) -> Option<(Kind, &str)> {
        Kind::named(item).map(|(kind, name)| (kind, name.name.as_str()))
    }

    fn named(item: &Item) -> Option<(Kind, &Ident)> {
        match item {
            Item::Table(table) => Some((Kind::Table, &table.name)),
            Item::Scale(scale) => Some((Kind::Scale, &scale.name)),
            Item::Group(group) => Some((Kind::Group, &group.name)),
            Item::Definition(definition) => Some((Kind::Value, &definition.name)),
            _ => None,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Scale => "scale",
            Kind::Group => "group",
            Kind::Value => "value",
        }
    }
}

/// Every named item of the decision, values inside paragraphs included.
fn named(file: &File) -> Vec<(Kind, String)> {
    let mut names = Vec::new();
    for item in &file.items {
        if let Some((kind, name)) = Kind::of(item) {
            names.push((kind, name.to_owned()));
        }
        if let Item::Paragraph(paragraph) = item {
            for definition in &paragraph.definitions {
                names.push((Kind::Value, definition.name.name.to_string()));
            }
        }
    }
    names
}

fn exists(file: &File, kind: Kind, name: &str) -> bool {
    named(file).iter().any(|(k, n)| *k == kind && n == name)
}

fn change_problem(message: String, span: Span, label: &str, help: String) -> Diagnostic {
    Diagnostic::error(Code::ScenarioChange, message)
        .at(span, label.to_owned())
        .with_help(help)
}

fn set_period(file: &mut File, period: Period, span: Span) -> Result<(), Diagnostic> {
    let field = file.items.iter_mut().find_map(|item| match item {
        Item::Decision(decision) => decision
            .fields
            .iter_mut()
            .find(|field| field.name.name == "period"),
        _ => None,
    });
    match field {
        Some(field) => {
            field.value = FieldValue::Period(period);
            // What is said of the variant's period is said at the scenario's line.
            field.span = span;
            Ok(())
        }
        None => Err(change_problem(
            "sets a period, but the decision has none to change".to_owned(),
            span,
            "this period",
            "give the decision block a `period` first".to_owned(),
        )),
    }
}

fn add(file: &mut File, item: &Item) -> Result<(), Diagnostic> {
    let Some((kind, ident)) = Kind::named(item) else {
        return Ok(());
    };
    let name = ident.name.as_str();
    if exists(file, kind, name) {
        return Err(change_problem(
            format!(
                "adds the {} `{name}`, which the decision already has",
                kind.word()
            ),
            ident.span,
            "added again here",
            format!(
                "write `replace` before it to put it in the place of the decision's {}",
                kind.word()
            ),
        )
        .with_correction(
            "write `replace` before it",
            Span::new(item.span().start(), item.span().start()),
            "replace ",
        ));
    }
    file.items.push(item.clone());
    Ok(())
}

fn replace(file: &mut File, item: &Item) -> Result<(), Diagnostic> {
    let Some((kind, ident)) = Kind::named(item) else {
        return Ok(());
    };
    let name = ident.name.as_str();
    if !exists(file, kind, name) {
        return Err(not_there(file, kind, name, ident.span, "replaces"));
    }
    match item {
        Item::Definition(definition) => replace_value(file, definition),
        _ => {
            for slot in &mut file.items {
                if Kind::of(slot).is_some_and(|(k, n)| k == kind && n == name) {
                    *slot = item.clone();
                }
            }
        }
    }
    Ok(())
}

/// Every rule of the value goes (`x[2013]`, `x[2014]`, `x[year]`), and the new one
/// takes the place of the first, inside its paragraph if it was in one.
fn replace_value(file: &mut File, definition: &Definition) {
    let name = definition.name.name.as_str();
    let mut placed = false;
    let mut kept = Vec::with_capacity(file.items.len());
    for item in std::mem::take(&mut file.items) {
        match item {
            Item::Definition(old) if old.name.name == name => {
                if !placed {
                    kept.push(Item::Definition(definition.clone()));
                    placed = true;
                }
            }
            Item::Paragraph(mut paragraph) => {
                let mut definitions = Vec::with_capacity(paragraph.definitions.len());
                for old in paragraph.definitions {
                    if old.name.name != name {
                        definitions.push(old);
                    } else if !placed {
                        definitions.push(definition.clone());
                        placed = true;
                    }
                }
                paragraph.definitions = definitions;
                kept.push(Item::Paragraph(paragraph));
            }
            other => kept.push(other),
        }
    }
    file.items = kept;
}

fn remove(file: &mut File, name: &str, span: Span) -> Result<(), Diagnostic> {
    let before = named(file).len();
    file.items
        .retain(|item| Kind::of(item).is_none_or(|(_, n)| n != name));
    for item in &mut file.items {
        if let Item::Paragraph(paragraph) = item {
            paragraph.definitions.retain(|d| d.name.name != name);
        }
    }
    if named(file).len() == before {
        return Err(not_there(file, Kind::Table, name, span, "removes"));
    }
    Ok(())
}

/// `in core_budget { … }`: each row change, and a diagnostic for each that cannot be made.
fn edit_rows(file: &mut File, table: &Ident, edits: &[RowEdit]) -> Vec<Diagnostic> {
    if !exists(file, Kind::Table, &table.name) {
        return vec![not_there(
            file,
            Kind::Table,
            &table.name,
            table.span,
            "changes rows of",
        )];
    }
    let found = file.items.iter_mut().find_map(|item| match item {
        Item::Table(found) if found.name.name == table.name => {
            Some(std::sync::Arc::make_mut(found))
        }
        _ => None,
    });
    let Some(found) = found else {
        return Vec::new();
    };
    edits
        .iter()
        .filter_map(|edit| edit_row(found, edit).err())
        .collect()
}

fn edit_row(table: &mut Table, edit: &RowEdit) -> Result<(), Diagnostic> {
    match edit {
        RowEdit::Replace(row) => {
            let selector = RowSelector::of(row);
            match find_row(&mut table.entries, &selector) {
                Some(slot) => {
                    // Matched by label, the row keeps its name, so formulas still read it.
                    let name = row.name.clone().or_else(|| slot.name.take());
                    *slot = Row {
                        name,
                        ..row.clone()
                    };
                    Ok(())
                }
                None => Err(no_row(table, &selector, "replaces")),
            }
        }
        RowEdit::Remove(selector) => {
            if remove_row(&mut table.entries, selector) {
                Ok(())
            } else {
                Err(no_row(table, selector, "removes"))
            }
        }
        RowEdit::Add { after, row } => {
            let selector = RowSelector::of(row);
            if find_row(&mut table.entries, &selector).is_some() {
                return Err(change_problem(
                    format!(
                        "adds the row {} to table `{}`, which already has it",
                        selector.display(),
                        table.name.name
                    ),
                    selector.span(),
                    "added again here",
                    "write `replace` instead of `add` to change the table's row".to_owned(),
                ));
            }
            match after {
                None => {
                    table.entries.push(Entry::Row(row.clone()));
                    Ok(())
                }
                Some(place) if insert_after(&mut table.entries, place, row) => Ok(()),
                Some(place) => Err(no_row(table, place, "adds a row after")),
            }
        }
    }
}

/// The row `selector` picks, in any section of the table.
fn find_row<'a>(entries: &'a mut [Entry], selector: &RowSelector) -> Option<&'a mut Row> {
    for entry in entries {
        match entry {
            Entry::Row(row) if selector.selects(row) => return Some(row),
            Entry::Row(_) => {}
            Entry::Section(section) => {
                if let Some(row) = find_row(&mut section.entries, selector) {
                    return Some(row);
                }
            }
        }
    }
    None
}

fn remove_row(entries: &mut Vec<Entry>, selector: &RowSelector) -> bool {
    if let Some(index) = entries
        .iter()
        .position(|entry| matches!(entry, Entry::Row(row) if selector.selects(row)))
    {
        entries.remove(index);
        return true;
    }
    entries.iter_mut().any(|entry| match entry {
        Entry::Section(section) => remove_row(&mut section.entries, selector),
        Entry::Row(_) => false,
    })
}

/// Puts `row` just after the row `place` picks, in the same section, so that a sum of
/// the section includes it.
fn insert_after(entries: &mut Vec<Entry>, place: &RowSelector, row: &Row) -> bool {
    if let Some(index) = entries
        .iter()
        .position(|entry| matches!(entry, Entry::Row(existing) if place.selects(existing)))
    {
        entries.insert(index + 1, Entry::Row(row.clone()));
        return true;
    }
    entries.iter_mut().any(|entry| match entry {
        Entry::Section(section) => insert_after(&mut section.entries, place, row),
        Entry::Row(_) => false,
    })
}

fn no_row(table: &Table, selector: &RowSelector, verb: &str) -> Diagnostic {
    let mut known = Vec::new();
    collect_rows(&table.entries, selector, &mut known);
    let wanted = match selector {
        RowSelector::Name(name) => name.name.clone(),
        RowSelector::Label(label) => label.value.clone(),
    };
    let close = closest(&wanted, known.iter().map(String::as_str));
    let (what, help) = match (selector, close) {
        (RowSelector::Name(_), Some(close)) => ("name", format!("did you mean `{close}`?")),
        (RowSelector::Label(_), Some(close)) => ("label", format!("did you mean \"{close}\"?")),
        (RowSelector::Name(_), None) => (
            "name",
            "name a row of the table, or write its label in quotes".to_owned(),
        ),
        (RowSelector::Label(_), None) => (
            "label",
            "write the row's label exactly as the table has it, or its name".to_owned(),
        ),
    };
    let problem = change_problem(
        format!(
            "{verb} the row {} of table `{}`, but the table has no row with that {what}",
            selector.display(),
            table.name.name
        ),
        selector.span(),
        "not in the table",
        help,
    );
    match (selector, close) {
        (RowSelector::Name(_), close) => {
            super::scale::name_correction(problem, selector.span(), close)
        }
        (RowSelector::Label(_), close) => {
            super::scale::party_correction(problem, selector.span(), close)
        }
    }
}

/// The names (or labels) of every row, for "did you mean".
fn collect_rows(entries: &[Entry], selector: &RowSelector, into: &mut Vec<String>) {
    for entry in entries {
        match entry {
            Entry::Row(row) => match selector {
                RowSelector::Name(_) => into.extend(row.name.as_ref().map(|n| n.name.to_string())),
                RowSelector::Label(_) => into.push(row.label.value.to_string()),
            },
            Entry::Section(section) => collect_rows(&section.entries, selector, into),
        }
    }
}

fn not_there(file: &File, kind: Kind, name: &str, span: Span, verb: &str) -> Diagnostic {
    let names = named(file);
    let candidates = names
        .iter()
        .filter(|(k, _)| verb == "removes" || *k == kind)
        .map(|(_, n)| n.as_str());
    let close = closest(name, candidates);
    let help = match close {
        Some(close) => format!("did you mean `{close}`?"),
        None if verb == "removes" => {
            "name a table, scale, group or value of the decision".to_owned()
        }
        None => format!(
            "to add a {} the decision does not have, leave out `replace`",
            kind.word()
        ),
    };
    let what = if verb == "removes" {
        "table, scale, group or value"
    } else {
        kind.word()
    };
    let problem = change_problem(
        format!("{verb} `{name}`, but the decision has no {what} of that name"),
        span,
        "not in the decision",
        help,
    );
    super::scale::name_correction(problem, span, close)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    const DECISION: &str = "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\n\nrate = 13%\n\nparagraph 1 \"P\" {\n    growth = 2%\n}\n\ntable 1 budget {\n    unit US$\n    columns 2013 2014\n    a \"A\" 1 2\n}\n";

    fn with(scenario: &str) -> File {
        parse(&format!("{DECISION}\n{scenario}\n")).unwrap()
    }

    fn applied(scenario: &str) -> (File, Vec<Diagnostic>) {
        let file = with(scenario);
        let found = scenarios(&file)[0].clone();
        apply(&file, &found)
    }

    #[test]
    fn a_replaced_table_takes_the_place_of_the_base_one() {
        let (variant, problems) = applied(
            "scenario later \"If later\" {\n    period 2013-2015\n    replace table 6 budget {\n        unit US$\n        columns 2013 2014 2015\n        a \"A\" 1 2 3\n    }\n}",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let tables: Vec<_> = variant
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Table(table) => Some(table.number.as_ref().unwrap().name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(tables, ["6"]);
        assert!(scenarios(&variant).is_empty());
    }

    #[test]
    fn a_replaced_value_keeps_its_paragraph() {
        let (variant, problems) = applied("scenario faster {\n    replace growth = 3%\n}");
        assert!(problems.is_empty(), "{problems:?}");
        let Some(Item::Paragraph(paragraph)) = variant
            .items
            .iter()
            .find(|item| matches!(item, Item::Paragraph(_)))
        else {
            panic!("no paragraph");
        };
        assert_eq!(paragraph.definitions.len(), 1);
        assert_eq!(paragraph.definitions[0].name.name, "growth");
    }

    #[test]
    fn replacing_what_is_not_there_is_a_diagnostic_with_a_suggestion() {
        let (_, problems) = applied(
            "scenario s {\n    replace table 6 budgt {\n        unit US$\n        columns 2013\n        a \"A\" 1\n    }\n}",
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::ScenarioChange);
        assert_eq!(
            problems[0].message,
            "scenario `s` replaces `budgt`, but the decision has no table of that name"
        );
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `budget`?"));
    }

    #[test]
    fn adding_what_is_there_asks_for_replace() {
        let (_, problems) = applied("scenario s {\n    rate = 14%\n}");
        assert_eq!(
            problems[0].message,
            "scenario `s` adds the value `rate`, which the decision already has"
        );
        // The edit the help names: `replace` written before the value.
        let [correction] = problems[0].corrections() else {
            panic!("one correction: {:#?}", problems[0]);
        };
        assert_eq!(correction.replacement, "replace ");
        assert_eq!(correction.span.start(), correction.span.end());
    }

    #[test]
    fn removing_takes_the_item_out_and_an_unknown_name_is_a_diagnostic() {
        let (variant, problems) = applied("scenario s {\n    remove rat\n    remove rate\n}");
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "scenario `s` removes `rat`, but the decision has no table, scale, group or value of that name"
        );
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `rate`?"));
        assert!(!exists(&variant, Kind::Value, "rate"));
    }

    #[test]
    fn an_unknown_scenario_name_suggests_the_closest() {
        let file = with("scenario contingency-2015 {\n    period 2013-2015\n}");
        let problem = find(&file, "contingency-2016").unwrap_err();
        assert_eq!(problem.code, Code::ScenarioUnknown);
        assert_eq!(
            problem.help.as_deref(),
            Some("did you mean `contingency-2015`?")
        );
    }

    fn rows_of(file: &File) -> Vec<(String, Vec<String>)> {
        let Some(Item::Table(table)) = file.items.iter().find(|i| matches!(i, Item::Table(_)))
        else {
            panic!("no table");
        };
        table
            .entries
            .iter()
            .filter_map(|entry| match entry {
                Entry::Row(row) => Some((
                    row.label.value.to_string(),
                    row.figures
                        .iter()
                        .map(|f| format!("{:?}", f.kind))
                        .collect(),
                )),
                Entry::Section(_) => None,
            })
            .collect()
    }

    #[test]
    fn rows_are_replaced_added_and_removed_in_place() {
        let (variant, problems) = applied(
            "scenario s {\n    in budget {\n        replace \"A\" 5 6\n        add after a b \"B\" 3 4\n        add c \"C\" 7 8\n        remove b\n        add after \"A\" \"D\" 9 9\n    }\n}",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let labels: Vec<String> = rows_of(&variant)
            .into_iter()
            .map(|(label, _)| label)
            .collect();
        assert_eq!(labels, ["A", "D", "C"]);
        let (_, figures) = &rows_of(&variant)[0];
        assert!(figures[0].contains('5'), "{figures:?}");
    }

    #[test]
    fn a_row_change_the_table_cannot_take_is_a_diagnostic_at_the_row() {
        let (_, problems) = applied(
            "scenario s {\n    in budget {\n        replace \"Z\" 1 2\n        remove aa\n        add a \"A\" 1 2\n    }\n    in budgt {\n        remove a\n    }\n}",
        );
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "scenario `s` replaces the row \"Z\" of table `budget`, but the table has no row with that label",
                "scenario `s` removes the row aa of table `budget`, but the table has no row with that name",
                "scenario `s` adds the row a to table `budget`, which already has it",
                "scenario `s` changes rows of `budgt`, but the decision has no table of that name",
            ]
        );
        assert_eq!(problems[1].help.as_deref(), Some("did you mean `a`?"));
        // Each "did you mean" comes with its edit: the name written where it was.
        let edits: Vec<(&str, &str)> = problems
            .iter()
            .flat_map(|p| p.corrections())
            .map(|c| (c.title.as_str(), c.replacement.as_str()))
            .collect();
        assert_eq!(
            edits,
            [
                ("change to \"A\"", "\"A\""),
                ("change to `a`", "a"),
                ("change to `budget`", "budget")
            ]
        );
        assert!(problems.iter().all(|p| p.code == Code::ScenarioChange));
    }
}
