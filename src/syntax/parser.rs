//! The only module that knows pest: it runs the grammar in `grammar/bud.pest` and turns
//! the parse tree into the typed AST of `ast.rs`. Nothing after this module sees a
//! `Pair`. Structural surprises (a pair that the grammar cannot produce) become an
//! `Internal` diagnostic rather than a panic.

use compact_str::CompactString;
use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use std::sync::{Mutex, PoisonError};

use super::ast::*;
use super::figures::{self, Expected, parse_number};
use super::recovery::{self, MAX_SYNTAX_ERRORS};
use super::{errors, limits, shortcut};
use crate::diagnostic::{Code, Diagnostic, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/bud.pest"]
pub(crate) struct BudParser;

type Lowered<T> = Result<T, Diagnostic>;

/// Parses a whole file whose first byte is at `base` among all the files of a
/// decision (0 for the decision file; imported files follow it), so that every span
/// says which file it is in. Errors are returned in file order: after a syntax error
/// the broken statement is skipped (`recovery`) and parsing goes on, so every broken
/// line is reported, up to `MAX_SYNTAX_ERRORS`.
pub fn parse_at(source: &str, base: usize) -> Result<File, Vec<Diagnostic>> {
    if let Some(file) = parse_in_parallel(source, base) {
        return Ok(file);
    }
    match parse_with_shortcut(source, base) {
        Some(file) => Ok(file),
        None => parse_by_grammar(source, base),
    }
}

/// Files smaller than this are parsed in one piece: splitting costs more than it saves.
const PARALLEL_FROM_BYTES: usize = 1 << 20;

/// A large file cut into stretches of whole items, each parsed on its own core, or
/// `None` when the file is small or any stretch does not parse by itself: the file is
/// then parsed in one piece, which words any diagnostic as it always does. A cut can
/// only fall where a line starts with a table, scale, paragraph, group or scenario at
/// the margin; a cut inside a block would leave a stretch with an unclosed block, which
/// cannot parse, so a wrong cut costs time, never meaning.
pub(super) fn parse_in_parallel(source: &str, base: usize) -> Option<File> {
    use rayon::prelude::*;
    if source.len() < PARALLEL_FROM_BYTES || rayon::current_num_threads() < 2 {
        return None;
    }
    let pieces = (rayon::current_num_threads() * 4).min(source.len() / (PARALLEL_FROM_BYTES / 4));
    let mut cuts = vec![0];
    for piece in 1..pieces {
        let target = source.len() / pieces * piece;
        let from = target.max(*cuts.last()?);
        if let Some(cut) = item_start_after(source, from, source.len() / pieces) {
            if cut > *cuts.last()? {
                cuts.push(cut);
            }
        }
    }
    cuts.push(source.len());
    if cuts.len() < 3 {
        return None;
    }
    let stretches: Vec<Option<File>> = cuts
        .par_windows(2)
        .map(|cut| {
            let (start, end) = (cut[0], cut[1]);
            let text = &source[start..end];
            parse_with_shortcut(text, base + start)
                .or_else(|| parse_by_grammar(text, base + start).ok())
        })
        .collect();
    let mut items = Vec::new();
    for stretch in stretches {
        items.extend(stretch?.items);
    }
    Some(File { items })
}

/// The start of the first line at or after `from` that begins an item at the margin,
/// looking no further than a stretch's length ahead (a scenario, say, may only be at
/// the end of the file, and each cut must not search the whole file for it).
fn item_start_after(source: &str, from: usize, within: usize) -> Option<usize> {
    const ITEMS: [&str; 5] = [
        "\ntable ",
        "\nscale ",
        "\nparagraph ",
        "\ngroup ",
        "\nscenario ",
    ];
    let boundary = |mut at: usize| {
        while !source.is_char_boundary(at) {
            at += 1;
        }
        at
    };
    let (from, end) = (boundary(from), boundary((from + within).min(source.len())));
    let rest = source.get(from..end)?;
    // Line by line: the next item is usually a few lines on, while searching for each
    // kind of item in turn would scan the whole stretch for the kinds that are absent.
    rest.match_indices('\n')
        .find(|(at, _)| ITEMS.iter().any(|item| rest[*at..].starts_with(item)))
        .map(|(at, _)| from + at + 1)
}

/// The file read with its plain rows taken by `shortcut`, or `None` when there are
/// none or the file has any problem: the grammar then reads it all and words the
/// diagnostics as it always does.
fn parse_with_shortcut(source: &str, base: usize) -> Option<File> {
    let runs = shortcut::plain_row_runs(source, base);
    if runs.is_empty() {
        return None;
    }
    let abridged = shortcut::abridge(source, runs);
    let _spans_from = SpansFrom::abridged(base, abridged.shifts);
    let pairs = BudParser::parse(Rule::file, &abridged.text).ok()?;
    let mut lower = Lower {
        placeholders: abridged.placeholders.into(),
        ..Lower::default()
    };
    let file = lower.file(pairs).ok()?;
    // A placeholder left over stood where no row can: the grammar must read the file.
    (lower.diagnostics.is_empty() && lower.placeholders.is_empty()).then_some(file)
}

/// Parses `source` with the grammar alone, as `parse_at` describes.
pub(super) fn parse_by_grammar(source: &str, base: usize) -> Result<File, Vec<Diagnostic>> {
    let _spans_from = SpansFrom::base(base);
    let error = match BudParser::parse(Rule::file, source) {
        Ok(pairs) => return lowered(pairs, Vec::new()),
        Err(error) => error,
    };
    let (accepted, diagnostics) = recover(source, &error);
    let diagnostics = shifted(diagnostics, base);
    let Some(text) = accepted else {
        return Err(diagnostics);
    };
    match BudParser::parse(Rule::file, &text) {
        Ok(pairs) => lowered(pairs, diagnostics),
        Err(_) => Err(diagnostics),
    }
}

/// The syntax tree of a parsed file, or every diagnostic found so far and in lowering.
fn lowered(
    pairs: Pairs<'_, Rule>,
    mut diagnostics: Vec<Diagnostic>,
) -> Result<File, Vec<Diagnostic>> {
    let mut lower = Lower::default();
    let file = lower.file(pairs);
    diagnostics.append(&mut lower.diagnostics);
    match file {
        Ok(file) if diagnostics.is_empty() => Ok(file),
        Ok(_) => Err(diagnostics),
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            Err(diagnostics)
        }
    }
}

