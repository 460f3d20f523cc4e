//! Name resolution: from the syntax tree to the `Program`. Declares every value, table,
//! section and row first, so that names can be used before they are defined, then binds
//! every name in every formula, suggesting the closest known name for an unknown one.
//! Rows and sections belong to their table: inside it they are used bare (`subtotal`),
//! elsewhere qualified (`core_budget.subtotal`).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::number::Exact;
use super::program::*;
use super::unit::Unit;
use crate::diagnostic::{Code, Diagnostic, Span, closest};
use crate::format::Notation;
use crate::semantics::unit::{percent_out_of_range, ratio_out_of_range};
use crate::syntax::ast::{
    self, ColumnKey, FieldValue, FigureKind, Item, Scale, TableSetting, YearIndex,
};

/// Functions a formula may call.
const FUNCTIONS: [&str; 4] = ["sum", "share", "published", "round"];

/// Settings a table line may start with; a row named like one is probably a typo.
const TABLE_SETTINGS: [&str; 6] = ["title", "label", "unit", "rounding", "columns", "note"];

pub fn resolve(file: &ast::File, imports: &[super::ImportedModel]) -> (Program, Vec<Diagnostic>) {
    let mut resolver = Resolver::default();
    resolver.program.imports = imports.to_vec();
    // Sized once: a vector doubling its way to a million rows would leave up to half
    // of its memory unused.
    resolver.program.rows.reserve_exact(row_count(file));
    resolver.declare(file);
    resolver.check_import_names();
    resolver.bind();
    let decision_notation = resolver.program.decision.notation;
    for table in &mut resolver.program.tables {
        table.notation = table.own_notation.unwrap_or(decision_notation);
    }
    (resolver.program, resolver.diagnostics)
}

/// How many rows the file's tables have, sections included.
fn row_count(file: &ast::File) -> usize {
    file.items
        .iter()
        .map(|item| match item {
            ast::Item::Table(table) => table.row_count(),
            _ => 0,
        })
        .sum()
}

#[derive(Debug, Clone, Copy)]
enum Local {
    Row(RowId),
    Section(SectionId),
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Value(ValueId),
    Table(TableId),
    Row(RowId),
    Section(SectionId),
}

#[derive(Debug, Clone, Copy)]
enum Scope {
    Global,
    Table(TableId),
}

