//! `bud lsp` spoken to as an editor does: JSON-RPC over the binary's standard input
//! and output. Open BS-VI/7 and get no errors; change a figure and get the error at
//! its range; hover, go to definition, find references, outline, complete, inlay hints
//! and format; shut down cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/limits.rs"]
mod limits;
#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::io::Write;
use std::process::{Command, Stdio};

use lsp_client::Client;
use serde_json::{Value, json};

const DECISION: &str = "decisions/bs-vi-7.bud";

fn uri() -> String {
    let path = std::fs::canonicalize(DECISION).unwrap();
    format!("file://{}", path.display())
}

fn text() -> String {
    std::fs::read_to_string(DECISION).unwrap()
}

/// The 0-based line and UTF-16 column of the first `needle` after `after`.
fn position_of(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).unwrap();
    let at = start + text[start..].find(needle).unwrap();
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, text[line_start..at].encode_utf16().count())
}

fn errors(diagnostics: &[Value]) -> Vec<&Value> {
    diagnostics.iter().filter(|d| d["severity"] == 1).collect()
}

#[test]
fn the_bundled_decision_opens_without_errors_and_an_edit_shows_its_one_error() {
    let mut client = Client::start();
    let (uri, text) = (uri(), text());
    let diagnostics = client.open(&uri, &text);
    assert!(errors(&diagnostics).is_empty(), "{diagnostics:#?}");
    // The rounding notes `bud check` prints arrive as hints, not problems: none is
    // information, a warning or an error.
    let rounding: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "bud::reconcile::rounding")
        .collect();
    assert!(!rounding.is_empty(), "{diagnostics:#?}");
    assert!(rounding.iter().all(|d| d["severity"] == 4), "{rounding:#?}");

    // Type 1,885.2 over Staff costs 2013 (1,875.2), as an incremental edit.
    let (line, column) = position_of(&text, "A. staff_costs", "1,875.2");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": line, "character": column + 3 },
                           "end": { "line": line, "character": column + 4 } },
                "text": "8"
            }]
        }),
    );
    let diagnostics = client.diagnostics(&uri);
    let found = errors(&diagnostics);
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let error = found[0];
    assert_eq!(error["code"], "bud::reconcile::mismatch");
    assert_eq!(
        error["range"],
        json!({ "start": { "line": line, "character": column },
                "end": { "line": line, "character": column + 7 } })
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("1,885.2 does not agree")
    );
    // The totals that agree on the correction are its related information.
    let related = error["relatedInformation"].as_array().unwrap();
    assert!(related.iter().any(|r| {
        r["message"]
            .as_str()
            .unwrap()
            .contains("Sub-total (I), 2013")
    }));

    // Typing it back clears the error.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 3 },
            "contentChanges": [{
                "range": { "start": { "line": line, "character": column + 3 },
                           "end": { "line": line, "character": column + 4 } },
                "text": "7"
            }]
        }),
    );
    assert!(errors(&client.diagnostics(&uri)).is_empty());
    client.shut_down();
}

