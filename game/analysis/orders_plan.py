"""An orders file played over whole games, every replication at once: the checker's "what if a trainee does X".

How a file plays (as `salient run` plays it, except that `run` refuses what is skipped here and wants per-turn
orders):
- turn k uses the orders the file gives for turn k; a turn it does not name keeps the last orders given
  (standing orders) without their one-shot parts (the withdrawal request, reserve commitments), so a
  single set of orders stands for the whole game; turns before the first one named get the game's
  default orders (postures kept, drones and jammers balanced, every truck by night);
- what has become impossible in one replication is skipped there, not refused — a posture for a sector
  already lost, a reserve already committed or sent to a sector no longer held, a withdrawal already
  under way (the kernel, game.engine.turn, does exactly this); drone teams, jammers and trucks
  beyond what an inject has left are cut in proportion;
- what is wrong whatever the dice is refused before anything runs, naming `file:line:col`, the turn and the
  field: unknown sectors and units, more teams or trucks than the scenario has, field tracks it lacks,
  and at turn 1, where every replication is at the start, everything `check_orders` refuses.

The adapter is a `Policy` (its rule returns the compiled orders for `state.turn`), so the checker plays it on
the same dice as the built-in policies; the engine never sees a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from game.engine.directives import Directives, check_orders, compile_orders
from game.engine.game import Game
from game.engine.orders import Orders
from game.engine.params import PLAYER, Params
from game.engine.policies import Policy
from game.engine.state import State
from game.record.orders_file import OrdersFileError, read_orders_document
from game.scenario import Scenario

Where = tuple[str | int, ...]
"""Keys and list indices from the top of an orders file to a value."""


@dataclass(frozen=True)
class OrdersPlan:
    """One orders file, compiled, ready to play beside the standing policies."""

    label: str
    """Its name in the report: the file's stem, made unique (see `plan_labels`)."""
    path: str
    given: dict[int, Directives]
    """The orders of each turn the file names, as written."""
    standing: dict[int, Directives]
    """The same orders repeated on later turns: without withdrawal request or reserve commitments."""
    default: Directives
    """For the turns before the first one the file names."""
    single: bool
    """The file is one set of orders (standing for the whole game), not per-turn orders."""

    @property
    def last_turn(self) -> int:
        """The last turn the file names; its orders stand after it."""
        return max(self.given)

    @property
    def description(self) -> str:
        """What the file orders over a game, in a line."""
        name = Path(self.path).name
        if self.single:
            return f"Orders file {name}: one set of orders, standing for the whole game."
        turns = sorted(self.given)
        named = f"turn {turns[0]}" if len(turns) == 1 else f"turns {', '.join(map(str, turns))}"
        return f"Orders file {name}: orders for {named}; the last orders given stand after turn {turns[-1]}."

    def directives(self, p: Params, st: State) -> Directives:
        """The orders for `st.turn` (the same for every replication; the kernel skips what no longer applies)."""
        named = [t for t in self.given if t <= st.turn]
        if not named:
            return _within(p, self.default)
        last = max(named)
        return _within(p, self.given[last] if last == st.turn else self.standing[last])

    def policy(self) -> Policy:
        """The plan as a standing policy, so that anything that plays policies plays it."""
        return Policy(self.label, self.description, self.directives)


def load_plans(scenario: Scenario, paths: Sequence[str | Path], taken: Iterable[str] = ()) -> list[OrdersPlan]:
    """Read and check every orders file against the scenario; labels avoid `taken` names and each other."""
    game = Game(scenario, 0)
    p, st = game.params, game.state
    default = compile_orders(p, game.default_orders().model_copy(update={"postures": {}}))
    plans = []
    for path, label in zip(paths, plan_labels(paths, taken), strict=True):
        turns, single = read_plan(Path(path), p, st)
        plans.append(_compiled(p, label, str(path), turns, single, default))
    return plans


def plan_of_orders(scenario: Scenario, label: str, source: str, turns: dict[int, Orders]) -> OrdersPlan:
    """Orders by turn already checked (a journal's, say) played over whole games as an orders file plays."""
    game = Game(scenario, 0)
    default = compile_orders(game.params, game.default_orders().model_copy(update={"postures": {}}))
    return _compiled(game.params, label, source, turns, len(turns) == 1 and 1 in turns, default)


def _compiled(
    p: Params, label: str, path: str, turns: dict[int, Orders], single: bool, default: Directives
) -> OrdersPlan:
    return OrdersPlan(
        label=label,
        path=path,
        single=single,
        default=default,
        given={t: compile_orders(p, o) for t, o in turns.items()},
        standing={
            t: compile_orders(p, o.model_copy(update={"withdraw": False, "commit_reserves": {}}))
            for t, o in turns.items()
        },
    )


