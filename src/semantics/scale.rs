//! Scales of assessments: the `group` and `scale` items of a decision, resolved and
//! evaluated. A scale names the amount it apportions (a computed row, such as Table 1's
//! NET TOTAL), the rule (`fixed`, `ceiling`, `cap`, `floor`), and its Parties, written
//! inline or read from a CSV or TSV file the decision names. Evaluation runs after the
//! tables, because the amount is one of their cells; nothing in a decision reads a
//! scale back, so scales never take part in the dependency graph.
//!
//! The amount apportioned is known to the dollar only from the scale's own TOTAL row:
//! the table it comes from publishes it rounded (Table 1 to US$ 100), so bud computes
//! it within the bound that rounding leaves. When the stated TOTAL is within that bound
//! it is the more precise of the two and the contributions are computed from it, to
//! within half a dollar; when it is not, the TOTAL row fails to reconcile and the
//! contributions use the computed amount, with its wider bound.

use std::collections::HashMap;

use rust_decimal::{Decimal, RoundingStrategy};

use super::Model;
use super::apportion::{self, Apportioned, Binding, Impossible, Terms};
use super::eval::{Amount, Failed, combine};
use super::number::Exact;
use super::program::{PublishedRounding, ValueId};
use super::unit::Unit;
use crate::diagnostic::{Code, Diagnostic, Span, closest};
use crate::semantics::resolve::column_outside_the_period;
use crate::semantics::unit::percent_out_of_range;
use crate::syntax::ast::{
    self, BinaryOp, Figure, FigureKind, RoundingMode, ScaleRule, ScaleTable, TableSetting,
    TableUnit, Written,
};
use crate::syntax::data::{self, DataRow, Delimiter};
use crate::syntax::figure_kind;
use crate::world::World;
use rustc_hash::{FxHashMap, FxHashSet};

/// A data file a decision named, as read, so its lines can be shown in diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataText {
    pub name: String,
    pub text: std::sync::Arc<str>,
}

#[derive(Debug, Clone)]
pub struct GroupDef {
    pub name: String,
    pub label: Option<String>,
    /// In the order the decision lists them.
    members: Vec<(String, Span)>,
    /// Positions in `members`, ordered by name: a group may list a hundred thousand
    /// Parties, and a scan of them for every Party made checking quadratic.
    by_name: Vec<usize>,
    pub span: Span,
}

impl GroupDef {
    pub fn new(
        name: String,
        label: Option<String>,
        members: Vec<(String, Span)>,
        span: Span,
    ) -> Self {
        let mut by_name: Vec<usize> = (0..members.len()).collect();
        by_name.sort_unstable_by(|a, b| members[*a].0.cmp(&members[*b].0));
        GroupDef {
            name,
            label,
            members,
            by_name,
            span,
        }
    }

    /// The Parties the group lists, each with where it lists it.
    pub fn members(&self) -> &[(String, Span)] {
        &self.members
    }

    pub fn contains(&self, party: &str) -> bool {
        self.by_name
            .binary_search_by(|index| self.members[*index].0.as_str().cmp(party))
            .is_ok()
    }

    /// "ldc (Least developed countries (2012))" or just "ldc".
    pub fn display_name(&self) -> String {
        match &self.label {
            Some(label) => format!("`{}` ({label})", self.name),
            None => format!("`{}`", self.name),
        }
    }
}

/// How many misspelt group members get a "did you mean": each suggestion compares the
/// name with every Party of every scale.
const MAX_MEMBER_SUGGESTIONS: usize = 100;

/// One Party line: its name, its figures (three per year, then the Total), and where
/// they were written.
#[derive(Debug, Clone)]
pub struct PartyDef {
    pub name: String,
    pub span: Span,
    /// The data file the line is in; `None` when written in the decision.
    pub file: Option<String>,
    pub figures: Vec<Figure>,
    /// The groups the Party belongs to, by index into `Scales::groups`.
    pub groups: Vec<usize>,
}

impl PartyDef {
    /// A line written in the decision file.
    fn written(party: &ast::Text, figures: &[Figure]) -> Self {
        PartyDef {
            name: party.value.to_string(),
            span: party.span,
            file: None,
            figures: figures.to_vec(),
            groups: Vec::new(),
        }
    }
}

/// What a figure of a Party line is; years by their index in `ScaleDef::years`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureRole {
    /// A base (UN scale) rate: of one year, or `None` for one column of base rates
    /// that every year uses.
    Base(Option<usize>),
    Adjusted(usize),
    Contribution(usize),
    Total,
}

/// A column of a scale: what its figures are, and the heading the decision gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleColumnDef {
    pub role: FigureRole,
    pub heading: Option<String>,
}

/// A limit of the rule and where it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub rate: Decimal,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ScaleDef {
    pub number: Option<String>,
    pub name: String,
    pub title: Option<String>,
    pub notes: Vec<String>,
    pub currency: String,
    /// How each contribution is rounded.
    pub rounding: PublishedRounding,
    /// How the scale prints its figures: its own `notation`, or the decision's.
    pub notation: crate::format::Notation,
    /// How the adjusted scale is published; `None` compares it exactly.
    pub rate_rounding: Option<PublishedRounding>,
    pub years: Vec<i32>,
    /// The columns of a Party line, in order.
    pub columns: Vec<ScaleColumnDef>,
    /// How the base rates are printed: rounded to this step (`base rounding 0.001`),
    /// or exact.
    pub base_rounding: Option<PublishedRounding>,
    /// The value that holds the amount apportioned each year (`apportion …`), the
    /// formula as written (`core_budget.net_total`), and where.
    pub amount: Option<(ValueId, String, Span)>,
    pub fixed: Vec<(usize, Limit)>,
    pub ceiling: Option<Limit>,
    pub caps: Vec<(usize, Limit)>,
    pub floor: Option<Limit>,
    /// The shared rule the scale applies (`rule financial_procedures`), and the
    /// instrument it cites; and the parts of it the scale leaves out, in words.
    pub shared_rule: Option<(String, Option<String>)>,
    pub not_applied: Vec<String>,
    pub parties: Vec<PartyDef>,
    pub total: Option<PartyDef>,
    /// False when a Party line could not be read (a bad row, a wrong count, a second
    /// line for a Party): rates computed without it would be wrong for every Party.
    pub complete: bool,
    pub span: Span,
}

impl ScaleDef {
    /// "Table 5", "Annex I", or the scale's name when it has no number.
    pub fn display_name(&self) -> String {
        super::program::display_name(self.number.as_deref(), &self.name)
    }

    /// "US$"
    pub fn currency_symbol(&self) -> &str {
        super::unit::currency_symbol(&self.currency)
    }

    pub fn figure_count(&self) -> usize {
        self.columns.len()
    }

    pub fn role(&self, figure: usize) -> FigureRole {
        self.columns
            .get(figure)
            .map_or(FigureRole::Total, |column| column.role)
    }

    /// Whether the scale prints a Total column.
    pub fn has_total(&self) -> bool {
        self.column_of(FigureRole::Total).is_some()
    }

    /// Whether it prints any amount of money: contributions, or their Total.
    pub fn has_amounts(&self) -> bool {
        self.columns
            .iter()
            .any(|column| matches!(column.role, FigureRole::Contribution(_) | FigureRole::Total))
    }

    /// Where the column of a role is among a Party line's figures.
    pub fn column_of(&self, role: FigureRole) -> Option<usize> {
        self.columns.iter().position(|column| column.role == role)
    }

    /// The column of the base rates a year uses: its own, or the one for every year.
    pub fn base_column(&self, year_index: usize) -> Option<usize> {
        self.column_of(FigureRole::Base(Some(year_index)))
            .or_else(|| self.column_of(FigureRole::Base(None)))
    }

    /// A Party's base (UN scale) rate for the year at `year_index`, in per cent.
    pub fn base(&self, party: &PartyDef, year_index: usize) -> Decimal {
        self.base_written(party, year_index)
            .map_or(Decimal::ZERO, |w| w.value)
    }