#[test]
fn hover_definition_references_outline_completion_hints_and_formatting() {
    let mut client = Client::start();
    let (uri, text) = (uri(), text());
    client.open(&uri, &text);
    let document = json!({ "uri": uri });

    // Hover a sub-total's figure: what bud computes, and how.
    let (line, column) = position_of(&text, "subtotal            \"Sub-total (I)\"", "2,577.6");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": document, "position": { "line": line, "character": column + 1 } }),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("Table 1, Sub-total (I), 2013"), "{shown}");
    assert!(shown.contains("bud computes **2,577.6**"), "{shown}");
    assert!(
        shown.contains("computed as sum(expenditures) = A. 1,875.2 + B. 20.0"),
        "{shown}"
    );

    // The grand total's rule reads `subtotal`: hover it, go to it, find its uses.
    let (line, column) = position_of(&text, "grand_total         \"GRAND", "= subtotal");
    let at =
        json!({ "textDocument": document, "position": { "line": line, "character": column + 3 } });
    let hover = client.request("textDocument/hover", at.clone());
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Sub-total (I)")
    );
    let definition = client.request("textDocument/definition", at.clone());
    let (subtotal_line, _) = position_of(&text, "table 1 core_budget", "    subtotal ");
    assert_eq!(definition["range"]["start"]["line"], subtotal_line);
    let mut with_context = at.clone();
    with_context["context"] = json!({ "includeDeclaration": false });
    let references = client.request("textDocument/references", with_context);
    // `programme_support_rate of subtotal` and `subtotal + support + reserve`.
    assert_eq!(references.as_array().unwrap().len(), 2, "{references}");

    // Paragraph 2 reads `core_budget.grand_total[2013]`: the table's name leads to Table 1,
    // and finding its references finds every rule that names it.
    let (line, column) = position_of(&text, "approved_core_budget[2013] =", "core_budget.");
    let at_table =
        json!({ "textDocument": document, "position": { "line": line, "character": column + 2 } });
    let definition = client.request("textDocument/definition", at_table.clone());
    let (table_line, _) = position_of(&text, "table 1 core_budget", "core_budget");
    assert_eq!(definition["range"]["start"]["line"], table_line);
    let mut with_context = at_table;
    with_context["context"] = json!({ "includeDeclaration": false });
    let references = client.request("textDocument/references", with_context);
    // Paragraph 2 twice, paragraph 22 twice (inside `published(…)`), Table 5's apportion
    // line. (The scenario's rule names the scenario's own Table 6, not Table 1.)
    assert_eq!(references.as_array().unwrap().len(), 5, "{references}");

    // In the scenario, Table 6's host row reads paragraph 1's `host_offset`: its
    // definition is the decision's, and its references include the scenario's use.
    let (line, column) = position_of(&text, "replace table 6", "= host_offset");
    let at_scenario =
        json!({ "textDocument": document, "position": { "line": line, "character": column + 3 } });
    let definition = client.request("textDocument/definition", at_scenario.clone());
    let (host_line, _) = position_of(&text, "paragraph 1", "host_offset[year]");
    assert_eq!(
        definition["range"]["start"]["line"], host_line,
        "{definition}"
    );
    let mut with_context = at_scenario;
    with_context["context"] = json!({ "includeDeclaration": false });
    let references = client.request("textDocument/references", with_context);
    let lines: Vec<u64> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert!(lines.contains(&(line as u64)), "{lines:?}");
    assert!(
        lines.len() >= 2,
        "the decision's Table 1 and the scenario's Table 6: {lines:?}"
    );

    // The outline: Table 1 holds section I. Expenditures, which holds A. Staff costs.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": document }),
    );
    let table_1 = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Table 1")
        .unwrap();
    let section = &table_1["children"][0];
    assert_eq!(section["name"], "I. Expenditures");
    assert_eq!(section["children"][0]["name"], "A. Staff costs *");
    assert!(
        symbols
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "contingency-2015")
    );

    // Completion offers names, units and Parties.
    let completions = client.request(
        "textDocument/completion",
        json!({ "textDocument": document, "position": { "line": 0, "character": 0 } }),
    );
    let labels: Vec<&str> = completions
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    for wanted in [
        "programme_support_rate",
        "core_budget.grand_total",
        "thousands of US$",
        "\"Albania\"",
        "scenario",
    ] {
        assert!(labels.contains(&wanted), "{wanted} not offered");
    }

    // Inlay hints: beside the stated 2014 grand total, what bud computes and the difference.
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": document,
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 400, "character": 0 } } }),
    );
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&" ≈ 2,963.199 (-0.099)"), "{labels:?}");
    // Every hint sits just after a figure of this file (none from the data file's offsets).
    let lines: Vec<Vec<u16>> = text.lines().map(|l| l.encode_utf16().collect()).collect();
    for hint in hints.as_array().unwrap() {
        let line = &lines[hint["position"]["line"].as_u64().unwrap() as usize];
        let at = hint["position"]["character"].as_u64().unwrap() as usize;
        let before = char::from_u32(u32::from(line[at - 1])).unwrap();
        assert!(
            before.is_ascii_digit() || before == '-',
            "{hint} follows {before:?}"
        );
    }
    assert_eq!(hints.as_array().unwrap().len(), labels.len());
    assert!(labels.contains(&" = 2,577.6"), "{labels:?}");

    // The bundled decision is formatted: nothing to change.
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": document, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(edits, json!([]));
    client.shut_down();
}

