//! The long explanations `bud explain CODE` prints: one section of
//! `docs/diagnostics.md` per code, built into the binary so that the explanation and
//! the version of bud that gives the diagnostic always agree. The document is the
//! single source; a test checks that every code has a section and that each
//! section's example gives its code.

use super::Code;

/// The reference of every diagnostic, as published in `docs/diagnostics.md`.
pub const DOCUMENT: &str = include_str!("../../docs/diagnostics.md");

/// The section of `docs/diagnostics.md` about `code`, heading included.
pub fn explanation(code: Code) -> Option<&'static str> {
    sections()
        .find(|(heading, _)| *heading == code.as_str())
        .map(|(_, section)| section)
}

/// The first paragraph of a code's explanation, for the list of all codes.
pub fn summary(code: Code) -> Option<String> {
    let section = explanation(code)?;
    let body = section.split_once('\n').map_or("", |(_, body)| body);
    let paragraph = body.trim_start().split("\n\n").next()?;
    Some(paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Each `## heading` of the document with its section, up to the next heading.
fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    let starts: Vec<usize> = DOCUMENT
        .match_indices("\n## ")
        .map(|(offset, _)| offset + 1)
        .collect();
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain([DOCUMENT.len()])
        .collect();
    starts.into_iter().zip(ends).filter_map(|(start, end)| {
        let section = DOCUMENT.get(start..end)?.trim_end();
        let heading = section.lines().next()?.trim_start_matches("## ").trim();
        Some((heading, section))
    })
}

/// The code a person typed: `bud::eval::range`, or without the `bud::`.
pub fn code_named(name: &str) -> Option<Code> {
    let name = name.trim();
    Code::ALL
        .into_iter()
        .find(|code| code.as_str() == name || code.as_str().strip_prefix("bud::") == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_section_and_a_summary() {
        for code in Code::ALL {
            let section = explanation(code).unwrap_or_else(|| panic!("no section for {code}"));
            assert!(section.starts_with(&format!("## {code}\n")), "{code}");
            assert!(summary(code).is_some_and(|s| s.len() > 20), "{code}");
        }
    }

    #[test]
    fn codes_are_found_with_or_without_the_prefix() {
        assert_eq!(code_named("bud::eval::range"), Some(Code::EvalRange));
        assert_eq!(code_named("eval::range"), Some(Code::EvalRange));
        assert_eq!(code_named("eval::rang"), None);
    }
}
