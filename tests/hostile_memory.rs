//! Memory that must grow with one input, not with all of them at once: `bud check` of a
//! folder of many decisions keeps what it prints of each (diagnostics and tallies), not
//! each one's whole model until the last is printed. Measured as the peak resident
//! memory of the `bud` process (getrusage of this test's children), so this file holds
//! one test: another's children would count too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use assert_cmd::Command;
use nix::sys::resource::{UsageWho, getrusage};

const DECISIONS: usize = 300;

/// Checking one BS-VI/7 peaks at about 15 MB; 300 of them, each model kept, at about
/// 100 MB (0.3 MB each); each one's printed results alone, at about 30 MB.
const PEAK_LIMIT_KIB: i64 = 64 * 1024;

#[test]
fn checking_a_folder_of_many_decisions_holds_only_what_it_prints() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["bs-vi-7-table-5.tsv", "bs-vi-7-status-example.tsv"] {
        std::fs::copy(format!("decisions/{name}"), dir.path().join(name)).unwrap();
    }
    for copy in 0..DECISIONS {
        let to = dir.path().join(format!("d{copy:03}.bud"));
        std::fs::copy("decisions/bs-vi-7.bud", to).unwrap();
    }
    let output = Command::cargo_bin("bud")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files"].as_array().unwrap().len(), DECISIONS);
    let peak_kib = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss();
    eprintln!("bud check of {DECISIONS} decisions peaked at {peak_kib} KiB");
    assert!(
        peak_kib < PEAK_LIMIT_KIB,
        "bud check of {DECISIONS} decisions peaked at {peak_kib} KiB, over {PEAK_LIMIT_KIB}"
    );
}