#[test]
fn formatting_a_mis_indented_buffer_gives_the_canonical_file() {
    let mut client = Client::start();
    let canonical = text();
    let messy: String = canonical
        .lines()
        .map(|line| format!("{}\n", line.trim_start()))
        .collect();
    let uri = "file:///tmp/unsaved-messy.bud";
    client.open(uri, &messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], canonical.as_str());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    client.shut_down();
}

/// The Lua block of editors/README.md's Neovim section that sets Neovim up, with the
/// path of this clone in place of `/path/to/bud`.
fn neovim_configuration_from_the_readme() -> String {
    let readme = std::fs::read_to_string("editors/README.md").unwrap();
    let section = &readme[readme.find("## Neovim").unwrap()..];
    let section = &section[..section.find("\n## ").unwrap()];
    let block = section
        .split("```lua\n")
        .skip(1)
        .map(|rest| &rest[..rest.find("```").unwrap()])
        .find(|block| block.contains("runtimepath"))
        .expect("the Neovim section gives a Lua configuration");
    let clone = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap();
    assert!(block.contains("/path/to/bud"), "{block}");
    block.replace("/path/to/bud", &clone.display().to_string())
}

/// The 1-based line and byte column Vim's `synID` takes, of `needle` after `after`.
fn vim_place(text: &str, after: &str, needle: &str) -> String {
    let start = text.find(after).unwrap();
    let at = start + text[start..].find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    format!("{line}:{}", at - line_start + 1)
}

