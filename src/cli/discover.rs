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
    /// The `.bud` files found below a directory, sorted, and each folder or file
    /// below it that could not be read: the rest of the tree is checked all the same.
    Found(Vec<PathBuf>, Vec<(PathBuf, Diagnostic)>),
    /// A directory that cannot be walked or holds no `.bud` file.
    Problem(PathBuf, Diagnostic),
}

pub fn target(path: &Path) -> Target {
    if !path.is_dir() {
        return Target::Named(path.to_path_buf());
    }
    let (found, problems) = decisions_below(path);
    if found.is_empty() && problems.is_empty() {
        return Target::Problem(path.to_path_buf(), empty(path));
    }
    Target::Found(found, problems)
}

fn unreadable(error: &walkdir::Error, below: &Path) -> (PathBuf, Diagnostic) {
    let at = error.path().unwrap_or(below).to_path_buf();
    let reason = error
        .io_error()
        .map_or_else(|| error.to_string(), ToString::to_string);
    let diagnostic = Diagnostic::error(
        Code::IoRead,
        format!("cannot read the directory `{}`: {reason}", at.display()),
    )
    .with_help(
        "the rest of the tree was checked; give bud permission to read this directory, \
         or move what it holds out of the tree",
    );
    (at, diagnostic)
}

/// Every `.bud` file below `directory`, sorted by path, component by component.
/// Hidden files and directories (`.git`, an editor's `.#x.bud`) and `target` (Cargo's
/// build output) are not entered.
/// Each directory that cannot be read is a problem of its own, and the walk goes on.
fn decisions_below(directory: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, Diagnostic)>) {
    let walk = WalkDir::new(directory)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !skipped(entry));
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for entry in walk {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path.extension() == Some(OsStr::new("bud")) && !path.is_dir() {
                    found.push(entry.into_path());
                }
            }
            Err(error) => problems.push(unreadable(&error, directory)),
        }
    }
    found.sort();
    problems.sort_by(|a, b| a.0.cmp(&b.0));
    (found, problems)
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
