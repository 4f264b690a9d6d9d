"""Acceptance tests for the foundation issue, on the real third-party data in ../shared/data."""
import json
import sqlite3
import unicodedata
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, winnow, winnow_json

SCHEMA = json.loads((ROOT / "schemas" / "pipeline.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_schema_file_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("pipeline", sorted((ROOT / "pipelines").glob("*.json")), ids=lambda p: p.name)
def test_every_example_pipeline_validates_with_both_validators(pipeline):
    errors = list(VALIDATOR.iter_errors(json.loads(pipeline.read_text())))
    assert errors == [], [e.message for e in errors]
    out = winnow("validate", pipeline.relative_to(ROOT)).stdout
    assert out.startswith(f"{pipeline.relative_to(ROOT)}: ok"), out


def test_invalid_fixtures_are_rejected_by_both_validators():
    expected = json.loads((ROOT / "fixtures" / "invalid-pipelines.expected.json").read_text())
    for name, want in expected.items():
        path = ROOT / "fixtures" / "invalid-pipelines" / name
        schema_errors = list(VALIDATOR.iter_errors(json.loads(path.read_text())))
        # Structural problems are schema errors for jsonschema too; semantic ones (regex syntax,
        # missing files) are only caught by winnow, which says so in one line.
        assert bool(schema_errors) == want["structural"], (name, [e.message for e in schema_errors])
        proc = winnow("validate", path.relative_to(ROOT), check=False)
        assert proc.returncode == 2, name
        first = proc.stderr.splitlines()[0]
        assert first.startswith(f"{path.relative_to(ROOT)}:{want['line']}:{want['column']}: {want['path']}: "), first
        assert want["contains"] in first, first


def test_every_example_pipeline_runs(tmp_path, shared_data):
    for pipeline in sorted((ROOT / "pipelines").glob("*.json")):
        proc = winnow("run", pipeline.relative_to(ROOT), "--store", tmp_path / pipeline.stem, "--quiet")
        assert "built " in proc.stdout, proc.stdout


def test_zh_shopping_reviews_ingest_all_rows_with_zero_quarantined(tmp_path, shared_data):
    store = tmp_path / "store"
    run = winnow_json("run", "pipelines/zh-shopping-reviews.json", "--store", store)
    assert run["rows_read"] == 62_774
    assert run["records"] == 62_774
    assert run["quarantined"] == 0
    shown = winnow_json("show", "zh-shopping-reviews@1", "--store", store)
    assert shown["labels"] == {"0": 31_046, "1": 31_728}
    rows = [json.loads(line) for line in winnow("export", "zh-shopping-reviews@1", "--store", store).stdout.splitlines()]
    assert len(rows) == 62_774
    assert rows[0]["cat"] == "书籍" and not rows[0]["text"].startswith("\ufeff"), "the BOM inside the first field is cleaned"
    cats = {}
    for r in rows:
        cats[r["cat"]] = cats.get(r["cat"], 0) + 1
    assert cats["热水器"] == 575 and cats["平板"] == 10_000
    # Reviews with commas and quotes inside survive intact (NFKC turns full-width commas into ASCII).
    assert sum("," in r["text"] for r in rows) > 10_000
    # Same data on one thread: the same version, nothing added.
    again = winnow_json("run", "pipelines/zh-shopping-reviews.json", "--store", store, "--threads", "1")
    assert again["status"] == "unchanged" and again["id"] == run["id"]


def test_financial_phrasebank_latin1_with_labels(tmp_path, shared_data):
    run = winnow_json("run", "pipelines/financial-phrasebank.json", "--store", tmp_path)
    assert run["records"] == 4_846 and run["quarantined"] == 0
    shown = winnow_json("show", "financial-phrasebank@1", "--store", tmp_path)
    assert shown["labels"] == {"negative": 604, "neutral": 2_879, "positive": 1_363}
    assert shown["inputs"][0]["encoding"] == "latin1"
    texts = [json.loads(l)["text"] for l in winnow("export", "financial-phrasebank@1", "--store", tmp_path).stdout.splitlines()]
    raw = (shared_data / "en_financial_phrasebank" / "Sentences_50Agree.txt").read_bytes().decode("latin-1").splitlines()
    expected = [unicodedata.normalize("NFKC", line.rsplit("@", 1)[0]).strip() for line in raw]
    expected = [" ".join(t.split(" ")) for t in expected]
    assert not any("\ufffd" in t for t in texts)
    assert sum(a == b for a, b in zip(texts, expected)) >= 4_800, "text decoded from Latin-1 matches Python's decoding"


def test_new_rule_shows_up_in_diff_and_why(tmp_path):
    pipeline = tmp_path / "quickstart.json"
    base = json.loads((ROOT / "pipelines" / "quickstart.json").read_text())
    for entry in base["inputs"]:
        entry["path"] = str((ROOT / "pipelines" / entry["path"]).resolve())
    pipeline.write_text(json.dumps(base))
    store = tmp_path / "store"
    first = winnow_json("run", pipeline, "--store", store)
    second = winnow_json("run", pipeline, "--store", store)
    assert first["status"] == "created" and second["status"] == "unchanged" and second["id"] == first["id"]
    assert len(winnow_json("versions", "--store", store)) == 1

    base["stages"][2]["filter"]["min_chars"] = 10
    pipeline.write_text(json.dumps(base))
    assert winnow_json("run", pipeline, "--store", store)["version"] == "quickstart@2"

    texts = {json.loads(l)["id"]: json.loads(l)["text"]
             for l in winnow("export", "quickstart@1", "--store", store).stdout.splitlines()}
    short = {i for i, t in texts.items() if len(t) < 10}
    diff = winnow_json("diff", "quickstart@1", "quickstart@2", "--store", store)
    removed = diff["splits"][0]["removed"]
    assert {r["id"] for r in removed} == short, "the diff lists exactly the records the new rule dropped"
    assert all(r["reasons"][0].startswith("dropped by filter.min_chars") for r in removed)
    assert diff["totals"]["added"] == 0 and diff["pipeline"][0]["path"] == "$.stages[2].filter.min_chars"

    why = winnow_json("why", removed[0]["hash"][:12], "--store", store)
    statuses = {a["version"]: a for a in why["appearances"]}
    assert statuses["quickstart@2"]["status"] == "dropped"
    assert any(l.startswith("dropped by filter.min_chars") for l in statuses["quickstart@2"]["ledger"])
    assert statuses["quickstart@1"]["status"] == "kept"


def test_verify_names_a_record_corrupted_from_outside(tmp_path):
    store = tmp_path / "store"
    winnow("run", "pipelines/quickstart.json", "--store", store)
    assert winnow("verify", "--store", store).returncode == 0
    db = sqlite3.connect(store / "store.sqlite")
    victim = db.execute("select hash from version_records order by ordinal limit 1 offset 2").fetchone()[0]
    db.execute("update objects set body = cast(? as blob), encoding = 0, size = 20 where hash = ?", ('{"text":"corrupted"}', victim))
    db.commit()
    db.close()
    proc = winnow("verify", "--store", store, check=False)
    assert proc.returncode == 1
    assert f"BAD record {victim.hex()}" in proc.stdout
    report = json.loads(winnow("verify", "--store", store, "--json", check=False).stdout)
    assert [b["hash"] for b in report["bad_records"]] == [victim.hex()]


def test_bad_jsonl_rows_are_quarantined_not_fatal(tmp_path):
    pipeline = tmp_path / "bad.json"
    pipeline.write_text(json.dumps({
        "dataset": "bad", "max_error_rate": 0.5,
        "inputs": [{"path": str(ROOT / "fixtures" / "ingest" / "bad-rows.jsonl")}],
    }))
    run = winnow_json("run", pipeline, "--store", tmp_path / "s")
    assert run["records"] == 10 and run["quarantined"] == 3
    shown = winnow_json("show", "bad@1", "--store", tmp_path / "s", "--quarantine", "10")
    lines = [(q["line"], q["reason"].split(":")[0]) for q in shown["quarantine"]]
    assert [l for l, _ in lines] == [3, 4, 14]
    assert shown["quarantine"][1]["reason"] == "missing text field `text`"


def test_missing_input_and_bad_regex_fail_with_one_line(tmp_path):
    for name in ["missing-input.json", "bad-regex.json"]:
        proc = winnow("run", f"fixtures/invalid-pipelines/{name}", "--store", tmp_path, check=False)
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Backtrace" not in proc.stderr


@pytest.mark.parametrize("pipeline,dataset,tokenizer,dtype", [
    ("financial-phrasebank.json", "financial-phrasebank", "gpt2", "uint16"),
    ("zh-shopping-reviews.json", "zh-shopping-reviews", "qwen2", "int32"),
])
def test_token_shards_read_back_and_equal_hf_tokenizers(tmp_path, shared_data, pipeline, dataset, tokenizer, dtype):
    """Issue 7, acceptance 2 and 3: shards written for a real dataset are read with a numpy reader
    written from the format description, and every document equals HF `tokenizers` and decodes to
    the exported record; GPT-2's vocabulary gives uint16 shards, Qwen2's int32."""
    pytest.importorskip("tokenizers")
    store, out = tmp_path / "store", tmp_path / "shards"
    winnow("run", f"pipelines/{pipeline}", "--store", store, "--quiet")
    tok = shared_data / "tokenizers" / tokenizer / "tokenizer.json"
    manifest = winnow_json("tokenize", f"{dataset}@1", "--store", store, "--tokenizer", tok, "-o", out, "--eos", "<|endoftext|>")
    assert manifest["dtype"] == dtype
    records = tmp_path / "records.jsonl"
    records.write_text(winnow("export", f"{dataset}@1", "--store", store).stdout, encoding="utf-8")
    import subprocess, sys
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_shards.py"), str(out / "manifest.json"), str(records), str(tok)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "failures=0" in proc.stdout


def test_tokenize_errors_are_one_line_and_leave_no_shards(tmp_path):
    store = tmp_path / "store"
    winnow("run", "pipelines/quickstart.json", "--store", store, "--quiet")
    missing = winnow("tokenize", "quickstart@1", "--store", store, "--tokenizer", tmp_path / "nope.json", "-o", tmp_path / "o", check=False)
    assert missing.returncode == 2 and missing.stderr.startswith("error: tokenizer") and len(missing.stderr.splitlines()) == 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}))
    refused = winnow("tokenize", "quickstart@1", "--store", store, "--tokenizer", bad, "-o", tmp_path / "o", check=False)
    assert refused.returncode == 2 and "pre_tokenizer `Whitespace` is not supported" in refused.stderr
    field = winnow("tokenize", "quickstart@1", "--store", store, "--tokenizer", str(ROOT.parent / "shared/data/tokenizers/gpt2/tokenizer.json"),
                   "-o", tmp_path / "o2", "--field", "absent", check=False)
    assert field.returncode == 1 and "has no field `absent`" in field.stderr
    assert not list((tmp_path / "o2").glob("*.bin")), "no half-written shards are left behind"


