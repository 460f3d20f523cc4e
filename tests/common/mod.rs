//! What the fixture corpus and the language reference's examples share: reading the
//! codes an `// expect:` line names, and saying what a check produced.

use bud::diagnostic::{Code, Diagnostic};

/// The diagnostic code spelt `bud::units::mismatch`, if bud has one.
pub fn code_named(name: &str) -> Option<Code> {
    Code::ALL.into_iter().find(|code| code.as_str() == name)
}

/// The expected codes that are not among the diagnostics, by name.
pub fn missing_codes(expected: &[Code], diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    expected
        .iter()
        .filter(|code| !diagnostics.iter().any(|d| d.code == **code))
        .map(|code| code.as_str())
        .collect()
}

/// Every diagnostic in one line, for a failure message.
pub fn describe(diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "no diagnostics".to_owned();
    }
    diagnostics
        .iter()
        .map(|d| format!("{} ({:?}): {}", d.code, d.severity, d.message))
        .collect::<Vec<_>>()
        .join("; ")
}
