//! bud reads a budget decision written as a `.bud` file, computes every table exactly,
//! and reconciles every figure the decision publishes against what its rules compute.
//!
//! The pipeline runs one way: text → syntax tree → evaluated model → reconciliation →
//! renderers. The library does no I/O of its own: it reads every file through a
//! `world::World` that its caller supplies, and `check` is the one way in; the language
//! server (`lsp`) speaks over a reader and a writer its caller hands over. Load a
//! decision into a world, check what is asked, render the model:
//!
//! ```
//! use bud::world::Memory;
//!
//! let world = Memory::decision(r#"
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
//! "#);
//! let checks = bud::check(&world, Memory::MAIN, bud::Request::DECISION);
//! let decision = checks.first().unwrap();
//! assert!(decision.diagnostics.is_empty());
//! let model = decision.model.as_ref().unwrap();
//! let page = bud::render::markdown::render(&bud::render::view::document(decision, model));
//! assert!(page.contains("| Support (13%) | 13.0 ✓ | 14.3 ✓ | 27.3 ✓ |"));
//! ```

pub mod diagnostic;
pub mod format;
pub mod ide;
pub mod import;
pub mod lsp;
pub mod reconcile;
pub mod render;
pub mod semantics;
pub mod syntax;
pub mod world;

use diagnostic::Diagnostic;
use rayon::prelude::*;
use reconcile::{Keep, Reconciliation};
use semantics::Model;
use world::World;

/// A decision (or one scenario of it), parsed, evaluated and reconciled, with every
/// diagnostic in file order.
pub struct Checked {
    /// Absent when the file could not be parsed, and from `Request::verify`'s
    /// result for a decision it checked in parts, whose models it dropped part by part,
    /// or for a scenario (`reached` names what it evaluated).
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
    /// For a scenario `Request::verify` checked, what it evaluated: the items its
    /// changes reach, or every item when it was evaluated whole (not in parts). Its
    /// model is not kept (`model` is `None`).
    pub reached: Option<ReachedItems>,
}

/// The tables and scales, by name, that `Request::verify` evaluated of a scenario. Only
/// these names are kept, not the model: a decision of 700 scenarios each editing a row
/// of a 20,000-row table held 700 models of that table at once, 4 GB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachedItems {
    pub tables: Vec<String>,
    pub scales: Vec<String>,
}

impl ReachedItems {
    fn of(model: &Model) -> Self {
        ReachedItems {
            tables: model
                .program
                .tables
                .iter()
                .map(|t| t.name.to_string())
                .collect(),
            scales: model
                .scales
                .scales
                .iter()
                .map(|s| s.def.name.clone())
                .collect(),
        }
    }
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
            reached: None,
        }
    }

    fn importing(mut self, imported: &[syntax::imports::Imported]) -> Self {
        self.imported = imported.to_vec();
        self
    }
}

/// What to check of a decision, and how much of it to keep.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// These variants, each with its model, for renderers and comparisons: `None` is
    /// the decision itself, `Some` a scenario of it (an unknown name is a diagnostic
    /// that names the scenarios there are). `bud evaluate` asks for one, `bud compare`
    /// for two, parsed once.
    Variants(&'a [Option<&'a str>]),
    /// The decision and then every scenario, each with its model, and the syntax tree
    /// (`Checks::tree`): what an editor answers questions from.
    Everything,
    /// The decision and every scenario as `bud check` reports them: diagnostics and
    /// counts, for less memory and time (see `Request::verify`).
    Verify {
        /// A large decision is checked in parts of at least this many table rows.
        rows_per_part: usize,
    },
}

impl Request<'_> {
    /// The decision itself, with its model.
    pub const DECISION: Request<'static> = Request::Variants(&[None]);

    /// What `bud check` needs of the base decision and every scenario: the same
    /// diagnostics and counts as `Request::Everything`, for less memory and time.
    /// Matching figures are counted, not recorded (`Keep::Differences`), and a scenario
    /// is evaluated only where its changes reach (`semantics::reach`), its other
    /// figures counted from the base decision; that scenario's model is dropped once
    /// counted, and `Checked::reached` names what it evaluated. Where that shortcut
    /// meets an error, the scenario's whole variant is checked, so every diagnostic is
    /// the same.
    ///
    /// A large decision, and a scenario the shortcut cannot take, is checked in parts
    /// that read nothing of each other (`semantics::reach::parts`), on every core, each
    /// part's model dropped once counted; where a part meets an error other than a
    /// figure that does not reconcile, the variant is checked whole. So no result of a
    /// large decision without such errors holds the model of all of it.
    pub fn verify() -> Request<'static> {
        Request::Verify {
            rows_per_part: ROWS_PER_PART,
        }
    }
}

