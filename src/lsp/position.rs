//! Byte offsets, as bud's spans count, to editor positions and back. An editor counts
//! a line's characters in UTF-16 code units unless it agrees to UTF-8 when the session
//! starts; a decision full of "Côte d'Ivoire" and "≈" would drift otherwise.

use lsp_types::{Position, Range};

use crate::diagnostic::Span;

/// How positions count characters in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where each line of a text starts.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex {
            text,
            starts,
            encoding,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset) - 1;
        let start = self.starts[line];
        let before = self.text.get(start..offset).unwrap_or_default();
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(character).unwrap_or(u32::MAX),
        )
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start()), self.position(span.end()))
    }

    /// The byte offset of a position; past the end of its line is the line's end.
    pub fn offset(&self, position: Position) -> usize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let Some(start) = self.starts.get(line).copied() else {
            return self.text.len();
        };
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        // A CRLF line ends before its `\r`: a position past the end lands there.
        if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let line_text = self.text.get(start..end).unwrap_or_default();
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut counted = 0;
        for (at, c) in line_text.char_indices() {
            if counted >= wanted {
                return start + at;
            }
            counted += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_a_wide_character_once_and_utf8_by_its_bytes() {
        let text = "a ≈ b\nCôte d'Ivoire 1\n";
        let utf16 = LineIndex::new(text, Encoding::Utf16);
        let b = text.find('b').unwrap_or(0);
        assert_eq!(utf16.position(b), Position::new(0, 4));
        assert_eq!(utf16.offset(Position::new(0, 4)), b);
        let one = text.find('1').unwrap_or(0);
        assert_eq!(utf16.position(one), Position::new(1, 14));
        let utf8 = LineIndex::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(b), Position::new(0, 6));
        assert_eq!(utf8.offset(Position::new(1, 15)), one);
    }

    #[test]
    fn past_the_end_of_a_crlf_line_is_before_its_carriage_return() {
        let index = LineIndex::new("ab\r\ncd\r\n", Encoding::Utf16);
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(1, 99)), 6);
    }

    #[test]
    fn positions_past_a_line_or_the_text_are_clamped() {
        let index = LineIndex::new("ab\ncd", Encoding::Utf16);
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(9, 0)), 5);
    }
}
