"""Shared helpers for the acceptance tests: they drive the release `winnow` binary on real data."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
BIN = Path(os.environ.get("WINNOW_BIN", ROOT / ".build" / "release" / "winnow"))


def winnow(*args, cwd=ROOT, check=True):
    """Runs winnow and returns the completed process (text mode)."""
    proc = subprocess.run([str(BIN), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"winnow {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def winnow_json(*args, **kw):
    return json.loads(winnow(*args, "--json", **kw).stdout)


@pytest.fixture(scope="session", autouse=True)
def binary():
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: run `swift build -c release` first (or set WINNOW_BIN)")
    return BIN


@pytest.fixture
def shared_data():
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent")
    return SHARED
