//! The files bud reads and writes, against a decision or a command line that points it
//! elsewhere: out of the decision's project by `..`, an absolute path or a symbolic
//! link; at a FIFO, a directory, a file too large. bud reads only regular files inside
//! the project, never waits on a FIFO, and never shows a line of a file it refused.
//! Every run is under a time limit and the memory limit of `support/limits.rs`, and
//! every file is in the test's own temporary folders: no test opens a device.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/limits.rs"]
mod limits;

use limits::{Run, TIME_LIMIT};

use std::path::Path;

use assert_cmd::Command;

const HEADER: &str = "decision \"T/1\" {\n    title    \"Hostile files\"\n    period   2013-2014\n    currency US$\n}\n";

/// A line that must never be printed: it is in files bud must not read.
const SECRET: &str = "SECRET-LINE-NEVER-SHOWN";

fn bud(dir: &Path, arguments: &[&str]) -> Run {
    limits::run(dir, arguments)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A decision that imports `name`, and uses nothing of it.
fn importing(name: &str) -> String {
    format!("{HEADER}\nimport \"{name}\" as other\n")
}

/// A file with a syntax error on its line holding `SECRET`: read, it would be quoted.
fn secret_file() -> String {
    format!("{HEADER}\nthis is not bud {SECRET} )(\n")
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Refused with `bud::io::read`, saying `why`, and nothing of the secret shown.
fn assert_refused(run: &Run, why: &str) {
    assert_eq!(run.exit, 2, "{}", run.output);
    assert!(run.output.contains("bud::io::read"), "{}", run.output);
    // A message wraps at 80 columns: read it as one line.
    let flat: Vec<&str> = run
        .output
        .lines()
        .map(|line| line.trim_start().trim_start_matches('│').trim())
        .collect();
    let flat = flat.join(" ");
    assert!(flat.contains(why), "expected {why:?} in:\n{}", run.output);
    assert!(!run.output.contains(SECRET), "{}", run.output);
}

// ---------------------------------------------------------------- the project root

#[test]
fn an_import_out_of_the_decisions_folder_is_refused_without_a_project() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("outside.bud"), &secret_file());
    write(
        &dir.path().join("d/input.bud"),
        &importing("../outside.bud"),
    );
    let run = bud(&dir.path().join("d"), &["check", "input.bud"]);
    assert_refused(&run, "outside the decision's project");
}

#[test]
fn decisions_in_sibling_folders_of_one_project_read_each_other() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".bud-project"), "");
    write(&dir.path().join("2016/rates.bud"), HEADER);
    write(
        &dir.path().join("2017/input.bud"),
        &importing("../2016/rates.bud"),
    );
    let run = bud(dir.path(), &["check", "2017/input.bud"]);
    assert_eq!(run.exit, 0, "{}", run.output);
    // A git repository is a project as well.
    std::fs::remove_file(dir.path().join(".bud-project")).unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    assert_eq!(bud(dir.path(), &["check", "2017/input.bud"]).exit, 0);
}

#[test]
fn dot_dot_out_of_the_project_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("outside.bud"), &secret_file());
    write(&dir.path().join("project/.bud-project"), "");
    write(
        &dir.path().join("project/a/input.bud"),
        &importing("../../outside.bud"),
    );
    let run = bud(&dir.path().join("project"), &["check", "a/input.bud"]);
    assert_refused(&run, "outside the decision's project");
}

#[test]
fn an_absolute_path_outside_the_project_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("secret.bud"), &secret_file());
    let dir = tempfile::tempdir().unwrap();
    let absolute = outside.path().join("secret.bud");
    write(
        &dir.path().join("input.bud"),
        &importing(&absolute.display().to_string()),
    );
    let run = bud(dir.path(), &["check", "input.bud"]);
    assert_refused(&run, "outside the decision's project");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_project_is_refused_and_one_inside_it_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("secret.bud"), &secret_file());
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.bud"),
        dir.path().join("linked.bud"),
    )
    .unwrap();
    write(&dir.path().join("input.bud"), &importing("linked.bud"));
    assert_refused(
        &bud(dir.path(), &["check", "input.bud"]),
        "outside the decision's project",
    );
    // A link that stays inside is an ordinary way to share a file.
    write(&dir.path().join("lib/rates.bud"), HEADER);
    std::fs::remove_file(dir.path().join("linked.bud")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("lib/rates.bud"),
        dir.path().join("linked.bud"),
    )
    .unwrap();
    let run = bud(dir.path(), &["check", "input.bud"]);
    assert_eq!(run.exit, 0, "{}", run.output);
}

