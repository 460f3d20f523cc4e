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
pub mod ide;
pub mod reconcile;
pub mod render;
pub mod semantics;
pub mod syntax;

use diagnostic::Diagnostic;
use rayon::prelude::*;
use reconcile::{Keep, Reconciliation};
use semantics::Model;

/// A decision (or one scenario of it), parsed, evaluated and reconciled, with every
/// diagnostic in file order.
pub struct Checked {
    /// Absent when the file could not be parsed, and from `verify_every_variant`'s
    /// result for a decision it checked in parts, whose models it dropped part by part.
    pub model: Option<Model>,
    /// Whether the decision was evaluated: false when the file could not be parsed.
    pub evaluated: bool,
    pub reconciliation: Reconciliation,
    pub diagnostics: Vec<Diagnostic>,
    /// The scenario this is, and its condition as the decision words it; `None` for
    /// the base decision.
    pub scenario: Option<(String, Option<String>)>,
    /// The files the decision imports, whose texts spans past the decision's own point
    /// into.
    pub imported: Vec<syntax::imports::Imported>,
    /// The data files the decision's scales read, whose lines diagnostics may show;
    /// taken from the model's scales, so that a decision checked in parts, which keeps
    /// no model, has them too.
    pub data: Vec<semantics::scale::DataText>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Whether the file cannot be read as a decision at all: a syntax error, or a
    /// table or decision block whose shape is wrong (exit code 2).
    pub fn is_malformed(&self) -> bool {
        !self.evaluated || self.diagnostics.iter().any(|d| d.code.is_malformed())
    }

    fn unparsed(diagnostics: Vec<Diagnostic>) -> Self {
        Checked {
            model: None,
            evaluated: false,
            reconciliation: Reconciliation::default(),
            diagnostics,
            scenario: None,
            imported: Vec::new(),
            data: Vec::new(),
        }
    }

    fn importing(mut self, imported: &[syntax::imports::Imported]) -> Self {
        self.imported = imported.to_vec();
        self
    }
}

/// Parses, evaluates and reconciles one decision file's text (the base decision, not
/// its scenarios). A decision that names data files gets a diagnostic for each: use
/// `check_with` to supply them.
pub fn check(source: &str) -> Checked {
    check_with(source, &semantics::scale::NoDataFiles)
}

/// As `check`, reading the data files the decision names (`data "table-5.tsv"`)
/// through `files`.
pub fn check_with(source: &str, files: &dyn semantics::scale::DataFiles) -> Checked {
    check_variant(source, files, None)
}

/// The base decision (`scenario: None`) or one of its scenarios, checked. An unknown
/// scenario name is a diagnostic that names the ones there are.
pub fn check_variant(
    source: &str,
    files: &dyn semantics::scale::DataFiles,
    scenario: Option<&str>,
) -> Checked {
    let loaded = load(source, files);
    match &loaded.file {
        Ok(file) => variant_of(file, files, scenario),
        Err(diagnostics) => Checked::unparsed(diagnostics.clone()),
    }
    .importing(&loaded.imported)
}

/// Several variants of one decision (`None` is the decision itself), parsed once, as
/// `bud compare` needs two.
pub fn check_variants(
    source: &str,
    files: &dyn semantics::scale::DataFiles,
    scenarios: &[Option<&str>],
) -> Vec<Checked> {
    let loaded = load(source, files);
    let variants = match &loaded.file {
        Ok(file) => scenarios
            .iter()
            .map(|scenario| variant_of(file, files, *scenario))
            .collect(),
        Err(diagnostics) => vec![Checked::unparsed(diagnostics.clone())],
    };
    variants
        .into_iter()
        .map(|checked| checked.importing(&loaded.imported))
        .collect()
}

/// The decision file and the files it imports, read through `files`.
fn load(source: &str, files: &dyn semantics::scale::DataFiles) -> syntax::imports::Loaded {
    syntax::imports::load(source, &|name| files.read(name))
}

fn variant_of(
    file: &syntax::ast::File,
    files: &dyn semantics::scale::DataFiles,
    scenario: Option<&str>,
) -> Checked {
    variant_checked(file, scenario, |variant, problems| {
        run(variant, files, problems, Keep::Every)
    })
}

