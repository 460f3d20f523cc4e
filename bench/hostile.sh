#!/usr/bin/env bash
# Measures what issue 21 found growing faster than its input, on this machine, and
# prints each figure as a line of Markdown: `bud check` of a folder of 1,000 decisions
# (time and peak memory), and the language server given a burst of 10,000 edits (how
# many checks it ran, and how long until the last edit's diagnostics arrived).
#
#   bench/hostile.sh [BUD]       # from the repository root; BUD defaults to target/release/bud
#
# The outline of a large decision is a criterion benchmark:
#   cargo bench --bench editor -- outline
# Needs GNU time and python3: `apt-get install time python3`.
set -euo pipefail
cd "$(dirname "$0")/.."

BUD=${1:-target/release/bud}
if [ "$#" -eq 0 ]; then cargo build --quiet --release --locked --bin bud; fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# 1. A folder of 1,000 copies of BS-VI/7 (17 KB each), checked in one run.
cp decisions/bs-vi-7-table-5.tsv decisions/bs-vi-7-status-example.tsv "$OUT/"
for i in $(seq 1 1000); do cp decisions/bs-vi-7.bud "$OUT/d$i.bud"; done
/usr/bin/time -f '%e %M' -o "$OUT/time" "$BUD" check "$OUT" > /dev/null || true
read -r seconds kib < "$OUT/time"
echo "| \`bud check\` of 1,000 decisions | ${seconds} s, peak $((kib / 1024)) MiB |"

# 2. The language server: BS-VI/7 opened, then 10,000 incremental edits sent at once.
python3 - "$BUD" <<'PY'
import json, os, subprocess, sys, threading, time

bud = sys.argv[1]
path = os.path.abspath("decisions/bs-vi-7.bud")
uri = "file://" + path
text = open(path, encoding="utf-8").read()
server = subprocess.Popen([bud, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()

def receive():
    length = 0
    while True:
        line = server.stdout.readline()
        if not line:
            return None
        if line.strip() == b"":
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(server.stdout.read(length))

EDITS = 10_000
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": None, "capabilities": {}}})
receive()
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
    "uri": uri, "languageId": "bud", "version": 1, "text": text}}})
while receive().get("method") != "textDocument/publishDiagnostics":
    pass
at = text.index("1,875.2")
line = text[:at].count("\n")
column = at - (text[:at].rfind("\n") + 1)
edit = {"start": {"line": line, "character": column},
        "end": {"line": line, "character": column + 7}}
checks = 0
last = {}
def count():
    global checks
    while True:
        message = receive()
        if message is None:
            return
        if message.get("method") == "textDocument/publishDiagnostics":
            checks += 1
            if message["params"].get("version") == EDITS + 1:
                last["at"] = time.monotonic()
                return
reader = threading.Thread(target=count)
reader.start()
start = time.monotonic()
for version in range(2, EDITS + 2):
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": edit, "text": "1,875.2"}]}})
sent = time.monotonic()
reader.join(timeout=600)
late = last["at"] - sent if "at" in last else float("nan")
print(f"| language server, 10,000 edits sent at once | {checks} checks; last diagnostics "
      f"{late:.2f} s after the last edit was sent ({sent - start:.2f} s to send them) |")
server.kill()
PY