    /// The base rate as written (`12.530`, not `12.53`), for messages.
    pub fn base_written(&self, party: &PartyDef, year_index: usize) -> Option<Written> {
        let column = self.base_column(year_index)?;
        match party.figures.get(column).map(|f| &f.kind) {
            Some(&FigureKind::Number(written)) => Some(written),
            _ => None,
        }
    }

    /// The most a Party may pay and which limit that is (the ceiling or a group's cap).
    pub fn most_for(&self, party: &PartyDef) -> Option<(Limit, Option<usize>)> {
        let caps = self
            .caps
            .iter()
            .filter(|(group, _)| party.groups.contains(group))
            .map(|(group, limit)| (*limit, Some(*group)));
        self.ceiling
            .map(|limit| (limit, None))
            .into_iter()
            .chain(caps)
            .min_by_key(|(limit, _)| limit.rate)
    }

    pub fn fixed_share(&self, party: usize) -> Option<Limit> {
        self.fixed
            .iter()
            .find(|(index, _)| *index == party)
            .map(|(_, limit)| *limit)
    }
}

/// The amount apportioned in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountApportioned {
    /// As the table it comes from computes it.
    pub computed: Amount,
    /// What the contributions are computed from: the stated TOTAL when it reconciles
    /// and is more precise, otherwise `computed`.
    pub used: Amount,
    pub from_stated_total: bool,
}

/// How the year's rescaling factor came about: (100 − fixed − held) / scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSummary {
    /// The fixed shares, in per cent.
    pub fixed: Decimal,
    /// The rates of the Parties held at a limit, in per cent.
    pub held: Exact,
    /// The base rates of the Parties that scale, and how many they are.
    pub scaling: Decimal,
    pub scaling_parties: usize,
}

#[derive(Debug, Clone)]
pub struct YearResult {
    pub year: i32,
    pub amount: Result<AmountApportioned, Failed>,
    pub rates: Result<Apportioned, Failed>,
    pub summary: Option<RateSummary>,
    /// Per Party, how far its adjusted rate (in per cent) could be from what the
    /// rule gives when the base rates are printed rounded (`base rounding`); empty
    /// when they are exact.
    pub rate_uncertainty: Vec<Decimal>,
    /// Per Party, unrounded; empty when the amount or the rates failed.
    pub contributions: Vec<Amount>,
}

#[derive(Debug, Clone)]
pub struct ScaleModel {
    pub def: ScaleDef,
    pub years: Vec<YearResult>,
}

impl ScaleModel {
    /// A Party's Total column: the sum of its unrounded contributions.
    pub fn party_total(&self, party: usize) -> Option<Amount> {
        self.years
            .iter()
            .try_fold(Amount::exact(Exact::ZERO), |sum, year| {
                let contribution = year.contributions.get(party)?;
                combine(BinaryOp::Add, sum, *contribution).ok()
            })
    }

    /// The Total column of the TOTAL row: the sum of the amounts apportioned.
    pub fn amount_total(&self) -> Option<Amount> {
        self.years
            .iter()
            .try_fold(Amount::exact(Exact::ZERO), |sum, year| {
                let amount = year.amount.ok()?;
                combine(BinaryOp::Add, sum, amount.used).ok()
            })
    }
}

impl YearResult {
    /// The contributions rounded one by one and added up, and how far that sum is from
    /// the amount apportioned (the rounding residue); `None` if none were computed.
    pub fn rounded_sum(&self, rounding: &PublishedRounding) -> Option<(Decimal, Exact)> {
        let amount = self.amount.as_ref().ok()?;
        if self.contributions.is_empty() {
            return None;
        }
        let sum = self
            .contributions
            .iter()
            .try_fold(Decimal::ZERO, |sum, c| {
                sum.checked_add(c.value.round_to(rounding.step, rounding.mode).ok()?)
            })?;
        let residue = Exact::new(sum).checked_sub(amount.used.value).ok()?;
        Some((sum, residue))
    }
}

/// Every group and scale of a decision, evaluated.
#[derive(Debug, Clone, Default)]
pub struct Scales {
    pub groups: Vec<GroupDef>,
    pub scales: Vec<ScaleModel>,
    /// The data files read, in the order first read. `bud::check` moves them to
    /// `Checked::data`.
    pub data: Vec<DataText>,
}

/// Resolves and evaluates the decision's groups and scales against the evaluated
/// tables in `model`, reading the data files it names through `files`.
pub fn evaluate(file: &ast::File, model: &Model, files: &dyn World) -> (Scales, Vec<Diagnostic>) {
    let mut builder = Builder {
        model,
        files,
        shared: HashMap::new(),
        scales: Scales::default(),
        diagnostics: Vec::new(),
        incomplete: false,
        columns_ok: true,
    };
    builder.declare_groups(file);
    builder.declare_rules(file);
    let tables: Vec<&ScaleTable> = file
        .items
        .iter()
        .filter_map(|item| match item {
            ast::Item::Scale(scale) => Some(scale),
            _ => None,
        })
        .collect();
    builder.check_scale_names(&tables);
    let definitions: Vec<ScaleDef> = tables.iter().map(|t| builder.scale(t)).collect();
    builder.check_group_members(&definitions);
    for def in definitions {
        let years = builder.evaluate_years(&def);
        builder.scales.scales.push(ScaleModel { def, years });
    }
    (builder.scales, builder.diagnostics)
}

struct Builder<'a> {
    model: &'a Model,
    files: &'a dyn World,
    /// The shared rules (`rule financial_procedures "…" { … }`), by name.
    shared: HashMap<String, ast::RuleDef>,
    scales: Scales,
    diagnostics: Vec<Diagnostic>,
    /// Whether a Party line of the scale being built could not be read: its rates
    /// would then be computed without that Party, so they are not computed at all.
    incomplete: bool,
    /// Whether the scale being built has usable `columns`; without them no line can
    /// be read, and saying so for every line would bury the one real error.
    columns_ok: bool,
}

