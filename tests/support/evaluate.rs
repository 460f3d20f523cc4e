//! `bud` as the output tests run it: no colour, no terminal width unless a test gives
//! one, and `bud evaluate` expected to succeed. Shared by the tests of the bundled
//! decision's outputs and of the narrative report's.

use assert_cmd::Command;

/// The binary, without the colour and width of the terminal the tests run in.
pub fn bud() -> Command {
    let mut command = Command::cargo_bin("bud").expect("the bud binary is built");
    command.env("NO_COLOR", "1").env_remove("COLUMNS");
    command
}

/// The bytes `bud evaluate DECISION --format FORMAT` writes, on a terminal `columns`
/// wide when given; fails the test unless it exits 0.
pub fn evaluate(decision: &str, format: &str, columns: Option<&str>) -> Vec<u8> {
    let mut command = bud();
    if let Some(columns) = columns {
        command.env("COLUMNS", columns);
    }
    let output = command
        .args(["evaluate", decision, "--format", format])
        .output()
        .expect("bud runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{format}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
