//! Published errors, acknowledged. A decision can say that a figure is wrong as
//! published, and why (`erratum annex["Spain"].rate[2018] "…"`): the figure still does
//! not reconcile, but it no longer fails `bud check`; every output marks it, and the
//! summary counts and lists it. As Rust's `#[expect]`, an acknowledgement of a figure
//! that reconciles is itself an error, so none outlives the error it acknowledged.

use rust_decimal::Decimal;

use super::{Outcome, Reconciliation, presentation, show, show_stated};
use crate::diagnostic::{Code, Diagnostic, Span, closest};
use crate::semantics::Model;
use crate::semantics::explain::{ScaleLine, Subject};
use crate::semantics::program::{RowId, ValueId};
use crate::semantics::scale::{FigureRole, ScaleModel};
use crate::syntax::ast::{ColumnKey, Erratum, FigureKind, FigureRef, File, Item, ReferenceIndex};

/// One acknowledgement of published errors: its reason, and each figure it names as
/// messages name it, with the figure as printed and as bud computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    pub reason: String,
    pub span: Span,
    pub figures: Vec<String>,
}

/// Whether the file acknowledges any published error.
pub fn any(file: &File) -> bool {
    file.items
        .iter()
        .any(|item| matches!(item, Item::Erratum(_)))
}

/// Marks every figure the file's errata name as acknowledged, and records each
/// erratum. The problems of an erratum (a figure that reconciles, or that is not
/// there) are diagnostics; `strict` is false for a scenario, whose tables may differ
/// from the figures the errata name, which are the decision's.
pub fn acknowledge(
    file: &File,
    model: &Model,
    reconciliation: &mut Reconciliation,
    strict: bool,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for item in &file.items {
        let Item::Erratum(erratum) = item else {
            continue;
        };
        let mut acknowledged = Acknowledged {
            reason: erratum.reason.value.to_string(),
            span: erratum.span,
            figures: Vec::new(),
        };
        let number = reconciliation.acknowledged.len();
        for figure in &erratum.figures {
            match figures_named(model, figure) {
                Ok(named) => {
                    for named in named {
                        match acknowledge_one(model, reconciliation, named, number) {
                            Ok(Some(title)) => acknowledged.figures.push(title),
                            // Not checked: its failure is reported where it fails.
                            Ok(None) => {}
                            Err(stale) if strict => {
                                problems.push(stale_diagnostic(erratum, figure, &stale))
                            }
                            Err(_) => {}
                        }
                    }
                }
                Err(unknown) if strict => problems.push(unknown),
                Err(_) => {}
            }
        }
        if !acknowledged.figures.is_empty() {
            reconciliation.acknowledged.push(acknowledged);
        }
    }
    problems
}

/// A published figure an erratum can name: a stated figure, or an input figure that
/// other figures fail because of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Stated(Subject),
    Input(RowId, usize),
}

/// The figure acknowledged, as the summary lists it (`None` when it could not be
/// checked); or, when it reconciles (or is an input nothing fails because of), why
/// that acknowledgement is stale.
fn acknowledge_one(
    model: &Model,
    reconciliation: &mut Reconciliation,
    named: Named,
    number: usize,
) -> Result<Option<String>, String> {
    let subject = match named {
        Named::Stated(subject) => subject,
        Named::Input(row, column) => {
            let culprit = reconciliation
                .culprits
                .iter_mut()
                .find(|c| c.row == row && c.column == column);
            let p = presentation(model, Subject::Cell { row, column });
            return match culprit {
                Some(culprit) => {
                    culprit.acknowledged = true;
                    let printed = p.figures.show(exact(culprit.published));
                    let corrected = p.figures.show(exact(culprit.corrected));
                    Ok(Some(format!(
                        "{}: printed {printed}; the figures computed from it reconcile with {corrected}",
                        p.title
                    )))
                }
                None => Err(format!(
                    "{} is an input, and no figure computed from it fails to reconcile",
                    p.title
                )),
            };
        }
    };
    // Every check is kept when a decision has errata: none means not checked.
    let Some(index) = reconciliation.index_of(subject) else {
        return Ok(None);
    };
    let check = &mut reconciliation.checks[index];
    let p = presentation(model, subject);
    let described = format!(
        "{}: printed {}, bud computes {}",
        p.title,
        show_stated(&p, check),
        show(&p, check.computed)
    );
    match check.outcome {
        Outcome::Mismatch | Outcome::Acknowledged => {
            check.outcome = Outcome::Acknowledged;
            check.erratum = Some(number);
            Ok(Some(described))
        }
        Outcome::Matches | Outcome::Rounding => Err(format!("{described}, which reconciles")),
    }
}

