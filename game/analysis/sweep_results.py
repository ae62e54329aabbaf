"""A sweep's results on disk: appended as each task finishes, so an interrupted sweep continues where it stopped.

Long format, one row per design point × plan × output, with the statistics (mean, sd) and the point's
parameter values as columns: a row says everything about itself, adding an output adds rows rather than
columns, and every tool (a spreadsheet's pivot, pandas, R) reshapes long data in one step. The columns are
`sweep` (a fingerprint of the sweep file, the scenario, the orders files and the model's code — its source, not
only its version number, which does not change with every edit: game.analysis.code_version), `point`, `policy`,
one column per parameter path, `output`, `mean`, `sd` and `runs`.

`PREFIX.jsonl` is the journal: a task's rows are written in one piece, flushed and synced before the next
task's, so a crash or Ctrl+C loses at most the task in flight. On restart, rows of another sweep are refused,
a task with missing rows (the write it died in) is dropped and played again, and finished tasks are skipped.
When the sweep is complete, `PREFIX.jsonl` and `PREFIX.csv` are rewritten sorted by point and plan (each
through a temporary file and a rename), so the same sweep gives the same files however and wherever it ran.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from game import __version__
from game.errors import SalientError
from game.record.atomic import write_atomic

from .code_version import CODE_VERSION
from .sweep import TaskResult

Row = dict[str, Any]
KEYS_BEFORE = ("sweep", "point", "policy")
KEYS_AFTER = ("output", "mean", "sd", "runs")


def fingerprint(spec_json: str, scenario_json: str, orders: Iterable[bytes]) -> str:
    """Twelve hex digits that change whenever anything that decides the results changes."""
    digest = hashlib.sha256()
    for part in (__version__.encode(), CODE_VERSION.encode(), spec_json.encode(), scenario_json.encode(), *orders):
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()[:12]


def rows_of(result: TaskResult, sweep: str, paths: tuple[str, ...]) -> list[Row]:
    """A task's rows, in the order of its outputs."""
    head: Row = {
        "sweep": sweep,
        "point": result.point,
        "policy": result.plan,
        **dict(zip(paths, result.values, strict=True)),
    }
    return [
        {**head, "output": name, "mean": mean, "sd": sd, "runs": result.runs}
        for name, (mean, sd) in result.stats.items()
    ]


class Journal:
    """The results file of one sweep: what is done, and appending what finishes."""

    def __init__(self, prefix: Path, sweep: str, paths: tuple[str, ...], outputs: list[str], fresh: bool = False):
        self.jsonl = prefix.with_name(prefix.name + ".jsonl")
        self.csv = prefix.with_name(prefix.name + ".csv")
        self.sweep, self.paths, self.outputs = sweep, paths, outputs
        self.rows: dict[tuple[int, str], list[Row]] = {}
        if fresh:
            for path in (self.jsonl, self.csv):
                path.unlink(missing_ok=True)
        elif self.jsonl.exists():
            self._resume()

    @property
    def done(self) -> set[tuple[int, str]]:
        """(point, plan) of every finished task."""
        return set(self.rows)

    def _resume(self) -> None:
        try:
            text = self.jsonl.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SalientError(f"cannot read {self.jsonl} to continue the sweep ({error})") from None
        lines = text.split("\n")
        groups: dict[tuple[int, str], list[Row]] = {}
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                key = (int(row["point"]), str(row["policy"]))
                theirs = row["sweep"]
            except (ValueError, KeyError, TypeError):
                if number >= len(lines) - 1:  # the line a crash cut short: its task is played again
                    continue
                raise SalientError(
                    f"{self.jsonl}:{number}: this is not a row of sweep results; move the file "
                    "away or start over with --fresh"
                ) from None
            if theirs != self.sweep:
                raise SalientError(
                    f"{self.jsonl} holds the results of another sweep (or of this one before its "
                    "file, scenario, orders or the model changed); start over with --fresh, or "
                    "write elsewhere with --output"
                )
            groups.setdefault(key, []).append(row)
        self.rows = {key: rows for key, rows in groups.items() if [r["output"] for r in rows] == self.outputs}
        if len(self.rows) != len(groups) or not text.endswith("\n"):
            write_atomically(self.jsonl, self._jsonl_text(sort=False))  # drop what a crash cut short

    def append(self, result: TaskResult) -> None:
        """Write a finished task's rows in one piece, synced to disk before returning."""
        rows = rows_of(result, self.sweep, self.paths)
        self.jsonl.parent.mkdir(parents=True, exist_ok=True)
        with self.jsonl.open("a", encoding="utf-8") as handle:
            handle.write("".join(_json_line(r) for r in rows))
            handle.flush()
            os.fsync(handle.fileno())
        self.rows[(result.point, result.plan)] = rows

    def finish(self) -> None:
        """Rewrite both files sorted by point and plan."""
        write_atomically(self.jsonl, self._jsonl_text(sort=True))
        write_atomically(self.csv, self._csv_text())

    def sorted_rows(self) -> list[Row]:
        """Every row, by point, then plan, then output in the sweep's order."""
        return [row for key in sorted(self.rows) for row in self.rows[key]]

    def _jsonl_text(self, sort: bool) -> str:
        rows = self.sorted_rows() if sort else [row for rows in self.rows.values() for row in rows]
        return "".join(_json_line(r) for r in rows)

    def _csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*KEYS_BEFORE, *self.paths, *KEYS_AFTER], lineterminator="\n")
        writer.writeheader()
        for row in self.sorted_rows():
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        return out.getvalue()


def _json_line(row: Row) -> str:
    return json.dumps(row, allow_nan=False, separators=(",", ":")) + "\n"


def _csv_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return repr(value) if isinstance(value, float) else value


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename (game.record.atomic): a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