#[derive(Default)]
struct Resolver<'a> {
    program: Program,
    diagnostics: Vec<Diagnostic>,
    values: HashMap<String, ValueId>,
    tables: HashMap<String, TableId>,
    /// Borrowed from the syntax tree: a million rows cost no copies of their names.
    locals: Vec<HashMap<&'a str, (Local, Span)>>,
    /// Each table's row and section names in the order they are written.
    local_order: Vec<Vec<&'a str>>,
    /// Formulas waiting for every name to be declared.
    pending_values: Vec<(ValueId, &'a ast::Definition, Scope)>,
    /// Lines that only state a figure, attached once every value is declared.
    pending_stated: Vec<&'a ast::Definition>,
    /// Where the values being declared read names: a table's note reads its rows by
    /// their bare names.
    declaring_in: Option<TableId>,
    /// What each scale apportions, for each of its years.
    pending_amounts: Vec<(ValueId, &'a ast::Expr)>,
    pending_rows: Vec<(RowId, &'a ast::Expr)>,
    paragraph_numbers: HashMap<String, Span>,
    /// The decision's `period` line, for a table whose columns go beyond it.
    period_at: Option<Span>,
    /// How many "did you mean" searches have run: each compares a name with every
    /// known one, so a file full of unknown names stops getting suggestions.
    suggestions: std::cell::Cell<usize>,
}

impl<'a> Resolver<'a> {
    // ------------------------------------------------------------ declaring

    fn declare(&mut self, file: &'a ast::File) {
        let mut decisions = file.items.iter().filter_map(|item| match item {
            Item::Decision(decision) => Some(decision),
            _ => None,
        });
        match decisions.next() {
            Some(decision) => self.declare_decision(decision),
            None if file.items.is_empty() => self.diagnostics.push(
                Diagnostic::error(
                    Code::DecisionField,
                    "the file is empty: it has no `decision` block, and nothing else",
                )
                .at(Span::new(0, 0), "nothing but blank lines and comments")
                .with_help(
                    "start the file with the decision's identity, for example:\n\
                     decision \"BS-VI/7\" {\n    title    \"Programme budget …\"\n    period   2013-2014\n    currency US$\n}",
                ),
            ),
            None => self.diagnostics.push(
                Diagnostic::error(Code::DecisionField, "the file has no `decision` block")
                    .at(first_item(file), "expected `decision \"SYMBOL\" { … }` before this")
                    .with_help(
                        "start the file with the decision's identity, for example:\n\
                         decision \"BS-VI/7\" {\n    title    \"Programme budget …\"\n    period   2013-2014\n    currency US$\n}",
                    ),
            ),
        }
        for extra in decisions {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::NameDuplicate,
                    "a file describes one decision, but this is a second `decision` block",
                )
                .at(extra.symbol.span, "second decision")
                .with_help("put each decision in a file of its own"),
            );
        }
        for item in &file.items {
            match item {
                Item::Paragraph(paragraph) => self.declare_paragraph(paragraph),
                Item::Definition(definition) => {
                    self.declare_definition(definition, None);
                }
                Item::Table(table) => {
                    self.declare_table(table);
                    self.declare_notes(&table.settings, table.number.as_ref(), &table.name);
                }
                Item::Scale(scale) => {
                    self.declare_apportioned(scale);
                    self.declare_notes(&scale.settings, scale.number.as_ref(), &scale.name);
                }
                // Groups and scales are resolved after evaluation, by `scale`.
                // Scenarios are applied to the syntax tree before resolution, by `scenario`.
                // Errata are matched with the reconciliation, by `reconcile::errata`.
                Item::Decision(_)
                | Item::Import(_)
                | Item::Rule(_)
                | Item::Arrears(_)
                | Item::Group(_)
                | Item::Scenario(_)
                | Item::Erratum(_) => {}
            }
        }
    }

    fn declare_decision(&mut self, decision: &ast::Decision) {
        let info = &mut self.program.decision;
        info.symbol = decision.symbol.value.to_string();
        info.kind = decision.kind;
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for field in &decision.fields {
            let name = field.name.name.as_str();
            if let Some(first) = seen.insert(name, field.name.span) {
                self.diagnostics.push(
                    Diagnostic::error(Code::DecisionField, format!("`{name}` is given twice"))
                        .at(field.name.span, "second time")
                        .with_label(first, "first time")
                        .with_help(format!("keep one `{name}` line")),
                );
                continue;
            }
            let expected = match (name, &field.value) {
                ("title", FieldValue::Text(text)) => {
                    info.title = text.value.to_string();
                    continue;
                }
                ("meeting", FieldValue::Text(text)) => {
                    info.meeting = Some(text.value.to_string());
                    continue;
                }
                ("issuer", FieldValue::Text(text)) => {
                    info.issuer = Some(text.value.to_string());
                    continue;
                }
                ("period", FieldValue::Dates(dates)) => {
                    match dates_problem(*dates) {
                        Some(problem) => self.diagnostics.push(
                            Diagnostic::error(Code::DecisionField, problem)
                                .at(field.span, "not a period of days")
                                .with_help("write the first and the last day, such as `period 1 January – 31 March 2014`"),
                        ),
                        None => {
                            self.period_at = Some(field.span);
                            info.dates = Some(*dates);
                            info.period = Some(ast::Period {
                                first: dates.first.year,
                                last: dates.last.year,
                            });
                        }
                    }
                    continue;
                }
                ("period", FieldValue::Period(period)) => {
                    if period.first > period.last {
                        self.diagnostics.push(backwards_period(
                            *period,
                            field.span,
                            Code::DecisionField,
                        ));
                    } else {
                        info.period = Some(*period);
                        self.period_at = Some(field.span);
                    }
                    continue;
                }
                ("currency", FieldValue::Currency(currency)) => {
                    info.currency = Some(currency.code.clone());
                    continue;
                }
                ("notation", FieldValue::Notation(notation)) => {
                    info.notation = *notation;
                    continue;
                }
                ("notation", _) => "a notation: `UN` or `comma`",
                ("title" | "meeting" | "issuer", _) => "a text in double quotes",
                ("period", _) => "a period such as 2013-2014 or 1 January – 31 March 2014",
                ("currency", _) => "a currency such as US$",
                _ => {
                    let mut diagnostic = Diagnostic::error(
                        Code::DecisionField,
                        format!("a decision has no field `{name}`"),
                    )
                    .at(field.name.span, "unknown field");
                    diagnostic = match closest(name, DECISION_FIELDS) {
                        Some(suggestion) => did_you_mean(diagnostic, field.name.span, suggestion),
                        None => diagnostic
                            .with_help(format!("the fields are {}", DECISION_FIELDS.join(", "))),
                    };
                    self.diagnostics.push(diagnostic);
                    continue;
                }
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::DecisionField,
                    format!("`{name}` should be {expected}"),
                )
                .at(field.span, format!("expected {expected}")),
            );
        }
        // A misspelt field (`curency`) has its own diagnostic; it is not also missing.
        let misspelt: Vec<&str> = seen
            .keys()
            .filter_map(|name| closest(name, DECISION_FIELDS))
            .collect();
        // A report of words need not name a currency; a decision's budget does.
        let required: &[&str] = match decision.kind {
            ast::DocumentKind::Decision => &["title", "period", "currency"],
            ast::DocumentKind::Report => &["title", "period"],
        };
        let kind = decision.kind.name();
        for &required in required {
            if !seen.contains_key(required) && !misspelt.contains(&required) {
                self.diagnostics.push(
                    Diagnostic::error(Code::DecisionField, format!("the {kind} does not say its `{required}`"))
                        .at(decision.symbol.span, format!("`{required}` missing here"))
                        .with_help(match required {
                            "title" => "add a line such as `title \"Programme budget for the biennium 2013-2014\"`",
                            "period" => "add a line such as `period 2013-2014`",
                            _ => "add a line such as `currency US$`",
                        }),
                );
            }
        }
    }

    fn declare_paragraph(&mut self, paragraph: &'a ast::Paragraph) {
        let index = self.program.paragraphs.len();
        if let Some(first) = self
            .paragraph_numbers
            .insert(paragraph.number.name.to_string(), paragraph.number.span)
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::NameDuplicate,
                    format!("paragraph {} appears twice", paragraph.number.name),
                )
                .at(paragraph.number.span, "second time")
                .with_label(first, "first time")
                .with_help(format!(
                    "put all the values of paragraph {} in one block",
                    paragraph.number.name
                )),
            );
        }
        self.program.paragraphs.push(ParagraphInfo {
            number: paragraph.number.name.to_string(),
            heading: format!("Paragraph {}", paragraph.number.name),
            text: paragraph.text.as_ref().map(|t| t.value.to_string()),
            values: Vec::new(),
        });
        let mut listed = HashSet::default();
        for definition in &paragraph.definitions {
            if let Some(id) = self.declare_definition(definition, Some(index)) {
                let values = &mut self.program.paragraphs[index].values;
                if listed.insert(id) {
                    values.push(id);
                }
            }
        }
    }

    /// The values a table's notes state (`note d "…" { reserve_level[2016] = … }`),
    /// grouped as a paragraph's are, under "Table 1, note d".
    fn declare_notes(
        &mut self,
        settings: &'a [TableSetting],
        number: Option<&ast::Ident>,
        name: &ast::Ident,
    ) {
        let table = super::program::display_name(number.map(|n| n.name.as_str()), &name.name);
        self.declaring_in = self.tables.get(name.name.as_str()).copied();
        for setting in settings {
            let TableSetting::Note(note) = setting else {
                continue;
            };
            if note.definitions.is_empty() {
                continue;
            }
            let index = self.program.paragraphs.len();
            let place = match &note.mark {
                Some(mark) => format!("{table}, note {mark}"),
                None => format!("{table}, note"),
            };
            self.program.paragraphs.push(ParagraphInfo {
                number: place.clone(),
                heading: place,
                text: Some(note.text.value.to_string()),
                values: Vec::new(),
            });
            for definition in &note.definitions {
                if let Some(id) = self.declare_definition(definition, Some(index)) {
                    let values = &mut self.program.paragraphs[index].values;
                    if !values.contains(&id) {
                        values.push(id);
                    }
                }
            }
        }
        self.declaring_in = None;
    }

    /// A scale's `apportion` formula, as a value of its own for each of the scale's
    /// years: evaluated with the tables, in their order, its units checked like any
    /// value's. `scale::evaluate` reads it back by the scale's name.
    fn declare_apportioned(&mut self, scale: &'a ast::ScaleTable) {
        for rule in &scale.rules {
            let ast::ScaleRule::Amount(amount, _, span) = rule else {
                continue;
            };
            let placeholder = |year| {
                (
                    year,
                    Rule {
                        formula: invalid(amount.span),
                        stated: None,
                        span: *span,
                    },
                )
            };
            self.program.values.push(ValueDef {
                name: format!("apportion ({})", scale.name.name),
                name_span: amount.span,
                paragraph: None,
                apportioned_by: Some(scale.name.name.to_string()),
                scalar: None,
                by_year: scale.years().into_iter().map(placeholder).collect(),
                every_year: None,
                stated_apart: Default::default(),
            });
            let id = ValueId(self.program.values.len() - 1);
            self.pending_amounts.push((id, amount));
        }
    }

    fn declare_definition(
        &mut self,
        definition: &'a ast::Definition,
        paragraph: Option<usize>,
    ) -> Option<ValueId> {
        let name = &definition.name.name;
        if definition.value.is_none() {
            self.pending_stated.push(definition);
            return None;
        }
        if let Some(table) = self.tables.get(name.as_str()) {
            let table_span = self.program.table(*table).name_span;
            self.duplicate(name, definition.name.span, table_span, "a table");
            return None;
        }
        let id = *self.values.entry(name.to_string()).or_insert_with(|| {
            self.program.values.push(ValueDef {
                name: name.to_string(),
                name_span: definition.name.span,
                paragraph,
                apportioned_by: None,
                scalar: None,
                by_year: Default::default(),
                every_year: None,
                stated_apart: Default::default(),
            });
            ValueId(self.program.values.len() - 1)
        });
        let value = &self.program.values[id.0];
        // A value is either one rule for all years, or rules for given years and/or
        // for every year; any rule that would claim the same years again clashes.
        let clash = match definition.index {
            None => value.rules().next(),
            Some(YearIndex::Year(year, _)) => value.by_year.get(&year).or(value.scalar.as_ref()),
            Some(YearIndex::EveryYear(_)) => value.every_year.as_ref().or(value.scalar.as_ref()),
        }
        .map(|rule| rule.span);
        if let Some(first) = clash {
            let diagnostic = match definition.index {
                Some(YearIndex::Year(year, _)) => Diagnostic::error(
                    Code::NameDuplicate,
                    format!("`{name}[{year}]` is defined twice"),
                )
                .at(definition.span, "defined again here")
                .with_label(first, "first defined here")
                .with_help(format!(
                    "a value has one definition per year; if this line is for another year, change `[{year}]`"
                )),
                _ => Diagnostic::error(Code::NameDuplicate, format!("`{name}` is defined twice"))
                    .at(definition.span, "defined again here")
                    .with_label(first, "first defined here")
                    .with_help("give one of them another name, or remove the copy"),
            };
            self.diagnostics.push(diagnostic);
            return Some(id);
        }
        // A placeholder rule reserves the slot; `bind` replaces its formula.
        let placeholder = Rule {
            formula: invalid(definition.span),
            stated: None,
            span: definition.span,
        };
        let value = &mut self.program.values[id.0];
        match definition.index {
            None => value.scalar = Some(placeholder),
            Some(YearIndex::Year(year, _)) => {
                value.by_year.insert(year, placeholder);
            }
            Some(YearIndex::EveryYear(_)) => value.every_year = Some(placeholder),
        }
        let scope = self.declaring_in.map_or(Scope::Global, Scope::Table);
        self.pending_values.push((id, definition, scope));
        Some(id)
    }

    fn duplicate(&mut self, name: &str, second: Span, first: Span, what: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::NameDuplicate, format!("`{name}` is defined twice"))
                .at(second, "defined again here")
                .with_label(first, format!("first defined here, as {what}"))
                .with_help("give one of them another name, or remove the copy"),
        );
    }

    fn declare_table(&mut self, table: &'a ast::Table) {
        let name = &table.name.name;
        if let Some(value) = self.values.get(name.as_str()) {
            let first = self.program.value(*value).name_span;
            self.duplicate(name, table.name.span, first, "a value");
            return;
        }
        if let Some(other) = self.tables.get(name.as_str()) {
            let first = self.program.table(*other).name_span;
            self.duplicate(name, table.name.span, first, "a table");
            return;
        }
        let id = TableId(self.program.tables.len());
        self.tables.insert(name.to_string(), id);
        self.locals.push(HashMap::default());
        self.local_order.push(Vec::new());
        let settings = self.table_settings(table);
        self.program.tables.push(TableDef {
            number: table
                .number
                .as_ref()
                .map(|n| n.name.clone())
                .map(String::from),
            name: name.to_string(),
            name_span: table.name.span,
            title: settings.title,
            unit: settings.unit,
            unit_span: settings.unit_span.unwrap_or(table.name.span),
            rounding: settings.rounding,
            columns: settings.columns,
            headings: settings.headings,
            given_headings: settings.given_headings,
            own_notation: settings.notation,
            notation: Notation::default(),
            label_heading: settings.label_heading,
            notes: settings.notes,
            lines: Vec::new(),
            well_formed: settings.well_formed,
            span: table.span,
        });
        let lines = self.declare_entries(id, &table.entries, 0);
        self.program.tables[id.0].lines = lines;
    }

    fn table_settings(&mut self, table: &ast::Table) -> TableSettings {
        let mut title = None;
        let mut unit: Option<(TableUnit, Span)> = None;
        let mut rounding: Option<(ast::Rounding, Span)> = None;
        let mut columns: Option<(Vec<ColumnKey>, Span)> = None;
        let mut headings = Vec::new();
        let mut given_headings = Vec::new();
        let mut notation: Option<(Notation, Span)> = None;
        let mut label_heading = None;
        let mut well_formed = true;
        let mut notes = Vec::new();
        for setting in &table.settings {
            match setting {
                TableSetting::Title(text) => {
                    if title.replace(text.value.clone()).is_some() {
                        self.setting_twice("title", text.span);
                    }
                }
                TableSetting::Note(note) => notes.push(note.printed()),
                TableSetting::Label(text) => {
                    if label_heading.replace(text.value.clone()).is_some() {
                        self.setting_twice("label", text.span);
                    }
                }
                TableSetting::Unit(written, span) => {
                    if unit.replace((table_unit(written), *span)).is_some() {
                        self.setting_twice("unit", *span);
                    }
                }
                TableSetting::Rounding(written, span) => {
                    if rounding.replace((*written, *span)).is_some() {
                        self.setting_twice("rounding", *span);
                    }
                }
                TableSetting::Columns(written) => {
                    let span = written.span;
                    well_formed &= self.check_columns(&written.keys, span);
                    headings = written
                        .texts
                        .iter()
                        .map(|text| text.value.to_string())
                        .collect();
                    given_headings = written
                        .headings
                        .iter()
                        .map(|heading| heading.as_ref().map(|h| h.value.to_string()))
                        .collect();
                    let keys = written.keys.iter().map(|(key, _)| *key).collect();
                    if columns.replace((keys, span)).is_some() {
                        self.setting_twice("columns", span);
                        well_formed = false;
                    }
                }
                TableSetting::Notation(written, span) => {
                    if notation.replace((*written, *span)).is_some() {
                        self.setting_twice("notation", *span);
                    }
                }
                // The grammar gives only scales these.
                TableSetting::ScaleColumns(..) => {}
            }
        }
        // A table of words alone (`columns "Synergies"`) has no amounts to give a unit.
        let only_words = columns
            .as_ref()
            .is_some_and(|(keys, _)| keys.iter().all(ColumnKey::is_text));
        well_formed &= (unit.is_some() || only_words) && columns.is_some();
        let unit_span = unit.as_ref().map(|(_, span)| *span);
        let unit = unit.map(|(unit, _)| unit).unwrap_or_else(|| {
            if only_words {
                return TableUnit {
                    unit: Unit::Number,
                    scale: Scale::Units,
                };
            }
            self.missing_setting(
                table,
                "unit",
                "add a line such as `unit thousands of US$`, `unit US$`, `unit posts` or `unit %`",
            );
            TableUnit {
                unit: Unit::Number,
                scale: Scale::Units,
            }
        });
        let columns = columns.map(|(keys, _)| keys).unwrap_or_else(|| {
            self.missing_setting(
                table,
                "columns",
                "add a line such as `columns 2013 2014 Total`",
            );
            Vec::new()
        });
        let rounding = rounding.and_then(|(written, span)| {
            let step = written
                .step
                .value
                .checked_mul(factor(&unit))
                .filter(|step| *step > Decimal::ZERO);
            let Some(step) = step else {
                let problem = if written.step.value <= Decimal::ZERO {
                    ("a rounding step must be more than zero", "zero step")
                } else {
                    ("the rounding step is too large", "too large once scaled")
                };
                self.diagnostics.push(
                    Diagnostic::error(Code::TableSetting, problem.0)
                        .at(span, problem.1)
                        .with_help(
                            "write the precision the table is published at, such as `rounding 0.1`",
                        ),
                );
                return None;
            };
            Some(PublishedRounding {
                written: written.step,
                step,
                mode: written.mode,
            })
        });
        TableSettings {
            title: title.map(String::from),
            unit,
            unit_span,
            rounding,
            columns,
            headings,
            given_headings,
            notation: notation.map(|(notation, _)| notation),
            label_heading: label_heading.map(String::from),
            notes,
            well_formed,
        }
    }

    /// Checks a `columns` line; false when the table cannot be laid out from it.
    fn check_columns(&mut self, keys: &[(ColumnKey, Span)], span: Span) -> bool {
        let mut fine = true;
        for (i, (key, key_span)) in keys.iter().enumerate() {
            if let Some((_, first)) = keys[..i].iter().find(|(other, _)| other == key) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::TableSetting,
                        format!("the column {} is listed twice", column_name(*key)),
                    )
                    .at(*key_span, "listed again here")
                    .with_label(*first, "first listed here")
                    .with_help(
                        "each column appears once; remove the repetition or correct the year",
                    ),
                );
                fine = false;
            }
            if let ColumnKey::Period(period) = key {
                if period.first > period.last {
                    let forwards = format!("{}-{}", period.last, period.first);
                    self.diagnostics.push(
                        backwards_period(*period, *key_span, Code::TableSetting).with_correction(
                            format!("write {forwards}"),
                            *key_span,
                            forwards,
                        ),
                    );
                    fine = false;
                    continue;
                }
            }
            if let Some(problem) = self.outside_the_period(*key, *key_span) {
                self.diagnostics.push(problem);
                fine = false;
            }
        }
        let has_year = keys
            .iter()
            .any(|(key, _)| matches!(key, ColumnKey::Year(_)));
        if keys.iter().any(|(key, _)| *key == ColumnKey::Total) && !has_year {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::TableSetting,
                    "a Total column needs year columns to add up",
                )
                .at(span, "Total of what?")
                .with_help("list the years before Total, for example `columns 2013 2014 Total`"),
            );
            fine = false;
        }
        fine
    }

    fn outside_the_period(&self, key: ColumnKey, span: Span) -> Option<Diagnostic> {
        let period = self.program.decision.period?;
        column_outside_the_period(period, self.period_at, key, span)
    }

    fn setting_twice(&mut self, setting: &str, span: Span) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::TableSetting,
                format!("the table's `{setting}` is given twice"),
            )
            .at(span, "second time")
            .with_help("keep one"),
        );
    }

    fn missing_setting(&mut self, table: &ast::Table, setting: &str, help: &str) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::TableSetting,
                format!("table `{}` does not say its `{setting}`", table.name.name),
            )
            .at(table.name.span, format!("`{setting}` missing"))
            .with_help(help),
        );
    }

    fn declare_entries(
        &mut self,
        table: TableId,
        entries: &'a [ast::Entry],
        depth: usize,
    ) -> Vec<Line> {
        let mut lines = Vec::new();
        for entry in entries {
            match entry {
                ast::Entry::Row(row) => lines.push(Line::Row(self.declare_row(table, row, depth))),
                ast::Entry::Section(section) => {
                    let id = SectionId(self.program.sections.len());
                    self.program.sections.push(SectionDef {
                        table,
                        depth,
                        marker: section.marker.as_ref().map(|m| m.value.clone()),
                        name: section.name.as_ref().map(|n| n.name.clone()),
                        label: section.label.value.clone(),
                        rows: Vec::new(),
                        span: section.span,
                    });
                    if let Some(name) = &section.name {
                        self.declare_local(table, name, Local::Section(id));
                    }
                    lines.push(Line::Section(id));
                    let inner = self.declare_entries(table, &section.entries, depth + 1);
                    let rows = self.rows_below(&inner);
                    self.program.sections[id.0].rows = rows;
                    lines.extend(inner);
                }
            }
        }
        lines
    }

    fn rows_below(&self, lines: &[Line]) -> Vec<RowId> {
        lines
            .iter()
            .filter_map(|line| match line {
                Line::Row(row) => Some(*row),
                Line::Section(_) => None,
            })
            .collect()
    }

    fn declare_local(&mut self, table: TableId, name: &'a ast::Ident, local: Local) {
        let locals = &mut self.locals[table.0];
        if let Some((_, first)) = locals.get(name.name.as_str()) {
            let first = *first;
            self.duplicate(
                &name.name,
                name.span,
                first,
                "a row or section of this table",
            );
            return;
        }
        locals.insert(name.name.as_str(), (local, name.span));
        self.local_order[table.0].push(name.name.as_str());
    }

    fn declare_row(&mut self, table: TableId, row: &'a ast::Row, depth: usize) -> RowId {
        let id = RowId(self.program.rows.len());
        let columns = self.program.table(table).columns.len();
        let scale = self.checked_scale(table, row);
        let count_fits = scale.is_some()
            && (row.figures.len() == columns || (row.formula.is_some() && row.figures.is_empty()));
        // In a table whose columns are wrong the count is meaningless; that table's
        // setting error says what to fix.
        if !count_fits && scale.is_some() && self.program.table(table).well_formed {
            self.figure_count_mismatch(table, row);
        }
        let figures_fit = count_fits && self.figures_in_their_columns(table, row);
        let formula = match (&row.formula, figures_fit) {
            (Some(expr), _) => {
                self.pending_rows.push((id, expr));
                Some(invalid(expr.span))
            }
            // An input row whose figures cannot be placed has no value in any column.
            (None, false) => Some(invalid(row.label.span)),
            (None, true) => None,
        };
        self.program.rows.push(RowDef {
            table,
            depth,
            marker: row.marker.as_ref().map(|m| m.value.clone()),
            name: row.name.as_ref().map(|n| n.name.clone()),
            label: row.label.value.clone(),
            figures: if figures_fit {
                row.figures.clone()
            } else {
                std::sync::Arc::default()
            },
            scale: scale.unwrap_or(Decimal::ZERO),
            formula: formula.map(Box::new),
            span: row.span,
        });
        if let Some(name) = &row.name {
            self.declare_local(table, name, Local::Row(id));
        }
        id
    }

    /// Words go in text columns and figures in the others; each one out of place is
    /// reported. False when any is.
    fn figures_in_their_columns(&mut self, table: TableId, row: &ast::Row) -> bool {
        let table = self.program.table(table);
        let mut fine = true;
        for (figure, column) in row.figures.iter().zip(&table.columns) {
            let is_text = column.is_text();
            let diagnostic = match (&figure.kind, is_text) {
                (FigureKind::Blank, _) | (FigureKind::Text(_), true) => continue,
                (FigureKind::Number(_) | FigureKind::Dash | FigureKind::Absent, false) => continue,
                (FigureKind::Text(_), false) => Diagnostic::error(
                    Code::TableFigures,
                    format!(
                        "words in the {} column of {}, which holds amounts",
                        column_name(*column),
                        table.display_name()
                    ),
                )
                .at(figure.span, "text where an amount goes")
                .with_help(
                    "write the figure, `-` for a dash, `_` for a blank or `absent` for an amount not given; \
                     for a column of words, name it in `columns`, such as `columns \"Synergies\" 2014`",
                ),
                (_, true) => Diagnostic::error(
                    Code::TableFigures,
                    format!(
                        "a figure in the text column \"{}\" of {}",
                        table.heading(*column),
                        table.display_name()
                    ),
                )
                .at(figure.span, "an amount where words go")
                .with_help("write the words in double quotes, or `_` to leave the cell empty"),
            };
            self.diagnostics.push(diagnostic);
            fine = false;
        }
        fine
    }

    /// The factor that turns the row's figures into the currency's units, or `None`
    /// (with a diagnostic) when one of them is too large once scaled.
    fn checked_scale(&mut self, table: TableId, row: &ast::Row) -> Option<Decimal> {
        let table = self.program.table(table);
        let scale = factor(&table.unit);
        let too_large = row.figures.iter().find(|figure| match &figure.kind {
            FigureKind::Number(written) => written.value.checked_mul(scale).is_none(),
            FigureKind::Dash | FigureKind::Blank | FigureKind::Absent | FigureKind::Text(_) => {
                false
            }
        });
        let Some(figure) = too_large else {
            return Some(scale);
        };
        let unit = table.unit.describe();
        self.diagnostics.push(
            Diagnostic::error(Code::EvalOverflow, format!("this figure is too large to hold in {unit}"))
                .at(figure.span, "too large once scaled")
                .with_help("check the figure for a typo; bud computes exactly up to about 7.9 × 10^28 in the currency's units"),
        );
        None
    }

    fn figure_count_mismatch(&mut self, table: TableId, row: &ast::Row) {
        if let Some(diagnostic) = misspelt_setting(row) {
            self.diagnostics.push(diagnostic);
            return;
        }
        let table = self.program.table(table);
        let columns = table
            .columns
            .iter()
            .map(|c| column_name(*c))
            .collect::<Vec<_>>();
        let span = match (row.figures.first(), row.figures.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => row.label.span,
        };
        let found = row.figures.len();
        let diagnostic = Diagnostic::error(
            Code::TableFigures,
            format!(
                "row \"{}\" has {found} figure{} but {} has {} column{} ({})",
                row.label.value,
                if found == 1 { "" } else { "s" },
                table.display_name(),
                columns.len(),
                if columns.len() == 1 { "" } else { "s" },
                columns.join(", ")
            ),
        )
        .at(
            span,
            format!("{found} figure{}", if found == 1 { "" } else { "s" }),
        )
        .with_help(
            "write one figure per column, in order; use - for a published dash and _ for a blank cell",
        );
        self.diagnostics.push(diagnostic);
    }

    // ------------------------------------------------------------ binding

    fn bind(&mut self) {
        for (id, definition, scope) in std::mem::take(&mut self.pending_values) {
            let Some(expr) = &definition.value else {
                continue;
            };
            let formula = self.formula(expr, scope);
            let stated = definition.stated.as_ref().and_then(|literal| {
                self.stated_literal(literal, definition.stated_rounding.as_ref())
            });
            let value = &mut self.program.values[id.0];
            let rule = match definition.index {
                None => value.scalar.as_mut(),
                Some(YearIndex::Year(year, _)) => value.by_year.get_mut(&year),
                Some(YearIndex::EveryYear(_)) => value.every_year.as_mut(),
            };
            if let Some(rule) = rule {
                rule.formula = formula;
                rule.stated = stated;
            }
        }
        for definition in std::mem::take(&mut self.pending_stated) {
            self.attach_stated(definition);
        }
        for (id, amount) in std::mem::take(&mut self.pending_amounts) {
            let formula = self.formula(amount, Scope::Global);
            for rule in self.program.values[id.0].by_year.values_mut() {
                rule.formula = formula.clone();
            }
        }
        for (id, expr) in std::mem::take(&mut self.pending_rows) {
            let table = self.program.row(id).table;
            let formula = self.formula(expr, Scope::Table(table));
            self.check_exceptions(table, &formula);
            self.program.rows[id.0].formula = Some(Box::new(formula));
        }
    }

    /// `reserve_level[2016] stated EUR 2,269,782`: the figure belongs to a value defined
    /// elsewhere, for a year its rules give, and is stated once.
    fn attach_stated(&mut self, definition: &ast::Definition) {
        let name = &definition.name.name;
        let Some(&id) = self.values.get(name.as_str()) else {
            let names: Vec<&str> = self.values.keys().map(|n| n.as_str()).collect();
            let diagnostic =
                Diagnostic::error(Code::NameUnknown, format!("there is no value `{name}`"))
                    .at(definition.name.span, "unknown value");
            self.diagnostics.push(match closest(name, names) {
                Some(suggestion) => did_you_mean(diagnostic, definition.name.span, suggestion),
                None => diagnostic.with_help(format!(
                    "a figure stated on its own line belongs to a value defined elsewhere; to define one, write `{name} = …  stated …`"
                )),
            });
            return;
        };
        let year = match definition.index {
            Some(YearIndex::Year(year, _)) => Some(year),
            None => None,
            Some(YearIndex::EveryYear(span)) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::TableColumn,
                        format!("a stated figure of `{name}` is for one year"),
                    )
                    .at(span, "not a year")
                    .with_help(format!("write `{name}[2016] stated …`, a line per year")),
                );
                return;
            }
        };
        let value = &self.program.values[id.0];
        let problem = if value.is_yearly() != year.is_some() {
            Some(match year {
                Some(year) => (
                    format!("`{name}` is one value, not a value per year"),
                    format!("write `{name} stated …` without `[{year}]`"),
                ),
                None => (
                    format!("`{name}` has a value per year: name the year"),
                    format!("write `{name}[2016] stated …`"),
                ),
            })
        } else if value.rule_for(year).is_none() {
            Some((
                format!(
                    "`{name}` has no rule for {}",
                    year.map_or("this".to_owned(), |y| y.to_string())
                ),
                "a figure stated on its own line is checked against the value's rule for that year"
                    .to_owned(),
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            self.diagnostics.push(
                Diagnostic::error(Code::TableColumn, message)
                    .at(definition.span, "stated here")
                    .with_help(help),
            );
            return;
        }
        let first = value
            .rule_for(year)
            .and_then(|rule| rule.stated.as_ref().map(|_| rule.span))
            .or_else(|| value.stated_apart.get(&year).map(|stated| stated.span));
        if let Some(first) = first {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::NameDuplicate,
                    format!("the figure of `{name}` is stated twice"),
                )
                .at(definition.span, "stated again here")
                .with_label(first, "first stated here")
                .with_help("keep one stated figure for each year"),
            );
            return;
        }
        let stated = definition
            .stated
            .as_ref()
            .and_then(|literal| self.stated_literal(literal, definition.stated_rounding.as_ref()));
        if let Some(stated) = stated {
            self.program.values[id.0].stated_apart.insert(year, stated);
        }
    }

    /// `except 2016`: a year or period column of the table, once.
    fn check_exceptions(&mut self, table: TableId, formula: &Formula) {
        let FormulaKind::Except { columns, .. } = &formula.kind else {
            return;
        };
        let table = self.program.table(table);
        let mut seen: Vec<ColumnKey> = Vec::new();
        let mut problems = Vec::new();
        for (key, _, span) in columns {
            let problem = if seen.contains(key) {
                Some((
                    format!("the column {} is excepted twice", column_name(*key)),
                    "keep one `except` for the column".to_owned(),
                ))
            } else if *key == ColumnKey::Total {
                Some((
                    "the Total column cannot have a rule of its own".to_owned(),
                    "bud always computes a Total as the sum of the row's year columns".to_owned(),
                ))
            } else if table.column_index(*key).is_none() {
                let columns = table.column_list();
                Some((
                    format!(
                        "{} has no column {}",
                        table.display_name(),
                        column_name(*key)
                    ),
                    format!("its columns are {columns}"),
                ))
            } else {
                None
            };
            seen.push(*key);
            if let Some((message, help)) = problem {
                problems.push(
                    Diagnostic::error(Code::TableColumn, message)
                        .at(*span, "this `except`")
                        .with_help(help),
                );
            }
        }
        self.diagnostics.extend(problems);
    }

    /// A stated figure, with the step it is rounded to: its last written digit, or the
    /// coarser step `rounding` gives, in the figure's own unit.
    fn stated_literal(
        &mut self,
        literal: &ast::Literal,
        rounding: Option<&ast::Rounding>,
    ) -> Option<Stated> {
        let written = match &literal.kind {
            ast::LiteralKind::Number(w)
            | ast::LiteralKind::Percent(w)
            | ast::LiteralKind::Posts(w)
            | ast::LiteralKind::Money { amount: w, .. } => *w,
            ast::LiteralKind::Ratio(_) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::UnitMismatch, "a ratio cannot be a stated figure")
                        .at(literal.span, "a ratio")
                        .with_help("state an amount, a rate, posts or a number; a ratio is a rule, written as `name = 85:15`"),
                );
                return None;
            }
        };
        let Some((value, unit)) = constant(literal) else {
            self.diagnostics.push(literal_too_large(literal.span));
            return None;
        };
        let per_written_unit = match &literal.kind {
            ast::LiteralKind::Money { scale, .. } => scale.factor(),
            ast::LiteralKind::Percent(_) => Decimal::new(1, 2),
            _ => Decimal::ONE,
        };
        let last_digit = Decimal::new(1, written.decimals);
        let written_step = rounding.map_or(last_digit, |r| r.step.value);
        let step = written_step.checked_mul(per_written_unit);
        let Some(step) = step.filter(|step| *step > Decimal::ZERO) else {
            self.diagnostics.push(
                Diagnostic::error(Code::TableSetting, "a rounding step must be more than zero")
                    .at(literal.span, "this stated figure's rounding")
                    .with_help(
                        "write the step the decision rounds the figure to, such as `rounding 100`",
                    ),
            );
            return None;
        };
        Some(Stated {
            value: value.to_decimal(),
            written,
            unit,
            span: literal.span,
            step,
            mode: rounding.map_or(ast::RoundingMode::HalfUp, |r| r.mode),
        })
    }

    /// Resolves a formula; a formula with an unknown name becomes `Invalid` after its
    /// diagnostic is recorded, so that evaluation can go on with the rest.
    fn formula(&mut self, expr: &ast::Expr, scope: Scope) -> Formula {
        match self.try_formula(expr, scope) {
            Ok(formula) => formula,
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                invalid(expr.span)
            }
        }
    }

    fn try_formula(&mut self, expr: &ast::Expr, scope: Scope) -> Result<Formula, Diagnostic> {
        let kind = match &expr.kind {
            ast::ExprKind::Literal(literal) => match &literal.kind {
                ast::LiteralKind::Ratio(parts) => {
                    let parts: Vec<Decimal> = parts.iter().map(|p| p.value).collect();
                    if let Some(problem) = ratio_out_of_range(&parts, literal.span) {
                        return Err(problem);
                    }
                    FormulaKind::Ratio(parts)
                }
                ast::LiteralKind::Percent(written) if written.value > Decimal::ONE_HUNDRED => {
                    return Err(percent_out_of_range(written.value, literal.span)
                        .unwrap_or_else(|| literal_too_large(literal.span)));
                }
                _ => {
                    let (value, unit) =
                        constant(literal).ok_or_else(|| literal_too_large(literal.span))?;
                    FormulaKind::Constant { value, unit }
                }
            },
            ast::ExprKind::Year => FormulaKind::Year,
            ast::ExprKind::Reference(reference) => self.reference(reference, expr.span, scope)?,
            ast::ExprKind::Negate(inner) => {
                FormulaKind::Negate(Box::new(self.try_formula(inner, scope)?))
            }
            ast::ExprKind::Binary { op, lhs, rhs } => FormulaKind::Binary {
                op: *op,
                lhs: Box::new(self.try_formula(lhs, scope)?),
                rhs: Box::new(self.try_formula(rhs, scope)?),
            },
            ast::ExprKind::Call { function, args } => {
                self.call(function, args, expr.span, scope)?
            }
            ast::ExprKind::Except { rule, columns } => {
                let rule = Box::new(self.try_formula(rule, scope)?);
                let mut resolved = Vec::with_capacity(columns.len());
                for column in columns {
                    let other = match &column.rule {
                        Some(other) => Some(self.try_formula(other, scope)?),
                        None => None,
                    };
                    resolved.push((column.column, other, column.span));
                }
                FormulaKind::Except {
                    rule,
                    columns: resolved,
                }
            }
            ast::ExprKind::Convert { inner, to, to_span } => FormulaKind::Convert {
                inner: Box::new(self.try_formula(inner, scope)?),
                to: table_unit(to).unit,
                to_span: *to_span,
            },
        };
        Ok(Formula {
            kind,
            span: expr.span,
        })
    }

    fn call(
        &mut self,
        function: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        scope: Scope,
    ) -> Result<FormulaKind, Diagnostic> {
        match function.name.as_str() {
            "sum" => {
                if args.is_empty() {
                    return Err(Diagnostic::error(
                        Code::EvalArguments,
                        "`sum()` needs something to add up",
                    )
                    .at(span, "nothing to sum")
                    .with_help(
                        "name a section, such as `sum(expenditures)`, or rows: `sum(a, b, c)`",
                    ));
                }
                let mut terms = Vec::new();
                let mut sections = Vec::new();
                for arg in args {
                    if let ast::ExprKind::Reference(reference) = &arg.kind {
                        if let Target::Section(id) = self.target(reference, scope)? {
                            sections.push(SectionTerm {
                                id,
                                at: at(reference),
                                span: arg.span,
                            });
                            continue;
                        }
                    }
                    terms.push(self.try_formula(arg, scope)?);
                }
                Ok(FormulaKind::Sum { terms, sections })
            }
            "share" => {
                let part = match args {
                    [_, part] => match &part.kind {
                        ast::ExprKind::Literal(ast::Literal {
                            kind: ast::LiteralKind::Number(written),
                            ..
                        }) if written.value.fract().is_zero() && written.value >= Decimal::ONE => {
                            written.value.to_usize()
                        }
                        _ => None,
                    },
                    _ => None,
                };
                let Some(part) = part else {
                    return Err(Diagnostic::error(
                        Code::EvalArguments,
                        "`share` takes a ratio and the number of one of its parts",
                    )
                    .at(span, "for example share(cost_sharing, 2)")
                    .with_help("share(85:15, 2) is 15/100: the second part's share of the whole"));
                };
                let ratio = Box::new(self.try_formula(&args[0], scope)?);
                Ok(FormulaKind::Share { ratio, part })
            }
            "published" => self.published(args, span, scope),
            "round" => match args {
                [value, step] => Ok(FormulaKind::Round {
                    value: Box::new(self.try_formula(value, scope)?),
                    step: Box::new(self.try_formula(step, scope)?),
                }),
                _ => Err(Diagnostic::error(
                    Code::EvalArguments,
                    "`round` takes an amount and the step to round it to",
                )
                .at(span, "for example round(x, US$ 0.1 thousand)")
                .with_help("round(x, US$ 100) rounds half-up to a multiple of US$ 100")),
            },
            unknown => {
                let mut diagnostic = Diagnostic::error(
                    Code::NameUnknown,
                    format!("there is no function `{unknown}`"),
                )
                .at(function.span, "unknown function");
                diagnostic = match closest(unknown, FUNCTIONS) {
                    Some(suggestion) => did_you_mean(diagnostic, function.span, suggestion),
                    None => diagnostic.with_help(
                        "the functions are sum(…), share(ratio, part), published(table.row[column]) and round(x, step)",
                    ),
                };
                Err(diagnostic)
            }
        }
    }

    /// `published(core_budget.grand_total[Total])`: one row of a table, read as printed.
    fn published(
        &mut self,
        args: &[ast::Expr],
        span: Span,
        scope: Scope,
    ) -> Result<FormulaKind, Diagnostic> {
        let usage = || {
            Diagnostic::error(
                Code::EvalArguments,
                "`published` takes one figure of a table: a row, with its column",
            )
            .at(span, "for example published(core_budget.grand_total[Total])")
            .with_help("it reads the figure as the table prints it, where a rule refers to the printed figure rather than to bud's computation")
        };
        let [argument] = args else {
            return Err(usage());
        };
        let ast::ExprKind::Reference(reference) = &argument.kind else {
            return Err(usage());
        };
        match self.target(reference, scope)? {
            Target::Row(id) => Ok(FormulaKind::Published {
                id,
                at: at(reference),
            }),
            Target::Value(_) => Err(Diagnostic::error(
                Code::NameKind,
                format!(
                    "`{}` is a value, which has no published figure",
                    reference.name.name
                ),
            )
            .at(argument.span, "a value")
            .with_help("published(…) reads a row of a table; use the value itself")),
            Target::Section(_) | Target::Table(_) => {
                self.reference(reference, argument.span, scope)
            }
        }
    }

    fn reference(
        &mut self,
        reference: &ast::Reference,
        span: Span,
        scope: Scope,
    ) -> Result<FormulaKind, Diagnostic> {
        if let Some(imported) = self.imported_reference(reference) {
            return imported;
        }
        let at = at(reference);
        match self.target(reference, scope)? {
            Target::Value(id) => {
                if matches!(at, At::Column(ColumnKey::Total | ColumnKey::Period(_))) {
                    return Err(Diagnostic::error(
                        Code::TableColumn,
                        format!(
                            "`{}` is a value, not a table row; it has one figure per year",
                            reference.name.name
                        ),
                    )
                    .at(span, "no such column for a value")
                    .with_help(self.years_help(&reference.name.name)));
                }
                Ok(FormulaKind::Value { id, at })
            }
            Target::Row(id) => Ok(FormulaKind::Row { id, at }),
            Target::Section(section) => {
                let name = &reference.name.name;
                let diagnostic =
                    Diagnostic::error(Code::NameKind, format!("`{name}` is a section, not a row"))
                        .at(span, "a section has no figures of its own")
                        .with_label(self.program.section(section).span, "the section")
                        .with_help(format!("write `sum({name})` for the total of its rows"));
                // The edit, where the reference is the bare name the help rewrites.
                let bare = reference.decision.is_none()
                    && reference.qualifier.is_none()
                    && reference.index.is_none();
                Err(match bare {
                    true => diagnostic.with_correction(
                        format!("write `sum({name})`"),
                        reference.name.span,
                        format!("sum({name})"),
                    ),
                    false => diagnostic,
                })
            }
            Target::Table(table) => {
                let table = self.program.table(table);
                let example = self.example_row(table);
                Err(Diagnostic::error(
                    Code::NameKind,
                    format!("`{}` is a table, not a figure", table.name),
                )
                .at(span, "a table has many figures")
                .with_help(format!(
                    "name one of its rows, such as `{}.{example}`",
                    table.name
                )))
            }
        }
    }

    /// An imported decision's name must not also be a table's: `cop.x` would mean two
    /// things.
    fn check_import_names(&mut self) {
        let mut problems = Vec::new();
        for imported in &self.program.imports {
            if let Some(table) = self.tables.get(imported.alias.as_str()) {
                problems.push(
                    Diagnostic::error(
                        Code::NameDuplicate,
                        format!(
                            "`{}` names both a table and the decision imported as {}",
                            imported.alias,
                            imported.symbol()
                        ),
                    )
                    .at(imported.at, "the import")
                    .with_label(self.program.table(*table).name_span, "the table")
                    .with_help("import the decision under another name: `import \"…\" as cop`"),
                );
            }
        }
        self.diagnostics.extend(problems);
    }

    /// `cop.core_budget.indicative`, `cop.reserve_level` or `cop.annex["Japan"]`: a
    /// figure of a decision imported under a name. `None` when the reference names no
    /// imported decision.
    fn imported_reference(
        &self,
        reference: &ast::Reference,
    ) -> Option<Result<FormulaKind, Diagnostic>> {
        let (alias, table) = match (&reference.decision, &reference.qualifier) {
            (Some(decision), table) => (decision, table.as_ref()),
            (None, Some(qualifier))
                if !self.tables.contains_key(qualifier.name.as_str())
                    && self.import_named(&qualifier.name).is_some() =>
            {
                (qualifier, None)
            }
            _ => return None,
        };
        let Some(import) = self.import_named(&alias.name) else {
            return Some(Err(self.unknown_decision(alias)));
        };
        let imported = &self.program.imports[import];
        let at = at(reference);
        let target = match table {
            Some(table) => imported_row(imported, table, &reference.name),
            None => imported_value_or_rate(imported, reference),
        };
        Some(target.map(|target| FormulaKind::Imported { import, target, at }))
    }

    fn import_named(&self, alias: &str) -> Option<usize> {
        self.program.imports.iter().position(|i| i.alias == alias)
    }

    fn unknown_decision(&self, alias: &ast::Ident) -> Diagnostic {
        let names: Vec<&str> = self
            .program
            .imports
            .iter()
            .map(|i| i.alias.as_str())
            .collect();
        let diagnostic = Diagnostic::error(
            Code::NameUnknown,
            format!("no decision is imported as `{}`", alias.name),
        )
        .at(alias.span, "not an imported decision");
        match closest(&alias.name, names.iter().copied()) {
            Some(name) => did_you_mean(diagnostic, alias.span, name),
            None if names.is_empty() => diagnostic.with_help(
                "import the decision under that name first: `import \"22-cp-21.bud\" as cop`",
            ),
            None => {
                diagnostic.with_help(format!("the imported decisions are {}", names.join(", ")))
            }
        }
    }

    fn example_row(&self, table: &TableDef) -> String {
        let id = self.tables.get(&table.name);
        id.and_then(|id| {
            self.locals[id.0]
                .iter()
                .filter(|(_, (local, _))| matches!(local, Local::Row(_)))
                .min_by_key(|(_, (_, span))| *span)
                .map(|(name, _)| (*name).to_owned())
        })
        .unwrap_or_else(|| "row".to_owned())
    }

    /// What a name refers to, in the scope of a table's formulas or of the decision.
    fn target(&self, reference: &ast::Reference, scope: Scope) -> Result<Target, Diagnostic> {
        if let Some(ast::ReferenceIndex::Text(heading, span)) = &reference.index {
            return Err(words_in_a_formula(reference, heading, *span));
        }
        let name = &reference.name;
        if let Some(qualifier) = &reference.qualifier {
            let Some(table) = self.tables.get(qualifier.name.as_str()) else {
                return Err(self.unknown_table(qualifier));
            };
            return match self.locals[table.0].get(name.name.as_str()) {
                Some((Local::Row(row), _)) => Ok(Target::Row(*row)),
                Some((Local::Section(section), _)) => Ok(Target::Section(*section)),
                None => Err(self.unknown_in_table(*table, name)),
            };
        }
        let local = match scope {
            Scope::Table(table) => self.locals[table.0].get(name.name.as_str()).copied(),
            Scope::Global => None,
        };
        let global = self
            .values
            .get(name.name.as_str())
            .map(|id| (Target::Value(*id), self.program.value(*id).name_span))
            .or_else(|| {
                self.tables
                    .get(name.name.as_str())
                    .map(|id| (Target::Table(*id), self.program.table(*id).name_span))
            });
        match (local, global) {
            (Some((local, local_span)), Some((_, global_span))) => Err(Diagnostic::error(
                Code::NameAmbiguous,
                format!(
                    "`{}` names both a row of this table and a value of the decision",
                    name.name
                ),
            )
            .at(name.span, "which one?")
            .with_label(local_span, "the row")
            .with_label(global_span, "the value")
            .with_help(match local {
                Local::Row(_) | Local::Section(_) => {
                    "rename the row or the value so that each name means one thing"
                }
            })),
            (Some((Local::Row(row), _)), None) => Ok(Target::Row(row)),
            (Some((Local::Section(section), _)), None) => Ok(Target::Section(section)),
            (None, Some((target, _))) => Ok(target),
            (None, None) => Err(self.unknown_name(name, scope)),
        }
    }

    /// "write `x[2013]` for one year, or `x[2013] + x[2014]` for the years together"
    fn years_help(&self, name: &str) -> String {
        let years = self.program.decision.years();
        let Some(first) = years.first() else {
            return format!("write `{name}[2013]` for one year");
        };
        let together: Vec<String> = years.iter().map(|year| format!("{name}[{year}]")).collect();
        format!(
            "write `{name}[{first}]` for one year, or `{}` for the years together",
            together.join(" + ")
        )
    }

    /// Whether another "did you mean" search is still affordable.
    fn may_suggest(&self) -> bool {
        let done = self.suggestions.get();
        self.suggestions.set(done + 1);
        done < MAX_SUGGESTIONS
    }

    fn unknown_name(&self, name: &ast::Ident, scope: Scope) -> Diagnostic {
        let diagnostic =
            Diagnostic::error(Code::NameUnknown, format!("`{}` is not defined", name.name))
                .at(name.span, "unknown name");
        if self.may_suggest() {
            let mut candidates: Vec<&str> = self.values.keys().map(String::as_str).collect();
            candidates.extend(self.tables.keys().map(String::as_str));
            if let Scope::Table(table) = scope {
                candidates.extend(self.locals[table.0].keys().copied());
            }
            candidates.sort_unstable();
            if let Some(suggestion) = closest(&name.name, candidates) {
                return did_you_mean(diagnostic, name.span, suggestion);
            }
        }
        // A row of another table, used without its table's name.
        let owner = self
            .locals
            .iter()
            .enumerate()
            .find(|(_, locals)| locals.contains_key(name.name.as_str()))
            .map(|(index, _)| &self.program.tables[index].name);
        match owner {
            Some(table) => diagnostic
                .with_help(format!(
                    "`{}` is a row of table `{table}`; outside that table write `{table}.{}`",
                    name.name, name.name
                ))
                .with_correction(
                    format!("write `{table}.{}`", name.name),
                    name.span,
                    format!("{table}.{}", name.name),
                ),
            None => diagnostic
                .with_help("define it with `name = …` in a paragraph, or as a row of a table"),
        }
    }

    fn unknown_table(&self, name: &ast::Ident) -> Diagnostic {
        let mut tables: Vec<&str> = self.tables.keys().map(String::as_str).collect();
        tables.sort_unstable();
        let diagnostic = Diagnostic::error(
            Code::NameUnknown,
            format!("there is no table `{}`", name.name),
        )
        .at(name.span, "unknown table");
        match closest(&name.name, tables.iter().copied()) {
            Some(suggestion) => did_you_mean(diagnostic, name.span, suggestion),
            None => diagnostic.with_help(format!("the tables are {}", tables.join(", "))),
        }
    }

    fn unknown_in_table(&self, table: TableId, name: &ast::Ident) -> Diagnostic {
        let table_name = &self.program.table(table).name;
        let names = &self.local_order[table.0];
        let diagnostic = Diagnostic::error(
            Code::NameUnknown,
            format!("table `{table_name}` has no row or section `{}`", name.name),
        )
        .at(name.span, "unknown row");
        let suggestion = if self.may_suggest() {
            closest(&name.name, names.iter().copied())
        } else {
            None
        };
        match suggestion {
            Some(suggestion) => diagnostic
                .with_help(format!("did you mean `{table_name}.{suggestion}`?"))
                .with_correction(format!("change to `{suggestion}`"), name.span, suggestion),
            None => diagnostic.with_help(format!(
                "its named rows and sections are {}",
                some_of(names)
            )),
        }
    }
}

