//! What each word of a decision is, for an editor's semantic highlighting: names by
//! what the check bound them to (a table, a row, a section, a value; `declaration`
//! where they are defined), figures where the syntax tree has them (a figure in UN
//! notation, `2 250 862`, is one token), and around them what the tree keeps no span
//! for: keywords, units, strings, comments and operators, read off the line. Names and
//! figures come from the check, so `total` is a row where the table defines one and a
//! keyword in `rates total`.

use rustc_hash::FxHashMap as HashMap;

use super::{Analysis, Target};
use crate::diagnostic::Span;
use crate::syntax::ast::{Change, Entry, Item};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Keyword,
    Table,
    Section,
    Row,
    Value,
    /// A name the check did not bind: misspelt, or in a file that does not parse.
    Name,
    Function,
    /// A figure or a number.
    Number,
    /// `US$`, `thousands`, `per cent`, `%`, `posts`.
    Unit,
    /// A row's or section's marker: `A.`, `II.`.
    Marker,
    String,
    Comment,
    Operator,
}

/// One token: where it is, what it is, and whether it defines the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    pub declaration: bool,
}

/// Words of the language besides the item keywords of the grammar (`syntax::KEYWORDS`).
const MORE_KEYWORDS: [&str; 24] = [
    "stated",
    "of",
    "in",
    "as",
    "Total",
    "half-up",
    "half-even",
    "UN",
    "comma",
    "issuer",
    "meeting",
    "currency",
    "absent",
    "to",
    "after",
    "rate",
    "contribution",
    "except",
    "annex",
    "from",
    "years",
    "year",
    "exempt",
    "status",
];

const FUNCTIONS: [&str; 4] = ["sum", "share", "published", "round"];

const UNIT_WORDS: [&str; 7] = [
    "thousands",
    "thousand",
    "millions",
    "million",
    "posts",
    "post",
    "per",
];

impl Analysis {
    /// Every token of the text, in order, none overlapping another.
    pub fn tokens(&self) -> Vec<Token> {
        self.tokens_between(0, self.text.len())
    }

    /// The tokens of the lines from the one holding byte `from` to the one holding
    /// byte `to`: what an editor showing part of a large file asks for, read from
    /// those lines alone.
    pub fn tokens_between(&self, from: usize, to: usize) -> Vec<Token> {
        let from = self
            .text
            .get(..from)
            .map_or(0, |before| before.rfind('\n').map_or(0, |at| at + 1));
        // A range that ends at the start of a line ends with the line before it.
        let at_line_start = to == 0 || self.text.as_bytes().get(to - 1) == Some(&b'\n');
        let to = match self.text.get(to..) {
            Some(_) if at_line_start => to.max(from),
            Some(after) => to + after.find('\n').map_or(after.len(), |at| at + 1),
            None => self.text.len(),
        };
        let within = |span: Span| from <= span.start() && span.end() <= to;
        let declared = self.declarations((from, to), &within);
        let bound = self.names_read(&within);
        let figures: HashMap<usize, Span> = self
            .occurrences
            .iter()
            .filter(|o| matches!(o.target, Target::Cell(..)) && within(o.span))
            .map(|o| (o.span.start(), o.span))
            .collect();
        let known = Known {
            declared: &declared,
            bound: &bound,
            figures: &figures,
        };
        let mut tokens = Vec::new();
        let mut line_start = from;
        for line in self
            .text
            .get(from..to)
            .unwrap_or_default()
            .split_inclusive('\n')
        {
            line_tokens(line, line_start, &known, &mut tokens);
            line_start += line.len();
        }
        tokens
    }

