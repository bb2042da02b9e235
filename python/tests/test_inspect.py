"""Every inspection vector of tests/vectors through the protocol's `inspect`, from Python: the
report the Python host gets is the one core writes natively, byte for byte (tests/parity.mjs
compares target/parity/python.json with the native column)."""

from __future__ import annotations

import base64
import json

import pytest

from choreo_auth import ChoreoAuth
from conftest import ROOT, write_parity

# A vector is an inspection when it has no keys beyond these; the others script an API
# (`login`, ...) inside core's vector runner. tests/parity.mjs reads vectors the same way.
INSPECTION_KEYS = {"name", "description", "input", "inputBase64", "now", "codes", "expect"}


def inspection_vectors() -> list[tuple[str, dict]]:
    vectors = []
    for path in sorted((ROOT / "tests" / "vectors").glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        if set(vector) <= INSPECTION_KEYS:
            vectors.append((path.name, vector))
    return vectors


VECTORS = inspection_vectors()
outputs: dict[str, str] = {}


def codes_of(report: dict) -> list[str]:
    return [p["code"] for p in report["problems"]]


@pytest.fixture(scope="module")
def auth(wasm):
    return ChoreoAuth(wasm=wasm)


def test_there_are_inspection_vectors():
    assert len(VECTORS) > 40


@pytest.mark.parametrize("name,vector", VECTORS, ids=[n for n, _ in VECTORS])
def test_the_report_is_the_vectors(auth, name, vector):
    token = vector["input"] if "input" in vector else base64.b64decode(vector["inputBase64"])
    report = auth.inspect(token, now=vector["now"])
    assert report == vector["expect"]
    assert codes_of(report) == vector["codes"]
    # The text the report crosses as, in core's key order: what every other host prints.
    outputs[name] = json.dumps(report, ensure_ascii=False, separators=(",", ":"))


def test_write_the_python_column():
    assert len(outputs) == len(VECTORS), "every vector ran"
    write_parity("python", outputs)
