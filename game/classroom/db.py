"""The class database: one SQLite file indexing every recorded game of a class.

Why SQLite and why these settings: a classroom runs many games at once on one machine (or a shared disk),
each process recording its game as it ends. WAL mode lets readers (the instructor's report) run while a
game is written; each game is written in one short `BEGIN IMMEDIATE` transaction (the write lock is taken
up front, so two writers never deadlock upgrading a read lock); `busy_timeout` waits for a lock and a
retry loop with jittered back-off covers the rare "database is locked" that escapes it. The journal is
always written before the database, so a failed write loses nothing: the game can be imported again.

Every SQL statement against the class schema is in this module: the report and the commands read through
typed functions (`games`, `decisions`, `moments`, …) whose rows are checked as they are read, so a damaged
column is a plain error naming the game, the turn and the column, never a TypeError in the report.

Location: `--db PATH`, else `$SALIENT_DB`, else `class.sqlite3` in the user data directory.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NotRequired, TypeVar

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic reads TypedDicts from here on Python 3.11

from game.errors import SalientError
from game.record.format import now_iso
from game.record.records import field_path

from .records import GameRecord, model_summary

ENV_VAR = "SALIENT_DB"
DB_NAME = "class.sqlite3"
BUSY_TIMEOUT_MS = 5_000
RETRY_SECONDS = 60.0
"""Give up on a locked database after this long (a stuck writer, a dead network share)."""

T = TypeVar("T")

SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scenarios (
    sha256 TEXT PRIMARY KEY, scenario_id TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY,
    game_key TEXT NOT NULL UNIQUE,
    trainee TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL REFERENCES scenarios(sha256),
    seed INTEGER NOT NULL,
    journal_path TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    turns INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    ending TEXT,
    score REAL,
    score_json TEXT,
    salient_version TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS games_by_scenario ON games (scenario_id, trainee);
CREATE TABLE IF NOT EXISTS decisions (
    game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    turn INTEGER NOT NULL,
    orders_json TEXT NOT NULL,
    choices_json TEXT NOT NULL,
    outcome_json TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    ranking_json TEXT,
    chosen TEXT,
    estimate_json TEXT,
    drill_json TEXT,
    forecast_json TEXT,
    model_json TEXT,
    PRIMARY KEY (game_id, turn));
CREATE TABLE IF NOT EXISTS moments (
    game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    moment_id TEXT NOT NULL, turn INTEGER NOT NULL, title TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS moments_by_game ON moments (game_id);
CREATE TABLE IF NOT EXISTS interventions (
    game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, turn INTEGER NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
    summary TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, value_json TEXT);
CREATE INDEX IF NOT EXISTS interventions_by_game ON interventions (game_id);
"""

MIGRATIONS: tuple[str, ...] = (SCHEMA_1,)
"""The schema's history, oldest first: migration i brings a database from version i to version i + 1. A change
to the tables is a new entry at the end (never an edit of an old one), so every older database can be brought
up to date in order. The version is kept in SQLite's own `PRAGMA user_version`."""
SCHEMA_VERSION = len(MIGRATIONS)


class ClassDbError(SalientError):
    """The class database cannot be opened or written; the game's journal is unaffected."""


