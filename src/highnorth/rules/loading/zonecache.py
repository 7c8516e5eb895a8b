"""A cache of derived zone geometry, so loading a policy does not redo the geometry algebra.

The key is the SHA-256 of every file in the policy directory (names and bytes), the repair
flag, the highnorth version and the source of the modules that derive geometry: any change to
the data or to the code that computes zones misses the cache. Entries (JSON, geometry as WKB) are written atomically; an
unreadable entry is ignored (and rebuilt). Only loads without problems are cached.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..._version import __version__

__all__ = ["cache_key", "read_entry", "write_entry"]

_FORMAT = 1


def _code_fingerprint(code: Iterable[Path]) -> bytes:
    digest = hashlib.sha256(f"{_FORMAT}:{__version__}".encode())
    for path in code:
        digest.update(path.read_bytes())
    return digest.digest()


def cache_key(root: Path, repair_invalid: bool, code: Iterable[Path]) -> str:
    """The key of a policy directory's derived zones; `code` lists the source files of the
    modules that derive them (the caller knows which)."""
    digest = hashlib.sha256(_code_fingerprint(code))
    digest.update(b"repair" if repair_invalid else b"reject")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_entry(directory: Path, key: str) -> dict[str, Any] | None:
    """The cached payload for `key` (geometries as WKB bytes), or None (missing or unreadable).
    The entry is plain JSON: nothing in it is executed."""
    try:
        payload = json.loads((directory / f"zones-{key}.json").read_text(encoding="utf-8"))
        if not isinstance(payload, dict) or payload.get("key") != key:
            return None
        payload["geoms"] = {zid: base64.b64decode(wkb) for zid, wkb in payload["geoms"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return payload


def write_entry(directory: Path, key: str, payload: dict[str, Any]) -> None:
    """Store the payload for `key`; a cache that cannot be written is skipped silently (it is
    only a cache)."""
    doc = {**payload, "key": key, "geoms": {z: base64.b64encode(w).decode() for z, w in payload["geoms"].items()}}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, encoding="utf-8") as fh:
            json.dump(doc, fh)
        os.replace(fh.name, directory / f"zones-{key}.json")
    except OSError:
        return
