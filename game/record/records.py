"""The journal's records as typed models: one pydantic model per record type, chosen by the line's `type`.

Every line of a journal is validated here before anything reads it, so a hand-edited or damaged save (a
negative seed, `"notes": 5`, a drill answer without its turn, an umpire record with a value of 1e999) is
refused with the field that is wrong, never met later as a TypeError deep in the debrief. Each text has a
length limit, each list a size limit and each number a finite, sane range: a save is data from anyone.

Types this version does not know are kept as `OtherRecord` (their raw JSON untouched) and never
interpreted, so a newer Salient can add record types without a new format version. Every model keeps the
exact JSON it was read from in `.raw`: replay compares recorded reports with replayed ones as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from game.engine.orders import Orders
from game.engine.report import Forecast, Intel, TurnReport

FORMAT_NAME = "salient-journal"
FORMAT_VERSION = 1

MAX_TURN = 10_000
"""Far beyond any scenario (at most 200 turns); a larger turn number is damage."""
MAX_SEED = 2**63 - 1
"""Seeds are 64-bit: the engine's dice take the seed as two 32-bit words."""
MAX_NAME_CHARS = 200
"""Longest trainee name a save, the class database and the commands accept: a name is a label on a report, and
a name of megabytes would make every report of the class that large."""

HEADER = "header"
TURN = "turn"
BRANCH = "branch"
LUCK = "luck"
UMPIRE = "umpire"
DRILL = "drill"
DRAFT = "draft"
KNOWN_TYPES = frozenset({HEADER, TURN, BRANCH, LUCK, UMPIRE, DRILL, DRAFT})

Stamp = Annotated[str, Field(max_length=40)]
"""A time stamp or version string."""
Name = Annotated[str, Field(max_length=1000)]
"""A name, an id, a label: short texts."""
Words = Annotated[str, Field(max_length=20_000)]
"""Free text a person wrote (a rationale, a reason, a note)."""
TurnNumber = Annotated[int, Field(ge=1, le=MAX_TURN)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Chance = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Record(BaseModel):
    """Base of every journal record: unknown keys ignored (a newer Salient may add some), the raw JSON kept."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        record = handler(data)
        if isinstance(data, dict) and isinstance(record, Record):
            record._raw = data
        return record

    @property
    def raw(self) -> dict[str, Any]:
        """The record exactly as read from (or written to) the journal."""
        return self._raw


class Header(Record):
    """The first line: what game this is (scenario, seed, trainee) and which format wrote it."""

    type: Literal["header"] = "header"
    format: Literal["salient-journal"] = "salient-journal"
    version: int = Field(ge=1, le=FORMAT_VERSION)
    created: Stamp = ""
    salient: Stamp = ""
    scenario_id: Name = ""
    scenario_path: Annotated[str, Field(max_length=4096)] | None = None
    scenario_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    seed: int = Field(ge=0, le=MAX_SEED)
    trainee: Annotated[str, Field(max_length=MAX_NAME_CHARS)] = ""
    scenario: dict[str, Any]

    @model_validator(mode="after")
    def _scenario_id(self) -> Header:
        """Headers that named no scenario id take it from the embedded scenario."""
        if not self.scenario_id:
            meta = self.scenario.get("meta")
            ident = meta.get("id") if isinstance(meta, dict) else None
            if isinstance(ident, str):
                object.__setattr__(self, "scenario_id", ident[:1000])
        return self


class TurnRecord(Record):
    """One played turn: the orders, what the trainee was shown, and what happened."""

    type: Literal["turn"] = "turn"
    turn: TurnNumber
    written: Stamp = ""
    orders: Orders
    intel: Intel | None = None
    forecast: Forecast | None = None
    report: TurnReport

    @model_validator(mode="after")
    def _report_matches(self) -> TurnRecord:
        if self.report.turn != self.turn:
            raise ValueError(f"its report is for turn {self.report.turn}, not turn {self.turn}")
        return self


class BranchTurn(Record):
    """One turn of a what-if branch."""

    turn: TurnNumber
    orders: Orders
    report: TurnReport


class BranchSource(BaseModel):
    """Where a branch's orders came from: a policy, or orders (from a file or the debrief) then `then`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Name = ""
    policy: Name | None = None
    file: Annotated[str, Field(max_length=4096)] | None = None
    then: Name | None = None
    orders: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_TURN)


