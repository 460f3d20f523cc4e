//! `bud explain CODE`: the long explanation of a diagnostic code, with its example; a
//! code that is not one of bud's gets the closest one suggested, and no code lists them
//! all with their first sentence.

use bud::diagnostic::explain::{code_named, explanation, summary};
use bud::diagnostic::{Code, closest};

use super::Status;
use super::output::{err, for_each_file, out};

pub fn run(code: Option<&str>) -> Status {
    for_each_file(&[code], |_, code| match code {
        Some(name) => explain(name),
        None => list().map(|()| Status::Clean),
    })
}

fn explain(name: &str) -> std::io::Result<Status> {
    match code_named(name).and_then(explanation) {
        Some(section) => {
            out(section)?;
            out("\n")?;
            Ok(Status::Clean)
        }
        None => {
            let bare = name.strip_prefix("bud::").unwrap_or(name);
            let codes = Code::ALL.map(|code| code.as_str().trim_start_matches("bud::"));
            let suggestion = match closest(bare, codes) {
                Some(code) => format!(" Did you mean `bud::{code}`?"),
                None => String::new(),
            };
            err(&format!(
                "bud explain: `{name}` is not a diagnostic code of bud.{suggestion}\n\
                 Run `bud explain` for the list of codes.\n"
            ))?;
            Ok(Status::Unreadable)
        }
    }
}

fn list() -> std::io::Result<()> {
    for code in Code::ALL {
        let line = summary(code).unwrap_or_default();
        out(&format!("{code}\n    {line}\n"))?;
    }
    out("\nRun `bud explain CODE` for one code's explanation and example.\n")
}
