//! The limits a hostile input runs under: `bud` started with its address space capped,
//! so an input that makes it allocate without bound fails the test (an allocation
//! error ends the process) instead of exhausting the machine. Each test adds its own
//! time limit.

#![allow(dead_code)]

use std::process::Command;

/// The address space `bud` may take, in KiB: far above the few tens of MB any of these
/// inputs needs (threads and allocator arenas reserve more than they use).
pub const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// `bud`, to be given its arguments, under the memory limit.
pub fn bud() -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(assert_cmd::cargo::cargo_bin("bud"));
    command
}
