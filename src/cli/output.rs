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

/// Whether standard output was closed when bud started (`bud check … >&-`). Rust's
/// runtime gives a process started that way /dev/null in its place, opened for reading
/// and writing, and every write would vanish; a shell's `> /dev/null` opens it for
/// writing only. That difference is how the two are told apart.
#[cfg(unix)]
pub fn stdout_was_closed() -> bool {
    use rustix::fs::{FileType, OFlags, fcntl_getfl, fstat, major, minor};
    use std::os::fd::AsFd;
    let stdout = io::stdout();
    let fd = stdout.as_fd();
    let (Ok(flags), Ok(stat)) = (fcntl_getfl(fd), fstat(fd)) else {
        return true;
    };
    let null = FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
        && (major(stat.st_rdev), minor(stat.st_rdev)) == (1, 3);
    null && flags & OFlags::RWMODE == OFlags::RDWR
}

#[cfg(not(unix))]
pub fn stdout_was_closed() -> bool {
    false
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

/// Writes what `write` writes to a temporary file beside `target` and renames it over
/// `target`, so a reader never sees half a file and a failure leaves the old file as
/// it was.
pub fn write_whole(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    let fail =
        |error: &dyn std::fmt::Display| format!("cannot write `{}`: {error}", target.display());
    // `/dev/stdout`, `/proc/self/fd/1`: a stream of this process, never a file to replace.
    let a_stream = target.starts_with("/dev") || target.starts_with("/proc");
    match std::fs::metadata(target) {
        Ok(meta) if a_stream || !meta.is_file() => return write_through(target, &meta, write),
        _ => {}
    }
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
    // Written as it is made: a million rows of JSON are never whole in memory.
    let mut buffered = io::BufWriter::new(file.as_file_mut());
    write(&mut buffered).map_err(|e| fail(&e))?;
    buffered.flush().map_err(|e| fail(&e))?;
    drop(buffered);
    file.as_file().sync_all().map_err(|e| fail(&e))?;
    file.persist(&target).map_err(|e| fail(&e.error))?;
    Ok(())
}

/// Writes to what is not a regular file as the shell's `>` would: a FIFO, a terminal,
/// `/dev/null` or `/dev/stdout` receive the bytes; there is no file to replace, and
/// one put in their place would break whatever reads them. Anything else is refused.
fn write_through(
    target: &Path,
    meta: &std::fs::Metadata,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    let shown = target.display();
    if meta.is_dir() {
        return Err(format!(
            "`{shown}` is a directory; give the path of the file to write"
        ));
    }
    if !meta.is_file() && !is_stream(meta) {
        return Err(format!(
            "`{shown}` is neither a regular file nor a stream (a FIFO or a character \
             device); it was left as it is"
        ));
    }
    let fail = |error: io::Error| format!("cannot write `{shown}`: {error}");
    let stream = std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .map_err(fail)?;
    let mut stream = io::BufWriter::new(stream);
    write(&mut stream).map_err(fail)?;
    stream.flush().map_err(fail)
}

#[cfg(unix)]
fn is_stream(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo() || meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_stream(_: &std::fs::Metadata) -> bool {
    false
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
