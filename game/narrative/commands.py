"""The command line in the voice of a text adventure: parse a line, change the orders, answer in words.

Pure and headless: `Interpreter.execute(line, context)` returns a `Reply` with the text to show,
new orders when the line changed them (the caller keeps the undo stack), and an action for the
caller (`end`, `undo`, `forecast`, `help`). Nothing here touches the engine's state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from game.engine.orders import Orders
from game.engine.report import Intel
from game.scenario import Scenario

from .describe import look_lines, overview_lines, status_lines
from .fmt import counted, humanise
from .help_text import TOPICS, help_lines
from .picture import Picture
from .safe_text import clean
from .vocabulary import (
    EW_WORDS,
    NONE_WORDS,
    POSTURE_WORDS,
    ROUTE_WORDS,
    SWITCH_WORDS,
    TASK_WORDS,
    TIME_WORDS,
    VERBS,
    CommandError,
    Lexicon,
    match,
    normalise,
    unknown_word,
)

Action = Literal["none", "undo", "end", "forecast", "help"]


@dataclass(frozen=True)
class Reply:
    """The answer to one line: text, maybe new orders, maybe an action for the caller."""

    lines: list[str]
    orders: Orders | None = None
    action: Action = "none"
    ok: bool = True
    topic: str | None = None
    """For `help`: the topic asked about."""


@dataclass(frozen=True)
class Context:
    """What a command may read: the scenario, the trainee's picture, the estimate and the current orders."""

    scenario: Scenario
    picture: Picture
    intel: Intel | None
    orders: Orders
    hours: str = ""
    withdrawing: bool = False
    """The grouping is already on its way out (ordered on an earlier turn): no order can stop it now."""


