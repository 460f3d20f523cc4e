//! Going on after a syntax error, so that one run reports every broken line rather than
//! the first. pest stops at the first error and has no recovery of its own, so the
//! parser blanks out the broken statement (the row, setting or value on the error's
//! line, or the whole block that line opens) and parses again. Blanking replaces bytes
//! with spaces and keeps line breaks, so every later span stays where it was.

/// At most this many syntax errors are reported in one file; past that, the first
/// ones are the ones worth fixing.
pub const MAX_SYNTAX_ERRORS: usize = 20;

/// Words that open a top-level item. A line starting with one inside an unclosed
/// block most likely means the block lost its `}`; blanking would only hide the items
/// below, one error each, so recovery stops there.
pub(crate) const ITEM_KEYWORDS: [&str; 11] = [
    "decision",
    "report",
    "paragraph",
    "table",
    "scale",
    "group",
    "scenario",
    "import",
    "erratum",
    "rule",
    "arrears",
];

/// `text` with the statement at byte `position` blanked out, or `None` when there is
/// nothing that can be skipped safely: the error is at the end of the file, on an
/// empty line, or at an item that an unclosed block swallowed.
pub fn skip_statement(text: &str, position: usize) -> Option<String> {
    let position = position.min(text.len());
    let start = text.get(..position)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = line_end(text, start);
    let line = text.get(start..line_end)?;
    let code = code_of(line);
    if code.trim().is_empty() {
        return None;
    }
    if depth_before(text, start) > 0 && opens_an_item(code) {
        return None;
    }
    let end = match balance(code) {
        opened if opened > 0 => block_end(text, line_end, opened),
        _ => line_end,
    };
    Some(blanked(text, start, end))
}

/// Where the line starting at `start` ends (before its `\n`), or the end of the text.
fn line_end(text: &str, start: usize) -> usize {
    text.get(start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| start + i)
}

/// A line without its `//` comment, texts kept whole (a `//` in quotes is text).
pub(super) fn code_of(line: &str) -> &str {
    let mut in_text = false;
    let mut previous = '\0';
    for (i, c) in line.char_indices() {
        match c {
            '"' if previous != '\\' => in_text = !in_text,
            '/' if !in_text && previous == '/' => return line.get(..i - 1).unwrap_or(line),
            _ => {}
        }
        previous = c;
    }
    line
}

/// `{` minus `}` on a line of code, outside texts.
fn balance(code: &str) -> i64 {
    let mut in_text = false;
    let mut previous = '\0';
    let mut opened = 0;
    for c in code.chars() {
        match c {
            '"' if previous != '\\' => in_text = !in_text,
            '{' if !in_text => opened += 1,
            '}' if !in_text => opened -= 1,
            _ => {}
        }
        previous = c;
    }
    opened
}

/// How many blocks are open at byte `offset`.
fn depth_before(text: &str, offset: usize) -> i64 {
    text.get(..offset)
        .unwrap_or_default()
        .split('\n')
        .map(|line| balance(code_of(line)))
        .sum::<i64>()
        .max(0)
}

fn opens_an_item(code: &str) -> bool {
    let first = code.split_whitespace().next().unwrap_or_default();
    ITEM_KEYWORDS.contains(&first)
}

/// The end of the line that closes the `opened` blocks opened by the line ending at
/// `from`, or the end of the text if they are never closed.
fn block_end(text: &str, from: usize, opened: i64) -> usize {
    let mut depth = opened;
    let mut offset = from;
    while offset < text.len() {
        let start = offset + 1;
        let end = line_end(text, start.min(text.len()));
        depth += balance(code_of(text.get(start..end).unwrap_or_default()));
        if depth <= 0 {
            return end;
        }
        offset = end;
    }
    text.len()
}

/// `text` with every byte from `start` to `end` but line breaks turned into spaces.
fn blanked(text: &str, start: usize, end: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for byte in bytes.get_mut(start..end).unwrap_or_default() {
        if *byte != b'\n' {
            *byte = b' ';
        }
    }
    // Whole characters were replaced byte by byte with ASCII spaces, so this is UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_row_is_blanked_and_the_lines_keep_their_places() {
        let text = "table t {\n  a \"A\" 1 ?\n  b \"B\" 2\n}\n";
        let at = text.find('?').unwrap();
        let skipped = skip_statement(text, at).unwrap();
        assert_eq!(skipped.len(), text.len());
        let blank_row = " ".repeat("  a \"A\" 1 ?".len());
        assert_eq!(
            skipped,
            format!("table t {{\n{blank_row}\n  b \"B\" 2\n}}\n")
        );
    }

    #[test]
    fn a_broken_block_opener_blanks_the_whole_block() {
        let text = "tabel t {\n  a \"A\" 1\n}\nx = 1\n";
        let skipped = skip_statement(text, 0).unwrap();
        assert_eq!(skipped.trim(), "x = 1");
        assert_eq!(skipped.len(), text.len());
    }

    #[test]
    fn an_item_inside_an_unclosed_block_stops_recovery() {
        let text = "table t {\n  a \"A\" 1\ntable u {\n}\n";
        let at = text.find("table u").unwrap();
        assert_eq!(skip_statement(text, at), None);
    }

    #[test]
    fn an_error_at_the_end_or_on_an_empty_line_stops_recovery() {
        assert_eq!(skip_statement("x = 1\n", 6), None);
        assert_eq!(skip_statement("x = 1\n\n", 6), None);
    }

    #[test]
    fn braces_in_texts_and_comments_do_not_count() {
        assert_eq!(balance(code_of("a \"{\" 1 // {")), 0);
        assert_eq!(balance(code_of("t \"}\" {")), 1);
    }

    #[test]
    fn multibyte_characters_are_blanked_whole() {
        let text = "x = € é\ny = 1\n";
        let skipped = skip_statement(text, 4).unwrap();
        assert_eq!(skipped.len(), text.len());
        assert!(skipped.starts_with("       "));
    }
}
