"""The one canonical JSON and content hash: key order and spacing do not count, text is UTF-8.

>>> content_hash({"b": 1, "a": "Bodø"}) == content_hash({"a": "Bodø", "b": 1})
True
>>> canonical_json({"b": [1, 2], "a": "ø"})
'{"a":"ø","b":[1,2]}'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

__all__ = ["canonical_json", "content_hash"]


def canonical_json(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """`value` as canonical JSON: sorted keys, no spaces, non-ASCII text as itself."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default)


def content_hash(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """`sha256:` and the hex digest of `value`'s canonical JSON in UTF-8."""
    return "sha256:" + hashlib.sha256(canonical_json(value, default=default).encode()).hexdigest()