@dataclass
class Interpreter:
    """Turns lines into replies; remembers only a withdrawal waiting for confirmation."""

    scenario: Scenario
    lexicon: Lexicon = field(init=False)
    pending: Orders | None = None

    def __post_init__(self) -> None:
        self.lexicon = Lexicon.of(self.scenario)

    def execute(self, line: str, ctx: Context) -> Reply:
        """Answer one line; never raises for bad input (the reply says what went wrong)."""
        words = line.lstrip(":/ ").replace(",", " ").split()
        if not words:
            return Reply(["Type a command, or help."], ok=False)
        pending, self.pending = self.pending, None
        try:
            verb = self._verb(words[0])
            if verb in ("yes", "no"):
                return self._confirm(verb == "yes", pending)
            handler: Callable[[list[str], Context], Reply] = getattr(self, f"_do_{verb}")
            reply = handler(words[1:], ctx)
        except CommandError as error:
            return Reply([str(error)], ok=False)
        return replace(reply, lines=[clean(line) for line in reply.lines])

    # --- verbs -----------------------------------------------------------------------------

    def _verb(self, word: str) -> str:
        try:
            return match(word, VERBS, "command")
        except CommandError as error:
            if normalise(word) in self.lexicon.sectors:
                raise CommandError(
                    f"To give {word} a posture, type: order {word} POSTURE (e.g. order {word} fortify)."
                ) from error
            raise

    def _do_status(self, args: list[str], ctx: Context) -> Reply:
        return Reply(status_lines(ctx.scenario, ctx.picture, ctx.orders, ctx.hours))

    def _do_look(self, args: list[str], ctx: Context) -> Reply:
        ordered = self._ordered_postures(ctx)
        pic = replace(ctx.picture, postures={**ctx.picture.postures, **ordered})  # the postures as now ordered
        if not args:
            lines = overview_lines(ctx.scenario, pic, ctx.intel)
            if ordered:
                lines.append(
                    "Ordered this turn, in effect when it ends: "
                    + ", ".join(
                        f"{self._sector_name(k)} {humanise(v)} (now {humanise(ctx.picture.postures[k])})"
                        for k, v in ordered.items()
                    )
                    + "."
                )
            return Reply(lines)
        kind, ident = self._thing("_".join(args))
        lines = look_lines(ctx.scenario, pic, ctx.intel, kind, ident)
        if kind == "sector" and ident in ordered:
            lines.append(
                f"{humanise(ordered[ident]).capitalize()} is your order for this turn; until the turn ends "
                f"the posture is still {humanise(ctx.picture.postures[ident])}."
            )
        return Reply(lines)

    def _ordered_postures(self, ctx: Context) -> dict[str, str]:
        """Postures ordered this turn that differ from the one in effect (sector id → posture)."""
        side = ctx.scenario.meta.player_side
        return {
            k: v
            for k, v in ctx.orders.postures.items()
            if k in ctx.picture.postures and ctx.picture.postures[k] != v and ctx.picture.sector_holder.get(k) == side
        }

    def _thing(self, word: str) -> tuple[str, str]:
        """What `look` is pointed at: (kind, id)."""
        lex = self.lexicon
        specials = {
            "road": "route",
            "supply_road": "route",
            "route": "route",
            "tracks": "route",
            "enemy": "enemy",
            "opfor": "enemy",
            "stocks": "stocks",
            "supply": "stocks",
        }
        tables: list[tuple[str, dict[str, str]]] = [
            ("sector", {k: v for k, v in lex.sectors.items() if k not in lex.places}),
            ("place", lex.places),
            ("road", lex.roads),
            ("unit", lex.own_units),
        ]
        words = {
            **{k: f"{kind}:{v}" for kind, table in tables for k, v in table.items()},
            **{k: f"{v}:{v}" for k, v in specials.items()},
        }
        kind, _, ident = match(word, words, "place, sector, road or unit").partition(":")
        return kind, ident

    def _do_order(self, args: list[str], ctx: Context) -> Reply:
        if len(args) < 2:
            raise CommandError("Order which sector into which posture? e.g. order north fortify")
        posture = match(args[-1], POSTURE_WORDS, "posture")
        where = "_".join(args[:-1])
        own = [
            s.id
            for s in ctx.scenario.map.sectors
            if ctx.picture.sector_holder.get(s.id, s.holder) == ctx.scenario.meta.player_side
        ]
        if normalise(where) == "all":
            targets = own
        else:
            sector = match(where, self.lexicon.sectors, "sector")
            if sector not in own:
                raise CommandError(f"We do not hold {self._sector_name(sector)}; postures are for our sectors.")
            targets = [sector]
        new = ctx.orders.model_copy(update={"postures": {**ctx.orders.postures, **dict.fromkeys(targets, posture)}})
        names = ", ".join(self._sector_name(t) for t in targets)
        return Reply([f"{names}: {humanise(posture)}."], orders=new)

    def _do_drones(self, args: list[str], ctx: Context) -> Reply:
        task, n = self._word_and_number(args, TASK_WORDS, "drone task", "drones strike 4")
        drones = ctx.orders.drones.model_copy(update={task: n})
        teams = sum(g.teams for g in ctx.scenario.player.drone_teams)
        if drones.total() > teams:
            raise CommandError(
                f"That would task {drones.total()} drone teams; you have {teams}. "
                f"Take some off another task first (status shows them)."
            )
        return Reply(
            [f"{counted(n, 'drone team')} on {humanise(task)}; {teams - drones.total()} left untasked."],
            orders=ctx.orders.model_copy(update={"drones": drones}),
        )

    def _do_ew(self, args: list[str], ctx: Context) -> Reply:
        where, n = self._word_and_number(args, EW_WORDS, "EW focus", "ew road 2")
        ew = ctx.orders.ew.model_copy(update={where: n})
        teams = sum(g.teams for g in ctx.scenario.player.electronic_warfare)
        if ew.front + ew.road > teams:
            raise CommandError(f"That would need {ew.front + ew.road} jamming teams; you have {teams}.")
        return Reply(
            [f"{counted(n, 'jamming team')} over the {where}."], orders=ctx.orders.model_copy(update={"ew": ew})
        )

    def _do_convoy(self, args: list[str], ctx: Context) -> Reply:
        when, n = self._word_and_number(args, TIME_WORDS, "time of day", "convoy night 6")
        convoys = ctx.orders.convoys.model_copy(update={when: n})
        trucks = ctx.scenario.supply.convoys.trucks_available
        if convoys.day + convoys.night > trucks:
            raise CommandError(f"That would send {convoys.day + convoys.night} trucks; {trucks} are available.")
        return Reply(
            [f"{counted(n, 'truck')} will run by {when}."], orders=ctx.orders.model_copy(update={"convoys": convoys})
        )

    def _do_escort(self, args: list[str], ctx: Context) -> Reply:
        on = self._switch(args, "escort on")
        convoys = ctx.orders.convoys.model_copy(update={"escort": on})
        return Reply(
            [f"Convoys {'will' if on else 'will not'} be escorted."],
            orders=ctx.orders.model_copy(update={"convoys": convoys}),
        )

    def _do_route(self, args: list[str], ctx: Context) -> Reply:
        if len(args) != 1:
            raise CommandError("Which route? route road  or  route tracks")
        route = match(args[0], ROUTE_WORDS, "route")
        if route == "tracks" and not ctx.scenario.map.track_route:
            raise CommandError("There are no field tracks in this scenario; convoys take the road.")
        convoys = ctx.orders.convoys.model_copy(update={"route": route})
        return Reply([f"Convoys will take the {route}."], orders=ctx.orders.model_copy(update={"convoys": convoys}))

    def _do_netting(self, args: list[str], ctx: Context) -> Reply:
        on = self._switch(args, "netting on")
        return Reply(
            [f"Engineers {'will' if on else 'will not'} lay netting over the road."],
            orders=ctx.orders.model_copy(update={"netting": on}),
        )

    def _do_reserve(self, args: list[str], ctx: Context) -> Reply:
        if len(args) < 2:
            names = ", ".join(ctx.picture.reserves) or "none left"
            raise CommandError(f"Commit which reserve where? e.g. reserve UNIT SECTOR (reserves: {names})")
        unit, target = self._unit_and_sector(args)
        if unit not in ctx.picture.reserves:
            raise CommandError(f"{self._unit_name(unit)} is no longer in reserve.")
        commits = dict(ctx.orders.commit_reserves)
        if target is None:
            commits.pop(unit, None)
            text = f"{self._unit_name(unit)} stays in reserve."
        else:
            commits[unit] = target
            text = f"{self._unit_name(unit)} will be committed to {self._sector_name(target)}."
        return Reply([text], orders=ctx.orders.model_copy(update={"commit_reserves": commits}))

    def _unit_and_sector(self, args: list[str]) -> tuple[str, str | None]:
        """Split 'UNIT SECTOR' where either may be several words; the first split that matches wins."""
        last_error: CommandError | None = None
        for cut in range(len(args) - 1, 0, -1):
            try:
                unit = match("_".join(args[:cut]), self.lexicon.reserve_units, "reserve unit")
                rest = "_".join(args[cut:])
                if normalise(rest) in NONE_WORDS:
                    return unit, None
                return unit, match(rest, self.lexicon.sectors, "sector")
            except CommandError as error:
                last_error = error
        assert last_error is not None
        raise last_error

    def _do_withdraw(self, args: list[str], ctx: Context) -> Reply:
        if ctx.withdrawing:
            off = bool(args) and normalise(args[0]) in NONE_WORDS | {"no"}
            return Reply(
                [
                    "The withdrawal is already under way and cannot be called off: the grouping is leaving "
                    "the bridgehead."
                    if off
                    else "The withdrawal is already under way."
                ],
                ok=not off,
            )
        if args and normalise(args[0]) in NONE_WORDS | {"no"}:
            if not ctx.orders.withdraw:
                return Reply(["No withdrawal is ordered; we hold on."])
            return Reply(
                ["Withdrawal called off: we hold on."], orders=ctx.orders.model_copy(update={"withdraw": False})
            )
        if ctx.orders.withdraw:
            return Reply(["Withdrawal is already ordered (withdraw off takes it back)."])
        self.pending = ctx.orders.model_copy(update={"withdraw": True})
        turns = ctx.scenario.endings.withdrawal_turns
        return Reply(
            [
                f"Withdraw the whole grouping from the bridgehead? It takes {counted(turns, 'turn')} and ends the "
                "game. Type yes to confirm or no to keep fighting."
            ]
        )

    def _confirm(self, yes: bool, pending: Orders | None) -> Reply:
        if pending is None:
            return Reply(["There is nothing to confirm."], ok=False)
        if not yes:
            return Reply(["We hold on. No withdrawal."])
        return Reply(["Withdrawal ordered. It starts when you end the turn."], orders=pending)

    def _do_forecast(self, args: list[str], ctx: Context) -> Reply:
        return Reply([], action="forecast")

    def _do_help(self, args: list[str], ctx: Context) -> Reply:
        if not args:
            return Reply(help_lines(), action="help")
        topic = match(args[0], {**VERBS, **{t: t for t in TOPICS}}, "help topic")
        if topic not in TOPICS:
            topic = "withdraw" if topic in ("yes", "no") else "help"
        return Reply(help_lines(topic), action="help", topic=topic)

    def _do_undo(self, args: list[str], ctx: Context) -> Reply:
        return Reply([], action="undo")

    def _do_end(self, args: list[str], ctx: Context) -> Reply:
        return Reply(["Ending the turn."], action="end")

    # --- argument helpers ------------------------------------------------------------------

    @staticmethod
    def _word_and_number(args: list[str], words: dict[str, str], what: str, example: str) -> tuple[str, int]:
        if len(args) != 2:
            raise CommandError(f"Give a {what} and a number, e.g. {example}")
        word = match(args[0], words, what)
        try:
            n = int(args[1])
        except ValueError:
            raise CommandError(f"'{args[1]}' is not a whole number, e.g. {example}") from None
        if n < 0:
            raise CommandError("A number of teams or trucks cannot be negative.")
        return word, n

    @staticmethod
    def _switch(args: list[str], example: str) -> bool:
        if len(args) != 1:
            raise CommandError(f"On or off? e.g. {example}")
        return match(args[0], SWITCH_WORDS, "setting (on or off)") == "on"

    def _sector_name(self, sector_id: str) -> str:
        return next(s.name for s in self.scenario.map.sectors if s.id == sector_id)

    def _unit_name(self, unit_id: str) -> str:
        return next(u.name for u in self.scenario.player.units if u.id == unit_id)


__all__ = ["Action", "CommandError", "Context", "Interpreter", "Reply", "unknown_word"]
