//! The `bud` binary: a thin shell over the library that reads files and prints.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