/// Debian's Neovim (0.7, which `.ci/run` installs), set up with exactly the lines
/// editors/README.md gives and nothing else (its home and XDG folders in a temporary
/// folder, `bud` on the PATH), opens a decision with a mistyped figure: the file is
/// `bud`, highlighted, the server's error arrives with the rounding notes as hints,
/// and the code action `vim.lsp.buf.code_action()` offers corrects the figure. Without
/// Neovim the test says so and is skipped, except under CI, where it fails.
#[test]
fn neovim_set_up_from_the_readme_highlights_reports_and_corrects_a_decision() {
    let nvim = std::path::Path::new("/usr/bin/nvim");
    if !nvim.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Neovim test: install Debian's neovim (.ci/run does)"
        );
        eprintln!("skipping the Neovim test: no /usr/bin/nvim (apt-get install neovim)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let config = home.join("config");
    std::fs::create_dir_all(config.join("nvim")).unwrap();
    std::fs::write(
        config.join("nvim/init.lua"),
        neovim_configuration_from_the_readme(),
    )
    .unwrap();
    let work = home.join("work");
    std::fs::create_dir(&work).unwrap();
    let original = text();
    let broken = original.replacen(
        "1,875.2   1,916.7   3,791.9",
        "1,857.2   1,916.7   3,791.9",
        1,
    );
    std::fs::write(work.join("bs-vi-7.bud"), &broken).unwrap();
    // A second decision beside it, whose stated figure rounding explains.
    std::fs::write(
        work.join("second.bud"),
        "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\n\
         x = US$ 1.25 * 2  stated US$ 2.5\ny = x * 3  stated US$ 7 rounding 1\n",
    )
    .unwrap();
    for data in ["bs-vi-7-table-5.tsv", "bs-vi-7-status-example.tsv"] {
        std::fs::copy(format!("decisions/{data}"), work.join(data)).unwrap();
    }
    let highlighted = [
        (vim_place(&broken, "// Decision", "//"), "budComment"),
        (
            vim_place(&broken, "table 1 core_budget", "table"),
            "budKeyword",
        ),
        (
            vim_place(&broken, "unit     thousands", "thousands"),
            "budUnit",
        ),
        (vim_place(&broken, "thousands of US$", "US$"), "budUnit"),
        (vim_place(&broken, "rounding 0.1", "half-up"), "budKeyword"),
        (vim_place(&broken, "A. staff_costs", "A."), "budMarker"),
        (vim_place(&broken, "A. staff_costs", "\"Staff"), "budString"),
        (vim_place(&broken, "A. staff_costs", "1,857.2"), "budFigure"),
        (vim_place(&broken, "advisory meetings\"", "-"), "budFigure"),
        (
            vim_place(&broken, "approved_core_budget[2013]", "stated"),
            "budStated",
        ),
        (
            vim_place(&broken, "subtotal            \"Sub", "sum("),
            "budFunction",
        ),
        (
            vim_place(&broken, "= subtotal + support", "+"),
            "budOperator",
        ),
        (
            vim_place(&broken, "programme_support_rate = 13%", "%"),
            "budUnit",
        ),
    ];
    let places: Vec<&str> = highlighted
        .iter()
        .map(|(place, _)| place.as_str())
        .collect();
    let bud = assert_cmd::cargo::cargo_bin("bud");
    let path = format!(
        "{}:{}",
        bud.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = home.join("seen.txt");
    let smoke = std::fs::canonicalize("editors/neovim/smoke.lua").unwrap();
    let status = Command::new(nvim)
        .args(["--headless", "bs-vi-7.bud", "-c"])
        .arg(format!("luafile {}", smoke.display()))
        .current_dir(&work)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("PATH", path)
        .env("OUT", &out)
        .env("SYNTAX_AT", places.join(","))
        .env("ALSO_OPEN", "second.bud")
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).unwrap();
    assert!(
        seen.starts_with("filetype: bud\ncommentstring: // %s\n"),
        "{seen}"
    );
    for (place, group) in highlighted {
        assert!(
            seen.contains(&format!("syntax {place} {group}\n")),
            "{place} should be {group}: {seen}"
        );
    }
    assert!(seen.contains("diagnostics arrived: true"), "{seen}");
    let diagnostics: Vec<&str> = seen.lines().filter(|l| l.contains(" bud::")).collect();
    let errors: Vec<&str> = diagnostics
        .iter()
        .copied()
        .filter(|l| l.contains(" ERROR "))
        .collect();
    assert_eq!(
        errors,
        [
            "40:72 ERROR bud::reconcile::mismatch Table 1, A. Staff costs *, 2013: 1,857.2 does not agree with the 2 stated figures computed from it; both reconcile if it is 1,875.2"
        ],
        "{seen}"
    );
    // Rounding is a hint, not a problem.
    let rounding: Vec<&&str> = diagnostics
        .iter()
        .filter(|l| l.contains("bud::reconcile::rounding"))
        .collect();
    assert!(!rounding.is_empty(), "{seen}");
    assert!(rounding.iter().all(|l| l.contains(" HINT ")), "{seen}");
    assert!(
        seen.contains("hover: **Table 1, A. Staff costs *, 2013**"),
        "{seen}"
    );
    assert!(
        seen.contains("code action offered: correct it to 1,875.2\n"),
        "{seen}"
    );
    assert!(
        seen.contains("errors after the code action: 0 (cleared: true)"),
        "{seen}"
    );
    let staff_costs = original
        .lines()
        .find(|line| line.contains("A. staff_costs"))
        .unwrap();
    assert!(
        seen.contains(&format!("line after the code action: {staff_costs}\n")),
        "{seen}"
    );
    // The second decision is a `bud` buffer the one server running took on.
    assert!(
        seen.contains("second file: filetype bud, attached true, servers running 1\n"),
        "{seen}"
    );
}