const DECISION_FIELDS: [&str; 6] = [
    "title", "meeting", "issuer", "period", "currency", "notation",
];

/// How many "did you mean" searches one file gets.
const MAX_SUGGESTIONS: usize = 100;

/// "a, b, c" or, for a long list, "a, b, …, j, … (and 9,990 more)".
fn some_of(names: &[&str]) -> String {
    const SHOWN: usize = 10;
    if names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{}, … (and {} more)",
        names[..SHOWN].join(", "),
        crate::format::exact(Decimal::from(names.len() - SHOWN))
    )
}

struct TableSettings {
    well_formed: bool,
    title: Option<String>,
    unit: TableUnit,
    unit_span: Option<Span>,
    rounding: Option<PublishedRounding>,
    columns: Vec<ColumnKey>,
    headings: Vec<String>,
    given_headings: Vec<Option<String>>,
    notation: Option<Notation>,
    label_heading: Option<String>,
    notes: Vec<String>,
}

/// An amount whose scale (`million`) takes it beyond what bud can hold.
fn literal_too_large(span: Span) -> Diagnostic {
    Diagnostic::error(Code::EvalOverflow, "this amount is too large to hold exactly")
        .at(span, "too large once scaled")
        .with_help("check the amount for a typo; bud computes exactly up to about 7.9 × 10^28 in the currency's units")
}

