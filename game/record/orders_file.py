"""Orders for a what-if branch, read from a JSON or YAML file the trainee or instructor writes.

Accepted shapes: one set of orders (a mapping with Orders keys: used for the branch's first turn), a
list of them (one per turn from the branch point on), or a mapping with a `turns` list. Read with the
scenario loader's safe YAML reader (no tags, no aliases bombs), since the file comes from a user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from game.engine.orders import Orders
from game.errors import SalientError


class OrdersFileError(SalientError):
    """An orders file that cannot be read; the message names the file and the item."""


def _data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OrdersFileError(f"{path}: no such orders file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OrdersFileError(f"{path}: cannot read it ({error})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except ValueError as error:
            raise OrdersFileError(f"{path}: not valid JSON ({error})") from None
    from game.scenario.yaml_safety import YamlRefusal, read_yaml

    try:
        return read_yaml(text).data
    except YamlRefusal as error:
        raise OrdersFileError(f"{path}:{error}") from None


def read_orders_file(path: str | Path) -> list[Orders]:
    """The orders in the file, in turn order (at least one)."""
    p = Path(path)
    data = _data(p)
    if isinstance(data, dict) and set(data) == {"turns"}:
        data = data["turns"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise OrdersFileError(f"{p}: holds no orders")
    out: list[Orders] = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise OrdersFileError(f"{p}: item {i} is not a set of orders (a mapping)")
        try:
            out.append(Orders.model_validate(item))
        except ValidationError as error:
            first = error.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise OrdersFileError(f"{p}: orders {i}: {loc}: {first['msg']}") from None
    return out