/// After the grammar refused `source` with `error`, blanks each broken statement and
/// runs the grammar again until it accepts the text or recovery must stop; gives the
/// accepted text, if any, and a diagnostic per broken statement (spans in `source`).
fn recover(source: &str, error: &pest::error::Error<Rule>) -> (Option<String>, Vec<Diagnostic>) {
    let (first, mut position) = errors::from_pest(source, error);
    let mut diagnostics = vec![first];
    let mut text = source.to_owned();
    while diagnostics.len() < MAX_SYNTAX_ERRORS {
        let Some(skipped) = recovery::skip_statement(&text, position) else {
            return (None, diagnostics);
        };
        text = skipped;
        match BudParser::parse(Rule::file, &text) {
            Ok(_) => return (Some(text), diagnostics),
            Err(error) => {
                let (diagnostic, at) = errors::from_pest(&text, &error);
                diagnostics.push(diagnostic);
                position = at;
            }
        }
    }
    (None, diagnostics)
}

/// Diagnostics found in a file at `base`, with their spans moved there.
fn shifted(mut diagnostics: Vec<Diagnostic>, base: usize) -> Vec<Diagnostic> {
    if base > 0 {
        for diagnostic in &mut diagnostics {
            diagnostic.shift(base);
        }
    }
    diagnostics
}

thread_local! {
    /// Where the file being lowered starts among the files of a decision. Kept beside
    /// the parser rather than passed to each of the fifty lowering functions that make
    /// a span; `SpansFrom` sets it for one parse and puts it back.
    static BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// When the grammar reads an abridged text (`shortcut`), where its placeholders
    /// end and how far the original text is ahead after each.
    static SHIFTS: std::cell::RefCell<Vec<(usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct SpansFrom {
    previous: usize,
    previous_shifts: Vec<(usize, usize)>,
}

impl SpansFrom {
    fn base(base: usize) -> SpansFrom {
        Self::abridged(base, Vec::new())
    }

    fn abridged(base: usize, shifts: Vec<(usize, usize)>) -> SpansFrom {
        SpansFrom {
            previous: BASE.replace(base),
            previous_shifts: SHIFTS.replace(shifts),
        }
    }
}

impl Drop for SpansFrom {
    fn drop(&mut self) {
        BASE.set(self.previous);
        SHIFTS.set(std::mem::take(&mut self.previous_shifts));
    }
}

/// Re-runs the grammar with pest's detailed error tracking, which costs time and is
/// therefore only switched on once a parse has already failed.
///
/// pest keeps that switch in one process-wide flag, read when a parse starts. Without
/// the lock, one thread could switch it off between another thread switching it on and
/// starting its parse, and the same broken file would get a different message depending
/// on what else the process was doing (an editor server checks files in parallel).
/// Ordinary parses never touch the flag; if one starts while it is on, it only does
/// extra bookkeeping.
pub(crate) fn parse_with_detail(source: &str) -> Option<pest::error::Error<Rule>> {
    static DETAIL: Mutex<()> = Mutex::new(());
    let _only_one_detailed_parse = DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
    pest::set_error_detail(true);
    let result = BudParser::parse(Rule::file, source).err();
    pest::set_error_detail(false);
    result
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let base = BASE.get();
    SHIFTS.with_borrow(|shifts| {
        Span::new(
            base + shortcut::original_offset(shifts, span.start()),
            base + shortcut::original_offset(shifts, span.end()),
        )
    })
}

fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(Code::Internal, format!("bud could not read {what} here"))
        .at(span, "this is a bug in bud, not in the file")
        .with_help("please report it with the file that triggered it")
}

/// The next pair of a node, or an internal error naming what was missing.
fn next<'i>(pairs: &mut Pairs<'i, Rule>, span: Span, what: &str) -> Lowered<Pair<'i, Rule>> {
    pairs.next().ok_or_else(|| internal(span, what))
}

#[derive(Default)]
struct Lower {
    diagnostics: Vec<Diagnostic>,
    /// Operators seen so far in the formula being lowered, nested ones included.
    operators: usize,
    /// How deep the lowering recursion is. `limits::check` refuses deep input before
    /// parsing; this guard keeps lowering safe even if the two ever disagree.
    depth: usize,
    /// The rows `shortcut` read, by where their placeholder starts in the text the
    /// grammar read, in file order.
    placeholders: std::collections::VecDeque<(usize, Vec<Entry>)>,
    /// How many figures a row of the table or scale being lowered has.
    expected: Expected,
}

impl Lower {
    fn file(&mut self, mut pairs: Pairs<'_, Rule>) -> Lowered<File> {
        let file = next(&mut pairs, Span::default(), "the file")?;
        let mut items = Vec::new();
        for pair in file.into_inner() {
            match pair.as_rule() {
                Rule::decision => items.push(Item::Decision(self.decision(pair)?)),
                Rule::import => items.push(Item::Import(import(pair)?)),
                Rule::paragraph => items.push(Item::Paragraph(self.paragraph(pair)?)),
                Rule::table => items.push(Item::Table(self.table(pair)?.into())),
                Rule::scale_table => items.push(Item::Scale(self.scale(pair)?)),
                Rule::scale_rule => items.push(Item::Rule(self.shared_rule(pair)?)),
                Rule::arrears => items.push(Item::Arrears(self.arrears(pair)?)),
                Rule::group => items.push(Item::Group(group(pair)?)),
                Rule::scenario => items.push(Item::Scenario(self.scenario(pair)?)),
                Rule::definition => items.push(Item::Definition(self.definition(pair)?)),
                Rule::erratum => items.push(Item::Erratum(erratum(pair)?)),
                Rule::EOI => {}
                _ => return Err(internal(span_of(&pair), "an item")),
            }
        }
        Ok(File { items })
    }

