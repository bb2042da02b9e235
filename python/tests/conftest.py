"""Shared fixtures: the module built by cargo, the real reference server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
if not TARGET.is_absolute():
    TARGET = ROOT / TARGET


def cargo_build(*args: str) -> None:
    """`cargo build` in the workspace: a no-op when everything is fresh."""
    subprocess.run(["cargo", "build", "--quiet", *args], cwd=ROOT, check=True)


@pytest.fixture(scope="session")
def wasm() -> Path:
    """The protocol's module, as `cargo build` makes it."""
    if "CHOREO_AUTH_WASM" in os.environ:
        return Path(os.environ["CHOREO_AUTH_WASM"])
    cargo_build("-p", "choreo-auth-abi", "--target", "wasm32-unknown-unknown", "--release")
    return TARGET / "wasm32-unknown-unknown" / "release" / "choreo_auth_abi.wasm"


class ReferenceServer:
    """`choreo-reference-server` on a free loopback port; it exits when its stdin closes."""

    def __init__(self, binary: str) -> None:
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        banner = {}
        for line in self.process.stdout:
            line = line.rstrip("\n")
            if line == "ready":
                break
            name, _, value = line.partition(": ")
            banner[name] = value
        else:
            raise RuntimeError("the reference server exited before it was ready")
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.api: str = banner["api"]
        self.token: str = banner["token"]

    def admin(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        # The admin surface is on loopback: no proxy.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def mint(self, **spec) -> dict:
        """`POST /admin/pats`: a fresh token with its id."""
        return self.admin("POST", "/admin/pats", spec)

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def server_binary() -> str:
    if "CHOREO_SERVER_BIN" in os.environ:
        return os.environ["CHOREO_SERVER_BIN"]
    cargo_build("-p", "choreo-reference-server")
    return str(TARGET / "debug" / "choreo-reference-server")


@pytest.fixture
def server(server_binary):
    s = ReferenceServer(server_binary)
    yield s
    s.stop()


@pytest.fixture
def elsewhere(server_binary):
    """A second origin, which records whether a bearer reached it."""
    s = ReferenceServer(server_binary)
    yield s
    s.stop()


def write_parity(name: str, outcomes: dict) -> None:
    """target/parity/<name>.json for tests/parity.mjs; CHOREO_PARITY=off for other runs."""
    if os.environ.get("CHOREO_PARITY") == "off":
        return
    directory = TARGET / "parity"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(outcomes, indent=2, ensure_ascii=False) + "\n")
