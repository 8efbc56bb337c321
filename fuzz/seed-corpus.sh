#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the repository's own files:
# scenario <- the bundled scenarios, tests/fixtures/valid and tests/fixtures/invalid (all .toml);
# formula  <- every `formula = "..."` in those files, plus a few hand-written edge cases.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/scenario fuzz/corpus/formula
find scenarios tests/fixtures -name '*.toml' -print0 |
  while IFS= read -r -d '' f; do
    cp "$f" "fuzz/corpus/scenario/$(echo "$f" | tr '/' '_')"
  done
i=0
{
  grep -rhoE 'formula = "[^"]*"' scenarios tests/fixtures | sed -E 's/^formula = "(.*)"$/\1/'
  printf '%s\n' '-a^2' '2^-1' 'clamp(a, 0, 1)' 'ln(a) / log10(b)' 'exp(gdp[-2]) - sqrt(rd_spend)' \
    'min(max(a, b), abs(a - b))' '((((a))))' 'a / 0' '1e308 * 1e308' 'a[-5] + b[-1]'
} | sort -u | while IFS= read -r formula; do
  printf '%s' "$formula" > "fuzz/corpus/formula/seed-$i"
  i=$((i + 1))
done
echo "scenario: $(ls fuzz/corpus/scenario | wc -l) files; formula: $(ls fuzz/corpus/formula | wc -l) files"