    /// Where a table, section, row or value is defined, by the span of its name.
    fn declarations(
        &self,
        range: (usize, usize),
        within: &dyn Fn(Span) -> bool,
    ) -> HashMap<Span, TokenKind> {
        let mut declared = HashMap::default();
        for occurrence in self.occurrences.iter().filter(|o| o.definition) {
            match occurrence.target {
                Target::Value(_) => declared.insert(occurrence.span, TokenKind::Value),
                Target::Table(_) => declared.insert(occurrence.span, TokenKind::Table),
                _ => None,
            };
        }
        if let Some(file) = self.file() {
            // Only the items the lines asked for overlap; a table's rows are walked
            // whole, as it is one item.
            let overlaps = |item: &&Item| {
                let span = item.span();
                within(Span::new(span.start(), span.start()))
                    || within(Span::new(span.end(), span.end()))
                    || (span.start() <= range.0 && range.1 <= span.end())
            };
            for item in file.items.iter().filter(overlaps) {
                declared_in_item(item, &mut declared);
            }
        }
        declared.retain(|span, _| within(*span));
        declared
    }

    /// Where a rule names a table, section, row or value: each place its name is
    /// written within the reference (`core_budget.grand_total[2013]` names a table and
    /// a row), by offset, with what it is. The innermost reference wins. One pass over
    /// the references, so a file of a hundred thousand rows costs no more per word.
    fn names_read(&self, within: &dyn Fn(Span) -> bool) -> HashMap<usize, TokenKind> {
        let mut found: HashMap<usize, (usize, TokenKind)> = HashMap::default();
        for occurrence in self
            .occurrences
            .iter()
            .filter(|o| !o.definition && within(o.span))
        {
            let Some((_, model)) = self.model(occurrence.variant) else {
                continue;
            };
            let program = &model.program;
            let (name, kind) = match occurrence.target {
                Target::Value(id) => (Some(program.value(id).name.as_str()), TokenKind::Value),
                Target::Row(id) => (program.row(id).name.as_deref(), TokenKind::Row),
                Target::Section(id) => (program.section(id).name.as_deref(), TokenKind::Section),
                Target::Table(id) => (Some(program.table(id).name.as_str()), TokenKind::Table),
                Target::Cell(..) => (None, TokenKind::Number),
            };
            let (Some(name), span) = (name, occurrence.span) else {
                continue;
            };
            let written = self.text.get(span.start()..span.end()).unwrap_or_default();
            let size = span.end() - span.start();
            for (at, _) in written.match_indices(name) {
                let whole = !is_word_char(written[..at].chars().next_back())
                    && !is_word_char(written[at + name.len()..].chars().next());
                let start = span.start() + at;
                let smaller = found.get(&start).is_none_or(|(other, _)| size < *other);
                if whole && smaller {
                    found.insert(start, (size, kind));
                }
            }
        }
        found
            .into_iter()
            .map(|(at, (_, kind))| (at, kind))
            .collect()
    }
}

/// What the check knows of the text, by offset.
struct Known<'a> {
    declared: &'a HashMap<Span, TokenKind>,
    bound: &'a HashMap<usize, TokenKind>,
    figures: &'a HashMap<usize, Span>,
}

