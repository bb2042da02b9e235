"""The protocol's wasm module under wasmtime: buffers in and out, and the six imports.

abi/PROTOCOL.md is the contract; this file only moves bytes. Every import catches its own
errors and answers in the protocol's JSON, so a failing host capability becomes a stable code
(network-error, storage-failed, ...) and never a trap.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Callable

import wasmtime

from . import _http

PROTOCOL_VERSION = 1

_I32, _I64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()
_U64 = (1 << 64) - 1

_compiled: dict[str, tuple[wasmtime.Engine, wasmtime.Module]] = {}
_compiled_lock = threading.Lock()


def wasm_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the module is: the argument, `CHOREO_AUTH_WASM`, the copy inside the package, or
    the workspace's cargo build (`cargo build -p choreo-auth-abi --target
    wasm32-unknown-unknown --release`)."""
    here = Path(__file__).resolve().parent
    target = Path(os.environ.get("CARGO_TARGET_DIR", here.parent.parent / "target"))
    for candidate in (
        explicit,
        os.environ.get("CHOREO_AUTH_WASM"),
        here / "choreo_auth_abi.wasm",
        target / "wasm32-unknown-unknown" / "release" / "choreo_auth_abi.wasm",
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError(
        "choreo_auth_abi.wasm not found; build it with `cargo build -p choreo-auth-abi "
        "--target wasm32-unknown-unknown --release` or set CHOREO_AUTH_WASM"
    )


def _compile(path: Path) -> tuple[wasmtime.Engine, wasmtime.Module]:
    """Compiles the module once per process and path."""
    key = str(path)
    with _compiled_lock:
        if key not in _compiled:
            engine = wasmtime.Engine()
            _compiled[key] = (engine, wasmtime.Module.from_file(engine, key))
        return _compiled[key]


def _signed(packed: int) -> int:
    """A `ptr << 32 | len` as the i64 wasm passes."""
    return packed - (1 << 64) if packed >= 1 << 63 else packed


class StoreFailure(Exception):
    """Raised by a store that cannot do what it is asked: `failure` is `unavailable`,
    `corrupt` or `failed` (abi/PROTOCOL.md, `store_load`)."""

    def __init__(self, failure: str, detail: str = "") -> None:
        super().__init__(detail or failure)
        self.failure = failure
        self.detail = detail


class Module:
    """One instance of the module, with its host capabilities.

    `store` has `get(key) -> str | None`, `set(key, value)` and `delete(key)`; `http` sends one
    request of `http_send` and returns its answer (both as dicts); `clock` returns Unix
    milliseconds; `random` returns `n` secure random bytes.
    """

    def __init__(
        self,
        store,
        *,
        wasm: str | os.PathLike[str] | None = None,
        http: Callable[[dict], dict] = _http.send,
        clock: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        random: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        engine, module = _compile(wasm_path(wasm))
        self._wasm_store = wasmtime.Store(engine)
        self._store, self._http, self._clock, self._random = store, http, clock, random
        linker = wasmtime.Linker(engine)
        define = lambda name, params, results, fn: linker.define_func(  # noqa: E731
            "host", name, wasmtime.FuncType(params, results), fn, access_caller=True
        )
        define("http_send", [_I32, _I32], [_I64], self._http_send)
        define("now_unix_ms", [], [_I64], lambda caller: self._clock())
        define("random_fill", [_I32, _I32], [_I32], self._random_fill)
        define("store_load", [_I32, _I32], [_I64], self._store_load)
        define("store_save", [_I32, _I32, _I32, _I32], [_I64], self._store_save)
        define("store_delete", [_I32, _I32], [_I64], self._store_delete)
        instance = linker.instantiate(self._wasm_store, module)
        exports = instance.exports(self._wasm_store)
        self._memory = exports["memory"]
        self._alloc, self._dealloc = exports["alloc"], exports["dealloc"]
        self._exports = exports

    # The module's side of a call.

    def call_raw(self, request: bytes, export: str = "call") -> bytes:
        """One request's bytes to `export`; the answer's bytes, freed in the module."""
        s = self._wasm_store
        ptr = self._alloc(s, len(request))
        self._memory.write(s, request, ptr)
        packed = self._exports[export](s, ptr, len(request)) & _U64
        out_ptr, out_len = packed >> 32, packed & 0xFFFFFFFF
        answer = bytes(self._memory.read(s, out_ptr, out_ptr + out_len))
        self._dealloc(s, out_ptr, out_len)
        return answer

    def call(self, op: str, **fields) -> dict:
        """One request of the protocol in version 1; its answer, checked to be in version 1."""
        request = {"version": PROTOCOL_VERSION, "op": op, **fields}
        answer = json.loads(self.call_raw(json.dumps(request).encode()))
        if answer.get("version") != PROTOCOL_VERSION:
            raise RuntimeError(f"the module answered in protocol version {answer.get('version')}")
        return answer

    # The imports: the host's side. `caller` is the module's instance during the call.

    @staticmethod
    def _read(caller, ptr: int, length: int) -> bytes:
        return bytes(caller["memory"].read(caller, ptr, ptr + length))

    @staticmethod
    def _give(caller, data: bytes) -> int:
        """Copies `data` into a buffer of the module's `alloc`; it becomes the module's."""
        ptr = caller["alloc"](caller, len(data))
        caller["memory"].write(caller, data, ptr)
        return _signed(ptr << 32 | len(data))

    def _give_json(self, caller, answer: dict) -> int:
        return self._give(caller, json.dumps(answer, ensure_ascii=False).encode())

    def _http_send(self, caller, ptr: int, length: int) -> int:
        try:
            answer = self._http(json.loads(self._read(caller, ptr, length)))
        except Exception as e:  # a host defect still answers: no trap
            answer = {"failure": "failed", "detail": f"the python host failed: {type(e).__name__}"}
        return self._give_json(caller, answer)

    def _random_fill(self, caller, ptr: int, length: int) -> int:
        try:
            caller["memory"].write(caller, self._random(length), ptr)
            return 0
        except Exception:
            return 1

    def _store_call(self, caller, action: Callable[[], dict]) -> int:
        try:
            answer = action()
        except StoreFailure as e:
            answer = {"failure": e.failure, "detail": e.detail}
        except Exception as e:
            answer = {"failure": "failed", "detail": f"{type(e).__name__}: {e}"}
        return self._give_json(caller, answer)

    def _store_load(self, caller, ptr: int, length: int) -> int:
        key = self._read(caller, ptr, length).decode()
        return self._store_call(caller, lambda: {"value": self._store.get(key)})

    def _store_save(self, caller, kp: int, kl: int, vp: int, vl: int) -> int:
        key = self._read(caller, kp, kl).decode()
        value = self._read(caller, vp, vl).decode()
        return self._store_call(caller, lambda: self._store.set(key, value) or {})

    def _store_delete(self, caller, ptr: int, length: int) -> int:
        key = self._read(caller, ptr, length).decode()
        return self._store_call(caller, lambda: self._store.delete(key) or {})