// ---------------------------------------------------------------- only regular files

#[test]
fn a_fifo_named_as_an_import_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe.bud"));
    write(&dir.path().join("input.bud"), &importing("pipe.bud"));
    let run = bud(dir.path(), &["check", "input.bud"]);
    assert_refused(&run, "it is a FIFO (named pipe), not a regular file");
}

#[test]
fn a_fifo_named_as_a_data_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let decision = std::fs::read_to_string("decisions/bs-vi-7.bud").unwrap();
    write(&dir.path().join("bs-vi-7.bud"), &decision);
    std::fs::copy(
        "decisions/bs-vi-7-status-example.tsv",
        dir.path().join("bs-vi-7-status-example.tsv"),
    )
    .unwrap();
    mkfifo(&dir.path().join("bs-vi-7-table-5.tsv"));
    let run = bud(dir.path(), &["check", "bs-vi-7.bud"]);
    assert_refused(&run, "it is a FIFO (named pipe), not a regular file");
}

#[test]
fn a_fifo_on_the_command_line_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("input.bud"));
    for command in ["check", "evaluate", "fmt"] {
        let run = bud(dir.path(), &[command, "input.bud"]);
        assert_refused(&run, "it is a FIFO (named pipe), not a regular file");
    }
}

#[test]
fn a_directory_named_as_an_import_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rates.bud")).unwrap();
    write(&dir.path().join("input.bud"), &importing("rates.bud"));
    assert_refused(
        &bud(dir.path(), &["check", "input.bud"]),
        "it is a directory, not a regular file",
    );
}

#[test]
fn an_imported_file_over_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("huge.bud")).unwrap();
    file.set_len(200 << 20).unwrap(); // sparse: no disk used
    write(&dir.path().join("input.bud"), &importing("huge.bud"));
    let run = bud(dir.path(), &["check", "input.bud"]);
    assert_refused(&run, "more than the 134,217,728 bytes (128 MiB) bud reads");
}

// ---------------------------------------------------------------- what bud writes

/// A folder holding a copy of BS-VI/7 and its data files.
fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "bs-vi-7.bud",
        "bs-vi-7-table-5.tsv",
        "bs-vi-7-status-example.tsv",
    ] {
        std::fs::copy(format!("decisions/{name}"), dir.path().join(name)).unwrap();
    }
    dir
}

/// Everything a reader of the FIFO at `path` receives, read on its own thread; `None`
/// if nothing opened it for writing within the time limit.
fn read_fifo(path: &Path) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (sender, received) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let _ = sender.send(bytes);
    });
    received
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_or_a_link_to_one_is_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = bundled_copy();
    let expected = bud(dir.path(), &["evaluate", "bs-vi-7.bud", "--format", "csv"]).output;
    let fifo = dir.path().join("pipe.csv");
    mkfifo(&fifo);
    std::os::unix::fs::symlink(&fifo, dir.path().join("stdout-like.csv")).unwrap();
    for target in ["pipe.csv", "stdout-like.csv"] {
        let received = read_fifo(&fifo);
        let run = bud(
            dir.path(),
            &[
                "evaluate",
                "bs-vi-7.bud",
                "--format",
                "csv",
                "--output",
                target,
            ],
        );
        assert_eq!(run.exit, 0, "{}", run.output);
        let bytes = received.recv_timeout(TIME_LIMIT).unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{target}: the FIFO was replaced by a file");
        let link = std::fs::symlink_metadata(dir.path().join("stdout-like.csv")).unwrap();
        assert!(link.file_type().is_symlink());
    }
}

#[test]
fn output_to_a_directory_is_refused_and_the_directory_left_alone() {
    let dir = bundled_copy();
    std::fs::create_dir(dir.path().join("out.html")).unwrap();
    std::fs::write(dir.path().join("out.html/keep"), "kept").unwrap();
    let run = bud(
        dir.path(),
        &[
            "evaluate",
            "bs-vi-7.bud",
            "--format",
            "html",
            "--output",
            "out.html",
        ],
    );
    assert_eq!(run.exit, 2, "{}", run.output);
    assert!(run.output.contains("is a directory"), "{}", run.output);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.html/keep")).unwrap(),
        "kept"
    );
}