def plan_labels(paths: Sequence[str | Path], taken: Iterable[str] = ()) -> list[str]:
    """Each file's stem; a stem already used (by a policy or an earlier file) gets `#2`, `#3`, …"""
    used = set(taken)
    out = []
    for path in paths:
        stem = Path(path).stem
        label, n = stem, 2
        while label in used:
            label, n = f"{stem}#{n}", n + 1
        used.add(label)
        out.append(label)
    return out


def read_plan(path: Path, p: Params, st: State) -> tuple[dict[int, Orders], bool]:
    """The file's orders by turn and whether it is a single set; every problem raises `OrdersFileError`."""
    doc = read_orders_document(path)  # shapes and fields, each refusal placed at file:line:col
    problems = []
    for turn, planned in doc.turns.items():
        for field, on_key, message in orders_problems(p, st, planned.orders, at_start=turn == 1):
            at = doc.at((*planned.keys, *field), on_key)
            problems.append(
                f"{at}: {'' if doc.single else f'turn {turn}: '}{'.'.join(map(str, field)) or 'orders'}: {message}"
            )
    if problems:
        raise OrdersFileError("\n".join(problems))
    return {turn: planned.orders for turn, planned in doc.turns.items()}, doc.single


def orders_problems(p: Params, st: State, o: Orders, at_start: bool) -> list[tuple[Where, bool, str]]:
    """(field, whether the key is at fault, message) for each problem; state-bound ones only `at_start`.

    At the start every replication is in the initial state `st`, so what `check_orders` refuses there is
    refused; later the same orders may fit one replication and not another, and are skipped where they do not.
    """
    out: list[tuple[Where, bool, str]] = []
    sectors, held = p.sectors.ids, st.holder[0] == PLAYER
    for sector in o.postures:
        if sector not in sectors:
            out.append((("postures", sector), True, f"there is no sector '{sector}' (sectors: {', '.join(sectors)})"))
        elif at_start and not held[sectors.index(sector)]:
            out.append(
                (
                    ("postures", sector),
                    True,
                    f"{p.sectors.names[sectors.index(sector)]} ({sector}) is not "
                    "held at the start: there is nothing to order there",
                )
            )
    for field, used, have, what in (
        ("drones", o.drones.total(), p.player_teams(), "drone teams are tasked"),
        ("ew", o.ew.front + o.ew.road, int(p.drones.ew_teams[PLAYER]), "electronic-warfare teams are allocated"),
        ("convoys", o.convoys.day + o.convoys.night, p.convoys.trucks_available, "trucks are ordered"),
    ):
        if used > have:
            out.append(((field,), True, f"{used} {what} but only {have} exist"))
    if o.convoys.route == "tracks" and not p.has_tracks and o.convoys.day + o.convoys.night > 0:
        out.append(
            (("convoys", "route"), False, "there are no field tracks in this scenario: send the convoys by road")
        )
    reserves = ", ".join(x for x, r in zip(p.units.ids, p.units.reserve0, strict=True) if r) or "none"
    for unit, sector in o.commit_reserves.items():
        u = p.units.ids.index(unit) if unit in p.units.ids else -1
        if u < 0:
            why = f"there is no unit '{unit}' to commit"
        elif p.units.side[u] != PLAYER:
            why = f"'{unit}' is not one of your units"
        elif not p.units.reserve0[u]:
            why = f"'{unit}' ({p.units.names[u]}) is not a reserve: it is already in the line"
        else:
            why = ""
        if why:
            out.append((("commit_reserves", unit), True, f"{why} (reserves: {reserves})"))
        elif sector not in sectors:
            out.append(
                (("commit_reserves", unit), False, f"there is no sector '{sector}' (sectors: {', '.join(sectors)})")
            )
        elif at_start and not held[sectors.index(sector)]:
            out.append(
                (
                    ("commit_reserves", unit),
                    False,
                    f"{p.sectors.names[sectors.index(sector)]} ({sector}) is not "
                    "held at the start: a reserve cannot be committed there",
                )
            )
    if not out and at_start:  # anything else the engine refuses at the start (check_orders is the authority)
        out += [((), False, message) for message in check_orders(p, st, o)]
    return out


def _within(p: Params, d: Directives) -> Directives:
    """Drone teams, jammers and trucks cut in proportion to what the scenario has now (an inject may take some)."""
    changes: dict[str, np.ndarray] = {}
    for name, have in (("drones", float(p.player_teams())), ("ew", float(p.drones.ew_teams[PLAYER]))):
        asked = getattr(d, name)
        total = asked.sum(axis=1, keepdims=True)
        if (total > have).any():
            changes[name] = np.floor(asked * np.minimum(1.0, have / np.maximum(total, 1.0)))
    trucks = d.day + d.night
    if (trucks > p.convoys.trucks_available).any():
        scale = np.minimum(1.0, p.convoys.trucks_available / np.maximum(trucks, 1.0))
        changes["day"], changes["night"] = np.floor(d.day * scale), np.floor(d.night * scale)
    return replace(d, **changes) if changes else d
