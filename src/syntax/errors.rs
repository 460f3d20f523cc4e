//! Syntax errors in plain words. pest reports the grammar rules it tried at the point
//! where the file stopped making sense; this module names what a person could write
//! there ("a figure such as 1,875.2") and what was found instead, and recognises the
//! commonest slip, a misspelt keyword.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::parser::{Rule, parse_with_detail};
use crate::diagnostic::{Code, Diagnostic, Span, closest};

/// Words that open a line of a decision file.
pub const KEYWORDS: [&str; 34] = [
    "decision",
    "report",
    "import",
    "period",
    "add",
    "paragraph",
    "table",
    "title",
    "label",
    "unit",
    "rounding",
    "columns",
    "notation",
    "note",
    "scale",
    "group",
    "apportion",
    "rates",
    "base",
    "fixed",
    "ceiling",
    "cap",
    "floor",
    "data",
    "total",
    "scenario",
    "replace",
    "remove",
    "erratum",
    "rule",
    "without",
    "arrears",
    "status",
    "exempt",
];

/// A syntax error in words, and the offset where the grammar stopped (which the
/// diagnostic's span need not cover: a missing `}` is shown at the `{`).
pub(crate) fn from_pest(source: &str, error: &Error<Rule>) -> (Diagnostic, usize) {
    let detailed = parse_with_detail(source);
    let error = detailed.as_ref().unwrap_or(error);
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    (worded(source, error, position), position)
}

fn worded(source: &str, error: &Error<Rule>, position: usize) -> Diagnostic {
    if let Some(diagnostic) = misspelt_keyword(source, position) {
        return diagnostic;
    }
    if let Some(diagnostic) = unclosed_text(source, position) {
        return diagnostic;
    }
    let found = found_at(source, position);
    if let Some(unclosed) = unclosed_brace(source, position) {
        return unclosed.diagnostic(&line_opener(source, position).unwrap_or(found));
    }
    let expected = match setting_context(source, position) {
        Some(phrase) => vec![phrase],
        None => simplify(expectations(error)),
    };
    let message = if expected.is_empty() {
        format!("unexpected {}", found.describe())
    } else {
        format!(
            "expected {}, found {}",
            join_alternatives(&expected),
            found.describe()
        )
    };
    let label = match expected.as_slice() {
        [one] => format!("expected {one}"),
        [one, two] => format!("expected {one} or {two}"),
        _ => "not expected here".to_owned(),
    };
    let mut diagnostic = Diagnostic::error(Code::SyntaxUnexpected, message).at(found.span, label);
    if let Some(help) = hint(&expected, &found) {
        diagnostic = diagnostic.with_help(help);
    }
    match misspelt_unit(&expected, &found) {
        Some(unit) => diagnostic.with_correction(format!("change to `{unit}`"), found.span, unit),
        None => diagnostic,
    }
}

/// The unit word a misspelt one most likely is, where the help names it.
fn misspelt_unit(expected: &[&str], found: &Found) -> Option<&'static str> {
    let FoundKind::Word(word) = &found.kind else {
        return None;
    };
    let expects_unit = expected.iter().any(|phrase| phrase.contains("a unit"));
    if !expects_unit || is_percent_spelling(word) {
        return None;
    }
    closest(word, UNIT_WORDS)
}

/// Drops phrases that another phrase of the list already covers.
fn simplify(phrases: Vec<&'static str>) -> Vec<&'static str> {
    let has = |needle: &str| phrases.iter().any(|p| p.starts_with(needle));
    let covered = |phrase: &str| {
        let value = has("a value or a formula")
            && ["a number", "an amount", "a name", "`(`", "a currency"]
                .iter()
                .any(|p| phrase.starts_with(p));
        let figure = has("a figure")
            && ["a number", "a row", "`=`", "`[`"]
                .iter()
                .any(|p| phrase == *p || phrase.starts_with(p) && !phrase.contains("formula"));
        let formula = has("`=` and a formula") && phrase == "`=`";
        let text = has("a text in double quotes") && phrase.starts_with("a quote");
        let unit = has("a unit such as") && phrase.starts_with("a currency");
        value || figure || formula || text || unit
    };
    phrases
        .iter()
        .copied()
        .filter(|phrase| !covered(phrase))
        .collect()
}

/// On a table setting line (`unit …`, `rounding …`), the only sensible expectation is
/// that setting's value, whatever else the grammar could have accepted there.
fn setting_context(source: &str, position: usize) -> Option<&'static str> {
    let line_start = source.get(..position)?.rfind('\n').map_or(0, |i| i + 1);
    let line = source
        .get(line_start..position)?
        .trim_start_matches([' ', '\t']);
    let keyword = line.split([' ', '\t']).next()?;
    if line.len() == keyword.len() {
        return None;
    }
    match keyword {
        "unit" => Some("a unit such as `thousands of US$`, `US$` or `posts`"),
        "rounding" => {
            Some("a rounding step such as `0.1`, then `half-up` or `half-even` if you wish")
        }
        "columns" => Some("columns such as `2013 2014 Total` or `2013-2014`"),
        "title" | "note" => Some("a text in double quotes"),
        "currency" => Some("a currency such as US$"),
        "period" => Some("a period such as 2013-2014"),
        _ => None,
    }
}

