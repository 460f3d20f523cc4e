//! `bud serve` started on a folder of the test's own, and a plain HTTP/1.1 client that
//! sends exactly the headers a test gives (a browser would add its own), for the tests
//! of the workbench and its benchmark.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `bud serve`, stopped when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:41234`.
    pub address: String,
    pub folder: PathBuf,
    /// The token of the address it printed.
    pub token: String,
}

impl Served {
    /// `bud serve folder --port 0`, once it says where it listens.
    pub fn start(bud: &Path, folder: &Path) -> Served {
        let mut child = Command::new(bud)
            .args(["serve", "--port", "0"])
            .arg(folder)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("bud serve starts");
        let stdout = child.stdout.take().expect("its standard output");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("bud serve says where it listens");
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        let token = first
            .split("?token=")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no token in {first:?}"))
            .to_owned();
        Served {
            child,
            address,
            folder: folder.to_path_buf(),
            token,
        }
    }

    /// The address of a page as the printed one gives it: with the token, which signs
    /// the browser in and leads to the page.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}?token={}", self.address, self.token)
    }

    /// The cookie of a signed-in browser.
    pub fn cookie(&self) -> String {
        let port = self.address.rsplit(':').next().unwrap_or_default();
        format!("bud_session_{port}={}", self.token)
    }

    /// A request as a signed-in browser sends it: this server's own `Host`, its cookie,
    /// and the headers given.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let cookie = self.cookie();
        let mut all = vec![("Host", self.address.as_str()), ("Cookie", cookie.as_str())];
        all.extend_from_slice(headers);
        send(&self.address, method, path, &all, body)
    }

    /// A GET of `path`, signed in, from another thread (a page waiting for changes).
    pub fn get_elsewhere(&self, path: &str) -> std::thread::JoinHandle<Reply> {
        let (address, cookie, path) = (self.address.clone(), self.cookie(), path.to_owned());
        std::thread::spawn(move || {
            send(
                &address,
                "GET",
                &path,
                &[("Host", address.as_str()), ("Cookie", cookie.as_str())],
                "",
            )
        })
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], "")
    }

    /// The session token the pages carry for their writes.
    pub fn token(&self) -> String {
        let page = self.get("/decision/bs-vi-7.bud").body;
        page.split("name=\"bud-token\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page carries the token")
            .to_owned()
    }

    /// The headers a page of this server sends with a write.
    pub fn own_origin(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One request over its own connection, exactly the headers given.
pub fn send(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a read timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream
        .write_all(request.as_bytes())
        .expect("the request is sent");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("a reply");
    let split = reply
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or(reply.len());
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let body = reply.get(split + 4..).unwrap_or_default();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_vec()
    };
    Reply {
        status,
        head,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn unchunk(mut body: &[u8]) -> Vec<u8> {
    let mut whole = Vec::new();
    while let Some(end) = body.windows(2).position(|window| window == b"\r\n") {
        let size = std::str::from_utf8(&body[..end])
            .ok()
            .and_then(|size| usize::from_str_radix(size.trim(), 16).ok())
            .unwrap_or(0);
        let rest = &body[end + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        whole.extend_from_slice(&rest[..size]);
        body = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
    whole
}

/// A copy of `decisions/` (BS-VI/7, its data files, the UNFCCC decisions) in `into`.
pub fn copy_decisions(into: &Path) {
    copy_folder(Path::new("decisions"), into);
}

fn copy_folder(from: &Path, into: &Path) {
    std::fs::create_dir_all(into).expect("a folder");
    for entry in std::fs::read_dir(from).expect("decisions/ is readable") {
        let entry = entry.expect("an entry");
        let target = into.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("a copy");
        }
    }
}