    fn decision(&mut self, pair: Pair<'_, Rule>) -> Lowered<Decision> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let kind = match next(&mut inner, span, "the decision keyword")?.as_rule() {
            Rule::kw_report => DocumentKind::Report,
            _ => DocumentKind::Decision,
        };
        let symbol = text(next(&mut inner, span, "the decision symbol")?);
        let mut fields = Vec::new();
        for field in inner {
            fields.push(self.decision_field(field)?);
        }
        Ok(Decision {
            kind,
            symbol,
            fields,
            span,
        })
    }

    fn decision_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<DecisionField> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let name = ident(next(&mut inner, span, "a field name")?);
        let value_pair = next(&mut inner, span, "a field value")?;
        let value = match value_pair.as_rule() {
            Rule::string => FieldValue::Text(text(value_pair)),
            Rule::period => FieldValue::Period(period(&value_pair)?),
            Rule::dates => FieldValue::Dates(dates(value_pair)?),
            Rule::currency => FieldValue::Currency(currency(&value_pair)),
            Rule::notation => FieldValue::Notation(notation(&value_pair)),
            _ => return Err(internal(span, "a field value")),
        };
        Ok(DecisionField { name, value, span })
    }

    fn paragraph(&mut self, pair: Pair<'_, Rule>) -> Lowered<Paragraph> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        next(&mut inner, span, "the paragraph keyword")?;
        let number = ident(next(&mut inner, span, "the paragraph number")?);
        let mut paragraph_text = None;
        let mut definitions = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::string => paragraph_text = Some(text(part)),
                Rule::definition => definitions.push(self.definition(part)?),
                _ => return Err(internal(span_of(&part), "a paragraph line")),
            }
        }
        Ok(Paragraph {
            number,
            text: paragraph_text,
            definitions,
            span,
        })
    }

    fn definition(&mut self, pair: Pair<'_, Rule>) -> Lowered<Definition> {
        let span = span_of(&pair);
        let mut name = None;
        let mut index = None;
        let mut value = None;
        let mut stated = None;
        let mut stated_rounding = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::ident => name = Some(ident(part)),
                Rule::year_index => index = Some(year_index(part)?),
                Rule::expr => value = Some(self.formula(part)?),
                Rule::stated => {
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::kw_stated => {}
                            Rule::stated_rounding => {
                                stated_rounding = Some(self.rounding(piece)?);
                            }
                            _ => stated = Some(self.literal(piece)?),
                        }
                    }
                }
                _ => return Err(internal(span_of(&part), "a definition")),
            }
        }
        Ok(Definition {
            name: name.ok_or_else(|| internal(span, "a name"))?,
            index,
            value,
            stated,
            stated_rounding,
            span,
        })
    }

    fn table(&mut self, pair: Pair<'_, Rule>) -> Lowered<Table> {
        let span = span_of(&pair);
        let mut number = None;
        let mut name = None;
        let mut settings = Vec::new();
        let mut entries = Vec::new();
        self.expected = match pair
            .clone()
            .into_inner()
            .find(|part| part.as_rule() == Rule::table_columns)
        {
            Some(columns) => Expected::Count(
                columns
                    .into_inner()
                    .filter(|p| !matches!(p.as_rule(), Rule::kw_columns | Rule::heading))
                    .count(),
            ),
            None => Expected::Unchecked,
        };
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::kw_table => {}
                Rule::table_number => number = Some(ident(part)),
                Rule::ident => name = Some(ident(part)),
                Rule::section => entries.push(Entry::Section(Box::new(self.section(part)?))),
                Rule::row => self.rows(part, &mut entries)?,
                _ => match self.table_setting(part)? {
                    Some(setting) => settings.push(setting),
                    None => return Err(internal(part_span, "a table line")),
                },
            }
        }
        Ok(Table {
            number,
            name: name.ok_or_else(|| internal(span, "a table name"))?,
            settings,
            entries,
            span,
        })
    }

    /// A table setting shared by tables and scales, or `None` for another line.
    fn table_setting(&mut self, part: Pair<'_, Rule>) -> Lowered<Option<TableSetting>> {
        let part_span = span_of(&part);
        let setting = match part.as_rule() {
            Rule::table_title => TableSetting::Title(text(last_of(part, Rule::string, "a title")?)),
            Rule::table_note => TableSetting::Note(self.note(part)?),
            Rule::table_label => {
                TableSetting::Label(text(last_of(part, Rule::string, "a heading")?))
            }
            Rule::table_unit => {
                TableSetting::Unit(table_unit(last_of(part, Rule::unit, "a unit")?)?, part_span)
            }
            Rule::table_rounding => TableSetting::Rounding(self.rounding(part)?, part_span),
            Rule::table_columns => {
                let mut columns = Columns {
                    keys: Vec::new(),
                    headings: Vec::new(),
                    texts: Vec::new(),
                    span: part_span,
                };
                for key in part
                    .into_inner()
                    .filter(|p| p.as_rule() != Rule::kw_columns)
                {
                    let key_span = span_of(&key);
                    match key.as_rule() {
                        Rule::heading => {
                            let heading = text(last_of(key, Rule::string, "a heading")?);
                            if let Some(last) = columns.headings.last_mut() {
                                *last = Some(heading);
                            }
                            continue;
                        }
                        Rule::string => {
                            let ordinal = u16::try_from(columns.texts.len())
                                .map_err(|_| internal(key_span, "fewer text columns"))?;
                            columns.texts.push(text(key));
                            columns.keys.push((ColumnKey::Text(ordinal), key_span));
                        }
                        _ => columns.keys.push((column_key(&key)?, key_span)),
                    }
                    columns.headings.push(None);
                }
                TableSetting::Columns(columns)
            }
            Rule::table_notation => {
                let written = last_of(part, Rule::notation, "a notation")?;
                TableSetting::Notation(notation(&written), part_span)
            }
            _ => return Ok(None),
        };
        Ok(Some(setting))
    }

    /// `note d "…" { definitions }`.
    fn note(&mut self, pair: Pair<'_, Rule>) -> Lowered<Note> {
        let span = span_of(&pair);
        let mut note = Note {
            mark: None,
            text: Text {
                value: CompactString::default(),
                span,
            },
            definitions: Vec::new(),
            span,
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_note => {}
                Rule::note_mark => note.mark = Some(CompactString::from(part.as_str())),
                Rule::string => note.text = text(part),
                Rule::note_values => {
                    for definition in part.into_inner() {
                        note.definitions.push(self.definition(definition)?);
                    }
                }
                _ => return Err(internal(span_of(&part), "a note")),
            }
        }
        Ok(note)
    }

    /// `columns base as "…"  rate 2016  rate 2017`, or `columns 2013 2014 Total`.
    fn scale_columns(&mut self, pair: Pair<'_, Rule>) -> Lowered<TableSetting> {
        let span = span_of(&pair);
        let mut columns: Vec<ScaleColumn> = Vec::new();
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::kw_columns => {}
                Rule::heading => {
                    let heading = text(last_of(part, Rule::string, "a heading")?);
                    if let Some(last) = columns.last_mut() {
                        last.heading = Some(heading);
                    }
                }
                Rule::scale_column => {
                    let mut role = None;
                    let mut year = None;
                    let mut total = false;
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::scale_role => role = Some(piece.as_str().to_owned()),
                            Rule::year => year = Some(year_number(piece.as_str(), part_span)?),
                            Rule::kw_total => total = true,
                            _ => return Err(internal(part_span, "a scale column")),
                        }
                    }
                    let kind = match (role.as_deref(), year, total) {
                        (_, _, true) => ScaleColumnKind::Total,
                        (Some("base"), year, _) => ScaleColumnKind::Base(year),
                        (Some("rate"), Some(year), _) => ScaleColumnKind::Rate(year),
                        (Some("contribution"), Some(year), _) => {
                            ScaleColumnKind::Contribution(year)
                        }
                        (None, Some(year), _) => ScaleColumnKind::Year(year),
                        _ => {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    Code::TableSetting,
                                    "a scale's rates and contributions are each for a year",
                                )
                                .at(part_span, "which year?")
                                .with_help(
                                    "write the year after it: `rate 2016`, `contribution 2016`",
                                ),
                            );
                            continue;
                        }
                    };
                    columns.push(ScaleColumn {
                        kind,
                        heading: None,
                        span: part_span,
                    });
                }
                _ => return Err(internal(part_span, "a scale column")),
            }
        }
        Ok(TableSetting::ScaleColumns(columns, span))
    }

    fn scale(&mut self, pair: Pair<'_, Rule>) -> Lowered<ScaleTable> {
        let span = span_of(&pair);
        // The columns first: they say how many figures a Party line has.
        let first_columns = pair
            .clone()
            .into_inner()
            .find(|part| part.as_rule() == Rule::scale_columns);
        let columns_span = first_columns.as_ref().map(span_of);
        let columns = match first_columns {
            Some(columns) => Some(self.scale_columns(columns)?),
            None => None,
        };
        self.expected = match &columns {
            Some(TableSetting::ScaleColumns(columns, _)) => {
                Expected::Count(columns.iter().map(|c| c.kind.figures()).sum())
            }
            _ => Expected::Unchecked,
        };
        let mut scale = ScaleTable {
            number: None,
            name: Ident {
                name: CompactString::from(String::new()),
                span,
            },
            settings: columns.into_iter().collect(),
            rules: Vec::new(),
            parties: Vec::new(),
            total: None,
            data: Vec::new(),
            span,
        };
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::kw_scale => {}
                Rule::table_number => scale.number = Some(ident(part)),
                Rule::ident => scale.name = ident(part),
                Rule::scale_party => scale.parties.push(self.party_line(part)?),
                Rule::scale_total => scale.total = Some(self.party_line(part)?),
                Rule::scale_data => {
                    scale
                        .data
                        .push(text(last_of(part, Rule::string, "a file name")?))
                }
                Rule::scale_amount => {
                    let written = last_of(part, Rule::expr, "an amount")?;
                    let text = CompactString::from(written.as_str().trim_end());
                    let amount = self.formula(written)?;
                    scale.rules.push(ScaleRule::Amount(amount, text, part_span));
                }
                Rule::scale_rates => {
                    scale
                        .rules
                        .push(ScaleRule::Rates(self.rounding(part)?, part_span));
                }
                Rule::scale_base => {
                    scale
                        .rules
                        .push(ScaleRule::Base(self.rounding(part)?, part_span));
                }
                Rule::scale_columns if Some(part_span) == columns_span => {}
                Rule::scale_columns => scale.settings.push(self.scale_columns(part)?),
                Rule::scale_fixed | Rule::scale_ceiling | Rule::scale_floor | Rule::scale_cap => {
                    scale.rules.push(self.limit(part)?);
                }
                Rule::scale_use_rule => scale.rules.push(use_rule(part)?),
                _ => match self.table_setting(part)? {
                    Some(setting) => scale.settings.push(setting),
                    None => return Err(internal(part_span, "a scale line")),
                },
            }
        }
        Ok(scale)
    }

    /// `fixed "European Union" 2.5%`, `ceiling 22%`, `floor 0.001%`, `cap ldc 0.01%`.
    fn limit(&mut self, part: Pair<'_, Rule>) -> Lowered<ScaleRule> {
        let span = span_of(&part);
        Ok(match part.as_rule() {
            Rule::scale_fixed => {
                let party = text(last_of(part.clone(), Rule::string, "a Party")?);
                let share = self.percent(last_of(part, Rule::percent, "a share")?)?;
                ScaleRule::Fixed { party, share, span }
            }
            Rule::scale_ceiling => ScaleRule::Ceiling(
                self.percent(last_of(part, Rule::percent, "a ceiling")?)?,
                span,
            ),
            Rule::scale_floor => ScaleRule::Floor(
                self.percent(last_of(part, Rule::percent, "a floor")?)?,
                span,
            ),
            Rule::scale_cap => {
                let group = ident(last_of(part.clone(), Rule::ident, "a group")?);
                let rate = self.percent(last_of(part, Rule::percent, "a cap")?)?;
                ScaleRule::Cap { group, rate, span }
            }
            _ => return Err(internal(span, "a limit of a scale's rule")),
        })
    }

    /// `rule financial_procedures "Decision 15/CP.1, annex I, paragraph 7(a)" { … }`.
    fn shared_rule(&mut self, pair: Pair<'_, Rule>) -> Lowered<RuleDef> {
        let span = span_of(&pair);
        let mut name = None;
        let mut source = None;
        let mut limits = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_rule => {}
                Rule::ident => name = Some(ident(part)),
                Rule::string => source = Some(text(part)),
                _ => limits.push(self.limit(part)?),
            }
        }
        Ok(RuleDef {
            name: name.ok_or_else(|| internal(span, "a rule's name"))?,
            source,
            limits,
            span,
        })
    }

    /// `arrears bureau "…" { status "…" from 2005 years 2 exempt ldc sids }`.
    fn arrears(&mut self, pair: Pair<'_, Rule>) -> Lowered<ArrearsRule> {
        let span = span_of(&pair);
        let mut rule = ArrearsRule {
            name: Ident {
                name: CompactString::default(),
                span,
            },
            title: None,
            status: None,
            from: None,
            years: None,
            exempt: Vec::new(),
            span,
        };
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::kw_arrears => {}
                Rule::ident => rule.name = ident(part),
                Rule::string => rule.title = Some(text(part)),
                Rule::arrears_status => {
                    rule.status = Some(text(last_of(part, Rule::string, "a file name")?));
                }
                Rule::arrears_from => {
                    let year = last_of(part, Rule::year, "a year")?;
                    let value = year
                        .as_str()
                        .parse()
                        .map_err(|_| internal(part_span, "a year"))?;
                    rule.from = Some((value, part_span));
                }
                Rule::arrears_years => {
                    let number = last_of(part, Rule::number, "a number of years")?;
                    rule.years = Some((self.number(&number)?, part_span));
                }
                Rule::arrears_exempt => rule.exempt.extend(
                    part.into_inner()
                        .filter(|p| p.as_rule() == Rule::ident)
                        .map(ident),
                ),
                _ => return Err(internal(part_span, "an arrears setting")),
            }
        }
        Ok(rule)
    }

    fn scenario(&mut self, pair: Pair<'_, Rule>) -> Lowered<Scenario> {
        let span = span_of(&pair);
        let mut name = None;
        let mut condition = None;
        let mut changes = Vec::new();
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::kw_scenario => {}
                Rule::scenario_name => name = Some(ident(part)),
                Rule::string => condition = Some(text(part)),
                Rule::scenario_period => {
                    let written = last_of(part, Rule::period, "a period")?;
                    changes.push(Change::Period(period(&written)?, part_span));
                }
                Rule::scenario_remove => {
                    let target = ident(last_of(part, Rule::ident, "a name")?);
                    changes.push(Change::Remove(target, part_span));
                }
                Rule::scenario_rows => changes.push(self.row_changes(part)?),
                Rule::scenario_replace => {
                    let inner = part
                        .into_inner()
                        .find(|p| p.as_rule() != Rule::kw_replace)
                        .ok_or_else(|| internal(part_span, "what is replaced"))?;
                    changes.push(Change::Replace(self.changed_item(inner)?, part_span));
                }
                _ => changes.push(Change::Add(self.changed_item(part)?)),
            }
        }
        Ok(Scenario {
            name: name.ok_or_else(|| internal(span, "a scenario name"))?,
            condition,
            changes,
            span,
        })
    }

    /// `in core_budget { … }`: the row changes of one table.
    fn row_changes(&mut self, pair: Pair<'_, Rule>) -> Lowered<Change> {
        let span = span_of(&pair);
        // The table's columns are the decision's, not known here.
        self.expected = Expected::Unknown;
        let mut table = None;
        let mut edits = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_in => {}
                Rule::ident => table = Some(ident(part)),
                Rule::row_replace => {
                    let row = last_of(part, Rule::row, "a row")?;
                    edits.push(RowEdit::Replace(self.row(row)?));
                }
                Rule::row_remove => {
                    let selector = last_of(part, Rule::row_selector, "a row")?;
                    edits.push(RowEdit::Remove(row_selector(selector)?));
                }
                Rule::row_add => {
                    let mut after = None;
                    let mut row = None;
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::row_selector => after = Some(row_selector(piece)?),
                            Rule::row => row = Some(self.row(piece)?),
                            _ => {}
                        }
                    }
                    let row = row.ok_or_else(|| internal(span, "an added row"))?;
                    edits.push(RowEdit::Add { after, row });
                }
                _ => return Err(internal(span_of(&part), "a row change")),
            }
        }
        Ok(Change::Rows {
            table: table.ok_or_else(|| internal(span, "a table name"))?,
            edits,
            span,
        })
    }

    /// A table, scale, group or value that a scenario adds or replaces.
    fn changed_item(&mut self, pair: Pair<'_, Rule>) -> Lowered<Item> {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::table => Ok(Item::Table(self.table(pair)?.into())),
            Rule::scale_table => Ok(Item::Scale(self.scale(pair)?)),
            Rule::group => Ok(Item::Group(group(pair)?)),
            Rule::definition => Ok(Item::Definition(self.definition(pair)?)),
            _ => Err(internal(span, "a scenario line")),
        }
    }

    /// `2.5%`: the number written before the sign.
    fn percent(&mut self, pair: Pair<'_, Rule>) -> Lowered<Written> {
        let number = last_of(pair, Rule::number, "a percentage")?;
        self.number(&number)
    }

    fn party_line(&mut self, pair: Pair<'_, Rule>) -> Lowered<PartyLine> {
        let span = span_of(&pair);
        let mut party = None;
        let mut figures = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_total => {
                    party.get_or_insert_with(|| text_as_written(&part));
                }
                Rule::string => party = Some(text(part)),
                Rule::cells => {
                    figures = self.cells(&part);
                    for figure in &figures {
                        if matches!(figure.kind, FigureKind::Text(_) | FigureKind::Absent) {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    Code::SyntaxUnexpected,
                                    "a scale's line holds rates and amounts only",
                                )
                                .at(figure.span, "not a rate or an amount")
                                .with_help("write a number, `-` for a dash or `_` for a figure not published"),
                            );
                        }
                    }
                }
                _ => return Err(internal(span_of(&part), "a Party line")),
            }
        }
        Ok(PartyLine {
            party: party.ok_or_else(|| internal(span, "a Party"))?,
            figures,
            span,
        })
    }

    /// The figures of a row or Party line, read as the table's columns allow; what is
    /// wrong with any of them is reported and the rest of the file still read.
    fn cells(&mut self, part: &Pair<'_, Rule>) -> Vec<Figure> {
        let at = span_of(part).start();
        let (figures, problems) = figures::read_cells(part.as_str(), at, self.expected);
        self.diagnostics.extend(problems);
        figures
    }

    fn rounding(&mut self, pair: Pair<'_, Rule>) -> Lowered<Rounding> {
        let span = span_of(&pair);
        let mut step = None;
        let mut mode = RoundingMode::default();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::number => step = Some(self.number(&part)?),
                Rule::rounding_mode if part.as_str() == "half-even" => {
                    mode = RoundingMode::HalfEven;
                }
                Rule::rounding_mode | Rule::kw_rounding | Rule::kw_rates | Rule::kw_base => {}
                _ => return Err(internal(span_of(&part), "a rounding")),
            }
        }
        let step = step.ok_or_else(|| internal(span, "a rounding step"))?;
        Ok(Rounding { step, mode })
    }

    fn section(&mut self, pair: Pair<'_, Rule>) -> Lowered<Section> {
        let span = span_of(&pair);
        let mut marker = None;
        let mut name = None;
        let mut label = None;
        let mut entries = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::marker => marker = Some(text_as_written(&part)),
                Rule::ident => name = Some(ident(part)),
                Rule::string => label = Some(text(part)),
                Rule::section => {
                    let section = self.nested(span_of(&part), |lower| lower.section(part))?;
                    entries.push(Entry::Section(Box::new(section)));
                }
                Rule::row => self.rows(part, &mut entries)?,
                _ => return Err(internal(span_of(&part), "a section line")),
            }
        }
        Ok(Section {
            marker,
            name,
            label: label.ok_or_else(|| internal(span, "a section label"))?,
            entries,
            span,
        })
    }

    /// `= rule except 2016 = other except 2017`: a row's formula.
    fn row_formula(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = span_of(&pair);
        let mut rule = None;
        let mut columns = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::expr => rule = Some(self.formula(part)?),
                Rule::exception => {
                    let part_span = span_of(&part);
                    let mut column = None;
                    let mut other = None;
                    // `except 2016`, without the space pest reads after it.
                    let mut written = part_span;
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::kw_except => {}
                            Rule::expr => other = Some(self.formula(piece)?),
                            _ => {
                                written = Span::new(part_span.start(), span_of(&piece).end());
                                column = Some(column_key(&piece)?);
                            }
                        }
                    }
                    columns.push(ColumnRule {
                        column: column.ok_or_else(|| internal(part_span, "a column"))?,
                        span: written,
                        rule: other,
                    });
                }
                _ => return Err(internal(span_of(&part), "a formula")),
            }
        }
        let rule = rule.ok_or_else(|| internal(span, "a formula"))?;
        if columns.is_empty() {
            return Ok(rule);
        }
        let span = rule.span.to(span);
        Ok(Expr {
            kind: ExprKind::Except {
                rule: Box::new(rule),
                columns,
            },
            span,
        })
    }

    /// A row of a table or section, or the rows `shortcut` read in its place.
    fn rows(&mut self, pair: Pair<'_, Rule>, entries: &mut Vec<Entry>) -> Lowered<()> {
        let at = pair.as_span().start();
        if self
            .placeholders
            .front()
            .is_some_and(|(start, _)| *start == at)
        {
            if let Some((_, mut rows)) = self.placeholders.pop_front() {
                if entries.is_empty() {
                    *entries = rows;
                } else {
                    entries.append(&mut rows);
                }
            }
            return Ok(());
        }
        entries.push(Entry::Row(self.row(pair)?));
        Ok(())
    }

    fn row(&mut self, pair: Pair<'_, Rule>) -> Lowered<Row> {
        let span = span_of(&pair);
        let mut marker = None;
        let mut name = None;
        let mut label = None;
        let mut figures = Vec::new();
        let mut formula = None;
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::marker => marker = Some(Box::new(text_as_written(&part))),
                Rule::ident => name = Some(ident(part)),
                Rule::string => label = Some(text(part)),
                Rule::cells => figures = self.cells(&part),
                Rule::formula => formula = Some(self.row_formula(part)?),
                _ => return Err(internal(part_span, "a row")),
            }
        }
        Ok(Row {
            marker,
            name,
            label: label.ok_or_else(|| internal(span, "a row label"))?,
            figures: figures.into(),
            formula: formula.map(Box::new),
            span,
        })
    }

    // ------------------------------------------------------------ formulas

    /// Lowers a whole formula (not a bracketed part of one).
    fn formula(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        self.operators = 0;
        self.expr(pair)
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        self.nested(span_of(&pair), |lower| lower.expr_at_depth(pair))
    }

    /// Runs one level of recursive lowering, refusing to go deeper than the limit.
    fn nested<T>(&mut self, span: Span, lower: impl FnOnce(&mut Self) -> Lowered<T>) -> Lowered<T> {
        if self.depth >= limits::MAX_NESTING {
            return Err(limits::too_deep(span));
        }
        self.depth += 1;
        let result = lower(self);
        self.depth -= 1;
        result
    }

    fn expr_at_depth(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = span_of(&pair);
        // Counted before folding: folding and every later stage recurse per operator.
        self.operators += pair
            .clone()
            .into_inner()
            .filter(|part| {
                matches!(
                    part.as_rule(),
                    Rule::negate
                        | Rule::add
                        | Rule::subtract
                        | Rule::multiply
                        | Rule::divide
                        | Rule::of
                        | Rule::power
                )
            })
            .count();
        if self.operators > limits::MAX_FORMULA_OPERATORS {
            return Err(limits::formula_too_long(span));
        }
        let mut tokens = Vec::new();
        let mut conversion = None;
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            let token = match part.as_rule() {
                Rule::conversion => {
                    conversion = Some(conversion_unit(part)?);
                    continue;
                }
                Rule::negate => Token::Negate(part_span),
                Rule::add => Token::Infix(BinaryOp::Add),
                Rule::subtract => Token::Infix(BinaryOp::Subtract),
                Rule::multiply => Token::Infix(BinaryOp::Multiply),
                Rule::divide => Token::Infix(BinaryOp::Divide),
                Rule::of => Token::Infix(BinaryOp::Of),
                Rule::power => Token::Infix(BinaryOp::Power),
                _ => Token::Operand(self.primary(part)?),
            };
            tokens.push(token);
        }
        let mut climb = Climb {
            tokens,
            position: 0,
            span,
        };
        let expr = climb.expression(0)?;
        if climb.position != climb.tokens.len() {
            return Err(internal(span, "a formula"));
        }
        Ok(match conversion {
            Some((to, to_span)) => Expr {
                kind: ExprKind::Convert {
                    inner: Box::new(expr),
                    to,
                    to_span,
                },
                span,
            },
            None => expr,
        })
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::year_var => ExprKind::Year,
            Rule::reference => ExprKind::Reference(reference(pair)?),
            Rule::call => {
                let mut inner = pair.into_inner();
                let function = ident(next(&mut inner, span, "a function name")?);
                let args = inner
                    .map(|arg| self.expr(arg))
                    .collect::<Lowered<Vec<_>>>()?;
                ExprKind::Call { function, args }
            }
            _ => ExprKind::Literal(self.literal(pair)?),
        };
        Ok(Expr { kind, span })
    }

    fn literal(&mut self, pair: Pair<'_, Rule>) -> Lowered<Literal> {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::plain_number => {
                LiteralKind::Number(self.number(&next(&mut inner, span, "a number")?)?)
            }
            Rule::percent => {
                LiteralKind::Percent(self.number(&next(&mut inner, span, "a percentage")?)?)
            }
            Rule::posts => {
                LiteralKind::Posts(self.number(&next(&mut inner, span, "a count of posts")?)?)
            }
            Rule::ratio => LiteralKind::Ratio(
                inner
                    .map(|part| self.number(&part))
                    .collect::<Lowered<Vec<_>>>()?,
            ),
            Rule::money => {
                let currency = currency(&next(&mut inner, span, "a currency")?);
                let amount = self.number(&next(&mut inner, span, "an amount")?)?;
                let scale = match inner.next().map(|p| p.as_str().to_owned()) {
                    Some(word) if word == "thousand" => Scale::Thousands,
                    Some(word) if word == "million" => Scale::Millions,
                    _ => Scale::Units,
                };
                LiteralKind::Money {
                    currency,
                    amount,
                    scale,
                }
            }
            _ => return Err(internal(span, "a value")),
        };
        Ok(Literal { kind, span })
    }

    fn number(&mut self, pair: &Pair<'_, Rule>) -> Lowered<Written> {
        self.number_text(pair.as_str(), span_of(pair))
    }

    fn number_text(&mut self, written: &str, span: Span) -> Lowered<Written> {
        parse_number(written).map_err(|problem| problem.diagnostic(written, span))
    }
}

