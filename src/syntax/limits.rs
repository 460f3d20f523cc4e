//! Limits that keep parsing safe on any input: the parser and the evaluator recurse
//! once per level of brackets, so a file nested deeper than any real decision could
//! be is refused with a diagnostic before it can exhaust the stack.

use crate::diagnostic::{Code, Diagnostic, Span};

/// Deepest nesting of `(`, `[` and `{` accepted. Real decisions stay under ten.
pub const MAX_NESTING: usize = 100;

pub fn check(source: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut previous = '\0';
    for (offset, c) in source.char_indices() {
        match c {
            '\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            '"' if previous != '\\' => in_string = !in_string,
            _ if in_string => {}
            '/' if previous == '/' => in_comment = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(Span::new(offset, offset + 1)));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    Ok(())
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::SyntaxLimit,
        format!("brackets are nested more than {MAX_NESTING} deep"),
    )
    .at(span, "this bracket is too deep")
    .with_help("split the formula into named values; no decision needs this much nesting")
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
    fn brackets_in_texts_and_comments_do_not_count() {
        let text = format!("x = 1 // {}\ny = \"{}\"", "(".repeat(500), "[".repeat(500));
        assert!(check(&text).is_ok());
    }
}