impl Builder<'_> {
    fn declare_rules(&mut self, file: &ast::File) {
        for item in &file.items {
            let ast::Item::Rule(rule) = item else {
                continue;
            };
            if let Some(first) = self.shared.get(rule.name.name.as_str()) {
                self.diagnostics.push(Diagnostic::defined_twice(
                    "rule",
                    &rule.name.name,
                    (rule.name.span, first.name.span),
                    "keep one `rule` block of that name",
                ));
                continue;
            }
            self.shared.insert(rule.name.name.to_string(), rule.clone());
        }
    }

    /// The scale's rule lines, a shared rule's limits in place of the line that
    /// applies it, less the parts it leaves out.
    fn expanded(&mut self, rules: &[ScaleRule], def: &mut ScaleDef) -> Vec<ScaleRule> {
        let mut expanded = Vec::with_capacity(rules.len());
        for rule in rules {
            let ScaleRule::Use {
                rule: name,
                without,
                ..
            } = rule
            else {
                expanded.push(rule.clone());
                continue;
            };
            let Some(shared) = self.shared.get(name.name.as_str()).cloned() else {
                let suggestion = closest(&name.name, self.shared.keys().map(String::as_str));
                let help = match suggestion {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "define it with `rule NAME \"source\" { fixed … floor … }`, here or in a file the decision imports".to_owned(),
                };
                let diagnostic = Diagnostic::error(
                    Code::NameUnknown,
                    format!("there is no rule `{}`", name.name),
                )
                .at(name.span, "unknown rule")
                .with_help(help);
                self.diagnostics
                    .push(name_correction(diagnostic, name.span, suggestion));
                self.incomplete = true;
                continue;
            };
            for left_out in without {
                let found = shared
                    .limits
                    .iter()
                    .find(|limit| leaves_out(left_out, limit));
                match found {
                    Some(limit) => def.not_applied.push(limit_words(limit)),
                    None => {
                        let (what, span) = without_words(left_out);
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::TableSetting,
                                format!("the rule `{}` has no {what} to leave out", name.name),
                            )
                            .at(span, "not in the rule")
                            .with_label(shared.name.span, "the rule")
                            .with_help(
                                "name a `fixed`, `ceiling`, `cap` or `floor` line of the rule",
                            ),
                        );
                    }
                }
            }
            def.shared_rule = Some((
                name.name.to_string(),
                shared.source.as_ref().map(|s| s.value.to_string()),
            ));
            expanded.extend(
                shared
                    .limits
                    .iter()
                    .filter(|limit| !without.iter().any(|w| leaves_out(w, limit)))
                    .cloned(),
            );
        }
        expanded
    }

    fn declare_groups(&mut self, file: &ast::File) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &file.items {
            let ast::Item::Group(group) = item else {
                continue;
            };
            if let Some(first) = seen.get(group.name.name.as_str()) {
                self.diagnostics.push(Diagnostic::defined_twice(
                    "group",
                    &group.name.name,
                    (group.name.span, *first),
                    "list all the group's members in one `group` block",
                ));
                continue;
            }
            seen.insert(group.name.name.to_string(), group.name.span);
            let mut members: Vec<(String, Span)> = Vec::new();
            let mut listed: FxHashMap<&str, Span> = FxHashMap::default();
            for member in &group.members {
                if let Some(first) = listed.get(member.value.as_str()) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::ApportionParty,
                            format!(
                                "{} is listed twice in the group `{}`",
                                member.value, group.name.name
                            ),
                        )
                        .at(member.span, "listed again here")
                        .with_label(*first, "first listed here")
                        .with_help("remove one of the two"),
                    );
                    continue;
                }
                listed.insert(member.value.as_str(), member.span);
                members.push((member.value.to_string(), member.span));
            }
            self.scales.groups.push(GroupDef::new(
                group.name.name.to_string(),
                group.label.as_ref().map(|l| l.value.to_string()),
                members,
                group.span,
            ));
        }
    }

    /// A scale's name must not be a table's or another scale's: both print as tables.
    fn check_scale_names(&mut self, tables: &[&ScaleTable]) {
        let mut seen: HashMap<&str, Span> = self
            .model
            .program
            .tables
            .iter()
            .map(|t| (t.name.as_str(), t.name_span))
            .collect();
        for table in tables {
            if let Some(first) = seen.insert(table.name.name.as_str(), table.name.span) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::NameDuplicate,
                        format!("`{}` names two tables", table.name.name),
                    )
                    .at(table.name.span, "this scale")
                    .with_label(first, "already the name of this one")
                    .with_help("give the scale a name of its own, such as `contributions`"),
                );
            }
        }
    }

    /// A group member that is a Party of no scale is most likely misspelt.
    fn check_group_members(&mut self, definitions: &[ScaleDef]) {
        // Without every scale's Party lines, a missing member proves nothing.
        if definitions.is_empty() || definitions.iter().any(|d| !d.complete) {
            return;
        }
        let parties: Vec<&str> = definitions
            .iter()
            .flat_map(|d| d.parties.iter().map(|p| p.name.as_str()))
            .collect();
        let known: FxHashSet<&str> = parties.iter().copied().collect();
        // Each suggestion compares a name with every Party: a group of thousands of
        // unknown names gets suggestions for the first few only.
        let mut suggestions = 0;
        for group in &self.scales.groups {
            for (member, span) in &group.members {
                if known.contains(member.as_str()) {
                    continue;
                }
                let mut diagnostic = Diagnostic::error(
                    Code::ApportionParty,
                    format!(
                        "{member}, listed in the group `{}`, is not a Party in any scale",
                        group.name
                    ),
                )
                .at(*span, "no Party of this name");
                suggestions += 1;
                let suggestion = match suggestions <= MAX_MEMBER_SUGGESTIONS {
                    true => closest(member, parties.iter().copied()),
                    false => None,
                };
                diagnostic = match suggestion {
                    Some(party) => diagnostic.with_help(format!("did you mean \"{party}\"?")),
                    None => diagnostic
                        .with_help("write the Party's name exactly as in the scale's Party lines"),
                };
                diagnostic = party_correction(diagnostic, *span, suggestion);
                self.diagnostics.push(diagnostic);
            }
        }
    }

    fn scale(&mut self, table: &ScaleTable) -> ScaleDef {
        let mut def = ScaleDef {
            number: table
                .number
                .as_ref()
                .map(|n| n.name.clone())
                .map(String::from),
            name: table.name.name.to_string(),
            title: None,
            notes: Vec::new(),
            currency: String::new(),
            rounding: PublishedRounding {
                written: Written {
                    value: Decimal::ONE,
                    decimals: 0,
                },
                step: Decimal::ONE,
                mode: RoundingMode::HalfUp,
            },
            rate_rounding: None,
            notation: self.model.program.decision.notation,
            years: Vec::new(),
            columns: Vec::new(),
            base_rounding: None,
            amount: None,
            fixed: Vec::new(),
            ceiling: None,
            caps: Vec::new(),
            floor: None,
            shared_rule: None,
            not_applied: Vec::new(),
            parties: Vec::new(),
            total: None,
            complete: true,
            span: table.span,
        };
        self.incomplete = false;
        self.columns_ok = true;
        self.settings(table, &mut def);
        self.parties(table, &mut def);
        self.rules(table, &mut def);
        def.complete = !self.incomplete;
        def
    }

    fn settings(&mut self, table: &ScaleTable, def: &mut ScaleDef) {
        let (mut unit, mut rounding, mut columns) = (false, false, false);
        for setting in &table.settings {
            match setting {
                TableSetting::Title(title) => def.title = Some(title.value.to_string()),
                TableSetting::Note(note) => def.notes.push(note.printed()),
                // The grammar gives a scale no `label` line: its labels are Parties.
                TableSetting::Label(_) => {}
                TableSetting::Unit(TableUnit::Money { currency, scale }, span) => {
                    unit = true;
                    def.currency = currency.code.clone();
                    if *scale != ast::Scale::Units {
                        self.setting_problem(
                            *span,
                            "a scale's contributions are written in whole currency units",
                            "write `unit US$`",
                        );
                    }
                }
                TableSetting::Unit(_, span) => {
                    unit = true;
                    self.setting_problem(
                        *span,
                        "a scale's contributions are amounts of money",
                        "write `unit US$`; the rates are always in per cent",
                    );
                }
                TableSetting::Rounding(written, span) => {
                    rounding = true;
                    match published(written) {
                        Some(published) => def.rounding = published,
                        None => self.setting_problem(
                            *span,
                            "the rounding step must be above zero",
                            "write `rounding 1 half-up` for whole dollars",
                        ),
                    }
                }
                TableSetting::ScaleColumns(_, span) if columns => {
                    self.columns_ok = false;
                    self.setting_problem(
                        *span,
                        "`columns` is given twice",
                        "keep one `columns` line",
                    );
                }
                TableSetting::ScaleColumns(written, span) => {
                    columns = true;
                    self.layout(written, *span, def);
                }
                // The grammar gives a scale its own kind of `columns`.
                TableSetting::Columns(_) => {}
                TableSetting::Notation(notation, _) => def.notation = *notation,
            }
        }
        if !columns {
            self.columns_ok = false;
        }
        // A scale of rates alone prints no money, so it needs no unit or rounding.
        let amounts = !columns || def.has_amounts();
        let missing = [
            (unit || !amounts, "unit", "unit US$"),
            (rounding || !amounts, "rounding", "rounding 1 half-up"),
            (columns, "columns", "columns 2013 2014 Total"),
        ];
        for (present, setting, example) in missing {
            if !present {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::TableSetting,
                        format!("scale `{}` has no `{setting}`", def.name),
                    )
                    .at(table.name.span, format!("no `{setting}` in this scale"))
                    .with_help(format!("add a line such as `{example}`")),
                );
            }
        }
    }

    /// The Party line's columns as `columns` writes them: `2013` for the year's base
    /// rate, adjusted rate and contribution, or each role on its own.
    fn layout(&mut self, written: &[ast::ScaleColumn], span: Span, def: &mut ScaleDef) {
        self.years_outside_the_period(written);
        let mut years: Vec<i32> = written.iter().filter_map(|c| c.kind.year()).collect();
        years.sort_unstable();
        years.dedup();
        def.years = years;
        let index = |year: i32, def: &ScaleDef| def.years.iter().position(|y| *y == year);
        let mut columns: Vec<ScaleColumnDef> = Vec::new();
        for column in written {
            let heading = column.heading.as_ref().map(|h| h.value.to_string());
            let roles = match column.kind {
                ast::ScaleColumnKind::Year(year) => {
                    let Some(year) = index(year, def) else {
                        continue;
                    };
                    vec![
                        FigureRole::Base(Some(year)),
                        FigureRole::Adjusted(year),
                        FigureRole::Contribution(year),
                    ]
                }
                ast::ScaleColumnKind::Base(year) => match year {
                    Some(year) => vec![FigureRole::Base(index(year, def))],
                    None => vec![FigureRole::Base(None)],
                },
                ast::ScaleColumnKind::Rate(year) => index(year, def)
                    .map(FigureRole::Adjusted)
                    .into_iter()
                    .collect(),
                ast::ScaleColumnKind::Contribution(year) => index(year, def)
                    .map(FigureRole::Contribution)
                    .into_iter()
                    .collect(),
                ast::ScaleColumnKind::Total => vec![FigureRole::Total],
            };
            for role in roles {
                if columns.iter().any(|c| c.role == role) {
                    self.columns_ok = false;
                    self.setting_problem(
                        column.span,
                        "this column is given twice",
                        "list each year's base rates, rates and contributions once, and `Total` once",
                    );
                }
                columns.push(ScaleColumnDef {
                    role,
                    heading: heading.clone(),
                });
            }
        }
        def.columns = columns;
        if def.years.is_empty() {
            self.columns_ok = false;
            self.setting_problem(
                span,
                "a scale needs at least one year column",
                "write `columns 2013 2014 Total`, or `columns base  rate 2016  rate 2017`",
            );
            return;
        }
        let without_base: Vec<String> = (0..def.years.len())
            .filter(|year| def.base_column(*year).is_none())
            .filter_map(|year| def.years.get(year).map(i32::to_string))
            .collect();
        if !without_base.is_empty() {
            self.columns_ok = false;
            self.setting_problem(
                span,
                &format!(
                    "no column gives the base rates for {}",
                    without_base.join(" and ")
                ),
                "add `base` (one column of base rates for every year) or `base 2016`",
            );
        }
    }

    /// A scale apportions only the years a table of the decision may show: each year
    /// outside them is an error at its first column.
    fn years_outside_the_period(&mut self, written: &[ast::ScaleColumn]) {
        let Some(period) = self.model.program.decision.period else {
            return;
        };
        let mut seen = Vec::new();
        for column in written {
            let Some(year) = column.kind.year().filter(|year| !seen.contains(year)) else {
                continue;
            };
            seen.push(year);
            let key = ast::ColumnKey::Year(year);
            if let Some(problem) = column_outside_the_period(period, None, key, column.span) {
                self.columns_ok = false;
                self.diagnostics.push(problem);
            }
        }
    }

    fn setting_problem(&mut self, span: Span, message: &str, help: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::TableSetting, message)
                .at(span, "in this setting")
                .with_help(help),
        );
    }

    fn parties(&mut self, table: &ScaleTable, def: &mut ScaleDef) {
        let mut lines: Vec<PartyDef> = table
            .parties
            .iter()
            .map(|line| PartyDef::written(&line.party, &line.figures))
            .collect();
        let mut totals: Vec<PartyDef> = table
            .total
            .iter()
            .map(|line| PartyDef::written(&line.party, &line.figures))
            .collect();
        for name in &table.data {
            let (data_lines, data_totals) = self.data_file(name);
            lines.extend(data_lines);
            totals.extend(data_totals);
        }
        if !self.columns_ok {
            // Every line would be "the wrong number of figures" for one setting's fault.
            self.incomplete = true;
            return;
        }
        let expected = def.figure_count();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let members = self.group_members();
        for mut party in lines {
            if !self.party_figures_fit(&party, expected, def, false) {
                continue;
            }
            if let Some(first) = seen.get(&party.name).and_then(|i| def.parties.get(*i)) {
                let diagnostic = Diagnostic::error(
                    Code::ApportionParty,
                    format!("{} has two lines in {}", party.name, def.display_name()),
                )
                .at(party.span, "a second line for this Party")
                .with_help("keep one line per Party");
                let diagnostic = if first.file == party.file {
                    diagnostic.with_label(first.span, "the first line for it")
                } else {
                    let place = first.file.as_deref().unwrap_or("the decision file");
                    let help = format!(
                        "keep one line per Party: {} has one in {place} too",
                        party.name
                    );
                    diagnostic.with_help(help)
                };
                self.diagnostics.push(in_file(diagnostic, &party, def.span));
                self.incomplete = true;
                continue;
            }
            party.groups = members.get(&party.name).cloned().unwrap_or_default();
            seen.insert(party.name.clone(), def.parties.len());
            def.parties.push(party);
        }
        let mut totals = totals.into_iter();
        def.total = totals
            .next()
            .filter(|line| self.party_figures_fit(line, expected, def, true));
        for extra in totals {
            let diagnostic = Diagnostic::error(
                Code::NameDuplicate,
                format!("{} has a second TOTAL line", def.display_name()),
            )
            .at(extra.span, "a second TOTAL line")
            .with_help("keep one TOTAL line, in the decision or in its data file");
            self.diagnostics.push(in_file(diagnostic, &extra, def.span));
        }
        if def.parties.is_empty() && !self.incomplete {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::ApportionParty,
                    format!("{} has no Parties to apportion among", def.display_name()),
                )
                .at(table.name.span, "no Party lines in this scale")
                .with_help("write a line per Party, such as `\"Albania\"  0.010  0.014  357`, or name a data file with `data \"table.tsv\"`"),
            );
            self.incomplete = true;
        }
    }

    /// For each Party name, the groups that list it.
    fn group_members(&self) -> HashMap<String, Vec<usize>> {
        let mut members: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, group) in self.scales.groups.iter().enumerate() {
            for (member, _) in group.members() {
                members.entry(member.clone()).or_default().push(index);
            }
        }
        members
    }

    fn party_figures_fit(
        &mut self,
        party: &PartyDef,
        expected: usize,
        def: &ScaleDef,
        is_total: bool,
    ) -> bool {
        if party.figures.len() != expected {
            self.wrong_figure_count(party, expected, def);
            return false;
        }
        if is_total {
            return true;
        }
        let missing_base = (0..def.years.len()).find_map(|year| {
            let figure = party.figures.get(def.base_column(year)?)?;
            (!matches!(figure.kind, FigureKind::Number(_))).then_some((year, figure.span))
        });
        if party.name.trim().is_empty() {
            let diagnostic = Diagnostic::error(Code::TableFigures, "a Party line without a name")
                .at(party.span, "no Party name here")
                .with_help("write the Party's name first, as it is in the decision");
            self.diagnostics.push(in_file(diagnostic, party, def.span));
            self.incomplete = true;
            return false;
        }
        let Some((year, span)) = missing_base else {
            return true;
        };
        let diagnostic = Diagnostic::error(
            Code::TableFigures,
            format!(
                "{} has no base rate for {}",
                party.name,
                def.years.get(year).copied().unwrap_or_default()
            ),
        )
        .at(span, "a rate is needed here")
        .with_help("write the Party's rate on the UN scale, in per cent, such as 0.010");
        self.diagnostics.push(in_file(diagnostic, party, def.span));
        self.incomplete = true;
        false
    }

    fn wrong_figure_count(&mut self, party: &PartyDef, expected: usize, def: &ScaleDef) {
        let layout = (0..def.figure_count())
            .map(|figure| role_words(def, def.role(figure)))
            .collect::<Vec<_>>()
            .join(", ");
        let diagnostic = Diagnostic::error(
            Code::TableFigures,
            format!(
                "{} has {} figures, but {} has {expected} per Party",
                party.name,
                party.figures.len(),
                def.display_name()
            ),
        )
        .at(
            party.span,
            format!("{} figures on this line", party.figures.len()),
        )
        .with_help(format!(
            "give, in order: {layout}; write `_` for a figure that was not published"
        ));
        self.diagnostics.push(in_file(diagnostic, party, def.span));
        self.incomplete = true;
    }

    /// The Party lines of a data file, and its TOTAL line if it has one.
    fn data_file(&mut self, name: &ast::Text) -> (Vec<PartyDef>, Vec<PartyDef>) {
        let Some(delimiter) = Delimiter::for_name(&name.value) else {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::IoRead,
                    format!(
                        "bud reads data files ending in .csv or .tsv, not `{}`",
                        name.value
                    ),
                )
                .at(name.span, "not a .csv or .tsv file")
                .with_help("save the table from the spreadsheet as CSV or as tab-separated text"),
            );
            self.incomplete = true;
            return (Vec::new(), Vec::new());
        };
        let text = match self.files.read(&name.value) {
            Ok(text) => text,
            Err(reason) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::IoRead,
                        format!("the data file `{}` cannot be read: {reason}", name.value),
                    )
                    .at(name.span, "named here")
                    .with_help("data files are looked for beside the decision file"),
                );
                self.incomplete = true;
                return (Vec::new(), Vec::new());
            }
        };
        let order = name.span.start();
        let (table, problems) = data::read_all(&text, delimiter);
        let problems_free = problems.is_empty();
        self.diagnostics.extend(problems.into_iter().map(|d| {
            let at = d.primary.as_ref().map_or(0, |label| label.span.start());
            d.in_file(name.value.clone()).ordered(order, at)
        }));
        if !problems_free {
            self.incomplete = true;
        }
        let rows = table.map(|table| table.rows).unwrap_or_default();
        let mut parties = Vec::new();
        let mut totals = Vec::new();
        for row in &rows {
            let Some(party) = self.data_row(row, &name.value, order) else {
                continue;
            };
            // A data file has no keyword for it: its TOTAL line is the one called so.
            if party.name.eq_ignore_ascii_case("total") {
                totals.push(party);
            } else {
                parties.push(party);
            }
        }
        self.scales.data.push(DataText {
            name: name.value.to_string(),
            text,
        });
        (parties, totals)
    }

    fn data_row(&mut self, row: &DataRow, file: &str, order: usize) -> Option<PartyDef> {
        let (name, cells) = row.cells.split_first()?;
        let mut figures = Vec::with_capacity(cells.len());
        let mut readable = true;
        for cell in cells {
            let kind = match cell.text.trim() {
                "" => FigureKind::Blank,
                text => match figure_kind(text) {
                    Ok(FigureKind::Absent) | Err(_) => {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::DataRow,
                                format!("line {} of {file}: `{text}` is not a figure", row.line),
                            )
                            .at(cell.span, "not a number")
                            .with_help("write a number such as 0.010, 2,532,558 or 2 532 558, `-` for a dash, or leave the cell empty")
                            .in_file(file)
                            .ordered(order, cell.span.start()),
                        );
                        readable = false;
                        continue;
                    }
                    Ok(kind) => kind,
                },
            };
            figures.push(Figure {
                kind,
                span: cell.span,
            });
        }
        if !readable {
            self.incomplete = true;
        }
        readable.then(|| PartyDef {
            name: name.text.clone(),
            span: name.span,
            file: Some(file.to_owned()),
            figures,
            groups: Vec::new(),
        })
    }

    fn rules(&mut self, table: &ScaleTable, def: &mut ScaleDef) {
        let mut amount_given = false;
        let mut given: HashMap<&str, Span> = HashMap::new();
        let rules = self.expanded(&table.rules, def);
        for rule in &rules {
            let (keyword, span) = rule_keyword(rule);
            if let Some(problem) = rule_rate(rule).and_then(|rate| percent_out_of_range(rate, span))
            {
                // Apportioning without the rule would fail every figure it moves.
                self.diagnostics.push(problem);
                self.incomplete = true;
                continue;
            }
            // `fixed` and `cap` may be given once per Party or group; the others once.
            if !matches!(rule, ScaleRule::Fixed { .. } | ScaleRule::Cap { .. }) {
                if let Some(first) = given.insert(keyword, span) {
                    let message = format!("`{keyword}` is given twice");
                    self.given_twice(message, span, first, &format!("one `{keyword}` line"));
                    continue;
                }
            }
            match rule {
                ScaleRule::Amount(_, written, span) => {
                    amount_given = true;
                    def.amount = self.apportioned(def, written, *span);
                    // A scale of rates alone names no unit: its amount says the currency.
                    if def.currency.is_empty() {
                        let unit = def
                            .amount
                            .as_ref()
                            .and_then(|(id, _, _)| self.model.value_units.get(id.0)?.as_ref());
                        if let Some(Unit::Money { currency, .. }) = unit {
                            def.currency = currency.clone();
                        }
                    }
                }
                ScaleRule::Rates(rounding, span) => match published(rounding) {
                    Some(published) => def.rate_rounding = Some(published),
                    None => self.setting_problem(
                        *span,
                        "the rounding step must be above zero",
                        "write `rates rounding 0.001 half-up`",
                    ),
                },
                ScaleRule::Base(rounding, span) => match published(rounding) {
                    Some(published) => def.base_rounding = Some(published),
                    None => self.setting_problem(
                        *span,
                        "the rounding step must be above zero",
                        "write `base rounding 0.001`",
                    ),
                },
                ScaleRule::Fixed { party, share, span } => {
                    let Some(index) = self.party_index(def, party) else {
                        continue;
                    };
                    if let Some((_, first)) = def.fixed.iter().find(|(i, _)| *i == index) {
                        let message = format!("{}'s share is fixed twice", party.value);
                        self.given_twice(message, *span, first.span, "one `fixed` line per Party");
                        continue;
                    }
                    def.fixed.push((index, limit(share, *span)));
                }
                // Replaced by the shared rule's limits in `expanded`.
                ScaleRule::Use { .. } => {}
                ScaleRule::Ceiling(rate, span) => def.ceiling = Some(limit(rate, *span)),
                ScaleRule::Floor(rate, span) => def.floor = Some(limit(rate, *span)),
                ScaleRule::Cap { group, rate, span } => {
                    let Some(index) = self.group_index(group) else {
                        continue;
                    };
                    if let Some((_, first)) = def.caps.iter().find(|(i, _)| *i == index) {
                        let message = format!("group `{}` is capped twice", group.name);
                        self.given_twice(message, *span, first.span, "one `cap` line per group");
                        continue;
                    }
                    if self
                        .scales
                        .groups
                        .get(index)
                        .is_some_and(|g| g.members().is_empty())
                    {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                Code::ApportionParty,
                                format!(
                                    "group `{}` has no members, so its cap applies to no Party",
                                    group.name
                                ),
                            )
                            .at(group.span, "an empty group")
                            .with_help("list the group's Parties in its `group` block"),
                        );
                    }
                    def.caps.push((index, limit(rate, *span)));
                }
            }
        }
        if !amount_given {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::TableSetting,
                    format!("scale `{}` does not say what it apportions", def.name),
                )
                .at(table.name.span, "no `apportion` in this scale")
                .with_help("add a line such as `apportion core_budget.net_total`: the row whose figure for each year is shared among the Parties"),
            );
        }
    }

    /// A rule line that repeats an earlier one: bud does not guess which was meant.
    fn given_twice(&mut self, message: String, again: Span, first: Span, keep: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::TableSetting, message)
                .at(again, "given again here")
                .with_label(first, "first given here")
                .with_help(format!("keep {keep}")),
        );
    }

    fn party_index(&mut self, def: &ScaleDef, party: &ast::Text) -> Option<usize> {
        if let Some(index) = def.parties.iter().position(|p| p.name == party.value) {
            return Some(index);
        }
        // With a Party line unreadable, "not a Party" would most likely be wrong.
        if self.incomplete {
            return None;
        }
        let names = def.parties.iter().map(|p| p.name.as_str());
        let suggestion = closest(&party.value, names);
        let help = match suggestion {
            Some(name) => format!("did you mean \"{name}\"?"),
            None => "write the Party's name exactly as on its line of the scale".to_owned(),
        };
        let diagnostic = Diagnostic::error(
            Code::ApportionParty,
            format!("{} is not a Party in {}", party.value, def.display_name()),
        )
        .at(party.span, "no Party line of this name")
        .with_help(help);
        self.diagnostics
            .push(party_correction(diagnostic, party.span, suggestion));
        None
    }

    fn group_index(&mut self, group: &ast::Ident) -> Option<usize> {
        let groups = &self.scales.groups;
        if let Some(index) = groups.iter().position(|g| g.name == group.name) {
            return Some(index);
        }
        let suggestion = closest(&group.name, groups.iter().map(|g| g.name.as_str()));
        let help = match suggestion {
            Some(name) => format!("did you mean `{name}`?"),
            None => format!(
                "define it with `group {} \"…\" {{ \"Party\" … }}`",
                group.name
            ),
        };
        let diagnostic = Diagnostic::error(
            Code::NameUnknown,
            format!("there is no group `{}`", group.name),
        )
        .at(group.span, "unknown group")
        .with_help(help);
        self.diagnostics
            .push(name_correction(diagnostic, group.span, suggestion));
        None
    }

    /// The value holding what the scale apportions (see `resolve::declare_apportioned`),
    /// when its unit is an amount in the scale's currency.
    fn apportioned(
        &mut self,
        def: &ScaleDef,
        written: &str,
        span: Span,
    ) -> Option<(ValueId, String, Span)> {
        let program = &self.model.program;
        let id = program
            .values
            .iter()
            .position(|value| value.apportioned_by.as_deref() == Some(def.name.as_str()))
            .map(ValueId)?;
        let unit = self.model.value_units.get(id.0)?.as_ref()?;
        let fits = match unit {
            Unit::Money { currency, .. } => def.currency.is_empty() || *currency == def.currency,
            _ => false,
        };
        if !fits {
            let wanted = if def.currency.is_empty() {
                "an amount of money".to_owned()
            } else {
                format!(
                    "an amount in {}",
                    super::unit::currency_symbol(&def.currency)
                )
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UnitMismatch,
                    format!("`{written}` is {}, but the scale apportions {wanted}", unit.describe()),
                )
                .at(span, "apportioned here")
                .with_help("apportion an amount in the scale's currency: a row of a budget table, a value, or a share of one (`28.8% of core_budget.indicative_contributions`)"),
            );
            return None;
        }
        Some((id, written.to_owned(), span))
    }

    fn evaluate_years(&mut self, def: &ScaleDef) -> Vec<YearResult> {
        // The rates need no amount: a scale of rates alone is checked without one.
        let can_apportion = def.complete && !def.parties.is_empty();
        // Years with the same base rates share one apportionment, and one diagnostic.
        let mut previous: Option<(Vec<Terms>, Result<Apportioned, Failed>)> = None;
        def.years
            .iter()
            .enumerate()
            .map(|(year_index, year)| {
                let amount = self.amount(def, year_index, *year);
                let rates = match can_apportion {
                    true => {
                        let terms = year_terms(def, year_index);
                        match &previous {
                            Some((same, result)) if *same == terms => result.clone(),
                            _ => {
                                let result = self.rates(def, year_index, &terms);
                                previous = Some((terms, result.clone()));
                                result
                            }
                        }
                    }
                    false => Err(Failed),
                };
                let summary = rates
                    .as_ref()
                    .ok()
                    .map(|rates| summarise(def, year_index, rates));
                let rate_uncertainty = match (&rates, &summary) {
                    (Ok(rates), Some(summary)) => rate_uncertainty(def, year_index, rates, summary),
                    _ => Vec::new(),
                };
                let contributions = match (&amount, &rates) {
                    (Ok(amount), Ok(rates)) => contributions(rates, &rate_uncertainty, amount.used)
                        .unwrap_or_else(|| {
                            self.diagnostics.push(too_large(def, *year));
                            Vec::new()
                        }),
                    _ => Vec::new(),
                };
                YearResult {
                    year: *year,
                    amount,
                    rates,
                    summary,
                    rate_uncertainty,
                    contributions,
                }
            })
            .collect()
    }

    fn rates(
        &mut self,
        def: &ScaleDef,
        year_index: usize,
        terms: &[Terms],
    ) -> Result<Apportioned, Failed> {
        apportion::apportion(terms, Decimal::ONE_HUNDRED).map_err(|impossible| {
            let year = def.years.get(year_index).copied().unwrap_or_default();
            self.diagnostics
                .push(impossible_rule(def, year, &impossible));
            Failed
        })
    }

    fn amount(
        &mut self,
        def: &ScaleDef,
        year_index: usize,
        year: i32,
    ) -> Result<AmountApportioned, Failed> {
        let (id, _, _) = def.amount.clone().ok_or(Failed)?;
        let computed = match self.model.values.get(id.0).and_then(|v| v.years.get(&year)) {
            Some(Ok(super::Evaluated::Amount(amount))) => *amount,
            _ => return Err(Failed),
        };
        let stated = def.total.as_ref().and_then(|total| {
            let figure = total
                .figures
                .get(def.column_of(FigureRole::Contribution(year_index))?)?;
            match figure.kind {
                FigureKind::Number(written) => Some((written.value, figure.span)),
                _ => None,
            }
        });
        let Some((stated, stated_span)) = stated else {
            return Ok(refine(computed, None, def.rounding.step));
        };
        // The TOTAL refines the amount only if the Parties' own published
        // contributions bear it out: otherwise a slip in the TOTAL that happens to sit
        // within the amount's bound would move every contribution instead of failing.
        if let Some(problem) =
            total_against_contributions(def, year_index, year, stated, stated_span)
        {
            self.diagnostics.push(problem);
            return Ok(refine(computed, None, def.rounding.step));
        }
        Ok(refine(computed, Some(stated), def.rounding.step))
    }
}

