//! How numbers are written for people: thousands separators, a fixed number of
//! decimals where a table publishes them, and every digit where a value is exact.
//! Used by messages and renderers alike, so a figure reads the same everywhere.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::semantics::number::Exact;
use crate::syntax::ast::{RoundingMode, Written};

/// `1,875.2`: rounded to `decimals` places with the given mode, grouped by thousands.
pub fn fixed(value: Decimal, decimals: u32, mode: RoundingMode) -> String {
    let strategy = match mode {
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let mut rounded = value.round_dp_with_strategy(decimals, strategy);
    rounded.rescale(decimals);
    grouped(rounded)
}

/// `189,533.0646`: every digit of the value, trailing zeros dropped.
pub fn exact(value: Decimal) -> String {
    grouped(value.normalize())
}

/// An exact number; a fraction such as 2/37 shows twelve decimals and an ellipsis.
pub fn exact_number(value: Exact) -> String {
    if value.is_fraction() {
        let mut shown = value.to_decimal().round_dp(12);
        shown = shown.normalize();
        format!("{}…", grouped(shown))
    } else {
        exact(value.to_decimal())
    }
}

/// A text with its footnote marks (`Administrative Services^a`, a mark written after
/// `^`) as superscripts, for a terminal: `Administrative Servicesᵃ`. A mark without a
/// superscript form keeps its `^`.
pub fn superscript_marks(text: &str) -> String {
    rewrite_marks(text, |mark| {
        let raised: Option<String> = mark.chars().map(superscript).collect();
        raised.unwrap_or_else(|| format!("^{mark}"))
    })
}

/// Each footnote mark `^a` of `text` replaced by `with(mark)`.
pub fn rewrite_marks(text: &str, with: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('^') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let length = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '*'))
            .unwrap_or(after.len());
        if length == 0 || length > 3 {
            out.push('^');
            rest = after;
            continue;
        }
        out.push_str(&with(&after[..length]));
        rest = &after[length..];
    }
    out.push_str(rest);
    out
}

fn superscript(c: char) -> Option<char> {
    const LETTERS: &str = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ\u{0}ʳˢᵗᵘᵛʷˣʸᶻ";
    const DIGITS: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    match c {
        'a'..='z' => LETTERS
            .chars()
            .nth(usize::from(c as u8 - b'a'))
            .filter(|raised| *raised != '\u{0}'),
        '0'..='9' => DIGITS.chars().nth(usize::from(c as u8 - b'0')),
        '*' => Some('*'),
        _ => None,
    }
}

/// How a table prints its figures (`notation` in a table, a scale or the decision).
/// Figures are formatted in the `Comma` notation first, then rewritten, so that every
/// writer shares one place that knows the digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Notation {
    /// `2,250,862.5`, `-41,609`, `-` for nil: BS-VI/7's, and bud's default.
    #[default]
    Comma,
    /// United Nations notation: `2 250 862.5`, `(41 609)`, `–` (an en dash) for nil.
    Un,
}

impl Notation {
    /// As the language writes it: `notation UN`.
    pub fn name(self) -> &'static str {
        match self {
            Notation::Comma => "comma",
            Notation::Un => "UN",
        }
    }

    /// A figure as this notation prints it, from the `Comma` notation: `-41,609`
    /// becomes `(41 609)`, and a dash `–`. Text that is not a figure is left alone.
    pub fn figure(self, comma: &str) -> String {
        match self {
            Notation::Comma => comma.to_owned(),
            Notation::Un if comma == "-" => NIL_DASH.to_owned(),
            Notation::Un => match comma.strip_prefix('-') {
                Some(magnitude) if is_figure(magnitude) => format!("({})", spaced(magnitude)),
                _ if is_figure(comma.trim_start_matches('+')) => spaced(comma),
                _ => comma.to_owned(),
            },
        }
    }

    /// A difference with its sign written out (`+1 000`, `-264`), never in
    /// parentheses: the sign says which way it goes.
    pub fn difference(self, comma: &str) -> String {
        match self {
            Notation::Comma => comma.to_owned(),
            Notation::Un => spaced(comma),
        }
    }

    /// What a published dash is printed as.
    pub fn dash(self) -> &'static str {
        match self {
            Notation::Comma => "-",
            Notation::Un => NIL_DASH,
        }
    }
}

impl serde::Serialize for Notation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The en dash UN tables print for nil.
const NIL_DASH: &str = "\u{2013}";

fn is_figure(text: &str) -> bool {
    !text.is_empty()
        && text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '…'))
}

/// `1,234.5` as `1 234.5`.
fn spaced(comma: &str) -> String {
    comma.replace(',', " ")
}

/// How amounts are written in one place: in a table of thousands, divided by 1,000 and
/// with at least the table's published decimals (`20.0`, `336.388`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scaled {
    pub factor: Decimal,
    pub min_decimals: u32,
    pub notation: Notation,
}

impl Scaled {
    /// Amounts in the currency's own units, every digit.
    pub const UNITS: Scaled = Scaled {
        factor: Decimal::ONE,
        min_decimals: 0,
        notation: Notation::Comma,
    };

    /// A figure, in the notation: `(41 609)` in a UN table.
    pub fn show(self, value: Exact) -> String {
        self.notation.figure(&self.comma(value))
    }

    /// A difference with its sign: `+10.0`, `-264`.
    pub fn show_signed(self, value: Exact) -> String {
        self.notation.difference(&signed(self.comma(value)))
    }

