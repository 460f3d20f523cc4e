//! Figures as decisions print them. A row's figures are read here, not by the grammar,
//! because how they divide can depend on the table: `2 250 862` is one figure in UN
//! notation, where a space separates groups of three digits, and three in a row of
//! small counts. The grammar hands over the stretch of a row between its label and its
//! formula (`cells` in `grammar/bud.pest`); this module cuts it into figures and reads
//! each one.
//!
//! Cells are separated the way a copied table separates them: `|`, a tab, or two or
//! more spaces always part two cells. A single space parts them too, unless it stands
//! between groups of three digits of one number; a no-break space (U+00A0), a narrow
//! one (U+202F) or a thin space (U+2009) between such groups always joins them. When a
//! row's single spaces can be read in more than one way that gives the table's count
//! of figures, the row is a diagnostic that shows two readings, never a guess.
//!
//! A number may be written `1,875.2`, `2 250 862`, `-12.5`, `(41 609)` (negative) or
//! with a minus sign (U+2212); `-`, `–` and `—` are a published dash (nil). A cell that
//! is none of these is diagnosed for the commonest slips of copying: a decimal comma,
//! an invisible character, a footnote mark run into the figure.

use rust_decimal::Decimal;

use super::ast::{Figure, FigureKind, Written};
use crate::diagnostic::{Code, Diagnostic, Span};

/// What is wrong with a number as written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NumberProblem {
    Grouping,
    TooLarge,
    /// Not a number at all; `None` when nothing more can be said.
    Slip(Option<Slip>),
}

/// A copying slip recognised in a figure that does not read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Slip {
    /// `1 234,5` or `0,010`: a comma where bud reads a decimal point.
    DecimalComma { corrected: String },
    /// A character that shows as nothing, or as a space, in most editors.
    Invisible { character: char },
    /// `2 269 782a`, `1,875.2*`: a footnote mark run into the figure.
    FootnoteMark { figure: String, mark: String },
}

/// Reads `1,875.2`, `2 250 862`, `-12.5`, `(41 609)` or `−3` exactly, keeping the count
/// of decimals written. Digit by digit into one integer, without building a string: a
/// large decision has millions of figures.
pub(crate) fn parse_number(written: &str) -> Result<Written, NumberProblem> {
    let (negative, unsigned) = sign_of(written);
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let separators = |c: char| c == ',' || is_group_space(c);
    if integer.contains(separators) {
        let mut groups = integer.split(separators);
        let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
        let one_kind = integer.contains(',') != integer.contains(is_group_space);
        if !first_ok || !one_kind || groups.any(|g| g.len() != 3) {
            return Err(problem_of(written).unwrap_or(NumberProblem::Grouping));
        }
    }
    let digits = || {
        integer
            .bytes()
            .chain(fraction.bytes())
            .filter(|b| b.is_ascii_digit())
    };
    let only_digits = integer
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit() || separators(c));
    if digits().next().is_none() || !only_digits || fraction.contains(|c: char| !c.is_ascii_digit())
    {
        return Err(problem_of(written).unwrap_or(NumberProblem::Slip(None)));
    }
    let mut mantissa: i128 = 0;
    for digit in digits() {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(digit - b'0')))
            .ok_or(NumberProblem::TooLarge)?;
    }
    let decimals = u32::try_from(fraction.len()).map_err(|_| NumberProblem::TooLarge)?;
    let magnitude = Decimal::try_from_i128_with_scale(mantissa, decimals)
        .map_err(|_| NumberProblem::TooLarge)?;
    let value = if negative { -magnitude } else { magnitude };
    Ok(Written { value, decimals })
}

/// Whether the number is negative, and its digits without the sign or parentheses.
fn sign_of(written: &str) -> (bool, &str) {
    if let Some(inner) = written
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return (true, inner);
    }
    match written
        .strip_prefix('-')
        .or_else(|| written.strip_prefix('\u{2212}'))
    {
        Some(rest) => (true, rest),
        None => (false, written),
    }
}