/// "the UN scale rate for 2013", "the adjusted rate for 2016", "the Total".
pub fn role_words(def: &ScaleDef, role: FigureRole) -> String {
    let year = |index: usize| def.years.get(index).map_or(String::new(), i32::to_string);
    match role {
        FigureRole::Base(Some(index)) => format!("the UN scale rate for {}", year(index)),
        FigureRole::Base(None) => "the UN scale rate".to_owned(),
        FigureRole::Adjusted(index) => format!("the adjusted rate for {}", year(index)),
        FigureRole::Contribution(index) => format!("the contribution for {}", year(index)),
        FigureRole::Total => "the Total".to_owned(),
    }
}

/// Each Party's terms of the rule in the year at `year_index`.
fn year_terms(def: &ScaleDef, year_index: usize) -> Vec<Terms> {
    def.parties
        .iter()
        .enumerate()
        .map(|(index, party)| Terms {
            base: def.base(party, year_index),
            fixed: def.fixed_share(index).map(|l| l.rate),
            most: def.most_for(party).map(|(limit, _)| limit.rate),
            least: def.floor.map(|l| l.rate),
        })
        .collect()
}

/// What the rescaling factor was computed from, for explanations.
fn summarise(def: &ScaleDef, year_index: usize, rates: &Apportioned) -> RateSummary {
    let mut summary = RateSummary {
        fixed: Decimal::ZERO,
        held: Exact::ZERO,
        scaling: Decimal::ZERO,
        scaling_parties: 0,
    };
    for (index, party) in def.parties.iter().enumerate() {
        let (Some(binding), Some(rate)) = (rates.bindings.get(index), rates.rates.get(index))
        else {
            continue;
        };
        match binding {
            Binding::Fixed => summary.fixed = summary.fixed.saturating_add(rate.to_decimal()),
            Binding::AtMost | Binding::AtLeast => {
                summary.held = summary.held.checked_add(*rate).unwrap_or(summary.held);
            }
            Binding::Scaled => {
                summary.scaling = summary.scaling.saturating_add(def.base(party, year_index));
                summary.scaling_parties += 1;
            }
        }
    }
    summary
}