def test_registered_shards_show_token_counts_and_verify_rehashes_them(tmp_path):
    store, out = tmp_path / "store", tmp_path / "shards"
    winnow("run", "pipelines/quickstart.json", "--store", store, "--quiet")
    tok = ROOT.parent / "shared" / "data" / "tokenizers" / "gpt2" / "tokenizer.json"
    if not tok.exists():
        pytest.skip("shared tokenizers are absent")
    manifest = winnow_json("tokenize", "quickstart@1", "--store", store, "--tokenizer", tok, "-o", out)
    shown = winnow_json("show", "quickstart@1", "--store", store)
    assert shown["token_shards"][0]["tokens"] == {"all": manifest["shards"][0]["tokens"]}
    assert shown["token_shards"][0]["dtype"] == "uint16"
    report = json.loads(winnow("verify", "--store", store, "--json").stdout)
    assert report["ok"] and report["shard_files_checked"] == 2
    binary = out / "quickstart_all_00000.bin"
    data = bytearray(binary.read_bytes())
    data[0] ^= 0xFF
    binary.write_bytes(bytes(data))
    proc = winnow("verify", "--store", store, check=False)
    assert proc.returncode == 1 and f"BAD shard {binary}" in proc.stdout


def test_shards_are_identical_on_one_or_two_threads_and_roll_over_by_size(tmp_path, shared_data):
    """Issue 7: same version -> byte-identical shards and manifest on 1 or 2 threads; a maximum
    shard size splits a split into several shards without cutting documents; labels and the
    nanoGPT format."""
    pytest.importorskip("tokenizers")
    import numpy as np
    store = tmp_path / "store"
    winnow("run", "pipelines/financial-phrasebank.json", "--store", store, "--quiet")
    tok = shared_data / "tokenizers" / "gpt2" / "tokenizer.json"
    manifests = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}"
        manifests.append(winnow_json("tokenize", "financial-phrasebank@1", "--store", store, "--tokenizer", tok, "-o", out,
                                     "--eos", "<|endoftext|>", "--threads", threads, "--max-shard-tokens", 50_000, "--labels"))
    assert manifests[0]["shards"] == manifests[1]["shards"], "shard bytes must not depend on the thread count"
    shards = manifests[0]["shards"]
    assert len(shards) == 3 and all(s["tokens"] <= 50_000 for s in shards)
    assert sum(s["documents"] for s in shards) == 4_846
    assert manifests[0]["labels"] == ["negative", "neutral", "positive"]
    labels = np.concatenate([np.load(tmp_path / "t1" / f"{s['prefix']}.labels.npy") for s in shards])
    records = tmp_path / "records.jsonl"
    records.write_text(winnow("export", "financial-phrasebank@1", "--store", store).stdout, encoding="utf-8")
    names = [json.loads(l)["label"] for l in records.read_text(encoding="utf-8").splitlines()]
    assert [manifests[0]["labels"][i] for i in labels] == names
    import subprocess, sys
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_shards.py"), str(tmp_path / "t1" / "manifest.json"),
                           str(records), str(tok)], capture_output=True, text=True)
    assert proc.returncode == 0 and "failures=0" in proc.stdout, proc.stdout + proc.stderr
    nano = winnow_json("tokenize", "financial-phrasebank@1", "--store", store, "--tokenizer", tok, "-o", tmp_path / "nano",
                       "--format", "nanogpt", "--eos", "<|endoftext|>")
    flat = np.fromfile(tmp_path / "nano" / f"{nano['shards'][0]['prefix']}.bin", dtype="<u2")
    assert nano["dtype"] == "uint16" and len(flat) == nano["shards"][0]["tokens"] == sum(s["tokens"] for s in shards)


def test_gzip_bomb_stops_at_the_ratio_limit(tmp_path):
    """Issue 8, acceptance 5: a small file with a huge expansion stops with one clear line, quickly."""
    import gzip
    import time
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\0" * 200_000_000, compresslevel=9))
    assert bomb.stat().st_size < 300_000
    (tmp_path / "bomb.json").write_text(json.dumps({"dataset": "bomb", "inputs": [{"path": str(bomb)}]}))
    started = time.monotonic()
    proc = winnow("run", tmp_path / "bomb.json", "--store", tmp_path / "store", check=False)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "gzip stream expands more than 200×" in proc.stderr and "decompression bomb" in proc.stderr
    assert time.monotonic() - started < 30
