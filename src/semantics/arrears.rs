//! The arrears rule (BS-VI/7, paragraphs 12 to 14): a Party whose contributions due
//! from a given year on are unpaid for two or more years is not eligible for the bureau,
//! unless it is in a group the rule exempts (least developed countries, small island
//! developing States) or keeps to a schedule of payments agreed with the secretariat.
//! The rule is written in the decision (`arrears bureau { … }`); the payments come from
//! a status-of-contributions file beside it, one line per Party and year:
//!
//! ```text
//! Party    Year  Assessed  Paid   Schedule
//! Oneland  2011  1,200     0      respected
//! ```
//!
//! `Schedule` is optional: `respected` or `broken` for a Party with an agreed schedule
//! of payments, empty otherwise. Each Party's years in arrears, the amount and whether
//! it is eligible, with the reason, are computed here and shown by every renderer.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::scale::{DataText, GroupDef};
use crate::diagnostic::{Code, Diagnostic, Span, closest};
use crate::syntax::ast::{self, ArrearsRule};
use crate::syntax::data::{self, DataRow, Delimiter};
use crate::syntax::parse_number;
use crate::world::World;

/// A Party's agreed schedule of payments (paragraph 13), as the status file records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    None,
    Respected,
    Broken,
}

/// One line of the status file: a Party's contribution for a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    pub party: String,
    pub year: i32,
    pub assessed: Decimal,
    pub paid: Decimal,
    pub schedule: Schedule,
}

/// Where a Party stands under the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub party: String,
    /// The years, from the rule's first, whose contribution is not paid in full.
    pub years_in_arrears: Vec<i32>,
    /// What is unpaid of those years, in the decision's currency.
    pub arrears: Decimal,
    pub eligible: bool,
    /// Why, in words: "in arrears for 3 years", "a least developed country: the rule
    /// does not apply", "keeps to its schedule of payments".
    pub why: String,
}

/// The rule as the decision writes it, resolved.
#[derive(Debug, Clone)]
pub struct Rule {
    pub from: i32,
    pub years: usize,
    /// The exempt groups: their names, labels and members.
    pub exempt: Vec<GroupDef>,
}

/// A rule applied to its status file.
#[derive(Debug, Clone)]
pub struct ArrearsModel {
    pub name: String,
    pub title: Option<String>,
    pub status_file: String,
    /// What the file says of itself in its leading `#` lines (an example says it is
    /// one), for every output to show beside its name.
    pub status_note: Option<String>,
    pub rule: Rule,
    pub standings: Vec<Standing>,
    pub span: Span,
}

/// Every `arrears` rule of the decision, applied to the file it names.
pub fn evaluate(
    file: &ast::File,
    groups: &[GroupDef],
    world: &dyn World,
) -> (Vec<ArrearsModel>, Vec<DataText>, Vec<Diagnostic>) {
    let mut models = Vec::new();
    let mut texts = Vec::new();
    let mut diagnostics = Vec::new();
    for item in &file.items {
        let ast::Item::Arrears(written) = item else {
            continue;
        };
        let Some(rule) = resolve(written, groups, &mut diagnostics) else {
            continue;
        };
        let Some(status) = &written.status else {
            diagnostics.push(missing(
                written,
                "status",
                "status \"status-of-contributions.tsv\"",
            ));
            continue;
        };
        let (payments, text) = read_status(status, world, &mut diagnostics);
        // The file's lines are shown by its diagnostics, whether or not it could be read whole.
        if let Some(text) = text {
            texts.push(DataText {
                name: status.value.to_string(),
                text,
            });
        }
        let Some(payments) = payments else {
            continue;
        };
        models.push(ArrearsModel {
            name: written.name.name.to_string(),
            title: written.title.as_ref().map(|t| t.value.to_string()),
            status_file: status.value.to_string(),
            status_note: texts
                .last()
                .and_then(|t: &DataText| leading_comment(&t.text)),
            standings: standings(&rule, &payments),
            rule,
            span: written.span,
        });
    }
    (models, texts, diagnostics)
}

/// The text of a file's leading `#` lines up to the first empty one, joined; `None`
/// without any.
fn leading_comment(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_start)
        .take_while(|line| line.starts_with('#'))
        .map(|line| line.trim_start_matches('#').trim())
        .take_while(|line| !line.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join(" "))
}

fn missing(written: &ArrearsRule, setting: &str, example: &str) -> Diagnostic {
    Diagnostic::error(
        Code::TableSetting,
        format!(
            "the arrears rule `{}` has no `{setting}`",
            written.name.name
        ),
    )
    .at(written.name.span, format!("`{setting}` missing"))
    .with_help(format!("write `{example}` in it"))
}