#[test]
fn a_problem_in_an_imported_file_is_shown_at_the_import_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    std::fs::write(
        dir.path().join("lib/rates.bud"),
        "// Rates shared by decisions.\nbroken_rate = 13% + US$ 5\n",
    )
    .unwrap();
    let decision = "decision \"X/1\" {\n    title    \"T\"\n    period   2013-2014\n    currency US$\n}\n\nimport \"lib/rates.bud\"\n";
    let path = dir.path().join("x.bud");
    std::fs::write(&path, decision).unwrap();
    let mut client = Client::start();
    let uri = format!("file://{}", path.display());
    let diagnostics = client.open(&uri, decision);
    let found = errors(&diagnostics);
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        found[0]["range"]["start"]["line"], 6,
        "at the import line: {diagnostics:#?}"
    );
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.starts_with("lib/rates.bud:2:"), "{message}");
    client.shut_down();
}

#[test]
fn a_broken_frame_is_answered_and_the_server_goes_on() {
    let mut client = Client::start();
    // A body that is not JSON: the protocol's parse error, and the server goes on.
    write!(client.stdin, "Content-Length: 9\r\n\r\nnot json!").unwrap();
    client.stdin.flush().unwrap();
    let answer = client.next();
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    // Still serving: a second initialize is refused as the protocol says, not ignored.
    client.next_id += 1;
    let id = client.next_id;
    client.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "initialize",
                         "params": { "processId": null, "rootUri": null, "capabilities": {} } }));
    let answer = client.next();
    assert_eq!(answer["id"], id);
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    // A header that claims 100 GB: answered at once, and its body skipped unread rather
    // than allocated (so it comes last: the server reads on until that many bytes pass).
    write!(client.stdin, "Content-Length: 99999999999\r\n\r\n").unwrap();
    client.stdin.flush().unwrap();
    let answer = client.next();
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    drop(client.stdin);
    let status = client.child.wait().unwrap();
    // No `shutdown` before the end: exit code 1, and no crash.
    assert_eq!(status.code(), Some(1));
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}

#[test]
fn a_decision_reading_an_open_one_follows_its_edits_and_a_un_figure_hovers() {
    let folder = std::fs::canonicalize("decisions/unfccc").unwrap();
    let uri_of = |file: &str| format!("file://{}", folder.join(file).display());
    let (cop, cmp) = (uri_of("22-cp-21.bud"), uri_of("21-cp-23.bud"));
    let cop_text = std::fs::read_to_string(folder.join("22-cp-21.bud")).unwrap();
    let cmp_text = std::fs::read_to_string(folder.join("21-cp-23.bud")).unwrap();
    let mut client = Client::start();
    assert!(errors(&client.open(&cop, &cop_text)).is_empty());
    assert!(errors(&client.open(&cmp, &cmp_text)).is_empty());

    // Hovering a figure in UN notation gives what bud computes for it.
    let (line, column) = position_of(&cop_text, "C. support", "3 146 088");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": cop }, "position": { "line": line, "character": column + 2 } }),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("3 146 088"), "{hover:#}");

    // 2017's Adaptation, mistyped in the open 22/CP.21: one error there; 21/CP.23,
    // which reads that decision's reserve level for 2017, is checked again against the
    // editor's text, and counts what follows without an error of its own.
    let (line, column) = position_of(&cop_text, "\"Adaptation\"", "2 336 252");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": cop, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": line, "character": column + 2 },
                           "end": { "line": line, "character": column + 3 } },
                "text": "4"
            }]
        }),
    );
    let cop_diagnostics = client.diagnostics_at(&cop, 2);
    let found = errors(&cop_diagnostics);
    assert_eq!(found.len(), 1, "{cop_diagnostics:#?}");
    assert!(
        found[0]["message"].as_str().unwrap().contains("2 436 252"),
        "{:#}",
        found[0]
    );
    let cmp_diagnostics = client.diagnostics(&cmp);
    assert!(errors(&cmp_diagnostics).is_empty(), "{cmp_diagnostics:#?}");

    // Its code action writes the correction in UN notation, and applied, the decision
    // reconciles again.
    let actions = code_actions(&mut client, &cop, line, column + 1);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "correct it to 2 336 252");
    let edits = actions[0]["edit"]["changes"][&cop].as_array().unwrap();
    assert_eq!(edits[0]["newText"], "2 336 252");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": cop, "version": 3 },
            "contentChanges": [{ "range": edits[0]["range"], "text": edits[0]["newText"] }]
        }),
    );
    let cop_diagnostics = client.diagnostics_at(&cop, 3);
    assert!(errors(&cop_diagnostics).is_empty(), "{cop_diagnostics:#?}");
    client.shut_down();
}