/// Operator-precedence folding of `prefix* operand (infix prefix* operand)*`.
enum Token {
    Operand(Expr),
    Negate(Span),
    Infix(BinaryOp),
}

struct Climb {
    tokens: Vec<Token>,
    position: usize,
    span: Span,
}

fn precedence(op: BinaryOp) -> (u8, bool) {
    // (binding power, right-associative)
    match op {
        BinaryOp::Add | BinaryOp::Subtract => (1, false),
        BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Of => (2, false),
        BinaryOp::Power => (4, true),
    }
}

/// Negation binds tighter than `*` but looser than `^`: `-2^2` is `-(2^2)`.
const NEGATE_POWER: u8 = 3;

impl Climb {
    fn expression(&mut self, min_power: u8) -> Lowered<Expr> {
        let mut lhs = self.unary()?;
        while let Some(Token::Infix(op)) = self.tokens.get(self.position) {
            let op = *op;
            let (power, right) = precedence(op);
            if power < min_power {
                break;
            }
            self.position += 1;
            let rhs = self.expression(if right { power } else { power + 1 })?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Lowered<Expr> {
        let token = std::mem::replace(
            self.tokens
                .get_mut(self.position)
                .ok_or_else(|| internal(self.span, "a formula"))?,
            Token::Negate(Span::default()),
        );
        self.position += 1;
        match token {
            Token::Operand(expr) => Ok(expr),
            Token::Negate(span) => {
                let operand = self.expression(NEGATE_POWER)?;
                let span = span.to(operand.span);
                Ok(Expr {
                    kind: ExprKind::Negate(Box::new(operand)),
                    span,
                })
            }
            Token::Infix(_) => Err(internal(self.span, "a formula")),
        }
    }
}

// ------------------------------------------------------------ leaves

fn import(pair: Pair<'_, Rule>) -> Lowered<Import> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    next(&mut inner, span, "the import keyword")?;
    let path = text(next(&mut inner, span, "the imported file's name")?);
    let alias = inner.find(|p| p.as_rule() == Rule::ident).map(ident);
    Ok(Import { path, alias, span })
}

fn erratum(pair: Pair<'_, Rule>) -> Lowered<Erratum> {
    let span = span_of(&pair);
    let mut reason = None;
    let mut figures = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::kw_erratum => {}
            Rule::string => reason = Some(text(part)),
            Rule::figure_ref => figures.push(figure_ref(part)?),
            _ => return Err(internal(span_of(&part), "an erratum")),
        }
    }
    Ok(Erratum {
        reason: reason.ok_or_else(|| internal(span, "a reason"))?,
        figures,
        span,
    })
}