def default_db_path() -> Path:
    """`$SALIENT_DB`, else `class.sqlite3` in the user data directory."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    from game.record.paths import data_dir

    return data_dir() / DB_NAME


def resolve_db_path(path: str | os.PathLike[str] | None) -> Path:
    """The database path for a `--db` option (None means the default)."""
    return Path(path).expanduser() if path else default_db_path()


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def with_retry(
    action: Callable[[], T], *, deadline_s: float = RETRY_SECONDS, sleep: Callable[[float], None] = time.sleep
) -> T:
    """Run `action`, retrying with jittered exponential back-off while SQLite says the database is busy."""
    start = time.monotonic()
    delay = 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() - start > deadline_s:
                raise
        sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 1.0)


class ClassDB:
    """A connection to the class database; use as a context manager or call `close()`."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> None:
        self.path = resolve_db_path(path)
        self.readonly = readonly
        try:
            if readonly:
                if not self.path.is_file():
                    raise ClassDbError(
                        f"no class database at {self.path} (record a game or `salient class import` first)"
                    )
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if readonly:
                self._version(self.conn.cursor())  # a newer or damaged database is refused before any query
            else:
                with_retry(self._prepare)
        except sqlite3.Error as error:
            raise ClassDbError(f"cannot open the class database {self.path}: {error}") from None
        except OSError as error:  # its folder cannot be made (read-only, not a folder)
            from game.record.paths import why_not

            raise ClassDbError(f"cannot open the class database {self.path}: {why_not(error)}") from None

    def _prepare(self) -> None:
        """WAL mode (readers never block the writer), then the migrations this database has not had yet."""
        mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a file system without shared memory
            self.conn.execute("PRAGMA journal_mode = DELETE")
        self.conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across application crashes
        with self.transaction() as cur:
            version = self._version(cur)
            for migration in MIGRATIONS[version:]:
                for statement in migration.split(";"):
                    if statement.strip():
                        cur.execute(statement)
            if int(cur.execute("PRAGMA user_version").fetchone()[0]) != SCHEMA_VERSION:  # migrated or adopted
                cur.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                cur.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )

    def _version(self, cur: sqlite3.Cursor) -> int:
        """The schema version of this database (0 for a new one); refuses a newer or a damaged one."""
        version = int(cur.execute("PRAGMA user_version").fetchone()[0])
        if (
            version == 0
            and cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        ):
            # databases written before `user_version` was used kept their version in the meta table
            row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None:
                try:
                    version = int(row[0])
                except (TypeError, ValueError):
                    raise ClassDbError(
                        f"{self.path} is damaged: its schema version {row[0]!r} is not a number; "
                        "restore a backup or import the journals into a new database"
                    ) from None
        if version > SCHEMA_VERSION:
            raise ClassDbError(
                f"{self.path} was written by a newer Salient (class database version {version}; "
                f"this one reads up to {SCHEMA_VERSION})"
            )
        if version < 0:
            raise ClassDbError(f"{self.path} is damaged: its schema version is {version}")
        return version

    def __enter__(self) -> ClassDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """`BEGIN IMMEDIATE` … `COMMIT`, rolled back on any error."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            self.conn.rollback()
            raise
        else:
            cur.execute("COMMIT")

    # --- writing ---------------------------------------------------------------------------

    def record(self, rec: GameRecord) -> int:
        """Store one game (replacing an earlier copy of the same game); returns its row id."""
        try:
            return with_retry(lambda: self._write(rec))
        except sqlite3.Error as error:
            raise ClassDbError(f"cannot record the game in {self.path}: {error}") from None

    def _write(self, rec: GameRecord) -> int:
        with self.transaction() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO scenarios (sha256, scenario_id, json) VALUES (?, ?, ?)",
                (rec.scenario_sha256, rec.scenario_id, rec.scenario_json),
            )
            cur.execute("DELETE FROM games WHERE game_key = ?", (rec.key,))
            cur.execute(
                "INSERT INTO games (game_key, trainee, scenario_id, scenario_sha256, seed, journal_path, started_at, "
                "finished_at, turns, finished, ending, score, score_json, salient_version, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.key,
                    rec.trainee,
                    rec.scenario_id,
                    rec.scenario_sha256,
                    rec.seed,
                    rec.journal_path,
                    rec.started_at,
                    rec.finished_at,
                    rec.turns,
                    int(rec.finished),
                    rec.ending,
                    rec.score,
                    rec.score_json,
                    rec.salient_version,
                    now_iso(),
                ),
            )
            game_id = int(cur.lastrowid or 0)
            cur.executemany(
                "INSERT INTO decisions (game_id, turn, orders_json, choices_json, outcome_json, rationale, "
                "ranking_json, chosen, estimate_json, drill_json, forecast_json, model_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        game_id,
                        d.turn,
                        _j(d.orders),
                        _j(d.choices),
                        _j(d.outcome),
                        d.rationale,
                        _j(d.ranking) if d.ranking else None,
                        d.chosen,
                        _j(d.estimate),
                        _j(d.drill),
                        _j(d.forecast),
                        _j(model_summary(d.forecast)),
                    )
                    for d in rec.decisions
                ],
            )
            cur.executemany(
                "INSERT INTO moments (game_id, moment_id, turn, title, detail) VALUES (?, ?, ?, ?, ?)",
                [(game_id, m["moment"], m["turn"], m["title"], m["detail"]) for m in rec.moments],
            )
            cur.executemany(
                "INSERT INTO interventions (game_id, seq, turn, kind, target, summary, reason, at, value_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        game_id,
                        i["seq"],
                        i["turn"],
                        i["kind"],
                        i["target"],
                        i["summary"],
                        i["reason"],
                        i["at"],
                        _j(i["value"]),
                    )
                    for i in rec.interventions
                ],
            )
            return game_id

    # --- reading ---------------------------------------------------------------------------

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query (with busy retry)."""

        def run() -> list[sqlite3.Row]:
            cur = self.conn.cursor()
            cur.row_factory = sqlite3.Row
            return cur.execute(sql, params).fetchall()

        try:
            return with_retry(run)
        except sqlite3.Error as error:
            raise ClassDbError(f"cannot read the class database {self.path}: {error}") from None

    def count_games(self) -> int:
        """Number of recorded games."""
        return int(self.query("SELECT COUNT(*) AS n FROM games")[0]["n"])


