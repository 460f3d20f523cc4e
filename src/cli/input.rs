//! Reading decision files, with a diagnostic for each way that can fail.

use std::io::ErrorKind;
use std::path::Path;

use bud::diagnostic::{Code, Diagnostic};
use bud::render::report::{Source, render};

/// A file that cannot be read, reported as a diagnostic without source lines.
pub fn unreadable(path: &Path, diagnostic: &Diagnostic, color: bool) -> String {
    render(
        diagnostic,
        &Source::new(path.display().to_string(), ""),
        color,
    )
}

pub fn read(path: &Path) -> Result<Source, Diagnostic> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(Diagnostic::error(
            Code::IoRead,
            format!("`{name}` is a directory, not a decision file"),
        )
        .with_help("name the .bud files in it, for example `decisions/*.bud`"));
    }
    let bytes = std::fs::read(path).map_err(|error| {
        let reason = match error.kind() {
            ErrorKind::NotFound => "there is no such file".to_owned(),
            ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => error.to_string(),
        };
        Diagnostic::error(Code::IoRead, format!("cannot read `{name}`: {reason}"))
            .with_help("check the path; decision files are usually under decisions/")
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        Diagnostic::error(
            Code::IoRead,
            format!(
                "`{name}` is not UTF-8 text (byte {} is not valid)",
                error.utf8_error().valid_up_to()
            ),
        )
        .with_help("save the file as UTF-8; bud reads plain text decision files only")
    })?;
    Ok(Source::new(name, text))
}