fn figure_ref(pair: Pair<'_, Rule>) -> Lowered<FigureRef> {
    let span = span_of(&pair);
    let mut figure = FigureRef {
        names: Vec::new(),
        party: None,
        column: None,
        span,
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::ident => figure.names.push(ident(part)),
            Rule::party_ref => {
                let party = last_of(part, Rule::string, "a Party")?;
                figure.party = Some(text(party));
            }
            Rule::column_index => {
                let index_span = span_of(&part);
                let key = part
                    .into_inner()
                    .next()
                    .ok_or_else(|| internal(index_span, "a column"))?;
                figure.column = Some(match key.as_rule() {
                    Rule::string => ReferenceIndex::Text(text(key), index_span),
                    Rule::kw_year | Rule::year_shift => {
                        return Err(Diagnostic::error(
                            Code::SyntaxUnexpected,
                            "an erratum names a published figure: its column, not a rule's year",
                        )
                        .at(index_span, "not a column")
                        .with_help("name the column, such as `[2016]` or `[Total]`"));
                    }
                    _ => ReferenceIndex::Column(column_key(&key)?, index_span),
                });
            }
            _ => return Err(internal(span_of(&part), "a figure")),
        }
    }
    Ok(figure)
}

fn group(pair: Pair<'_, Rule>) -> Lowered<Group> {
    let span = span_of(&pair);
    let mut name = None;
    let mut label = None;
    let mut members = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::kw_group => {}
            Rule::ident => name = Some(ident(part)),
            Rule::string => label = Some(text(part)),
            Rule::group_members => members.extend(part.into_inner().map(text)),
            _ => return Err(internal(span_of(&part), "a group line")),
        }
    }
    Ok(Group {
        name: name.ok_or_else(|| internal(span, "a group name"))?,
        label,
        members,
        span,
    })
}