/// A space that can stand between groups of three digits of one number.
pub(crate) fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// A space that joins digit groups whatever the table: nobody parts cells with it.
fn is_tight_space(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// A character that parts cells (besides `|`): the group spaces, a tab, and the other
/// spaces of Unicode a copied table may hold.
fn is_blank(c: char) -> bool {
    c == '\t' || is_group_space(c) || c == '\u{2007}' || c == '\u{3000}'
}

/// The dashes a decision prints for nil.
fn is_dash(text: &str) -> bool {
    matches!(text, "-" | "\u{2013}" | "\u{2014}")
}

/// The slip that explains why `written` is not a number, if one does.
fn problem_of(written: &str) -> Option<NumberProblem> {
    diagnose(written).map(|slip| NumberProblem::Slip(Some(slip)))
}

/// Characters that do not show in most editors, by the names Unicode gives them.
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{a0}' => "NO-BREAK SPACE",
        '\u{202f}' => "NARROW NO-BREAK SPACE",
        '\u{2009}' => "THIN SPACE",
        '\u{2007}' => "FIGURE SPACE",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200c}' => "ZERO WIDTH NON-JOINER",
        '\u{200d}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{feff}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{ad}' => "SOFT HYPHEN",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        _ => return None,
    })
}

/// "U+00A0 NO-BREAK SPACE".
pub(crate) fn character_name(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    match invisible_name(c) {
        Some(name) => format!("{code} {name}"),
        None => code,
    }
}

/// Which copying slip makes `written` unreadable, if it is one of the common ones.
fn diagnose(written: &str) -> Option<Slip> {
    if let Some(character) = written
        .chars()
        .find(|c| invisible_name(*c).is_some() && !is_group_space(*c) || c.is_control())
    {
        return Some(Slip::Invisible { character });
    }
    let (_, unsigned) = sign_of(written);
    // A footnote mark: a readable figure, then letters or a sign such as `*`.
    let figure_end = unsigned
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ',' || is_group_space(*c)))
        .map(|(at, _)| at)?;
    let (figure, mark) = unsigned.split_at(figure_end);
    let mark_like = mark.chars().count() <= 2
        && mark
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '*' | '†' | '‡' | '§' | '#'));
    let figure_reads = !figure.is_empty()
        && figure.starts_with(|c: char| c.is_ascii_digit())
        && parse_number(figure.trim_end()).is_ok();
    if mark_like && figure_reads {
        let shown = &written[..written.len() - unsigned.len() + figure_end];
        return Some(Slip::FootnoteMark {
            figure: shown.trim_end().to_owned(),
            mark: mark.to_owned(),
        });
    }
    None
}

/// A decimal comma: one comma followed by other than three digits (`2,5`), or one that
/// follows groups parted by spaces (`1 234,56`), or a lone `0,` before three digits.
fn decimal_comma(written: &str) -> Option<Slip> {
    let (negative, unsigned) = sign_of(written);
    let (integer, fraction) = unsigned.rsplit_once(',')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let integer_digits: String = integer.chars().filter(|c| !is_group_space(*c)).collect();
    let spaced = integer.contains(is_group_space);
    let looks_decimal = fraction.len() != 3 || spaced || integer_digits == "0";
    if !(digits(fraction) && digits(&integer_digits) && looks_decimal) {
        return None;
    }
    let mut corrected = format!("{integer}.{fraction}");
    if negative {
        corrected = match written.starts_with('(') {
            true => format!("({corrected})"),
            false => format!("-{corrected}"),
        };
    }
    Some(Slip::DecimalComma { corrected })
}

impl NumberProblem {
    /// The diagnostic for `written`, a figure or a literal at `span`.
    pub(crate) fn diagnostic(&self, written: &str, span: Span) -> Diagnostic {
        match self {
            NumberProblem::Grouping => match decimal_comma(written) {
                Some(Slip::DecimalComma { corrected }) => Diagnostic::error(
                    Code::SyntaxNumber,
                    format!("`{written}` has a comma where bud reads a decimal point"),
                )
                .at(span, "a decimal comma?")
                .with_help(format!(
                    "bud reads `.` before decimals and `,` or a space between groups of three digits: write `{corrected}` if that is what the decision prints"
                )),
                _ => Diagnostic::error(
                    Code::SyntaxNumber,
                    format!("`{written}` has a misplaced thousands separator"),
                )
                .at(span, "separators must part groups of three digits")
                .with_help(
                    "write thousands as 1,875.2, 1 875.2 or 1875.2; to separate two figures, put two spaces or `|` between them",
                ),
            },
            NumberProblem::TooLarge => Diagnostic::error(
                Code::SyntaxNumber,
                format!("{} has more digits than bud can hold exactly", abbreviated(written)),
            )
            .at(span, "more than 28 significant digits")
            .with_help("bud keeps every figure exact to 28 digits; write the figure in a larger unit"),
            NumberProblem::Slip(slip) => slip_diagnostic(slip.as_ref(), written, span),
        }
    }
}