class GameFigures(BaseModel):
    """The figures a branch and its original are compared on (`game.record.branch.GameSummary`)."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    score: float = 0.0
    area_held_sq_mi: float = 0.0
    own_losses: float = 0.0
    enemy_losses: float = 0.0
    ending: Name | None = None
    turns: int = Field(default=0, ge=0, le=MAX_TURN)


class BranchSummary(BaseModel):
    """The branch's figures beside the original's, as they were when the branch was played."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    branch: GameFigures | None = None
    original: GameFigures | None = None


class BranchRecord(Record):
    """A what-if branch: from `from_turn` on, other orders on the same dice. Never part of the score."""

    type: Literal["branch"] = "branch"
    id: Name = Field(min_length=1)
    label: Name = ""
    created: Stamp = ""
    from_turn: TurnNumber
    source: BranchSource = Field(default_factory=BranchSource)
    turns: list[BranchTurn] = Field(max_length=MAX_TURN)
    score: dict[str, Any] = Field(default_factory=dict)
    summary: BranchSummary = Field(default_factory=BranchSummary)
    notes: list[Words] = Field(default_factory=list, max_length=MAX_TURN)


class LuckKey(BaseModel):
    """What a cached luck analysis was computed from; it is reused only when all of it matches (also any part a
    later version adds, which is kept)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    turns: int = Field(ge=0, le=MAX_TURN)
    replications: int = Field(ge=1, le=10_000_000)
    horizon: int = Field(ge=0, le=MAX_TURN)
    cases: list[Name] = Field(max_length=100)
    salient: Stamp
    scenario_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class LuckRecord(Record):
    """The luck-against-judgement analysis, cached (its report is read by `game.debrief.luck_cache`)."""

    type: Literal["luck"] = "luck"
    written: Stamp = ""
    key: LuckKey
    report: dict[str, Any]


InterventionKind = Literal[
    "fire_inject",
    "set_rate",
    "scale_rate",
    "set_stock",
    "change_stock",
    "set_road_state",
    "set_strength",
    "change_strength",
    "change_morale",
]
"""What an umpire may do (game.record.interventions says what each one's target and value are)."""


class Intervention(Record):
    """One umpire decision, as asked for and as journalled (applied by `game.record.interventions`)."""

    type: Literal["umpire"] = "umpire"
    kind: InterventionKind
    target: str = Field(min_length=1, max_length=200)
    value: Finite | Annotated[str, Field(max_length=200)] | None = None
    reason: str = Field(max_length=2000)
    turn: int = Field(default=0, ge=0, le=MAX_TURN)
    """The turn about to be played when it was made (set when applied)."""
    seq: int = Field(default=0, ge=0, le=1_000_000)
    """Order among the game's interventions, from 1 (set when applied)."""
    summary: Words = ""
    """What was done, in words, with the value before and after (set when applied)."""
    announce: Words = ""
    """What the trainee is told ('' for nothing: only trainee-visible injects are announced)."""
    written: Stamp = ""
    """When it was journalled (UTC)."""

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("every intervention needs a reason")
        return value.strip()


class DrillEstimate(BaseModel):
    """The probability the trainee gave for a drill's question, and the model's for the same event."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)

    question: Name | None = None
    metric: Name
    p: Chance | None = None
    model_p: Chance | None = None


class DrillRecord(Record):
    """A drill's answer, journalled with the drill's id and the turn the drill was put."""

    type: Literal["drill"] = "drill"
    drill: Name
    turn: TurnNumber
    written: Stamp = ""
    rationale: Words = ""
    ranking: list[Name] = Field(default_factory=list, max_length=100)
    chosen: Name | None = None
    estimate: DrillEstimate | None = None
    started: Stamp = ""
    elapsed_s: float = Field(default=0.0, ge=0.0, le=10 * 365 * 86_400, allow_inf_nan=False)
    time_limit_s: int | None = Field(default=None, ge=0, le=86_400)
    late: bool = False
    timed_out: bool = False
    orders_from: Literal["option", "trainee", "standing"] = "trainee"
    adopted: bool = False
    problems: list[Words] = Field(default_factory=list, max_length=100)

    @property
    def imposed(self) -> bool:
        """Whether this answer replaced the trainee's orders without their asking. Journals written before drills
        left the orders to the trainee carried out the chosen option's orders, or the default orders when time
        ran out; a trainee is not taught about orders they did not give."""
        return self.orders_from in ("option", "standing") and not self.adopted


class DraftRecord(Record):
    """Orders being planned when the game was saved, restored when it is continued."""

    type: Literal["draft"] = "draft"
    turn: TurnNumber
    written: Stamp = ""
    orders: Orders


class OtherRecord(Record):
    """A record of a type this version does not know: kept as written, never interpreted."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str = Field(min_length=1, max_length=100)


def _tag(raw: Any) -> str:
    kind = raw.get("type") if isinstance(raw, dict) else getattr(raw, "type", None)
    return kind if isinstance(kind, str) and kind in KNOWN_TYPES else "other"


AnyRecord: TypeAlias = Annotated[
    Annotated[Header, Tag(HEADER)]
    | Annotated[TurnRecord, Tag(TURN)]
    | Annotated[BranchRecord, Tag(BRANCH)]
    | Annotated[LuckRecord, Tag(LUCK)]
    | Annotated[Intervention, Tag(UMPIRE)]
    | Annotated[DrillRecord, Tag(DRILL)]
    | Annotated[DraftRecord, Tag(DRAFT)]
    | Annotated[OtherRecord, Tag("other")],
    Discriminator(_tag),
]
"""Any line of a journal, chosen by its `type` (an unknown type is an `OtherRecord`)."""

ExtraRecord: TypeAlias = LuckRecord | Intervention | DrillRecord | DraftRecord | OtherRecord
"""A record beside the turns and branches: kept in file order in `LoadedJournal.records`."""

_ADAPTER: TypeAdapter[AnyRecord] = TypeAdapter(AnyRecord)


class RecordError(ValueError):
    """A journal line that does not validate; the message names the record type and the field."""


def describe(error: ValidationError, what: str) -> str:
    """The first problem of a validation error in plain words: `the drill record, field turn: …`."""
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"]]
    if loc and loc[0] in KNOWN_TYPES | {"other"}:
        loc = loc[1:]  # the union's tag, not a field
    field = ".".join(p for p in loc if not _union_member(p))
    others = {".".join(p for p in map(str, e["loc"][1:]) if not _union_member(p)) for e in error.errors()[1:]} - {field}
    more = f" (and {len(others)} more)" if others else ""
    message = first["msg"].removeprefix("Value error, ")
    return f"{what}, field {field}: {message}{more}" if field else f"{what}: {message}{more}"


def _union_member(part: str) -> bool:
    """A location part that names which member of a union was tried (`float`, `constrained-str`), not a field."""
    return part in {"float", "int", "str", "bool", "none"} or "-" in part or "[" in part


def field_path(loc: Sequence[int | str]) -> str:
    """The dotted path of a validation error's location, without the names of union members pydantic adds."""
    return ".".join(str(p) for p in loc if not _union_member(str(p)))


def parse_record(raw: dict[str, Any]) -> AnyRecord:
    """The typed record of one journal line; RecordError naming the type and field when it is not valid."""
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as error:
        kind = _tag(raw)
        what = f"the {kind} record" if kind != "other" else "a record"
        if kind == TURN and isinstance(raw.get("turn"), int):
            what = f"the record of turn {raw['turn']}"
        raise RecordError(describe(error, what)) from None
