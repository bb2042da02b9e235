"""choreo-auth for Python: log in to Choreo with a personal access token, or use the token
variables of the environment (`CHOREO_TOKEN`, `WSO2IP_PAT`, `CLOUD_STS_TOKEN`) as the CLI does.

Every rule runs in choreo-auth's core, loaded as a WebAssembly module through the host
protocol (abi/PROTOCOL.md, version 1) with the `wasmtime` package; this package brings only
I/O: HTTP (the standard library), the clock, random bytes and a credential store.

    from choreo_auth import ChoreoAuth, FileStore
    auth = ChoreoAuth("https://apis.choreo.dev", store=FileStore("~/.config/choreo-py"))
    session = auth.login(token)["session"]
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

from ._module import PROTOCOL_VERSION, Module, StoreFailure, wasm_path
from ._store import FileStore, MemoryStore

__all__ = [
    "PROTOCOL_VERSION",
    "ChoreoAuth",
    "ChoreoAuthError",
    "FileStore",
    "MemoryStore",
    "Module",
    "StoreFailure",
    "TOKEN_VARIABLES",
    "wasm_path",
]

DEFAULT_API_BASE = "https://apis.choreo.dev"

# The token variables, in the order core chooses among them (PROTOCOL.md, `environment`). Only
# these go to the module, never the rest of the environment; tests/test_environment.py checks
# them against the module's own list.
TOKEN_VARIABLES = ("CHOREO_TOKEN", "WSO2IP_PAT", "CLOUD_STS_TOKEN")


def _token_variables(variables: Mapping[str, str] | None) -> dict[str, str]:
    """The token variables `variables` (default `os.environ`) holds, and nothing else."""
    variables = os.environ if variables is None else variables
    return {name: variables[name] for name in TOKEN_VARIABLES if name in variables}


class ChoreoAuthError(Exception):
    """A failed operation: `code` is core's stable code (README.md, Stable codes), `message`
    names the next step, `problems` lists what was found offline, `session` is the stored
    session when `status` found it no longer valid."""

    def __init__(self, error: dict, session: dict | None = None) -> None:
        super().__init__(error["message"])
        self.code: str = error["code"]
        self.message: str = error["message"]
        self.problems: list[dict] = error.get("problems", [])
        self.session = session


def _input(token: str | bytes) -> dict:
    """The input as the protocol takes it: text, or bytes as base64 (a BOM, UTF-16, ...)."""
    if isinstance(token, str):
        return {"input": token}
    return {"inputBase64": base64.b64encode(bytes(token)).decode()}


class ChoreoAuth:
    """A client for one API base; accounts live in `store` (default: memory)."""

    def __init__(
        self,
        api_base: str = DEFAULT_API_BASE,
        *,
        store: Any = None,
        required_scopes: list[str] | None = None,
        timeout_ms: int | None = None,
        wasm: str | os.PathLike[str] | None = None,
        **capabilities: Any,
    ) -> None:
        self.api_base = api_base
        self.store = MemoryStore() if store is None else store
        self._policy: dict[str, Any] = {}
        if required_scopes:
            self._policy["requiredScopes"] = list(required_scopes)
        if timeout_ms is not None:
            self._policy["timeoutMs"] = timeout_ms
        self.module = Module(self.store, wasm=wasm, **capabilities)

    def _ok(self, op: str, **fields: Any) -> dict:
        answer = self.module.call(op, **fields)
        if not answer["ok"]:
            raise ChoreoAuthError(answer["error"], answer.get("session"))
        return answer

    def inspect(self, token: str | bytes, now: int | None = None) -> dict:
        """What the input is and what is wrong with it, offline: core's report."""
        fields = _input(token) if now is None else {**_input(token), "now": now}
        return self._ok("inspect", **fields)["report"]

    def login(self, token: str | bytes) -> dict:
        """Checks the token and stores it: `{"session", "warnings"}`."""
        answer = self._ok("login", apiBase=self.api_base, **_input(token), **self._policy)
        return {"session": answer["session"], "warnings": answer["warnings"]}

    def status(self, org: str | None = None, *, online: bool = False) -> dict:
        """The stored session: `{"session", "checkedOnline", "warnings"}`."""
        fields = {"apiBase": self.api_base, "online": online, **self._policy}
        answer = self._ok("status", **fields, **({"org": org} if org else {}))
        return {k: answer[k] for k in ("session", "checkedOnline", "warnings")}

    def logout(self, org: str | None = None) -> dict:
        """Removes an account; the session it held."""
        return self._ok("logout", apiBase=self.api_base, **({"org": org} if org else {}))["session"]

    def accounts(self) -> list[dict]:
        """Every stored account: `{"apiBase", "org", "orgUuid", "active"}`."""
        return self._ok("accounts")["accounts"]

    def switch(self, org: str | None = None) -> dict:
        """Makes an account active: `{"account", "changed"}`."""
        answer = self._ok("switch", apiBase=self.api_base, **({"org": org} if org else {}))
        return {"account": answer["account"], "changed": answer["changed"]}

    def token(self, org: str | None = None) -> str:
        """The stored token of an account (default the active one), for code that must hand it
        on, as `choreo auth token` prints it."""
        return self._ok("token", apiBase=self.api_base, **({"org": org} if org else {}))["token"]

    def environment(self, variables: Mapping[str, str] | None = None) -> dict:
        """Checks the token of the first token variable set in `variables` (default
        `os.environ`), in the order `CHOREO_TOKEN`, `WSO2IP_PAT`, `CLOUD_STS_TOKEN`, with the
        flow of its kind. Nothing is stored: `{"session", "warnings", "variable"}`."""
        answer = self._ok(
            "environment",
            apiBase=self.api_base,
            variables=_token_variables(variables),
            **self._policy,
        )
        return {k: answer[k] for k in ("session", "warnings", "variable")}

    def environment_token(
        self, variables: Mapping[str, str] | None = None, now: int | None = None
    ) -> dict:
        """The token `environment` would use, checked offline only: `{"token", "variable"}`."""
        fields: dict[str, Any] = {
            "apiBase": self.api_base,
            "variables": _token_variables(variables),
        }
        if now is not None:
            fields["now"] = now
        answer = self._ok("environmentToken", **fields)
        return {"token": answer["token"], "variable": answer["variable"]}

    def sts(self, token: str | bytes) -> dict:
        """Checks a Choreo STS access token (what `CLOUD_STS_TOKEN` holds): its claims offline,
        then its organization with the API. Nothing is stored:
        `{"session", "warnings", "variable"}`."""
        answer = self._ok("sts", apiBase=self.api_base, **_input(token), **self._policy)
        return {k: answer[k] for k in ("session", "warnings", "variable")}
