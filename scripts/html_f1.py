#!/usr/bin/env python3
"""Token-level F1 of extracted page text against GNE's reference output (html_zh_news_gne).

Tokens: every CJK character is a token, every run of Latin letters or digits is a token
(lowercased); punctuation and whitespace are not tokens. Precision and recall are over
token multisets. Usage:

    winnow extract --format html ../shared/data/html_zh_news_gne > /tmp/pages.jsonl   # any extractor's JSONL
    scripts/html_f1.py ../shared/data/html_zh_news_gne/gne_reference_output.txt /tmp/pages.jsonl [--path-field _source]

The JSONL must carry the page path relative to the data folder in a field (default `_source`,
what `winnow extract` writes with `--source`), and the text in `text`.
"""
import argparse
import collections
import json
import re
import sys

TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[0-9A-Za-z\u00c0-\u024f]+")


def tokens(text):
    return collections.Counter(t.lower() for t in TOKEN.findall(text))


def references(path):
    """{relative page path: reference content} from GNE's result.txt layout."""
    out = {}
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r">{5,}tests/(\S+?)>{5,}\n(.*?)\n<{5,}", text, re.S):
        body = json.loads(m.group(2))
        if body.get("content"):
            out[m.group(1)] = body["content"]
    return out


def score(reference, extracted):
    ref, got = tokens(reference), tokens(extracted)
    common = sum((ref & got).values())
    precision = common / max(sum(got.values()), 1)
    recall = common / max(sum(ref.values()), 1)
    f1 = 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("pages")
    ap.add_argument("--path-field", default="_source")
    args = ap.parse_args()
    refs = references(args.reference)
    pages = {}
    for line in open(args.pages, encoding="utf-8"):
        o = json.loads(line)
        pages[o[args.path_field]] = o.get("text", "")
    rows = []
    for page, ref in sorted(refs.items()):
        p, r, f = score(ref, pages.get(page, ""))
        rows.append((page, p, r, f))
        print(f"{page:28s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    n = max(len(rows), 1)
    print(f"{'average (' + str(len(rows)) + ' pages)':28s} P {sum(x[1] for x in rows) / n:.3f}  R {sum(x[2] for x in rows) / n:.3f}  F1 {sum(x[3] for x in rows) / n:.3f}")
    json.dump({"pages": [{"page": a, "precision": b, "recall": c, "f1": d} for a, b, c, d in rows]}, sys.stderr)


if __name__ == "__main__":
    main()
