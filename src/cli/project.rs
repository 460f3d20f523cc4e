//! The project a decision belongs to, and the only files bud reads for it. A decision
//! names other files (imports, data files, status lists) by paths that could lead
//! anywhere: `../../etc/passwd`, an absolute path, a symbolic link out of the folder, a
//! FIFO that never ends, a device. bud reads only regular files inside the decision's
//! project root: the nearest folder, from the decision's own folder up, that holds
//! `.git` (a repository or a work tree) or a `.bud-project` file; without either, the
//! decision's own folder. Decisions in sibling folders of one repository can read each
//! other; nothing outside it is opened. Every file is opened without waiting (a FIFO
//! cannot hold bud up), checked to be a regular file once open, and read no further
//! than the size limit, whatever its metadata claimed.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use bud::syntax::limits::{MAX_FILE_BYTES, MAX_FILE_SIZE_IN_WORDS};

/// What marks a folder as a project's root.
const MARKERS: [&str; 2] = [".git", ".bud-project"];

/// The folder a decision's files must be in.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// The project of the decision at `decision`.
    pub fn of(decision: &Path) -> Project {
        let folder = match decision.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
        let root = folder
            .ancestors()
            .find(|ancestor| MARKERS.iter().any(|marker| ancestor.join(marker).exists()))
            .unwrap_or(&folder)
            .to_path_buf();
        Project { root }
    }

    /// The folder `root` as a project of its own: what `bud serve` serves, whose pages
    /// read nothing outside it, whatever project it is in.
    pub fn at(root: &Path) -> Project {
        Project {
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        }
    }

    /// The text of the file at `path`, if it is a regular file inside the project.
    pub fn read(&self, path: &Path) -> Result<String, Refusal> {
        let real = std::fs::canonicalize(path).map_err(|error| Refusal::from_io(&error))?;
        if !real.starts_with(&self.root) {
            return Err(Refusal::Outside {
                root: self.root.clone(),
            });
        }
        read_regular(&real)
    }
}

/// Why a file was not read; no line of it is ever shown.
#[derive(Debug)]
pub enum Refusal {
    Missing,
    Denied,
    Outside { root: PathBuf },
    NotRegular(&'static str),
    TooLarge(Option<u64>),
    NotUtf8 { valid_up_to: usize },
    Other(String),
}

impl Refusal {
    fn from_io(error: &std::io::Error) -> Refusal {
        match error.kind() {
            ErrorKind::NotFound => Refusal::Missing,
            ErrorKind::PermissionDenied => Refusal::Denied,
            _ => Refusal::Other(error.to_string()),
        }
    }

    /// Why, in the words that follow "cannot read `x`: ".
    pub fn reason(&self) -> String {
        match self {
            Refusal::Missing => "there is no such file".to_owned(),
            Refusal::Denied => "permission denied".to_owned(),
            Refusal::Outside { root } => format!(
                "it is outside the decision's project, `{}`; bud reads only files inside \
                 it (the project is the nearest folder up holding .git or .bud-project)",
                bud::format::printable(&root.display().to_string())
            ),
            Refusal::NotRegular(kind) => format!("it is {kind}, not a regular file"),
            Refusal::TooLarge(Some(size)) => format!(
                "it is {} bytes, more than the {MAX_FILE_SIZE_IN_WORDS} bud reads",
                bud::format::exact(rust_decimal::Decimal::from(*size))
            ),
            Refusal::TooLarge(None) => {
                format!("it is more than the {MAX_FILE_SIZE_IN_WORDS} bud reads")
            }
            Refusal::NotUtf8 { valid_up_to } => {
                format!("it is not UTF-8 text (byte {valid_up_to} is not valid); save it as UTF-8")
            }
            Refusal::Other(error) => error.clone(),
        }
    }
}

/// The text of the regular file at `path`. A FIFO, a device, a socket or a directory is
/// refused once open, before any byte is read; opening never waits for a writer.
pub fn read_regular(path: &Path) -> Result<String, Refusal> {
    let bytes = read_regular_bytes(path)?;
    String::from_utf8(bytes).map_err(|error| Refusal::NotUtf8 {
        valid_up_to: error.utf8_error().valid_up_to(),
    })
}

/// The bytes of the regular file at `path` (a workbook), refused as `read_regular`
/// refuses: not a regular file, or over the size limit.
pub fn read_regular_bytes(path: &Path) -> Result<Vec<u8>, Refusal> {
    let file = open_without_waiting(path).map_err(|error| Refusal::from_io(&error))?;
    let metadata = file.metadata().map_err(|error| Refusal::from_io(&error))?;
    if !metadata.is_file() {
        return Err(Refusal::NotRegular(kind_of(&metadata)));
    }
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(Refusal::TooLarge(Some(metadata.len())));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Refusal::from_io(&error))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Refusal::TooLarge(None));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
    OpenOptions::new()
        .read(true)
        .custom_flags(i32::from_ne_bytes(
            rustix::fs::OFlags::NONBLOCK.bits().to_ne_bytes(),
        ))
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(unix)]
fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    if metadata.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}
