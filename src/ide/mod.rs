//! What an editor asks about a decision while it is written: what is at this place and
//! how bud computed it (hover), where a name is defined and used, the outline of the
//! file, what may be typed here, and what bud computes beside each stated figure (inlay
//! hints). One `Analysis` is one check of the text, as `bud check` makes it, with an
//! index of every name, reference and figure by byte offset; the language server
//! (`cli/lsp`) turns offsets into editor positions and back. No I/O.

mod hover;
mod symbols;
mod tokens;

use crate::Checked;
use crate::diagnostic::{Diagnostic, Span};
use crate::reconcile::{Check, Outcome};
use crate::semantics::Model;
use crate::semantics::explain::{Subject, constant};
use crate::semantics::program::{Reference, RowId, SectionId, TableId, ValueId};
use crate::semantics::resolve::figures;
use crate::syntax::ast;
use crate::world::World;

pub use symbols::{Symbol, SymbolKind};
pub use tokens::{Token, TokenKind};

/// A thing a name can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Value(ValueId),
    Row(RowId),
    Section(SectionId),
    Table(TableId),
    /// One figure of a row: hovered, never referred to by name.
    Cell(RowId, usize),
}

/// Where a target is written: its definition, or a reference to it in a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Occurrence {
    span: Span,
    target: Target,
    definition: bool,
    /// The variant whose model the target's ids belong to.
    variant: usize,
    /// Where the target is defined: the same place in every variant that shares the
    /// definition, so a scenario's rule finds the decision's value.
    defined_at: Span,
}

/// One decision text, checked, and indexed for an editor's questions. The default is
/// a text not checked yet, which answers every question with nothing.
#[derive(Default)]
pub struct Analysis {
    /// The decision, then each scenario, as `bud check` reports them.
    pub checked: Vec<Checked>,
    file: Option<ast::File>,
    occurrences: Vec<Occurrence>,
    /// The text checked, for quoting rules in hovers.
    text: String,
}

/// What the editor shows when the pointer rests on something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    /// Markdown.
    pub text: String,
}

/// A completion offered at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Value,
    Row,
    Table,
    Unit,
    Party,
}

impl CompletionKind {
    /// Where completions of this kind are offered among the others: the names the
    /// file defines first, as what is typed in a rule is most often one of them, then
    /// units and Parties, then keywords.
    pub fn rank(self) -> u8 {
        match self {
            CompletionKind::Value | CompletionKind::Row | CompletionKind::Table => 0,
            CompletionKind::Unit | CompletionKind::Party => 1,
            CompletionKind::Keyword => 2,
        }
    }
}

/// Text shown after a stated figure: what bud computes for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint goes: just after the stated figure.
    pub offset: usize,
    pub label: String,
    pub tooltip: String,
}

impl Analysis {
    /// Checks the decision at `main` (the decision and every scenario), reading it and
    /// every file it names through `world`.
    pub fn new(world: &dyn World, main: &str) -> Analysis {
        let text = world
            .read(main)
            .map(|text| text.to_string())
            .unwrap_or_default();
        let checks = crate::check(world, main, crate::Request::Everything);
        let mut analysis = Analysis {
            checked: checks.variants,
            file: checks.tree,
            occurrences: Vec::new(),
            text,
        };
        analysis.occurrences = analysis.index();
        analysis
    }