fn row_selector(pair: Pair<'_, Rule>) -> Lowered<RowSelector> {
    let span = span_of(&pair);
    let inner = pair
        .into_inner()
        .next()
        .ok_or_else(|| internal(span, "a row"))?;
    Ok(match inner.as_rule() {
        Rule::ident => RowSelector::Name(ident(inner)),
        _ => RowSelector::Label(text(inner)),
    })
}

fn ident(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        span: span_of(&pair),
        name: CompactString::from(pair.as_str().to_owned()),
    }
}

fn text_as_written(pair: &Pair<'_, Rule>) -> Text {
    Text {
        span: span_of(pair),
        value: CompactString::from(pair.as_str().to_owned()),
    }
}

/// `rule financial_procedures without cap ldc`: a shared rule, less what it leaves out.
fn use_rule(pair: Pair<'_, Rule>) -> Lowered<ScaleRule> {
    let span = span_of(&pair);
    let mut rule = None;
    let mut without = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::kw_rule => {}
            Rule::ident => rule = Some(ident(part)),
            Rule::rule_without => {
                let part_span = span_of(&part);
                let mut kind = None;
                for piece in part.into_inner() {
                    kind = match piece.as_rule() {
                        Rule::kw_without => kind,
                        Rule::kw_ceiling => Some(Without::Ceiling(part_span)),
                        Rule::kw_floor => Some(Without::Floor(part_span)),
                        Rule::ident => Some(Without::Cap(ident(piece))),
                        Rule::string => Some(Without::Fixed(text(piece))),
                        _ => kind,
                    };
                }
                without.push(kind.ok_or_else(|| internal(part_span, "what the scale leaves out"))?);
            }
            _ => return Err(internal(span_of(&part), "a rule line")),
        }
    }
    Ok(ScaleRule::Use {
        rule: rule.ok_or_else(|| internal(span, "a rule's name"))?,
        without,
        span,
    })
}

