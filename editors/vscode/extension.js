// Starts `bud lsp` for .bud files. Everything else (diagnostics, hovers, inlay hints,
// navigation, outline, completion, formatting) comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("bud").get("path", "bud");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "bud",
    "bud",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "bud" }, { scheme: "untitled", language: "bud" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
