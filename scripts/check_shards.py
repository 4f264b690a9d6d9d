"""Checks Winnow's token shards against Hugging Face `tokenizers` and the exported records.

    python3 scripts/check_shards.py OUT/manifest.json records.jsonl tokenizer.json

For every document of every shard in the manifest: the ids read back with the numpy reader
(megatron_reader.py) must equal `Tokenizer.encode(text, add_special_tokens=False).ids` of the
exported record's text (its `template` filled from the record's fields; BOS and EOS ids as the
manifest says), and must decode back to that text. Export with `--metadata` so records carry
their split (`_split`). Where
megatron-core is importable, its IndexedDataset must read the same ids. Exits non-zero on any
difference.
"""
import json
import os
import sys

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from megatron_reader import MegatronDataset  # noqa: E402


def split_of(record):
    return record.get("_split", record.get("split", "all"))


def render(template, record):
    """Winnow's document template: `{field}` inserts a field, `{{`/`}}` are braces."""
    out, i = [], 0
    while i < len(template):
        if template.startswith("{{", i) or template.startswith("}}", i):
            out.append(template[i])
            i += 2
        elif template[i] == "{":
            j = template.index("}", i)
            value = record[template[i + 1:j]]
            out.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            i = j + 1
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


def main(manifest_path, records_path, tokenizer_path):
    manifest = json.load(open(manifest_path))
    root = os.path.dirname(os.path.abspath(manifest_path))
    tok = Tokenizer.from_file(tokenizer_path)
    # Winnow's `--special-tokens text` is HF's encode_special_tokens (split_special_tokens).
    tok.encode_special_tokens = manifest.get("special_tokens") == "text"
    records = [json.loads(line) for line in open(records_path, encoding="utf-8")]
    eos = manifest.get("eos")
    bos = manifest.get("bos")
    template = manifest.get("template") or "{" + manifest.get("field", "text") + "}"
    try:
        from megatron.core.datasets.indexed_dataset import IndexedDataset
    except Exception as e:  # noqa: BLE001
        IndexedDataset = None
        print(f"megatron-core not importable here ({type(e).__name__}: {e}); numpy reader only")
    failures = 0
    checked = 0
    cursor = {}  # split -> index of the next record: shards of a split hold consecutive documents
    for shard in manifest["shards"]:
        prefix = os.path.join(root, shard["prefix"])
        data = MegatronDataset(prefix)
        assert len(data) == shard["documents"], (len(data), shard["documents"])
        assert int(data.lengths.sum()) == shard["tokens"]
        in_split = [r for r in records if split_of(r) == shard["split"]]
        start = cursor.get(shard["split"], 0)
        docs = in_split[start:start + len(data)]
        cursor[shard["split"]] = start + len(data)
        assert len(docs) == len(data), f"{shard['prefix']}: {len(data)} documents, {len(docs)} records left"
        for k, record in enumerate(docs):
            text = render(template, record)
            ids = data[k].tolist()
            expected = tok.encode(text, add_special_tokens=False).ids
            if expected:
                expected = ([bos] if bos is not None else []) + expected + ([eos] if eos is not None else [])
            if ids != expected:
                failures += 1
                if failures <= 5:
                    print(f"MISMATCH {shard['prefix']}[{k}]: {ids[:20]} vs HF {expected[:20]}")
            body = ids[:-1] if eos is not None and ids and ids[-1] == eos else ids
            body = body[1:] if bos is not None and body and body[0] == bos else body
            if tok.decode(body, skip_special_tokens=False) != text:
                failures += 1
                if failures <= 5:
                    print(f"DECODE {shard['prefix']}[{k}] differs from the record")
            checked += 1
        if IndexedDataset is not None:
            md = IndexedDataset(prefix)
            assert len(md) == len(data)
            for k in range(0, len(data), max(1, len(data) // 200)):
                assert np.array_equal(np.asarray(md[k]), data[k]), f"megatron-core disagrees at {k}"
            print(f"megatron-core IndexedDataset reads {shard['prefix']}: {len(md):,} documents, the same ids")
        print(f"{shard['prefix']}: {len(data):,} documents, {shard['tokens']:,} tokens, dtype {data.dtype}: "
              f"ids equal HF tokenizers and decode to the records")
    for split, used in cursor.items():
        total = sum(1 for r in records if split_of(r) == split)
        if used != total:
            failures += 1
            print(f"split {split}: shards hold {used} documents, the version {total}")
    print(f"RESULT checked={checked} failures={failures}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(*sys.argv[1:4])
