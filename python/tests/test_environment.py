"""The stored token and tokens from the environment, from Python: the module under PyPI
wasmtime against the reference server on loopback, which mints PATs and RS256-signed Choreo
STS access tokens."""

from __future__ import annotations

import json

import pytest

from choreo_auth import TOKEN_VARIABLES, ChoreoAuth, ChoreoAuthError, MemoryStore

NO_VARIABLE = "no token variable is set (CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN)"


def paths(server) -> list[str]:
    return [r["path"] for r in server.admin("GET", "/admin/requests")]


def test_token_is_the_stored_token_of_an_account(wasm, server):
    auth = ChoreoAuth(server.api, wasm=wasm)
    with pytest.raises(ChoreoAuthError) as refused:
        auth.token()
    assert refused.value.code == "not-logged-in"
    assert refused.value.message == f"not logged in to {server.api}"

    auth.login(server.token + "\n")
    server.admin("DELETE", "/admin/requests")
    assert auth.token() == server.token
    assert auth.token("acme") == server.token
    assert paths(server) == []
    with pytest.raises(ChoreoAuthError) as refused:
        auth.token("globex")
    assert refused.value.code == "not-logged-in"
    assert refused.value.message == f"not logged in to {server.api} (organization globex)"


def test_environment_uses_the_first_token_variable_with_its_flow_and_stores_nothing(wasm, server):
    store = MemoryStore()
    auth = ChoreoAuth(server.api, store=store, wasm=wasm)
    sts = server.admin("POST", "/admin/sts", {"org": "acme"})["token"]
    pat = server.mint(org="globex")["token"]

    found = auth.environment({"PATH": "/usr/bin", "CLOUD_STS_TOKEN": sts, "WSO2IP_PAT": pat})
    assert found["variable"] == "WSO2IP_PAT"
    assert found["session"]["kind"] == "choreo-pat"
    assert found["session"]["organization"]["handle"] == "globex"
    assert [w["code"] for w in found["warnings"]] == ["env-token-precedence"]
    assert paths(server) == [
        "/api-key-service/v1.0/pat/introspect",
        "/orgs/1.0.0/orgs",
        "/orgs/1.0.0/orgs/globex",
    ]
    server.admin("DELETE", "/admin/requests")

    # An empty variable counts as unset: the STS token, with the STS flow.
    found = auth.environment({"CHOREO_TOKEN": "", "CLOUD_STS_TOKEN": sts})
    assert found["variable"] == "CLOUD_STS_TOKEN"
    assert found["session"]["kind"] == "choreo-sts"
    assert found["session"]["organization"]["handle"] == "acme"
    assert found["warnings"] == []
    assert paths(server) == ["/orgs/1.0.0/orgs/acme"]
    assert store.entries == {}
    assert sts not in json.dumps(found) and pat not in json.dumps(found)

    with pytest.raises(ChoreoAuthError) as refused:
        auth.environment({"HOME": "/home/dev", "CHOREO_TOKEN": ""})
    assert refused.value.code == "not-logged-in"
    assert refused.value.message == f"not logged in to {server.api}: {NO_VARIABLE}"


def test_environment_token_gives_the_chosen_token_checked_offline_only(wasm, server):
    auth = ChoreoAuth(server.api, wasm=wasm)
    sts = server.admin("POST", "/admin/sts", {"org": "acme"})["token"]
    both = {"CLOUD_STS_TOKEN": sts, "CHOREO_TOKEN": server.token}
    assert auth.environment_token(both) == {"token": server.token, "variable": "CHOREO_TOKEN"}
    assert auth.environment_token({"CLOUD_STS_TOKEN": sts}) == {
        "token": sts,
        "variable": "CLOUD_STS_TOKEN",
    }
    # In 2100 the STS token has long expired.
    with pytest.raises(ChoreoAuthError) as refused:
        auth.environment_token({"CLOUD_STS_TOKEN": sts}, now=4_102_444_800)
    assert refused.value.code == "sts-expired"
    assert [p["code"] for p in refused.value.problems] == ["sts-expired"]
    with pytest.raises(ChoreoAuthError) as refused:
        auth.environment_token({})
    assert refused.value.message == f"not logged in to {server.api}: {NO_VARIABLE}"
    assert paths(server) == []


def test_sts_checks_an_sts_token_and_refuses_a_pat_before_any_request(wasm, server):
    auth = ChoreoAuth(server.api, wasm=wasm)
    sts = server.admin("POST", "/admin/sts", {"org": "globex"})["token"]
    found = auth.sts(sts)
    assert found["variable"] == "CLOUD_STS_TOKEN"
    assert found["session"]["organization"]["handle"] == "globex"
    assert found["session"]["kind"] == "choreo-sts"
    assert auth.sts(sts.encode())["session"]["organization"]["handle"] == "globex"
    assert auth.accounts() == []
    server.admin("DELETE", "/admin/requests")

    with pytest.raises(ChoreoAuthError) as refused:
        auth.sts(server.token)
    assert refused.value.code == "sts-expected"
    assert paths(server) == []


def test_only_the_token_variables_go_to_the_module_and_they_are_the_modules_own(
    wasm, server, monkeypatch
):
    auth = ChoreoAuth(server.api, wasm=wasm)
    sent = []
    call = auth.module.call
    monkeypatch.setattr(auth.module, "call", lambda op, **f: sent.append(f) or call(op, **f))
    environment = {"AWS_SECRET_ACCESS_KEY": "not-for-choreo", "WSO2IP_PAT": server.token}

    assert auth.environment_token(environment)["variable"] == "WSO2IP_PAT"
    assert auth.environment(environment)["variable"] == "WSO2IP_PAT"
    assert [f["variables"] for f in sent] == [{"WSO2IP_PAT": server.token}] * 2

    # The module names its token variables when none is set: the same, in the same order.
    with pytest.raises(ChoreoAuthError) as refused:
        auth.environment({})
    assert refused.value.message.endswith(f"({', '.join(TOKEN_VARIABLES)})")