    /// Every diagnostic of every variant, in the order `bud check` prints them.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.checked.iter().flat_map(|checked| &checked.diagnostics)
    }

    /// Whether a span is in this text (not in an imported or a data file).
    pub fn is_here(&self, span: Span) -> bool {
        span.end() <= self.text.len()
    }

    fn model(&self, variant: usize) -> Option<(&Checked, &Model)> {
        let checked = self.checked.get(variant)?;
        Some((checked, checked.model.as_ref()?))
    }

    fn index(&self) -> Vec<Occurrence> {
        let mut occurrences = Vec::new();
        for variant in 0..self.checked.len() {
            let Some((_, model)) = self.model(variant) else {
                continue;
            };
            index_program(model, variant, &self.text, &mut occurrences);
        }
        // A scenario repeats the decision's definitions: keep the first of each place.
        let mut seen = std::collections::HashSet::new();
        occurrences.retain(|o| {
            seen.insert((
                o.span.start(),
                o.span.end(),
                o.definition,
                o.defined_at.start(),
            ))
        });
        occurrences.retain(|o| self.is_here(o.span));
        occurrences
    }

    /// The smallest indexed thing at `offset`.
    fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.start() <= offset && offset <= o.span.end())
            .min_by_key(|o| o.span.end() - o.span.start())
    }

    /// What a hover at `offset` shows: a figure's computed value and how it was
    /// computed, a row's or value's figures, a table's title and unit.
    pub fn hover(&self, offset: usize) -> Option<Hover> {
        let occurrence = self.at(offset)?;
        let (checked, model) = self.model(occurrence.variant)?;
        let text = hover::describe(
            model,
            &checked.reconciliation,
            occurrence.target,
            &self.text,
        )?;
        Some(Hover {
            span: occurrence.span,
            text,
        })
    }

    /// Where the name at `offset` is defined.
    pub fn definition(&self, offset: usize) -> Option<Span> {
        let occurrence = self.at(offset)?;
        self.occurrences
            .iter()
            .find(|o| o.definition && o.span == occurrence.defined_at)
            .map(|o| o.span)
    }

    /// Every place the name at `offset` is used, in the decision and its scenarios,
    /// and its definition if asked.
    pub fn references(&self, offset: usize, with_definition: bool) -> Vec<Span> {
        let Some(occurrence) = self.at(offset) else {
            return Vec::new();
        };
        let mut spans: Vec<Span> = self
            .occurrences
            .iter()
            .filter(|o| o.defined_at == occurrence.defined_at)
            .filter(|o| !matches!(o.target, Target::Cell(..)))
            .filter(|o| with_definition || !o.definition)
            .map(|o| o.span)
            .collect();
        spans.sort_by_key(|s| s.start());
        spans.dedup();
        spans
    }

    /// The outline of the file: the decision, its paragraphs and values, tables with
    /// their sections and rows, scales, groups and scenarios.
    pub fn symbols(&self) -> Vec<Symbol> {
        symbols::outline(self)
    }

    /// What bud computes beside each stated figure, and by how much it differs.
    pub fn inlay_hints(&self) -> Vec<InlayHint> {
        let mut hints: Vec<InlayHint> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for variant in 0..self.checked.len() {
            let Some((checked, model)) = self.model(variant) else {
                continue;
            };
            for check in &checked.reconciliation.checks {
                if !self.is_here(check.span)
                    || in_data_file(model, check.subject)
                    || !seen.insert(check.span.start())
                {
                    continue;
                }
                if let Some(hint) = hint(model, check) {
                    hints.push(hint);
                }
            }
        }
        hints.sort_by_key(|h| h.offset);
        hints
    }

    /// Keywords, names, units and Party names; the editor filters them as one types.
    pub fn completions(&self) -> Vec<Completion> {
        let mut items: Vec<Completion> = crate::syntax::KEYWORDS
            .iter()
            .map(|k| item(k, CompletionKind::Keyword, "keyword"))
            .collect();
        for unit in [
            "US$",
            "thousands of US$",
            "millions of US$",
            "per cent",
            "%",
            "posts",
        ] {
            items.push(item(unit, CompletionKind::Unit, "unit"));
        }
        for mode in ["half-up", "half-even"] {
            items.push(item(mode, CompletionKind::Keyword, "rounding mode"));
        }
        if let Some((_, model)) = self.model(0) {
            names(model, &mut items);
        }
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| seen.insert(i.label.clone()));
        items
    }

    /// For an offset in an imported file: the file's name, the 1-based line and column
    /// there, and the `import` statement of this text that brings it in (the first
    /// one, when it comes in through another imported file).
    pub fn imported_place(&self, offset: usize) -> Option<(String, usize, usize, Span)> {
        let imported = self
            .checked
            .first()?
            .imported
            .iter()
            .filter(|file| file.base <= offset && offset <= file.base + file.text.len())
            .max_by_key(|file| file.base)?;
        let before = imported.text.get(..offset - imported.base)?;
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        // The tree has the imported items in place of the `import` lines: find them
        // in the text.
        let mut first = None;
        let mut start = 0;
        for line_text in self.text.split_inclusive('\n') {
            let span = Span::new(start, start + line_text.trim_end().len());
            start += line_text.len();
            let Some(rest) = line_text.trim_start().strip_prefix("import") else {
                continue;
            };
            let path = rest.trim().trim_matches('"');
            first.get_or_insert(span);
            if !path.is_empty() && imported.name.ends_with(path) {
                return Some((imported.name.clone(), line, column, span));
            }
        }
        Some((imported.name.clone(), line, column, first?))
    }

    pub(crate) fn file(&self) -> Option<&ast::File> {
        self.file.as_ref()
    }
}

