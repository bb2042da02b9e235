"""Credential stores: strings under keys (abi/PROTOCOL.md, `store_load`). The module keeps its
account index under `choreo:accounts` and each account's credential, token included, under its
own key (PROTOCOL.md, "The store's keys")."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ._module import StoreFailure


class MemoryStore:
    """Gone with the process."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def set(self, key: str, value: str) -> None:
        self.entries[key] = value

    def delete(self, key: str) -> None:
        self.entries.pop(key, None)


class FileStore:
    """One JSON file, `credentials.json` in `directory`, readable by its owner only and
    replaced atomically: a failed write leaves the previous file whole."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory).expanduser()
        self.path = self.directory / "credentials.json"

    def _read(self) -> dict[str, str]:
        try:
            with open(self.path, encoding="utf-8") as f:
                if os.fstat(f.fileno()).st_mode & 0o077:
                    raise StoreFailure("unavailable", f"{self.path} is readable by others; chmod 600 it")
                entries = json.load(f)
        except FileNotFoundError:
            return {}
        except (ValueError, UnicodeDecodeError):
            raise StoreFailure("corrupt", f"{self.path} is not the json this store writes") from None
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise StoreFailure("corrupt", f"{self.path} is not the json this store writes")
        return entries

    def _write(self, entries: dict[str, str]) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file 0600 from the start: never readable by others, not even
        # briefly.
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".credentials.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entries, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> str | None:
        return self._read().get(key)

    def set(self, key: str, value: str) -> None:
        entries = self._read()
        entries[key] = value
        self._write(entries)

    def delete(self, key: str) -> None:
        entries = self._read()
        if entries.pop(key, None) is not None:
            self._write(entries)
