//! Limits that keep parsing safe on any input: the parser and the evaluator recurse
//! once per level of brackets and once per operator of a formula, so a file nested
//! deeper, or a formula longer, than any real decision could need is refused with a
//! diagnostic before it can exhaust the stack.

use crate::diagnostic::{Code, Diagnostic, Span};

/// Deepest nesting of `(`, `[` and `{` accepted. Real decisions stay under ten.
pub const MAX_NESTING: usize = 100;

/// Most operators (`+`, `-`, `*`, `/`, `^`, `of`, and negation) in one formula. Real
/// formulas have a handful; a long list of rows is added with `sum(…)`, which has no
/// such limit because its terms do not nest.
pub const MAX_FORMULA_OPERATORS: usize = 256;

/// Largest decision, imported or data file accepted, in bytes (128 MiB). BS-VI/7 with
/// all of its tables is 17 KB, and its Table 5 data file, 164 Parties, 8 KB; the limit
/// leaves room for a whole secretariat's history in one file (a million budget lines
/// are about 50 MB) while keeping a file named by mistake from costing gigabytes,
/// since bud needs a few times a file's size in memory (docs/performance.md).
pub const MAX_FILE_BYTES: usize = 128 << 20;

/// The most bytes a decision and the files it imports may hold together: spans are
/// 32-bit offsets into all of them (`diagnostic::Span`).
pub const MAX_LOADED_BYTES: usize = u32::MAX as usize;

/// Refuses an imported file of `size` bytes that would start at `base`, past which
/// its spans could not point.
pub fn check_offsets(base: usize, size: usize, import: Span) -> Result<(), Diagnostic> {
    if base.saturating_add(size) <= MAX_LOADED_BYTES {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::SyntaxLimit,
        "the decision and the files it imports are more than 4 GiB together, more than bud reads",
    )
    .at(import, "this import passes 4 GiB")
    .with_help("a decision imports a few small files of groups and values; check what it imports"))
}

/// `MAX_FILE_BYTES` as a budget officer reads it, for messages.
pub const MAX_FILE_SIZE_IN_WORDS: &str = "134,217,728 bytes (128 MiB)";

/// Refuses a text larger than `MAX_FILE_BYTES`, before any work that grows with it.
pub fn check_size(source: &str) -> Result<(), Diagnostic> {
    if source.len() <= MAX_FILE_BYTES {
        return Ok(());
    }
    Err(too_large(source.len()).at(Span::new(0, 0), "this file is too large"))
}

/// The diagnostic for a file of `size` bytes, larger than `MAX_FILE_BYTES`; the
/// command line gives it before reading the file, the library after.
pub fn too_large(size: usize) -> Diagnostic {
    Diagnostic::error(
        Code::SyntaxLimit,
        format!(
            "the file is {} bytes, more than the {MAX_FILE_SIZE_IN_WORDS} bud reads",
            crate::format::exact(rust_decimal::Decimal::from(size))
        ),
    )
    .with_help("a decision file is a few dozen kilobytes; check that this is the file you meant")
}

/// Refuses brackets nested deeper than `MAX_NESTING`, before the parser recurses.
pub fn check(source: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_text = false;
    let mut escaped = false;
    let mut in_comment = false;
    let mut previous = 0u8;
    // Bytes, not characters: every delimiter is ASCII, and no byte of a multi-byte
    // character is, so the scan is the same and several times faster.
    for (offset, &c) in source.as_bytes().iter().enumerate() {
        if c == b'\n' {
            // Texts and comments end with their line, as in the grammar.
            (in_text, escaped, in_comment) = (false, false, false);
        } else if in_comment {
        } else if in_text {
            // Inside a text, `\` escapes the next character, so `"a\\"` closes.
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_text = false,
                _ => {}
            }
        } else {
            match c {
                b'"' => in_text = true,
                b'/' if previous == b'/' => in_comment = true,
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(too_deep(Span::new(offset, offset + 1)));
                    }
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = c;
    }
    Ok(())
}

pub fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::SyntaxLimit,
        format!("brackets are nested more than {MAX_NESTING} deep"),
    )
    .at(span, "this bracket is too deep")
    .with_help("split the formula into named values; no decision needs this much nesting")
}

/// The diagnostic for a formula with more than `MAX_FORMULA_OPERATORS` operators.
pub fn formula_too_long(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::SyntaxLimit,
        format!("this formula has more than {MAX_FORMULA_OPERATORS} operators"),
    )
    .at(span, "too long a formula")
    .with_help("add long lists with sum(a, b, c, …) or sum(section), or split the formula into named values")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("x = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let diagnostic = check(&deep).unwrap_err();
        assert_eq!(diagnostic.code, Code::SyntaxLimit);
    }

    #[test]
    fn an_escaped_backslash_closes_its_text() {
        let label_then_deep = format!("t \"a\\\\\" = {}1{}", "(".repeat(500), ")".repeat(500));
        assert_eq!(check(&label_then_deep).unwrap_err().code, Code::SyntaxLimit);
    }

    #[test]
    fn an_import_whose_spans_would_pass_4_gib_is_refused() {
        let import = Span::new(10, 30);
        assert!(check_offsets(MAX_LOADED_BYTES - 100, 100, import).is_ok());
        let refused = check_offsets(MAX_LOADED_BYTES - 100, 101, import).unwrap_err();
        assert_eq!(refused.code, Code::SyntaxLimit);
        assert_eq!(refused.primary.map(|label| label.span), Some(import));
        assert!(check_offsets(usize::MAX, 1, import).is_err(), "no overflow");
    }

    #[test]
    fn brackets_in_texts_and_comments_do_not_count() {
        let text = format!("x = 1 // {}\ny = \"{}\"", "(".repeat(500), "[".repeat(500));
        assert!(check(&text).is_ok());
    }
}

#[cfg(test)]
mod formula_limits {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn a_formula_with_too_many_operators_is_refused() {
        let long = format!("x = {}1\n", "1 + ".repeat(MAX_FORMULA_OPERATORS + 1));
        let diagnostics = parse(&long).unwrap_err();
        assert_eq!(diagnostics[0].code, Code::SyntaxLimit);
        let right_nested = format!("x = {}2\n", "2 ^ ".repeat(5_000));
        assert_eq!(parse(&right_nested).unwrap_err()[0].code, Code::SyntaxLimit);
        let negations = format!("x = {}1\n", "-".repeat(5_000));
        assert_eq!(parse(&negations).unwrap_err()[0].code, Code::SyntaxLimit);
    }

    #[test]
    fn the_deepest_formula_allowed_evaluates_on_a_small_stack() {
        // Test threads have 2 MiB of stack, a quarter of the binary's main thread.
        let header = "decision \"X\" {\n title \"t\"\n period 2013-2014\n currency US$\n}\n";
        let nested = format!(
            "{header}x = {}{}2 ^ 1{}\ny = {}{}{}\n",
            "-(".repeat(MAX_NESTING - 1),
            "-".repeat(MAX_FORMULA_OPERATORS - MAX_NESTING),
            ")".repeat(MAX_NESTING - 1),
            "(".repeat(MAX_NESTING - 1),
            vec!["1"; MAX_FORMULA_OPERATORS + 1].join(" + "),
            ")".repeat(MAX_NESTING - 1),
        );
        let checked = crate::checked_text(&nested);
        assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    }
}
