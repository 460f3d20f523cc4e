//! docs/tutorial.md is a transcript: each `$ command` of its `console` blocks is run, in
//! order, in a folder of its own with `bud` on the PATH, and what it prints must be what
//! the tutorial shows under it. Blocks headed `file=NAME` are the files the reader
//! makes. `BUD_BLESS_TUTORIAL=1 cargo test --test tutorial` writes what bud prints
//! into the tutorial, for a change of output that is meant.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

const TUTORIAL: &str = "docs/tutorial.md";

/// One step of the transcript: a command and the output the tutorial shows.
struct Step {
    command: String,
    shown: Vec<String>,
}

/// A part of the tutorial: prose and fences kept as they are, a file to write, or a
/// console block's steps.
enum Part {
    Text(String),
    File {
        fence: String,
        name: String,
        lines: Vec<String>,
    },
    Console(Vec<Step>),
}

fn parts(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```").filter(|info| !info.is_empty()) else {
            parts.push(Part::Text(line.to_owned()));
            continue;
        };
        let body: Vec<String> = lines
            .by_ref()
            .take_while(|line| *line != "```")
            .map(str::to_owned)
            .collect();
        if info == "console" {
            parts.push(Part::Console(steps(&body)));
        } else if let Some(name) = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            parts.push(Part::File {
                fence: line.to_owned(),
                name: name.to_owned(),
                lines: body,
            });
        } else {
            parts.push(Part::Text(line.to_owned()));
            parts.extend(body.into_iter().map(Part::Text));
            parts.push(Part::Text("```".to_owned()));
        }
    }
    parts
}

fn steps(body: &[String]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for line in body {
        match (line.strip_prefix("$ "), steps.last_mut()) {
            (Some(command), _) => steps.push(Step {
                command: command.to_owned(),
                shown: Vec::new(),
            }),
            (None, Some(step)) => step.shown.push(line.clone()),
            (None, None) => panic!("output before any command in {TUTORIAL}: {line}"),
        }
    }
    steps
}

/// Runs one command as a reader's shell would, with `$?` the previous command's status.
fn run(command: &str, folder: &Path, previous: i32) -> (Vec<String>, i32) {
    let bud = Path::new(env!("CARGO_BIN_EXE_bud"));
    let path = format!(
        "{}:{}",
        bud.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = format!("(exit {previous}); {command} 2>&1");
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(folder)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("HOME", folder)
        .env_remove("CI")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    (lines, output.status.code().unwrap_or(-1))
}

#[test]
fn the_tutorial_shows_what_bud_prints() {
    let text = std::fs::read_to_string(TUTORIAL).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("BUD_BLESS_TUTORIAL").is_some();
    let mut written = Vec::new();
    let mut status = 0;
    let mut ran = 0;
    for part in parts(&text) {
        match part {
            Part::Text(line) => written.push(line),
            Part::File { fence, name, lines } => {
                std::fs::write(folder.path().join(&name), lines.join("\n") + "\n").unwrap();
                written.push(fence);
                written.extend(lines);
                written.push("```".to_owned());
            }
            Part::Console(steps) => {
                written.push("```console".to_owned());
                for step in steps {
                    let (printed, code) = run(&step.command, folder.path(), status);
                    status = code;
                    ran += 1;
                    if !bless {
                        let shown: Vec<String> =
                            step.shown.iter().map(|l| l.trim_end().to_owned()).collect();
                        assert_eq!(
                            printed.join("\n"),
                            shown.join("\n"),
                            "`{}` prints something else than {TUTORIAL} shows",
                            step.command
                        );
                    }
                    written.push(format!("$ {}", step.command));
                    written.extend(printed);
                }
                written.push("```".to_owned());
            }
        }
    }
    assert!(ran >= 15, "the tutorial runs its commands: {ran}");
    if bless {
        std::fs::write(TUTORIAL, written.join("\n") + "\n").unwrap();
    }
}
