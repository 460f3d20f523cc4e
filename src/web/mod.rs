//! `bud serve`: the budget officer's workbench, a local web application in the
//! browser. The index lists the decisions of the served folder with their status; a
//! decision's page shows every table in the published layout with its marks, the
//! figure bud finds wrong highlighted as such and those that follow from it as
//! following, and the diagnostics in a panel that leads to each figure. The page
//! follows the file as any editor saves it, switches variants, shows two side by side,
//! and edits: the tables reconcile as one types, and a save replaces the file whole,
//! refusing when the file changed on disk meanwhile. `site.rs` is what is shown and
//! saved, `server.rs` the HTTP routes, `guard.rs` what keeps other sites and other
//! folders out, `watch.rs` the file watcher, `page.rs` the HTML, `assets/` the script
//! and stylesheet built into the binary. It reads and checks through the command
//! line's `Disk`, bounded by the served folder.

mod guard;
mod page;
mod server;
mod site;
mod watch;

pub use server::{Options, serve};
