//! `bud import`: a budget table kept in a spreadsheet (.xlsx, CSV or TSV) becomes a
//! `.bud` table. `sheet` reads the file's bytes into a grid of cells (values, formulas,
//! merged cells); `infer` finds the header of years, the title and unit above it, the
//! rows with their markers and sections, and which rows are computed: from the sheet's
//! own formulas (`SUM(B6:B18)`, `=B19*13%`, `B5+B6-B7`) where it has them, otherwise
//! from the figures (a sum of the rows above, a percentage of a row, a sum or
//! difference of rows), within what the figures' rounding allows; `write` emits the
//! decision and its table, laid out by `bud fmt`. No I/O: the command line reads the
//! file and writes the result, and prints the report of what was inferred and what was
//! left as an input.

pub mod formula;
pub mod infer;
pub mod sheet;
pub mod write;

pub use sheet::Kind;

use crate::diagnostic::{Code, Diagnostic};

/// What to import.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The file's name as given, for the decision's symbol and the report.
    pub file: &'a str,
    pub kind: Kind,
    pub sheet: Option<&'a str>,
    pub range: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// The imported decision: its `.bud` text, formatted, and the report.
#[derive(Debug, Clone)]
pub struct Imported {
    pub text: String,
    /// One line per finding: the sheet read, the unit, rounding and columns proposed,
    /// then every row, what it was read as and why.
    pub report: Vec<String>,
    /// Rows recognised as computed, and rows left as inputs.
    pub computed: usize,
    pub inputs: usize,
}

/// Reads `bytes` as the request says and proposes the decision.
pub fn import(bytes: &[u8], request: &Request<'_>) -> Result<Imported, Diagnostic> {
    let grid = sheet::read(bytes, request.kind, request.sheet, request.range)?;
    let proposal = infer::infer(&grid, request.file, request.name)?;
    let source = match &grid.sheet {
        Some(sheet) => format!("{}, sheet \"{sheet}\", {}", request.file, grid.area.a1()),
        None => format!("{}, {}", request.file, grid.area.a1()),
    };
    let text = write::text(&proposal, &source);
    let text = crate::syntax::formatter::format(&text).map_err(|problems| {
        let first = problems
            .first()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        Diagnostic::error(
            Code::Internal,
            format!("bud import wrote a table it cannot read back: {first}"),
        )
        .with_help("please report this with the sheet that gave it")
    })?;
    let mut report = vec![format!("read      {source}")];
    if let Some(sheet) = &grid.sheet
        && grid.sheets.len() > 1
        && request.sheet.is_none()
    {
        report.push(format!(
            "sheet     `{sheet}`, the first of {}; name another with --sheet",
            grid.sheets.len()
        ));
    }
    if !grid.merged.is_empty() {
        let merged: Vec<String> = grid.merged.iter().map(|m| m.a1()).collect();
        report.push(format!(
            "merged    {} read as one cell each",
            merged.join(", ")
        ));
    }
    report.extend(proposal.report.iter().cloned());
    Ok(Imported {
        text,
        report,
        computed: proposal.computed,
        inputs: proposal.inputs,
    })
}
