"""The one progress bar of the command line: rich's, on stderr, drawn only when stderr is a terminal.

`salient check`, `optimise`, `sweep` and `aar` all report through `ProgressBar`, so a log or a pipe never
receives control characters and every bar looks and ends the same way. Rich comes with Textual.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn

REDRAWS_PER_SECOND = 10
"""At most this many redraws a second (and always the last one), so a fast loop is not slowed by drawing."""


class ProgressBar:
    """Counts units of work towards a total; `close()` erases the bar. Off (and silent) when not on a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None, title: str = "") -> None:
        self.total = max(1, total)
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.label = ""
        self._last = 0.0
        self._progress: Progress | None = None
        if self.enabled:
            self._progress = Progress(
                TextColumn(title) if title else TextColumn(""),
                BarColumn(bar_width=30),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=Console(file=self.stream, force_terminal=True),
                auto_refresh=False,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._task = self._progress.add_task("", total=self.total)
        self._started = False  # drawn from the first update on, when the total is known for certain

    def advance(self, label: str, units: int) -> None:
        """Record `units` more done, under `label`."""
        self.update(self.done + units, label=label)

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None:
        """Set how many units are done (and the total, when it is only known as the work goes)."""
        if total is not None:
            self.total = max(1, total)
        self.done = max(0, min(self.total, done))
        if label is not None:
            self.label = label
        if self._progress is None:
            return
        self._progress.update(self._task, completed=self.done, total=self.total, description=self.label)
        if not self._started:  # starting draws the first frame
            self._started = True
            self._progress.start()
            return
        now = time.monotonic()
        if self.done >= self.total or now - self._last >= 1.0 / REDRAWS_PER_SECOND:
            self._last = now
            self._progress.refresh()

    def close(self) -> None:
        """Erase the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
