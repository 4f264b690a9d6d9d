"""Augmentation on real data: WordNet EDA on Financial PhraseBank, Cilin synonyms on Chinese reviews,
the leak guard, lineage and determinism."""
import json
import re
import shutil

import pytest

from conftest import ROOT, winnow, winnow_json

PHRASEBANK = "en_financial_phrasebank/Sentences_50Agree.txt"
SHOPPING = "zh_online_shopping_10cats/online_shopping_10_cats.csv"
CILIN = ROOT / "fixtures/augment/zh-synonyms.cilin.txt"


def pipeline_file(tmp_path, name, shared_data, data, drop_augment=False):
    """A copy of pipelines/NAME with its input read in place from ../shared/data."""
    p = json.loads((ROOT / "pipelines" / name).read_text())
    p["inputs"][0]["path"] = str(shared_data / data)
    for stage in p["stages"]:
        for d in stage.get("augment", {}).get("synonyms", {}).get("dictionaries", []):
            d["path"] = str((ROOT / "pipelines" / d["path"]).resolve())
    if drop_augment:
        p["stages"] = [s for s in p["stages"] if "augment" not in s]
    out = tmp_path / (name.replace(".json", "") + ("-plain" if drop_augment else "") + ".json")
    out.write_text(json.dumps(p, ensure_ascii=False))
    return out


def export(store, version, tmp_path, split=None, metadata=True):
    out = tmp_path / f"export-{abs(hash((str(store), version, split)))}.jsonl"
    args = ["export", version, "--store", store, "-o", out]
    if split:
        args += ["--split", split]
    if metadata:
        args.append("--metadata")
    winnow(*args)
    return out


def records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def needs_wordnet():
    import os
    if not os.path.exists("/usr/share/wordnet/index.noun"):
        pytest.skip("WordNet is not installed (apt-get install wordnet-base)")


def test_phrasebank_train_augmented_with_wordnet(shared_data, tmp_path):
    """Acceptance 1: 8:1:1, train augmented with 2 WordNet copies; validation and test untouched."""
    needs_wordnet()
    store = tmp_path / "store"
    run = winnow_json("run", pipeline_file(tmp_path, "financial-phrasebank-augment.json", shared_data, PHRASEBANK), "--store", store)
    plain_store = tmp_path / "plain"
    winnow("run", pipeline_file(tmp_path, "financial-phrasebank-augment.json", shared_data, PHRASEBANK, drop_augment=True),
           "--store", plain_store)
    aug = next(s for s in run["stages"] if s["stage"] == "augment")
    version = run["version"]
    for split in ("validation", "test"):
        assert export(store, version, tmp_path, split, metadata=False).read_bytes() == \
            export(plain_store, version, tmp_path, split, metadata=False).read_bytes(), split
    rows = records(export(store, version, tmp_path))
    by_hash = {r["_hash"]: r for r in rows}
    children = [r for r in rows if "augmented_from" in r]
    train = [r for r in rows if r["_split"] == "train" and "augmented_from" not in r]
    assert aug["added"] == len(children) and len(children) > 1.8 * len(train)
    assert aug["added"] + sum(aug["discarded"].values()) == 2 * len(train)
    for child in children:
        parent = by_hash[child["augmented_from"]]
        assert child["text"] != parent["text"]
        assert child["label"] == parent["label"]
        assert child["_split"] == "train" and parent["_split"] == "train"
        assert child["augmentation"] and set(child["augmentation"]) <= {"synonym_replacement", "random_insertion", "random_swap", "random_deletion"}
    shown = winnow_json("show", version, "--store", store)
    counts = shown["augmented_children"]
    assert set(counts) >= {"synonym_replacement", "random_insertion"} and all(set(c) == {"train"} for c in counts.values())
    assert counts["synonym_replacement"]["train"] == sum("synonym_replacement" in c["augmentation"] for c in children)
    why = winnow("why", children[0]["_hash"][:16], "--store", store).stdout
    assert f"augmented from {children[0]['augmented_from'][:12]}" in why and "added by augment." in why
    print(f"phrasebank: {len(train)} train records -> {len(children)} children; discarded {aug['discarded']}; per operation {counts}")


def cilin_groups():
    groups = []
    for line in CILIN.read_text().splitlines():
        code, *words = line.split()
        if code.endswith("="):
            groups.append(set(words))
    return groups


