"""A real login from Python: the module under PyPI wasmtime, Python doing the HTTP against the
reference server on loopback, the stores of this package."""

from __future__ import annotations

import json
import os
import stat

import pytest

from choreo_auth import ChoreoAuth, ChoreoAuthError, FileStore, MemoryStore, StoreFailure


def test_login_status_and_logout_against_the_reference_server(wasm, server):
    store = MemoryStore()
    auth = ChoreoAuth(server.api, store=store, wasm=wasm)

    login = auth.login(server.token + "\n")
    session = login["session"]
    assert session["apiBase"] == server.api
    assert session["organization"]["handle"] == "acme"
    assert len(session["id"]) == 32
    assert login["warnings"] == []
    # Core's key-value layout (core/src/kv.rs), the npm package's storage's.
    key = f"choreo:{server.api}#{session['organization']['uuid']}"
    assert sorted(store.entries) == ["choreo:accounts", key]
    assert server.token in store.entries[key]
    assert server.token not in store.entries["choreo:accounts"]

    requests = server.admin("GET", "/admin/requests")
    assert [r["path"] for r in requests] == [
        "/api-key-service/v1.0/pat/introspect",
        "/orgs/1.0.0/orgs",
        "/orgs/1.0.0/orgs/acme",
    ]
    server.admin("DELETE", "/admin/requests")

    online = auth.status(online=True)
    assert online["checkedOnline"] is True
    assert online["session"]["id"] == session["id"]
    assert len(server.admin("GET", "/admin/requests")) == 3
    offline = auth.status()
    assert offline["checkedOnline"] is False

    assert auth.logout()["id"] == session["id"]
    assert store.entries == {}
    with pytest.raises(ChoreoAuthError) as refused:
        auth.status()
    assert refused.value.code == "not-logged-in"
    for answer in (login, online, offline):
        assert server.token not in json.dumps(answer)


def test_two_organizations_are_two_accounts_and_switch_toggles_them(wasm, server):
    auth = ChoreoAuth(server.api, wasm=wasm)
    auth.login(server.mint(org="acme")["token"])
    auth.login(server.mint(org="globex")["token"])
    rows = lambda: [(a["org"], a["active"]) for a in auth.accounts()]  # noqa: E731
    assert rows() == [("acme", False), ("globex", True)]

    switched = auth.switch()
    assert (switched["account"]["org"], switched["changed"]) == ("acme", True)
    assert auth.status()["session"]["organization"]["handle"] == "acme"
    assert auth.status("globex")["session"]["organization"]["handle"] == "globex"

    assert auth.logout()["organization"]["handle"] == "acme"
    assert rows() == [("globex", True)]


def test_a_login_in_a_file_store_is_there_for_the_next_process(wasm, server, tmp_path):
    directory = tmp_path / "choreo"
    ChoreoAuth(server.api, store=FileStore(directory), wasm=wasm).login(server.token)
    path = directory / "credentials.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700

    later = ChoreoAuth(server.api, store=FileStore(directory), wasm=wasm)
    assert later.status()["session"]["organization"]["handle"] == "acme"

    os.chmod(path, 0o644)
    with pytest.raises(ChoreoAuthError) as refused:
        later.status()
    assert refused.value.code == "storage-unavailable"
    assert "chmod 600" in refused.value.message


def test_a_revoked_token_fails_and_leaves_the_stored_account_as_it_was(wasm, server):
    store = MemoryStore()
    auth = ChoreoAuth(server.api, store=store, wasm=wasm)
    auth.login(server.token)
    before = dict(store.entries)
    minted = server.mint(org="acme")
    server.admin("POST", f"/admin/pats/{minted['id']}/revoke", {})

    with pytest.raises(ChoreoAuthError) as refused:
        auth.login(minted["token"])
    assert refused.value.code == "pat-inactive"
    assert store.entries == before


def test_a_store_that_cannot_be_reached_fails_the_login_closed(wasm, server):
    class Locked(MemoryStore):
        def set(self, key, value):
            raise StoreFailure("unavailable", "the keyring is locked")

    store = Locked()
    with pytest.raises(ChoreoAuthError) as refused:
        ChoreoAuth(server.api, store=store, wasm=wasm).login(server.token)
    assert refused.value.code == "storage-unavailable"
    assert "the keyring is locked" in refused.value.message
    assert store.entries == {}


def test_a_refused_input_costs_no_request_and_lists_its_problems(wasm, server):
    auth = ChoreoAuth(server.api, wasm=wasm)
    with pytest.raises(ChoreoAuthError) as refused:
        auth.login(b"\xef\xbb\xbf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")
    assert refused.value.code == "foreign-token"
    assert [p["code"] for p in refused.value.problems] == ["stripped-bom", "foreign-token"]
    assert server.admin("GET", "/admin/requests") == []


def test_a_choreo_sts_token_is_not_a_pat_and_login_refuses_it_before_any_request(wasm, server):
    sts = server.admin("POST", "/admin/sts", {"org": "acme"})["token"]
    store = MemoryStore()
    with pytest.raises(ChoreoAuthError) as refused:
        ChoreoAuth(server.api, store=store, wasm=wasm).login(sts)
    assert refused.value.code == "sts-not-pat"
    assert [p["code"] for p in refused.value.problems] == ["sts-not-pat"]
    assert sts not in json.dumps(refused.value.problems) + refused.value.message
    assert server.admin("GET", "/admin/requests") == []
    assert store.entries == {}


def test_an_unknown_protocol_version_is_refused_with_the_versions_spoken(wasm):
    auth = ChoreoAuth(wasm=wasm)
    answer = json.loads(auth.module.call_raw(b'{"version": 2, "op": "accounts"}'))
    assert answer["version"] == 1
    assert answer["ok"] is False
    assert answer["error"]["code"] == "unsupported-version"
    assert answer["versions"] == [1]
