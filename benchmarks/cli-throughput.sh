#!/usr/bin/env bash
# Measures the published CLI end to end: one million vectors from a file scored by
# `jailgrade score`, process start included (issue 2 target: under 2 seconds on this 2-core machine).
# Usage: benchmarks/cli-throughput.sh [VECTORS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "publishing Release build..." >&2
dotnet publish src/Jailgrade.Cli -c Release -o "$work/app" --nologo -v quiet >/dev/null
app="$work/app/jailgrade"

# Input: the first $count vectors of the reference table, cycling if more are asked for.
"$app" table | cut -f1 > "$work/all.txt"
awk -v n="$count" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[(i % NR) + 1] }' "$work/all.txt" > "$work/vectors.txt"
lines=$(wc -l < "$work/vectors.txt")
size=$(du -h "$work/vectors.txt" | cut -f1)
echo "input: $lines vectors ($size)" >&2

"$app" score < "$work/vectors.txt" > "$work/out.tsv"
test "$(wc -l < "$work/out.tsv")" -eq "$lines" || { echo "output line count differs from input" >&2; exit 1; }

best=""
total=0
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$app" score < "$work/vectors.txt" > /dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  total=$(( total + ms ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  echo "run $run: ${ms} ms (apphost, TSV output)"
done
echo "best: ${best} ms · mean: $(( total / runs )) ms · best rate: $(( lines * 1000 / best )) vectors/s"

start=$(date +%s%N)
dotnet "$work/app/jailgrade.dll" score --json < "$work/vectors.txt" > /dev/null
end=$(date +%s%N)
echo "dotnet jailgrade.dll score --json: $(( (end - start) / 1000000 )) ms"

start=$(date +%s%N)
"$app" table --sha256 > /dev/null
end=$(date +%s%N)
echo "jailgrade table --sha256 (612,360 vectors formatted and hashed): $(( (end - start) / 1000000 )) ms"
