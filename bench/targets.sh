#!/usr/bin/env bash
# Measures each performance target of docs/performance.md on this machine, in one run,
# and prints the figures as a Markdown table, each next to its target.
#
#   bench/targets.sh            # from the repository root; about five minutes
#
# Needs hyperfine and GNU time besides Rust: `apt-get install hyperfine time`.
# Generated inputs go to bench/out/ (git-ignored). Peers (hledger, ledger) are compared
# by bench/compare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine time python3)" >&2; exit 2; }
done

cargo build --quiet --release --locked --bin bud --example synth
BUD=target/release/bud
SYNTH=target/release/examples/synth
OUT=bench/out
mkdir -p "$OUT"

median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
hyperfine_median_ms() { python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"] * 1000, 2))' "$1"; }
criterion_median_ms() {
    python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["median"]["point_estimate"] / 1e6, 2))' "$1"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)" >&2

# 1. One decision, as a whole process.
hyperfine -N --warmup 50 --runs 500 --export-json "$OUT/bs-vi-7.json" \
    "$BUD check decisions/bs-vi-7.bud" >&2
BS_MS=$(hyperfine_median_ms "$OUT/bs-vi-7.json")

# 2. Synthetic decisions of 10,000 to 1,000,000 rows: tables of 100 rows, two years,
#    190 Parties. Three runs each; the median time and the largest peak memory.
declare -A SECONDS_FOR PEAK_FOR BYTES_FOR
for rows in 10000 100000 1000000; do
    file="$OUT/targets-$rows.bud"   # tables of 100 rows; compare.sh writes its own shapes
    [ -s "$file" ] || "$SYNTH" --tables $((rows / 100)) --rows 100 --parties 190 --years 2 > "$file"
    "$BUD" check "$file" > /dev/null   # warms the page cache; must exit 0
    times=()
    peak=0
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$BUD" check "$file" > /dev/null
        read -r seconds kilobytes < "$OUT/time.txt"
        times+=("$seconds")
        [ "$kilobytes" -gt "$peak" ] && peak=$kilobytes
    done
    SECONDS_FOR[$rows]=$(median "${times[@]}")
    PEAK_FOR[$rows]=$peak
    BYTES_FOR[$rows]=$(stat -c %s "$file")
done

# 3. Apportioning 100,000 Parties (criterion; the rule alone).
cargo bench --quiet --locked --bench apportion -- "Parties/100000" >&2
APPORTION_MS=$(criterion_median_ms "target/criterion/apportion synthetic Parties/100000/new/estimates.json")

# 4. A thousand decision files in one directory: CPU time over wall time shows the cores used.
DIR="$OUT/thousand"
if [ ! -d "$DIR" ]; then
    mkdir -p "$DIR"
    cp decisions/bs-vi-7-table-5.tsv "$DIR/"
    for i in $(seq -w 1 1000); do cp decisions/bs-vi-7.bud "$DIR/decision-$i.bud"; done
fi
/usr/bin/time -f "%e %U %S" -o "$OUT/time.txt" "$BUD" check "$DIR" > /dev/null
read -r WALL USER SYSTEM < "$OUT/time.txt"
CORES=$(python3 -c "print(round(($USER + $SYSTEM) / $WALL, 2))")
RAYON_NUM_THREADS=1 /usr/bin/time -f "%e" -o "$OUT/time.txt" "$BUD" check "$DIR" > /dev/null
ONE_CORE=$(cat "$OUT/time.txt")

# 5. The language server's re-check of a file ten times BS-VI/7 after an edit.
cargo bench --quiet --locked --bench editor -- "recheck after an edit/ten" >&2
RECHECK_MS=$(criterion_median_ms "$(ls -d target/criterion/recheck\ after\ an\ edit/ten*/new)/estimates.json")

ratio() { python3 -c "print(round($1 / $2, 1))"; }
mb() { python3 -c "print(round($1 / 1e6, 1))"; }

echo "| target | measured | goal |"
echo "|---|---|---|"
echo "| \`bud check decisions/bs-vi-7.bud\`, median of 500 runs | ${BS_MS} ms | < 5 ms |"
for rows in 10000 100000 1000000; do
    echo "| check ${rows} synthetic rows ($(mb "${BYTES_FOR[$rows]}") MB), median of 3 | ${SECONDS_FOR[$rows]} s | $([ "$rows" = 1000000 ] && echo '< 2 s' || echo '') |"
done
echo "| time from 10,000 to 100,000 rows | × $(ratio "${SECONDS_FOR[100000]}" "${SECONDS_FOR[10000]}") | ≤ × 11 |"
echo "| time from 100,000 to 1,000,000 rows | × $(ratio "${SECONDS_FOR[1000000]}" "${SECONDS_FOR[100000]}") | ≤ × 11 |"
for rows in 10000 100000 1000000; do
    echo "| peak memory, ${rows} rows | $(mb "$((PEAK_FOR[$rows] * 1024))") MB = × $(ratio "$((PEAK_FOR[$rows] * 1024))" "${BYTES_FOR[$rows]}") the file | < × 8 |"
done
echo "| apportion 100,000 Parties, criterion median | ${APPORTION_MS} ms | < 50 ms |"
echo "| \`bud check\` of 1,000 files | ${WALL} s, ${CORES} cores busy (one core: ${ONE_CORE} s) | both cores |"
echo "| language server re-check of 10 × bs-vi-7.bud, criterion median | ${RECHECK_MS} ms | < 20 ms |"
