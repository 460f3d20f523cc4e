//! A decision with files of its own: imported decisions and data files, each with its
//! own text, under whatever names the input gives (`../x.bud`, `/etc/y`, `a/./b.tsv`),
//! checked, reconciled and rendered in every variant, as `bud check` and `bud evaluate`
//! do.
//!
//! Input: the decision's text, then each other file after a line `#file NAME`:
//!
//! ```text
//! import "lib.bud" as lib
//! …
//! #file lib.bud
//! decision "L/1" { … }
//! #file data/scale.tsv
//! party	rate
//! ```
//!
//! Non-UTF-8 input is read lossily (the command line refuses it; the library takes
//! `&str`).

#![no_main]

use libfuzzer_sys::fuzz_target;

use bud::render::report::{Source, Sources, render_in};
use bud::render::text::evaluation_of;
use bud::world::Memory;

const FILE_MARK: &str = "\n#file ";

/// The decision, and every other file by name.
fn files(text: &str) -> (&str, Vec<(&str, &str)>) {
    let mut parts = text.split(FILE_MARK);
    let decision = parts.next().unwrap_or_default();
    let others = parts
        .map(|part| part.split_once('\n').unwrap_or((part, "")))
        .collect();
    (decision, others)
}

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let (decision, others) = files(&text);
    let mut world = Memory::decision(decision);
    for (name, text) in &others {
        world = world.with(*name, *text);
    }
    let checks = bud::check(&world, Memory::MAIN, bud::Request::Everything);
    for checked in &checks.variants {
        let mut sources = Sources::new(Source::new("fuzz.bud", decision));
        for file in &checked.imported {
            sources.import(file.base, Source::new(file.name.clone(), file.text.clone()));
        }
        for file in &checked.data {
            if !sources.has_data(&file.name) {
                sources.data(file.name.clone(), Source::new(file.name.clone(), file.text.clone()));
            }
        }
        for diagnostic in &checked.diagnostics {
            let _ = render_in(diagnostic, &sources, false);
        }
        if let Some(model) = &checked.model {
            let _ = evaluation_of(checked, model);
            let document = bud::render::view::document(checked, model);
            let _ = bud::render::html::render(&document);
        }
    }
});
