//! The `bud` binary: a thin shell over the library that reads files and prints
//! (`cli`), and serves the workbench pages in a browser (`web`).

mod cli;
mod web;

fn main() -> std::process::ExitCode {
    cli::run()
}
