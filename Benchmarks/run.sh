#!/usr/bin/env bash
# Times winnow beside the Python reference tasks, with the shared harness, in one run.
#   Benchmarks/run.sh                       # cleaning benchmark on the 100 MB corpus
#   CORPUS=/tmp/winnow-bench/corpus-10mb.jsonl Benchmarks/run.sh --repeat 1
#   SUITE=dedup Benchmarks/run.sh --repeat 1   # dedup beside the simhash and datasketch packages
#     (the `winnow-dedup-stages` row is the like-for-like one: read JSONL, fingerprint, search,
#     write the removed ids, as the Python rows do; `winnow-dedup` is a whole build + export)
#   SUITE=pii Benchmarks/run.sh --repeat 1     # PII masking beside one Python `re` pass
# `winnow bench stages` rows run a pipeline's per-record stages JSONL to JSONL without the store:
# the same job as the Python rows; the `winnow run` rows also hash, compress and store.
#   SUITE=tokenize Benchmarks/run.sh           # encoding beside HF tokenizers and tiktoken (same 32k BPE)
#   TOKENIZER=../shared/data/tokenizers/qwen2/tokenizer.json SUITE=tokenizer Benchmarks/run.sh
#                                              # any byte-level BPE beside HF and tiktoken with its own pattern
# Results: $ANCHORS_OUT/anchors.md (a table) and $ANCHORS_OUT/results/*.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
CORPUS=${CORPUS:-/tmp/winnow-bench/corpus-100mb.jsonl}
mkdir -p "$(dirname "$CORPUS")"
[ -f "$CORPUS" ] || zstd -q -d "$SHARED/bench/$(basename "$CORPUS").zst" -o "$CORPUS"
export ANCHORS_VENV=${ANCHORS_VENV:-/tmp/anchors-venv} ANCHORS_OUT=${ANCHORS_OUT:-/tmp/anchors-out}
[ -x "$ANCHORS_VENV/bin/python" ] || python3 -m venv "$ANCHORS_VENV"   # clean_py needs only the standard library
(cd "$ROOT" && swift build -c release --product winnow)
W="$ROOT/.build/release/winnow"
case "${SUITE:-clean}" in
clean)
  # The `c-floor` row: the issue's required parts alone (file and record SHA-256, ICU NFKC, LZ4,
  # one SQLite WAL transaction) without Winnow, JSON parsing or regex rules (Benchmarks/floor/).
  FLOOR="$ANCHORS_OUT/store_floor"
  mkdir -p "$ANCHORS_OUT"
  FLOOR_ROW=()
  if c++ -O2 -std=c++17 "$ROOT/Benchmarks/floor/store_floor.cpp" -o "$FLOOR" -lsqlite3 -lcrypto -llz4 -licuuc 2>/dev/null; then
    FLOOR_ROW=(--cmd "c-floor-nfkc-sha-lz4-sqlite=$FLOOR {corpus} {work}/floor.db lz4 65536 nfkc")
  else
    echo "no C++ compiler or headers for Benchmarks/floor: the c-floor row is left out" >&2
  fi
  python3 "$SHARED/bench/anchors.py" --corpus "$CORPUS" --only clean_py,cat "${FLOOR_ROW[@]}" \
    --cmd "winnow-ingest-store=$W run $ROOT/Benchmarks/pipelines/ingest.json --input {corpus} --store {work}/store --threads {workers} --quiet" \
    --cmd "winnow-clean=$W run $ROOT/Benchmarks/pipelines/clean.json --input {corpus} --store {work}/store --threads {workers} --quiet" \
    --cmd "winnow-clean-zstd=$W run $ROOT/Benchmarks/pipelines/clean.json --input {corpus} --store {work}/store --threads {workers} --quiet --compression zstd" \
    --cmd "winnow-clean-stages=$W bench stages --pipeline $ROOT/Benchmarks/pipelines/clean.json --input {corpus} --output {work}/clean.jsonl --threads {workers}" \
    --cmd-workers 1,2 "$@" ;;