/// An error if the stated TOTAL differs from the sum of the Parties' published
/// contributions by more than their rounding explains (half a step each, and half a
/// step for the TOTAL's own rounding).
fn total_against_contributions(
    def: &ScaleDef,
    year_index: usize,
    year: i32,
    stated: Decimal,
    span: Span,
) -> Option<Diagnostic> {
    if !def.complete {
        return None;
    }
    let figure = def.column_of(FigureRole::Contribution(year_index))?;
    let mut published = Decimal::ZERO;
    for party in &def.parties {
        match party.figures.get(figure).map(|f| &f.kind) {
            Some(FigureKind::Number(written)) => {
                published = published.checked_add(written.value)?
            }
            // A contribution not published: the sum says nothing.
            _ => return None,
        }
    }
    let half_step = def.rounding.step / Decimal::TWO;
    let parties = Decimal::from(def.parties.len());
    let bound = parties.checked_mul(half_step)?.checked_add(half_step)?;
    let difference = (stated - published).abs();
    if difference <= bound {
        return None;
    }
    let symbol = def.currency_symbol();
    let show = |d: Decimal| crate::format::exact(d);
    let diagnostic = Diagnostic::error(
        Code::ReconcileMismatch,
        format!(
            "{}, TOTAL, contribution {year}: stated {symbol} {}, but the Parties' published contributions add up to {symbol} {}",
            def.display_name(),
            show(stated),
            show(published)
        ),
    )
    .at(span, format!("{} away from their sum", show(difference)))
    .with_help(format!(
        "each of the {} contributions is rounded to {}, so their sum can differ from the amount apportioned by at most {symbol} {} (with the TOTAL's own rounding); this TOTAL differs by {}. Correct the TOTAL, or the contribution that is wrong; until then the contributions are computed from the amount as its table computes it",
        def.parties.len(),
        show(def.rounding.step),
        show(bound),
        show(difference)
    ));
    let diagnostic = match def.total.as_ref().and_then(|t| t.file.clone()) {
        Some(file) => diagnostic.in_file(file),
        None => diagnostic,
    };
    Some(diagnostic.ordered(def.span.end(), 0))
}

