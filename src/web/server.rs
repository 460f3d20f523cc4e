//! The HTTP side of the workbench: tiny_http on the loopback address, a thread per
//! request (a page waiting for changes holds one), and the routes:
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | the index, or the decision named on the command line |
//! | `GET /decision/PATH` | a decision's page |
//! | `GET /api/index` | the index's list, when a file changed |
//! | `GET /api/decision/PATH?variant=NAME` | what the page shows, as JSON |
//! | `GET /api/source/PATH` | the text and its version, for the editor |
//! | `POST /api/preview/PATH?variant=NAME` | the page as the text in the body would make it |
//! | `POST /api/save/PATH` | replaces the file, if still at version `X-Bud-Version` |
//! | `GET /api/compare/PATH?left=A&right=B` | two variants side by side |
//! | `GET /api/changes?after=N` | waits for the next change after generation N |
//! | `GET /assets/…` | the script and stylesheet built into the binary |
//!
//! Every answer carries a content security policy that allows the page's own script
//! only, and refuses to be framed.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bud::syntax::limits::MAX_FILE_BYTES;
use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, Server};

use super::guard::{Guard, decision_in, header, new_token, relative_name};
use super::page;
use super::site::{SaveRefused, Site};
use super::watch::{self, Changes};

/// How long a page's request for changes waits before it is answered anyway.
const LONGEST_WAIT: Duration = Duration::from_secs(25);

/// What `bud serve` was asked to serve.
pub struct Options {
    /// A folder, or a decision file (its folder is served, and it is shown first).
    pub path: PathBuf,
    pub address: IpAddr,
    pub port: u16,
}