fn line_tokens(line: &str, line_start: usize, known: &Known<'_>, tokens: &mut Vec<Token>) {
    let bytes = line.as_bytes();
    let mut at = 0;
    let first_word = line.len() - line.trim_start().len();
    while at < line.len() {
        let rest = &line[at..];
        let Some(c) = rest.chars().next() else { break };
        let start = line_start + at;
        if let Some(span) = known.figures.get(&start) {
            tokens.push(token(*span, TokenKind::Number, false));
            at += span.end() - span.start();
            continue;
        }
        let (length, kind) = if rest.starts_with("//") {
            (
                rest.trim_end_matches(['\n', '\r']).len(),
                TokenKind::Comment,
            )
        } else if c == '"' {
            (string_length(rest), TokenKind::String)
        } else if c.is_ascii_digit() {
            let length = rest
                .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
                .unwrap_or(rest.len());
            (length, TokenKind::Number)
        } else if c.is_alphabetic() || c == '_' {
            let length = word_length(rest);
            let word = &rest[..length];
            let span = Span::new(start, start + length);
            if let Some(kind) = known.declared.get(&span) {
                tokens.push(token(span, *kind, true));
                at += length;
                continue;
            }
            let marker = at == first_word && bytes.get(at + length) == Some(&b'.');
            let kind = match known.bound.get(&start) {
                _ if marker && is_marker(word) => TokenKind::Marker,
                _ if FUNCTIONS.contains(&word) && rest[length..].starts_with('(') => {
                    TokenKind::Function
                }
                Some(kind) => *kind,
                None => spelt_kind(word),
            };
            (length, kind)
        } else if c == '%' {
            (1, TokenKind::Unit)
        } else if "+-*/^=:".contains(c) {
            (1, TokenKind::Operator)
        } else {
            at += c.len_utf8();
            continue;
        };
        if length == 0 {
            at += c.len_utf8();
            continue;
        }
        // A marker's dot belongs to it: `A.`.
        let length = if kind == TokenKind::Marker {
            length + 1
        } else {
            length
        };
        tokens.push(token(Span::new(start, start + length), kind, false));
        at += length;
    }
}

/// A word the check bound to nothing, by its spelling: a unit, a keyword, or a name.
fn spelt_kind(word: &str) -> TokenKind {
    if UNIT_WORDS.contains(&word) || word == "cent" || is_currency(word) {
        TokenKind::Unit
    } else if crate::syntax::KEYWORDS.contains(&word) || MORE_KEYWORDS.contains(&word) {
        TokenKind::Keyword
    } else {
        TokenKind::Name
    }
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn token(span: Span, kind: TokenKind, declaration: bool) -> Token {
    Token {
        span,
        kind,
        declaration,
    }
}

/// The names an item defines, in it and in the scenarios' changes.
fn declared_in_item(item: &Item, declared: &mut HashMap<Span, TokenKind>) {
    match item {
        Item::Table(table) => {
            declared.insert(table.name.span, TokenKind::Table);
            declared_in_entries(&table.entries, declared);
        }
        Item::Scale(scale) => {
            declared.insert(scale.name.span, TokenKind::Table);
        }
        Item::Group(group) => {
            declared.insert(group.name.span, TokenKind::Value);
        }
        Item::Definition(definition) => {
            declared.insert(definition.name.span, TokenKind::Value);
        }
        Item::Paragraph(paragraph) => {
            for definition in &paragraph.definitions {
                declared.insert(definition.name.span, TokenKind::Value);
            }
        }
        Item::Scenario(scenario) => {
            for change in &scenario.changes {
                if let Change::Add(item) | Change::Replace(item, _) = change {
                    declared_in_item(item, declared);
                }
            }
        }
        _ => {}
    }
}

fn declared_in_entries(entries: &[Entry], declared: &mut HashMap<Span, TokenKind>) {
    for entry in entries {
        match entry {
            Entry::Section(section) => {
                if let Some(name) = &section.name {
                    declared.insert(name.span, TokenKind::Section);
                }
                declared_in_entries(&section.entries, declared);
            }
            Entry::Row(row) => {
                if let Some(name) = &row.name {
                    declared.insert(name.span, TokenKind::Row);
                }
            }
        }
    }
}

/// A word: letters, digits, `_`, `$` (`US$`), and a hyphen between letters
/// (`half-up`, `contingency-2015`).
fn word_length(text: &str) -> usize {
    let mut length = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_word = chars.peek().is_some_and(|(_, next)| next.is_alphanumeric());
        if c.is_alphanumeric() || c == '_' || c == '$' || (c == '-' && at > 0 && next_is_word) {
            length = at + c.len_utf8();
        } else {
            break;
        }
    }
    length
}

/// A string to its closing quote, or to the end of the line where it has none.
fn string_length(text: &str) -> usize {
    let line = text.trim_end_matches(['\n', '\r']);
    let mut escaped = false;
    for (at, c) in line.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return at + 1,
            _ => escaped = false,
        }
    }
    line.len()
}

