//! Rendering: the evaluated model and its diagnostics, written for people. `text` lays
//! out the decision's tables as published, with reconciliation marks; `report` turns
//! diagnostics into miette's graphical reports. Renderers only read the model.

pub mod report;
pub mod text;
