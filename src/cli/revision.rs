//! A decision as it was at a git revision (`bud diff --rev REV FILE`): a `World` that
//! reads the decision, and the files it imports and the data files it names, from that
//! revision's tree with `git cat-file`, never from the working tree. git runs as a
//! process with its arguments given one by one (no shell), in the repository's root;
//! the revision is resolved to its commit once, so every file comes from the same tree.
//! As on disk (`project.rs`), a path that leads out of the repository is refused, and
//! so is a file over the size limit, before it is read.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use bud::diagnostic::{Code, Diagnostic};
use bud::syntax::limits::{MAX_FILE_BYTES, MAX_FILE_SIZE_IN_WORDS};
use bud::world::World;

/// The files of one folder of a repository, as they were at one commit.
pub struct GitRevision {
    /// The repository's root, where git runs.
    root: PathBuf,
    /// The revision as the user wrote it (`origin/main`), for messages.
    revision: String,
    /// The commit it names, in full.
    commit: String,
    /// The decision's folder, relative to the root, with `/` between folders; empty
    /// for the root itself.
    folder: String,
    read: Mutex<HashMap<String, Result<Arc<str>, String>>>,
}

impl GitRevision {
    /// The folder of the decision at `file`, as it was at `revision`.
    pub fn open(file: &Path, revision: &str) -> Result<GitRevision, Diagnostic> {
        if revision.is_empty() || revision.starts_with('-') {
            return Err(problem(
                format!("`{revision}` is not a git revision"),
                "name a branch, a tag or a commit: `--rev origin/main`, `--rev HEAD~1`",
            ));
        }
        let folder = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let folder = std::fs::canonicalize(folder).map_err(|error| {
            problem(
                format!("cannot open the folder `{}`: {error}", folder.display()),
                "check the path of the decision file",
            )
        })?;
        let shown = folder.display().to_string();
        let top = git(&folder, &["rev-parse", "--show-toplevel"]).map_err(|failure| {
            match failure {
                Failure::NotInstalled(error) => not_installed(&error),
                Failure::Failed(_) => problem(
                    format!("`{shown}` is not in a git repository, so there is no revision to compare with"),
                    "run bud diff inside a git work tree, or compare two files: `bud diff OLD NEW`",
                ),
            }
        })?;
        let root = std::fs::canonicalize(top.trim_end_matches(['\n', '\r']))
            .map_err(|error| problem(format!("cannot open the repository's root: {error}"), ""))?;
        let commit = git(
            &root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{revision}^{{commit}}"),
            ],
        )
        .map_err(|failure| match failure {
            Failure::NotInstalled(error) => not_installed(&error),
            Failure::Failed(_) => problem(
                format!(
                    "the repository at `{}` has no revision `{revision}`",
                    root.display()
                ),
                "name a branch, a tag or a commit it has (`git log --oneline` lists commits); \
                 in CI, fetch the history first (actions/checkout with `fetch-depth: 0`)",
            ),
        })?;
        let relative = folder.strip_prefix(&root).unwrap_or(Path::new(""));
        let folder = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        Ok(GitRevision {
            root,
            revision: revision.to_owned(),
            commit: commit.trim().to_owned(),
            folder,
            read: Mutex::new(HashMap::new()),
        })
    }

    /// `origin/main:decisions/`: how the files of this revision are shown to a person.
    pub fn shown_folder(&self) -> PathBuf {
        PathBuf::from(format!("{}:{}", self.revision, self.folder))
    }

    /// `origin/main:decisions/bs-vi-7.bud`.
    pub fn shown(&self, name: &str) -> String {
        match self.in_repository(name) {
            Some(path) => format!("{}:{path}", self.revision),
            None => format!("{}:{name}", self.revision),
        }
    }

    /// Whether the file `name` (relative to the decision's folder) is in the revision's
    /// tree.
    pub fn has(&self, name: &str) -> bool {
        self.object(name).is_ok()
    }

    /// The path from the repository's root of a file named from the decision's folder;
    /// `None` when `..` leads out of the repository.
    fn in_repository(&self, name: &str) -> Option<String> {
        let mut parts: Vec<&str> = self.folder.split('/').filter(|p| !p.is_empty()).collect();
        for part in name.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                part => parts.push(part),
            }
        }
        Some(parts.join("/"))
    }

    /// The blob a file is at this revision, and its size.
    fn object(&self, name: &str) -> Result<(String, u64), String> {
        if name.starts_with('/') || name.contains(['\n', '\r']) {
            return Err("bud reads only files inside the repository".to_owned());
        }
        let Some(path) = self.in_repository(name) else {
            return Err(format!(
                "it is outside the repository, `{}`; bud reads only files inside it",
                self.root.display()
            ));
        };
        let asked = format!("{}:{path}\n", self.commit);
        let answer = git_with_input(&self.root, &["cat-file", "--batch-check"], &asked)
            .map_err(|failure| failure.reason())?;
        // `<object> <type> <size>`, or `<name> missing`.
        let fields: Vec<&str> = answer.split_whitespace().collect();
        match fields.as_slice() {
            [object, "blob", size] => Ok((
                (*object).to_owned(),
                size.parse().map_err(|_| "git gave no size".to_owned())?,
            )),
            [_, "tree", _] => Err(format!("it is a folder at `{}`", self.revision)),
            _ => Err(format!("there is no such file at `{}`", self.revision)),
        }
    }

    fn read_now(&self, name: &str) -> Result<Arc<str>, String> {
        let (object, size) = self.object(name)?;
        if size > MAX_FILE_BYTES as u64 {
            return Err(format!(
                "it is {} bytes at `{}`, more than the {MAX_FILE_SIZE_IN_WORDS} bud reads",
                bud::format::exact(rust_decimal::Decimal::from(size)),
                self.revision
            ));
        }
        let bytes = git_bytes(&self.root, &["cat-file", "blob", &object])
            .map_err(|failure| failure.reason())?;
        String::from_utf8(bytes).map(Arc::from).map_err(|error| {
            format!(
                "it is not UTF-8 text at `{}` (byte {} is not valid)",
                self.revision,
                error.utf8_error().valid_up_to()
            )
        })
    }
}