/// The base decision or a scenario of it, checked by `check` with the problems of
/// applying the scenario.
fn variant_checked(
    file: &syntax::ast::File,
    scenario: Option<&str>,
    check: impl Fn(&syntax::ast::File, Vec<Diagnostic>) -> Checked,
) -> Checked {
    let Some(name) = scenario else {
        // Nothing reads a file's scenarios but `scenario`, so the base decision is the file.
        return check(file, Vec::new());
    };
    match semantics::scenario::find(file, name) {
        Ok(found) => {
            let (variant, problems) = semantics::scenario::apply(file, found);
            Checked {
                scenario: scenario_named(name, found),
                ..check(&variant, problems)
            }
        }
        Err(unknown) => Checked::unparsed(vec![unknown]),
    }
}

/// The base decision and then every scenario, as `bud check` reports them: a
/// scenario's diagnostics that the base decision already has are left out, and the
/// others say which scenario they are about.
pub fn check_every_variant(source: &str, files: &dyn semantics::scale::DataFiles) -> Vec<Checked> {
    every_variant(
        &load(source, files),
        files,
        source.len(),
        Thoroughness::Whole,
    )
}

/// What `bud check` needs of the base decision and every scenario: the diagnostics and
/// the counts of `check_every_variant`, for less memory and time. Matching figures are
/// counted, not recorded (`Keep::Differences`), and a scenario is evaluated only where
/// its changes reach (`semantics::reach`), its other figures counted from the base
/// decision; so a scenario's model holds only what it reaches. Where that shortcut
/// meets an error, the scenario's whole variant is checked, so every diagnostic is the
/// same.
///
/// A large decision, and a scenario the shortcut cannot take, is checked in parts that
/// read nothing of each other (`semantics::reach::parts`), on every core, each part's
/// model dropped once counted; where a part meets an error other than a figure that
/// does not reconcile, the variant is checked whole. So no result of a large decision
/// without such errors holds the model of all of it.
pub fn verify_every_variant(source: &str, files: &dyn semantics::scale::DataFiles) -> Vec<Checked> {
    verify_every_variant_in_parts_of(source, files, ROWS_PER_PART)
}

/// As `verify_every_variant`, with parts of at least `rows` table rows (the last may be
/// smaller): tests make them a row or two, so that every fixture is checked in parts.
pub fn verify_every_variant_in_parts_of(
    source: &str,
    files: &dyn semantics::scale::DataFiles,
    rows: usize,
) -> Vec<Checked> {
    every_variant(
        &load(source, files),
        files,
        source.len(),
        Thoroughness::Lean {
            rows_per_part: rows,
        },
    )
}

/// The rows of a part of a large decision checked on its own (`verify_every_variant`):
/// enough that a part's fixed costs do not show, few enough that two parts at once
/// are small beside the syntax tree. A decision of fewer rows is checked whole.
const ROWS_PER_PART: usize = 1 << 14;

/// How much of each variant `every_variant` keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Thoroughness {
    /// Whole models and every check: for renderers and the editor.
    Whole,
    /// Diagnostics and counts: for `bud check` (`verify_every_variant`).
    Lean { rows_per_part: usize },
}

/// As `check_every_variant`, with the syntax tree it checked (imported items merged
/// in), for tools that need both and should not parse twice (`bud lsp`).
pub fn check_every_variant_with_tree(
    source: &str,
    files: &dyn semantics::scale::DataFiles,
) -> (Vec<Checked>, Option<syntax::ast::File>) {
    let loaded = load(source, files);
    let checked = every_variant(&loaded, files, source.len(), Thoroughness::Whole);
    (checked, loaded.file.ok())
}

/// Below this size a decision's variants are checked one after the other: starting
/// threads would cost more than it saves (BS-VI/7 takes a few milliseconds in all).
const PARALLEL_VARIANTS_FROM_BYTES: usize = 256 * 1024;

