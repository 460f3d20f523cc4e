//! The command line: the only place that reads files, prints and chooses an exit code.
//! `evaluate` prints the computed tables; `check` prints diagnostics only, for a person
//! or a machine, and also takes directories. Both take several files, and both exit 0
//! when nothing is wrong, 1 when a stated figure or rule fails, and 2 when a file
//! cannot be read or parsed, in every output format.

pub(crate) mod check;
mod compare;
mod diff;
pub(crate) mod discover;
mod evaluate;
mod explain;
mod fmt;
mod import;
pub(crate) mod input;
mod lsp;
mod output;
pub(crate) mod project;
mod revision;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  every stated figure reconciles (differences explained by rounding are shown, not failed)
  1  a stated figure or a rule fails
  2  a file cannot be read or parsed, or the command line is wrong";

const FMT_EXIT_CODES: &str = "\
Exit codes:
  0  every file is formatted (or has been, without --check)
  1  with --check: a file is not formatted (its diff is printed)
  2  a file cannot be read or parsed; it is left as it is";

/// Evaluate and reconcile the budget decisions of intergovernmental bodies.
#[derive(Debug, Parser)]
#[command(name = "bud", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every table of a decision as computed, each stated figure marked
    /// ✓ matching, ≈ rounding or ✗ error; as text, or in a format for documents,
    /// spreadsheets and programs.
    #[command(after_help = EXIT_CODES)]
    Evaluate {
        /// Decision files (.bud); formats other than `table` take one.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Evaluate this scenario of the decision instead of the decision itself.
        #[arg(long, value_name = "NAME")]
        scenario: Option<String>,
        /// The output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write the output to this file instead of standard output. The file is
        /// replaced whole or not at all: a run that fails leaves no partial file.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// The decision as adopted, to print or forward: the published figures at their
        /// published precision, without marks, notes or the names used in the file, and
        /// a line saying which file and which bud produced it (table, markdown, html,
        /// xlsx).
        #[arg(long)]
        publication: bool,
        /// Only this table: its number as published (`1`, `annex-ii`) or its name in the
        /// file (`core_budget`).
        #[arg(long, value_name = "TABLE")]
        table: Option<String>,
    },
    /// Show two variants side by side: the decision and a scenario, or two scenarios;
    /// every row whose figures differ, column by column.
    #[command(after_help = EXIT_CODES)]
    Compare {
        /// The decision file (.bud).
        file: PathBuf,
        /// A scenario to compare with the decision; give two to compare them.
        #[arg(long, value_name = "NAME", required = true, num_args = 1)]
        scenario: Vec<String>,
    },
    /// Show what changed between two versions of a decision (two files, or a file and
    /// itself at a git revision): the input figures, rows added or removed, and the
    /// totals and contributions they moved; as text, Markdown or JSON (docs/ci.md).
    #[command(after_help = diff::EXIT_CODES)]
    Diff(diff::Arguments),
    /// Reconcile every stated figure, of the decision and of each of its scenarios, and
    /// print only the diagnostics: for a person, or as GitHub Actions annotations, JSON
    /// or SARIF for CI (docs/ci.md).
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Decision files (.bud), or directories: every .bud file below a directory is
        /// checked, in sorted order (hidden directories and target/ are skipped, and so
        /// are files that another file found there imports).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print what was found.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// List the notes too: each difference explained by rounding, each residue of an
        /// apportionment. By default they are only counted, in the summary.
        #[arg(long, short = 'v', visible_short_alias = 'n', conflicts_with = "quiet")]
        notes: bool,
        /// Print only the errors: no warnings, notes or summaries.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Lay decision files out canonically, in place: rows and figures aligned per
    /// table, settings and rules aligned, comments kept where they are.
    #[command(after_help = FMT_EXIT_CODES)]
    Fmt {
        /// Decision files (.bud), or directories holding them.
        #[arg(required_unless_present = "stdin")]
        files: Vec<PathBuf>,
        /// Change nothing: print what would change as a diff, and exit 1 if anything would.
        #[arg(long)]
        check: bool,
        /// Read a decision from standard input and write it formatted to standard
        /// output, as editors' format commands expect.
        #[arg(long, conflicts_with_all = ["files", "check"])]
        stdin: bool,
    },
    /// Run the language server on standard input and output, for editors: diagnostics
    /// as you type, hovers with computed values, inlay hints, go to definition, find
    /// references, the outline, completion and formatting.
    Lsp,
    /// Open the workbench in a browser: every decision of a folder with its status, each
    /// decision's tables with the wrong figure highlighted, following the files as they
    /// are saved, and editing in the page.
    #[command(
        after_help = "It prints the address to open, with a token (`http://127.0.0.1:4000/?token=…`): only a browser that opened that address gets in. Ctrl-C stops it."
    )]
    Serve {
        /// A folder of decisions, or one decision (its folder is served); by default
        /// the current folder. Nothing outside it is read or written.
        path: Option<PathBuf>,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 4000)]
        port: u16,
        /// The address to listen on. The default, the loopback address, is reachable
        /// from this machine only.
        #[arg(long, default_value = "127.0.0.1")]
        address: std::net::IpAddr,
    },
    /// Turn a budget table kept in a spreadsheet (.xlsx, .csv, .tsv) into a .bud file,
    /// its computed rows recognised from the sheet's formulas or figures; what was
    /// inferred and what was left as an input is reported (docs/import.md).
    #[command(after_help = import::EXIT_CODES)]
    Import {
        /// The spreadsheet: an .xlsx workbook, or a .csv or .tsv file.
        file: PathBuf,
        /// The sheet holding the table (the first sheet otherwise).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// The cells holding the table, in A1 notation: `B4:F30`.
        #[arg(long, value_name = "A1:B2")]
        range: Option<String>,
        /// The table's name in formulas (made from its title otherwise).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Write the .bud file here instead of standard output, replaced whole or not
        /// at all.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Explain a diagnostic code, with an example: `bud explain bud::reconcile::mismatch`.
    /// Without a code, list every code.
    Explain {
        /// A code as diagnostics print it; the `bud::` may be left out.
        code: Option<String>,
    },
}

