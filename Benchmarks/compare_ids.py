"""Are Winnow's ids the ones the other tools give on the benchmark corpus?

    python Benchmarks/compare_ids.py CORPUS.jsonl TOKENIZER.json WINNOW_SHA256

HF `tokenizers` encodes every text (add_special_tokens=False); the SHA-256 of its ids (int32
little-endian, document order) must equal what `winnow bench tokenize` printed. tiktoken with the
same BPE converted to its ranks (the harness's `hf32k` encoding) numbers tokens differently, so
its tokens are compared as byte strings with HF's. Run in the harness's virtual environment.
"""
import hashlib
import json
import os
import sys

from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
from anchor_tasks import load_tiktoken  # noqa: E402
from byte_level import byte_decoder  # noqa: E402


def main(corpus, tokenizer_path, winnow_digest):
    texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8") if line.strip()]
    hf = Tokenizer.from_file(tokenizer_path)
    hf.encode_special_tokens = True  # Winnow's default: special-token strings are plain text
    encoded = [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]
    h = hashlib.sha256()
    for ids in encoded:
        h.update(b"".join(i.to_bytes(4, "little", signed=True) for i in ids))
    print(f"HF tokenizers: {sum(map(len, encoded)):,} tokens, ids sha256 {h.hexdigest()}",
          "== winnow" if h.hexdigest() == winnow_digest else "!= winnow " + winnow_digest)
    u2b = byte_decoder()
    vocab = {i: bytes(u2b[c] for c in t) for t, i in hf.get_vocab().items() if all(c in u2b for c in t)}
    enc = load_tiktoken("hf32k", {"tokenizer": tokenizer_path})
    differing = 0
    for ids, ranks in zip(encoded, enc.encode_ordinary_batch(texts)):
        if [vocab.get(i) for i in ids] != [enc.decode_single_token_bytes(r) for r in ranks]:
            differing += 1
    print(f"tiktoken (hf32k ranks): {differing} of {len(texts):,} documents tokenized differently from HF")
    sys.exit(1 if differing or h.hexdigest() != winnow_digest else 0)


if __name__ == "__main__":
    main(*sys.argv[1:4])
