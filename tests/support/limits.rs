//! The limits a hostile input runs under: `bud` started with its address space capped,
//! so an input that makes it allocate without bound fails the test (an allocation
//! error ends the process) instead of exhausting the machine, and a time limit, so a
//! hang fails the test instead of the suite.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The address space `bud` may take, in KiB: far above the few tens of MB any of these
/// inputs needs (threads and allocator arenas reserve more than they use).
pub const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// Far more than any hostile input takes.
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// `bud`, to be given its arguments, under the memory limit.
pub fn bud() -> Command {
    bud_within(MEMORY_LIMIT_KIB)
}

/// `bud`, to be given its arguments, within an address space of `kib`.
pub fn bud_within(kib: u64) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("bud"));
    command
}

/// What a run printed, standard output then standard error, and its exit code.
pub struct Run {
    pub exit: i32,
    pub output: String,
}

/// `bud arguments…` in `dir`, under both limits, without colour; a run that was
/// killed (a hang, a crash) or that panicked fails the test.
pub fn run(dir: &Path, arguments: &[&str]) -> Run {
    let output = assert_cmd::Command::from_std(bud())
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(arguments)
        .timeout(TIME_LIMIT)
        .output()
        .unwrap_or_else(|error| panic!("bud could not be run: {error}"));
    let exit = output
        .status
        .code()
        .unwrap_or_else(|| panic!("bud was killed (a hang or a crash): {:?}", output.status));
    let output = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!output.contains("panicked"), "bud panicked:\n{output}");
    Run { exit, output }
}