/// Applies LSP text edits (UTF-16 positions) to a text, last first.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let units: Vec<u16> = text[start..].encode_utf16().take(character).collect();
        start + String::from_utf16(&units).unwrap().len()
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut text = text.to_owned();
    for (start, end, new) in edits {
        text.replace_range(start..end, new);
    }
    text
}

/// The code actions offered at a place, by title, with their edits of `uri`.
fn code_actions(client: &mut Client, uri: &str, line: usize, column: usize) -> Vec<Value> {
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": line, "character": column },
                       "end": { "line": line, "character": column } },
            "context": { "diagnostics": [] }
        }),
    );
    actions.as_array().unwrap().clone()
}

#[test]
fn a_mistyped_figure_is_corrected_by_its_code_action() {
    let mut client = Client::start();
    let uri = uri();
    let text = text().replacen(
        "1,875.2   1,916.7   3,791.9",
        "1,857.2   1,916.7   3,791.9",
        1,
    );
    let capabilities = client.capabilities.clone();
    assert_eq!(
        capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"]),
        "{capabilities:#}"
    );
    assert_eq!(errors(&client.open(&uri, &text)).len(), 1);

    let (line, column) = position_of(&text, "A. staff_costs", "1,857.2");
    let actions = code_actions(&mut client, &uri, line, column + 2);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let action = &actions[0];
    assert_eq!(action["title"], "correct it to 1,875.2");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    assert_eq!(action["diagnostics"][0]["code"], "bud::reconcile::mismatch");
    let edits = action["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(
        edits[0]["range"],
        json!({ "start": { "line": line, "character": column },
                "end": { "line": line, "character": column + 7 } })
    );
    let corrected = apply_edits(&text, edits);
    assert_eq!(corrected, crate::text());

    // Applied as the editor would, the decision reconciles again.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": edits.iter().map(|e| json!({ "range": e["range"], "text": e["newText"] })).collect::<Vec<_>>()
        }),
    );
    let diagnostics = client.diagnostics(&uri);
    assert!(errors(&diagnostics).is_empty(), "{diagnostics:#?}");
    // Elsewhere, nothing is offered.
    assert!(code_actions(&mut client, &uri, 0, 0).is_empty());
    client.shut_down();
}

#[test]
fn a_wrong_stated_total_and_a_misspelt_name_are_corrected_by_code_actions() {
    let mut client = Client::start();
    let uri = uri();
    // The stated Total of Staff costs, mistyped: its own error, nothing it reads fails.
    let text = text()
        .replacen(
            "1,875.2   1,916.7   3,791.9",
            "1,875.2   1,916.7   3,719.9",
            1,
        )
        .replacen(
            "= subtotal + support + reserve",
            "= subtotl + support + reserve",
            1,
        );
    let diagnostics = client.open(&uri, &text);
    assert_eq!(errors(&diagnostics).len(), 2, "{diagnostics:#?}");

    let (line, column) = position_of(&text, "A. staff_costs", "3,719.9");
    let actions = code_actions(&mut client, &uri, line, column);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "correct the stated figure to 3,791.9");
    let mut fixed = apply_edits(
        &text,
        actions[0]["edit"]["changes"][&uri].as_array().unwrap(),
    );

    let (line, column) = position_of(&fixed, "grand_total         \"GRAND", "subtotl");
    let actions = code_actions(&mut client, &uri, line, column + 3);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "change to `subtotal`");
    assert!(
        actions[0]["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `subtotal`?")
    );
    // The first edit left the line of the name where it was: the second applies too.
    fixed = apply_edits(
        &fixed,
        actions[0]["edit"]["changes"][&uri].as_array().unwrap(),
    );
    assert_eq!(fixed, crate::text());
    client.shut_down();
}