dedup)
  # Needs `pip install simhash datasketch` in $ANCHORS_VENV. The ids Winnow dropped go to
  # {work}/winnow-dedup.removed.txt and are scored against the injected pairs like the harness's rows.
  python3 "$SHARED/bench/anchors.py" --corpus "$CORPUS" --only simhash_pkg,minhash_datasketch --keep-work \
    --cmd "winnow-dedup=rm -rf {work}/store && $W run $ROOT/Benchmarks/pipelines/dedup.json --input {corpus} --store {work}/store --threads {workers} --quiet && $W export bench-dedup@latest --store {work}/store --dropped | python3 -c 'import sys,json; [print(json.loads(l)[\"record\"][\"id\"]) for l in sys.stdin]' > {work}/winnow-dedup.removed.txt" \
    --cmd "winnow-dedup-stages=$W bench stages --pipeline $ROOT/Benchmarks/pipelines/dedup.json --input {corpus} --output /dev/null --dropped-ids {work}/winnow-dedup.removed.txt --threads {workers}" \
    --cmd-workers 1,2 "$@"
  for f in "$ANCHORS_OUT"/work/*/winnow-dedup*-w*/winnow-dedup.removed.txt; do
    echo "$f"
    [ -f "$f" ] && python3 "$ROOT/Benchmarks/score_dedup.py" "$f" "$CORPUS"
  done ;;
pii)
  python3 "$SHARED/bench/anchors.py" --corpus "$CORPUS" --only pii_re --keep-work \
    --cmd "winnow-pii=rm -rf {work}/store && $W run $ROOT/Benchmarks/pipelines/pii.json --input {corpus} --store {work}/store --threads {workers} --quiet && $W export bench-pii@latest --store {work}/store -o {work}/masked.jsonl" \
    --cmd "winnow-pii-stage=$W bench stages --pipeline $ROOT/Benchmarks/pipelines/pii.json --input {corpus} --output {work}/masked.jsonl --threads {workers}" \
    --cmd-workers 1,2 "$@"
  for f in "$ANCHORS_OUT"/work/*/winnow-pii*-w*/masked.jsonl; do
    echo "$f"
    [ -f "$f" ] && python3 "$ROOT/Benchmarks/score_pii.py" "$f" "$CORPUS"
  done ;;
tokenize)
  # Needs `pip install tokenizers tiktoken` in $ANCHORS_VENV. Encode only, texts read first, as the
  # Python rows do; `winnow bench tokenize` prints the SHA-256 of all ids for comparisons.
  python3 "$SHARED/bench/anchors.py" --corpus "$CORPUS" --only hf_encode,tiktoken_hf32k \
    --cmd "winnow-encode=$W bench tokenize --tokenizer $SHARED/bench/tokenizer-32k.json --input {corpus} --threads {workers}" \
    --cmd-workers 1,2 "$@" ;;
tokenizer)
  # A given tokenizer.json: HF through the harness, tiktoken through Benchmarks/tiktoken_encode.py
  # (the harness's own conversion assumes the GPT-2 split pattern).
  TOK=$(cd "$(dirname "${TOKENIZER:?set TOKENIZER to a tokenizer.json}")" && pwd)/$(basename "$TOKENIZER")
  ANCHORS_TOKENIZER="$TOK" python3 "$SHARED/bench/anchors.py" --corpus "$CORPUS" --only hf_encode \
    --cmd "tiktoken-own-pattern=$ANCHORS_VENV/bin/python $ROOT/Benchmarks/tiktoken_encode.py $TOK {corpus} {workers}" \
    --cmd "winnow-encode=$W bench tokenize --tokenizer $TOK --input {corpus} --threads {workers}" \
    --cmd-workers 1,2 "$@" ;;
*) echo "SUITE must be clean, dedup, pii, tokenize or tokenizer" >&2; exit 2 ;;
esac
cat "$ANCHORS_OUT/anchors.md"