/// The stated amount, if it is consistent with the computed one and more precise.
fn refine(computed: Amount, stated: Option<Decimal>, step: Decimal) -> AmountApportioned {
    let unrefined = AmountApportioned {
        computed,
        used: computed,
        from_stated_total: false,
    };
    let Some(stated) = stated else {
        return unrefined;
    };
    let half_step = step / Decimal::TWO;
    if !computed.explains(stated, step) || half_step >= computed.uncertainty {
        return unrefined;
    }
    AmountApportioned {
        computed,
        used: Amount {
            value: Exact::new(stated),
            uncertainty: half_step,
        },
        from_stated_total: true,
    }
}

/// rate (in per cent) × amount, with the amount's bound scaled the same way.
/// `None` if an amount is too large for exact arithmetic.
fn contributions(
    rates: &Apportioned,
    rate_uncertainty: &[Decimal],
    amount: Amount,
) -> Option<Vec<Amount>> {
    let hundredth = Exact::new(Decimal::new(1, 2));
    rates
        .rates
        .iter()
        .enumerate()
        .map(|(party, rate)| {
            let share = rate.checked_mul(hundredth).ok()?;
            let value = share.checked_mul(amount.value).ok()?;
            // The amount's bound scaled by the share, and the share's own bound (a
            // base rate printed rounded) times the amount.
            let from_amount = share.checked_mul(Exact::new(amount.uncertainty)).ok()?;
            let rate_bound = rate_uncertainty.get(party).copied().unwrap_or_default();
            let from_rate = Exact::new(rate_bound)
                .checked_mul(hundredth)
                .and_then(|u| u.checked_mul(amount.value.abs()))
                .ok()?;
            // A bound, so rounded up (to a millionth) rather than shown with 28 digits.
            let uncertainty = from_amount
                .abs()
                .checked_add(from_rate)
                .map(|u| {
                    u.to_decimal()
                        .round_dp_with_strategy(6, RoundingStrategy::AwayFromZero)
                })
                .unwrap_or(amount.uncertainty);
            Some(Amount { value, uncertainty })
        })
        .collect()
}

