//! The evaluated decision as JSON, for programs: every table, line and cell with its
//! unit, stated figure and reconciliation outcome. Numbers are strings of decimal
//! digits (`"2922.088"`), because a JSON number is read as a binary float by most
//! parsers and would lose the exactness bud keeps. The shape is versioned and
//! described by `docs/schema/evaluation.schema.json`; a change that removes or renames
//! a field raises `VERSION`.

use serde::Serialize;

use super::view::Document;

/// The version of the JSON shape, raised on any change a reader could trip on.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Evaluation<'a> {
    format: &'static str,
    version: u32,
    generator: String,
    decision: &'a Document,
}

/// The document as pretty-printed JSON, one value, ending in a newline.
pub fn render(document: &Document) -> String {
    let evaluation = Evaluation {
        format: "bud-evaluation",
        version: VERSION,
        generator: format!("bud {}", env!("CARGO_PKG_VERSION")),
        decision: document,
    };
    match serde_json::to_string_pretty(&evaluation) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Every field is a string, number, bool or list of them: serialising cannot fail.
        Err(error) => format!("{{\"error\": \"{error}\"}}\n"),
    }
}