def test_zh_reviews_cilin_children_are_word_substitutions(shared_data, tmp_path):
    """Acceptance 2: Cilin-format dictionary; children are whole-word substitutions from one group."""
    store = tmp_path / "store"
    run = winnow_json("run", pipeline_file(tmp_path, "zh-reviews-augment.json", shared_data, SHOPPING), "--store", store)
    aug = next(s for s in run["stages"] if s["stage"] == "augment")
    rows = records(export(store, "zh-reviews-augmented@1", tmp_path))
    by_hash = {r["_hash"]: r for r in rows}
    children = [r for r in rows if "augmented_from" in r]
    assert aug["added"] == len(children) > 10000
    assert {r["_split"] for r in children} == {"train"}
    groups = cilin_groups()
    dictionary_chars = set("".join(w for g in groups for w in g)) | set("〇零一二三四五六七八九十百千")
    for child in children:
        parent = by_hash[child["augmented_from"]]
        assert "\ufffd" not in child["text"]
        assert set(child["text"]) <= set(parent["text"]) | dictionary_chars
    # Several real reviews, checked against the ledger: each change is a word of one group,
    # and undoing the changes gives the parent back.
    checked = 0
    for child in [c for c in children if c["augmentation"] == ["synonym_replacement"]][:40]:
        why = winnow_json("why", child["_hash"], "--store", store)
        ledger = why["appearances"][0]["ledger"]
        changes = re.search(r"changes ([^)]*)\)$", ledger[0]).group(1).split("; ")
        text = child["text"]
        for change in changes:
            old, new = change.split("→")
            assert any(old in g and new in g for g in groups), change
            text = text.replace(new, old)
        if all(text.count(c.split("→")[0]) for c in changes) and text == by_hash[child["augmented_from"]]["text"]:
            checked += 1
    assert checked >= 30
    print("zh children:", len(children), "discarded", aug["discarded"], "undone by the ledger:", checked, "of 40")
    print("examples:", [(by_hash[c["augmented_from"]]["text"][:40], c["text"][:40]) for c in children[:3]])


def test_leak_guard_rejects_planted_children(tmp_path):
    """Acceptance 3: a train record whose child would near-copy a test record (and one that would
    equal a validation record) gets no child; the counts say why."""
    fixture = ROOT / "fixtures/augment"
    pipeline = {
        "dataset": "planted", "seed": 5,
        "inputs": [{"path": str(fixture / "reviews.jsonl")}],
        "stages": [
            {"split": {"time": {"field": "time", "cutoffs": ["2024-07-01", "2024-10-01"]}}},
            {"augment": {"copies": 2, "operations": {"synonym_replacement": {}},
                         "synonyms": {"dictionaries": [{"path": str(fixture / "en-synonyms.tsv")},
                                                       {"path": str(fixture / "zh-synonyms.cilin.txt"), "format": "cilin"}]}}},
        ],
    }
    p = tmp_path / "planted.json"
    p.write_text(json.dumps(pipeline, ensure_ascii=False))
    run = winnow_json("run", p, "--store", tmp_path / "store")
    aug = next(s for s in run["stages"] if s["stage"] == "augment")
    assert aug["discarded"]["near_duplicate_in_other_split"] == 2
    assert aug["discarded"]["identical_to_record"] == 2
    rows = records(export(tmp_path / "store", "planted@1", tmp_path))
    texts = [r["text"] for r in rows if "augmented_from" in r]
    assert not any("excellent" in t for t in texts) and "quick delivery and good price" not in texts


def test_same_seed_gives_byte_identical_children(shared_data, tmp_path):
    """Acceptance 4: two builds (1 and 2 threads) with the same seed."""
    needs_wordnet()
    p = pipeline_file(tmp_path, "financial-phrasebank-augment.json", shared_data, PHRASEBANK)
    a = winnow_json("run", p, "--store", tmp_path / "a", "--threads", "1")
    b = winnow_json("run", p, "--store", tmp_path / "b", "--threads", "2")
    assert a["id"] == b["id"]
    name = "financial-phrasebank-augmented@1"
    assert export(tmp_path / "a", name, tmp_path, "train").read_bytes() == export(tmp_path / "b", name, tmp_path, "train").read_bytes()