/// How far each Party's adjusted rate could move if each base rate printed rounded
/// (`base rounding`) were off by up to half its step: a scaled Party's rate by the
/// factor times that half step, and by its own base times how far the factor could
/// move, the sum of the scaled base rates being off by up to one half step each. A
/// bound, as every other in bud; fixed shares and Parties held at a limit do not move.
fn rate_uncertainty(
    def: &ScaleDef,
    year_index: usize,
    rates: &Apportioned,
    summary: &RateSummary,
) -> Vec<Decimal> {
    let Some(rounding) = def.base_rounding else {
        return Vec::new();
    };
    let half = rounding.step / Decimal::TWO;
    let factor = rates.factor.to_decimal();
    let parties = Decimal::from(summary.scaling_parties);
    let factor_bound = half
        .checked_mul(parties)
        .and_then(|sum_bound| sum_bound.checked_mul(factor))
        .and_then(|x| {
            if summary.scaling.is_zero() {
                None
            } else {
                x.checked_div(summary.scaling)
            }
        })
        .unwrap_or(Decimal::ZERO);
    def.parties
        .iter()
        .enumerate()
        .map(|(index, party)| match rates.bindings.get(index) {
            Some(Binding::Scaled) => {
                let own = factor.checked_mul(half).unwrap_or(Decimal::MAX);
                let through_factor = def
                    .base(party, year_index)
                    .checked_mul(factor_bound)
                    .unwrap_or(Decimal::MAX);
                own.saturating_add(through_factor)
                    .round_dp_with_strategy(9, RoundingStrategy::AwayFromZero)
            }
            _ => Decimal::ZERO,
        })
        .collect()
}

fn too_large(def: &ScaleDef, year: i32) -> Diagnostic {
    Diagnostic::error(
        Code::EvalOverflow,
        format!(
            "{}, {year}: the contributions are too large for exact arithmetic",
            def.display_name()
        ),
    )
    .at(def.span, "in this scale")
    .with_help("check the amount apportioned and the rates for a misplaced decimal point")
}

/// A rule line's keyword, for messages, and where it is.
fn rule_keyword(rule: &ScaleRule) -> (&'static str, Span) {
    match rule {
        ScaleRule::Amount(_, _, span) => ("apportion", *span),
        ScaleRule::Rates(_, span) => ("rates", *span),
        ScaleRule::Base(_, span) => ("base", *span),
        ScaleRule::Fixed { span, .. } => ("fixed", *span),
        ScaleRule::Ceiling(_, span) => ("ceiling", *span),
        ScaleRule::Cap { span, .. } => ("cap", *span),
        ScaleRule::Floor(_, span) => ("floor", *span),
        ScaleRule::Use { span, .. } => ("rule", *span),
    }
}