fn resolve(
    written: &ArrearsRule,
    groups: &[GroupDef],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let Some((from, _)) = written.from else {
        diagnostics.push(missing(written, "from", "from 2005"));
        return None;
    };
    let Some((years, span)) = written.years else {
        diagnostics.push(missing(written, "years", "years 2"));
        return None;
    };
    let Some(years) = usize::try_from(years.value.trunc().mantissa())
        .ok()
        .filter(|n| *n >= 1 && years.value.fract().is_zero())
    else {
        diagnostics.push(
            Diagnostic::error(
                Code::TableSetting,
                "`years` is a whole number of years, at least 1",
            )
            .at(span, "not a whole number of years")
            .with_help("write `years 2` for \"in arrears for two or more years\""),
        );
        return None;
    };
    let mut exempt = Vec::new();
    for name in &written.exempt {
        match groups.iter().find(|g| g.name == name.name) {
            Some(group) => exempt.push(group.clone()),
            None => {
                let suggestion = closest(&name.name, groups.iter().map(|g| g.name.as_str()));
                let help = match suggestion {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "define the group with `group NAME \"…\" { \"Party\" … }`".to_owned(),
                };
                let diagnostic = Diagnostic::error(
                    Code::NameUnknown,
                    format!("there is no group `{}`", name.name),
                )
                .at(name.span, "unknown group")
                .with_help(help);
                diagnostics.push(super::scale::name_correction(
                    diagnostic, name.span, suggestion,
                ));
                return None;
            }
        }
    }
    Some(Rule {
        from,
        years,
        exempt,
    })
}

/// The payments of a status file; problems with its lines are diagnostics in it.
fn read_status(
    status: &ast::Text,
    world: &dyn World,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<Vec<Payment>>, Option<std::sync::Arc<str>>) {
    let name = status.value.to_string();
    let problem = |message: String, help: &str| {
        Diagnostic::error(Code::IoRead, message)
            .at(status.span, "named here")
            .with_help(help.to_owned())
    };
    let Some(delimiter) = Delimiter::for_name(&name) else {
        diagnostics.push(problem(
            format!("bud reads status files ending in .csv or .tsv, not `{name}`"),
            "save the status of contributions from the spreadsheet as CSV or as tab-separated text",
        ));
        return (None, None);
    };
    let text = match world.read(&name) {
        Ok(text) => text,
        Err(reason) => {
            diagnostics.push(problem(
                format!("the status file `{name}` cannot be read: {reason}"),
                "status files are looked for beside the decision file",
            ));
            return (None, None);
        }
    };
    // Lines starting with `#` at the top are comments (an example file says it is one):
    // the table starts after them, and its spans are moved back to where they are.
    let start: usize = text
        .split_inclusive('\n')
        .take_while(|line| line.trim_start().starts_with('#'))
        .map(str::len)
        .sum();
    let (table, problems) = data::read_all(&text[start..], delimiter);
    diagnostics.extend(problems.into_iter().map(|mut d| {
        d.shift(start);
        d.in_file(name.clone())
    }));
    let Some(mut table) = table else {
        return (None, Some(text));
    };
    for row in std::iter::once(&mut table.header).chain(table.rows.iter_mut()) {
        row.span = Span::new(row.span.start() + start, row.span.end() + start);
        row.line += text[..start].matches('\n').count();
        for cell in &mut row.cells {
            cell.span = Span::new(cell.span.start() + start, cell.span.end() + start);
        }
    }
    let column = |wanted: &str| {
        table
            .header
            .cells
            .iter()
            .position(|cell| cell.text.trim().eq_ignore_ascii_case(wanted))
    };
    let (Some(party), Some(year), Some(assessed), Some(paid)) = (
        column("Party"),
        column("Year"),
        column("Assessed"),
        column("Paid"),
    ) else {
        diagnostics.push(
            Diagnostic::error(
                Code::DataRow,
                format!(
                    "the first line of {name} must name the columns Party, Year, Assessed and Paid"
                ),
            )
            .at(table.header.span, "the header")
            .with_help(
                "add the missing columns; a Schedule column (respected or broken) is optional",
            )
            .in_file(name.clone()),
        );
        return (None, Some(text));
    };
    let schedule = column("Schedule");
    let payments = table
        .rows
        .iter()
        .filter_map(|row| {
            let read = payment(row, [party, year, assessed, paid], schedule);
            read.map_err(|d| diagnostics.push(d.in_file(name.clone())))
                .ok()
        })
        .collect();
    (Some(payments), Some(text))
}