fn exact(value: Decimal) -> crate::semantics::number::Exact {
    crate::semantics::number::Exact::new(value)
}

fn stale_diagnostic(erratum: &Erratum, figure: &FigureRef, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ErratumReconciles,
        format!("acknowledged as a published error, but {why}"),
    )
    .at(figure.span, "acknowledged here")
    .with_label(erratum.reason.span, "the reason given")
    .with_help(
        "remove the figure from the erratum: it is right as published, or the figures it \
         is computed from were corrected",
    )
}

/// The figures an erratum's reference names: one, or every figure of its line (or of
/// its role in a scale) when no column is given.
fn figures_named(model: &Model, figure: &FigureRef) -> Result<Vec<Named>, Diagnostic> {
    let program = &model.program;
    let names: Vec<&str> = figure.names.iter().map(|n| n.name.as_str()).collect();
    match (names.as_slice(), &figure.party) {
        ([value], None) => {
            let Some(id) = program
                .values
                .iter()
                .position(|v| v.name == *value && v.apportioned_by.is_none())
            else {
                return Err(unknown(figure, "value", program.values.iter().map(|v| v.name.as_str())));
            };
            value_figures(model, ValueId(id), figure)
        }
        ([table, row], None) => {
            let Some(table_id) = program.tables.iter().position(|t| t.name == *table) else {
                return Err(unknown(figure, "table", program.tables.iter().map(|t| t.name.as_str())));
            };
            let rows = || {
                program
                    .rows
                    .iter()
                    .enumerate()
                    .filter(move |(_, r)| r.table.0 == table_id)
            };
            let Some((row, _)) = rows().find(|(_, r)| r.name.as_deref() == Some(*row)) else {
                return Err(unknown(figure, "row", rows().filter_map(|(_, r)| r.name.as_deref())));
            };
            cell_figures(model, RowId(row), figure)
        }
        ([scale], Some(_)) | ([scale, _], Some(_)) => {
            let Some(index) = model.scales.scales.iter().position(|s| s.def.name == *scale) else {
                let scales = model.scales.scales.iter().map(|s| s.def.name.as_str());
                return Err(unknown(figure, "scale", scales));
            };
            scale_figures(model, index, figure)
        }
        _ => Err(Diagnostic::error(
            Code::NameUnknown,
            "an erratum names a figure: `table.row[2016]`, `value[2016]` or `scale[\"Party\"].rate[2016]`",
        )
        .at(figure.span, "not a figure")
        .with_help("name the published figure that is wrong, as a formula would read it")),
    }
}

fn unknown<'a>(
    figure: &FigureRef,
    kind: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let written: Vec<&str> = figure.names.iter().map(|n| n.name.as_str()).collect();
    let at = match kind {
        "row" => figure.names.get(1),
        _ => figure.names.first(),
    };
    let word = at.map_or("", |n| n.name.as_str());
    let diagnostic = Diagnostic::error(
        Code::NameUnknown,
        format!(
            "the erratum names `{}`, but there is no {kind} `{word}`",
            written.join(".")
        ),
    )
    .at(
        at.map_or(figure.span, |n| n.span),
        format!("no such {kind}"),
    );
    match closest(word, candidates) {
        Some(found) => diagnostic.with_help(format!("did you mean `{found}`?")),
        None => diagnostic.with_help("name a figure the decision publishes"),
    }
}

fn year_of(figure: &FigureRef) -> Option<Option<i32>> {
    match &figure.column {
        None => None,
        Some(ReferenceIndex::Column(ColumnKey::Year(year), _)) => Some(Some(*year)),
        Some(_) => Some(None),
    }
}

/// `reserve_level[2018]`, or every year the value states a figure for.
fn value_figures(model: &Model, id: ValueId, figure: &FigureRef) -> Result<Vec<Named>, Diagnostic> {
    let value = model.program.value(id);
    let subject = |year| Named::Stated(Subject::Value { value: id, year });
    if value.scalar.is_some() {
        return Ok(vec![subject(None)]);
    }
    match year_of(figure) {
        Some(Some(year)) => Ok(vec![subject(Some(year))]),
        Some(None) => Err(Diagnostic::error(
            Code::TableColumn,
            format!("`{}` has a figure per year: name the year", value.name),
        )
        .at(figure.span, "not a year")
        .with_help(format!("write `{}[2016]`", value.name))),
        None => Ok(value
            .stated_figures(&model.program.decision.years())
            .into_iter()
            .map(|(year, _)| subject(year))
            .collect()),
    }
}