/// Where the first item of a file starts (the start of the file if it has none).
fn first_item(file: &ast::File) -> Span {
    let start = file.items.first().map_or(0, |item| item.span().start());
    Span::new(start, start)
}

/// What is wrong with a period of days, if anything: a day its month does not have,
/// or a last day before the first.
fn dates_problem(dates: ast::Dates) -> Option<String> {
    for date in [dates.first, dates.last] {
        if !date.exists() {
            return Some(format!(
                "{} {} is not a day",
                date.day_and_month(),
                date.year
            ));
        }
    }
    (dates.first > dates.last).then(|| format!("the period {dates} runs backwards"))
}

/// A year column after the decision's period, or before the period as long before
/// it: a table may show the previous period beside its own, for comparison
/// (22/CP.21's staffing table shows 2015 beside 2016 and 2017), never a later one.
/// At the year, with the decision's `period` line labelled when it is known.
pub(crate) fn column_outside_the_period(
    period: ast::Period,
    period_at: Option<Span>,
    key: ColumnKey,
    span: Span,
) -> Option<Diagnostic> {
    let (first, last) = match key {
        ColumnKey::Year(year) => (year, year),
        ColumnKey::Period(columns) => (columns.first, columns.last),
        ColumnKey::Total | ColumnKey::Text(_) => return None,
    };
    let length = period.last - period.first + 1;
    let earliest = period.first - length;
    if first >= earliest && last <= period.last {
        return None;
    }
    let column = column_name(key);
    let shown = format!("{}-{}", period.first, period.last);
    let (label, help) = if last > period.last {
        (
            format!("after {}, the period's last year", period.last),
            format!(
                "correct the year; a column for a year after the period belongs to a scenario that sets its own, such as `period {}-{last}` in the scenario",
                period.first
            ),
        )
    } else {
        (
            format!("before {earliest}, the earliest year a table of this period shows"),
            format!(
                "correct the year; a table may show the {length} year{} before the period for comparison, from {earliest}",
                if length == 1 { "" } else { "s" }
            ),
        )
    };
    let mut problem = Diagnostic::error(
        Code::TableSetting,
        format!("the column {column} is outside the decision's period, {shown}"),
    )
    .at(span, label)
    .with_help(help);
    if let Some(period_at) = period_at {
        problem = problem.with_label(period_at, format!("the period is {shown}"));
    }
    Some(problem)
}