/// The text of a quoted string, with `\"` and `\\` unescaped; the span covers the quotes.
fn text(pair: Pair<'_, Rule>) -> Text {
    let span = span_of(&pair);
    let raw = pair.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    Text {
        value: CompactString::from(super::figures::unescaped(inner)),
        span,
    }
}

/// The last child of `pair` with the given rule (settings are `keyword value`).
fn last_of<'i>(pair: Pair<'i, Rule>, rule: Rule, what: &str) -> Lowered<Pair<'i, Rule>> {
    let span = span_of(&pair);
    pair.into_inner()
        .filter(|p| p.as_rule() == rule)
        .last()
        .ok_or_else(|| internal(span, what))
}

fn notation(pair: &Pair<'_, Rule>) -> Notation {
    match pair.as_str() {
        "UN" => Notation::Un,
        _ => Notation::Comma,
    }
}

fn currency(pair: &Pair<'_, Rule>) -> Currency {
    let code = match pair.as_str() {
        "US$" => "USD",
        "€" => "EUR",
        "£" => "GBP",
        other => other,
    };
    Currency {
        code: code.to_owned(),
        span: span_of(pair),
    }
}

/// `in thousands of US$`: the unit a formula is converted to, and where it is written.
fn conversion_unit(pair: Pair<'_, Rule>) -> Lowered<(TableUnit, Span)> {
    let span = span_of(&pair);
    let unit = pair
        .into_inner()
        .find(|part| part.as_rule() == Rule::unit)
        .ok_or_else(|| internal(span, "a unit"))?;
    let unit_span = span_of(&unit);
    Ok((table_unit(unit)?, unit_span))
}