/// The tokens of a semantic-tokens answer, decoded: line, start, length, type and
/// modifiers by name.
fn decoded_tokens(answer: &Value, legend: &Value) -> Vec<(u64, u64, u64, String, bool)> {
    let data: Vec<u64> = answer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let types = legend["tokenTypes"].as_array().unwrap();
    assert_eq!(legend["tokenModifiers"], json!(["declaration"]));
    let (mut line, mut start) = (0, 0);
    data.chunks(5)
        .map(|token| {
            if token[0] > 0 {
                start = 0;
            }
            line += token[0];
            start += token[1];
            let kind = types[token[3] as usize].as_str().unwrap().to_owned();
            (line, start, token[2], kind, token[4] & 1 == 1)
        })
        .collect()
}

#[test]
fn semantic_tokens_say_what_each_word_is() {
    let mut client = Client::start();
    let (uri, text) = (uri(), text());
    client.open(&uri, &text);
    let legend = client.capabilities["semanticTokensProvider"]["legend"].clone();
    assert_eq!(client.capabilities["semanticTokensProvider"]["full"], true);
    let answer = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let tokens = decoded_tokens(&answer, &legend);
    let at = |after: &str, needle: &str| {
        let (line, column) = position_of(&text, after, needle);
        tokens
            .iter()
            .find(|t| t.0 == line as u64 && t.1 == column as u64)
            .cloned()
            .unwrap_or_else(|| panic!("no token at {needle} ({line}:{column})"))
    };
    let kind = |token: (u64, u64, u64, String, bool)| (token.2, token.3, token.4);
    // The keyword, and the table's name where it is defined.
    assert_eq!(
        kind(at("table 1 core_budget", "table")),
        (5, "keyword".into(), false)
    );
    assert_eq!(
        kind(at("table 1 core_budget", "core_budget")),
        (11, "class".into(), true)
    );
    // A row's marker, its name defined, its label and its figures.
    assert_eq!(
        kind(at("A. staff_costs", "A.")),
        (2, "enumMember".into(), false)
    );
    assert_eq!(
        kind(at("A. staff_costs", "staff_costs")),
        (11, "property".into(), true)
    );
    assert_eq!(
        kind(at("A. staff_costs", "\"Staff costs *\"")),
        (15, "string".into(), false)
    );
    assert_eq!(
        kind(at("A. staff_costs", "1,875.2")),
        (7, "number".into(), false)
    );
    // A rule: the function, the section it sums; names it reads, not defined there.
    assert_eq!(
        kind(at("subtotal            \"Sub", "sum")),
        (3, "function".into(), false)
    );
    assert_eq!(
        kind(at("subtotal            \"Sub", "expenditures")),
        (12, "namespace".into(), false)
    );
    assert_eq!(
        kind(at("= programme_support_rate of", "programme_support_rate")),
        (22, "variable".into(), false)
    );
    assert_eq!(
        kind(at("= programme_support_rate of", "of")),
        (2, "keyword".into(), false)
    );
    assert_eq!(
        kind(at("= subtotal + support", "subtotal")),
        (8, "property".into(), false)
    );
    assert_eq!(
        kind(at("= subtotal + support", "+")),
        (1, "operator".into(), false)
    );
    // A value defined, a unit, a comment.
    assert_eq!(
        kind(at(
            "\nprogramme_support_rate = 13%",
            "programme_support_rate"
        )),
        (22, "variable".into(), true)
    );
    assert_eq!(
        kind(at("    unit     thousands of US$", "US$")),
        (3, "type".into(), false)
    );
    assert_eq!(kind(at("// Decision BS-VI/7", "//")).1, "comment");
    // Tokens never overlap, and come in order.
    for pair in tokens.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.0 < b.0 || (a.0 == b.0 && a.1 + a.2 <= b.1),
            "{a:?} overlaps {b:?}"
        );
    }

    // A range gives the tokens of its lines alone.
    let (line, _) = position_of(&text, "A. staff_costs", "A.");
    let answer = client.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": uri },
                "range": { "start": { "line": line, "character": 0 }, "end": { "line": line + 1, "character": 0 } } }),
    );
    let in_range = decoded_tokens(&answer, &legend);
    assert!(!in_range.is_empty());
    // The line of Staff costs, whole: marker, name, label, three figures.
    let kinds: Vec<&str> = in_range.iter().map(|t| t.3.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "enumMember",
            "property",
            "string",
            "number",
            "number",
            "number"
        ],
        "{in_range:?}"
    );
    assert!(in_range.iter().all(|t| t.0 == line as u64), "{in_range:?}");
    // The same tokens as the whole file's answer gives for that line.
    let whole: Vec<_> = tokens
        .iter()
        .filter(|t| t.0 == line as u64)
        .cloned()
        .collect();
    assert_eq!(in_range, whole);
    client.shut_down();
}