/// `2014-2013`: a period must run forwards.
fn backwards_period(period: ast::Period, span: Span, code: Code) -> Diagnostic {
    Diagnostic::error(
        code,
        format!("the period {}-{} runs backwards", period.first, period.last),
    )
    .at(span, "the first year comes after the last")
    .with_help(format!("write {}-{}", period.last, period.first))
}

/// `coordination["Synergies"] + 1`: a text cell read where only amounts can go.
fn words_in_a_formula(reference: &ast::Reference, heading: &ast::Text, span: Span) -> Diagnostic {
    let row = match &reference.qualifier {
        Some(table) => format!("{}.{}", table.name, reference.name.name),
        None => reference.name.name.to_string(),
    };
    Diagnostic::error(
        Code::UnitText,
        format!(
            "`{row}[\"{}\"]` is words, and a formula computes only with amounts",
            heading.value
        ),
    )
    .at(span, "a text column")
    .with_label(reference.name.span, "the row read")
    .with_help(format!(
        "read one of the row's amount columns, such as `{row}[2014]`; text cells are shown, never added or multiplied"
    ))
}

/// `cop.core_budget.indicative`: a row of a table of an imported decision.
fn imported_row(
    imported: &super::ImportedModel,
    table: &ast::Ident,
    name: &ast::Ident,
) -> Result<ImportedTarget, Diagnostic> {
    let program = &imported.model.program;
    let Some(table_id) = program.tables.iter().position(|t| t.name == table.name) else {
        let names = program.tables.iter().map(|t| t.name.as_str());
        let diagnostic = Diagnostic::error(
            Code::NameUnknown,
            format!("{} has no table `{}`", imported.symbol(), table.name),
        )
        .at(table.span, "no such table there");
        return Err(match closest(&table.name, names) {
            Some(name) => diagnostic
                .with_help(format!("did you mean `{}.{name}`?", imported.alias))
                .with_correction(format!("change to `{name}`"), table.span, name),
            None => diagnostic.with_help(format!("name a table of {}", imported.symbol())),
        });
    };
    let rows = || {
        program
            .rows
            .iter()
            .enumerate()
            .filter(move |(_, row)| row.table.0 == table_id)
    };
    match rows().find(|(_, row)| row.name.as_deref() == Some(name.name.as_str())) {
        Some((row, _)) => Ok(ImportedTarget::Row(RowId(row))),
        None => {
            let diagnostic = Diagnostic::error(
                Code::NameUnknown,
                format!(
                    "table `{}` of {} has no row `{}`",
                    table.name,
                    imported.symbol(),
                    name.name
                ),
            )
            .at(name.span, "no such row there");
            let names = rows().filter_map(|(_, row)| row.name.as_deref());
            Err(match closest(&name.name, names) {
                Some(row) => diagnostic
                    .with_help(format!(
                        "did you mean `{}.{}.{row}`?",
                        imported.alias, table.name
                    ))
                    .with_correction(format!("change to `{row}`"), name.span, row),
                None => diagnostic
                    .with_help("name a row the table names: rows without a name cannot be read"),
            })
        }
    }
}

