"""The luck analysis, remembered in the journal itself (a `luck` record) so a second review is instant.

The analysis costs seconds (R replications × alternatives × decisions); the review after it costs
milliseconds. The record names what it was computed from — the number of whole turns, R, the horizon,
the cases, the Salient version and the scenario's hash — and is used only when all of them match and the
journal is signed with the instructor key (game.record.signing): anyone can edit a record in an unsigned save,
and the turns are proven by replay but a cached verdict is not, so without a key the analysis is worked out
again. Nothing is written into a damaged journal (it may be a game still being written).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from game import __version__
from game.record.records import LUCK

from .luck import LuckReport

if TYPE_CHECKING:
    from game.record.journal import LoadedJournal

RECORD = LUCK


def cache_key(loaded: LoadedJournal, replications: int, horizon: int, cases: list[str]) -> dict[str, Any]:
    """What a cached analysis must match to be reused."""
    return {
        "turns": len(loaded.turns),
        "replications": replications,
        "horizon": horizon,
        "cases": sorted(cases),
        "salient": __version__,
        "scenario_sha256": loaded.header.scenario_sha256,
    }


def find(loaded: LoadedJournal, key: dict[str, Any]) -> LuckReport | None:
    """The latest cached analysis with this key, or None; None too when the journal is not signed with the
    instructor key (or a signature failed), since then nothing vouches for the record."""
    if not loaded.signed_by or loaded.forged:
        return None
    for record in reversed(loaded.luck):
        if record.key.model_dump() == key:
            try:
                return LuckReport.model_validate(record.report)
            except ValidationError:
                return None
    return None


def store(loaded: LoadedJournal, key: dict[str, Any], report: LuckReport) -> bool:
    """Append the analysis to the journal; False (nothing written) when the journal is damaged or read-only."""
    from game.record.format import JournalError
    from game.record.journal import Journal

    if loaded.path is None or not loaded.intact:
        return False
    dumped = report.model_dump(mode="json")
    if any(r.key.model_dump() == key and r.report == dumped for r in loaded.luck):
        return True  # the same analysis is there already (worked out again and found equal): not written twice
    journal = Journal(loaded.path, loaded.header, len(loaded.turns) + 1, len(loaded.branches), loaded.finished)
    try:
        journal.append_record(RECORD, {"key": key, "report": dumped})
    except JournalError:
        return False
    return True