impl World for GitRevision {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        self.read
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(path.to_owned())
            .or_insert_with(|| self.read_now(path))
            .clone()
    }
}

/// Why git gave nothing.
enum Failure {
    /// git could not be started.
    NotInstalled(std::io::Error),
    /// git ran and failed: its message.
    Failed(String),
}

impl Failure {
    fn reason(self) -> String {
        match self {
            Failure::NotInstalled(error) => format!("git could not be run: {error}"),
            Failure::Failed(message) => format!("git: {}", message.trim()),
        }
    }
}

fn command(directory: &Path, arguments: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(directory)
        .args(arguments)
        // Never a pager, a prompt for credentials, or a translated message.
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    command
}

fn git_bytes(directory: &Path, arguments: &[&str]) -> Result<Vec<u8>, Failure> {
    let output = command(directory, arguments)
        .output()
        .map_err(Failure::NotInstalled)?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(Failure::Failed(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }
}

fn git(directory: &Path, arguments: &[&str]) -> Result<String, Failure> {
    git_bytes(directory, arguments).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn git_with_input(directory: &Path, arguments: &[&str], input: &str) -> Result<String, Failure> {
    let mut child = command(directory, arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Failure::NotInstalled)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|error| Failure::Failed(error.to_string()))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|error| Failure::Failed(error.to_string()))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(Failure::Failed(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }
}

fn problem(message: String, help: &str) -> Diagnostic {
    let diagnostic = Diagnostic::error(Code::IoRevision, message);
    if help.is_empty() {
        diagnostic
    } else {
        diagnostic.with_help(help.to_owned())
    }
}

fn not_installed(error: &std::io::Error) -> Diagnostic {
    problem(
        format!("git could not be run: {error}"),
        "install git, or compare two files: `bud diff OLD NEW`",
    )
}
