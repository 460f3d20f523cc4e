//! Semantics: from the syntax tree to the evaluated model. `resolve` binds every name
//! (`program` is the result), `graph` orders values and rows by what they read and
//! reports cycles, `units` checks that amounts, rates and posts combine sensibly, and
//! `eval` computes every value and cell exactly (`number`), carrying the rounding
//! uncertainty that reconciliation needs. `explain` says how a figure was computed.
//! No stage does I/O.

pub mod apportion;
pub mod eval;
pub mod explain;
pub mod graph;
pub mod number;
pub mod program;
pub mod resolve;
pub mod scale;
pub mod scenario;
pub mod unit;
pub mod units;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast;

pub use eval::{Amount, Cell, Evaluated, Failed, ValueResults};
pub use program::Program;
pub use unit::Unit;

/// A decision, evaluated: its resolved definitions and every computed value and cell.
pub struct Model {
    pub program: Program,
    /// The unit of each value, by `ValueId`; `None` where it could not be worked out.
    pub value_units: Vec<Option<Unit>>,
    pub values: Vec<ValueResults>,
    /// Per `RowId`, one cell per column of the row's table.
    pub cells: Vec<Vec<Cell>>,
    /// The decision's Party groups and scales of assessments, evaluated.
    pub scales: scale::Scales,
}

/// Resolves, orders, checks units and evaluates. Returns the model even when there
/// are errors: whatever could be computed is there, the rest is `Failed`.
pub fn evaluate(file: &ast::File) -> (Model, Vec<Diagnostic>) {
    evaluate_with(file, &scale::NoDataFiles)
}

/// As `evaluate`, reading the data files the decision names through `files`.
pub fn evaluate_with(file: &ast::File, files: &dyn scale::DataFiles) -> (Model, Vec<Diagnostic>) {
    let (program, mut diagnostics) = resolve::resolve(file);
    let (order, cycles) = graph::evaluation_order(&program);
    diagnostics.extend(cycles);
    let (units, unit_problems) = units::check(&program, &order);
    diagnostics.extend(unit_problems);
    let (evaluation, failures) = eval::evaluate(&program, &units, &order);
    diagnostics.extend(failures);
    let mut model = Model {
        program,
        value_units: units.values,
        values: evaluation.values,
        cells: evaluation.cells,
        scales: scale::Scales::default(),
    };
    // Scales apportion computed cells and nothing reads them back, so they come last.
    let (scales, scale_problems) = scale::evaluate(file, &model, files);
    model.scales = scales;
    diagnostics.extend(scale_problems);
    (model, diagnostics)
}

#[cfg(test)]
mod tests;