/// One line of the status file, or why it cannot be read.
fn payment(
    row: &DataRow,
    [party, year, assessed, paid]: [usize; 4],
    schedule: Option<usize>,
) -> Result<Payment, Diagnostic> {
    let cell = |index: usize| row.cells.get(index);
    let bad = |index: usize, what: &str| {
        let at = cell(index).map_or(row.span, |c| c.span);
        Diagnostic::error(Code::DataRow, format!("line {}: {what}", row.line))
            .at(at, "here")
            .with_help("each line gives a Party, a year, the amount assessed and the amount paid")
    };
    let amount = |index: usize, what: &str| -> Result<Decimal, Diagnostic> {
        let text = cell(index).map(|c| c.text.trim()).unwrap_or_default();
        parse_number(text)
            .map(|w| w.value)
            .map_err(|_| bad(index, &format!("`{text}` is not {what}")))
    };
    let name = cell(party)
        .map(|c| c.text.trim().to_owned())
        .unwrap_or_default();
    if name.is_empty() {
        return Err(bad(party, "no Party is named"));
    }
    let year_text = cell(year).map(|c| c.text.trim()).unwrap_or_default();
    let year = year_text
        .parse::<i32>()
        .map_err(|_| bad(1, &format!("`{year_text}` is not a year")))?;
    let schedule = match schedule
        .and_then(cell)
        .map(|c| c.text.trim().to_ascii_lowercase())
    {
        None => Schedule::None,
        Some(text) if text.is_empty() => Schedule::None,
        Some(text) if text == "respected" => Schedule::Respected,
        Some(text) if text == "broken" => Schedule::Broken,
        Some(text) => {
            return Err(bad(
                schedule.unwrap_or(0),
                &format!("`{text}` is not a schedule's state: write respected, broken, or nothing"),
            ));
        }
    };
    Ok(Payment {
        party: name,
        year,
        assessed: amount(assessed, "an amount assessed")?,
        paid: amount(paid, "an amount paid")?,
        schedule,
    })
}

/// Each Party's standing under the rule, in the order the file first names it.
pub fn standings(rule: &Rule, payments: &[Payment]) -> Vec<Standing> {
    // One pass: a status file of thousands of Parties was read once per Party.
    let mut parties: Vec<(&str, Vec<&Payment>)> = Vec::new();
    let mut position: FxHashMap<&str, usize> = FxHashMap::default();
    for payment in payments {
        let index = *position.entry(&payment.party).or_insert_with(|| {
            parties.push((&payment.party, Vec::new()));
            parties.len() - 1
        });
        parties[index].1.push(payment);
    }
    parties
        .into_iter()
        .map(|(party, own)| standing(rule, party, &own))
        .collect()
}

