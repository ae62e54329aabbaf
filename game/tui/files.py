"""Finding scenario files and saved games for the title screen (headless: no Textual here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import game

DEFAULT_SCENARIO = "kursk-2025.yaml"


def scenario_dirs() -> list[Path]:
    """Folders that may hold scenarios: `scenarios/` beside the package (a checkout) and in the working folder."""
    beside = Path(game.__file__).resolve().parent.parent / "scenarios"
    here = Path.cwd() / "scenarios"
    return [d for d in dict.fromkeys([beside, here]) if d.is_dir()]


def find_scenarios() -> list[Path]:
    """Every scenario file found, the default (Kursk) first, then by name."""
    found = {p.resolve(): p for d in scenario_dirs() for p in sorted(d.glob("*.yaml"))}
    return sorted(found.values(), key=lambda p: (p.name != DEFAULT_SCENARIO, p.name))


def default_scenario() -> Path:
    """The scenario `salient` plays with no arguments (scenarios/kursk-2025.yaml)."""
    for d in scenario_dirs():
        if (d / DEFAULT_SCENARIO).is_file():
            return d / DEFAULT_SCENARIO
    return Path("scenarios") / DEFAULT_SCENARIO


@dataclass(frozen=True)
class ScenarioInfo:
    """What the title screen lists for a scenario file, read without validating the whole file."""

    path: Path
    title: str
    summary: str
    detail: str


def peek_scenario(path: Path) -> ScenarioInfo:
    """Title, summary and length of a scenario from its `meta` section; a broken file still gets a line."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=True).load(_meta_block(path.read_text(encoding="utf-8")))
        meta = data.get("meta", {}) if isinstance(data, dict) else {}
        turns, hours = meta.get("turns", "?"), meta.get("turn_hours", 12)
        detail = f"{meta.get('difficulty', 'standard')} · {turns} turns of {hours} h · from {meta.get('date', '?')}"
        return ScenarioInfo(path, str(meta.get("title", path.stem)), str(meta.get("summary", "")).strip(), detail)
    except Exception as error:
        return ScenarioInfo(path, path.stem, f"(cannot read this file: {type(error).__name__})", "")


def _meta_block(text: str) -> str:
    """Just the top-level `meta:` section of a scenario (parsing the whole file would slow the title screen)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("meta:")), None)
    if start is None:
        return text
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in ("", " ", "#", "\t")), len(lines))
    return "\n".join(lines[start:end])


@dataclass(frozen=True)
class SaveInfo:
    """A saved game as the title screen lists it."""

    path: Path
    label: str
    modified: float


def find_saves(folder: Path) -> list[SaveInfo]:
    """Saved games in `folder`, newest first, each described from its header and whole turns."""
    from game.narrative.safe_text import name
    from game.record.journal import JournalError, load_journal

    saves = []
    for path in folder.glob("*.jsonl"):
        try:
            loaded = load_journal(path)
            h = loaded.header
            state = "finished" if loaded.finished else f"turn {len(loaded.turns) + 1} next"
            who = f" · {name(h.trainee)}" if h.trainee else ""
            damage = " · damaged, whole turns kept" if not loaded.intact else ""
            label = f"{h.scenario_id} · seed {h.seed} · {state}{who}{damage}"
        except (JournalError, OSError, ValueError) as error:
            label = f"{path.name} · cannot be read: {error}"
        stamp = path.stat().st_mtime
        when = dt.datetime.fromtimestamp(stamp).strftime("%d %b %H:%M")
        saves.append(SaveInfo(path, f"{label} · saved {when}", stamp))
    return sorted(saves, key=lambda s: s.modified, reverse=True)