/// `core_budget.reserve[2016]`, or every figure the row prints.
fn cell_figures(model: &Model, row: RowId, figure: &FigureRef) -> Result<Vec<Named>, Diagnostic> {
    let definition = model.program.row(row);
    let table = model.program.table(definition.table);
    let columns: Vec<usize> = match &figure.column {
        Some(ReferenceIndex::Column(key, span)) => match table.column_index(*key) {
            Some(index) => vec![index],
            None => {
                return Err(Diagnostic::error(
                    Code::TableColumn,
                    format!(
                        "{} has no column {}",
                        table.display_name(),
                        crate::semantics::resolve::column_name(*key)
                    ),
                )
                .at(*span, "no such column")
                .with_help("name a column the table prints"));
            }
        },
        _ => (0..table.columns.len())
            .filter(|column| {
                matches!(
                    definition.figures.get(*column).map(|f| &f.kind),
                    Some(FigureKind::Number(_) | FigureKind::Dash)
                )
            })
            .collect(),
    };
    Ok(columns
        .into_iter()
        .map(|column| {
            let stated = definition
                .formula
                .as_ref()
                .zip(table.columns.get(column))
                .is_some_and(|(formula, key)| formula.for_column(*key).is_some())
                || table.columns.get(column) == Some(&ColumnKey::Total);
            match stated {
                true => Named::Stated(Subject::Cell { row, column }),
                false => Named::Input(row, column),
            }
        })
        .collect())
}

/// `annex["Japan"].rate[2016]`: a figure of a Party line (or of the TOTAL line, named
/// by its label); without a role, every figure the line states; without a year, the
/// role's figure in every year.
fn scale_figures(
    model: &Model,
    index: usize,
    figure: &FigureRef,
) -> Result<Vec<Named>, Diagnostic> {
    let scale: &ScaleModel = &model.scales.scales[index];
    let def = &scale.def;
    let Some(party) = &figure.party else {
        return Ok(Vec::new());
    };
    let is_total = def
        .total
        .as_ref()
        .is_some_and(|total| total.name.eq_ignore_ascii_case(&party.value));
    let line = if is_total {
        ScaleLine::Total
    } else {
        match def.parties.iter().position(|p| p.name == party.value) {
            Some(party) => ScaleLine::Party(party),
            None => {
                let names = def.parties.iter().map(|p| p.name.as_str());
                let diagnostic = Diagnostic::error(
                    Code::ApportionParty,
                    format!("{} is not a Party in {}", party.value, def.display_name()),
                )
                .at(party.span, "no Party line of this name");
                return Err(match closest(&party.value, names) {
                    Some(found) => diagnostic.with_help(format!("did you mean \"{found}\"?")),
                    None => diagnostic.with_help("write the Party's name as its line does"),
                });
            }
        }
    };
    let year = match year_of(figure) {
        Some(Some(year)) => match def.years.iter().position(|y| *y == year) {
            Some(year) => Some(year),
            None => {
                return Err(Diagnostic::error(
                    Code::TableColumn,
                    format!("{} has no year {year}", def.display_name()),
                )
                .at(figure.span, "no such year")
                .with_help("name one of the scale's years"));
            }
        },
        _ => None,
    };
    let role = figure.names.get(1).map(|n| n.name.as_str());
    let wanted = |role_of: FigureRole| -> bool {
        let year_fits = |y: usize| year.is_none_or(|wanted| wanted == y);
        match (role, role_of) {
            (None, _) => true,
            (Some("base"), FigureRole::Base(y)) => y.is_none_or(year_fits),
            (Some("rate"), FigureRole::Adjusted(y)) => year_fits(y),
            (Some("contribution"), FigureRole::Contribution(y)) => year_fits(y),
            (Some("total"), FigureRole::Total) => true,
            _ => false,
        }
    };
    if let Some(role) = role {
        if !["base", "rate", "contribution", "total"].contains(&role) {
            return Err(Diagnostic::error(
                Code::NameUnknown,
                format!(
                    "a scale's figure is a `base`, `rate`, `contribution` or `total`, not `{role}`"
                ),
            )
            .at(figure.names[1].span, "not a figure of a Party line")
            .with_help("write `annex[\"Japan\"].rate[2016]`"));
        }
    }
    // A Party's own base rate is an input: only the TOTAL line states base rates.
    let stated_base = matches!(line, ScaleLine::Total);
    Ok((0..def.figure_count())
        .filter(|figure_index| {
            let role_of = def.role(*figure_index);
            wanted(role_of) && (stated_base || !matches!(role_of, FigureRole::Base(_)))
        })
        .map(|figure_index| {
            Named::Stated(Subject::Scale {
                scale: index,
                line,
                figure: figure_index,
            })
        })
        .collect())
}