#[test]
fn completion_offers_the_files_names_before_units_and_keywords() {
    let mut client = Client::start();
    let (uri, text) = (uri(), text());
    client.open(&uri, &text);
    let completions = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    let mut items: Vec<(String, String)> = completions
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sortText"].as_str().unwrap().to_owned(),
                c["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    items.sort();
    let rank = |label: &str| items.iter().position(|(_, l)| l == label).unwrap();
    // An editor orders by sortText: every name before any unit or Party, those
    // before any keyword.
    assert!(rank("subtotal") < rank("thousands of US$"));
    assert!(rank("programme_support_rate") < rank("\"Albania\""));
    assert!(rank("core_budget.grand_total") < rank("table"));
    assert!(rank("\"Albania\"") < rank("table"));
    assert!(rank("thousands of US$") < rank("scenario"));
    client.shut_down();
}

#[test]
fn a_code_action_after_wide_characters_counts_utf16_positions() {
    let mut client = Client::start();
    let text = "decision \"T/1\" {\n    title \"T\"\n    period 2013-2014\n    currency US$\n}\n\
                table 1 t {\n    unit thousands of US$\n    rounding 0.1\n    columns 2013 2014 Total\n\
                \x20   staff    \"Côte d’Ivoire ≈ 𝄞\"   110.0   100.0   200.0\n\
                \x20   travel   \"Travel\"              50.0    50.0   100.0\n\
                \x20   subtotal \"Sub-total\"          150.0   150.0   300.0  = staff + travel\n}\n";
    let uri = "file:///tmp/unsaved-wide.bud";
    let diagnostics = client.open(uri, text);
    assert_eq!(errors(&diagnostics).len(), 1, "{diagnostics:#?}");
    let (line, column) = position_of(text, "staff ", "110.0");
    // `𝄞` is two UTF-16 code units, and the bytes of the line count more still.
    let line_text = text.lines().nth(line).unwrap();
    assert!(column < line_text.find("110.0").unwrap());
    let actions = code_actions(&mut client, uri, line, column);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let edits = actions[0]["edit"]["changes"][uri].as_array().unwrap();
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": line, "character": column })
    );
    assert_eq!(apply_edits(text, edits), text.replacen("110.0", "100.0", 1));
    client.shut_down();
}