fn item(label: &str, kind: CompletionKind, detail: &str) -> Completion {
    Completion {
        label: label.to_owned(),
        kind,
        detail: detail.to_owned(),
    }
}

fn names(model: &Model, items: &mut Vec<Completion>) {
    let program = &model.program;
    for value in program.values.iter().filter(|v| v.apportioned_by.is_none()) {
        items.push(item(&value.name, CompletionKind::Value, "value"));
    }
    for table in &program.tables {
        items.push(item(
            &table.name,
            CompletionKind::Table,
            &table.display_name(),
        ));
        for line in &table.lines {
            if let crate::semantics::program::Line::Row(row) = line {
                let row = program.row(*row);
                if let Some(name) = &row.name {
                    let detail = format!("{}, {}", table.display_name(), row.message_label());
                    items.push(item(name, CompletionKind::Row, &detail));
                    let qualified = format!("{}.{name}", table.name);
                    items.push(item(&qualified, CompletionKind::Row, &detail));
                }
            }
        }
    }
    for section in &program.sections {
        if let Some(name) = &section.name {
            items.push(item(name, CompletionKind::Row, &section.message_label()));
        }
    }
    for group in &model.scales.groups {
        items.push(item(&group.name, CompletionKind::Value, "group of Parties"));
        for (member, _) in group.members() {
            items.push(item(
                &format!("\"{member}\""),
                CompletionKind::Party,
                "Party",
            ));
        }
    }
    for scale in &model.scales.scales {
        for party in &scale.def.parties {
            let label = format!("\"{}\"", party.name);
            items.push(item(&label, CompletionKind::Party, "Party"));
        }
    }
}