fn slip_diagnostic(slip: Option<&Slip>, written: &str, span: Span) -> Diagnostic {
    let shown = abbreviated(written);
    match slip {
        Some(Slip::Invisible { character }) => Diagnostic::error(
            Code::SyntaxNumber,
            format!(
                "{shown} holds the invisible character {}",
                character_name(*character)
            ),
        )
        .at(span, "an invisible character in this figure")
        .with_help(format!(
            "delete the {}: it came with the copied text, and a figure holds digits, separators and a sign only",
            character_name(*character)
        )),
        Some(Slip::FootnoteMark { figure, mark }) => Diagnostic::error(
            Code::SyntaxNumber,
            format!("{shown} ends in `{mark}`, which looks like a footnote mark"),
        )
        .at(span, format!("the figure is {figure}; `{mark}` is not part of it"))
        .with_help(format!(
            "write the figure alone ({figure}) and keep the mark with the label (\"… {mark}\") or in a `note`"
        )),
        Some(Slip::DecimalComma { corrected }) => Diagnostic::error(
            Code::SyntaxNumber,
            format!("{shown} has a comma where bud reads a decimal point"),
        )
        .at(span, "a decimal comma?")
        .with_help(format!("bud reads `.` before decimals: write `{corrected}`")),
        None => Diagnostic::error(
            Code::SyntaxUnexpected,
            format!("expected a figure, found {shown}"),
        )
        .at(span, "not a figure")
        .with_help(
            "a figure is a number such as 1,875.2, 2 250 862 or (41 609), `-` or `–` for nil, `_` for a blank, or `absent`",
        ),
    }
}

/// A number as a message names it: whole when short, else its start and length.
pub(crate) fn abbreviated(written: &str) -> String {
    if written.chars().count() <= 32 {
        return format!("`{written}`");
    }
    let start: String = written.chars().take(16).collect();
    let digits = written.chars().filter(char::is_ascii_digit).count();
    format!("the {digits}-digit number `{start}…`")
}

/// One figure written alone (a data file's cell, a piece of a row): a number in any
/// notation, a dash, `_` or `absent`.
pub(crate) fn figure_kind(written: &str) -> Result<FigureKind, NumberProblem> {
    match written {
        "_" => Ok(FigureKind::Blank),
        "absent" => Ok(FigureKind::Absent),
        dash if is_dash(dash) => Ok(FigureKind::Dash),
        _ => {
            if let Some(slip) = decimal_comma(written) {
                let grouped_by_commas = parse_number(written).is_ok() && !written.contains(' ');
                if !grouped_by_commas || written.trim_start_matches(['-', '(']).starts_with("0,") {
                    return Err(NumberProblem::Slip(Some(slip)));
                }
            }
            parse_number(written).map(FigureKind::Number)
        }
    }
}

// ---------------------------------------------------------------- a row's cells

/// A run of characters between separators: a word, a group of digits, a text.
#[derive(Debug, Clone, Copy)]
struct Piece<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    quoted: bool,
    /// Nothing between two `|`: a blank cell of a copied table (`|  |`).
    blank: bool,
}

/// What stands between two pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// Two cells, whatever the pieces are.
    Hard,
    /// One ordinary space: two cells, or two groups of one number.
    Soft,
    /// One no-break space: two groups of one number when they can be, else two cells.
    Tight,
}