/// A `"` at the failing position with no closing quote on its line.
fn unclosed_text(source: &str, position: usize) -> Option<Diagnostic> {
    let rest = source.get(position..)?;
    if !rest.starts_with('"') {
        return None;
    }
    let line = rest
        .split('\n')
        .next()
        .unwrap_or(rest)
        .trim_end_matches('\r');
    let mut escaped = false;
    for c in line.chars().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return None,
            _ => escaped = false,
        }
    }
    Some(
        Diagnostic::error(
            Code::SyntaxUnexpected,
            "this text in double quotes is not closed",
        )
        .at(
            Span::new(position, position + line.len()),
            "no closing quote on this line",
        )
        .with_help("end the text with `\"` on the same line; write `\\\"` for a quote inside it"),
    )
}

/// A `{` whose `}` is missing, and where its block must have ended.
struct Unclosed {
    brace: Span,
    /// The offset from which the grammar cannot go on without the `}`: the `}` of an
    /// outer block that closed this one instead, or the end of the file's text.
    block_ends: usize,
    /// Where the last character of the file's text starts, for a label.
    last_character: usize,
}

impl Unclosed {
    /// At the brace that opens the block, with a label where the grammar stopped.
    fn diagnostic(&self, found: &Found) -> Diagnostic {
        let help =
            "close the block with `}` on a line of its own, indented like the line that opens it";
        let diagnostic = match &found.kind {
            FoundKind::EndOfFile => Diagnostic::error(
                Code::SyntaxUnexpected,
                "the file ends inside a block: a `}` is missing",
            )
            .at(self.brace, "this `{` is never closed")
            .with_label(
                self.last_character(),
                "the file ends here, inside the block",
            ),
            _ => Diagnostic::error(
                Code::SyntaxUnexpected,
                format!(
                    "a block is never closed: a `}}` is missing before {}",
                    found.describe()
                ),
            )
            .at(self.brace, "this `{` is never closed")
            .with_label(found.span, "expected `}` before this, to close the block"),
        };
        diagnostic.with_help(help)
    }

    /// The file's last character before trailing blank lines.
    fn last_character(&self) -> Span {
        Span::new(self.last_character, self.block_ends)
    }
}

/// The word opening the line at `position`, when it is an item's keyword (`table` of
/// `table 2 staffing {`): where a block missing its `}` swallowed the next item.
fn line_opener(source: &str, position: usize) -> Option<Found> {
    let line_start = source.get(..position)?.rfind('\n').map_or(0, |i| i + 1);
    let line = source.get(line_start..)?;
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let word: String = line[indent..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if !super::recovery::ITEM_KEYWORDS.contains(&word.as_str()) {
        return None;
    }
    let start = line_start + indent;
    Some(Found {
        span: Span::new(start, start + word.len()),
        kind: FoundKind::Word(word),
    })
}

/// The `{` missing its `}`, when the file opens more blocks than it closes and the
/// grammar stopped where that block must have ended (`position`): the first block
/// whose `}` is indented less than the line that opened it (that `}` belongs to an
/// outer block); or else, when the grammar stopped at an item opening a line at the
/// margin (`table 2 …`), the innermost block still open there; or else the innermost
/// block left open at the end of the file. Braces in texts and comments do not count.
fn unclosed_brace(source: &str, position: usize) -> Option<Unclosed> {
    let mut open: Vec<(usize, usize)> = Vec::new(); // (offset of `{`, indentation of its line)
    let mut closed_by_outer: Option<Unclosed> = None;
    let mut swallowed: Option<Unclosed> = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let indentation = line.len() - line.trim_start_matches([' ', '\t']).len();
        let holds_position = (offset..offset + line.len()).contains(&position);
        if holds_position && indentation == 0 && line_opener(source, position).is_some() {
            swallowed = open.last().map(|(brace, _)| Unclosed {
                brace: Span::new(*brace, brace + 1),
                block_ends: offset,
                last_character: offset,
            });
        }
        let code = super::recovery::code_of(line);
        let mut in_text = false;
        let mut previous = '\0';
        for (i, c) in code.char_indices() {
            match c {
                '"' if previous != '\\' => in_text = !in_text,
                '{' if !in_text => open.push((offset + i, indentation)),
                '}' if !in_text => {
                    if let Some((brace, opened_at)) = open.pop() {
                        if indentation < opened_at && closed_by_outer.is_none() {
                            closed_by_outer = Some(Unclosed {
                                brace: Span::new(brace, brace + 1),
                                block_ends: offset + i,
                                last_character: offset + i,
                            });
                        }
                    }
                }
                _ => {}
            }
            previous = c;
        }
        offset += line.len();
    }
    let (innermost, _) = *open.last()?;
    let text = source.trim_end();
    let at_the_end = Unclosed {
        brace: Span::new(innermost, innermost + 1),
        block_ends: text.len(),
        last_character: text.char_indices().last().map_or(0, |(at, _)| at),
    };
    [closed_by_outer, swallowed, Some(at_the_end)]
        .into_iter()
        .flatten()
        .find(|unclosed| position >= unclosed.block_ends)
}

