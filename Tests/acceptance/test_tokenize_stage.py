"""The `tokenize` pipeline stage: shards written with the build, equal to `winnow tokenize`, checked
against HF `tokenizers`, deterministic across thread counts, with clear errors."""
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, winnow, winnow_json

PHRASEBANK = "en_financial_phrasebank/Sentences_50Agree.txt"


def pipeline(tmp_path, shared_data, tokenize, name="fpb-tok", extra_stages=()):
    p = json.loads((ROOT / "pipelines/financial-phrasebank-shards.json").read_text())
    p["dataset"] = name
    p["inputs"][0]["path"] = str(shared_data / PHRASEBANK)
    p["stages"] = p["stages"][:2] + list(extra_stages) + [{"tokenize": tokenize}]
    out = tmp_path / f"{name}-{abs(hash(json.dumps(tokenize)))}.json"
    out.write_text(json.dumps(p, ensure_ascii=False))
    return out


def digests(directory):
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(directory.iterdir()) if f.suffix != ".json"}


def check_shards(manifest, records, tokenizer):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/check_shards.py"), str(manifest), str(records), str(tokenizer)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "failures=0" in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


def test_pipeline_shards_equal_hf_and_the_tokenize_command(shared_data, tmp_path):
    """A template over two fields with BOS and EOS (DeepSeek), one shard set per split, registered;
    `winnow tokenize` on the same version writes the same bytes."""
    pytest.importorskip("tokenizers")
    tok = shared_data / "tokenizers/deepseek/tokenizer.json"
    stage = {"tokenizer": str(tok), "template": "{label}: {text}", "prepend_bos": True, "append_eos": True, "labels": True}
    store = tmp_path / "store"
    run = winnow_json("run", pipeline(tmp_path, shared_data, stage), "--store", store)
    manifest = run["token_shards"]
    directory = store / "shards" / run["version"]
    assert {s["split"] for s in manifest["shards"]} == {"train", "validation", "test"}
    assert manifest["bos"] is not None and manifest["eos"] is not None and manifest["template"] == "{label}: {text}"
    records = tmp_path / "records.jsonl"
    winnow("export", run["version"], "--store", store, "--metadata", "-o", records)
    print(check_shards(directory / "manifest.json", records, tok))
    # Labels beside each shard: the label of every document, in order.
    rows = [json.loads(line) for line in records.read_text().splitlines()]
    for shard in manifest["shards"]:
        labels = np.load(directory / f"{shard['prefix']}.labels.npy")
        names = manifest["labels"]
        assert [names[i] for i in labels] == [r["label"] for r in rows if r["_split"] == shard["split"]]
    # The command on the same version: byte-identical shards.
    again = tmp_path / "again"
    winnow("tokenize", run["version"], "--store", store, "--tokenizer", tok, "-o", again, "--template", "{label}: {text}",
           "--bos", "<｜begin▁of▁sentence｜>", "--eos", "<｜end▁of▁sentence｜>", "--labels")
    assert digests(again) == digests(directory)
    shown = winnow_json("show", run["version"], "--store", store)
    assert {t["directory"] for t in shown["token_shards"]} == {str(directory), str(again)}
    assert winnow_json("verify", "--store", store)["ok"]
    rerun = winnow_json("run", pipeline(tmp_path, shared_data, stage), "--store", store)
    assert rerun["status"] == "unchanged" and rerun["token_shards"].startswith("up to date")


def test_one_and_two_threads_write_identical_shards(shared_data, tmp_path):
    """Acceptance 4, through the pipeline stage: the same bytes and the same manifest digests."""
    tok = shared_data / "tokenizers/qwen2/tokenizer.json"
    stage = {"tokenizer": str(tok), "append_eos": "<|endoftext|>", "max_shard_tokens": 40000}
    p = pipeline(tmp_path, shared_data, stage)
    a = winnow_json("run", p, "--store", tmp_path / "a", "--threads", "1")
    b = winnow_json("run", p, "--store", tmp_path / "b", "--threads", "2")
    assert a["id"] == b["id"]
    da, db = (tmp_path / s / "shards" / a["version"] for s in ("a", "b"))
    assert digests(da) == digests(db) and len(digests(da)) > 6, "several train shards, same bytes"
    assert a["token_shards"]["shards"] == b["token_shards"]["shards"]
    assert a["token_shards"]["dtype"] == "int32"


def test_tokenize_stage_errors(shared_data, tmp_path):
    tok = shared_data / "tokenizers/gpt2/tokenizer.json"
    cases = [
        ({"tokenizer": str(tmp_path / "missing.json")}, (), "cannot read tokenizer file"),
        ({"tokenizer": str(tok), "append_eos": "<eos>"}, (), "the tokenizer has no token `<eos>`"),
        ({"tokenizer": str(tok), "template": "{text"}, (), "without a closing `}`"),
        ({"tokenizer": str(tok), "field": "text", "template": "{text}"}, (), "not both"),
    ]
    for stage, extra, words in cases:
        proc = winnow("validate", pipeline(tmp_path, shared_data, stage, extra_stages=extra), check=False)
        assert proc.returncode != 0 and words in proc.stdout + proc.stderr, (words, proc.stdout, proc.stderr)
    p = json.loads(pipeline(tmp_path, shared_data, {"tokenizer": str(tok)}).read_text())
    p["stages"].append({"clean": {}})
    bad = tmp_path / "not-last.json"
    bad.write_text(json.dumps(p))
    proc = winnow("validate", bad, check=False)
    assert proc.returncode != 0 and "make it the last stage" in proc.stdout + proc.stderr
    # A record without a template field is quarantined, naming the field; the rest are written.
    data = tmp_path / "docs.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in [{"title": "A", "text": "one"}, {"text": "no title"}, {"title": "B", "text": "two"}]) + "\n")
    p = {"dataset": "docs", "max_error_rate": 0.5, "inputs": [{"path": str(data)}],
         "stages": [{"tokenize": {"tokenizer": str(tok), "template": "{title}\n\n{text}", "append_eos": True}}]}
    (tmp_path / "docs.json").write_text(json.dumps(p))
    run = winnow_json("run", tmp_path / "docs.json", "--store", tmp_path / "s")
    assert run["quarantined"] == 1 and run["token_shards"]["shards"][0]["documents"] == 2
    shown = winnow_json("show", "docs@1", "--store", tmp_path / "s")
    assert "no field `title`" in shown["quarantine"][0]["reason"]
