#!/usr/bin/env python3
"""Scores a list of removed document ids against the corpus's injected near duplicates.

    python3 Benchmarks/score_dedup.py REMOVED_IDS.txt CORPUS.jsonl

Reads CORPUS.truth.jsonl beside the corpus. Same measure as the shared harness's dedup rows: an
injected (copy, source) pair is hit when either document was removed; "other removed" counts
removed documents that are neither an injected copy nor its source (natural near duplicates or
false positives).
"""
import json
import sys


def main(removed_path, corpus):
    removed = {line.strip() for line in open(removed_path) if line.strip()}
    truth = corpus[: -len(".jsonl")] + ".truth.jsonl"
    pairs = [(t["id"], t["dup_of"]) for t in map(json.loads, open(truth, encoding="utf-8")) if "dup_of" in t]
    hit = sum(1 for copy, source in pairs if copy in removed or source in removed)
    related = {c for c, _ in pairs} | {s for _, s in pairs}
    print(f"{removed_path}: {len(removed)} removed; injected pairs hit {hit}/{len(pairs)} "
          f"({100 * hit / max(1, len(pairs)):.1f}%); other removed {len(removed - related)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