fn every_variant(
    loaded: &syntax::imports::Loaded,
    files: &dyn semantics::scale::DataFiles,
    size: usize,
    thoroughness: Thoroughness,
) -> Vec<Checked> {
    let file = match &loaded.file {
        Ok(file) => file,
        Err(diagnostics) => {
            return vec![Checked::unparsed(diagnostics.clone()).importing(&loaded.imported)];
        }
    };
    let names: Vec<&str> = semantics::scenario::scenarios(file)
        .iter()
        .map(|s| s.name.name.as_str())
        .collect();
    let (base, variants) = match thoroughness {
        Thoroughness::Whole => whole_variants(file, files, &names, size),
        Thoroughness::Lean { rows_per_part } => {
            lean_variants(file, files, &names, size, rows_per_part)
        }
    };
    // A set, not a search of the list: a large decision has thousands of notes.
    let in_base: rustc_hash::FxHashSet<&Diagnostic> = base.diagnostics.iter().collect();
    let mut all = Vec::with_capacity(names.len() + 1);
    for (name, mut variant) in names.iter().zip(variants) {
        variant.diagnostics.retain(|d| !in_base.contains(d));
        for diagnostic in &mut variant.diagnostics {
            if diagnostic.code != diagnostic::Code::ScenarioChange {
                diagnostic.message = format!("scenario `{name}`: {}", diagnostic.message);
            }
        }
        all.push(variant);
    }
    all.insert(0, base);
    all.into_iter()
        .map(|checked| checked.importing(&loaded.imported))
        .collect()
}

/// The base decision and every scenario, each evaluated whole.
fn whole_variants(
    file: &syntax::ast::File,
    files: &dyn semantics::scale::DataFiles,
    names: &[&str],
    size: usize,
) -> (Checked, Vec<Checked>) {
    base_and_scenarios(
        size,
        names,
        || variant_of(file, files, None),
        |name| variant_of(file, files, Some(name)),
    )
}

/// `base()` and `scenario` of each name. Variants share nothing but the syntax tree, so
/// a large decision's are checked in parallel, a small one's in turn
/// (`PARALLEL_VARIANTS_FROM_BYTES`).
fn base_and_scenarios<B: Send, S: Send>(
    size: usize,
    names: &[&str],
    base: impl FnOnce() -> B + Send,
    scenario: impl Fn(&str) -> S + Sync + Send,
) -> (B, Vec<S>) {
    if size < PARALLEL_VARIANTS_FROM_BYTES {
        (base(), names.iter().map(|name| scenario(name)).collect())
    } else {
        rayon::join(base, || {
            names.par_iter().map(|name| scenario(name)).collect()
        })
    }
}

/// The base decision keeping only differences, and every scenario evaluated where its
/// changes reach (whole where that cannot be done or meets an error).
fn lean_variants(
    file: &syntax::ast::File,
    files: &dyn semantics::scale::DataFiles,
    names: &[&str],
    size: usize,
    rows_per_part: usize,
) -> (Checked, Vec<Checked>) {
    let in_parts = |name: Option<&str>| {
        variant_checked(file, name, |variant, problems| {
            checked_in_parts(variant, files, problems, rows_per_part)
        })
    };
    let (base, reached) = base_and_scenarios(
        size,
        names,
        || in_parts(None),
        |name| scenario_within_reach(file, files, name),
    );
    let base_tally = base.reconciliation.tally();
    let variants = names
        .iter()
        .zip(reached)
        .map(|(name, reached)| match reached {
            Some(reached) if !base.has_errors() => reached.completed_by(base_tally),
            _ => in_parts(Some(name)),
        })
        .collect();
    (base, variants)
}

/// A variant of the decision checked a part at a time (`semantics::reach::parts`), each
/// part's model dropped as soon as its diagnostics and counts are taken: at a million
/// rows the models were most of `bud check`'s memory. Where a part meets an error that
/// the whole decision might word otherwise, the variant is checked whole.
fn checked_in_parts(
    file: &syntax::ast::File,
    files: &dyn semantics::scale::DataFiles,
    problems: Vec<Diagnostic>,
    rows_per_part: usize,
) -> Checked {
    let parts = semantics::reach::parts(file, rows_per_part);
    if parts.len() < 2 {
        return run(file, files, problems, Keep::Differences);
    }
    let checked: Vec<Checked> = parts
        .par_iter()
        .map(|part| Checked {
            model: None,
            ..run(part, files, Vec::new(), Keep::Differences)
        })
        .collect();
    let mut diagnostics = checked.iter().flat_map(|part| &part.diagnostics);
    if diagnostics.any(needs_the_whole_decision) {
        return run(file, files, problems, Keep::Differences);
    }
    merged(checked, problems)
}

