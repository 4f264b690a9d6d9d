#!/usr/bin/env python3
"""tiktoken with any byte-level BPE `tokenizer.json`, its own split pattern included, for the
benchmark harness's `--cmd` (the harness's own conversion assumes the GPT-2 pattern, which is
wrong for Qwen2 and other cl100k-style tokenizers).

    python Benchmarks/tiktoken_encode.py TOKENIZER.json CORPUS.jsonl WORKERS

Ranks are the merge order, as the harness converts them; the texts are encoded with
`encode_ordinary_batch` in batches of 1,000, as the harness's tiktoken task does. A tokenizer
normalizer (Qwen2's NFC) is applied in Python first, so the tokens are comparable with HF's.
Prints documents and tokens.
"""
import json
import sys
import unicodedata

from byte_level import byte_decoder


def split_pattern(pre):
    """The regex of the first Split pre-tokenizer, or the GPT-2 pattern of a plain ByteLevel one."""
    if pre.get("type") == "Sequence":
        for p in pre["pretokenizers"]:
            if p.get("type") == "Split":
                return p["pattern"]["Regex"]
    return r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def main(tokenizer_path, corpus, workers):
    import tiktoken
    spec = json.load(open(tokenizer_path, encoding="utf-8"))
    u2b = byte_decoder()
    ranks = {bytes([b]): b for b in range(256)}
    for i, m in enumerate(spec["model"]["merges"]):
        a, b = m.split(" ") if isinstance(m, str) else m
        token = bytes(u2b[c] for c in a + b)
        ranks.setdefault(token, 256 + i)
    enc = tiktoken.Encoding(name="converted", pat_str=split_pattern(spec["pre_tokenizer"]), mergeable_ranks=ranks,
                            special_tokens={})
    nfc = (spec.get("normalizer") or {}).get("type") == "NFC"
    docs = tokens = 0
    batch = []

    def flush():
        nonlocal docs, tokens
        ids = enc.encode_ordinary_batch(batch, num_threads=workers)
        docs += len(ids)
        tokens += sum(len(x) for x in ids)
        batch.clear()

    with open(corpus, encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            batch.append(unicodedata.normalize("NFC", text) if nfc else text)
            if len(batch) == 1000:
                flush()
    if batch:
        flush()
    print(f"{docs} documents, {tokens} tokens")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