/// `own` are the Party's lines of the status file, in the file's order.
fn standing(rule: &Rule, party: &str, own: &[&Payment]) -> Standing {
    let mut years_in_arrears: Vec<i32> = Vec::new();
    let mut arrears = Decimal::ZERO;
    for payment in own.iter().filter(|p| p.year >= rule.from) {
        let unpaid = payment.assessed.saturating_sub(payment.paid);
        if unpaid > Decimal::ZERO {
            arrears = arrears.saturating_add(unpaid);
            if !years_in_arrears.contains(&payment.year) {
                years_in_arrears.push(payment.year);
            }
        }
    }
    years_in_arrears.sort_unstable();
    // The schedule a Party has is the one its latest line records.
    let schedule = own
        .iter()
        .rev()
        .map(|p| p.schedule)
        .find(|s| *s != Schedule::None)
        .unwrap_or(Schedule::None);
    let in_arrears = years_in_arrears.len() >= rule.years;
    let exempt = rule.exempt.iter().find(|group| group.contains(party));
    let count = years_in_arrears.len();
    let years = match count {
        1 => "1 year".to_owned(),
        n => format!("{n} years"),
    };
    let before = own
        .iter()
        .any(|p| p.year < rule.from && p.assessed > p.paid);
    let (eligible, why) = match (in_arrears, exempt, schedule) {
        (false, _, _) if count == 0 && before => (
            true,
            format!(
                "arrears only for years before {}, which the rule does not count",
                rule.from
            ),
        ),
        (false, _, _) if count == 0 => (true, "no arrears".to_owned()),
        (false, _, _) => (
            true,
            format!("in arrears for {years}, fewer than {}", rule.years),
        ),
        (true, Some(group), _) => (
            true,
            format!(
                "in arrears for {years}, but in the group {}: the rule does not apply",
                group.label.as_deref().unwrap_or(&group.name)
            ),
        ),
        (true, None, Schedule::Respected) => (
            true,
            format!("in arrears for {years}, but keeps to its agreed schedule of payments"),
        ),
        (true, None, Schedule::Broken) => (
            false,
            format!("in arrears for {years}, and does not keep to its agreed schedule of payments"),
        ),
        (true, None, Schedule::None) => (false, format!("in arrears for {years}")),
    };
    Standing {
        party: party.to_owned(),
        years_in_arrears,
        arrears,
        eligible,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn rule(exempt: &[(&str, &[&str])]) -> Rule {
        Rule {
            from: 2005,
            years: 2,
            exempt: exempt
                .iter()
                .map(|(name, members)| {
                    GroupDef::new(
                        (*name).to_owned(),
                        Some(format!("{name} countries")),
                        members
                            .iter()
                            .map(|m| ((*m).to_owned(), Span::new(0, 0)))
                            .collect(),
                        Span::new(0, 0),
                    )
                })
                .collect(),
        }
    }

    fn paid(party: &str, year: i32, assessed: Decimal, paid: Decimal) -> Payment {
        Payment {
            party: party.to_owned(),
            year,
            assessed,
            paid,
            schedule: Schedule::None,
        }
    }

    fn one(rule: &Rule, payments: &[Payment]) -> Standing {
        standings(rule, payments).remove(0)
    }

    #[test]
    fn two_years_unpaid_make_a_party_not_eligible_and_one_does_not() {
        let rule = rule(&[]);
        let two = one(
            &rule,
            &[
                paid("Oneland", 2011, dec!(1000), dec!(0)),
                paid("Oneland", 2012, dec!(1000), dec!(400)),
                paid("Oneland", 2013, dec!(1000), dec!(1000)),
            ],
        );
        assert_eq!(two.years_in_arrears, [2011, 2012]);
        assert_eq!(two.arrears, dec!(1600));
        assert!(!two.eligible, "{}", two.why);
        assert_eq!(two.why, "in arrears for 2 years");
        let single = one(&rule, &[paid("Twoland", 2012, dec!(500), dec!(100))]);
        assert!(single.eligible);
        assert_eq!(single.why, "in arrears for 1 year, fewer than 2");
    }

    #[test]
    fn contributions_due_before_the_rule_s_first_year_do_not_count() {
        let standing = one(
            &rule(&[]),
            &[
                paid("Oneland", 2003, dec!(1000), dec!(0)),
                paid("Oneland", 2004, dec!(1000), dec!(0)),
                paid("Oneland", 2005, dec!(1000), dec!(0)),
            ],
        );
        assert_eq!(standing.years_in_arrears, [2005]);
        assert!(standing.eligible);
        let earlier = one(&rule(&[]), &[paid("Sixland", 2004, dec!(10), dec!(0))]);
        assert!(earlier.eligible);
        assert!(
            earlier
                .why
                .starts_with("arrears only for years before 2005"),
            "{}",
            earlier.why
        );
    }

    #[test]
    fn least_developed_countries_and_small_island_states_are_exempt() {
        let rule = rule(&[("ldc", &["Threeland"]), ("sids", &["Fourland"])]);
        for party in ["Threeland", "Fourland"] {
            let standing = one(
                &rule,
                &[
                    paid(party, 2011, dec!(10), dec!(0)),
                    paid(party, 2012, dec!(10), dec!(0)),
                ],
            );
            assert!(standing.eligible, "{party}: {}", standing.why);
            assert!(
                standing.why.contains("the rule does not apply"),
                "{}",
                standing.why
            );
        }
    }

    #[test]
    fn a_respected_schedule_keeps_a_party_eligible_and_a_broken_one_does_not() {
        let rule = rule(&[]);
        let with = |schedule| {
            let mut lines = vec![
                paid("Fiveland", 2011, dec!(10), dec!(0)),
                paid("Fiveland", 2012, dec!(10), dec!(0)),
            ];
            lines[1].schedule = schedule;
            one(&rule, &lines)
        };
        let respected = with(Schedule::Respected);
        assert!(respected.eligible, "{}", respected.why);
        let broken = with(Schedule::Broken);
        assert!(!broken.eligible, "{}", broken.why);
        assert!(broken.why.contains("does not keep to"), "{}", broken.why);
    }
}
