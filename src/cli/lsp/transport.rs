//! Messages in and out over standard input and output, framed by `Content-Length`.
//! lsp-server's own transport allocates whatever length a header claims and ends the
//! server on a body that is not JSON; an editor (or anything writing to the pipe)
//! should not be able to crash bud that way. Here a body over `MAX_BODY` is skipped
//! unread, and one that is not a message gets the protocol's parse error (-32700).

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use lsp_server::{Connection, Message};

/// The largest message bud reads: a file at the 128 MiB limit, with room for the
/// escaping JSON adds.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// The connection, and the threads that read and write it.
pub struct Transport {
    pub connection: Connection,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Transport {
    pub fn stdio() -> Transport {
        let output = Arc::new(Mutex::new(io::stdout()));
        let (to_editor, outgoing): (Sender<Message>, Receiver<Message>) = bounded(0);
        let (incoming, from_editor): (Sender<Message>, Receiver<Message>) = bounded(0);
        let writer_output = Arc::clone(&output);
        let writer = std::thread::spawn(move || {
            for message in outgoing {
                let Ok(mut stdout) = writer_output.lock() else {
                    return;
                };
                if message.write(&mut *stdout).is_err() {
                    return;
                }
            }
        });
        let reader = std::thread::spawn(move || read_all(&incoming, &output));
        Transport {
            connection: Connection {
                sender: to_editor,
                receiver: from_editor,
            },
            reader,
            writer,
        }
    }

    /// Closes the connection and waits for both threads.
    pub fn close(self) {
        drop(self.connection);
        let _ = self.writer.join();
        // The reader may be blocked on standard input; it ends with the process.
        drop(self.reader);
    }
}

fn read_all(incoming: &Sender<Message>, output: &Mutex<io::Stdout>) {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    loop {
        match read_one(&mut input) {
            Ok(Frame::Message(message)) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if incoming.send(message).is_err() || exit {
                    return;
                }
            }
            Ok(Frame::Refused(why)) => parse_error(output, &why),
            Ok(Frame::TooLarge(length)) => {
                // Answer first: skipping may wait on the rest of the body for long.
                parse_error(
                    output,
                    &format!("a message of {length} bytes is more than the {MAX_BODY} bud reads"),
                );
                let skipped = io::copy(&mut (&mut input).take(length as u64), &mut io::sink());
                if skipped.is_err() {
                    return;
                }
            }
            Ok(Frame::End) | Err(_) => return,
        }
    }
}

enum Frame {
    Message(Message),
    /// A frame skipped, and why.
    Refused(String),
    /// A frame too large to read, by its claimed length; its body is still to skip.
    TooLarge(usize),
    End,
}

fn read_one(input: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<usize> = None;
    loop {
        let mut header = String::new();
        if input.read_line(&mut header)? == 0 {
            return Ok(Frame::End);
        }
        let header = header.trim_end();
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            continue; // stray blank lines between messages
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Ok(Frame::TooLarge(length));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(match serde_json::from_slice::<Message>(&body) {
        Ok(message) => Frame::Message(message),
        Err(error) => Frame::Refused(format!("not a JSON-RPC message: {error}")),
    })
}

/// The protocol's answer to a frame it cannot read: it has no id to answer to.
fn parse_error(output: &Mutex<io::Stdout>, why: &str) {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": why },
    })
    .to_string();
    if let Ok(mut stdout) = output.lock() {
        let _ = write!(stdout, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = stdout.flush();
    }
}
