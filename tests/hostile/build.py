"""Hostile files that cannot sit in the repository as they are: journals, class databases, huge and deep files.

A journal embeds its scenario, a hash and the engine's reports, so a committed one would go stale with every
engine change and then fail for the wrong reason. Each one here is made at test time: a short real game of the
minimal scenario is played and saved, then one attack is applied to a copy of it. Class databases are binary,
and the big and deep files (a 20 MB line, orders nested 50,000 deep) are generated rather than committed.

`python tests/hostile/build.py DIR` writes the whole set into DIR, to look at or to try by hand.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
SEED = 3

HOSTILE_NAME = "[/b]bob[@click=app.quit] \x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\u202eevil <b>x</b> =1+1"
"""A trainee name with Textual markup, a click action, ESC/OSC sequences, a bidi override, HTML and a formula."""
DEEP = 50_000
"""How deep the nested orders and journal lines go: far past Python's recursion limit."""
BIG_LINE_MB = 20
"""Size of the oversized journal line: past the 16 MB line cap, well under the 64 MB file cap."""
BIG_NAME_MB = 10
"""Size of the huge trainee name: under the line cap, so only a cap on names stops it."""


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_lines(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def base_journal(folder: Path) -> Path:
    """A finished six-turn game of the minimal scenario with one stored branch: the intact control."""
    from game.cli import main
    from game.engine.policies import POLICIES
    from game.record.selfplay import play_journaled
    from game.scenario.load import load_scenario

    path = folder / "intact.jsonl"
    play_journaled(load_scenario(MINIMAL), SEED, path, POLICIES["hold"], scenario_path=str(MINIMAL))
    if main(["branch", str(path), "--turn", "2", "--policy", "delay_withdraw", "--json"]) != 0:
        raise RuntimeError("the control journal could not be branched")
    return path


# --- journal attacks: each takes the control journal's records and returns the hostile file's bytes ---------


def _records(base: Path) -> list[dict[str, Any]]:
    return _lines(base)


def cut_before_final_newline(base: Path) -> bytes:
    """The last turn's line lacks its newline: an append must not glue the next record onto it."""
    return _dump([r for r in _records(base) if r["type"] in ("header", "turn")])[:-1]


def torn_nul_tail(base: Path) -> bytes:
    """A crash left NUL bytes after the last whole line (as some file systems do)."""
    return base.read_bytes() + b"\x00" * 4096


def branch_notes_number(base: Path) -> bytes:
    """A stored branch whose `notes` is a number, not a list of strings."""
    records = _records(base)
    for r in records:
        if r["type"] == "branch":
            r["notes"] = 5
    return _dump(records)


def junk_branch_records(base: Path) -> bytes:
    """Branch records of the wrong shapes: no id, turns as text, a turn whose orders are a number."""
    return _dump(
        [
            *_records(base),
            {"type": "branch", "id": 5},
            {"type": "branch", "id": "b8", "from_turn": "two", "turns": "abc", "notes": {"a": 1}},
            {"type": "branch", "id": "b9", "from_turn": 2, "turns": [{"turn": 2, "orders": 5, "report": []}]},
            {"type": "branch", "id": "b10", "from_turn": -7, "turns": [], "score": [1, 2], "label": ["x"]},
        ]
    )


def negative_seed(base: Path) -> bytes:
    """The header's seed is negative (numpy refuses it)."""
    records = _records(base)
    records[0]["seed"] = -1
    return _dump(records)


def huge_seed(base: Path) -> bytes:
    """The header's seed is far past 64 bits."""
    records = _records(base)
    records[0]["seed"] = 10**400
    return _dump(records)


def junk_drill_records(base: Path) -> bytes:
    """Drill answers with every field of the wrong type, on a real turn."""
    return _dump(
        [
            *_records(base),
            {"type": "drill", "drill": "d1", "turn": 2, "ranking": 5, "estimate": "abc", "chosen": 7, "rationale": {}},
            {"type": "drill", "drill": ["x"], "turn": "2", "elapsed_s": "soon", "orders_from": 3},
            {"type": "drill", "drill": "d2", "turn": 3, "estimate": {"p": "x", "metric": 5}, "ranking": [None, {}]},
        ]
    )


def junk_umpire_records(base: Path) -> bytes:
    """Umpire interventions that are not: unknown kinds, a strength of 1e308, a turn as text, a NaN."""
    return _dump(
        [
            *_records(base),
            {"type": "umpire", "kind": "nope", "target": "x", "reason": "r", "turn": "x"},
            {"type": "umpire", "kind": 5, "target": {}, "value": [], "reason": None, "turn": 2, "seq": "a"},
            {
                "type": "umpire",
                "kind": "change_strength",
                "target": "ua_mech",
                "value": 1e308,
                "reason": "r",
                "turn": 2,
            },
            {"type": "umpire", "kind": "change_strength", "target": "ua_mech", "value": float("nan"), "turn": 3},
        ]
    )


def forged_luck(base: Path) -> bytes:
    """A cached luck analysis edited by hand to say something the model never said."""
    from game.cli import main

    work = base.with_name("forged-work.jsonl")
    shutil.copyfile(base, work)
    if main(["aar", str(work), "--cache", "--replications", "4", "--format", "json", "-o", str(work) + ".json"]):
        raise RuntimeError("could not cache a luck analysis")
    records = _records(work)
    for r in records:
        if r["type"] == "luck":
            r["report"]["verdict"] = "good judgement, but unlucky (FORGED)"
            r["report"]["luck"] = "unlucky"
    work.unlink()
    Path(str(work) + ".json").unlink()
    return _dump(records)


def hostile_trainee(base: Path) -> bytes:
    """The trainee name in the header carries markup, click actions, escapes, HTML and a formula."""
    records = _records(base)
    records[0]["trainee"] = HOSTILE_NAME
    return _dump(records)


def huge_trainee(base: Path) -> bytes:
    """A trainee name of 10 MB (under the line cap): only a cap on names keeps reports small."""
    records = _records(base)
    records[0]["trainee"] = "A" * (BIG_NAME_MB * 1024 * 1024)
    return _dump(records)


def huge_line(base: Path) -> bytes:
    """One record line of 20 MB, past the 16 MB cap on a line."""
    pad = "A" * (BIG_LINE_MB * 1024 * 1024)
    return base.read_bytes() + (json.dumps({"type": "note", "text": pad}) + "\n").encode()


def deep_line(base: Path) -> bytes:
    """A record line nested 50,000 deep: a recursive JSON reader would blow the stack."""
    return base.read_bytes() + b'{"type": "note", "x": ' + b"[" * DEEP + b"]" * DEEP + b"}\n"


def deep_turn(base: Path) -> bytes:
    """A turn record (not the last) whose orders are nested 50,000 deep."""
    raw = base.read_bytes().split(b"\n")
    deep = b'{"type": "turn", "turn": 2, "orders": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    raw[2] = deep
    return b"\n".join(raw)


def header_scenario_junk(base: Path) -> bytes:
    """The embedded scenario is edited (a string where a number goes), its hash left as it was."""
    records = _records(base)
    records[0]["scenario"]["meta"]["turns"] = "many"
    return _dump(records)


def header_only_garbage(base: Path) -> bytes:
    """Not JSON at all: random bytes with a .jsonl name."""
    return bytes(range(256)) * 64


def turn_numbers_junk(base: Path) -> bytes:
    """Turn records out of order, repeated and negative."""
    records = _records(base)
    turns = [r for r in records if r["type"] == "turn"]
    turns[1]["turn"] = -4
    turns[2]["turn"] = 1
    return _dump(records)


def _dump(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


JOURNALS: dict[str, Callable[[Path], bytes]] = {
    fn.__name__: fn
    for fn in (
        cut_before_final_newline,
        torn_nul_tail,
        branch_notes_number,
        junk_branch_records,
        negative_seed,
        huge_seed,
        junk_drill_records,
        junk_umpire_records,
        forged_luck,
        hostile_trainee,
        huge_trainee,
        huge_line,
        deep_line,
        deep_turn,
        header_scenario_junk,
        header_only_garbage,
        turn_numbers_junk,
    )
}
"""Journal attacks by name (the file is `<name>.jsonl`)."""


# --- orders files --------------------------------------------------------------------------------------------


def deep_orders_json() -> bytes:
    """An orders file of lists nested 50,000 deep (JSON)."""
    return b"[" * DEEP + b"]" * DEEP


def deep_orders_yaml() -> bytes:
    """An orders file of flow mappings nested 50,000 deep (YAML)."""
    return b"turns: " + b"{a: " * DEEP + b"1" + b"}" * DEEP + b"\n"


def hostile_orders_names() -> bytes:
    """Orders naming sectors and policies with markup and escapes."""
    return json.dumps([{"postures": {HOSTILE_NAME: "hold"}, "reserve": HOSTILE_NAME}]).encode()


ORDERS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "deep_orders_json": (".json", deep_orders_json),
    "deep_orders_yaml": (".yaml", deep_orders_yaml),
    "hostile_orders_names": (".json", hostile_orders_names),
}
"""Orders-file attacks by name: (suffix, maker)."""


# --- class databases -----------------------------------------------------------------------------------------


def class_db(folder: Path, journal: Path) -> Path:
    """A real class database holding the control game."""
    from game.cli import main

    path = folder / "class-intact.sqlite3"
    if main(["class", "import", str(journal), "--db", str(path), "--forecast", "0"]) != 0:
        raise RuntimeError("the control game could not be imported")
    return path


def _edit(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def db_schema_version_text(path: Path) -> None:
    """A database from before `user_version` whose meta table says its version is 'abc'."""
    _edit(path, "PRAGMA user_version = 0", "UPDATE meta SET value = 'abc' WHERE key = 'schema_version'")


def db_newer_version(path: Path) -> None:
    """A database written by a newer Salient (user_version 99)."""
    _edit(path, "PRAGMA user_version = 99")


def db_damaged_decisions(path: Path) -> None:
    """The decisions column holds text that is not JSON, JSON of the wrong shape and NULL-like junk."""
    _edit(
        path,
        "UPDATE decisions SET orders_json = 'not json', choices_json = '5' WHERE turn = 1",
        "UPDATE decisions SET choices_json = '[1, 2]', outcome_json = '\"x\"', drill_json = '7' WHERE turn = 2",
        "UPDATE decisions SET forecast_json = '{\"p\": \"x\"}', estimate_json = '[]', model_json = '3' WHERE turn = 3",
        "UPDATE games SET score_json = '{', trainee = '" + HOSTILE_NAME.replace("'", "''") + "'",
    )


def db_not_sqlite(path: Path) -> None:
    """A file named like the database that is not SQLite at all."""
    path.write_bytes(b"this is not a database\n" * 100)


def db_truncated(path: Path) -> None:
    """A database cut in half (a copy interrupted)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DATABASES: dict[str, Callable[[Path], None]] = {
    fn.__name__: fn
    for fn in (db_schema_version_text, db_newer_version, db_damaged_decisions, db_not_sqlite, db_truncated)
}
"""Class-database attacks by name (the file is `<name>.sqlite3`), each applied to a copy of the intact one."""


def build_all(folder: Path) -> dict[str, Path]:
    """Every generated hostile file in `folder`, by case name (the intact control journal and database too)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = base_journal(folder)
    out = {"intact": base}
    for name, attack in JOURNALS.items():
        path = folder / f"{name}.jsonl"
        path.write_bytes(attack(base))
        out[name] = path
    for name, (suffix, make) in ORDERS.items():
        path = folder / f"{name}{suffix}"
        path.write_bytes(make())
        out[name] = path
    db = class_db(folder, base)
    out["class_intact"] = db
    for name, damage in DATABASES.items():
        path = folder / f"{name}.sqlite3"
        shutil.copyfile(db, path)
        damage(path)
        out[name] = path
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile/build.py DIR")
    for case, file in build_all(Path(sys.argv[1])).items():
        print(f"{case}: {file}")
