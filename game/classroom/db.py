"""The class database: one SQLite file indexing every recorded game of a class.

Why SQLite and why these settings: a classroom runs many games at once on one machine (or a shared disk),
each process recording its game as it ends. WAL mode lets readers (the instructor's report) run while a
game is written; each game is written in one short `BEGIN IMMEDIATE` transaction (the write lock is taken
up front, so two writers never deadlock upgrading a read lock); `busy_timeout` waits for a lock and a
retry loop with jittered back-off covers the rare "database is locked" that escapes it. The journal is
always written before the database, so a failed write loses nothing: the game can be imported again.

Location: `--db PATH`, else `$SALIENT_DB`, else `class.sqlite3` in the user data directory.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from game.errors import SalientError
from game.record.format import now_iso

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
