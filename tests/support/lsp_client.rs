//! A client of `bud lsp` as an editor is one: JSON-RPC over the binary's standard
//! input and output, each message read on its own thread so that a server that stops
//! answering fails the test at a time limit instead of hanging it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

pub struct Client {
    pub child: Child,
    pub stdin: ChildStdin,
    messages: Receiver<Value>,
    pub next_id: i64,
    /// Notifications that arrived while waiting for a response.
    pub notifications: Vec<Value>,
    /// What the server said it can do, in its answer to `initialize`.
    pub capabilities: Value,
}

impl Client {
    /// `bud lsp`, initialized as an editor initializes it.
    pub fn start() -> Client {
        let mut client = Client::spawn();
        let initialized = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        assert_eq!(initialized["capabilities"]["positionEncoding"], "utf-16");
        client.capabilities = initialized["capabilities"].clone();
        client.notify("initialized", json!({}));
        client
    }

    /// `bud lsp`, started under the memory limit and not yet spoken to.
    pub fn spawn() -> Client {
        let mut child = super::limits::bud()
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
            notifications: Vec::new(),
            capabilities: Value::Null,
        }
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(30))
            .expect("bud lsp answered within 30 s")
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let message = self.answer(method, params);
        assert!(message.get("error").is_none(), "{method}: {message}");
        message["result"].clone()
    }

    /// The whole response to a request: its result, or its error.
    pub fn answer(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response_to(id)
    }

    pub fn response_to(&mut self, id: i64) -> Value {
        loop {
            let message = self.next();
            if message["id"] == id {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Bytes as they are, framing and all.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(at) = self.notifications.iter().position(wanted) {
            let found = self.notifications.remove(at);
            return found["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let message = self.next();
            if wanted(&message) {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.notifications.push(message);
        }
    }

    /// The diagnostics published for `uri` at `version`, skipping earlier ones (a
    /// document is checked again whenever another open one changes).
    pub fn diagnostics_at(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let wanted = |m: &Value| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == version
            };
            if let Some(at) = self.notifications.iter().position(wanted) {
                let found = self.notifications.remove(at);
                return found["params"]["diagnostics"].as_array().unwrap().clone();
            }
            let message = self.next();
            self.notifications.push(message);
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "bud", "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    pub fn shut_down(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "bud lsp exited with {status}");
    }
}
