//! Rendering: the evaluated model and its diagnostics, written for people and
//! machines. `view` turns the model and its reconciliation into plain data (tables,
//! lines, cells with their marks and formulas), built once; `text`, `json`, `csv`,
//! `markdown`, `html` and `xlsx` each write that view in one format. `report` turns
//! diagnostics into miette's graphical reports; `machine` writes what `bud check` found
//! as GitHub annotations, JSON or SARIF; `compare` sets two variants side by side;
//! `diff` lists what changed between two versions of a decision.
//! Renderers only read the model.

mod arrears;
pub mod compare;
pub mod csv;
pub mod diff;
pub mod formula;
pub mod html;
pub mod json;
pub mod machine;
pub mod markdown;
pub mod report;
mod scale;
pub mod text;
pub mod view;
pub mod xlsx;
