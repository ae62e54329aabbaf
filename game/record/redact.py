"""The trainee's copy of a game played under an instructor key: what the trainee saw, none of the ground truth.

With a key, a game's full journal (true enemy strengths and losses, the expert's answers, instructor notes,
umpire interventions, drill answers scored by the model) is kept in the instructor's folder; the save the
trainee holds is a copy of it with that taken out, and names the full record by its file name
(`instructor_copy` in its header). The instructor's Salient reads the full record whenever it is given the
trainee's save; anyone else can read the copy but not replay it (its dice need the key).

What stays in the copy: the scenario without `expert` and `instructor_notes`; per turn, the orders, the
intelligence picture and the forecast the trainee was shown, and the report with the enemy's units, losses,
morale and factors and the umpire-only events removed; drafts of orders. Nothing else is copied.
"""

from __future__ import annotations

import copy
from typing import Any

from .canonical import sha256_hex

__all__ = ["COPY_FIELD", "Hidden", "redact_header", "redact_record"]

COPY_FIELD = "instructor_copy"
"""Header field of a trainee's copy: the file name of the full record in the instructor's folder."""

MIRRORED = frozenset({"turn", "draft"})
"""Record types the trainee's copy keeps (redacted); every other record stays with the instructor."""

INSTRUCTOR_ONLY = ("expert", "instructor_notes")
"""Top-level scenario fields left out of the trainee's copy (their defaults are empty)."""


class Hidden:
    """The sides and units whose true figures the trainee may not see (everyone but the player's side)."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        meta = scenario.get("meta") if isinstance(scenario.get("meta"), dict) else {}
        player = meta.get("player_side") if isinstance(meta, dict) else None
        sides = [s for s in scenario.get("sides", []) if isinstance(s, dict)]
        self.sides = {str(s.get("id")) for s in sides if s.get("id") != player}
        self.units = {
            str(u.get("id")) for s in sides if s.get("id") != player for u in s.get("units", []) if isinstance(u, dict)
        }


def redact_scenario(scenario: dict[str, Any]) -> dict[str, Any]:
    """The scenario without the answer key and the instructor's notes (still a valid scenario)."""
    return {k: v for k, v in scenario.items() if k not in INSTRUCTOR_ONLY}


def redact_header(header: dict[str, Any], copy_name: str) -> dict[str, Any]:
    """The trainee's header: the scenario redacted (with its own hash) and the name of the full record."""
    scenario = redact_scenario(header["scenario"])
    return {**header, "scenario_sha256": sha256_hex(scenario), "scenario": scenario, COPY_FIELD: copy_name}


def redact_report(report: dict[str, Any], hidden: Hidden) -> dict[str, Any]:
    """A turn report with only what the trainee's own side knows for certain."""
    out = copy.deepcopy(report)
    for name, hide in (("unit_strength", hidden.units), ("losses", hidden.sides), ("morale", hidden.sides)):
        if isinstance(out.get(name), dict):
            out[name] = {k: v for k, v in out[name].items() if k not in hide}
    if isinstance(out.get("events"), list):
        out["events"] = [e for e in out["events"] if not (isinstance(e, dict) and e.get("visible_to") == "instructor")]
    if isinstance(out.get("factors"), list):
        out["factors"] = [f for f in out["factors"] if not (isinstance(f, dict) and f.get("side") in hidden.sides)]
    return out


def redact_record(raw: dict[str, Any], hidden: Hidden) -> dict[str, Any] | None:
    """The trainee's version of a record, or None when the record stays with the instructor."""
    kind = raw.get("type")
    if kind not in MIRRORED:
        return None
    if kind == "turn" and isinstance(raw.get("report"), dict):
        return {**raw, "report": redact_report(raw["report"], hidden)}
    return dict(raw)
