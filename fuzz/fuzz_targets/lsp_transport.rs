//! The language server as an editor (or anything else on the pipe) speaks to it: the
//! input is the bytes the client sends, framing and all, from the first header to the
//! end. Whatever they are, the server must answer or skip each frame and end when
//! they end, never panic, hang or allocate what a header claims.
//!
//! The decisions a client opens read their other files from a small world in memory:
//! an imported decision and a data file, so that opening, editing and asking about a
//! decision that names them reaches the same code as on disk.

#![no_main]

use std::io::{Cursor, sink};
use std::path::Path;

use bud::world::{Memory, World};
use libfuzzer_sys::fuzz_target;

const IMPORTED: &str = "decision \"L/1\" {\n    title    \"Rates\"\n    period   2013-2014\n    currency US$\n}\n\nrate = 13%\n";
const DATA: &str = "party\trate\nA\t60\nB\t40\n";

fn files(_decision: &Path) -> Box<dyn World> {
    Box::new(
        Memory::new()
            .with("lib/rates.bud", IMPORTED)
            .with("scale.tsv", DATA),
    )
}

fuzz_target!(|bytes: &[u8]| {
    let _ = bud::lsp::serve(Cursor::new(bytes.to_vec()), sink(), &files);
});
