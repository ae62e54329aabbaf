"""The journal of one game: an append-only JSON Lines file that is both the save and the record.

Why a journal rather than a snapshot: the engine is deterministic given (scenario, seed, orders), so the
orders are the game. Each turn's line is written with one `write` on an O_APPEND descriptor and fsynced
before the next turn starts, so a crash, Ctrl+C, kill -9 or power cut loses at most the turn being written.
Such a torn last line is detected on reading (an incomplete JSON object, or NUL bytes a file system left
behind) and the game resumes from the last whole turn; `Journal.open_existing` cuts the torn bytes off and
keeps them in a `.torn` file beside the journal. The header is written atomically (temporary file, fsync,
`os.replace`), so a journal either has a whole header or does not exist.

The scenario is embedded in the header (with its SHA-256 over canonical JSON) so a game can still be
replayed after the scenario file is edited. See `format.py` for the line layout, `replay.py` for replay.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from game import __version__
from game.engine.orders import Orders
from game.engine.report import Forecast, Intel, TurnReport
from game.scenario import Scenario

from . import redact, signing
from .atomic import write_atomic
from .canonical import sha256_hex, to_jsonable
from .format import FORMAT_NAME, FORMAT_VERSION, JournalError, now_iso, parse_header
from .records import (
    BRANCH,
    HEADER,
    TURN,
    BranchRecord,
    DraftRecord,
    DrillRecord,
    ExtraRecord,
    Header,
    Intervention,
    LuckRecord,
    OtherRecord,
    RecordError,
    TurnRecord,
    parse_record,
)

if TYPE_CHECKING:
    from game.engine.game import Game

__all__ = ["Journal", "JournalError", "LoadedJournal", "load_journal", "parse_journal_bytes", "replay"]

_BLANK = b" \t\r\n\x00"


@dataclass
class LoadedJournal:
    """Everything whole in a journal file, plus what was wrong with the rest.

    `turns` are the whole turns from the start up to the first damage; `torn` says the last line was cut
    short (a crash while writing), `problems` lists damage that is not a torn tail (a bad line in the
    middle, a turn out of sequence). Every other record (drill answers, umpire interventions, cached analyses,
    drafts, and types this version does not know) is kept in file order in `records`, typed.
    """

    path: Path | None
    header: Header
    turns: list[TurnRecord] = field(default_factory=list)
    branches: list[BranchRecord] = field(default_factory=list)
    records: list[ExtraRecord] = field(default_factory=list)
    torn: bool = False
    torn_bytes: int = 0
    problems: list[str] = field(default_factory=list)
    end_offset: int = 0
    """Byte offset just after the last whole record."""
    missing_newline: bool = False
    """The last whole record lacks its final newline (the cut fell exactly before it)."""
    signed_by: str = ""
    """Id of the instructor key that signed the header ('' when unsigned); such a game's dice need that key."""
    forged: str = ""
    """The instructor key's verdict on the first line whose signature fails ('' when all that were read hold)."""
    trainee_copy: Path | None = None
    """Set when this full record was read in place of a trainee's copy (game.record.redact): that copy's path."""

    @cached_property
    def scenario(self) -> Scenario:
        """The embedded scenario, validated by this version of Salient; JournalError when it no longer validates."""
        try:
            return Scenario.model_validate(self.header.scenario)
        except ValidationError as error:
            shown = [f"{'.'.join(str(p) for p in e['loc']) or 'scenario'}: {e['msg']}" for e in error.errors()[:5]]
            more = f" (and {error.error_count() - 5} more)" if error.error_count() > 5 else ""
            raise JournalError(
                "the scenario saved in this journal no longer validates with this version of Salient: "
                + "; ".join(shown)
                + more
            ) from None

    @property
    def others(self) -> list[dict[str, Any]]:
        """The raw JSON of every record besides turns and branches, in file order."""
        return [r.raw for r in self.records]

    @property
    def drills(self) -> list[DrillRecord]:
        """The drill answers, in file order."""
        return [r for r in self.records if isinstance(r, DrillRecord)]

    @property
    def interventions(self) -> list[Intervention]:
        """The umpire's interventions, in the order they were made."""
        return [r for r in self.records if isinstance(r, Intervention)]

    @property
    def luck(self) -> list[LuckRecord]:
        """Cached luck analyses, oldest first."""
        return [r for r in self.records if isinstance(r, LuckRecord)]

    @property
    def drafts(self) -> list[DraftRecord]:
        """Orders saved while being planned, oldest first."""
        return [r for r in self.records if isinstance(r, DraftRecord)]

    @property
    def unknown(self) -> list[OtherRecord]:
        """Records of types this version does not know (kept, never interpreted)."""
        return [r for r in self.records if isinstance(r, OtherRecord)]

    def drills_put(self) -> dict[str, int]:
        """Drill id → the turn it was put (the first answer for each drill)."""
        out: dict[str, int] = {}
        for answer in self.drills:
            out.setdefault(answer.drill, answer.turn)
        return out

    def drill_answers(self) -> dict[int, DrillRecord]:
        """Turn → the drill answer journalled for it (one drill is put a turn at most; the last answer wins)."""
        return {answer.turn: answer for answer in self.drills}

    @property
    def seed(self) -> int:
        """The game's seed."""
        return self.header.seed

    @property
    def finished(self) -> bool:
        """True when the last whole turn ended the game."""
        return bool(self.turns) and self.turns[-1].report.ending is not None

    @property
    def intact(self) -> bool:
        """No damage at all (a torn tail counts as damage here)."""
        return not self.torn and not self.problems

    def damage_note(self) -> str:
        """One plain sentence about what was lost, or '' when nothing was."""
        n = len(self.turns)
        kept = f"the {n} whole turns before it are kept" if n != 1 else "the one whole turn before it is kept"
        if self.problems:
            return f"{self.problems[0]}; {kept}"
        if self.torn:
            return f"the last line was cut short ({self.torn_bytes} bytes, a record being written when the game stopped); {kept}"
        return ""


