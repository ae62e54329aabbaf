"""The class database: what a recorded game holds, re-imports, concurrency, and failures that lose nothing."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from test_classroom_support import fake_score, record_many, write_journal

from game.classroom.db import ClassDB, ClassDbError, default_db_path, with_retry
from game.classroom.recorder import pending, record_game, record_game_safely
from game.classroom.records import record_from_path
from game.cli import main

DRILL = {
    "turn": 2,
    "drill": "d2",
    "rationale": "the road matters more than the village",
    "ranking": ["b", "a"],
    "chosen": "b",
    "estimate": {"question": "q", "metric": "p_road_cut", "p": 0.7, "model_p": 0.55},
    "started": "2025-01-01T00:00:00Z",
    "elapsed_s": 12.5,
    "time_limit_s": 60,
    "late": False,
}
UMPIRE = {
    "turn": 3,
    "seq": 1,
    "kind": "set_road_state",
    "target": "road_1",
    "summary": "road_1 set to cut",
    "reason": "show the class an encirclement",
    "value": "cut",
}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SALIENT_DB", raising=False)


def test_default_location_follows_env(tmp_path, monkeypatch):
    assert default_db_path() == tmp_path / "home" / "class.sqlite3"
    monkeypatch.setenv("SALIENT_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_a_recorded_game_holds_decisions_drills_moments_and_interventions(tmp_path):
    path = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold", drill=DRILL, umpire=UMPIRE)
    db_path = tmp_path / "class.db"
    game_id = record_game(path, db_path=db_path, score=fake_score(42.0))
    with ClassDB(db_path) as db:
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        game = db.query("SELECT * FROM games WHERE id = ?", (game_id,))[0]
        assert (game["trainee"], game["scenario_id"], game["seed"], game["turns"]) == ("Cadet A", "minimal", 1, 3)
        assert (game["ending"], game["score"], game["finished"]) == ("time", 42.0, 1)
        assert game["journal_path"] == str(path.resolve())
        rows = db.query("SELECT * FROM decisions WHERE game_id = ? ORDER BY turn", (game_id,))
        assert [r["turn"] for r in rows] == [1, 2, 3]
        t2 = rows[1]
        assert json.loads(t2["choices_json"])["ew"] == "road"
        assert json.loads(t2["choices_json"])["convoys"] == "day"
        outcome = json.loads(t2["outcome_json"])
        assert outcome["sectors_lost"] == ["north"] and outcome["road_cut"] is True
        assert t2["rationale"] == DRILL["rationale"] and json.loads(t2["ranking_json"]) == ["b", "a"]
        assert json.loads(t2["estimate_json"]) == {
            "question": "q",
            "metric": "p_road_cut",
            "p": 0.7,
            "model_p": 0.55,
            "outcome": 1,
        }
        assert rows[0]["estimate_json"] is None
        inter = db.query("SELECT * FROM interventions WHERE game_id = ?", (game_id,))
        assert [(i["turn"], i["kind"], i["reason"]) for i in inter] == [(3, "set_road_state", UMPIRE["reason"])]
        moments = db.query("SELECT moment_id FROM moments WHERE game_id = ?", (game_id,))
        assert isinstance(moments, list)


def test_importing_the_same_game_again_replaces_it(tmp_path):
    path = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold")
    db_path = tmp_path / "class.db"
    record_game(path, db_path=db_path, score=fake_score(1.0))
    record_game(path, db_path=db_path, score=fake_score(2.0))
    with ClassDB(db_path) as db:
        assert db.count_games() == 1
        assert db.query("SELECT score FROM games")[0]["score"] == 2.0
        assert db.query("SELECT COUNT(*) AS n FROM decisions")[0]["n"] == 3


def test_twenty_processes_writing_at_once_lose_nothing(tmp_path):
    db_path = tmp_path / "class.db"
    ClassDB(db_path).close()  # not required, but the test is about contention on writes, not on creation
    folder = tmp_path / "journals"
    folder.mkdir()
    # fork where there is one (quick: no re-import); every worker still opens its own connection to the file
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(20) as pool:
        done = pool.map(record_many, [(str(db_path), str(folder), w, 5) for w in range(20)], chunksize=1)
    assert sum(done) == 100
    with ClassDB(db_path) as db:
        assert db.count_games() == 100
        assert db.query("SELECT COUNT(*) AS n FROM decisions")[0]["n"] == 300
        assert len({r["trainee"] for r in db.query("SELECT trainee FROM games")}) == 20
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_busy_database_is_retried():
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return "done"

    assert with_retry(flaky, sleep=lambda s: None) == "done" and len(calls) == 3
    with pytest.raises(sqlite3.OperationalError):
        with_retry(lambda: (_ for _ in ()).throw(sqlite3.OperationalError("no such table: x")), sleep=lambda s: None)


def test_a_failed_write_keeps_the_journal_and_queues_it(tmp_path):
    path = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold")
    before = path.read_bytes()
    blocked = tmp_path / "not-a-db"
    blocked.mkdir()  # a folder where the database should be: opening it fails
    warning = record_game_safely(path, db_path=blocked, score=fake_score(1.0))
    assert warning is not None and "salient class import" in warning and str(path) in warning
    assert path.read_bytes() == before
    assert pending() == [path.resolve()]
    good = tmp_path / "class.db"
    assert main(["class", "import", "--pending", "--db", str(good)]) == 0
    assert pending() == []
    with ClassDB(good) as db:
        assert db.count_games() == 1


def test_import_command_reports_a_bad_journal_and_goes_on(tmp_path, capsys):
    good = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not a journal\n")
    code = main(["class", "import", str(good), str(bad), "--db", str(tmp_path / "c.db")])
    out = capsys.readouterr()
    assert code == 1 and "recorded" in out.out and "bad.jsonl" in out.err and "Traceback" not in out.err
    with ClassDB(tmp_path / "c.db") as db:
        assert db.count_games() == 1


def test_report_on_a_missing_database_is_a_plain_error(tmp_path, capsys):
    assert main(["class", "report", "--db", str(tmp_path / "none.db")]) == 1
    assert "no class database" in capsys.readouterr().err


def test_newer_database_is_refused_for_writing_and_reading(tmp_path, capsys):
    db_path = tmp_path / "c.db"
    with ClassDB(db_path) as db:
        db.conn.execute("PRAGMA user_version = 99")
    for readonly in (False, True):
        with pytest.raises(ClassDbError, match=r"newer Salient \(class database version 99; this one reads up to 1\)"):
            ClassDB(db_path, readonly=readonly)
    assert main(["class", "report", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert f"{db_path} was written by a newer Salient" in err and "Traceback" not in err


def _legacy_database(path: Path, version: str) -> None:
    """A database as written before the schema version moved to `PRAGMA user_version`: only the meta row."""
    with ClassDB(path) as db:
        db.conn.execute("PRAGMA user_version = 0")
        db.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))


def test_a_database_from_before_user_version_is_adopted_and_keeps_its_games(tmp_path):
    db_path = tmp_path / "c.db"
    assert record_many((str(db_path), str(tmp_path), 0, 2)) == 2
    _legacy_database(db_path, "1")
    with ClassDB(db_path) as db:
        assert db.count_games() == 2
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == 1


@pytest.mark.parametrize("version", ["abc", "99"])
def test_a_damaged_or_newer_schema_version_is_a_plain_error(tmp_path, capsys, version):
    db_path = tmp_path / "c.db"
    _legacy_database(db_path, version)
    words = "is damaged: its schema version 'abc' is not a number" if version == "abc" else "newer Salient"
    with pytest.raises(ClassDbError, match=words):
        ClassDB(db_path)
    assert main(["class", "report", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert words.split(":", maxsplit=1)[0] in err and "Traceback" not in err


def test_a_file_that_is_not_a_database_is_a_plain_error(tmp_path, capsys):
    db_path = tmp_path / "c.db"
    db_path.write_bytes(b"not a database at all, just text" * 100)
    assert main(["class", "report", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "file is not a database" in err and "Traceback" not in err


def test_record_without_score_falls_back_to_none_when_replay_fails(tmp_path):
    path = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold")
    rec = record_from_path(path)  # hand-made reports do not replay: the record keeps score None
    assert rec.score is None and rec.turns == 3 and rec.trainee == "Cadet A"


def test_headless_run_records_the_game_journal_first(tmp_path, capsys):
    from test_classroom_support import FIXTURES

    from game.engine.game import Game
    from game.engine.policies import POLICIES
    from game.scenario.load import load_scenario

    base = FIXTURES / "check_base.yaml"
    db_path = tmp_path / "class.db"
    assert (
        main(
            [
                "run",
                str(base),
                "--seed",
                "3",
                "--policy",
                "hold_sudzha_road",
                "--trainee",
                "Cadet R",
                "--db",
                str(db_path),
                "--json",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    json.loads(out.out)  # stdout stays pure JSON; the note goes to stderr
    assert "recorded in the class database" in out.err
    game = Game(load_scenario(base), 3)
    while not game.finished:
        game.play(POLICIES["hold_sudzha_road"](game))
    with ClassDB(db_path) as db:
        (row,) = db.query("SELECT * FROM games")
        assert (row["trainee"], row["seed"], row["ending"]) == ("Cadet R", 3, game.ending)
        assert row["score"] == pytest.approx(game.score().total)
        assert Path(row["journal_path"]).parent == tmp_path / "home" / "saves"
        models = db.query("SELECT COUNT(*) AS n FROM decisions WHERE model_json IS NOT NULL")[0]["n"]
        assert models >= 1  # the model's forecast at the drill turns (the journal has none of its own)
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    assert (
        main(["run", str(base), "--seed", "4", "--policy", "hold", "--trainee", "Cadet S", "--db", str(blocked)]) == 0
    )
    err = capsys.readouterr().err
    assert "warning" in err and "salient class import" in err
    assert len(pending()) == 1 and pending()[0].is_file()


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("choices_json", "5", "column choices_json: Input should be a valid dictionary"),
        ("choices_json", "{not json", "column choices_json is not JSON"),
        ("outcome_json", '{"own_losses": "many"}', "column outcome_json, own_losses: Input should be a valid number"),
        ("estimate_json", '{"question": "q", "p": 0.5}', "column estimate_json, metric: Field required"),
        ("ranking_json", "[1, 2]", "column ranking_json, 0: Input should be a valid string"),
    ],
)
def test_a_damaged_decisions_column_is_a_plain_error_naming_game_turn_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, value: str, words: str
) -> None:
    path = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold", drill=DRILL, umpire=UMPIRE)
    db_path = tmp_path / "class.db"
    game_id = record_game(path, db_path=db_path, score=fake_score(42.0))
    assert main(["class", "report", "--db", str(db_path)]) == 0
    capsys.readouterr()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"UPDATE decisions SET {column} = ? WHERE game_id = ? AND turn = 2", (value, game_id))
    assert main(["class", "report", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert f"{db_path} is damaged: the decision of game {game_id} at turn 2, {words}" in err, err
    assert "Traceback" not in err


def test_a_damaged_recorded_scenario_is_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_journal(tmp_path / "g.jsonl", "Cadet A", "hold", drill=DRILL, umpire=UMPIRE)
    db_path = tmp_path / "class.db"
    record_game(path, db_path=db_path, score=fake_score(42.0))
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE scenarios SET json = ?", (json.dumps({"meta": {"title": "T"}, "map": 5}),))
    assert main(["class", "report", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert f"{db_path} is damaged: the scenario minimal, map: Input should be a valid dictionary" in err, err
    assert "Traceback" not in err
