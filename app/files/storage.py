"""Where uploaded bytes live: a small interface, a local directory by default."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Protocol

from app.common.errors import NotFound


class Storage(Protocol):
    async def save(self, key: str, data: bytes) -> None: ...

    async def load(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one directory, written atomically (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the storage directory")
        return path

    async def save(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._save, key, data)

    def _save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    async def load(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise NotFound("this file is no longer stored") from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


def local_storage(upload_dir: Path) -> Storage:
    """The configured storage (a local directory; other backends plug in here)."""
    return LocalStorage(upload_dir)