/// The variants a `Request` asked for, checked.
pub struct Checks {
    /// In the order asked for; for `Everything` and `Verify`, the decision first, then
    /// each scenario in file order. A file that cannot be read or parsed gives one.
    pub variants: Vec<Checked>,
    /// The decision's syntax tree, imported items merged in, for `Everything` when the
    /// file parsed.
    pub tree: Option<syntax::ast::File>,
}

impl Checks {
    /// The first variant checked: the decision itself, unless another was asked for.
    pub fn first(&self) -> Option<&Checked> {
        self.variants.first()
    }

    /// The first variant, owned.
    pub fn into_first(self) -> Option<Checked> {
        self.variants.into_iter().next()
    }
}

/// Checks the decision at `main` (a path of `world`), reading every file it names
/// through `world`: the one way in for the command line, the language server, the
/// renderers and the tests.
///
/// ```
/// use bud::world::Memory;
///
/// let world = Memory::decision(r#"
/// decision "X/1" {
///     title    "A small budget"
///     period   2013-2014
///     currency US$
/// }
///
/// table 1 budget {
///     unit     thousands of US$
///     rounding 0.1
///     columns  2013 2014 Total
///
///     staff    "Staff costs"      100.0   110.0   210.0
///     support  "Support (13%)"     13.0    14.3    27.3  = 13% of staff
/// }
/// "#);
/// let checks = bud::check(&world, Memory::MAIN, bud::Request::DECISION);
/// let decision = checks.first().unwrap();
/// assert!(decision.diagnostics.is_empty());
/// assert_eq!(decision.reconciliation.checks.len(), 4);
/// ```
pub fn check(world: &dyn World, main: &str, request: Request<'_>) -> Checks {
    let source = match world.read(main) {
        Ok(source) => source,
        Err(reason) => {
            let unreadable = Diagnostic::error(
                diagnostic::Code::IoRead,
                format!("cannot read `{main}`: {reason}"),
            )
            .with_help("check the path; decision files are usually under decisions/");
            return Checks {
                variants: vec![Checked::unparsed(vec![unreadable])],
                tree: None,
            };
        }
    };
    let loaded = syntax::imports::load(&source, world);
    let imports = imported_models(&loaded.decisions, world);
    let around = Around {
        world,
        imports: &imports,
        errata_strict: true,
    };
    match request {
        Request::Variants(scenarios) => Checks {
            variants: these_variants(&loaded, around, scenarios),
            tree: None,
        },
        Request::Everything => {
            let variants = every_variant(&loaded, around, source.len(), Thoroughness::Whole);
            Checks {
                variants,
                tree: loaded.file.ok(),
            }
        }
        Request::Verify { rows_per_part } => Checks {
            variants: every_variant(
                &loaded,
                around,
                source.len(),
                Thoroughness::Lean { rows_per_part },
            ),
            tree: None,
        },
    }
}

/// What a check reads besides the syntax tree: the world, for data files, and the
/// decisions imported under a name, evaluated once for every variant and part.
#[derive(Clone, Copy)]
struct Around<'a> {
    world: &'a dyn World,
    imports: &'a [semantics::ImportedModel],
    /// Whether the problems of the decision's errata are reported: not for a
    /// scenario, whose tables may no longer hold the figures the errata name.
    errata_strict: bool,
}

/// The decisions `decisions` name, each evaluated as itself (its own imports first);
/// one that cannot be read has its diagnostic at the import already.
fn imported_models(
    decisions: &[syntax::imports::ImportedDecision],
    world: &dyn World,
) -> Vec<semantics::ImportedModel> {
    decisions
        .iter()
        .filter_map(|decision| {
            let file = decision.file.as_ref().ok()?;
            let imports = imported_models(&decision.decisions, world);
            // Its diagnostics are its own: it is checked as itself.
            let (model, _) = semantics::evaluate_with(file, world, &imports);
            Some(semantics::ImportedModel {
                alias: decision.alias.name.to_string(),
                name: decision.name.clone(),
                at: decision.at,
                model: std::sync::Arc::new(model),
            })
        })
        .collect()
}