/// Whether a part's diagnostic may differ from the whole decision's: a name's error
/// suggests the names in scope, which a part has fewer of. A figure that does not
/// reconcile is found and attributed the same in its part, which holds every figure it
/// is computed from and every figure computed from it.
fn needs_the_whole_decision(diagnostic: &Diagnostic) -> bool {
    diagnostic.is_error() && diagnostic.code != diagnostic::Code::ReconcileMismatch
}

/// The parts of a decision as one, with the problems of the scenario they vary: their
/// diagnostics in file order and their counts added up, with no model and no record of
/// a figure (`Reconciliation::counted`).
fn merged(parts: Vec<Checked>, problems: Vec<Diagnostic>) -> Checked {
    let mut tally = reconcile::Tally::default();
    let mut diagnostics = problems;
    let mut data: Vec<semantics::scale::DataText> = Vec::new();
    for part in parts {
        tally = tally.plus(part.reconciliation.tally());
        diagnostics.extend(part.diagnostics);
        for file in part.data {
            if !data.iter().any(|known| known.name == file.name) {
                data.push(file);
            }
        }
    }
    in_file_order(&mut diagnostics);
    Checked {
        model: None,
        evaluated: true,
        reconciliation: Reconciliation::counted(tally),
        diagnostics,
        scenario: None,
        imported: Vec::new(),
        data,
    }
}

/// A scenario evaluated on the items its changes reach, and the base decision on the
/// same items: the difference between their counts is the scenario's.
struct Reached {
    scenario: Checked,
    base_part: reconcile::Tally,
}

impl Reached {
    /// The scenario's counts: the base decision's, with the reached items' replaced.
    fn completed_by(mut self, base: reconcile::Tally) -> Checked {
        let elsewhere = base.less(self.base_part);
        let unrecorded = &mut self.scenario.reconciliation.unrecorded;
        *unrecorded = unrecorded.plus(elsewhere);
        self.scenario
    }
}

/// `None` when the scenario must be evaluated whole: its change reaches everything, or
/// either part meets an error, whose wording may depend on items left out.
fn scenario_within_reach(
    file: &syntax::ast::File,
    files: &dyn semantics::scale::DataFiles,
    name: &str,
) -> Option<Reached> {
    let found = semantics::scenario::find(file, name).ok()?;
    let (variant, problems) = semantics::scenario::apply(file, found);
    let reach = semantics::reach::of_scenario(file, &variant)?;
    let base_part = run(&reach.prune(file), files, Vec::new(), Keep::Differences);
    let scenario = run(&reach.prune(&variant), files, problems, Keep::Differences);
    if base_part.has_errors() || scenario.has_errors() {
        return None;
    }
    Some(Reached {
        scenario: Checked {
            scenario: scenario_named(name, found),
            ..scenario
        },
        base_part: base_part.reconciliation.tally(),
    })
}

/// A scenario's name and its condition as the decision words it, as `Checked` has them.
fn scenario_named(name: &str, found: &syntax::ast::Scenario) -> Option<(String, Option<String>)> {
    let condition = found.condition.as_ref().map(|c| c.value.to_string());
    Some((name.to_owned(), condition))
}

/// Resolves, evaluates and reconciles one variant's syntax tree.
fn run(
    file: &syntax::ast::File,
    files: &dyn semantics::scale::DataFiles,
    mut diagnostics: Vec<Diagnostic>,
    keep: Keep,
) -> Checked {
    let (mut model, found) = semantics::evaluate_with(file, files);
    diagnostics.extend(found);
    let mut reconciliation = reconcile::reconcile_keeping(&model, keep);
    // Only a failing figure needs its cause found; a clean decision pays nothing.
    if reconciliation.count(reconcile::Outcome::Mismatch) > 0 {
        let published = semantics::as_published(file, &model, files);
        reconcile::attribution::attribute(&mut reconciliation, &model, &published);
    }
    diagnostics.extend(reconcile::diagnostics(&model, &reconciliation));
    in_file_order(&mut diagnostics);
    Checked {
        data: std::mem::take(&mut model.scales.data),
        model: Some(model),
        evaluated: true,
        reconciliation,
        diagnostics,
        scenario: None,
        imported: Vec::new(),
    }
}

/// Diagnostics as every output lists them: by place in the file, errors first at a
/// place, each once.
fn in_file_order(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| (d.position(), d.severity));
    diagnostics.dedup();
}