/// Serves until the process is stopped; returns only when it cannot start, with why.
pub fn serve(options: &Options) -> Result<(), String> {
    let (root, start) = served(&options.path)?;
    let server = Server::http(SocketAddr::new(options.address, options.port)).map_err(|error| {
        format!(
            "cannot listen on {}:{}: {error}",
            options.address, options.port
        )
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or("the server is not listening on an IP address")?;
    let token = new_token().map_err(|error| format!("cannot make a session token: {error}"))?;
    let changes = Arc::new(Changes::default());
    let _watcher = watch::follow(&root, changes.clone())
        .map_err(|error| format!("cannot watch `{}`: {error}", root.display()))?;
    let site = Arc::new(Site::new(root, Guard::new(bound, token), changes, start));
    announce(&site, bound);
    for request in server.incoming_requests() {
        let site = site.clone();
        // Without a thread to spare the request is dropped, which tiny_http answers
        // with an error, and the server goes on.
        let _ = std::thread::Builder::new()
            .name("bud-serve-request".to_owned())
            .spawn(move || answer(&site, request));
    }
    Ok(())
}

/// The folder to serve, canonical, and the decision to show first if a file was named.
fn served(path: &Path) -> Result<(PathBuf, Option<String>), String> {
    let real = std::fs::canonicalize(path)
        .map_err(|error| format!("cannot serve `{}`: {error}", path.display()))?;
    if real.is_dir() {
        return Ok((real, None));
    }
    let folder = real
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("`{}` has no folder to serve", path.display()))?;
    let start = relative_name(&folder, &real);
    Ok((folder, Some(start)))
}

fn announce(site: &Site, bound: SocketAddr) {
    let host = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let first = match &site.start {
        Some(start) => format!("decision/{}", page::link(start)),
        None => String::new(),
    };
    println!(
        "bud serve: http://{host}:{}/{first}?token={} serving {} (Ctrl-C to stop)",
        bound.port(),
        site.guard.token(),
        site.root.display()
    );
    if !bound.ip().is_loopback() {
        eprintln!(
            "bud serve: listening on {}, which other machines can reach; whoever has the \
             address above, token included, can read and change the decisions in this folder",
            bound.ip()
        );
    }
}

fn answer(site: &Site, mut request: Request) {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = if !site.guard.known_host(&request) {
        refused(
            403,
            "this server answers only to its own address (the Host header names another)",
        )
    } else if parameter(query, "token").is_some_and(|token| site.guard.is_token(&token)) {
        signed_in(site, path)
    } else if site.guard.signed_in(&request) {
        route(site, &mut request)
    } else {
        not_signed_in()
    };
    let _ = request.respond(response);
}

/// The printed address opened: the cookie set, and the page without the token in its
/// address (so it is not left in the history or a bookmark).
fn signed_in(site: &Site, path: &str) -> Answer {
    // `//elsewhere` would leave the server.
    let path = if path.starts_with("//") { "/" } else { path };
    let mut response = redirect(path);
    if let Ok(cookie) = Header::from_bytes("Set-Cookie", site.guard.session_cookie()) {
        response.add_header(cookie);
    }
    response
}

fn not_signed_in() -> Answer {
    respond(
        401,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bud serve</title></head>\
          <body><p>This is <code>bud serve</code>. Open the address it printed when it started, \
          the one ending in <code>?token=\u{2026}</code>: only that address lets a browser in.</p></body></html>\n"
            .as_bytes()
            .to_vec(),
        "text/html; charset=utf-8",
    )
}

type Answer = Response<std::io::Cursor<Vec<u8>>>;

fn route(site: &Site, request: &mut Request) -> Answer {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let method = request.method().clone();
    match (&method, path) {
        (Method::Get, "/") => match &site.start {
            Some(start) => redirect(&format!("/decision/{}", page::link(start))),
            None => html(page::index(site, &site.index())),
        },
        (Method::Get, "/assets/workbench.css") => asset(page::stylesheet(), "text/css"),
        (Method::Get, "/assets/workbench.js") => asset(page::SCRIPT.to_owned(), "text/javascript"),
        (Method::Get, "/api/index") => json(
            200,
            &Html {
                html: page::index_list(&site.index()),
            },
        ),
        (Method::Get, "/api/changes") => {
            // Without `after`, the generation now, at once: where a page starts from.
            let Some(after) = parameter(query, "after").and_then(|after| after.parse().ok()) else {
                return json(200, &site.changes.after(u64::MAX, Duration::ZERO));
            };
            match site.changes.wait(after, LONGEST_WAIT) {
                Some(since) => json(200, &since),
                None => refused(503, "too many pages are waiting for changes; try again"),
            }
        }
        (Method::Get, _) => get_decision(site, path, query),
        (Method::Post, _) => match site.guard.refuses_write(request) {
            Some(why) => refused(403, why),
            None => post(site, request, path, query),
        },
        _ => refused(405, "this server answers GET and POST only"),
    }
}

fn get_decision(site: &Site, path: &str, query: &str) -> Answer {
    let variant = parameter(query, "variant").filter(|name| !name.is_empty());
    if let Some(file) = under(site, path, "/decision/") {
        return html(page::decision(
            site,
            &site.show(&file, None, variant.as_deref()),
        ));
    }
    if let Some(file) = under(site, path, "/api/decision/") {
        return json(200, &site.show(&file, None, variant.as_deref()));
    }
    if let Some(file) = under(site, path, "/api/source/") {
        return match site.source(&file) {
            Ok((version, text)) => json(200, &Source { version, text }),
            Err(why) => refused(404, &why),
        };
    }
    if let Some(file) = under(site, path, "/api/compare/") {
        let side = |name: &str| parameter(query, name).filter(|name| !name.is_empty());
        let (left, right) = (side("left"), side("right"));
        return json(200, &site.compare(&file, left.as_deref(), right.as_deref()));
    }
    refused(
        404,
        "there is no such page, or no such decision in the served folder",
    )
}

fn post(site: &Site, request: &mut Request, path: &str, query: &str) -> Answer {
    let Some(text) = body(request) else {
        return refused(
            413,
            "the text is not UTF-8, or larger than the largest file bud reads",
        );
    };
    if let Some(file) = under(site, path, "/api/preview/") {
        let variant = parameter(query, "variant").filter(|name| !name.is_empty());
        return json(200, &site.show(&file, Some(text), variant.as_deref()));
    }
    if let Some(file) = under(site, path, "/api/save/") {
        let base = header(request, "X-Bud-Version")
            .unwrap_or_default()
            .to_owned();
        return match site.save(&file, &base, &text) {
            Ok(version) => json(200, &Saved { version }),
            Err(SaveRefused::Conflict { on_disk }) => json(
                409,
                &Conflict {
                    error: "the file changed on disk since this page read it; nothing was written",
                    version: on_disk,
                },
            ),
            Err(SaveRefused::Unreadable(why) | SaveRefused::Unwritable(why)) => {
                refused(500, &format!("cannot save: {why}"))
            }
        };
    }
    refused(404, "there is no such decision in the served folder")
}

/// The decision a path names below `prefix`, inside the served folder.
fn under(site: &Site, path: &str, prefix: &str) -> Option<PathBuf> {
    decision_in(&site.root, path.strip_prefix(prefix)?)
}

/// The request's body as text, no larger than a decision file may be.
fn body(request: &mut Request) -> Option<String> {
    let mut bytes = Vec::new();
    request
        .as_reader()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() > MAX_FILE_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// A query parameter, percent-decoded (`+` as a space, as forms send it).
fn parameter(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| {
            percent_encoding::percent_decode_str(&value.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

#[derive(Serialize)]
struct Html {
    html: String,
}

#[derive(Serialize)]
struct Source {
    version: String,
    text: String,
}

#[derive(Serialize)]
struct Saved {
    version: String,
}

#[derive(Serialize)]
struct Conflict {
    error: &'static str,
    version: String,
}

#[derive(Serialize)]
struct Refused<'a> {
    error: &'a str,
}

fn refused(status: u16, why: &str) -> Answer {
    json(status, &Refused { error: why })
}

fn html(body: String) -> Answer {
    respond(200, body.into_bytes(), "text/html; charset=utf-8")
}

fn asset(body: String, kind: &str) -> Answer {
    respond(200, body.into_bytes(), &format!("{kind}; charset=utf-8"))
}

fn json(status: u16, value: &impl Serialize) -> Answer {
    let body = serde_json::to_vec(value).unwrap_or_default();
    respond(status, body, "application/json")
}

fn redirect(to: &str) -> Answer {
    let mut response = respond(303, Vec::new(), "text/plain");
    if let Ok(location) = Header::from_bytes("Location", to) {
        response.add_header(location);
    }
    response
}

const SECURITY_HEADERS: [(&str, &str); 5] = [
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
];

fn respond(status: u16, body: Vec<u8>, kind: &str) -> Answer {
    let mut response = Response::from_data(body).with_status_code(status);
    let headers = SECURITY_HEADERS
        .iter()
        .copied()
        .chain(std::iter::once(("Content-Type", kind)));
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name, value) {
            response.add_header(header);
        }
    }
    response
}
