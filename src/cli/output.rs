//! Writing to standard output and standard error without panicking: a reader that goes
//! away (`bud check … | head`) ends the run quietly, and any other write failure is
//! reported once.

use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::Status;

pub fn out(text: &str) -> io::Result<()> {
    io::stdout().lock().write_all(text.as_bytes())
}

pub fn err(text: &str) -> io::Result<()> {
    io::stderr().lock().write_all(text.as_bytes())
}

/// Runs `work` on each file and keeps the worst status; stops at a closed pipe.
pub fn for_each_file<T>(
    files: &[T],
    mut work: impl FnMut(usize, &T) -> io::Result<Status>,
) -> Status {
    let mut status = Status::Clean;
    for (index, file) in files.iter().enumerate() {
        match work(index, file) {
            Ok(outcome) => status = status.max(outcome),
            Err(error) if error.kind() == ErrorKind::BrokenPipe => return status,
            Err(error) => return written(Err(error)),
        }
    }
    status
}

/// The status of output that was written, or of output that could not be: a reader
/// that went away is not an error, any other failure is reported once.
pub fn written(result: io::Result<Status>) -> Status {
    match result {
        Ok(status) => status,
        Err(error) if error.kind() == ErrorKind::BrokenPipe => Status::Clean,
        Err(error) => {
            let _ = err(&format!("bud: cannot write the output: {error}\n"));
            Status::Unreadable
        }
    }
}

/// Writes `bytes` to a temporary file beside `target` and renames it over `target`,
/// so a reader never sees half a file and a failure leaves the old file as it was.
pub fn write_whole(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail =
        |error: &dyn std::fmt::Display| format!("cannot write `{}`: {error}", target.display());
    // Through a symbolic link, the file it points to is the one replaced.
    let target = match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(target).map_err(|e| fail(&e))?
        }
        _ => target.to_path_buf(),
    };
    let existing = std::fs::metadata(&target).ok();
    if existing
        .as_ref()
        .is_some_and(|meta| meta.permissions().readonly())
    {
        return Err(format!(
            "`{}` is read-only; it was left as it is",
            target.display()
        ));
    }
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".bud-").suffix(".part");
    // A replaced file keeps its permissions; a new one is an ordinary file (0644), not
    // the temporary file's private 0600.
    let permissions = existing
        .map(|meta| meta.permissions())
        .or_else(new_file_permissions);
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    let mut file = builder.tempfile_in(&directory).map_err(|e| fail(&e))?;
    file.write_all(bytes).map_err(|e| fail(&e))?;
    file.as_file().sync_all().map_err(|e| fail(&e))?;
    file.persist(&target).map_err(|e| fail(&e.error))?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}