/// How many figures a row must have, as far as the parser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Expected {
    /// The table's count of columns.
    Count(usize),
    /// Not known here (a scenario's row change): a row that could be read in two ways
    /// is a diagnostic.
    #[default]
    Unknown,
    /// The table has no usable columns, which is its own error: read every single
    /// space as a cell separator and say nothing more.
    Unchecked,
}

/// The figures written in `text`, whose first byte is at `at` in the file, and what is
/// wrong with any of them.
pub(crate) fn read_cells(
    text: &str,
    at: usize,
    expected: Expected,
) -> (Vec<Figure>, Vec<Diagnostic>) {
    let (pieces, gaps) = pieces(text);
    let mut diagnostics = Vec::new();
    if pieces.is_empty() {
        return (Vec::new(), diagnostics);
    }
    let readings = Readings::new(&pieces, &gaps);
    let joins = match expected {
        Expected::Count(count) => match readings.with_count(count) {
            Found::One(joins) => joins,
            Found::Several(first, second) => {
                diagnostics.push(ambiguous(&pieces, &gaps, at, count, [&first, &second]));
                first
            }
            Found::None => readings.fewest_joins(),
        },
        Expected::Unknown => {
            let (fewest, most) = (readings.fewest_joins(), readings.most_joins());
            if fewest != most {
                let count = figures_of(&pieces, &fewest).len();
                diagnostics.push(ambiguous(&pieces, &gaps, at, count, [&fewest, &most]));
            }
            fewest
        }
        Expected::Unchecked => readings.fewest_joins(),
    };
    let mut figures = Vec::new();
    for (start, end) in figures_of(&pieces, &joins) {
        let (first, last) = (pieces[start], pieces[end]);
        let span = Span::new(at + first.start, at + last.end);
        let written = &text[first.start..last.end];
        if first.blank {
            figures.push(Figure {
                kind: FigureKind::Blank,
                span,
            });
            continue;
        }
        if first.quoted && start == end {
            let inner = &written[1..written.len().saturating_sub(1).max(1)];
            figures.push(Figure {
                kind: FigureKind::Text(unescaped(inner).into()),
                span,
            });
            continue;
        }
        match figure_kind(written) {
            Ok(kind) => figures.push(Figure { kind, span }),
            Err(problem) => {
                diagnostics.push(problem.diagnostic(written, span));
                // Kept as a blank, so the row's count of figures is still right.
                figures.push(Figure {
                    kind: FigureKind::Blank,
                    span,
                });
            }
        }
    }
    (figures, diagnostics)
}

/// `\"` and `\\` in a text cell, as the grammar's strings have them.
pub(crate) fn unescaped(inner: &str) -> String {
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                value.push(escaped);
            }
        } else {
            value.push(c);
        }
    }
    value
}

/// The pieces of `text`, and the gap before each piece after the first.
fn pieces(text: &str) -> (Vec<Piece<'_>>, Vec<Gap>) {
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let mut gaps = Vec::new();
    let mut gap = String::new();
    // The `|` after the last piece, if any: another before a piece makes a blank cell.
    let mut open_pipe: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c == '|' {
            if let Some(after) = open_pipe {
                if !pieces.is_empty() {
                    gaps.push(Gap::Hard);
                }
                pieces.push(Piece {
                    text: "",
                    start: after,
                    end: start,
                    quoted: false,
                    blank: true,
                });
                gap.clear();
            }
            open_pipe = Some(start + 1);
        }
        if c == '|' || is_blank(c) {
            gap.push(c);
            chars.next();
            continue;
        }
        open_pipe = None;
        let quoted = c == '"';
        let mut end = start + c.len_utf8();
        chars.next();
        if quoted {
            let mut escaped = false;
            for (at, c) in chars.by_ref() {
                end = at + c.len_utf8();
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => break,
                    _ => escaped = false,
                }
            }
        } else {
            while let Some(&(at, c)) = chars.peek() {
                if c == '|' || c == '"' || is_blank(c) {
                    break;
                }
                end = at + c.len_utf8();
                chars.next();
            }
        }
        if !pieces.is_empty() {
            gaps.push(gap_of(&gap));
        }
        gap.clear();
        pieces.push(Piece {
            text: &text[start..end],
            start,
            end,
            quoted,
            blank: false,
        });
    }
    (pieces, gaps)
}

