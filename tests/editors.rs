//! The editor support under `editors/` stays in step with the language: its JSON files
//! are well formed, the VS Code extension points at files that exist, and the TextMate
//! grammar and the Vim syntax file highlight every keyword bud knows, the same words;
//! the Neovim plugin folder the README points to is complete.

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

/// The words `syntax keyword` lines of the Vim syntax file highlight, and the two
/// rounding modes it matches with their hyphen.
fn vim_keywords() -> Vec<String> {
    let syntax = std::fs::read_to_string("editors/neovim/syntax/bud.vim").unwrap();
    let mut words: Vec<String> = syntax
        .lines()
        .filter_map(|line| line.strip_prefix("syntax keyword "))
        .flat_map(|rest| rest.split_whitespace().skip(1))
        .map(str::to_owned)
        .collect();
    if syntax.contains(r#"syntax match budKeyword "\<half-\(up\|even\)\>""#) {
        words.extend(["half-up".to_owned(), "half-even".to_owned()]);
    }
    words
}

#[test]
fn the_vim_syntax_highlights_every_keyword_and_the_same_words_as_the_vscode_grammar() {
    let words = vim_keywords();
    for keyword in bud::syntax::KEYWORDS {
        assert!(
            words.iter().any(|w| w == keyword),
            "the Vim syntax does not highlight `{keyword}`"
        );
    }
    let grammar = json("editors/vscode/syntaxes/bud.tmLanguage.json");
    let pattern = grammar["repository"]["keyword"]["match"].as_str().unwrap();
    let listed = pattern
        .strip_prefix("\\b(")
        .and_then(|rest| rest.strip_suffix(")\\b"))
        .unwrap();
    let mut textmate: Vec<&str> = listed.split('|').collect();
    let mut vim: Vec<&str> = words.iter().map(String::as_str).collect();
    textmate.sort_unstable();
    vim.sort_unstable();
    assert_eq!(
        vim, textmate,
        "the two editors highlight different keywords"
    );
}

#[test]
fn the_neovim_plugin_folder_has_what_the_readme_says() {
    for file in [
        "ftdetect/bud.vim",
        "ftplugin/bud.lua",
        "syntax/bud.vim",
        "lua/bud/init.lua",
    ] {
        let path = std::path::Path::new("editors/neovim").join(file);
        assert!(path.exists(), "{} is missing", path.display());
    }
    let detect = std::fs::read_to_string("editors/neovim/ftdetect/bud.vim").unwrap();
    assert!(detect.contains("*.bud setfiletype bud"));
    let plugin = std::fs::read_to_string("editors/neovim/lua/bud/init.lua").unwrap();
    // Neovim 0.7 has no `vim.lsp.start`: the plugin must work without it.
    assert!(plugin.contains("vim.lsp.start_client") && plugin.contains("buf_attach_client"));
}
