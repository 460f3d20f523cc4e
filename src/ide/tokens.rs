//! What each word of a decision is, for an editor's semantic highlighting: names by
//! what the check bound them to (a table, a row, a section, a value; `declaration`
//! where they are defined), figures where the syntax tree has them (a figure in UN
//! notation, `2 250 862`, is one token), and around them what the tree keeps no span
//! for: keywords, units, strings, comments and operators, read off the line. Names and
//! figures come from the check, so `total` is a row where the table defines one and a
//! keyword in `rates total`.

use std::collections::HashMap;

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
        let declared = self.declarations();
        let figures: HashMap<usize, Span> = self
            .occurrences
            .iter()
            .filter(|o| matches!(o.target, Target::Cell(..)))
            .map(|o| (o.span.start(), o.span))
            .collect();
        let mut tokens = Vec::new();
        let mut line_start = 0;
        for line in self.text.split_inclusive('\n') {
            self.line_tokens(line, line_start, &declared, &figures, &mut tokens);
            line_start += line.len();
        }
        tokens
    }

    /// Where a table, section, row or value is defined, by the span of its name.
    fn declarations(&self) -> HashMap<Span, TokenKind> {
        let mut declared = HashMap::new();
        for occurrence in self.occurrences.iter().filter(|o| o.definition) {
            match occurrence.target {
                Target::Value(_) => declared.insert(occurrence.span, TokenKind::Value),
                Target::Table(_) => declared.insert(occurrence.span, TokenKind::Table),
                _ => None,
            };
        }
        if let Some(file) = self.file() {
            for item in &file.items {
                declared_in_item(item, &mut declared);
            }
        }
        declared
    }

    fn line_tokens(
        &self,
        line: &str,
        line_start: usize,
        declared: &HashMap<Span, TokenKind>,
        figures: &HashMap<usize, Span>,
        tokens: &mut Vec<Token>,
    ) {
        let bytes = line.as_bytes();
        let mut at = 0;
        let first_word = line.len() - line.trim_start().len();
        while at < line.len() {
            let rest = &line[at..];
            let Some(c) = rest.chars().next() else { break };
            let start = line_start + at;
            if let Some(span) = figures.get(&start) {
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
                let marker = at == first_word && bytes.get(at + length) == Some(&b'.');
                let kind = match declared.get(&span) {
                    Some(kind) => {
                        tokens.push(token(span, *kind, true));
                        at += length;
                        continue;
                    }
                    None if marker && is_marker(word) => TokenKind::Marker,
                    None => self.word_kind(word, start, &rest[length..]),
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
            let mut length = length;
            // A marker's dot belongs to it: `A.`.
            if kind == TokenKind::Marker {
                length += 1;
            }
            tokens.push(token(Span::new(start, start + length), kind, false));
            at += length;
        }
    }

    /// A word that defines nothing: a name as the check bound it, else a function,
    /// unit or keyword by its spelling.
    fn word_kind(&self, word: &str, start: usize, after: &str) -> TokenKind {
        if FUNCTIONS.contains(&word) && after.starts_with('(') {
            return TokenKind::Function;
        }
        if let Some(kind) = self.bound(word, start) {
            return kind;
        }
        if UNIT_WORDS.contains(&word) || (word == "cent") || is_currency(word) {
            TokenKind::Unit
        } else if crate::syntax::KEYWORDS.contains(&word) || MORE_KEYWORDS.contains(&word) {
            TokenKind::Keyword
        } else {
            TokenKind::Name
        }
    }

    /// What the name `word` at `start` refers to, where a rule names it.
    fn bound(&self, word: &str, start: usize) -> Option<TokenKind> {
        self.occurrences
            .iter()
            .filter(|o| !o.definition)
            .filter(|o| o.span.start() <= start && start + word.len() <= o.span.end())
            .filter_map(|o| {
                let (_, model) = self.model(o.variant)?;
                let program = &model.program;
                let (name, kind) = match o.target {
                    Target::Value(id) => (Some(program.value(id).name.as_str()), TokenKind::Value),
                    Target::Row(id) => (program.row(id).name.as_deref(), TokenKind::Row),
                    Target::Section(id) => {
                        (program.section(id).name.as_deref(), TokenKind::Section)
                    }
                    Target::Table(id) => (Some(program.table(id).name.as_str()), TokenKind::Table),
                    Target::Cell(..) => (None, TokenKind::Number),
                };
                (name == Some(word)).then_some((o.span.end() - o.span.start(), kind))
            })
            .min_by_key(|(length, _)| *length)
            .map(|(_, kind)| kind)
    }
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
