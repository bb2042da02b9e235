"""The hostile server behaviours of tests/faults.json through the Python host's real HTTP: the
same outcome code as every other host, nothing unsafe in what comes back, and a redirect never
carries the bearer to the other origin. Outcomes go to target/parity/faults-python.json for
tests/parity.mjs."""

from __future__ import annotations

import json
import re

from choreo_auth import ChoreoAuth, ChoreoAuthError
from conftest import ROOT, write_parity

CASES = json.loads((ROOT / "tests" / "faults.json").read_text())["cases"]
UNSAFE = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(value, token: str) -> bool:
    """Whether every string in `value` is safe to show and holds no run of `token` past its
    mask."""
    if isinstance(value, str):
        runs = (token[i : i + 5] for i in range(len(token) - 4))
        return not UNSAFE.search(value) and not any(run in value for run in runs)
    if isinstance(value, dict):
        return all(inert(v, token) for v in value.values())
    if isinstance(value, list):
        return all(inert(v, token) for v in value)
    return True


def test_every_hostile_fault_gives_the_shared_outcome(wasm, server, elsewhere):
    outcomes = {}
    for case in CASES:
        token = server.mint()["token"]
        fault = json.loads(json.dumps(case["fault"]).replace("{elsewhere}", elsewhere.api))
        server.admin("POST", "/admin/faults", fault)
        elsewhere.admin("DELETE", "/admin/requests")
        auth = ChoreoAuth(server.api, timeout_ms=case.get("timeoutMs"), wasm=wasm)
        try:
            result = {"code": "ok", **auth.login(token)}
        except ChoreoAuthError as e:
            result = {"code": e.code, "message": e.message, "problems": e.problems}
        server.admin("DELETE", "/admin/faults")
        outcome = result["code"]
        if not inert(result, token):
            outcome += " (unsafe text)"
        if any(r["authorization"] == "present" for r in elsewhere.admin("GET", "/admin/requests")):
            outcome += " (bearer sent elsewhere)"
        assert outcome == case["expect"], f"{case['name']}: {result}"
        outcomes[case["name"]] = outcome
    write_parity("faults-python", outcomes)
