//! The workbench's two pages as HTML: the index of the served folder's decisions with
//! their status, and a decision's page (the document as `render::html` writes it, a
//! bar to switch variants, compare and edit, and the diagnostics panel). The script
//! and stylesheet are files of their own in `assets/`, built into the binary, so the
//! page needs no network and the content security policy can forbid inline scripts.

use std::fmt::Write as _;

use bud::render::html::escape;

use super::site::{Listed, Shown, Site};

/// The page's stylesheet: the document's own, then the workbench's.
pub fn stylesheet() -> String {
    format!(
        "{}\n{}",
        bud::render::html::STYLESHEET,
        include_str!("assets/workbench.css")
    )
}

pub const SCRIPT: &str = include_str!("assets/workbench.js");

fn head(title: &str, token: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"bud-token\" content=\"{token}\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"/assets/workbench.css\">\n\
         <script src=\"/assets/workbench.js\" defer></script>\n</head>\n",
        escape(title)
    )
}

/// The index: every decision below the folder and where it stands.
pub fn index(site: &Site, listed: &[Listed]) -> String {
    let folder = site.root.display().to_string();
    let mut out = head(&format!("{folder} — bud"), site.guard.token());
    let _ = write!(
        out,
        "<body data-page=\"index\">\n<header class=\"bar\"><span class=\"brand\">bud</span>\
         <span class=\"file\">{}</span></header>\n<main id=\"index\">{}</main>\n</body>\n</html>\n",
        escape(&folder),
        index_list(listed)
    );
    out
}

/// The list of decisions, which the page replaces when a file changes.
pub fn index_list(listed: &[Listed]) -> String {
    if listed.is_empty() {
        return "<p>There is no .bud file in this folder.</p>".to_owned();
    }
    let mut out = String::from(
        "<h1>Decisions</h1>\n<table class=\"decisions\">\n<thead><tr><th class=\"label\" scope=\"col\">File</th>\
         <th class=\"label\" scope=\"col\">Title</th><th class=\"label\" scope=\"col\">Status</th>\
         <th class=\"label\" scope=\"col\">Figures</th></tr></thead>\n<tbody>\n",
    );
    for decision in listed {
        let _ = writeln!(
            out,
            "<tr data-path=\"{path}\"><td class=\"label\"><a href=\"/decision/{link}\">{path}</a></td>\
             <td class=\"label\">{title}</td><td class=\"label\"><span class=\"badge {status}\">{status_words}</span></td><td class=\"label\">{sentence}</td></tr>",
            path = escape(&decision.path),
            link = escape(&link(&decision.path)),
            title = escape(decision.title.as_deref().unwrap_or("")),
            status = decision.status,
            status_words = decision.words,
            sentence = escape(&decision.sentence),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// What a part of a path must encode in a link: all but letters, digits and `-._~`.
const PATH_PART: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path as a link's path: each part percent-encoded.
pub fn link(path: &str) -> String {
    path.split('/')
        .map(|part| percent_encoding::utf8_percent_encode(part, PATH_PART).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A decision's page, with what it shows now in place (and in `#initial` for the
/// script), so it reads and prints before the script runs.
pub fn decision(site: &Site, shown: &Shown) -> String {
    let mut out = head(&format!("{} — bud", shown.path), site.guard.token());
    // A JSON string may hold `</script>` or `<!--`, which would end or hide the element:
    // `<`, `>` and `&` written as JSON escapes read the same and cannot.
    let initial = serde_json::to_string(shown)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let _ = write!(
        out,
        "<body data-page=\"decision\" data-path=\"{path}\">\n\
         <a class=\"skip\" href=\"#document\">Skip to the tables</a>\n\
         <header class=\"bar\">\n<a class=\"brand\" href=\"/\" title=\"Every decision in the folder\">bud</a>\n\
         <span class=\"file\">{path}</span>\n\
         <span id=\"status\" class=\"badge {status}\" role=\"status\" aria-live=\"polite\">{sentence}</span>\n\
         <span class=\"controls\">\n\
         <label>Variant <select id=\"variant\"></select></label>\n\
         <label>Compare with <select id=\"compare\"><option value=\"none\">nothing</option></select></label>\n\
         <button id=\"edit\" type=\"button\" aria-expanded=\"false\" aria-controls=\"editor\">Edit</button>\n\
         </span>\n</header>\n\
         <div class=\"workbench\">\n<main id=\"document\" tabindex=\"-1\">{html}</main>\n\
         <aside id=\"panel\" aria-label=\"Editor and diagnostics\">\n\
         <section id=\"editor\" hidden aria-label=\"Edit the decision\">\n\
         <div class=\"editor-bar\"><span id=\"editor-state\">Editing: the tables follow as you type.</span>\n\
         <button id=\"save\" type=\"button\" title=\"Ctrl+S\">Save</button>\n\
         <button id=\"discard\" type=\"button\">Discard changes</button></div>\n\
         <div id=\"conflict\" class=\"conflict\" role=\"alert\" hidden></div>\n\
         <textarea id=\"source\" spellcheck=\"false\" aria-label=\"The decision file\"></textarea>\n\
         </section>\n\
         <section id=\"diagnostics-section\" aria-labelledby=\"diagnostics-heading\">\n\
         <h2 id=\"diagnostics-heading\">Diagnostics</h2>\n<div id=\"diagnostics\"></div>\n</section>\n\
         </aside>\n</div>\n\
         <section id=\"compared\" hidden aria-label=\"Two variants side by side\">\n\
         <h2>Side by side</h2>\n<pre id=\"differences\"></pre>\n<div id=\"sides\" class=\"sides\"></div>\n</section>\n\
         <script type=\"application/json\" id=\"initial\">{initial}</script>\n</body>\n</html>\n",
        path = escape(&shown.path),
        status = shown.status,
        sentence = escape(&shown.sentence),
        html = shown.html,
    );
    out
}