impl Command {
    /// Whether what the command was run for goes to standard output; `evaluate
    /// --output` and `fmt` in place write files instead.
    fn prints_its_result(&self) -> bool {
        match self {
            Command::Evaluate { output, .. } => output.is_none(),
            Command::Fmt { check, stdin, .. } => *check || *stdin,
            Command::Import { output, .. } => output.is_none(),
            _ => true,
        }
    }
}

/// What `bud evaluate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned tables in the published layout, for a terminal.
    Table,
    /// Every table, row, cell, stated figure and outcome; see docs/schema/.
    Json,
    /// One long-format file: a record per figure, for spreadsheets and data tools.
    Csv,
    /// Pipe tables to paste into a document.
    Markdown,
    /// One self-contained page with a print stylesheet.
    Html,
    /// A workbook: a sheet per table, totals as live formulas.
    Xlsx,
}

/// The output formats of `bud check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// The errors first, each with the lines it is about, then the warnings, then a
    /// summary per file that counts the notes (`--notes` lists them).
    Human,
    /// One JSON document: each file's status, counts and diagnostics with locations.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), errors and
    /// warnings only; summaries go to standard error.
    Github,
    /// A SARIF 2.1.0 log, for code scanning (github/codeql-action/upload-sarif).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    /// Colour when printing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl Color {
    pub(crate) fn enabled(self, terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// How a run ended; the worst outcome of any file decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Clean = 0,
    Failed = 1,
    Unreadable = 2,
}

impl From<bud::render::machine::Status> for Status {
    fn from(status: bud::render::machine::Status) -> Self {
        use bud::render::machine::Status as Found;
        match status {
            Found::Clean => Status::Clean,
            Found::Failed => Status::Failed,
            Found::Unreadable => Status::Unreadable,
        }
    }
}

impl Status {
    /// The outcome of one checked file.
    fn of(checked: &bud::Checked) -> Status {
        bud::render::machine::Status::of(checked).into()
    }
}

fn serve(path: Option<&std::path::Path>, port: u16, address: std::net::IpAddr) -> Status {
    let options = crate::web::Options {
        path: path.map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf),
        address,
        port,
    };
    match crate::web::serve(&options) {
        Ok(()) => Status::Clean,
        Err(why) => {
            let _ = output::err(&format!("bud serve: {why}\n"));
            Status::Unreadable
        }
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.prints_its_result() && output::stdout_was_closed() {
        let _ = output::err(
            "bud: standard output is closed, so nothing bud found could be shown; \
             redirect it to a file, or to /dev/null to discard it\n",
        );
        return ExitCode::from(Status::Unreadable as u8);
    }
    let status = match &cli.command {
        Command::Evaluate {
            files,
            scenario,
            format,
            output,
            publication,
            table,
        } => evaluate::run(&evaluate::Request {
            files,
            scenario: scenario.as_deref(),
            format: *format,
            output: output.as_deref(),
            color: cli.color,
            publication: *publication,
            table: table.as_deref(),
        }),
        Command::Compare { file, scenario } if scenario.len() > 2 => {
            let _ = (file, scenario);
            eprintln!("bud compare: give at most two --scenario options");
            Status::Unreadable
        }
        Command::Compare { file, scenario } => compare::run(
            file,
            scenario,
            cli.color.enabled(std::io::stderr().is_terminal()),
        ),
        Command::Diff(arguments) => diff::run(arguments, cli.color),
        Command::Check {
            files,
            format,
            notes,
            quiet,
        } => check::run(
            files,
            *format,
            check::Shown::asked(*notes, *quiet),
            cli.color.enabled(std::io::stdout().is_terminal()),
        ),
        Command::Fmt { stdin: true, .. } => fmt::filter(cli.color),
        Command::Fmt { files, check, .. } => fmt::run(files, *check, cli.color),
        Command::Lsp => lsp::run(),
        Command::Serve {
            path,
            port,
            address,
        } => serve(path.as_deref(), *port, *address),
        Command::Explain { code } => explain::run(code.as_deref()),
        Command::Import {
            file,
            sheet,
            range,
            name,
            output,
        } => import::run(&import::Options {
            file,
            sheet: sheet.as_deref(),
            range: range.as_deref(),
            name: name.as_deref(),
            output: output.as_deref(),
            color: cli.color.enabled(std::io::stderr().is_terminal()),
        }),
    };
    ExitCode::from(status as u8)
}