/// `cop.reserve_level`, or `cop.annex["Japan"]`: a value of an imported decision, or a
/// Party's adjusted rate in one of its scales.
fn imported_value_or_rate(
    imported: &super::ImportedModel,
    reference: &ast::Reference,
) -> Result<ImportedTarget, Diagnostic> {
    let model = &imported.model;
    let name = &reference.name;
    if let Some(ast::ReferenceIndex::Text(party, _)) = &reference.index {
        let Some(scale) = model
            .scales
            .scales
            .iter()
            .position(|s| s.def.name == name.name)
        else {
            return Err(Diagnostic::error(
                Code::NameUnknown,
                format!("{} has no scale `{}`", imported.symbol(), name.name),
            )
            .at(name.span, "no such scale there")
            .with_help("a Party's rate is read from a scale: `cop.annex[\"Japan\"]`"));
        };
        let parties = &model.scales.scales[scale].def.parties;
        return match parties.iter().position(|p| p.name == party.value) {
            Some(index) => Ok(ImportedTarget::Rate {
                scale,
                party: index,
            }),
            None => {
                let diagnostic = Diagnostic::error(
                    Code::ApportionParty,
                    format!(
                        "{} is not a Party in {}'s `{}`",
                        party.value,
                        imported.symbol(),
                        name.name
                    ),
                )
                .at(party.span, "no Party of this name there");
                let suggestion = closest(&party.value, parties.iter().map(|p| p.name.as_str()));
                let diagnostic = match suggestion {
                    Some(found) => diagnostic.with_help(format!("did you mean \"{found}\"?")),
                    None => diagnostic.with_help("write the Party's name as the scale writes it"),
                };
                Err(super::scale::party_correction(
                    diagnostic, party.span, suggestion,
                ))
            }
        };
    }
    let program = &model.program;
    let value = program
        .values
        .iter()
        .position(|v| v.name == name.name && v.apportioned_by.is_none());
    if let Some(value) = value {
        return Ok(ImportedTarget::Value(ValueId(value)));
    }
    let diagnostic = Diagnostic::error(
        Code::NameUnknown,
        format!("{} has no value `{}`", imported.symbol(), name.name),
    )
    .at(name.span, "no such value there");
    if program.tables.iter().any(|t| t.name == name.name) {
        return Err(diagnostic.with_help(format!(
            "`{}` is a table of {}: name one of its rows, `{}.{}.row`",
            name.name,
            imported.symbol(),
            imported.alias,
            name.name
        )));
    }
    let names = program
        .values
        .iter()
        .filter(|v| v.apportioned_by.is_none())
        .map(|v| v.name.as_str());
    Err(match closest(&name.name, names) {
        Some(found) => diagnostic
            .with_help(format!("did you mean `{}.{found}`?", imported.alias))
            .with_correction(format!("change to `{found}`"), name.span, found),
        None => diagnostic.with_help(format!("name a value of {}", imported.symbol())),
    })
}