/// Every definition and reference of one variant's program.
fn index_program(model: &Model, variant: usize, text: &str, out: &mut Vec<Occurrence>) {
    let program = &*model.program;
    let defined_at = |target: Target| match target {
        Target::Value(id) => program.value(id).name_span,
        Target::Row(id) | Target::Cell(id, _) => program.row(id).span,
        Target::Section(id) => program.section(id).span,
        Target::Table(id) => program.table(id).name_span,
    };
    let mut push = |span: Span, target: Target, definition: bool| {
        out.push(Occurrence {
            span,
            target,
            definition,
            variant,
            defined_at: defined_at(target),
        });
    };
    // A scale's amount apportioned is a value no one names: only what it reads is here.
    for (index, value) in program.values.iter().enumerate() {
        if value.apportioned_by.is_none() {
            push(value.name_span, Target::Value(ValueId(index)), true);
        }
    }
    for (index, table) in program.tables.iter().enumerate() {
        push(table.name_span, Target::Table(TableId(index)), true);
    }
    for (index, section) in program.sections.iter().enumerate() {
        push(section.span, Target::Section(SectionId(index)), true);
    }
    for (index, row) in program.rows.iter().enumerate() {
        let id = RowId(index);
        push(row.span, Target::Row(id), true);
        for (column, figure) in row.figures.iter().enumerate() {
            push(figure.span, Target::Cell(id, column), false);
        }
    }
    let mut references = Vec::new();
    let formulas = program
        .rows
        .iter()
        .filter_map(|row| row.formula.as_deref())
        .chain(
            program
                .values
                .iter()
                .flat_map(|v| v.rules().map(|r| &r.formula)),
        );
    for formula in formulas {
        formula.for_each_name(&mut |reference, _, span| references.push((reference, span)));
    }
    for (reference, span) in references {
        let target = match reference {
            Reference::Value(id) => Target::Value(id),
            Reference::Row(id) => Target::Row(id),
            Reference::Section(id) => Target::Section(id),
        };
        push(span, target, false);
        // `core_budget.grand_total`: the table's name is a reference to the table.
        if let Reference::Row(id) = reference {
            let table = program.row(id).table;
            let name = &program.table(table).name;
            let written = text.get(span.start()..span.end()).unwrap_or_default();
            // `published(core_budget.grand_total[2013])` holds the name further in.
            let at = written.find(&format!("{name}.")).filter(|at| {
                !written[..*at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if let Some(at) = at {
                let named = Span::new(span.start() + at, span.start() + at + name.len());
                push(named, Target::Table(table), false);
            }
        }
    }
}

/// Whether a stated figure is a scale's figure read from a data file, whose span counts
/// bytes of that file, not of the decision.
fn in_data_file(model: &Model, subject: Subject) -> bool {
    let Subject::Scale { scale, line, .. } = subject else {
        return false;
    };
    let Some(found) = model.scales.scales.get(scale) else {
        return true;
    };
    let party = match line {
        crate::semantics::explain::ScaleLine::Party(index) => found.def.parties.get(index),
        crate::semantics::explain::ScaleLine::Total => found.def.total.as_ref(),
    };
    party.is_none_or(|party| party.file.is_some())
}

/// `= 2,922.088`, `≈ 2,963.199 (-0.099)`, `✗ 2,559.6 (+18.0)` after a stated figure.
fn hint(model: &Model, check: &Check) -> Option<InlayHint> {
    let show = |value| shown(model, check.subject, value);
    let computed = show(check.computed);
    let gap = crate::semantics::number::Exact::new(check.stated)
        .checked_sub(check.computed)
        .ok()?;
    let difference = match check.subject {
        Subject::Cell { row, .. } => {
            let table = model.program.table(model.program.row(row).table);
            figures(table).show_signed(gap)
        }
        _ => crate::format::signed(show(gap)),
    };
    let (label, tooltip) = match check.outcome {
        Outcome::Matches => (
            format!("= {computed}"),
            "bud computes the stated figure".to_owned(),
        ),
        Outcome::Rounding => (
            format!("≈ {computed} ({difference})"),
            "differs from bud's computation only by rounding".to_owned(),
        ),
        Outcome::Mismatch => (
            format!("✗ {computed} ({difference})"),
            "does not reconcile: bud computes another figure".to_owned(),
        ),
        Outcome::Acknowledged => (
            format!("! {computed} ({difference})"),
            "a published error the decision acknowledges (`erratum`)".to_owned(),
        ),
    };
    Some(InlayHint {
        offset: check.span.end(),
        label: format!(" {label}"),
        tooltip,
    })
}

/// An amount as its place shows it: a table's figures in its unit, a value in its own.
fn shown(model: &Model, subject: Subject, value: crate::semantics::number::Exact) -> String {
    match subject {
        Subject::Cell { row, .. } => {
            let table = model.program.table(model.program.row(row).table);
            figures(table).show(value)
        }
        Subject::Value { value: id, year } => match crate::reconcile::shown_unit(model, id, year) {
            Some(unit) => constant(value, &unit),
            None => crate::format::exact_number(value),
        },
        Subject::Scale { .. } => crate::format::exact_number(value),
    }
}