/// Several variants of one decision (`None` is the decision itself), parsed once.
fn these_variants(
    loaded: &syntax::imports::Loaded,
    around: Around<'_>,
    scenarios: &[Option<&str>],
) -> Vec<Checked> {
    let variants = match &loaded.file {
        Ok(file) => scenarios
            .iter()
            .map(|scenario| variant_of(file, around, *scenario))
            .collect(),
        Err(diagnostics) => vec![Checked::unparsed(diagnostics.clone())],
    };
    variants
        .into_iter()
        .map(|checked| checked.importing(&loaded.imported))
        .collect()
}

fn variant_of(file: &syntax::ast::File, around: Around<'_>, scenario: Option<&str>) -> Checked {
    variant_checked(file, scenario, |variant, problems, base| {
        let around = Around {
            errata_strict: base,
            ..around
        };
        run(variant, around, problems, Keep::Every)
    })
}

/// The base decision or a scenario of it, checked by `check` with the problems of
/// applying the scenario.
fn variant_checked(
    file: &syntax::ast::File,
    scenario: Option<&str>,
    check: impl Fn(&syntax::ast::File, Vec<Diagnostic>, bool) -> Checked,
) -> Checked {
    let Some(name) = scenario else {
        // Nothing reads a file's scenarios but `scenario`, so the base decision is the file;
        // what is wrong among the scenarios themselves is reported with it, once.
        let mut problems = semantics::scenario::duplicates(file);
        problems.extend(semantics::resolve::numbered_twice(file));
        return check(file, problems, true);
    };
    match semantics::scenario::find(file, name) {
        Ok(found) => {
            let (variant, problems) = semantics::scenario::apply(file, found);
            Checked {
                scenario: scenario_named(name, found),
                ..check(&variant, problems, false)
            }
        }
        Err(unknown) => Checked::unparsed(vec![unknown]),
    }
}

/// The rows of a part of a large decision checked on its own (`Request::verify`):
/// enough that a part's fixed costs do not show, few enough that two parts at once
/// are small beside the syntax tree. A decision of fewer rows is checked whole.
const ROWS_PER_PART: usize = 1 << 14;

/// How much of each variant `every_variant` keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Thoroughness {
    /// Whole models and every check: for renderers and the editor.
    Whole,
    /// Diagnostics and counts: for `bud check` (`Request::Verify`).
    Lean { rows_per_part: usize },
}

/// Below this size a decision's variants are checked one after the other: starting
/// threads would cost more than it saves (BS-VI/7 takes a few milliseconds in all).
const PARALLEL_VARIANTS_FROM_BYTES: usize = 256 * 1024;