/// Whether `without` names this limit of a shared rule.
fn leaves_out(without: &ast::Without, limit: &ScaleRule) -> bool {
    match (without, limit) {
        (ast::Without::Cap(group), ScaleRule::Cap { group: capped, .. }) => {
            group.name == capped.name
        }
        (ast::Without::Ceiling(_), ScaleRule::Ceiling(..)) => true,
        (ast::Without::Floor(_), ScaleRule::Floor(..)) => true,
        (ast::Without::Fixed(party), ScaleRule::Fixed { party: fixed, .. }) => {
            party.value == fixed.value
        }
        _ => false,
    }
}

/// A limit in words: `cap ldc 0.01%`.
fn limit_words(limit: &ScaleRule) -> String {
    let rate = |w: &Written| format!("{}%", crate::format::written(*w));
    match limit {
        ScaleRule::Cap { group, rate: r, .. } => format!("cap {} {}", group.name, rate(r)),
        ScaleRule::Ceiling(r, _) => format!("ceiling {}", rate(r)),
        ScaleRule::Floor(r, _) => format!("floor {}", rate(r)),
        ScaleRule::Fixed { party, share, .. } => {
            format!("fixed \"{}\" {}", party.value, rate(share))
        }
        _ => String::new(),
    }
}

/// What a `without` names, for a message, and where.
fn without_words(without: &ast::Without) -> (String, Span) {
    match without {
        ast::Without::Cap(group) => (format!("cap on `{}`", group.name), group.span),
        ast::Without::Ceiling(span) => ("ceiling".to_owned(), *span),
        ast::Without::Floor(span) => ("floor".to_owned(), *span),
        ast::Without::Fixed(party) => (format!("fixed share for {}", party.value), party.span),
    }
}

/// The percentage a rule sets, for the rules that set one.
fn rule_rate(rule: &ScaleRule) -> Option<Decimal> {
    match rule {
        ScaleRule::Fixed { share: rate, .. }
        | ScaleRule::Ceiling(rate, _)
        | ScaleRule::Floor(rate, _)
        | ScaleRule::Cap { rate, .. } => Some(rate.value),
        _ => None,
    }
}

fn limit(rate: &Written, span: Span) -> Limit {
    Limit {
        rate: rate.value,
        span,
    }
}

fn published(rounding: &ast::Rounding) -> Option<PublishedRounding> {
    (rounding.step.value > Decimal::ZERO).then_some(PublishedRounding {
        written: rounding.step,
        step: rounding.step.value,
        mode: rounding.mode,
    })
}

/// A diagnostic about a Party line, pointed into the data file when it came from one.
fn in_file(diagnostic: Diagnostic, party: &PartyDef, scale_span: Span) -> Diagnostic {
    match &party.file {
        Some(file) => diagnostic
            .in_file(file.clone())
            .ordered(scale_span.start(), party.span.start()),
        None => diagnostic,
    }
}

fn impossible_rule(def: &ScaleDef, year: i32, impossible: &Impossible) -> Diagnostic {
    let name = def.display_name();
    let pct = |d: Decimal| format!("{}%", crate::format::exact(d));
    let (message, span, help) = match impossible {
        Impossible::FixedExceedTotal { fixed } => (
            format!(
                "{name}, {year}: the fixed shares add up to {}, more than 100%",
                pct(*fixed)
            ),
            def.fixed.first().map_or(def.span, |(_, l)| l.span),
            "lower the fixed shares so that they leave something to apportion".to_owned(),
        ),
        Impossible::LimitsTooLow { most, needed } => (
            format!(
                "{name}, {year}: {} cannot add up to 100%: every Party at its limit pays {} in all, and {} must be shared",
                match (def.caps.is_empty(), def.ceiling.is_some()) {
                    (true, _) => "the ceiling",
                    (false, false) => "the caps",
                    (false, true) => "the caps and the ceiling",
                },
                pct(*most),
                pct(*needed)
            ),
            def.caps
                .first()
                .map(|(_, l)| l.span)
                .or(def.ceiling.map(|l| l.span))
                .unwrap_or(def.span),
            "raise the ceiling or the caps, or leave some Parties without one".to_owned(),
        ),
        Impossible::FloorsTooHigh { least, available } => (
            format!(
                "{name}, {year}: the floor alone makes the Parties pay {}, more than the {} left to share",
                pct(*least),
                pct(*available)
            ),
            def.floor.map_or(def.span, |l| l.span),
            "lower the floor or the fixed shares".to_owned(),
        ),
        Impossible::FloorAboveLimit { party } => {
            let party = def
                .parties
                .get(*party)
                .map_or("a Party", |p| p.name.as_str());
            (
                format!("{name}, {year}: {party}'s floor is above the most it may pay"),
                def.floor.map_or(def.span, |l| l.span),
                "a floor must be below every cap and the ceiling".to_owned(),
            )
        }
        Impossible::Negative { party } => {
            let line = def.parties.get(*party);
            let party = line.map_or("a Party", |p| p.name.as_str());
            let diagnostic = Diagnostic::error(
                Code::ApportionImpossible,
                format!("{name}, {year}: {party} has a rate below zero"),
            )
            .with_help("rates, shares and limits are percentages of zero or more");
            // Point at the Party's own base rate, in whichever file it is.
            let base = line.and_then(|l| {
                let index = def.years.iter().position(|y| *y == year)?;
                Some((l.figures.get(def.base_column(index)?)?.span, l))
            });
            return match base {
                Some((span, line)) => in_file(diagnostic.at(span, "below zero"), line, def.span),
                None => diagnostic.at(def.span, "in this scale"),
            };
        }
        Impossible::NothingToScale { available } => (
            format!(
                "{name}, {year}: {} is left to share, but every Party is fixed or has a base rate of zero",
                pct(*available)
            ),
            def.fixed.first().map_or(def.span, |(_, l)| l.span),
            "give the Parties their base rates, or fix shares that add up to 100%".to_owned(),
        ),
        Impossible::Arithmetic(_) => (
            format!(
                "{name}, {year}: the rates are too large or too finely divided to apportion exactly"
            ),
            def.span,
            "check the rates for a misplaced decimal point".to_owned(),
        ),
    };
    Diagnostic::error(Code::ApportionImpossible, message)
        .at(span, "this rule cannot be met")
        .with_help(help)
}

/// The edit a "did you mean `name`?" names: the name replaced.
pub(crate) fn name_correction(
    diagnostic: Diagnostic,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    match suggestion {
        Some(name) => diagnostic.with_correction(format!("change to `{name}`"), span, name),
        None => diagnostic,
    }
}

/// The edit a "did you mean \"Party\"?" (or a row's label) names: the quoted text
/// replaced, quotes and all; none for a text the quotes would need escapes in.
pub(crate) fn party_correction(
    diagnostic: Diagnostic,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    match suggestion.filter(|name| !name.contains(['"', '\\'])) {
        Some(name) => {
            let quoted = format!("\"{name}\"");
            diagnostic.with_correction(format!("change to {quoted}"), span, quoted)
        }
        None => diagnostic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn amount(value: Decimal, uncertainty: Decimal) -> Amount {
        Amount {
            value: Exact::new(value),
            uncertainty,
        }
    }

    #[test]
    fn a_stated_total_within_the_bound_refines_the_amount() {
        let computed = amount(dec!(2569875.27), dec!(665));
        let refined = refine(computed, Some(dec!(2569825)), Decimal::ONE);
        assert!(refined.from_stated_total);
        assert_eq!(refined.used, amount(dec!(2569825), dec!(0.5)));
    }

    #[test]
    fn a_stated_total_outside_the_bound_is_not_used() {
        let computed = amount(dec!(2569875.27), dec!(665));
        let refined = refine(computed, Some(dec!(2579825)), Decimal::ONE);
        assert!(!refined.from_stated_total);
        assert_eq!(refined.used, computed);
    }

    #[test]
    fn a_less_precise_stated_total_is_not_used() {
        let computed = amount(dec!(2569875.27), Decimal::ZERO);
        let refined = refine(computed, Some(dec!(2569875)), Decimal::ONE);
        assert_eq!(refined.used, computed);
    }
}
