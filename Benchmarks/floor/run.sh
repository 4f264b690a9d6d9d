#!/usr/bin/env bash
# The cost floor of a cleaning build with the parts the foundation issue requires (file and
# record SHA-256, ICU NFKC, LZ4, one SQLite WAL transaction), measured without Winnow: see
# store_floor.cpp. Compare its totals with the Python `clean_py` row of the same machine
# (Benchmarks/run.sh): 10× that row's throughput is a tenth of its time.
#   Benchmarks/floor/run.sh [CORPUS]
# Needs a C++ compiler and the headers of libsqlite3-dev, libicu-dev, liblz4-dev and libssl-dev.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${1:-/tmp/winnow-bench/corpus-100mb.jsonl}
[ -f "$CORPUS" ] || zstd -q -d "$HERE/../../../shared/bench/$(basename "$CORPUS").zst" -o "$CORPUS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
c++ -O2 -std=c++17 "$HERE/store_floor.cpp" -o "$WORK/store_floor" -lsqlite3 -lcrypto -llz4 -licuuc
for setting in "none 65536" "none 65536 nfkc" "lz4 65536" "lz4 65536 nfkc"; do
  echo "== $setting"
  for run in 1 2 3; do
    rm -f "$WORK"/floor.db*
    # shellcheck disable=SC2086
    /usr/bin/time -f "   CPU %U s user + %S s system, %e s wall" "$WORK/store_floor" "$CORPUS" "$WORK/floor.db" $setting
  done
done