/// What a person could have written at the failing position, in words, most useful first.
fn expectations(error: &Error<Rule>) -> Vec<&'static str> {
    let mut phrases = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(phrase) = rule_phrase(*rule) {
                phrases.insert(phrase);
            }
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            if let Some(phrase) = token_phrase(&token.to_string()) {
                phrases.insert(phrase);
            }
        }
        for stack in attempts.call_stacks() {
            if let Some(phrase) = stack.deepest.get_rule().and_then(|rule| rule_phrase(*rule)) {
                phrases.insert(phrase);
            }
        }
    }
    phrases.into_iter().map(|(_, phrase)| phrase).collect()
}

/// A phrase and its rank: lower ranks are listed first.
type Phrase = (u8, &'static str);

fn rule_phrase(rule: Rule) -> Option<Phrase> {
    let phrase = match rule {
        Rule::cells => (
            1,
            "a figure (a number such as 1,875.2, `-` for a dash, `_` for a blank or `absent`)",
        ),
        Rule::formula => (2, "`=` and a formula"),
        Rule::number | Rule::plain_number => (1, "a number such as 1,875.2"),
        Rule::money => (3, "an amount such as US$ 1,126,162"),
        Rule::expr
        | Rule::reference
        | Rule::call
        | Rule::year_var
        | Rule::percent
        | Rule::ratio => (3, "a value or a formula"),
        Rule::conversion | Rule::kw_in => (5, "`in` and a unit, such as `in thousands of US$`"),
        Rule::row_replace | Rule::row_add | Rule::row_remove | Rule::kw_add => {
            (4, "a row change: `replace`, `add` or `remove`")
        }
        Rule::kw_after => (5, "`after`"),
        Rule::row_selector | Rule::scenario_rows => (3, "a row's name or \"label\""),
        Rule::add | Rule::subtract | Rule::multiply | Rule::divide | Rule::of | Rule::power => {
            (5, "an operator such as + or *")
        }
        Rule::string | Rule::string_inner => (2, "a text in double quotes"),
        Rule::ident => (3, "a name"),
        Rule::year => (2, "a year such as 2013"),
        Rule::period => (2, "a period such as 2013-2014"),
        Rule::kw_total => (4, "Total"),
        Rule::unit | Rule::scale_of | Rule::scale | Rule::kw_posts | Rule::percent_sign => {
            (2, "a unit such as `thousands of US$`, `US$` or `posts`")
        }
        Rule::currency => (2, "a currency such as US$"),
        Rule::rounding_mode => (4, "`half-up` or `half-even`"),
        Rule::year_index | Rule::column_index => (5, "`[`"),
        Rule::stated | Rule::kw_stated => (6, "`stated`"),
        Rule::section | Rule::row | Rule::marker => (4, "a row"),
        Rule::table_title
        | Rule::table_unit
        | Rule::table_rounding
        | Rule::table_columns
        | Rule::table_note => (5, "a table setting (title, unit, rounding, columns, note)"),
        Rule::decision_field => (4, "a field such as `title \"…\"`"),
        Rule::definition => (4, "a named value such as `host_growth = 2%`"),
        Rule::decision | Rule::kw_decision => (4, "`decision`"),
        Rule::paragraph | Rule::kw_paragraph => (4, "`paragraph`"),
        Rule::table | Rule::kw_table => (4, "`table`"),
        Rule::scale_table | Rule::kw_scale => (4, "`scale`"),
        Rule::group | Rule::kw_group => (4, "`group`"),
        Rule::scenario | Rule::kw_scenario => (4, "`scenario`"),
        Rule::scenario_name => (2, "a scenario name such as contingency-2015"),
        Rule::scenario_period | Rule::scenario_replace | Rule::scenario_remove => (
            5,
            "a scenario line (period, replace, remove, or a table or value to add)",
        ),
        Rule::group_members => (3, "Party names in double quotes"),
        Rule::scale_party | Rule::scale_total => {
            (4, "a Party line such as `\"Albania\" 0.010 0.014 357`")
        }
        Rule::scale_amount
        | Rule::scale_rates
        | Rule::scale_fixed
        | Rule::scale_ceiling
        | Rule::scale_cap
        | Rule::scale_floor
        | Rule::scale_data => (
            5,
            "a scale setting (apportion, rates, fixed, ceiling, cap, floor, data)",
        ),
        Rule::paragraph_number => (2, "a paragraph number such as 1 or 16(a)"),
        Rule::table_number => (3, "a table number"),
        Rule::EOI => (7, "the end of the file"),
        _ => return None,
    };
    Some(phrase)
}

/// `token` is pest's display of an expected literal token.
fn token_phrase(token: &str) -> Option<Phrase> {
    let phrase = match token {
        "\n" | "\r\n" => (6, "the end of the line"),
        "{" => (2, "`{`"),
        "}" => (3, "`}` to close the block"),
        "=" => (2, "`=`"),
        "(" => (5, "`(`"),
        ")" => (2, "`)`"),
        "[" => (5, "`[`"),
        "]" => (2, "`]`"),
        "\"" => (2, "a quote `\"`"),
        "." => (5, "`.`"),
        "," => (5, "`,`"),
        ":" => (5, "`:`"),
        _ => return None,
    };
    Some(phrase)
}

fn join_alternatives(phrases: &[&str]) -> String {
    match phrases {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The token at the failing position, for "found …".
struct Found {
    span: Span,
    kind: FoundKind,
}

enum FoundKind {
    EndOfFile,
    EndOfLine,
    Word(String),
    Symbol(char),
}

impl Found {
    fn describe(&self) -> String {
        match &self.kind {
            FoundKind::EndOfFile => "the end of the file".to_owned(),
            FoundKind::EndOfLine => "the end of the line".to_owned(),
            FoundKind::Word(word) => format!("`{word}`"),
            FoundKind::Symbol(c) if c.is_control() => {
                format!("the invisible control character U+{:04X}", u32::from(*c))
            }
            FoundKind::Symbol(c) => format!("`{c}`"),
        }
    }
}

fn found_at(source: &str, position: usize) -> Found {
    let rest = source.get(position..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return Found {
            span: Span::new(position, position),
            kind: FoundKind::EndOfFile,
        };
    };
    if first == '\n' || first == '\r' {
        return Found {
            span: Span::new(position, position + first.len_utf8()),
            kind: FoundKind::EndOfLine,
        };
    }
    let word_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | ',' | '.' | '$'))
        .map(char::len_utf8)
        .sum();
    if word_len > 0 {
        let word = &rest[..word_len];
        return Found {
            span: Span::new(position, position + word_len),
            kind: FoundKind::Word(word.to_owned()),
        };
    }
    Found {
        span: Span::new(position, position + first.len_utf8()),
        kind: FoundKind::Symbol(first),
    }
}

/// A line whose first word is one edit or two away from a keyword, when the file stops
/// making sense right after that word (so `tabel 2 staffing {`, but not a row named
/// `travel` with a stray character further along).
/// Words of units, as the grammar spells them.
const UNIT_WORDS: [&str; 6] = [
    "thousands",
    "millions",
    "thousand",
    "million",
    "posts",
    "post",
];

/// "Did you mean" for a unit misspelt or written another way: `percent`, `thousand of`.
fn unit_hint(word: &str) -> Option<String> {
    let spelling = "units are written `thousands of US$`, `US$ 1,126,162`, `US$ 5.5 thousand`, `posts`, `13%` or `2 per cent`";
    if is_percent_spelling(word) {
        return Some(format!("did you mean `per cent` or `%`? {spelling}"));
    }
    let unit = closest(word, UNIT_WORDS)?;
    Some(format!("did you mean `{unit}`? {spelling}"))
}

/// `percent` and its kin: two ways to write it, so no one edit to offer.
fn is_percent_spelling(word: &str) -> bool {
    ["percent", "pct", "percentage", "pc"].contains(&word.to_lowercase().as_str())
}

fn misspelt_keyword(source: &str, position: usize) -> Option<Diagnostic> {
    let line_start = source.get(..position)?.rfind('\n').map_or(0, |i| i + 1);
    let line = source.get(line_start..)?;
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let word_len = line[indent..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len() - indent);
    let word = &line[indent..indent + word_len];
    if word.is_empty() || KEYWORDS.contains(&word) {
        return None;
    }
    let after_word = line_start + indent + word_len;
    let between = source.get(after_word.min(position)..position)?;
    if !between.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    // At the margin only an item can start: `tabel` is `table`, not a setting's `label`.
    let candidates: &[&str] = if indent == 0 {
        &super::recovery::ITEM_KEYWORDS
    } else {
        &KEYWORDS
    };
    let keyword = closest(word, candidates.iter().copied())?;
    let start = line_start + indent;
    Some(
        Diagnostic::error(Code::SyntaxKeyword, format!("unknown keyword `{word}`"))
            .at(
                Span::new(start, start + word_len),
                format!("did you mean `{keyword}`?"),
            )
            .with_help(format!("replace `{word}` with `{keyword}`"))
            .with_correction(
                format!("replace `{word}` with `{keyword}`"),
                Span::new(start, start + word_len),
                keyword,
            ),
    )
}

/// A sentence of advice for the commonest situations.
fn hint(expected: &[&str], found: &Found) -> Option<String> {
    let expects = |needle: &str| expected.iter().any(|phrase| phrase.contains(needle));
    match &found.kind {
        FoundKind::Word(word) if expects("a unit") => unit_hint(word),
        FoundKind::EndOfLine | FoundKind::EndOfFile if expects("a number") || expects("a value") => Some(
            "the line ends before its figure; write the amount, for example `US$ 1,126,162` or `2%`".to_owned(),
        ),
        FoundKind::Symbol('{') => Some("a block opens with `{` at the end of a line and closes with `}` on a line of its own".to_owned()),
        FoundKind::Word(word) if expects("a figure") && word.chars().all(|c| c.is_alphabetic()) => Some(format!(
            "`{word}` is not a figure; a row lists its figures after the label, then `= formula` if it is computed"
        )),
        FoundKind::EndOfLine if expects("a quote") => Some("a text in double quotes must end on the same line".to_owned()),
        _ if expects("`}`") => Some("every `{` needs a `}` on a line of its own".to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The brace found when the grammar stops at the end of `source`.
    fn unclosed_at(source: &str) -> Option<usize> {
        unclosed_brace(source, source.len()).map(|unclosed| unclosed.brace.start())
    }

    #[test]
    fn the_brace_closed_by_an_outer_block_is_the_one_missing_its_own() {
        let source =
            "table t {\n    s \"S\" {\n        a \"A\" 1\n\n    b \"B\" 2\n}\ntable u {\n}\n";
        let section = source.find("\"S\" {").map(|at| at + 4);
        assert_eq!(unclosed_at(source), section);
        let unclosed = unclosed_brace(source, source.len()).unwrap();
        assert_eq!(&source[unclosed.block_ends..=unclosed.block_ends], "}");
    }

    #[test]
    fn an_item_at_the_margin_inside_a_block_is_where_the_block_ends() {
        let source = "decision \"X\" {\n    period 2013-2014\n\ntable 1 t {\n}\n";
        let table = source.find("table").unwrap();
        let unclosed = unclosed_brace(source, table + 6).unwrap();
        assert_eq!(unclosed.brace.start(), source.find('{').unwrap());
        assert_eq!(unclosed.block_ends, table);
        // Where the grammar stopped before that line, it is another error.
        assert!(unclosed_brace(source, table - 2).is_none());
    }

    #[test]
    fn braces_in_texts_and_comments_are_not_blocks() {
        let source = "table t {\n    a \"x { //\" 1 // {\n    b \"}\" 2\n";
        assert_eq!(unclosed_at(source), Some(8));
        assert_eq!(unclosed_at("table t {\n    a \"{\" 1 // {\n}\n"), None);
    }

    #[test]
    fn a_block_left_open_at_the_end_ends_with_the_text() {
        let source = "table t {\n    a \"A\" 1\n\n\n";
        let unclosed = unclosed_brace(source, source.len()).unwrap();
        assert_eq!(unclosed.block_ends, source.trim_end().len());
        assert_eq!(&source[unclosed.last_character..unclosed.block_ends], "1");
    }
}
