#!/usr/bin/env bash
# bud side by side with its peers, on the same synthetic decisions (bench/README.md).
#
#   bench/compare.sh                      # from the repository root
#   SIZES="10000 100000" bench/compare.sh # input rows of each decision (default 10000 100000 1000000)
#
# The peers, on Debian (as root; otherwise with sudo):
#   apt-get install -y hledger ledger hyperfine python3 time
# (measured with hledger 1.25, ledger 3.3.0 and hyperfine 1.15 from Debian).
#
# For each size, it writes a synthetic decision (examples/synth/) and its journals for
# hledger and ledger (bench/journal.py) into bench/out/, compares the counts of amounts
# and assertions with bud's, runs every tool once (each must exit 0; a tool that does
# not finish within PEER_LIMIT seconds is left out of that size), checks that each
# reconciling tool rejects a decision with one wrong figure, then times all of them in
# one hyperfine run and prints a Markdown table of median times. ledger is timed twice:
# `balance`, which also prints the balance of every account, and `stats`, which reads and
# checks the same journal but prints a short summary, as `bud check` and `hledger check`.
#
# Settings, from the environment:
#   SIZES       input rows of each decision                  (10000 100000 1000000)
#   TABLES      budget tables; rows per table = size / TABLES (100)
#   YEARS       years of the budget period                    (2)
#   PARTIES     Parties in the scale of assessments           (50)
#   PEER_LIMIT  seconds a tool may take on its first run      (300)
#   RUNS        timed runs per tool (hyperfine --runs), when set; otherwise hyperfine's
#               default (at least 10 runs and 3 seconds), 3 for sizes of 1,000,000 or more
set -euo pipefail

if [ ! -f Cargo.toml ] || [ ! -f bench/journal.py ] || [ ! -f examples/synth/main.rs ]; then
    echo "compare.sh: run it from the repository root: bench/compare.sh" >&2
    exit 2
fi
missing=""
for tool in cargo python3 hledger ledger hyperfine /usr/bin/time timeout; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "compare.sh: missing:$missing (see the top of bench/compare.sh to install them)" >&2
    exit 2
fi

SIZES="${SIZES:-10000 100000 1000000}"
TABLES="${TABLES:-100}"
YEARS="${YEARS:-2}"
PARTIES="${PARTIES:-50}"
PEER_LIMIT="${PEER_LIMIT:-300}"
OUT=bench/out
TOOLS="bud read_and_sum hledger ledger ledger_stats"
mkdir -p "$OUT"

echo "## Building bud, synth and read_and_sum (release)" >&2
cargo build --release --quiet --bin bud --example synth --example read_and_sum
BUD=target/release/bud
SYNTH=target/release/examples/synth
READ_AND_SUM=target/release/examples/read_and_sum

# The command line of a tool on the inputs of one size, one word per argument.
command_of() { # tool base
    case "$1" in
        bud) echo "$BUD check $2.bud" ;;
        read_and_sum) echo "$READ_AND_SUM $2.bud" ;;
        hledger) echo "hledger check -f $2.hledger.journal" ;;
        ledger) echo "ledger -f $2.ledger.journal balance" ;;
        ledger_stats) echo "ledger -f $2.ledger.journal stats" ;;
    esac
}