MAX_JOURNAL_BYTES = 64 * 1024 * 1024
"""A long Kursk game with many what-if branches takes a few MB; a file far larger is not a save Salient wrote,
and reading it whole would cost its size in memory several times over."""
MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest record Salient writes is the header, which embeds the scenario (about 100 KB for Kursk)."""


def _split_lines(data: bytes) -> list[tuple[int, int, bool]]:
    """(start, end, has_newline) of each line; end excludes the newline."""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            out.append((pos, len(data), False))
            break
        out.append((pos, nl, True))
        pos = nl + 1
    return out


def _json_object(chunk: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(chunk.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def parse_journal_bytes(data: bytes, path: Path | None = None) -> LoadedJournal:
    """Read a journal from its bytes (see `load_journal`)."""
    name = str(path) if path else "the journal"
    lines = _split_lines(data)
    if not data.strip(_BLANK) or not lines:
        raise JournalError(f"{name} is empty: not a Salient journal")
    h_start, h_end, h_nl = lines[0]
    if h_end - h_start > MAX_LINE_BYTES:
        raise JournalError(f"{name} is not a Salient journal (its first line is longer than any header)")
    verifier = signing.LineVerifier(signing.load_key(), name)
    header_raw = _json_object(verifier.header(data[h_start:h_end]))
    if header_raw is None:
        raise JournalError(f"{name} is not a Salient journal (its first line is not a JSON object)")
    header = parse_header(header_raw, name)
    verifier.check_header()
    if sha256_hex(header.scenario) != header.scenario_sha256:
        raise JournalError(
            f"the scenario saved in {name} does not match its recorded hash: the file was edited or damaged"
        )
    loaded = LoadedJournal(path=path, header=header, end_offset=h_end + (1 if h_nl else 0), missing_newline=not h_nl)
    loaded.signed_by = verifier.signed_by
    for index, (start, end, has_nl) in enumerate(lines[1:], start=2):
        chunk = data[start:end]
        if not chunk.strip(_BLANK) and has_nl:
            loaded.end_offset = end + 1
            continue
        is_last = not data[end:].strip(_BLANK)
        if len(chunk) > MAX_LINE_BYTES:
            loaded.problems.append(
                f"line {index} of {name} is {len(chunk) / 2**20:,.0f} MB, longer than any "
                "record Salient writes (damaged or edited)"
            )
            break
        raw = _json_object(verifier.record(chunk))
        if raw is None:
            if is_last:
                loaded.torn = True
                loaded.torn_bytes = len(data) - start
            else:
                loaded.problems.append(f"line {index} of {name} is not a whole JSON record (damaged)")
            break
        loaded.forged = verifier.problem(index) or ""
        problem = loaded.forged or _take(loaded, raw, index)
        if problem:
            loaded.problems.append(problem)
            break
        loaded.end_offset = end + 1 if has_nl else end
        loaded.missing_newline = not has_nl
    return loaded


def _take(loaded: LoadedJournal, raw: dict[str, Any], index: int) -> str | None:
    """File one parsed line into `loaded`; a problem sentence (naming the line and field) when it cannot be."""
    if not isinstance(raw.get("type"), str):
        return f"line {index}: a record without a type"
    try:
        record = parse_record(raw)
    except RecordError as error:
        return f"line {index}: {error}"
    if isinstance(record, TurnRecord):
        expected = len(loaded.turns) + 1
        if record.turn != expected:
            return f"line {index}: turn {record.turn} is out of sequence (expected turn {expected})"
        if loaded.finished:
            return f"line {index}: turn {record.turn} follows the end of the game"
        loaded.turns.append(record)
    elif isinstance(record, BranchRecord):
        loaded.branches.append(record)
    elif isinstance(record, Header):
        return f"line {index}: a second header (two journals joined together?)"
    else:
        loaded.records.append(record)
    return None


def load_journal(path: str | os.PathLike[str]) -> LoadedJournal:
    """Read a journal; keeps every whole turn before the first damage and says what the damage was.

    Raises JournalError only when nothing can be used: a missing, empty or foreign file, a newer format
    version, or a damaged header. Check `.torn` and `.problems` for the rest.
    """
    p = Path(path)
    loaded = _read(p)
    copy_name = loaded.header.raw.get(redact.COPY_FIELD)
    if isinstance(copy_name, str) and loaded.signed_by and signing.load_key() is not None:
        full = _read(_full_record(copy_name, p))  # the key holder reads the whole record
        full.trainee_copy = p
        if loaded.forged:  # the record holds, but the trainee's copy was changed: say where
            full.forged = full.forged or loaded.forged
            full.problems.insert(0, loaded.forged)
        return full
    return loaded


def _read(p: Path) -> LoadedJournal:
    try:
        if p.is_file() and p.stat().st_size > MAX_JOURNAL_BYTES:
            raise JournalError(
                f"{p} is {p.stat().st_size / 2**20:,.0f} MB, far larger than any saved game "
                f"(at most {MAX_JOURNAL_BYTES // 2**20} MB): not read"
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"{p}: no such saved game") from None
    except IsADirectoryError:
        raise JournalError(f"{p} is a folder, not a saved game") from None
    except OSError as error:
        raise JournalError(f"{p}: cannot read it ({error.strerror or error})") from None
    return parse_journal_bytes(data, p)


def _full_record(copy_name: str, trainee_copy: Path) -> Path:
    """The instructor's full record that a trainee's copy names; JournalError when it is not there."""
    path = signing.games_dir() / copy_name
    if Path(copy_name).name != copy_name or not copy_name.endswith(".jsonl") or not path.is_file():
        raise JournalError(
            f"{trainee_copy} is a trainee's copy of a game whose full record ({copy_name}) is not in the "
            f"instructor's folder {signing.games_dir()}"
        )
    return path


def _line(raw: dict[str, Any]) -> bytes:
    text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    return (text + "\n").encode("utf-8")


def _ends_a_line(fd: int) -> bool:
    """True when the open file is empty or its last byte is a newline (appends go to the end regardless)."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return True
    os.lseek(fd, size - 1, os.SEEK_SET)
    return os.read(fd, 1) == b"\n"


