"""What a scenario check found wrong, as data: where in the scenario (a path) and what (a message).

The checks that span several sections yield `Problem`s; a model's own check raises `FieldProblem` to say
which of its fields is at fault. The loader turns the path into a line and column of the file, so the
position never depends on how a message is worded.
"""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]
"""Mapping keys and list indices from the top of the scenario, as written in the file (`("sides", 0, "units")`)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule of a scenario, at the place in the data that breaks it."""

    path: Path
    """Where the fault is written; the loader falls back to the nearest enclosing value the file gives."""
    message: str
    """What is wrong, in plain words."""
    on_key: bool = False
    """Point at the mapping key at the end of `path` rather than its value (an id used as a key)."""


class FieldProblem(ValueError):
    """Raised by a model's own validator: `message` is about `field` of that model (a key of the model)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