/// Which column a reference reads: the one being computed unless it names one.
fn at(reference: &ast::Reference) -> At {
    match reference.index {
        // Refused by `target` before anything reads it.
        None | Some(ast::ReferenceIndex::CurrentYear(_) | ast::ReferenceIndex::Text(..)) => {
            At::Current
        }
        Some(ast::ReferenceIndex::Column(key, _)) => At::Column(key),
        Some(ast::ReferenceIndex::ShiftedYear(years, _)) => At::Shifted(years),
    }
}

fn invalid(span: Span) -> Formula {
    Formula {
        kind: FormulaKind::Invalid,
        span,
    }
}

fn table_unit(unit: &ast::TableUnit) -> TableUnit {
    match unit {
        ast::TableUnit::Money { currency, scale } => TableUnit {
            unit: Unit::money(&currency.code, *scale),
            scale: *scale,
        },
        ast::TableUnit::Posts => TableUnit {
            unit: Unit::Posts,
            scale: Scale::Units,
        },
        ast::TableUnit::Percent => TableUnit {
            unit: Unit::Percent,
            scale: Scale::Units,
        },
    }
}

/// How many base units one written figure of the table stands for.
pub fn factor(unit: &TableUnit) -> Decimal {
    match unit.unit {
        Unit::Percent => Decimal::new(1, 2),
        _ => unit.scale.factor(),
    }
}