/// `US$`, `EUR`, `CHF`: a currency symbol or code.
fn is_currency(word: &str) -> bool {
    word.ends_with('$') || (word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()))
}

/// `A`, `II`, `12`: what stands before the dot of a row's or section's marker.
fn is_marker(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_uppercase()) && word.len() <= 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::Memory;

    const BUDGET: &str = "// A budget.\ndecision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\n\
        rate = 13%\n\
        table 1 t {\n    unit thousands of US$\n    rounding 0.1 half-up\n    columns 2013 2014 Total\n\
        \x20   I. lines \"Lines\" {\n        A. staff \"Staff ≈ “quoted”\"   1.0   2.0   3.0\n    }\n\
        \x20   support \"Support\"   0.1   0.3   0.4  = rate of sum(lines)\n\
        \x20   total \"Total\"   1.1   2.3   3.4  = t.staff + support\n}\n";

    fn tokens_of(text: &str) -> Vec<(String, TokenKind, bool)> {
        let analysis = Analysis::new(&Memory::decision(text), Memory::MAIN);
        let tokens = analysis.tokens();
        for pair in tokens.windows(2) {
            assert!(
                pair[0].span.end() <= pair[1].span.start(),
                "{pair:?} in {text:?}"
            );
        }
        tokens
            .iter()
            .map(|t| {
                (
                    text[t.span.start()..t.span.end()].to_owned(),
                    t.kind,
                    t.declaration,
                )
            })
            .collect()
    }

    #[test]
    fn names_are_what_the_check_bound_them_to() {
        let tokens = tokens_of(BUDGET);
        let find = |word: &str| {
            tokens
                .iter()
                .filter(|(text, ..)| text == word)
                .map(|(_, kind, declaration)| (*kind, *declaration))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            find("rate"),
            [(TokenKind::Value, true), (TokenKind::Value, false)]
        );
        assert_eq!(
            find("t"),
            [(TokenKind::Table, true), (TokenKind::Table, false)]
        );
        assert_eq!(
            find("lines"),
            [(TokenKind::Section, true), (TokenKind::Section, false)]
        );
        assert_eq!(
            find("staff"),
            [(TokenKind::Row, true), (TokenKind::Row, false)]
        );
        assert_eq!(find("sum"), [(TokenKind::Function, false)]);
        assert_eq!(find("total"), [(TokenKind::Row, true)]);
        assert_eq!(find("half-up"), [(TokenKind::Keyword, false)]);
        assert_eq!(find("I."), [(TokenKind::Marker, false)]);
        assert_eq!(find("\"Staff ≈ “quoted”\""), [(TokenKind::String, false)]);
        assert_eq!(find("// A budget."), [(TokenKind::Comment, false)]);
    }

    #[test]
    fn every_prefix_of_a_decision_gives_tokens_in_order() {
        // Cut anywhere, the file does not parse or parses partly: tokens still come in
        // order, never overlapping, and the range of a line gives that line's.
        for (cut, _) in BUDGET.char_indices().step_by(7) {
            let text = &BUDGET[..cut];
            tokens_of(text);
            let analysis = Analysis::new(&Memory::decision(text), Memory::MAIN);
            let whole = analysis.tokens();
            let some = analysis.tokens_between(cut / 2, cut / 2);
            assert!(some.iter().all(|t| whole.contains(t)), "{text:?}");
        }
    }

    #[test]
    fn words_strings_and_markers_are_cut_where_they_end() {
        assert_eq!(word_length("half-up 0.1"), 7);
        assert_eq!(word_length("US$ 5"), 3);
        assert_eq!(word_length("grand_total - host"), 11);
        assert_eq!(string_length("\"a \\\" b\" 1"), 8);
        assert_eq!(string_length("\"open\n"), 5);
        assert!(is_marker("II") && !is_marker("table"));
    }
}
