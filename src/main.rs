//! The `bud` binary: a thin shell over the library that reads files and prints.

mod cli;

/// bud allocates many small nodes and frees them together; mimalloc does that several
/// times faster than the system allocator (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