failed=0
summaries=()
for size in $SIZES; do
    rows=$((size / TABLES))
    if [ "$rows" -lt 1 ] || [ $((rows * TABLES)) -ne "$size" ]; then
        echo "compare.sh: $size input rows do not divide into $TABLES tables" >&2
        exit 2
    fi
    base="$OUT/synth-$size"
    echo >&2
    echo "## $size input rows: $TABLES tables of $rows rows, $YEARS years, $PARTIES Parties" >&2
    "$SYNTH" --tables "$TABLES" --rows "$rows" --parties "$PARTIES" --years "$YEARS" >"$base.bud"
    counts=$(python3 bench/journal.py "$base.bud" "$base" 2>"$base.journal.log") || {
        cat "$base.journal.log" >&2
        echo "compare.sh: journal.py failed on $base.bud" >&2
        exit 1
    }
    cat "$base.journal.log" >&2

    # Each tool once: it must exit 0; its time and peak memory, for the record.
    included=()
    notes=""
    for tool in $TOOLS; do
        # shellcheck disable=SC2046 # one word per argument
        if /usr/bin/time -f "%e %M" -o "$base.$tool.time" timeout "$PEER_LIMIT" \
            $(command_of "$tool" "$base") >"$base.$tool.out" 2>"$base.$tool.err"; then
            read -r seconds kilobytes <"$base.$tool.time"
            echo "  $tool: exit 0, ${seconds} s, peak memory $((kilobytes / 1024)) MiB" >&2
            included+=("$tool")
        else
            status=$?
            # The first error line, from standard error or else standard output (bud
            # writes its diagnostics there).
            reason=$(cat "$base.$tool.err" "$base.$tool.out" | grep -v '^Command exited' |
                grep -m1 -i -E '×|error' | sed 's/^[[:space:]×]*//' || true)
            if [ "$status" -eq 124 ]; then
                echo "  $tool: did not finish within $PEER_LIMIT s: not timed" >&2
                notes="$notes $tool: not timed, more than $PEER_LIMIT s on its first run."
            else
                echo "  $tool: FAILED, exit $status: $reason" >&2
                notes="$notes $tool: fails (exit $status): ${reason:-no message}."
                failed=1
            fi
        fi
    done

    # The counts: bud's stated figures (one variant) against the journal's assertions,
    # and the input figures (rows x years) against the journal's and read_and_sum's.
    assertions=$(sed -n 's/.*assertions=\([0-9]*\).*/\1/p' <<<"$counts")
    inputs=$(sed -n 's/.*input_figures=\([0-9]*\).*/\1/p' <<<"$counts")
    stated=$(grep -m1 -o '[0-9]* stated figures reconciled' "$base.bud.out" | cut -d' ' -f1 || true)
    read_rows=$(grep -o '^[0-9]* input rows' "$base.read_and_sum.out" | cut -d' ' -f1 || true)
    echo "  counts: bud ${stated:-?} stated figures per variant, journal $assertions assertions;" \
        "input figures $((size * YEARS)) (rows x years), journal $inputs;" \
        "read_and_sum ${read_rows:-?} input rows" >&2
    if [ -n "$stated" ] && [ "$stated" != "$assertions" ]; then
        echo "  counts DIFFER: bud $stated, journal $assertions" >&2
        failed=1
    fi
    if [ "$inputs" != $((size * YEARS)) ] || { [ -n "$read_rows" ] && [ "$read_rows" != "$size" ]; }; then
        echo "  input counts DIFFER" >&2
        failed=1
    fi

    # Once, on the first size: one wrong figure (the first row's Total, 1.0 too high, more
    # than rounding explains) must make each reconciling tool fail.
    if [ "$size" = "${SIZES%% *}" ]; then
        broken="$OUT/broken-$size"
        python3 - "$base.bud" "$broken.bud" <<'PYTHON'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
row = re.search(r'(?m)^(\s+line_1 "Line 1" .*\s)([\d,]+\.\d)$', text)
total = float(row.group(2).replace(",", "")) + 1.0
open(sys.argv[2], "w", encoding="utf-8").write(
    text[:row.start(2)] + f"{total:.1f}" + text[row.end(2):])
