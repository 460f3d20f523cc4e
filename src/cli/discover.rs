//! Which files `bud check` checks: each file named on the command line, and every
//! `.bud` file below each directory named, in sorted path order, so that a CI run
//! checks the same files in the same order everywhere.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use bud::diagnostic::{Code, Diagnostic};
use walkdir::{DirEntry, WalkDir};

/// What one command-line argument stands for.
pub enum Target {
    /// A file named on the command line, checked whatever its extension.
    Named(PathBuf),
    /// The `.bud` files found below a directory, sorted.
    Found(Vec<PathBuf>),
    /// A directory that cannot be walked or holds no `.bud` file.
    Problem(PathBuf, Diagnostic),
}

pub fn target(path: &Path) -> Target {
    if !path.is_dir() {
        return Target::Named(path.to_path_buf());
    }
    match decisions_below(path) {
        Ok(found) if found.is_empty() => Target::Problem(path.to_path_buf(), empty(path)),
        Ok(found) => Target::Found(found),
        Err(error) => {
            let at = error.path().unwrap_or(path).display().to_string();
            let diagnostic = Diagnostic::error(
                Code::IoRead,
                format!("cannot read the directory `{at}`: {error}"),
            )
            .with_help("check the directory's permissions, or name the decision files instead");
            Target::Problem(path.to_path_buf(), diagnostic)
        }
    }
}

/// Every `.bud` file below `directory`, sorted by path, component by component.
/// Hidden files and directories (`.git`, an editor's `.#x.bud`) and `target` (Cargo's
/// build output) are not entered.
fn decisions_below(directory: &Path) -> Result<Vec<PathBuf>, walkdir::Error> {
    let walk = WalkDir::new(directory)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !skipped(entry));
    let mut found = Vec::new();
    for entry in walk {
        let entry = entry?;
        let path = entry.path();
        if path.extension() == Some(OsStr::new("bud")) && !path.is_dir() {
            found.push(entry.into_path());
        }
    }
    found.sort();
    Ok(found)
}

fn skipped(entry: &DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    name.starts_with('.') || (entry.file_type().is_dir() && name == "target")
}

fn empty(directory: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::IoRead,
        format!("`{}` holds no .bud files", directory.display()),
    )
    .with_help("name a directory that holds decision files, or the files themselves")
}
