//! What keeps the workbench safe on a shared machine. The server listens on the
//! loopback address unless told otherwise, where every user of the machine can reach
//! it, so it answers only whoever opened the address it printed: that address carries
//! a token this run made up (`?token=…`, as Jupyter does), which the first visit
//! exchanges for a cookie the browser keeps (`HttpOnly`, `SameSite=Strict`); every
//! request without it is refused. Every request must also name the server in `Host`
//! (so a page of another site cannot reach it by rebinding its own name to
//! 127.0.0.1); a request that writes must come from the workbench's own pages
//! (`Origin`) and carry the token in a header as well; and a path in a request names
//! a `.bud` file inside the served folder or nothing.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use tiny_http::Request;

/// The header a write carries the session's token in.
pub const TOKEN_HEADER: &str = "X-Bud-Token";

pub struct Guard {
    /// The `Host` values this server answers to: `127.0.0.1:4000`, `localhost:4000`.
    hosts: Vec<String>,
    /// Listening on every address (`--address 0.0.0.0`): any IP address is a name of
    /// this server, while a domain name still is not (that is how rebinding comes).
    any_address: bool,
    port: u16,
    token: String,
}

impl Guard {
    pub fn new(bound: SocketAddr, token: String) -> Guard {
        let port = bound.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        let own = match bound {
            SocketAddr::V4(address) => format!("{}:{port}", address.ip()),
            SocketAddr::V6(address) => format!("[{}]:{port}", address.ip()),
        };
        if !hosts.contains(&own) {
            hosts.push(own);
        }
        if port == 80 {
            // A browser leaves the default port out of `Host`.
            hosts.extend(["127.0.0.1", "localhost", "[::1]"].map(str::to_owned));
        }
        Guard {
            hosts,
            any_address: bound.ip().is_unspecified(),
            port,
            token,
        }
    }

    /// The cookie that says a browser opened the printed address; named by the port, so
    /// two servers on one machine do not take each other's.
    pub fn cookie_name(&self) -> String {
        format!("bud_session_{}", self.port)
    }

    /// The `Set-Cookie` value that signs a browser in.
    pub fn session_cookie(&self) -> String {
        format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            self.cookie_name(),
            self.token
        )
    }

    /// Whether the request carries the session's cookie.
    pub fn signed_in(&self, request: &Request) -> bool {
        let name = self.cookie_name();
        header(request, "Cookie").is_some_and(|cookies| {
            cookies.split(';').any(|cookie| {
                cookie.trim().split_once('=').is_some_and(|(key, value)| {
                    key == name && same_secret(value.as_bytes(), self.token.as_bytes())
                })
            })
        })
    }

    /// Whether `given` (the `?token=` of the printed address) is the session's token.
    pub fn is_token(&self, given: &str) -> bool {
        same_secret(given.as_bytes(), self.token.as_bytes())
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether the request names this server in its `Host` header.
    pub fn known_host(&self, request: &Request) -> bool {
        header(request, "Host").is_some_and(|host| {
            self.hosts
                .iter()
                .any(|known| known.eq_ignore_ascii_case(host))
                || (self.any_address && self.is_address_of_port(host))
        })
    }

    /// `192.168.1.20:4000`, `[fe80::1]:4000`: an IP address, not a name, and this port.
    fn is_address_of_port(&self, host: &str) -> bool {
        host.parse::<SocketAddr>()
            .is_ok_and(|address| address.port() == self.port)
    }

    /// Why a request may not write, if it may not: it must come from one of this
    /// server's pages (`Origin`) and carry the session's token.
    pub fn refuses_write(&self, request: &Request) -> Option<&'static str> {
        let origin = header(request, "Origin");
        let own_page = origin.is_some_and(|origin| {
            self.hosts
                .iter()
                .any(|host| origin.eq_ignore_ascii_case(&format!("http://{host}")))
        });
        if !own_page {
            return Some("a write must come from a page of this bud serve (Origin)");
        }
        let token = header(request, TOKEN_HEADER).unwrap_or_default();
        if !same_secret(token.as_bytes(), self.token.as_bytes()) {
            return Some("a write must carry this session's token");
        }
        None
    }
}

/// The value of the request's header `name`, whatever its case.
pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|header| header.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|header| header.value.as_str())
}

/// Compares two secrets in a time that does not depend on where they first differ.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// A token no other page can guess: 128 random bits from the operating system.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The `.bud` file a request's path names inside `root` (a canonical folder), or
/// `None`: the path is percent-decoded, must be relative with no `..`, and once links
/// are resolved must still be inside `root` and a regular file.
pub fn decision_in(root: &Path, requested: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(requested)
        .decode_utf8()
        .ok()?;
    decision_at(root, Path::new(decoded.as_ref()))
}

/// The `.bud` file at `relative` inside `root`, or `None`: the same rules as
/// `decision_in`, for a path already decoded.
pub fn decision_at(root: &Path, relative: &Path) -> Option<PathBuf> {
    if relative
        .extension()
        .is_none_or(|extension| extension != "bud")
    {
        return None;
    }
    if !relative
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
    {
        return None;
    }
    let real = std::fs::canonicalize(root.join(relative)).ok()?;
    let is_decision = real.extension().is_some_and(|extension| extension == "bud");
    (real.starts_with(root) && real.is_file() && is_decision).then_some(real)
}

/// `decisions/bs-vi-7.bud`: a file's path below `root`, as pages and links name it.
pub fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
