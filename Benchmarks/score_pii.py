#!/usr/bin/env python3
"""Scores masked output against the corpus's injected PII.

    python3 Benchmarks/score_pii.py MASKED.jsonl CORPUS.jsonl

An injected value counts as caught when it no longer appears in its document's text; a decoy
(bad-checksum ID, Luhn-invalid number, version string) counts as a false hit when it disappeared.
Reads CORPUS.truth.jsonl beside the corpus.
"""
import json
import sys
from collections import Counter


def main(masked_path, corpus):
    texts = {}
    for line in open(masked_path, encoding="utf-8"):
        d = json.loads(line)
        texts[d["id"]] = d["text"]
    truth = corpus[: -len(".jsonl")] + ".truth.jsonl"
    caught, total, decoys, decoys_hit = Counter(), Counter(), 0, 0
    for t in map(json.loads, open(truth, encoding="utf-8")):
        for p in t.get("pii", []):
            text = texts.get(t["id"], "")
            if p["type"].startswith("decoy"):
                decoys += 1
                decoys_hit += p["value"] not in text
            else:
                total[p["type"]] += 1
                caught[p["type"]] += p["value"] not in text
    for kind in sorted(total):
        print(f"{kind}: {caught[kind]}/{total[kind]} masked")
    print(f"all: {sum(caught.values())}/{sum(total.values())} ({100 * sum(caught.values()) / max(1, sum(total.values())):.2f}%); "
          f"decoys masked {decoys_hit}/{decoys}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
