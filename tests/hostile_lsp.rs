//! `bud lsp` spoken to by a client that breaks the protocol, by mistake or on purpose:
//! each message it cannot take gets an error answer, and the server goes on serving.
//! Every run is under the memory limit of `support/limits.rs`, and every wait for an
//! answer under the client's time limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/limits.rs"]
mod limits;
#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::{Value, json};

const DECISION: &str = "decisions/bs-vi-7.bud";

fn uri() -> String {
    let path = std::fs::canonicalize(DECISION).unwrap();
    format!("file://{}", path.display())
}

fn initialize_params() -> Value {
    json!({ "processId": null, "rootUri": null, "capabilities": {} })
}

/// The server still answers a request, and leaves cleanly when asked.
fn still_serving(mut client: Client) {
    let symbols = client.answer(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": "file:///nowhere.bud" } }),
    );
    assert!(
        symbols["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not open")
    );
    client.shut_down();
}

/// The parse error the server answers a frame it cannot read with.
fn parse_error(client: &mut Client) -> String {
    let answer = client.next();
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    answer["error"]["message"].as_str().unwrap().to_owned()
}

fn framed(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn a_header_that_is_not_utf_8_is_read_past() {
    let mut client = Client::start();
    let mut bytes = b"X-Editor: caf\xe9\xff\r\n".to_vec();
    bytes.extend(framed(
        &json!({ "jsonrpc": "2.0", "id": 99, "method": "shutdown" }),
    ));
    client.send_bytes(&bytes);
    let answer = client.response_to(99);
    assert!(answer.get("error").is_none(), "{answer}");
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

#[test]
fn a_negative_content_length_is_answered_and_the_next_message_read() {
    let mut client = Client::start();
    let body = json!({ "jsonrpc": "2.0", "method": "initialized" }).to_string();
    client.send_bytes(format!("Content-Length: -5\r\n\r\n{body}").as_bytes());
    let why = parse_error(&mut client);
    assert!(
        why.contains("`Content-Length: -5` is not a length"),
        "{why}"
    );
    still_serving(client);
}

#[test]
fn an_overflowing_content_length_is_answered_and_the_next_message_read() {
    let mut client = Client::start();
    client.send_bytes(b"Content-Length: 184467440737095516160\r\n\r\n{}");
    let why = parse_error(&mut client);
    assert!(why.contains("is not a length in bytes"), "{why}");
    still_serving(client);
}

#[test]
fn an_ill_typed_initialize_is_refused_and_a_good_one_then_accepted() {
    let mut client = Client::spawn();
    let refused = client.answer("initialize", json!({ "capabilities": 5 }));
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("initialize")
    );
    let accepted = client.answer("initialize", initialize_params());
    assert!(accepted["result"]["capabilities"].is_object(), "{accepted}");
    client.notify("initialized", json!({}));
    still_serving(client);
}

#[test]
fn a_request_before_initialize_is_refused_as_the_protocol_says() {
    let mut client = Client::spawn();
    let refused = client.answer(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri() }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(refused["error"]["code"], -32002, "{refused}");
    client.request("initialize", initialize_params());
    client.notify("initialized", json!({}));
    still_serving(client);
}

#[test]
fn messages_between_initialize_and_initialized_are_served() {
    let mut client = Client::spawn();
    client.request("initialize", initialize_params());
    // The editor opens the decision before it says `initialized`.
    let text = std::fs::read_to_string(DECISION).unwrap();
    let diagnostics = client.open(&uri(), &text);
    assert!(
        diagnostics.iter().all(|d| d["severity"] != 1),
        "{diagnostics:#?}"
    );
    client.notify("initialized", json!({}));
    still_serving(client);
}

#[test]
fn a_burst_of_ten_thousand_edits_is_checked_a_few_times_not_ten_thousand() {
    const EDITS: i64 = 10_000;
    let mut client = Client::start();
    let (uri, text) = (uri(), std::fs::read_to_string(DECISION).unwrap());
    client.open(&uri, &text);
    // Staff costs 2013, typed over again and again with its own figure.
    let at = text.find("1,875.2").unwrap();
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    let range = json!({ "start": { "line": line, "character": column },
                        "end": { "line": line, "character": column + 7 } });
    for version in 2..=EDITS + 1 {
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": range, "text": "1,875.2" }] }),
        );
    }
    let last = client.diagnostics_at(&uri, EDITS + 1);
    assert!(last.iter().all(|d| d["severity"] != 1), "{last:#?}");
    let checks = client
        .notifications
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count()
        + 1;
    eprintln!("{EDITS} edits gave {checks} checks");
    assert!(checks <= 200, "{EDITS} edits gave {checks} checks");
    client.shut_down();
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_huge_file_named_by_an_open_decision_is_reported_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.bud"))
        .status()
        .unwrap();
    assert!(status.success());
    let huge = std::fs::File::create(dir.path().join("huge.tsv")).unwrap();
    huge.set_len(200 << 20).unwrap(); // sparse: no disk used
    let header = "decision \"T/1\" {\n    title    \"Hostile\"\n    period   2013-2014\n    currency US$\n}\n";
    let text = format!("{header}\nimport \"pipe.bud\" as pipe\nimport \"huge.tsv\" as huge\n");
    let uri = format!("file://{}", dir.path().join("input.bud").display());
    let mut client = Client::start();
    let diagnostics = client.open(&uri, &text);
    let messages: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages.iter().any(|m| m.contains("FIFO")), "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("more than the 134,217,728 bytes")),
        "{messages:#?}"
    );
    still_serving(client);
}
