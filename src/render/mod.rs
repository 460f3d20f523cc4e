//! Rendering: the evaluated model and its diagnostics, written for people. `text` lays
//! out the decision's tables as published, with reconciliation marks; `report` turns
//! diagnostics into miette's graphical reports; `scale` lays out a scale of
//! assessments (one line per Party) for `text`; `machine` writes what `bud check`
//! found as GitHub annotations, JSON or SARIF. Renderers only read the model.

pub mod compare;
pub mod machine;
pub mod report;
mod scale;
pub mod text;