    fn comma(self, value: Exact) -> String {
        match value.checked_div(Exact::new(self.factor)) {
            Ok(scaled) if scaled.is_fraction() => exact_number(scaled),
            Ok(scaled) => {
                let mut digits = scaled.to_decimal().normalize();
                if digits.scale() < self.min_decimals {
                    digits.rescale(self.min_decimals);
                }
                grouped(digits)
            }
            Err(_) => "?".to_owned(),
        }
    }

    pub fn show_decimal(self, value: Decimal) -> String {
        self.show(Exact::new(value))
    }
}

/// A figure exactly as it was written: `2,963.1`, `20.0`, `55,000`.
pub fn written(figure: Written) -> String {
    fixed(figure.value, figure.decimals, RoundingMode::HalfUp)
}

/// A difference with its sign: `+10.0`, `-0.1`.
pub fn signed(text: String) -> String {
    if text.starts_with('-') || text.chars().all(|c| c == '0' || c == '.' || c == ',') {
        text
    } else {
        format!("+{text}")
    }
}

fn grouped(value: Decimal) -> String {
    let text = value.to_string();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let mut out = String::with_capacity(text.len() + integer.len() / 3 + 1);
    let is_zero = value.is_zero();
    if negative && !is_zero {
        out.push('-');
    }
    for (i, digit) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `text` safe to print on a terminal: control characters (but tab and line breaks)
/// and the invisible marks that reorder text (bidirectional overrides and isolates)
/// replaced by characters of the same length in bytes, `?` or U+FFFD, so that spans
/// into the text still point where they did.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c.len_utf8() {
            _ if !unsafe_char(c) => safe.push(c),
            3 => safe.push('\u{FFFD}'),
            length => safe.extend(std::iter::repeat_n('?', length)),
        }
    }
    std::borrow::Cow::Owned(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_keeps_its_length_and_loses_what_a_terminal_obeys() {
        for text in [
            "Staff \u{1b}[31mred",
            "\u{202E}evil",
            "a\u{2067}b\u{85}c\u{7f}",
            "plain\ttab\r\n",
        ] {
            let safe = printable(text);
            assert_eq!(safe.len(), text.len(), "{text:?}");
            assert!(
                !safe.contains(['\u{1b}', '\u{202E}', '\u{2067}', '\u{85}', '\u{7f}']),
                "{safe:?}"
            );
        }
        assert_eq!(printable("Staff \u{1b}[31m"), "Staff ?[31m");
        assert!(matches!(
            printable("plain\ttab\r\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
    use crate::syntax::parse_number;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn published_precision_and_separators() {
        assert_eq!(fixed(dec!(2963.199), 1, RoundingMode::HalfUp), "2,963.2");
        assert_eq!(fixed(dec!(20), 1, RoundingMode::HalfUp), "20.0");
        assert_eq!(fixed(dec!(1418150), 0, RoundingMode::HalfUp), "1,418,150");
        assert_eq!(fixed(dec!(-0.04), 1, RoundingMode::HalfUp), "0.0");
        assert_eq!(fixed(dec!(-1234.56), 1, RoundingMode::HalfUp), "-1,234.6");
        assert_eq!(fixed(dec!(0.25), 1, RoundingMode::HalfEven), "0.2");
    }

    #[test]
    fn exact_values_keep_every_digit() {
        assert_eq!(exact(dec!(189533.06460)), "189,533.0646");
        assert_eq!(exact(dec!(12.500)), "12.5");
        assert_eq!(exact(dec!(100)), "100");
        let third = Exact::new(dec!(1))
            .checked_div(Exact::new(dec!(3)))
            .unwrap();
        assert_eq!(exact_number(third), "0.333333333333…");
    }

    #[test]
    fn scaled_amounts_keep_published_decimals() {
        let thousands = Scaled {
            factor: dec!(1000),
            min_decimals: 1,
            notation: Notation::Comma,
        };
        assert_eq!(thousands.show(Exact::new(dec!(20000))), "20.0");
        assert_eq!(thousands.show(Exact::new(dec!(336388))), "336.388");
        assert_eq!(
            Scaled::UNITS.show(Exact::new(dec!(2922088.000))),
            "2,922,088"
        );
    }

    #[test]
    fn un_notation_prints_spaces_parentheses_and_an_en_dash() {
        let un = Notation::Un;
        assert_eq!(un.figure("2,250,862"), "2 250 862");
        assert_eq!(un.figure("-41,609"), "(41 609)");
        assert_eq!(un.figure("-"), "–");
        assert_eq!(un.figure("1,234.56"), "1 234.56");
        assert_eq!(un.figure("n/a"), "n/a");
        assert_eq!(un.difference("-1,000"), "-1 000");
        let scaled = Scaled {
            notation: un,
            ..Scaled::UNITS
        };
        assert_eq!(scaled.show(Exact::new(dec!(-41609))), "(41 609)");
        assert_eq!(scaled.show_signed(Exact::new(dec!(1000))), "+1 000");
    }

    #[test]
    fn differences_carry_a_sign() {
        assert_eq!(signed("10.0".to_owned()), "+10.0");
        assert_eq!(signed("-0.1".to_owned()), "-0.1");
        assert_eq!(signed("0.0".to_owned()), "0.0");
    }

    proptest! {
        #[test]
        fn a_formatted_figure_reads_back_as_the_same_number(mantissa in -10_000_000_000i64..10_000_000_000, scale in 0u32..4) {
            let value = Decimal::new(mantissa, scale);
            let text = fixed(value, scale, RoundingMode::HalfUp);
            let back = parse_number(&text).unwrap();
            prop_assert_eq!(back.value, value);
            prop_assert_eq!(back.decimals, scale);
        }
    }
}
