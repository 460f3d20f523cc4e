//! Semantics: from the syntax tree to the evaluated model. `resolve` binds every name
//! (`program` is the result), `graph` orders values and rows by what they read and
//! reports cycles, `units` checks that amounts, rates and posts combine sensibly (and
//! `plain_rates` that no plain number 13 stands for 13%), and
//! `eval` computes every value and cell exactly (`number`), carrying the rounding
//! uncertainty that reconciliation needs. `explain` says how a figure was computed.
//! No stage does I/O.

pub mod apportion;
pub mod arrears;
pub mod eval;
pub mod explain;
pub mod graph;
pub mod number;
pub mod plain_rates;
pub mod program;
pub mod reach;
pub mod resolve;
pub mod scale;
pub mod scenario;
pub mod unit;
pub mod units;

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast;

pub use eval::{Amount, Cell, Evaluated, Failed, ValueResults};
pub use program::Program;
pub use unit::Unit;

/// A decision another reads (`import "22-cp-21.bud" as cop`), evaluated as itself: its
/// figures are what formulas under its name read.
#[derive(Clone)]
pub struct ImportedModel {
    /// The name it is read under: `cop`.
    pub alias: String,
    /// Its file, relative to the decision reading it.
    pub name: String,
    /// The `import` line.
    pub at: crate::diagnostic::Span,
    pub model: Arc<Model>,
}

impl std::fmt::Debug for ImportedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportedModel")
            .field("alias", &self.alias)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ImportedModel {
    /// "22/CP.21", the symbol of the decision imported.
    pub fn symbol(&self) -> &str {
        &self.model.program.decision.symbol
    }
}

/// A decision, evaluated: its resolved definitions and every computed value and cell.
pub struct Model {
    /// Shared with the model of the same decision as published (`as_published`).
    pub program: Arc<Program>,
    /// The unit of each value, by `ValueId`; `None` where it could not be worked out.
    pub value_units: Vec<Option<Unit>>,
    pub values: Vec<ValueResults>,
    /// Per `RowId`, one cell per column of the row's table.
    pub cells: Vec<Vec<Cell>>,
    /// The decision's Party groups and scales of assessments, evaluated.
    pub scales: scale::Scales,
    /// Each `arrears` rule applied to its status-of-contributions file.
    pub arrears: Vec<arrears::ArrearsModel>,
}

/// Resolves, orders, checks units and evaluates. Returns the model even when there
/// are errors: whatever could be computed is there, the rest is `Failed`.
pub fn evaluate(file: &ast::File) -> (Model, Vec<Diagnostic>) {
    evaluate_with(file, &crate::world::Memory::new(), &[])
}

/// As `evaluate`, reading the data files the decision names through `files`, and the
/// decisions it imports under a name from `imports`.
pub fn evaluate_with(
    file: &ast::File,
    files: &dyn crate::world::World,
    imports: &[ImportedModel],
) -> (Model, Vec<Diagnostic>) {
    let (program, mut diagnostics) = resolve::resolve(file, imports);
    let (order, cycles) = graph::evaluation_order(&program);
    diagnostics.extend(cycles);
    let (units, unit_problems) = units::check(&program, &order);
    diagnostics.extend(unit_problems);
    let (evaluation, failures) = eval::evaluate(&program, &units, &order);
    diagnostics.extend(failures);
    let mut model = Model {
        program: Arc::new(program),
        value_units: units.values,
        values: evaluation.values,
        cells: evaluation.cells,
        scales: scale::Scales::default(),
        arrears: Vec::new(),
    };
    // Scales apportion computed cells and nothing reads them back, so they come last.
    let (scales, scale_problems) = scale::evaluate(file, &model, files);
    model.scales = scales;
    diagnostics.extend(scale_problems);
    // The arrears rule reads its groups and its own file, nothing the tables compute.
    let (arrears, texts, arrears_problems) = arrears::evaluate(file, &model.scales.groups, files);
    model.arrears = arrears;
    model.scales.data.extend(texts);
    diagnostics.extend(arrears_problems);
    (model, diagnostics)
}

/// The decision evaluated from its published figures (see `eval::evaluate_as_published`):
/// every rule reads the figures a table prints, so a stated figure that fails here is
/// wrong against its own rule, while one that fails only in `model` inherits a wrong
/// figure upstream. Scales apportion the published amounts the same way.
pub fn as_published(file: &ast::File, model: &Model, files: &dyn crate::world::World) -> Model {
    let program = &model.program;
    let (order, _) = graph::evaluation_order(program);
    let (units, _) = units::check(program, &order);
    let evaluation = eval::evaluate_as_published(program, &units, &order);
    // A scale apportions the amount its table prints, like any rule reading a row.
    let mut published = Model {
        program: Arc::clone(program),
        value_units: model.value_units.clone(),
        values: evaluation.values,
        cells: eval::printed_cells(program, &evaluation.cells),
        scales: scale::Scales::default(),
        arrears: Vec::new(),
    };
    let (scales, _) = scale::evaluate(file, &published, files);
    published.scales = scales;
    published.cells = evaluation.cells;
    published
}

#[cfg(test)]
mod tests;
