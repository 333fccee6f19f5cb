"""Static assets (the widget, the console's scripts and styles) as a browser should get them.

Each file is read and gzip-compressed once (again only when it changes on disk), not on every
request: the widget is fetched by every page view of every shop. Every answer carries a strong
ETag per encoding, so a revalidation costs a 304 and no body. A URL that names the content's
version (``?v=`` or the console's ``/console/assets/<version>/``) is cached for a year; the
unversioned URLs shops embed (``/widget.js``) are cached briefly and revalidated.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

# Versioned URLs: the content behind them never changes, so browsers need never ask again.
IMMUTABLE = "public, max-age=31536000, immutable"
# An unversioned URL must pick up a new release soon; the ETag makes each check cheap.
SHORT = "public, max-age=300"
# Console files under their plain name: always revalidated, so an edit shows on reload.
REVALIDATE = "no-cache"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_TEXT_TYPES = ("text/", "application/javascript", "image/svg+xml", "application/json")


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None when compressing does not pay (tiny or already compressed)
    media_type: str
    version: str  # digest of the body: names the content in URLs and ETags

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        gzipped: bytes | None = None
        if media_type.startswith(_TEXT_TYPES) and len(body) > 256:
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            gzipped = packed if len(packed) < len(body) else None
        version = hashlib.sha256(body).hexdigest()[:16]
        return cls(body=body, gzipped=gzipped, media_type=media_type, version=version)

    def etag(self, gzipped: bool) -> str:
        return f'"{self.version}-gz"' if gzipped else f'"{self.version}"'


def respond(
    request: Request, asset: Asset, cache_control: str, headers: dict[str, str] | None = None
) -> Response:
    """The asset, gzip-encoded when the client accepts it; 304 when the client has it already."""
    use_gzip = asset.gzipped is not None and _accepts_gzip(request)
    common = {
        "ETag": asset.etag(use_gzip),
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        **(headers or {}),
    }
    if _not_modified(request, asset):
        return Response(status_code=304, headers=common)
    if use_gzip:
        assert asset.gzipped is not None
        return Response(
            asset.gzipped,
            media_type=asset.media_type,
            headers={**common, "Content-Encoding": "gzip"},
        )
    return Response(asset.body, media_type=asset.media_type, headers=common)


def _accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding admits gzip (named, or through ``*``) with a q-value above 0."""
    weights: dict[str, float] = {}
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.lower()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _not_modified(request: Request, asset: Asset) -> bool:
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or bool(tags & {asset.etag(False), asset.etag(True)})


def media_type_of(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed in ("text/javascript", "application/javascript"):
        guessed = "text/javascript"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


class AssetDir:
    """The files of one flat folder as Assets, reloaded when a file's size or mtime changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, tuple[tuple[int, int], Asset]] = {}

    def get(self, name: str) -> Asset | None:
        if not _NAME.fullmatch(name):
            return None
        path = self.root / name
        try:
            stat = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        asset = Asset.of(path.read_bytes(), media_type_of(name))
        self._cache[name] = (stamp, asset)
        return asset

    def version(self) -> str:
        """One digest over every file's content: the folder's URLs change when any file does."""
        digest = hashlib.sha256()
        for path in sorted(self.root.iterdir()):
            asset = self.get(path.name)
            if asset is not None:
                digest.update(f"{path.name}={asset.version};".encode())
        return digest.hexdigest()[:16]
