//! The evaluated decision as JSON, for programs: every table, line and cell with its
//! unit, stated figure and reconciliation outcome. Numbers are strings of decimal
//! digits (`"2922.088"`), because a JSON number is read as a binary float by most
//! parsers and would lose the exactness bud keeps. The shape is versioned and
//! described by `docs/schema/evaluation.schema.json`; a change that removes or renames
//! a field raises `VERSION`.
//!
//! The JSON is compact, one line: indented, a million rows came to a gigabyte, half of
//! it spaces (`jq .` indents it for reading). It is written as it is built, a table at
//! a time (`view::Outline`), so no copy of the whole document or of the text is held.

use std::cell::RefCell;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::view::{Document, Outline, Table};

/// The version of the JSON shape, raised on any change a reader could trip on.
pub const VERSION: u32 = 1;

/// The document as compact JSON, one value, ending in a newline, written to `out` a
/// table at a time.
pub fn write(outline: &Outline<'_>, out: &mut impl Write) -> io::Result<()> {
    let evaluation = Evaluation {
        format: "bud-evaluation",
        version: VERSION,
        generator: format!("bud {}", env!("CARGO_PKG_VERSION")),
        decision: Decision {
            head: &outline.head,
            tables: Tables(RefCell::new(Some(outline.tables()))),
        },
    };
    serde_json::to_writer(&mut *out, &evaluation).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The whole document as `write` writes it.
pub fn render(document: &Document) -> String {
    let outline_tables = document.tables.iter().cloned();
    let evaluation = Evaluation {
        format: "bud-evaluation",
        version: VERSION,
        generator: format!("bud {}", env!("CARGO_PKG_VERSION")),
        decision: Decision {
            head: document,
            tables: Tables(RefCell::new(Some(outline_tables))),
        },
    };
    match serde_json::to_string(&evaluation) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Every field is a string, number, bool or list of them: serialising cannot fail.
        Err(error) => format!("{{\"error\": \"{error}\"}}\n"),
    }
}

#[derive(serde::Serialize)]
#[serde(bound = "")]
struct Evaluation<'a, I: Iterator<Item = Table>> {
    format: &'static str,
    version: u32,
    generator: String,
    decision: Decision<'a, I>,
}

/// A `Document` with its tables taken from `tables` rather than `head.tables`: the same
/// fields in the same order as `Document`'s derived form.
struct Decision<'a, I: Iterator<Item = Table>> {
    head: &'a Document,
    tables: Tables<I>,
}

impl<I: Iterator<Item = Table>> Serialize for Decision<'_, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let head = self.head;
        let mut fields = serializer.serialize_struct("Document", 13)?;
        fields.serialize_field("kind", &head.kind)?;
        fields.serialize_field("symbol", &head.symbol)?;
        fields.serialize_field("title", &head.title)?;
        fields.serialize_field("meeting", &head.meeting)?;
        fields.serialize_field("issuer", &head.issuer)?;
        fields.serialize_field("period", &head.period)?;
        fields.serialize_field("dates", &head.dates)?;
        fields.serialize_field("currency", &head.currency)?;
        fields.serialize_field("scenario", &head.scenario)?;
        // One table asked for alone comes without the paragraphs, as in every format.
        let paragraphs = match head.presentation.one_table {
            true => &[][..],
            false => &head.paragraphs[..],
        };
        fields.serialize_field("paragraphs", paragraphs)?;
        fields.serialize_field("tables", &self.tables)?;
        fields.serialize_field("summary", &head.summary)?;
        fields.serialize_field("errata", &head.errata)?;
        fields.end()
    }
}

/// Tables serialised as they come from the iterator, each dropped once written. Serde
/// serialises through `&self`, so the iterator is taken out of a cell, once.
struct Tables<I>(RefCell<Option<I>>);

impl<I: Iterator<Item = Table>> Serialize for Tables<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tables = self.0.borrow_mut().take();
        serializer.collect_seq(tables.into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decision with a table, values and a scale, as a view.
    fn checked() -> crate::Checked {
        crate::checked_text(
            "decision \"X/1\" {\n    title    \"T\"\n    period   2013-2014\n    currency US$\n}\n\n\
             rate = 13%\n\n\
             table 1 budget {\n    unit     thousands of US$\n    rounding 0.1\n    columns  2013 2014 Total\n\n\
             \x20   staff    \"Staff\"      100.0  110.0  210.0\n\
             \x20   support  \"Support\"     13.0   14.3   27.3  = rate of staff\n}\n",
        )
    }

    #[test]
    fn written_a_table_at_a_time_it_is_the_document_serialised_whole() {
        let checked = checked();
        let model = checked.model.as_ref().unwrap();
        let mut streamed = Vec::new();
        write(
            &crate::render::view::outline(&checked, model),
            &mut streamed,
        )
        .unwrap();
        let document = crate::render::view::document(&checked, model);
        assert_eq!(String::from_utf8(streamed).unwrap(), render(&document));
        // The derived form of the whole document has the same fields in the same order.
        let derived = serde_json::to_string(&document).unwrap();
        assert!(render(&document).contains(&derived), "{derived}");
    }

    #[test]
    fn it_is_compact_one_line() {
        let checked = checked();
        let json = render(&crate::render::view::document(
            &checked,
            checked.model.as_ref().unwrap(),
        ));
        assert_eq!(json.lines().count(), 1);
        assert!(json.contains("\"tables\":[{\"id\":\"table-1\""), "{json}");
    }
}
