//! Syntax: text in, typed AST out. `grammar/bud.pest` defines the language; `parser`
//! runs it and lowers pest's parse tree into `ast` (every node with its byte span);
//! `errors` words syntax errors for people and `recovery` skips the broken statement so
//! that parsing goes on; `limits` refuses input too large or too deep to parse safely;
//! `shortcut` reads plain budget lines without the grammar, the bulk of a large file;
//! `imports` follows `import "…"` and gives each file its stretch of the span offsets;
//! `formatter` lays a file out canonically (`bud fmt`), and `format_diff` shows what it
//! would change (`bud fmt --check`).
//! Nothing outside this module depends on pest.

pub mod ast;
pub mod data;
mod errors;
pub(crate) mod figures;
pub mod format_diff;
pub mod formatter;
pub mod imports;
pub mod limits;
mod parser;
mod recovery;
mod shortcut;

use crate::diagnostic::Diagnostic;

/// Parses a decision file into its syntax tree, or the diagnostics that stop it.
/// Imports are left as they are written: `imports::load` follows them.
pub fn parse(source: &str) -> Result<ast::File, Vec<Diagnostic>> {
    limits::check_size(source).map_err(|diagnostic| vec![diagnostic])?;
    limits::check(source).map_err(|diagnostic| vec![diagnostic])?;
    parser::parse_at(source, 0)
}

pub use errors::KEYWORDS;
pub(crate) use figures::figure_kind;
pub(crate) use figures::parse_number;
