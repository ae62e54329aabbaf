"""Canonical JSON: one byte-exact spelling of a value, so hashes and comparisons do not depend on key order.

The scenario embedded in a journal is hashed over this form; replay compares recorded and replayed
reports after both have been through it (so a tuple and a list, or 1e-300 written two ways, agree).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from pydantic import BaseModel


def to_jsonable(value: Any) -> Any:
    """Plain JSON data (dicts, lists, str, int, float, bool, None) for a pydantic model or JSON-like value."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.loads(json.dumps(value, allow_nan=True))


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept; floats as Python's shortest round-trip repr."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def sha256_hex(value: Any) -> str:
    """SHA-256 of the canonical JSON, as 64 hex digits."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def same_number(a: Any, b: Any) -> bool:
    """JSON equality of two leaves; two NaNs count as the same (a replayed NaN is still a faithful replay)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)
