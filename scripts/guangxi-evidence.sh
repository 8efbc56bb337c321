#!/bin/sh
# Regenerates docs/guangxi-evidence.md: runs the bundled scenario now and as of 2020, the
# independent-counts variant, show --json and the backtests, then writes the tables.
# Usage (from the repository root, after cargo build --release): sh scripts/guangxi-evidence.sh
set -e
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/plancast-evidence}
export OUT
mkdir -p "$OUT"
B=./target/release/plancast
$B run scenarios/guangxi-14th-fyp.toml --as-of 2020 --out $OUT/r2020 -q --no-charts
$B run scenarios/guangxi-14th-fyp.toml --out $OUT/rnow -q --no-charts
$B run scenarios/guangxi-14th-fyp-independent-counts.toml --out $OUT/gi -q --no-charts
$B run scenarios/guangxi-14th-fyp-independent-counts.toml --as-of 2020 --out $OUT/gi2020 -q --no-charts
$B show scenarios/guangxi-14th-fyp.toml --json > $OUT/show.json
for y in 2020 2022; do
  $B backtest scenarios/guangxi-14th-fyp.toml --as-of $y --out $OUT/bt$y -q
  for v in optimistic pessimistic; do $B backtest scenarios/guangxi-14th-fyp-$v.toml --as-of $y --out $OUT/bt-$v-$y -q; done
done
python3 scripts/guangxi-evidence.py
