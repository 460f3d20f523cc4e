//! bud reads a budget decision written as a `.bud` file, computes every table exactly,
//! and reconciles every figure the decision publishes against what its rules compute.
//!
//! The pipeline runs one way: text → syntax tree → evaluated model → reconciliation →
//! renderers. The library does no I/O; the `bud` binary reads files and prints.
//!
//! ```
//! let source = r#"
//! decision "X/1" {
//!     title    "A small budget"
//!     period   2013-2014
//!     currency US$
//! }
//!
//! table 1 budget {
//!     unit     thousands of US$
//!     rounding 0.1
//!     columns  2013 2014 Total
//!
//!     staff    "Staff costs"      100.0   110.0   210.0
//!     support  "Support (13%)"     13.0    14.3    27.3  = 13% of staff
//! }
//! "#;
//! let checked = bud::check(source);
//! assert!(checked.diagnostics.is_empty());
//! assert_eq!(checked.reconciliation.checks.len(), 4);
//! ```

pub mod diagnostic;
pub mod format;
pub mod reconcile;
pub mod render;
pub mod semantics;
pub mod syntax;

use diagnostic::Diagnostic;
use reconcile::Reconciliation;
use semantics::Model;

/// A decision, parsed, evaluated and reconciled, with every diagnostic in file order.
pub struct Checked {
    /// Absent when the file could not be parsed.
    pub model: Option<Model>,
    pub reconciliation: Reconciliation,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Whether the file cannot be read as a decision at all: a syntax error, or a
    /// table or decision block whose shape is wrong (exit code 2).
    pub fn is_malformed(&self) -> bool {
        self.model.is_none() || self.diagnostics.iter().any(|d| d.code.is_malformed())
    }
}

/// Parses, evaluates and reconciles one decision file's text. A decision that names
/// data files gets a diagnostic for each: use `check_with` to supply them.
pub fn check(source: &str) -> Checked {
    check_with(source, &semantics::scale::NoDataFiles)
}

/// As `check`, reading the data files the decision names (`data "table-5.tsv"`)
/// through `files`.
pub fn check_with(source: &str, files: &dyn semantics::scale::DataFiles) -> Checked {
    let file = match syntax::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => {
            return Checked {
                model: None,
                reconciliation: Reconciliation::default(),
                diagnostics,
            };
        }
    };
    let (model, mut diagnostics) = semantics::evaluate_with(&file, files);
    let reconciliation = reconcile::reconcile(&model);
    diagnostics.extend(reconcile::diagnostics(&model, &reconciliation));
    diagnostics.sort_by_key(|d| (d.position(), d.severity));
    diagnostics.dedup();
    Checked {
        model: Some(model),
        reconciliation,
        diagnostics,
    }
}