def _j(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


# --- typed rows -------------------------------------------------------------------------------


class GameRow(TypedDict):
    """One recorded game, as the report and `salient class games` list it."""

    id: int
    trainee: str
    scenario_id: str
    scenario_sha256: str
    seed: int
    turns: int
    finished: bool
    ending: str | None
    score: float | None
    journal_path: str


class Spread(TypedDict):
    """Mean and percentiles of one forecast figure."""

    mean: float | None
    p5: float | None
    p50: NotRequired[float | None]
    p95: float | None


class ModelSummary(TypedDict):
    """The model's one-turn forecast of a decision (see `records.model_summary`)."""

    replications: int | None
    own_losses: Spread
    area_held_sq_mi: Spread
    p_road_cut: float | None
    p_lose_sector: dict[str, float | None]


class Outcome(TypedDict):
    """What came of one decision (see `outcomes.outcome`)."""

    own_losses: float
    area_held_sq_mi: float
    road_cut: bool
    sectors_lost: list[str]
    enemy_losses: NotRequired[float]
    places_lost: NotRequired[list[str]]
    held_sectors: NotRequired[list[str]]
    held_places: NotRequired[list[str]]
    road: NotRequired[Any]
    delivered_t: NotRequired[float]
    trucks_lost: NotRequired[float]
    injects_fired: NotRequired[list[str]]
    ending: NotRequired[str | None]


class Estimate(TypedDict):
    """A probability the trainee estimated, the model's for the same event, and whether it happened."""

    question: str | None
    metric: str
    p: float
    model_p: float | None
    outcome: int


class DrillAnswerRow(TypedDict, total=False):
    """The drill answer kept with a decision (the fields the report reads)."""

    drill: str
    late: bool
    timed_out: bool
    elapsed_s: float | None


class Decided(TypedDict):
    """One decision of one game, with what came of it and what the model expected."""

    game_id: int
    turn: int
    trainee: str
    choices: dict[str, str]
    outcome: Outcome
    model: ModelSummary | None
    ranking: list[str]
    chosen: str | None
    estimate: Estimate | None
    drill: DrillAnswerRow | None
    rationale: str


class MomentRow(TypedDict):
    """A teaching moment one game hit."""

    trainee: str
    game_id: int
    moment_id: str
    title: str
    turn: int


class InterventionRow(TypedDict):
    """An umpire intervention in one game."""

    trainee: str
    turn: int
    kind: str
    target: str
    summary: str
    reason: str


class SectorName(TypedDict):
    """A sector of a recorded scenario, as the report names it."""

    id: str
    name: NotRequired[str]


class ScenarioMap(TypedDict, total=False):
    """The part of a recorded scenario's map the report reads."""

    sectors: list[SectorName]


class ScenarioMeta(TypedDict, total=False):
    """The part of a recorded scenario's meta section the report reads."""

    title: str


class RecordedScenario(TypedDict, total=False):
    """The parts of a recorded scenario the class report reads (drills and expert lines it reads itself: they
    were written by whichever version recorded the game)."""

    meta: ScenarioMeta
    map: ScenarioMap
    drills: list[dict[str, Any]]
    expert: list[dict[str, Any]]


_GAME = TypeAdapter(GameRow)
_SCENARIO = TypeAdapter(RecordedScenario)
_MOMENT = TypeAdapter(MomentRow)
_INTERVENTION = TypeAdapter(InterventionRow)
_ESTIMATE = TypeAdapter(Estimate)
_COLUMNS: dict[str, TypeAdapter[Any]] = {
    "choices_json": TypeAdapter(dict[str, str]),
    "outcome_json": TypeAdapter(Outcome),
    "model_json": TypeAdapter(ModelSummary | None),
    "ranking_json": TypeAdapter(list[str] | None),
    "estimate_json": TypeAdapter(Estimate | None),
    "drill_json": TypeAdapter(DrillAnswerRow | None),
}


def _check(db: ClassDB, adapter: TypeAdapter[T], row: Any, where: str) -> T:
    try:
        return adapter.validate_python(row)
    except ValidationError as error:
        first = error.errors()[0]
        field = field_path(first["loc"])
        raise ClassDbError(
            f"the class database {db.path} is damaged: {where}{f', {field}' if field else ''}: {first['msg']}; "
            "import the journals into a new database"
        ) from None


def _column(db: ClassDB, row: sqlite3.Row, column: str, where: str) -> Any:
    """A JSON column decoded and checked against its type (None for NULL where NULL is allowed)."""
    text = row[column]
    try:
        value = None if text is None else json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise ClassDbError(
            f"the class database {db.path} is damaged: {where}, column {column} is not JSON; "
            "import the journals into a new database"
        ) from None
    return _check(db, _COLUMNS[column], value, f"{where}, column {column}")


def scenario_ids(db: ClassDB) -> list[str]:
    """The scenarios with recorded games, in the order their first game was recorded."""
    return [
        str(r["scenario_id"]) for r in db.query("SELECT scenario_id FROM games GROUP BY scenario_id ORDER BY MIN(id)")
    ]


def games(db: ClassDB, scenario_id: str | None = None) -> list[GameRow]:
    """The recorded games (of one scenario, or all), in the order they were recorded."""
    sql = "SELECT id, trainee, scenario_id, scenario_sha256, seed, turns, finished, ending, score, journal_path FROM games"
    rows = db.query(
        sql + (" WHERE scenario_id = ? ORDER BY id" if scenario_id else " ORDER BY id"),
        (scenario_id,) if scenario_id else (),
    )
    return [_check(db, _GAME, dict(r), f"game {r['id']}") for r in rows]


def latest_scenario(db: ClassDB, scenario_id: str) -> RecordedScenario:
    """The scenario (as recorded JSON) of the latest game of `scenario_id`; {} when there is none."""
    rows = db.query(
        "SELECT s.json AS json FROM scenarios s JOIN games g ON g.scenario_sha256 = s.sha256 "
        "WHERE g.scenario_id = ? ORDER BY g.id DESC LIMIT 1",
        (scenario_id,),
    )
    if not rows:
        return {}
    try:
        value = json.loads(rows[0]["json"])
    except (TypeError, ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise ClassDbError(
            f"the class database {db.path} is damaged: the scenario {scenario_id} it holds is not a JSON object; "
            "import the journals into a new database"
        )
    return _check(db, _SCENARIO, value, f"the scenario {scenario_id}")


def decisions(
    db: ClassDB, scenario_id: str, *, turns: Sequence[int] | None = None, drilled_or_turns: Sequence[int] | None = None
) -> list[Decided]:
    """The decisions of a scenario's games, by turn then game: all of them, those at `turns`, or (with
    `drilled_or_turns`) those where a drill was put or at one of those turns."""
    where = ""
    params: tuple[Any, ...] = (scenario_id,)
    if turns:
        chosen = sorted(set(turns))
        where, params = f" AND d.turn IN ({','.join('?' * len(chosen))})", (scenario_id, *chosen)
    elif drilled_or_turns is not None:
        chosen = sorted(set(drilled_or_turns))
        where = (
            " AND (d.drill_json IS NOT NULL"
            + (f" OR d.turn IN ({','.join('?' * len(chosen))})" if chosen else "")
            + ")"
        )
        params = (scenario_id, *chosen)
    rows = db.query(
        "SELECT d.game_id, d.turn, g.trainee, d.choices_json, d.outcome_json, d.model_json, d.ranking_json, d.chosen, "
        "d.estimate_json, d.drill_json, d.rationale FROM decisions d JOIN games g ON g.id = d.game_id "
        f"WHERE g.scenario_id = ?{where} ORDER BY d.turn, d.game_id",
        params,
    )
    out: list[Decided] = []
    for r in rows:
        where_row = f"the decision of game {r['game_id']} at turn {r['turn']}"
        if not isinstance(r["turn"], int) or not isinstance(r["rationale"], str) or not isinstance(r["trainee"], str):
            raise ClassDbError(
                f"the class database {db.path} is damaged: {where_row} has a turn, trainee or rationale of the "
                "wrong type; import the journals into a new database"
            )
        chosen_option = r["chosen"]
        out.append(
            Decided(
                game_id=int(r["game_id"]),
                turn=r["turn"],
                trainee=r["trainee"],
                choices=_column(db, r, "choices_json", where_row),
                outcome=_column(db, r, "outcome_json", where_row),
                model=_column(db, r, "model_json", where_row),
                ranking=_column(db, r, "ranking_json", where_row) or [],
                chosen=chosen_option if isinstance(chosen_option, str) else None,
                estimate=_column(db, r, "estimate_json", where_row),
                drill=_column(db, r, "drill_json", where_row),
                rationale=r["rationale"],
            )
        )
    return out


def interventions(db: ClassDB, scenario_id: str) -> list[InterventionRow]:
    """The umpire's interventions in a scenario's games, game by game in the order made."""
    rows = db.query(
        "SELECT g.trainee, i.turn, i.kind, i.target, i.summary, i.reason FROM interventions i "
        "JOIN games g ON g.id = i.game_id WHERE g.scenario_id = ? ORDER BY g.id, i.seq",
        (scenario_id,),
    )
    return [_check(db, _INTERVENTION, dict(r), "an umpire intervention") for r in rows]


def moments(db: ClassDB, scenario_id: str) -> list[MomentRow]:
    """The teaching moments a scenario's games hit, by turn."""
    rows = db.query(
        "SELECT g.trainee, m.game_id, m.moment_id, m.title, m.turn FROM moments m JOIN games g ON g.id = m.game_id "
        "WHERE g.scenario_id = ? ORDER BY m.turn",
        (scenario_id,),
    )
    return [_check(db, _MOMENT, dict(r), f"a teaching moment of game {r['game_id']}") for r in rows]


def estimates(db: ClassDB, scenario_id: str) -> list[tuple[str, Estimate]]:
    """(trainee, estimate) for every probability estimated in a scenario's games."""
    rows = db.query(
        "SELECT g.trainee, d.game_id, d.turn, d.estimate_json FROM decisions d JOIN games g ON g.id = d.game_id "
        "WHERE g.scenario_id = ? AND d.estimate_json IS NOT NULL",
        (scenario_id,),
    )
    out = []
    for r in rows:
        estimate = _column(db, r, "estimate_json", f"the decision of game {r['game_id']} at turn {r['turn']}")
        if estimate is not None:
            out.append((str(r["trainee"]), estimate))
    return out


def interventions_by_trainee(db: ClassDB, scenario_id: str) -> Counter[str]:
    """How many interventions each trainee's games had."""
    rows = db.query(
        "SELECT g.trainee FROM interventions i JOIN games g ON g.id = i.game_id WHERE g.scenario_id = ?", (scenario_id,)
    )
    return Counter(str(r["trainee"]) for r in rows)
