//! The editor support under `editors/` stays in step with the language: its JSON files
//! are well formed, the VS Code extension points at files that exist, and the TextMate
//! grammar highlights every keyword bud knows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_vscode_extension_is_complete() {
    let package = json("editors/vscode/package.json");
    let language = &package["contributes"]["languages"][0];
    assert_eq!(language["id"], "bud");
    assert_eq!(language["extensions"][0], ".bud");
    for file in [
        package["main"].as_str().unwrap(),
        language["configuration"].as_str().unwrap(),
        package["contributes"]["grammars"][0]["path"]
            .as_str()
            .unwrap(),
    ] {
        let path = std::path::Path::new("editors/vscode").join(file);
        assert!(path.exists(), "{} is missing", path.display());
    }
    let configuration = json("editors/vscode/language-configuration.json");
    assert_eq!(configuration["comments"]["lineComment"], "//");
    let extension = std::fs::read_to_string("editors/vscode/extension.js").unwrap();
    assert!(extension.contains("args: [\"lsp\"]"));
}

#[test]
fn the_grammar_highlights_every_keyword() {
    let grammar = json("editors/vscode/syntaxes/bud.tmLanguage.json");
    let keywords = grammar["repository"]["keyword"]["match"].as_str().unwrap();
    for keyword in bud::syntax::KEYWORDS {
        assert!(
            keywords.contains(&format!("|{keyword}|"))
                || keywords.contains(&format!("({keyword}|")),
            "the grammar does not highlight `{keyword}`"
        );
    }
}
