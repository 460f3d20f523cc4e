//! A run of `bud` whose reader is gone before it writes (`bud … | true` under
//! `pipefail`), on a copy of BS-VI/7 with one mistyped figure: what exit code it ends
//! with. Shared by the tests of `check` and `evaluate`.

/// The exit code of `bud <arguments> bs-vi-7.bud | true`, Staff costs 2013 mistyped.
pub fn exit_code_behind_a_closed_pipe(arguments: &str) -> Option<i32> {
    let dir = tempfile::tempdir().ok()?;
    let decision = std::fs::read_to_string("decisions/bs-vi-7.bud")
        .ok()?
        .replacen("1,875.2", "1,885.2", 1);
    std::fs::write(dir.path().join("bs-vi-7.bud"), decision).ok()?;
    std::fs::copy(
        "decisions/bs-vi-7-table-5.tsv",
        dir.path().join("bs-vi-7-table-5.tsv"),
    )
    .ok()?;
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .ok()?;
    let bud = assert_cmd::cargo::cargo_bin("bud");
    std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' {arguments} bs-vi-7.bud 2>stderr.txt | true",
            bud.display()
        ))
        .current_dir(dir.path())
        .status()
        .ok()?
        .code()
}