/// `bud arguments…` in `dir` with at most 1 KiB written to any file, as on a full
/// disk: the write fails, as it would with no space left.
fn on_a_full_disk(dir: &Path, arguments: &str) -> Run {
    let bud = assert_cmd::cargo::cargo_bin("bud");
    // XFSZ ignored, so the write fails with an error instead of killing bud.
    let script = format!(
        "trap '' XFSZ; ulimit -f 2; exec '{}' {arguments}",
        bud.display()
    );
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    Run {
        exit: output.status.code().unwrap_or(-1),
        output: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_full_disk_is_an_error_never_a_silent_success() {
    let dir = bundled_copy();
    for arguments in [
        "evaluate bs-vi-7.bud --format html --output out.html",
        "evaluate bs-vi-7.bud > out.txt",
        "check --notes bs-vi-7.bud > out.txt",
        "evaluate bs-vi-7.bud --format json > out.json",
    ] {
        let run = on_a_full_disk(dir.path(), arguments);
        assert_eq!(run.exit, 2, "{arguments}: {}", run.output);
        assert!(
            run.output.contains("cannot write"),
            "{arguments}: {}",
            run.output
        );
    }
    assert!(
        !dir.path().join("out.html").exists(),
        "a partial file was left"
    );
}

#[test]
fn a_closed_standard_output_is_an_error() {
    let dir = bundled_copy();
    let bud = assert_cmd::cargo::cargo_bin("bud");
    for arguments in ["check bs-vi-7.bud", "evaluate bs-vi-7.bud", "explain"] {
        let output = Command::new("sh")
            .args(["-c", &format!("exec '{}' {arguments} >&-", bud.display())])
            .current_dir(dir.path())
            .timeout(TIME_LIMIT)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{arguments}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains("standard output is closed"),
            "{arguments}: {said}"
        );
    }
    // Sent to a file, the same run succeeds: it is the closed output that is refused.
    let output = Command::new("sh")
        .args(["-c", &format!("exec '{}' explain > out.txt", bud.display())])
        .current_dir(dir.path())
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(written.contains("bud::"), "{written}");
}

// ---------------------------------------------------------------- directories

/// `bud check` as a user who is not root, where permissions hold: root reads any
/// directory whatever its mode.
fn as_a_user(dir: &Path, arguments: &[&str]) -> Run {
    let bud = assert_cmd::cargo::cargo_bin("bud");
    let mut command = if running_as_root() {
        // A copy beside the files, since the build folder may be closed to that user
        // (a checkout under /root).
        let copy = dir.join("bud");
        std::fs::copy(&bud, &copy).unwrap();
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        command.arg(&copy);
        command
    } else {
        Command::new(&bud)
    };
    let output = command
        .args(arguments)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    Run {
        exit: output.status.code().unwrap_or(-1),
        output: String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    }
}

fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

#[cfg(unix)]
#[test]
fn an_unreadable_subdirectory_is_reported_and_the_rest_of_the_tree_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("decisions");
    write(&tree.join("a/good.bud"), HEADER);
    write(&tree.join("locked/hidden.bud"), HEADER);
    write(&tree.join("z/also-good.bud"), HEADER);
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(dir.path(), open.clone()).unwrap();
    std::fs::set_permissions(tree.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = as_a_user(dir.path(), &["check", "--format", "json", "decisions"]);
    std::fs::set_permissions(tree.join("locked"), open).unwrap();
    assert_eq!(run.exit, 2, "{}", run.output);
    let json: serde_json::Value =
        serde_json::from_str(&run.output[..run.output.rfind('}').map_or(0, |at| at + 1)])
            .unwrap_or_else(|error| panic!("{error}: {}", run.output));
    let statuses: Vec<(String, String)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap().to_owned(),
                file["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("decisions/a/good.bud", "clean"),
        ("decisions/z/also-good.bud", "clean"),
        ("decisions/locked", "unreadable"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(path, status)| ((*path).to_owned(), (*status).to_owned()))
        .collect();
    assert_eq!(statuses, expected, "{}", run.output);
    assert!(run.output.contains("Permission denied"), "{}", run.output);
}
