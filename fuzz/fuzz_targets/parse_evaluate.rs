//! Parse + evaluate + reconcile + render, over every variant of a decision.
//!
//! Input: a decision's text, optionally followed by "\n#data\n" and the text every
//! data file and every imported file the decision names reads as. Non-UTF-8 input is read lossily (the CLI
//! rejects it; the library takes `&str`).

#![no_main]

use libfuzzer_sys::fuzz_target;

use bud::render::report::{Source, Sources, render_in};
use bud::render::text::evaluation_of;

const DATA_SEPARATOR: &[u8] = b"\n#data\n";

fn split(bytes: &[u8]) -> (&[u8], Option<&[u8]>) {
    match bytes
        .windows(DATA_SEPARATOR.len())
        .position(|w| w == DATA_SEPARATOR)
    {
        Some(at) => (&bytes[..at], Some(&bytes[at + DATA_SEPARATOR.len()..])),
        None => (bytes, None),
    }
}

fn diagnostics_debug(checked: &[bud::Checked]) -> Vec<String> {
    checked
        .iter()
        .map(|c| format!("{:?}", c.diagnostics))
        .collect()
}

fuzz_target!(|bytes: &[u8]| {
    let (source_bytes, data_bytes) = split(bytes);
    let source: String = String::from_utf8_lossy(source_bytes).into_owned();
    let data: Option<String> = data_bytes.map(|d| String::from_utf8_lossy(d).into_owned());

    let reader = |_name: &str| -> Result<String, String> {
        match &data {
            Some(text) => Ok(text.clone()),
            None => Err("no such file".to_string()),
        }
    };

    let every = bud::check(&bud::world::Overlay::new(bud::world::Memory::MAIN, &source, &reader), bud::world::Memory::MAIN, bud::Request::Everything).variants;

    for checked in &every {
        // Every text a diagnostic can point into, as the CLI gathers them.
        let mut sources = Sources::new(Source::new("fuzz.bud", source.as_str()));
        for file in &checked.imported {
            sources.import(file.base, Source::new(file.name.clone(), file.text.clone()));
        }
        if let Some(model) = &checked.model {
            for file in &model.scales.data {
                sources.data(file.name.clone(), Source::new(file.name.clone(), file.text.clone()));
            }
        }
        for diagnostic in &checked.diagnostics {
            let _ = render_in(diagnostic, &sources, false);
        }
        if let Some(model) = &checked.model {
            let _ = evaluation_of(checked, model);
        }
    }

    // Determinism: the same input checks to the same diagnostics.
    if bytes.len() < 4096 {
        let again = bud::check(&bud::world::Overlay::new(bud::world::Memory::MAIN, &source, &reader), bud::world::Memory::MAIN, bud::Request::Everything).variants;
        assert_eq!(
            diagnostics_debug(&every),
            diagnostics_debug(&again),
            "checking every variant is not deterministic"
        );
    }
});
