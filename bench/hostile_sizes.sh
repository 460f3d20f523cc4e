#!/usr/bin/env bash
# Times the inputs of issue 21 whose cost once grew faster than their size, one run
# each under GNU time (wall time and peak resident memory), for docs/performance.md's
# "Hostile sizes" table.
#
#   bench/hostile_sizes.sh                    # the release build of this checkout
#   BUD=/tmp/bud-before bench/hostile_sizes.sh   # another build, to compare
#
# Inputs go to bench/out/ (git-ignored). Needs GNU time and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

BUD=${BUD:-target/release/bud}
OUT=bench/out
mkdir -p "$OUT"
if [ "$BUD" = target/release/bud ]; then
    cargo build --quiet --release --locked --bin bud
fi
cargo build --quiet --release --locked --example synth
SYNTH=target/release/examples/synth

python3 - "$OUT" <<'EOF'
import sys
out = sys.argv[1]
header = 'decision "T/1" {\n    title    "Hostile input"\n    period   2013-2014\n    currency US$\n}\n\n'
members = [f'"Party {i:06d}"' for i in range(100_000)]
lines = ["    " + "  ".join(members[i:i + 10]) for i in range(0, len(members), 10)]
open(f"{out}/hostile-group.bud", "w").write(header + 'group big "A large group" {\n' + "\n".join(lines) + "\n}\n")
a = "a" * 100_000
open(f"{out}/hostile-name.bud", "w").write(header + f"{a} = US$ 100\nsupport = {a[:-1]}b + {a}\n")
rows = "".join(f'    row_{i} "Row {i}"  {i}  {i + 1}\n' for i in range(20_000))
scenarios = "".join(
    f'\nscenario s{s} "Scenario {s}" {{\n    in t {{\n        replace row_{s} "Row {s}"  {s + 1}  {s + 2}\n    }}\n}}\n'
    for s in range(700)
)
open(f"{out}/hostile-scenarios.bud", "w").write(
    header + "table 1 t {\n    unit    US$\n    columns 2013 2014\n\n" + rows + "}\n" + scenarios
)
EOF
[ -s "$OUT/synth-100000.bud" ] || "$SYNTH" --tables 1000 --rows 100 --parties 190 --years 2 > "$OUT/synth-100000.bud"
[ -s "$OUT/synth-1000000.bud" ] || "$SYNTH" --tables 10000 --rows 100 --parties 190 --years 2 > "$OUT/synth-1000000.bud"
# The synthetic decision re-indented by two spaces: every indented line changes.
sed -E 's/^ +/  /' "$OUT/synth-100000.bud" > "$OUT/hostile-fmt.bud"

measure() {
    local what=$1
    shift
    /usr/bin/time -f "%e s %M KB" -o "$OUT/time.txt" "$@" > "$OUT/hostile-output" 2>&1 || true
    echo "| $what | $(cat "$OUT/time.txt" | tail -1) | $(stat -c %s "$OUT/hostile-output") bytes out |"
}

echo "| input | time, peak memory | output |"
echo "|---|---|---|"
measure "group of 100,000 members" "$BUD" check "$OUT/hostile-group.bud"
measure "misspelt name of 100,000 characters" "$BUD" check "$OUT/hostile-name.bud"
measure "fmt --check, 100,000 rows re-indented" "$BUD" fmt --check "$OUT/hostile-fmt.bud"
measure "fmt --check, 100,000 rows as synth writes them" "$BUD" fmt --check "$OUT/synth-100000.bud"
measure "700 scenarios of a 20,000-row table" "$BUD" check "$OUT/hostile-scenarios.bud"
for format in json csv xlsx; do
    measure "evaluate --format $format, 1,000,000 rows" "$BUD" evaluate "$OUT/synth-1000000.bud" --format "$format"
done