PYTHON
        python3 bench/journal.py "$broken.bud" "$broken" >/dev/null 2>&1
        for tool in bud hledger ledger ledger_stats; do
            # shellcheck disable=SC2046 # one word per argument
            if timeout "$PEER_LIMIT" $(command_of "$tool" "$broken") >/dev/null 2>&1; then
                echo "  broken figure: $tool ACCEPTS it" >&2
                failed=1
            else
                echo "  broken figure: $tool rejects it (exit $?)" >&2
            fi
        done
    fi

    if [ "${#included[@]}" -eq 0 ]; then
        summaries+=("$size||$notes")
        continue
    fi
    runs=()
    if [ -n "${RUNS:-}" ]; then
        runs=(--runs "$RUNS")
    elif [ "$size" -ge 1000000 ]; then
        runs=(--runs 3)
    fi
    arguments=()
    for tool in "${included[@]}"; do
        arguments+=(-n "$tool" "$(command_of "$tool" "$base")")
    done
    echo "  timing: hyperfine -N --warmup 2${runs[*]:+ ${runs[*]}} --export-json $base.hyperfine.json ..." >&2
    hyperfine -N --warmup 2 "${runs[@]}" --style basic --export-json "$base.hyperfine.json" \
        "${arguments[@]}" >&2
    summaries+=("$size|$base.hyperfine.json|$notes")
done

echo >&2
python3 - "$OUT" "${summaries[@]}" <<'PYTHON'
import json, os, sys

out, summaries = sys.argv[1], sys.argv[2:]
tools = ["bud", "read_and_sum", "hledger", "ledger", "ledger_stats"]
peers = tools[1:]
shown_as = {"hledger": "hledger check", "ledger": "ledger balance", "ledger_stats": "ledger stats"}


def size_of(path):
    n = os.path.getsize(path)
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def duration(seconds):
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


print("| input rows | .bud | hledger journal | ledger journal | "
      + " | ".join(f"{shown_as.get(t, t)} (median)" for t in tools) + " | "
      + " | ".join(f"bud ÷ {shown_as.get(p, p)}" for p in peers) + " |")
print("|" + "---:|" * (4 + len(tools) + len(peers)))
notes = []
for summary in summaries:
    size, json_path, note = summary.split("|", 2)
    base = f"{out}/synth-{size}"
    medians = {}
    if json_path:
        for result in json.load(open(json_path))["results"]:
            medians[result["command"]] = result["median"]
    cells = [f"{int(size):,}", size_of(f"{base}.bud"), size_of(f"{base}.hledger.journal"),
             size_of(f"{base}.ledger.journal")]
    cells += [duration(medians[t]) if t in medians else "–" for t in tools]
    for peer in peers:
        if "bud" in medians and peer in medians:
            cells.append(f"{medians['bud'] / medians[peer]:.2f}")
        else:
            cells.append("–")
    print("| " + " | ".join(cells) + " |")
    if note.strip():
        notes.append(f"{int(size):,} rows:{note}")
if notes:
    print()
for note in notes:
    print(f"- {note}")

# The first, untimed run of each tool (the exit-0 check): wall time and peak memory.
print("\nFirst run of each tool (GNU time): wall time, peak resident memory\n")
print("| input rows | " + " | ".join(shown_as.get(t, t) for t in tools) + " |")
print("|" + "---:|" * (1 + len(tools)))
for summary in summaries:
    size = summary.split("|", 1)[0]
    cells = [f"{int(size):,}"]
    for tool in tools:
        try:
            lines = open(f"{out}/synth-{size}.{tool}.time").read().splitlines()
            seconds, kilobytes = lines[-1].split()
        except (OSError, ValueError, IndexError):
            cells.append("–")
            continue
        measured = f"{float(seconds):.2f} s, {int(kilobytes) // 1024} MiB"
        status = next((line.rsplit(" ", 1)[-1] for line in lines
                       if line.startswith("Command exited with non-zero status")), None)
        if status == "124":
            measured = f"stopped at {measured}"  # timeout: PEER_LIMIT
        elif status is not None:
            measured = f"exit {status} after {measured}"
        cells.append(measured)
    print("| " + " | ".join(cells) + " |")
PYTHON

if [ "$failed" -ne 0 ]; then
    echo "compare.sh: a tool failed or the counts differ (above)" >&2
    exit 1
fi
