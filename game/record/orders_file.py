"""Orders files: the per-turn orders a trainee or instructor writes for `salient run`, a branch or an expert line.

Accepted shapes (YAML or JSON): a list of orders (one per turn, in order), a mapping `turns:` holding
such a list, or a mapping from turn numbers (`3` or `turn 3`) to orders; a branch or an expert line
also takes a single set of orders. YAML is read with the scenario loader's safe reader (no tags, no
alias bombs), since the file comes from a user, and every problem names the file, the line and
column of the item (YAML), the turn and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from game.engine.orders import Orders
from game.errors import SalientError
from game.scenario.yaml_safety import Spot


class OrdersFileError(SalientError):
    """An orders file that cannot be read; the message names the file, the place and the field."""


@dataclass(frozen=True)
class PlannedOrders:
    """One turn's orders and where they were written (`file:line:col`, or the file alone for JSON)."""

    orders: Orders
    where: str
    keys: tuple[str | int, ...] = ()
    """The keys and list indices from the top of the file to these orders (to place a later problem in them)."""


@dataclass(frozen=True)
class OrdersDocument:
    """A whole orders file, read and checked: its orders by turn, and the positions to place a problem at."""

    path: Path
    turns: dict[int, PlannedOrders]
    single: bool
    """The file is one set of orders (not per-turn orders)."""
    spots: dict[Any, Spot] | None

    def at(self, keys: tuple[str | int, ...], key: bool = False) -> str:
        """`file:line:col` of the value (or, with `key`, the key) at `keys`, or of its nearest written ancestor."""
        return _at(self.path, self.spots, keys, key)


def read_orders_file(path: str | Path) -> list[Orders]:
    """The orders in the file in turn order (at least one); a single set of orders is a list of one."""
    return [planned.orders for planned in read_orders_document(path).turns.values()]


def read_orders_by_turn(path: str | Path) -> dict[int, PlannedOrders]:
    """The orders of each turn the file names (at least one), by turn number."""
    return read_orders_document(path, single_allowed=False).turns


def read_orders_document(path: str | Path, single_allowed: bool = True) -> OrdersDocument:
    """The file read as `read_orders_file` reads it, keeping where each turn's orders were written."""
    path = Path(path)
    data, spots = _load(path)
    turns, single = _read(path, data, spots, single_allowed)
    return OrdersDocument(path, turns, single, spots)


def _read(
    path: Path, data: Any, spots: dict[Any, Spot] | None, single_allowed: bool
) -> tuple[dict[int, PlannedOrders], bool]:
    """Each turn's orders, checked, and whether the file is a single set of orders."""
    single = False
    top: tuple[str | int, ...] = ()
    if isinstance(data, dict) and set(data) == {"turns"}:
        data, top = data["turns"], ("turns",)
    if isinstance(data, list):
        items = {i + 1: (entry, (*top, i)) for i, entry in enumerate(data)}
    elif isinstance(data, dict) and single_allowed and not all(_turn_number(k) for k in data):
        items, single = {1: (data, top)}, True
    elif isinstance(data, dict):
        items = {}
        for key, entry in data.items():
            turn = _turn_number(key)
            if turn is None:
                raise OrdersFileError(f"{_at(path, spots, (*top, key), key=True)}: '{key}' is not a turn number")
            if turn < 1:
                raise OrdersFileError(f"{_at(path, spots, (*top, key), key=True)}: turn {turn}: turns start at 1")
            items[turn] = (entry, (*top, key))
    else:
        raise OrdersFileError(f"{_at(path, spots, ())}: expected a list of per-turn orders or a mapping turn -> orders")
    if not items:
        raise OrdersFileError(f"{path}: holds no orders")
    out: dict[int, PlannedOrders] = {}
    for turn, (entry, where) in sorted(items.items()):
        at = _at(path, spots, where)
        if entry is not None and not isinstance(entry, dict):
            raise OrdersFileError(
                f"{at}: turn {turn}: expected a set of orders (a mapping), got {type(entry).__name__}"
            )
        try:
            orders = Orders.model_validate(entry or {})
        except ValidationError as error:
            first = error.errors()[0]
            loc = tuple(first["loc"])
            field = ".".join(str(x) for x in loc) or "orders"
            place = _at(path, spots, (*where, *loc), key=first["type"] == "extra_forbidden")
            raise OrdersFileError(f"{place}: turn {turn}: {field}: {first['msg']}") from None
        out[turn] = PlannedOrders(orders, at, where)
    return out, single


def _turn_number(key: Any) -> int | None:
    try:
        return int(str(key).removeprefix("turn").strip())
    except ValueError:
        return None


def _load(path: Path) -> tuple[Any, dict[Any, Spot] | None]:
    """The file's data, and the position of every value in it (None for JSON)."""
    from game.scenario.yaml_safety import MAX_BYTES, MAX_DEPTH, YamlRefusal, read_yaml

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise OrdersFileError(f"{path}: {size:,} bytes; an orders file is limited to {MAX_BYTES / 1e6:.1f} MB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OrdersFileError(f"{path}: no such orders file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OrdersFileError(f"{path}: cannot read the orders file ({error})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text), None
        except json.JSONDecodeError as error:
            raise OrdersFileError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
        except RecursionError:
            raise OrdersFileError(
                f"{path}: not valid orders: values are nested far more than {MAX_DEPTH} levels deep"
            ) from None

    try:
        doc = read_yaml(text)
    except YamlRefusal as error:
        raise OrdersFileError(f"{path}:{error.line}:{error.col}: not valid YAML: {error.message}") from None
    return doc.data, doc.spots


def _at(path: Path, spots: dict[Any, Spot] | None, where: tuple[Any, ...], key: bool = False) -> str:
    """`file:line:col` of the value (or key) at `where`, or of its nearest written ancestor."""
    if spots is None:
        return str(path)
    while where and where not in spots:
        where, key = where[:-1], False  # an ancestor stands in: point at its value
    spot = spots.get(where)
    if spot is None:
        return str(path)
    pos = (spot.key or spot.value) if key else spot.value
    return f"{path}:{pos.line}:{pos.col}"
