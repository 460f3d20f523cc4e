//! `bud lsp`: the library's language server (`bud::lsp`) on standard input and output,
//! reading the files a decision names from disk, within the decision's project.

use std::path::Path;

use bud::world::World;

use super::{Status, input};

/// Runs the server until the editor says `exit`: exit code 0 after `shutdown`, 1
/// without one, as the protocol asks.
pub fn run() -> Status {
    let disk =
        |decision: &Path| -> Box<dyn World> { Box::new(input::Disk::for_decision(decision)) };
    match bud::lsp::serve(std::io::stdin(), std::io::stdout(), &disk) {
        Ok(true) => Status::Clean,
        Ok(false) => Status::Failed,
        Err(problem) => {
            eprintln!("bud lsp: {problem}");
            Status::Unreadable
        }
    }
}
