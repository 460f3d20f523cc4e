//! Syntax: text in, typed AST out. `grammar/bud.pest` defines the language; `parser`
//! runs it and lowers pest's parse tree into `ast` (every node with its byte span);
//! `errors` words syntax errors for people; `limits` refuses input too deep to parse
//! safely. Nothing outside this module depends on pest.

pub mod ast;
pub mod data;
mod errors;
pub mod limits;
mod parser;

use crate::diagnostic::Diagnostic;

/// Parses a decision file into its syntax tree, or the diagnostics that stop it.
pub fn parse(source: &str) -> Result<ast::File, Vec<Diagnostic>> {
    limits::check(source).map_err(|diagnostic| vec![diagnostic])?;
    parser::parse(source)
}

pub(crate) use parser::parse_number;