fn every_variant(
    loaded: &syntax::imports::Loaded,
    around: Around<'_>,
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
        Thoroughness::Whole => whole_variants(file, around, &names, size),
        Thoroughness::Lean { rows_per_part } => {
            lean_variants(file, around, &names, size, rows_per_part)
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
    around: Around<'_>,
    names: &[&str],
    size: usize,
) -> (Checked, Vec<Checked>) {
    base_and_scenarios(
        size,
        names,
        || variant_of(file, around, None),
        |name| variant_of(file, around, Some(name)),
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
    around: Around<'_>,
    names: &[&str],
    size: usize,
    rows_per_part: usize,
) -> (Checked, Vec<Checked>) {
    let in_parts = |name: Option<&str>| {
        variant_checked(file, name, |variant, problems, base| {
            let around = Around {
                errata_strict: base,
                ..around
            };
            checked_in_parts(variant, around, problems, rows_per_part)
        })
    };
    let (base, reached) = base_and_scenarios(
        size,
        names,
        || in_parts(None),
        |name| scenario_within_reach(file, around, name),
    );
    let base_tally = base.reconciliation.tally();
    let variants = names
        .iter()
        .zip(reached)
        .map(|(name, reached)| match reached {
            Some(reached) if !base.has_errors() => reached.completed_by(base_tally),
            _ => without_model(in_parts(Some(name))),
        })
        .collect();
    (base, variants)
}

/// `checked` with its model dropped and what it evaluated named instead: a scenario's
/// result is kept until every scenario is checked, and hundreds of models of a large
/// table would be alive at once.
fn without_model(mut checked: Checked) -> Checked {
    if let Some(model) = checked.model.take() {
        checked.reached = Some(ReachedItems::of(&model));
    }
    checked
}

/// A variant of the decision checked a part at a time (`semantics::reach::parts`), each
/// part's model dropped as soon as its diagnostics and counts are taken: at a million
/// rows the models were most of `bud check`'s memory. Where a part meets an error that
/// the whole decision might word otherwise, the variant is checked whole.
fn checked_in_parts(
    file: &syntax::ast::File,
    around: Around<'_>,
    problems: Vec<Diagnostic>,
    rows_per_part: usize,
) -> Checked {
    // Errata name figures anywhere in the decision: it is checked whole.
    let parts = match reconcile::errata::any(file) {
        false => semantics::reach::parts(file, rows_per_part),
        true => Vec::new(),
    };
    if parts.len() < 2 {
        return run(file, around, problems, Keep::Differences);
    }
    let checked: Vec<Checked> = parts
        .par_iter()
        .map(|part| Checked {
            model: None,
            ..run(part, around, Vec::new(), Keep::Differences)
        })
        .collect();
    let mut diagnostics = checked.iter().flat_map(|part| &part.diagnostics);
    if diagnostics.any(needs_the_whole_decision) {
        return run(file, around, problems, Keep::Differences);
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
        reached: None,
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
    around: Around<'_>,
    name: &str,
) -> Option<Reached> {
    if reconcile::errata::any(file) {
        return None;
    }
    let found = semantics::scenario::find(file, name).ok()?;
    let (variant, problems) = semantics::scenario::apply(file, found);
    let reach = semantics::reach::of_scenario(file, &variant)?;
    let base_part = run(&reach.prune(file), around, Vec::new(), Keep::Differences);
    let scenario = run(&reach.prune(&variant), around, problems, Keep::Differences);
    if base_part.has_errors() || scenario.has_errors() {
        return None;
    }
    Some(Reached {
        scenario: without_model(Checked {
            scenario: scenario_named(name, found),
            ..scenario
        }),
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
    around: Around<'_>,
    mut diagnostics: Vec<Diagnostic>,
    keep: Keep,
) -> Checked {
    let (mut model, found) = semantics::evaluate_with(file, around.world, around.imports);
    diagnostics.extend(found);
    // An erratum must know whether the figure it names matched: every check is kept.
    let errata = reconcile::errata::any(file);
    let keep = if errata { Keep::Every } else { keep };
    let mut reconciliation = reconcile::reconcile_keeping(&model, keep);
    // Only a failing figure needs its cause found; a clean decision pays nothing.
    if reconciliation.count(reconcile::Outcome::Mismatch) > 0 {
        let published = semantics::as_published(file, &model, around.world);
        reconcile::attribution::attribute(&mut reconciliation, &model, &published);
        reconcile::scale_causes::diagnose(&model, &mut reconciliation);
    }
    if errata {
        let strict = around.errata_strict;
        diagnostics.extend(reconcile::errata::acknowledge(
            file,
            &model,
            &mut reconciliation,
            strict,
        ));
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
        reached: None,
    }
}

/// Diagnostics as every output lists them: by place in the file, errors first at a
/// place, each once.
fn in_file_order(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| (d.position(), d.severity));
    diagnostics.dedup();
}

/// The decision block the library's unit tests start their decisions with: T/1, for
/// 2013-2014, in US$.
#[cfg(test)]
pub(crate) const TEST_DECISION: &str =
    "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\n";

/// The decision `text`, checked alone: what the library's own unit tests need.
#[cfg(test)]
pub(crate) fn checked_text(text: &str) -> Checked {
    let world = world::Memory::decision(text);
    let mut checks = check(&world, world::Memory::MAIN, Request::DECISION);
    checks.variants.remove(0)
}

/// The one correction of the one error of the decision `text`, checked alone; fails
/// the test when there is not exactly one of each.
#[cfg(test)]
#[allow(clippy::panic)]
pub(crate) fn only_correction(text: &str) -> diagnostic::Correction {
    let checked = checked_text(text);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", checked.diagnostics);
    let [correction] = errors[0].corrections() else {
        panic!("one correction: {:#?}", errors[0]);
    };
    correction.clone()
}