fn gap_of(gap: &str) -> Gap {
    let mut chars = gap.chars();
    match (chars.next(), chars.next()) {
        (Some(' '), None) => Gap::Soft,
        (Some(c), None) if is_tight_space(c) => Gap::Tight,
        _ => Gap::Hard,
    }
}

/// The first piece of a number that more groups may follow: `2`, `(41`, `-250`.
fn opens_number(piece: &Piece<'_>) -> bool {
    let digits = piece
        .text
        .strip_prefix('(')
        .unwrap_or(piece.text)
        .trim_start_matches(['-', '\u{2212}']);
    !piece.quoted && (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A group of three digits in the middle of a number.
fn is_group(piece: &Piece<'_>) -> bool {
    piece.text.len() == 3 && piece.text.bytes().all(|b| b.is_ascii_digit())
}

/// A group of three digits that may end a number: `862`, `609)`, `500.25`; or
/// `234,5`, a decimal comma, so that the whole figure is diagnosed as one.
fn continues_number(piece: &Piece<'_>) -> bool {
    // A footnote mark run into the figure (`782a`) is part of it, to be diagnosed.
    let unmarked = piece
        .text
        .trim_end_matches(|c: char| c.is_alphabetic() || c == '*');
    let marked = piece.text[unmarked.len()..].chars().count();
    let text = unmarked.strip_suffix(')').unwrap_or(unmarked);
    if marked > 2 {
        return false;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (group, fraction) = match text.split_once(['.', ',']) {
        Some((group, fraction)) if text.contains(',') && fraction.len() == 3 => (group, ""),
        Some((group, fraction)) => (group, fraction),
        None => (text, "0"),
    };
    !piece.quoted && group.len() == 3 && digits(group) && digits(fraction)
}

/// Whether the piece after gap `gap` may join the number before it, when the piece
/// before it `begins` a number or is one of its middle groups.
fn may_join(pieces: &[Piece<'_>], gaps: &[Gap], gap: usize, begins: bool) -> bool {
    let (before, after) = (&pieces[gap], &pieces[gap + 1]);
    gaps[gap] != Gap::Hard
        && (if begins {
            opens_number(before)
        } else {
            is_group(before)
        })
        && continues_number(after)
}

/// How many readings give a count of figures: none, one, or several (two shown).
enum Found {
    None,
    One(Vec<bool>),
    Several(Vec<bool>, Vec<bool>),
}

/// Rows longer than this many pieces are not searched for every reading: no table has
/// such rows, and a row that a hostile file makes long must cost little. Their single
/// spaces between digit groups are then an ambiguity whatever the count.
const MOST_PIECES_SEARCHED: usize = 512;

/// Every way of reading a row's pieces as figures, counted by how many figures each
/// gives. A reading is a join or a split at each gap; forced where the gap is hard or
/// a no-break space joins. Counting is by dynamic programming over the pieces (at most
/// two readings counted per piece and count), so a long run of single-spaced groups
/// costs its length squared, not two to its length.
struct Readings<'p, 'a> {
    pieces: &'p [Piece<'a>],
    gaps: &'p [Gap],
}

impl<'p, 'a> Readings<'p, 'a> {
    fn new(pieces: &'p [Piece<'a>], gaps: &'p [Gap]) -> Self {
        Readings { pieces, gaps }
    }

    /// `ways[index][begins][count]`: how many readings (0, 1 or 2 for "two or more") of
    /// the pieces from `index` on start `count` figures, when the piece at `index`
    /// begins a figure (`begins` 1) or continues the one before (0).
    fn ways(&self) -> Vec<[Vec<u8>; 2]> {
        let n = self.pieces.len();
        let mut ways: Vec<[Vec<u8>; 2]> = vec![[vec![0; n + 1], vec![0; n + 1]]; n];
        for index in (0..n).rev() {
            for begins in [0, 1] {
                let mut row = vec![0u8; n + 1];
                if index + 1 == n {
                    row[begins] = 1;
                } else {
                    let (split, join) = self.options(index, begins == 1);
                    for (rest, slot) in row[begins..].iter_mut().enumerate() {
                        let mut total = 0u8;
                        if split {
                            total = total.saturating_add(ways[index + 1][1][rest]);
                        }
                        if join {
                            total = total.saturating_add(ways[index + 1][0][rest]);
                        }
                        *slot = total.min(2);
                    }
                }
                ways[index][begins] = row;
            }
        }
        ways
    }

    /// Whether the gap after piece `index` may split, and may join.
    fn options(&self, index: usize, begins: bool) -> (bool, bool) {
        let join = may_join(self.pieces, self.gaps, index, begins);
        let forced = join && self.gaps[index] == Gap::Tight;
        (!forced, join)
    }

    fn with_count(&self, count: usize) -> Found {
        let (fewest, most) = (self.fewest_joins(), self.most_joins());
        if fewest == most {
            // No single space stands between digit groups: one reading, the common case.
            return match figures_of(self.pieces, &fewest).len() == count {
                true => Found::One(fewest),
                false => Found::None,
            };
        }
        if self.pieces.len() > MOST_PIECES_SEARCHED {
            return Found::Several(fewest, most);
        }
        let ways = self.ways();
        match ways[0][1].get(count).copied().unwrap_or(0) {
            0 => Found::None,
            1 => Found::One(self.reading(&ways, count, None)),
            _ => {
                let first = self.reading(&ways, count, None);
                let other = self.reading(&ways, count, Some(&first));
                Found::Several(first, other)
            }
        }
    }

    /// A reading with `count` figures: splits preferred; unlike `other` if given, by
    /// taking the other branch at the first gap where `other`'s choice was not the
    /// only one.
    fn reading(&self, ways: &[[Vec<u8>; 2]], count: usize, other: Option<&[bool]>) -> Vec<bool> {
        let mut joins = Vec::with_capacity(self.gaps.len());
        let (mut begins, mut left) = (true, count);
        let mut deviated = other.is_none();
        for index in 0..self.gaps.len() {
            left -= usize::from(begins);
            let (split, join) = self.options(index, begins);
            let split_ways = if split { ways[index + 1][1][left] } else { 0 };
            let join_ways = if join { ways[index + 1][0][left] } else { 0 };
            let mut take_join = split_ways == 0;
            if !deviated {
                let theirs = other.and_then(|o| o.get(index).copied()).unwrap_or(false);
                let alternative = if theirs { split_ways } else { join_ways };
                if alternative > 0 {
                    take_join = !theirs;
                    deviated = true;
                } else {
                    take_join = theirs;
                }
            }
            joins.push(take_join && join_ways > 0);
            begins = !(take_join && join_ways > 0);
        }
        joins
    }

    /// Every single space a separator (no-break spaces still join).
    fn fewest_joins(&self) -> Vec<bool> {
        self.greedy(false)
    }

    /// Every single space between groups a join.
    fn most_joins(&self) -> Vec<bool> {
        self.greedy(true)
    }

    fn greedy(&self, join_soft: bool) -> Vec<bool> {
        let mut joins = Vec::with_capacity(self.gaps.len());
        let mut begins = true;
        for gap in 0..self.gaps.len() {
            let possible = may_join(self.pieces, self.gaps, gap, begins);
            let join = possible && (join_soft || self.gaps[gap] == Gap::Tight);
            joins.push(join);
            begins = !join;
        }
        joins
    }
}

/// The figures of a reading, as ranges of pieces (first, last).
fn figures_of(pieces: &[Piece<'_>], joins: &[bool]) -> Vec<(usize, usize)> {
    let mut figures = Vec::new();
    let mut start = 0;
    for index in 0..pieces.len() {
        let joined_to_next = joins.get(index).copied().unwrap_or(false);
        if !joined_to_next {
            figures.push((start, index));
            start = index + 1;
        }
    }
    figures
}

/// A row whose single spaces can be read in two ways: both readings, cell by cell.
fn ambiguous(
    pieces: &[Piece<'_>],
    gaps: &[Gap],
    at: usize,
    count: usize,
    readings: [&[bool]; 2],
) -> Diagnostic {
    let shown = |joins: &[bool]| {
        let text = figures_of(pieces, joins)
            .iter()
            .map(|(first, last)| {
                let texts: Vec<&str> = pieces[*first..=*last].iter().map(|p| p.text).collect();
                texts.join(" ")
            })
            .collect::<Vec<_>>()
            .join(" | ");
        match text.char_indices().nth(120) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    };
    // The span from the first gap the two readings treat differently to the row's end.
    let differs = readings[0]
        .iter()
        .zip(readings[1])
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    let start = pieces.get(differs).map_or(0, |p| p.start);
    let end = pieces.last().map_or(start, |p| p.end);
    let _ = gaps;
    Diagnostic::error(
        Code::SyntaxAmbiguous,
        format!(
            "these figures can be read in more than one way: {}, or {}",
            shown(readings[0]),
            shown(readings[1])
        ),
    )
    .at(
        Span::new(at + start, at + end),
        format!("a single space here parts two figures in one reading and two groups of digits in another; each gives the {count} figures of the table's columns"),
    )
    .with_help(
        "part the figures with two spaces, a tab or `|`, or join a figure's groups with a no-break space or commas (2,250,862)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn read(text: &str, count: usize) -> (Vec<FigureKind>, Vec<Code>) {
        let (figures, diagnostics) = read_cells(text, 0, Expected::Count(count));
        (
            figures.into_iter().map(|f| f.kind).collect(),
            diagnostics.into_iter().map(|d| d.code).collect(),
        )
    }

    fn number(value: Decimal, decimals: u32) -> FigureKind {
        FigureKind::Number(Written { value, decimals })
    }

    #[test]
    fn numbers_keep_their_written_decimals() {
        assert_eq!(
            parse_number("1,875.2"),
            Ok(Written {
                value: dec!(1875.2),
                decimals: 1
            })
        );
        assert_eq!(parse_number("20.0").map(|w| w.decimals), Ok(1));
        assert_eq!(parse_number("-12.50").map(|w| w.value), Ok(dec!(-12.50)));
        assert_eq!(
            parse_number("1,126,162").map(|w| w.value),
            Ok(dec!(1126162))
        );
    }

    #[test]
    fn un_notation_reads_as_the_decision_prints_it() {
        for (written, value) in [
            ("2 250 862", dec!(2250862)),
            ("2\u{a0}250\u{a0}862", dec!(2250862)),
            ("2\u{202f}250\u{202f}862", dec!(2250862)),
            ("(41 609)", dec!(-41609)),
            ("(264)", dec!(-264)),
            ("\u{2212}3", dec!(-3)),
            ("1 234.56", dec!(1234.56)),
        ] {
            assert_eq!(
                parse_number(written).map(|w| w.value),
                Ok(value),
                "{written}"
            );
        }
        for dash in ["-", "–", "—"] {
            assert_eq!(figure_kind(dash), Ok(FigureKind::Dash));
        }
    }

    #[test]
    fn misplaced_separators_are_refused() {
        assert_eq!(parse_number("18,75.2"), Err(NumberProblem::Grouping));
        assert_eq!(parse_number("1234,567"), Err(NumberProblem::Grouping));
        assert_eq!(parse_number("1,234 567"), Err(NumberProblem::Grouping));
        for not_a_number in [".", "", "12x", "+5", "1.2.3", "١٢", "(12", "12)"] {
            assert!(parse_number(not_a_number).is_err(), "{not_a_number}");
        }
    }

    #[test]
    fn too_many_digits_is_a_problem_not_a_panic() {
        let digits = "9".repeat(200);
        assert_eq!(parse_number(&digits), Err(NumberProblem::TooLarge));
    }

    #[test]
    fn a_copied_row_reads_with_pipes_tabs_or_two_spaces() {
        let expected = vec![
            number(dec!(2250862), 0),
            number(dec!(2210862), 0),
            number(dec!(4461724), 0),
        ];
        for row in [
            "| 2 250 862 | 2 210 862 | 4 461 724 |",
            "2 250 862\t2 210 862\t4 461 724",
            "2 250 862  2 210 862  4 461 724",
            "2 250 862 2 210 862 4 461 724",
            "2,250,862 2,210,862 4,461,724",
        ] {
            assert_eq!(read(row, 3), (expected.clone(), vec![]), "{row}");
        }
        assert_eq!(
            read("(41 609) | (264) | (41 873)", 3).0,
            vec![
                number(dec!(-41609), 0),
                number(dec!(-264), 0),
                number(dec!(-41873), 0)
            ]
        );
        assert_eq!(
            read("103 057  –  103 057", 3).0,
            vec![
                number(dec!(103057), 0),
                FigureKind::Dash,
                number(dec!(103057), 0)
            ]
        );
    }

    #[test]
    fn nothing_between_two_pipes_is_a_blank_cell() {
        assert_eq!(
            read(" |  |  |  |", 3).0,
            vec![FigureKind::Blank, FigureKind::Blank, FigureKind::Blank]
        );
        assert_eq!(
            read("| 1 402 358 || 3 231 716 |", 3).0,
            vec![
                number(dec!(1402358), 0),
                FigureKind::Blank,
                number(dec!(3231716), 0)
            ]
        );
        // Pipes around figures alone add no cell.
        assert_eq!(read("| 1 | 2 |", 2).0.len(), 2);
    }

    #[test]
    fn the_count_of_columns_decides_a_single_space() {
        assert_eq!(read("100 110", 2).0.len(), 2);
        assert_eq!(read("100 110", 1).0, vec![number(dec!(100110), 0)]);
        assert_eq!(read("1 1", 2).0.len(), 2);
        assert_eq!(read("2.5 2.5", 2).0.len(), 2);
        assert_eq!(read("1,875.2 1,916.7 3,791.9", 3).0.len(), 3);
        assert_eq!(
            read("12 345 678", 2),
            (read("12 345 678", 2).0, vec![Code::SyntaxAmbiguous])
        );
    }

    #[test]
    fn a_row_read_two_ways_is_a_diagnostic_with_both() {
        let (_, diagnostics) = read_cells("1 234 567  890", 0, Expected::Count(3));
        assert_eq!(diagnostics.len(), 1);
        let message = &diagnostics[0].message;
        assert!(message.contains("1 234 | 567 | 890"), "{message}");
        assert!(message.contains("1 | 234 567 | 890"), "{message}");
        let (_, unknown) = read_cells("2 250 862", 0, Expected::Unknown);
        assert_eq!(unknown.len(), 1);
        let (_, tight) = read_cells("2\u{a0}250\u{a0}862", 0, Expected::Unknown);
        assert!(tight.is_empty());
    }

    #[test]
    fn copying_slips_are_named() {
        let help = |text: &str| {
            let (_, diagnostics) = read_cells(text, 0, Expected::Count(1));
            diagnostics
                .first()
                .and_then(|d| d.help.clone())
                .map(String::from)
                .unwrap_or_default()
        };
        assert!(
            help("1 234,5").contains("write `1 234.5`"),
            "{}",
            help("1 234,5")
        );
        assert!(help("0,010").contains("`0.010`"), "{}", help("0,010"));
        assert!(help("2\u{200b}250").contains("U+200B ZERO WIDTH SPACE"));
        assert!(
            help("2 269 782a").contains("(2 269 782)"),
            "{}",
            help("2 269 782a")
        );
        assert!(help("1,875.2*").contains("(1,875.2)"));
    }

    #[test]
    fn a_long_row_of_digit_groups_is_read_without_trying_every_reading() {
        for groups in [40, 500, 100_000] {
            let row = vec!["123"; groups].join(" ");
            let (figures, diagnostics) = read_cells(&row, 0, Expected::Count(2));
            // The ambiguity, and each figure too long to hold.
            assert!(diagnostics.len() <= 3, "{groups} groups");
            assert_eq!(diagnostics[0].code, Code::SyntaxAmbiguous);
            assert!(diagnostics[0].message.chars().count() < 400);
            assert!(!figures.is_empty());
        }
    }

    #[test]
    fn text_cells_keep_their_words() {
        let (figures, diagnostics) = read_cells(
            r#""More coherent  delivery"   1,200"#,
            0,
            Expected::Count(2),
        );
        assert!(diagnostics.is_empty());
        assert_eq!(
            figures[0].kind,
            FigureKind::Text("More coherent  delivery".into())
        );
    }
}