def _append_bytes(path: Path, payload: bytes) -> None:
    """One write on an O_APPEND descriptor, then fsync: the line is whole on disk or (after a crash) torn.

    A file whose last line lacks its newline (cut just before it, or written by hand) first gets one, in the
    same write: a record joined onto the end of the line before it would turn both into one damaged line.
    """
    fd = os.open(path, os.O_RDWR | os.O_APPEND | getattr(os, "O_BINARY", 0))
    try:
        if not _ends_a_line(fd):
            payload = b"\n" + payload
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _unique(path: Path) -> Path:
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{n}")
        n += 1
    return candidate


class Journal:
    """Writer of one game's journal. Create it when the game starts; append a turn each time one ends."""

    def __init__(
        self, path: Path, header: Header, next_turn: int = 1, branch_count: int = 0, finished: bool = False
    ) -> None:
        self.path = path
        self.header = header
        self.next_turn = next_turn
        self.branch_count = branch_count
        self.finished = finished
        self.recovered: str = ""
        """After `open_existing`: what was cut from a torn tail, in a sentence ('' when nothing)."""
        self.loaded: LoadedJournal | None = None
        """After `open_existing`: the journal as read (before any new turns)."""
        self.full: Path | None = None
        """With an instructor key: the full record in the instructor's folder (`path` is then the trainee's copy)."""

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        scenario: Scenario,
        scenario_path: str | None,
        seed: int,
        trainee: str = "",
        *,
        overwrite: bool = False,
    ) -> Journal:
        """Start a new journal: the header is written to a temporary file, fsynced, then moved into place."""
        p = Path(path)
        if p.exists() and not overwrite:
            raise JournalError(f"{p} already exists; choose another file for the new game")
        scenario_raw = to_jsonable(scenario)
        raw = {
            "type": "header",
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "created": now_iso(),
            "salient": __version__,
            "scenario_id": scenario.meta.id,
            "scenario_path": None if scenario_path is None else str(scenario_path),
            "scenario_sha256": sha256_hex(scenario_raw),
            "seed": int(seed),
            "trainee": trainee,
            "scenario": scenario_raw,
        }
        header = parse_header(raw, str(p))
        key = signing.load_key()
        if key is not None:  # the full record to the instructor, a copy without the ground truth to the trainee
            full = signing.games_dir() / f"{p.stem}-{os.urandom(4).hex()}.jsonl"
            try:
                full.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                write_atomic(full, signing.sign_line(key, b"", _line(raw))[0])
            except OSError as error:
                raise JournalError(f"cannot write the instructor's record {full}: {error.strerror or error}") from None
            raw = redact.redact_header(raw, full.name)
        line = _line(raw) if key is None else signing.sign_line(key, b"", _line(raw))[0]
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(p, line)
        except OSError as error:
            raise JournalError(f"cannot write the saved game {p}: {error.strerror or error}") from None
        journal = cls(p, header)
        journal.full = None if key is None else full
        return journal

    @classmethod
    def open_existing(cls, path: str | os.PathLike[str]) -> Journal:
        """Reopen a journal to continue its game; a torn last line is cut off (and kept in `<name>.torn`).

        Damage other than a torn tail is refused: continuing would bury whole turns behind a bad line.
        """
        p = Path(path)
        loaded = load_journal(p)
        if loaded.problems:
            raise JournalError(f"cannot continue {p}: {loaded.problems[0]}")
        journal = cls(p, loaded.header, len(loaded.turns) + 1, len(loaded.branches), loaded.finished)
        if loaded.trainee_copy is not None and loaded.path is not None:
            journal.full = p = loaded.path  # the torn tail is cut from the full record; the copy is rebuilt below
        if loaded.torn:
            data = p.read_bytes()
            cut = data[loaded.end_offset :]
            backup = _unique(p.with_name(p.name + ".torn"))
            with open(backup, "wb") as handle:
                handle.write(cut)
                handle.flush()
                os.fsync(handle.fileno())
            with open(p, "r+b") as handle:
                handle.truncate(loaded.end_offset)
                handle.flush()
                os.fsync(handle.fileno())
            journal.recovered = (
                f"the last line of {p.name} was cut short ({len(cut)} bytes); resuming after turn "
                f"{len(loaded.turns)}; the cut bytes are kept in {backup.name}"
            )
        if journal.full is not None:
            journal.rebuild_trainee_copy()
        journal.loaded = loaded
        return journal

    def rebuild_trainee_copy(self) -> None:
        """Write the trainee's copy afresh from the full record (after a repair, or to undo edits to the copy)."""
        key = signing.load_key()
        if self.full is None or key is None:
            return
        lines, previous = [], b""
        for number, chunk in enumerate(self.full.read_bytes().splitlines()):
            raw = _json_object(signing.split_signature(chunk)[0])
            if raw is None:
                continue
            kept = redact.redact_header(raw, self.full.name) if number == 0 else self._redacted(raw)
            if kept is not None:
                line, previous = signing.sign_line(key, previous, _line(kept))
                lines.append(line)
        try:
            write_atomic(self.path, b"".join(lines))
        except OSError as error:
            raise JournalError(f"cannot write the saved game {self.path}: {error.strerror or error}") from None

    def _redacted(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        return redact.redact_record(raw, redact.Hidden(self.header.scenario))

    # --- appending --------------------------------------------------------------------------

    def append_turn(
        self, turn: int, orders: Orders, intel: Intel | None, forecast: Forecast | None, report: TurnReport
    ) -> None:
        """Record a resolved turn (call it as the turn ends); durable on disk when this returns."""
        if self.finished:
            raise JournalError(f"the game in {self.path.name} has ended; no turn can follow")
        if turn != self.next_turn or report.turn != turn:
            raise JournalError(
                f"turn {turn} (report for turn {report.turn}) cannot follow: {self.path.name} expects turn {self.next_turn}"
            )
        raw = {
            "type": "turn",
            "turn": turn,
            "written": now_iso(),
            "orders": to_jsonable(orders),
            "intel": None if intel is None else to_jsonable(intel),
            "forecast": None if forecast is None else to_jsonable(forecast),
            "report": to_jsonable(report),
        }
        self._append(raw)
        self.next_turn += 1
        self.finished = report.ending is not None

    def append_branch(self, raw: dict[str, Any]) -> None:
        """Record a what-if branch (built by `game.record.branch`); it never counts in the score."""
        record = {**raw, "type": BRANCH}
        try:
            parse_record(record)
        except RecordError as error:
            raise JournalError(f"the branch was not stored: {error}") from None
        self._append(record)
        self.branch_count += 1

    def append_record(self, record_type: str, payload: dict[str, Any]) -> None:
        """Record another kind of event (an umpire intervention, a note); readers keep types they do not know."""
        if record_type in {HEADER, TURN, BRANCH}:
            raise ValueError(f"use the dedicated method for '{record_type}' records")
        record = {"type": record_type, "written": now_iso(), **to_jsonable(payload)}
        try:
            parse_record(record)  # what readers would refuse is never written
        except RecordError as error:
            raise JournalError(f"the {record_type} record was not written to {self.path.name}: {error}") from None
        self._append(record)

    def _append(self, raw: dict[str, Any]) -> None:
        try:
            if self.full is not None:  # full record first: the trainee's copy never holds more than it
                _append_bytes(self.full, self._signed(self.full, _line(raw)))
                kept = self._redacted(raw)
                if kept is None:
                    return
                raw = kept
            _append_bytes(self.path, self._signed(self.path, _line(raw)))
        except OSError as error:
            raise JournalError(f"cannot write to the saved game {self.path}: {error.strerror or error}") from None

    @staticmethod
    def _signed(path: Path, line: bytes) -> bytes:
        """The line chained to the file's last signature when the journal is signed and the key is here."""
        key = signing.load_key()
        if key is None:
            return line
        key_id, previous = signing.tail_signature(path)
        if not key_id:
            return line  # an unsigned journal stays unsigned (reading it with the key says so)
        if key_id != key.id:
            raise JournalError(f"{path} is signed with another instructor key; nothing is added to it")
        return signing.sign_line(key, previous, line)[0]


def replay(loaded: LoadedJournal, **options: Any) -> Game:
    """The game as the journal leaves it: its whole turns replayed and checked, umpire interventions applied
    where they were made (also those of an unfinished turn). Options as `game.record.replay.replay_world`."""
    from .replay import replay_world

    options.setdefault("pending", options.get("upto") is None)
    return replay_world(loaded, **options)


def journal_writer(
    path: str | os.PathLike[str], scenario: Scenario, scenario_path: str | None, seed: int, trainee: str = ""
) -> Callable[[Game, Orders, TurnReport], None]:
    """For headless play (`salient run --save`): create the journal now; returns a callback
    `(game, orders, report)` that appends each turn as it ends (no Intel or Forecast: nobody was shown any)."""
    journal = Journal.create(path, scenario, scenario_path, seed, trainee, overwrite=True)

    def on_turn(game: Game, orders: Orders, report: TurnReport) -> None:
        journal.append_turn(report.turn, orders, None, None, report)

    return on_turn