fn table_unit(pair: Pair<'_, Rule>) -> Lowered<TableUnit> {
    let span = span_of(&pair);
    let mut scale = Scale::Units;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::scale_of => {
                scale = if part.as_str().starts_with("millions") {
                    Scale::Millions
                } else {
                    Scale::Thousands
                };
            }
            Rule::currency => {
                return Ok(TableUnit::Money {
                    currency: currency(&part),
                    scale,
                });
            }
            Rule::kw_posts => return Ok(TableUnit::Posts),
            Rule::percent_sign => return Ok(TableUnit::Percent),
            _ => return Err(internal(span, "a unit")),
        }
    }
    Err(internal(span, "a unit"))
}

fn year_number(text: &str, span: Span) -> Lowered<i32> {
    text.parse::<i32>().map_err(|_| internal(span, "a year"))
}

fn period(pair: &Pair<'_, Rule>) -> Lowered<Period> {
    let span = span_of(pair);
    let (first, last) = pair
        .as_str()
        .split_once('-')
        .ok_or_else(|| internal(span, "a period"))?;
    Ok(Period {
        first: year_number(first, span)?,
        last: year_number(last, span)?,
    })
}

/// `1 January – 31 March 2014`; a first date without its year is in the last one's.
fn dates(pair: Pair<'_, Rule>) -> Lowered<Dates> {
    let span = span_of(&pair);
    // Each day and month as written, with the year written after it, if any.
    let mut written: Vec<(&str, Option<i32>)> = Vec::new();
    for part in pair.into_inner() {
        match (part.as_rule(), written.last_mut()) {
            (Rule::day_month, _) => written.push((part.as_str(), None)),
            (Rule::date_year, Some((_, year))) => *year = Some(year_number(part.as_str(), span)?),
            _ => {}
        }
    }
    let [(first, first_year), (last, Some(last_year))] = written[..] else {
        return Err(internal(span, "two dates"));
    };
    let date = |day_month: &str, year: i32| -> Lowered<Date> {
        let (day, month) = day_month
            .split_once(char::is_whitespace)
            .ok_or_else(|| internal(span, "a day and a month"))?;
        let month = MONTHS
            .iter()
            .position(|name| *name == month.trim())
            .and_then(|index| u8::try_from(index + 1).ok())
            .ok_or_else(|| internal(span, "a month"))?;
        let day = day.parse().map_err(|_| internal(span, "a day"))?;
        Ok(Date { year, month, day })
    };
    Ok(Dates {
        first: date(first, first_year.unwrap_or(last_year))?,
        last: date(last, last_year)?,
    })
}

fn column_key(pair: &Pair<'_, Rule>) -> Lowered<ColumnKey> {
    let span = span_of(pair);
    match pair.as_rule() {
        Rule::year => Ok(ColumnKey::Year(year_number(pair.as_str(), span)?)),
        Rule::period => Ok(ColumnKey::Period(period(pair)?)),
        Rule::kw_total => Ok(ColumnKey::Total),
        _ => Err(internal(span, "a column")),
    }
}

fn year_index(pair: Pair<'_, Rule>) -> Lowered<YearIndex> {
    let span = span_of(&pair);
    let inner = pair
        .into_inner()
        .next()
        .ok_or_else(|| internal(span, "a year"))?;
    match inner.as_rule() {
        Rule::year => Ok(YearIndex::Year(year_number(inner.as_str(), span)?, span)),
        _ => Ok(YearIndex::EveryYear(span)),
    }
}

fn reference(pair: Pair<'_, Rule>) -> Lowered<Reference> {
    let span = span_of(&pair);
    let mut names = Vec::new();
    let mut index = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::ident => names.push(ident(part)),
            Rule::column_index => {
                let index_span = span_of(&part);
                let key = part
                    .into_inner()
                    .next()
                    .ok_or_else(|| internal(index_span, "a column"))?;
                index = Some(match key.as_rule() {
                    Rule::kw_year => ReferenceIndex::CurrentYear(index_span),
                    Rule::year_shift => {
                        let shift = key.as_str();
                        let years: i32 = shift
                            .trim_start_matches("year")
                            .trim_start()
                            .trim_start_matches(['+', '-'])
                            .trim()
                            .parse()
                            .map_err(|_| internal(index_span, "a count of years"))?;
                        let before = shift
                            .trim_start_matches("year")
                            .trim_start()
                            .starts_with('-');
                        ReferenceIndex::ShiftedYear(if before { -years } else { years }, index_span)
                    }
                    Rule::string => ReferenceIndex::Text(text(key), index_span),
                    _ => ReferenceIndex::Column(column_key(&key)?, index_span),
                });
            }
            _ => return Err(internal(span, "a reference")),
        }
    }
    let name = names.pop().ok_or_else(|| internal(span, "a name"))?;
    let qualifier = names.pop();
    Ok(Reference {
        decision: names.pop(),
        qualifier,
        name,
        index,
    })
}
