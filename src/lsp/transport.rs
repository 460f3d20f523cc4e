//! Messages in and out, framed by `Content-Length`, over whatever reader and writer the
//! caller hands over (standard input and output for `bud lsp`, bytes in memory for the
//! fuzz target). lsp-server's own transport allocates whatever length a header claims,
//! and ends the server on a header that is not UTF-8 or a body that is not JSON; an
//! editor, or anything writing to the pipe, should not be able to silence bud that way.
//! Here every frame that cannot be read gets the protocol's parse error (-32700) and
//! the reader goes on with the next one.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use lsp_server::{Connection, Message};

use crate::format::printable;

/// The largest message bud reads: a file at the 128 MiB limit, with room for the
/// escaping JSON adds.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// The longest header line read in one piece; a longer one is not a header.
const MAX_HEADER_LINE: u64 = 64 * 1024;

/// How many messages the reader may read ahead of the server. While the server checks
/// a decision, the edits that arrive meanwhile wait here, and are applied together and
/// checked once: a burst of keystrokes costs one check, not one each.
const READ_AHEAD: usize = 1024;

type Output = Arc<Mutex<Box<dyn Write + Send>>>;

/// The connection, and the threads that read and write it.
pub struct Transport {
    pub connection: Connection,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Transport {
    pub fn new(input: impl Read + Send + 'static, output: impl Write + Send + 'static) -> Self {
        let output: Output = Arc::new(Mutex::new(Box::new(output)));
        let (to_editor, outgoing): (Sender<Message>, Receiver<Message>) = bounded(0);
        let (incoming, from_editor): (Sender<Message>, Receiver<Message>) = bounded(READ_AHEAD);
        let writer_output = Arc::clone(&output);
        let writer = std::thread::spawn(move || {
            for message in outgoing {
                let Ok(mut output) = writer_output.lock() else {
                    return;
                };
                if message.write(&mut *output).is_err() {
                    return;
                }
            }
        });
        let reader =
            std::thread::spawn(move || read_all(BufReader::new(input), &incoming, &output));
        Transport {
            connection: Connection {
                sender: to_editor,
                receiver: from_editor,
            },
            reader,
            writer,
        }
    }

    /// Closes the connection and waits for the writer, so every answer is out; and for
    /// the reader too when it is known to have stopped (at `exit`, or at the end of
    /// its input). Otherwise it may be blocked on its input, and ends with the process.
    pub fn close(self, reader_stopped: bool) {
        drop(self.connection);
        let _ = self.writer.join();
        if reader_stopped {
            let _ = self.reader.join();
        }
    }
}

fn read_all(mut input: impl BufRead, incoming: &Sender<Message>, output: &Output) {
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

#[derive(Debug)]
enum Frame {
    Message(Message),
    /// A frame skipped, and why.
    Refused(String),
    /// A frame too large to read, by its claimed length; its body is still to skip.
    TooLarge(usize),
    End,
}

/// One frame: its headers up to the blank line, then as many bytes as it claims.
fn read_one(input: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.take(MAX_HEADER_LINE).read_until(b'\n', &mut line)? == 0 {
            return Ok(Frame::End);
        }
        // Header bytes that are not UTF-8 are not a reason to stop listening.
        let text = String::from_utf8_lossy(&line);
        let header = next_header(&text);
        if header.trim().is_empty() {
            if length.is_some() {
                break;
            }
            continue; // stray blank lines between messages
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(content_length(value.trim()));
            }
        }
    }
    match length {
        Some(Ok(length)) if length > MAX_BODY => Ok(Frame::TooLarge(length)),
        Some(Ok(length)) => {
            let mut body = vec![0; length];
            input.read_exact(&mut body)?;
            Ok(match serde_json::from_slice::<Message>(&body) {
                Ok(message) => Frame::Message(message),
                Err(error) => Frame::Refused(format!("not a JSON-RPC message: {error}")),
            })
        }
        Some(Err(why)) => Ok(Frame::Refused(why)),
        None => Ok(Frame::End),
    }
}

/// The header in a line. After a frame whose length could not be read, its body runs
/// into the next frame's first header with no newline between; the reader finds its
/// feet again at that `Content-Length`.
fn next_header(line: &str) -> &str {
    const NAME: &str = "content-length:";
    match line.to_ascii_lowercase().find(NAME) {
        Some(at) if at > 0 => &line[at..],
        _ => line,
    }
}

fn content_length(value: &str) -> Result<usize, String> {
    value.parse().map_err(|_| {
        let shown: String = value.chars().take(40).collect();
        format!(
            "the header `Content-Length: {}` is not a length in bytes",
            printable(&shown)
        )
    })
}

/// The protocol's answer to a frame it cannot read: it has no id to answer to.
fn parse_error(output: &Output, why: &str) {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": why },
    })
    .to_string();
    if let Ok(mut output) = output.lock() {
        let _ = write!(output, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = output.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(bytes: &[u8]) -> Vec<String> {
        let mut input = io::Cursor::new(bytes.to_vec());
        let mut seen = Vec::new();
        while let Ok(frame) = read_one(&mut input) {
            match frame {
                Frame::End => break,
                Frame::Message(Message::Notification(n)) => seen.push(n.method),
                other => seen.push(format!("{other:?}")),
            }
        }
        seen
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const PING: &str = r#"{"jsonrpc":"2.0","method":"ping"}"#;

    #[test]
    fn a_header_that_is_not_utf_8_is_read_past() {
        let mut bytes = b"X-Junk: \xff\xfe\r\n".to_vec();
        bytes.extend(framed(PING).as_bytes());
        assert_eq!(frames(&bytes), ["ping"]);
    }

    #[test]
    fn a_negative_length_is_refused_and_the_next_frame_read() {
        let bytes = format!("Content-Length: -5\r\n\r\n{PING}{}", framed(PING));
        let seen = frames(bytes.as_bytes());
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(
            seen[0].contains("`Content-Length: -5` is not a length"),
            "{seen:?}"
        );
        assert_eq!(seen[1], "ping");
    }

    #[test]
    fn an_overflowing_length_is_refused() {
        let bytes = format!(
            "Content-Length: 99999999999999999999999\r\n\r\n{PING}{}",
            framed(PING)
        );
        let seen = frames(bytes.as_bytes());
        assert!(seen[0].contains("is not a length"), "{seen:?}");
        assert_eq!(seen.last().map(String::as_str), Some("ping"));
    }
}