/// How a table's amounts are written in messages: in its unit, at least at its precision.
pub fn figures(table: &TableDef) -> crate::format::Scaled {
    crate::format::Scaled {
        factor: factor(&table.unit),
        min_decimals: table.rounding.map_or(0, |r| r.written.decimals),
        notation: table.notation,
    }
}

/// "2013", "2013-2014", "Total".
pub fn column_name(key: ColumnKey) -> String {
    match key {
        ColumnKey::Year(year) => year.to_string(),
        ColumnKey::Period(period) => format!("{}-{}", period.first, period.last),
        ColumnKey::Total => "Total".to_owned(),
        ColumnKey::Text(_) => "the text column".to_owned(),
    }
}

/// `titel "Staff costs"`: a line without figures whose name is a table setting's
/// keyword misspelt reads as a row, and is reported as the keyword it most likely is.
fn misspelt_setting(row: &ast::Row) -> Option<Diagnostic> {
    let name = row.name.as_ref().filter(|_| row.figures.is_empty())?;
    let setting = closest(&name.name, TABLE_SETTINGS)?;
    Some(
        Diagnostic::error(
            Code::SyntaxKeyword,
            format!("unknown keyword `{}`", name.name),
        )
        .at(name.span, format!("did you mean `{setting}`?"))
        .with_help(format!(
            "replace `{}` with `{setting}`; as written, the line is a row without figures",
            name.name
        ))
        .with_correction(
            format!("replace `{}` with `{setting}`", name.name),
            name.span,
            setting,
        ),
    )
}

/// "did you mean `subtotal`?": the help, and the edit that makes the name so.
fn did_you_mean(diagnostic: Diagnostic, span: Span, suggestion: &str) -> Diagnostic {
    diagnostic
        .with_help(format!("did you mean `{suggestion}`?"))
        .with_correction(format!("change to `{suggestion}`"), span, suggestion)
}

/// The exact value and unit of a literal (ratios have no single value).
fn constant(literal: &ast::Literal) -> Option<(Exact, Unit)> {
    let (value, unit) = match &literal.kind {
        ast::LiteralKind::Number(written) => (written.value, Unit::Number),
        ast::LiteralKind::Percent(written) => (
            written.value.checked_div(Decimal::ONE_HUNDRED)?,
            Unit::Percent,
        ),
        ast::LiteralKind::Posts(written) => (written.value, Unit::Posts),
        ast::LiteralKind::Money {
            currency,
            amount,
            scale,
        } => (
            amount.value.checked_mul(scale.factor())?,
            Unit::money(&currency.code, *scale),
        ),
        ast::LiteralKind::Ratio(_) => return None,
    };
    Some((Exact::new(value), unit))
}

/// Two tables, or a table and a scale, numbered alike ("Table 1" twice): no reader of
/// the outputs could tell them apart. A check of the whole file, before it is split
/// into parts that each hold one of them.
pub fn numbered_twice(file: &ast::File) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::default();
    for item in &file.items {
        let (number, name) = match item {
            Item::Table(table) => (table.number.as_ref(), &table.name),
            Item::Scale(scale) => (scale.number.as_ref(), &scale.name),
            _ => continue,
        };
        let Some(number) = number else {
            continue;
        };
        let shown = display_name(Some(number.name.as_str()), &name.name);
        if let Some(first) = seen.get(&shown) {
            problems.push(
                Diagnostic::error(
                    Code::NameDuplicate,
                    format!("two tables are numbered {shown}"),
                )
                .at(number.span, "numbered again here")
                .with_label(*first, "first numbered here")
                .with_help("number each table as the decision does: no two alike"),
            );
            continue;
        }
        seen.insert(shown, number.span);
    }
    problems
}
