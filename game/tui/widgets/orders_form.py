"""The orders as a form: a posture per sector, drone tasks, jammers, convoys, netting, reserves, withdrawal.

The form never changes the game: every edit posts `OrdersForm.Changed` with the whole new `Orders`
(and which field changed, so the screen's undo can group keystrokes in one field). The screen
hands the current orders back down with `show`, which updates only what differs so a field being
typed in keeps its cursor. Ticking "withdraw" posts `WithdrawRequested` instead: the screen asks
for confirmation first.

Orders stand from turn to turn, so beside each field a mark says where its value comes from: `= kept`
(carried over from last turn), `* changed` (changed this turn) or `! adapted` (carried over but changed by
the situation: a sector lost, fewer teams or trucks); the reasons for any adaptation head the form. Marks
are words and glyphs, never colour alone.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from game.engine.orders import DRONE_TASKS, POSTURES, Orders
from game.engine.standing import StandingOrders
from game.narrative.fmt import humanise, short_name
from game.narrative.picture import Picture
from game.scenario import Scenario

from ..plain import plain, styled
from .toggles import Choice, Tick

STAY = "-"
NUMBER_FIELDS: dict[str, tuple[str, str]] = {
    **{f"drones-{t}": ("drones", t) for t in DRONE_TASKS},
    "ew-front": ("ew", "front"),
    "ew-road": ("ew", "road"),
    "convoy-day": ("convoys", "day"),
    "convoy-night": ("convoys", "night"),
}
"""Input id → (orders section, field)."""
ADAPTED_KEY = {
    **{f"drones-{t}": "drones" for t in DRONE_TASKS},
    "ew-front": "ew",
    "ew-road": "ew",
    "convoy-day": "convoys",
    "convoy-night": "convoys",
    "route": "route",
    "withdraw": "withdraw",
}
"""Field id → the key `StandingOrders.adapted` uses for it (postures and reserves add the sector or unit)."""
MARKS = {"kept": "= kept", "changed": "* changed", "adapted": "! adapted", "": ""}


def field_value(orders: Orders, ident: str) -> object:
    """The value a form field shows for these orders (by the field's id)."""
    if ident.startswith("posture-"):
        return orders.postures.get(ident.removeprefix("posture-"))
    if ident.startswith("reserve-"):
        return orders.commit_reserves.get(ident.removeprefix("reserve-"))
    if ident in NUMBER_FIELDS:
        section, name = NUMBER_FIELDS[ident]
        return getattr(getattr(orders, section), name)
    return {
        "route": orders.convoys.route,
        "escort": orders.convoys.escort,
        "netting": orders.netting,
        "withdraw": orders.withdraw,
    }[ident]


def mark(orders: Orders, standing: StandingOrders, carried: bool, ident: str) -> str:
    """Where a field's value comes from: 'kept', 'changed', 'adapted', or '' (first turn, unchanged)."""
    if field_value(orders, ident) != field_value(standing.orders, ident):
        return "changed"
    if not carried:
        return ""
    key = ADAPTED_KEY.get(ident) or ident.replace("-", ":", 1)
    return "adapted" if key in standing.adapted else "kept"


WITHDRAW_LABEL = "withdraw the grouping (asks first)"


class OrdersForm(VerticalScroll):
    """Every order of the turn as a form field; keyboard first (tab between fields), mouse works too."""

    class Changed(Message):
        """The trainee edited the orders."""

        def __init__(self, orders: Orders, field: str) -> None:
            super().__init__()
            self.orders = orders
            self.field = field

    class WithdrawRequested(Message):
        """The trainee ticked "withdraw": confirm before it becomes an order."""

    def __init__(self, scenario: Scenario, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scenario = scenario
        self._orders = Orders()
        self._shown = False
        """False until the screen has handed down the orders: fields' own start-up messages are ignored."""
        own = scenario.player
        self._teams = {
            "drones": sum(g.teams for g in own.drone_teams),
            "ew": sum(g.teams for g in own.electronic_warfare),
            "convoys": scenario.supply.convoys.trucks_available,
        }

    DEFAULT_CSS = """
    OrdersForm .mark { width: auto; margin-left: 1; color: $text-muted; }
    OrdersForm .mark.-changed { color: $warning; text-style: bold; }
    OrdersForm .mark.-adapted { color: $error; text-style: bold; }
    OrdersForm #standing-note { height: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield Static("", id="standing-note")
        yield Static("[b]POSTURES[/b] by sector", classes="section")
        for s in sc.map.sectors:
            with Horizontal(classes="row", id=f"row-{s.id}"):
                yield Label(plain(short_name(s.name)), classes="label")
                yield Select(
                    [(humanise(p), p) for p in POSTURES],
                    value="hold",
                    allow_blank=False,
                    compact=True,
                    id=f"posture-{s.id}",
                )
                yield Static("", classes="mark", id=f"mark-posture-{s.id}")
        yield Static(f"[b]DRONE TEAMS[/b] ({self._teams['drones']} in all)", classes="section")
        for task in DRONE_TASKS:
            yield from self._number_row(humanise(task), f"drones-{task}")
        yield Static(f"[b]JAMMERS[/b] ({self._teams['ew']} EW teams)", classes="section")
        yield from self._number_row("over the front", "ew-front")
        yield from self._number_row("along the road", "ew-road")
        yield Static(f"[b]CONVOYS[/b] ({self._teams['convoys']} trucks available)", classes="section")
        yield from self._number_row("trucks by day", "convoy-day")
        yield from self._number_row("trucks by night", "convoy-night")
        with Horizontal(classes="row"):
            yield Label("route", classes="label")
            with RadioSet(id="route", compact=True):
                yield Choice("road", value=True, compact=True)
                yield Choice("tracks", compact=True, disabled=not sc.map.track_route)
            yield Static("", classes="mark", id="mark-route")
        for ident, label in (("escort", "escort the convoys"), ("netting", "lay netting over the road")):
            with Horizontal(classes="row"):
                yield Tick(label, id=ident, compact=True)
                yield Static("", classes="mark", id=f"mark-{ident}")
        reserves = [u for u in sc.player.units if u.in_reserve]
        if reserves:
            yield Static("[b]RESERVES[/b]", classes="section")
            options = [
                (plain("stay in reserve"), STAY),
                *[(plain(f"commit to {s.name}"), s.id) for s in sc.map.sectors],
            ]
            for u in reserves:
                with Horizontal(classes="row", id=f"row-{u.id}"):
                    yield Label(plain(u.name), classes="label")
                    yield Select(options, value=STAY, allow_blank=False, compact=True, id=f"reserve-{u.id}")
                    yield Static("", classes="mark", id=f"mark-reserve-{u.id}")
        yield Static("[b]WITHDRAWAL[/b]", classes="section")
        with Horizontal(classes="row"):
            yield Tick(WITHDRAW_LABEL, id="withdraw", compact=True)
            yield Static("", classes="mark", id="mark-withdraw")
        yield Static("", id="problems")

    def _number_row(self, label: str, ident: str) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(label, classes="label")
            yield Input("0", type="integer", compact=True, id=ident, classes="number", select_on_focus=True)
            yield Static("", classes="mark", id=f"mark-{ident}")

    # --- data down ----------------------------------------------------------------------------

    def show(
        self,
        orders: Orders,
        pic: Picture,
        problems: list[str],
        standing: StandingOrders | None = None,
        carried: bool = False,
        withdrawing: bool = False,
    ) -> None:
        """Show these orders; rows for sectors we do not hold and reserves already committed are hidden.

        `standing`: the orders the turn started from (`carried` when they are last turn's), for the marks;
        `withdrawing`: the withdrawal is under way, and no order can call it off."""
        self._orders = orders
        self._shown = True
        side = self.scenario.meta.player_side
        with self.prevent(Select.Changed, Input.Changed, Checkbox.Changed, RadioSet.Changed):
            for s in self.scenario.map.sectors:
                held = pic.sector_holder.get(s.id, s.holder) == side
                self.query_one(f"#row-{s.id}").display = held
                self._set(
                    self.query_one(f"#posture-{s.id}", Select),
                    orders.postures.get(s.id, pic.postures.get(s.id, "hold")),
                )
            for ident, (section, name) in NUMBER_FIELDS.items():
                box = self.query_one(f"#{ident}", Input)
                value = getattr(getattr(orders, section), name)
                if _as_int(box.value) != value:
                    box.value = str(value)
            self.query_one("#escort", Checkbox).value = orders.convoys.escort
            self.query_one("#netting", Checkbox).value = orders.netting
            self.query_one("#withdraw", Checkbox).value = orders.withdraw
            route = self.query_one("#route", RadioSet)
            buttons = list(route.query(RadioButton))
            index = 1 if orders.convoys.route == "tracks" else 0
            if route.pressed_index != index:
                buttons[index].value = True
            for u in self.scenario.player.units:
                if u.in_reserve:
                    self.query_one(f"#row-{u.id}").display = u.id in pic.reserves
                    self._set(self.query_one(f"#reserve-{u.id}", Select), orders.commit_reserves.get(u.id, STAY))
            tick = self.query_one("#withdraw", Checkbox)
            tick.disabled = withdrawing
            tick.label = "the withdrawal is under way (it cannot be called off)" if withdrawing else WITHDRAW_LABEL
            if withdrawing:
                tick.value = True
        self._show_marks(orders, standing or StandingOrders(orders), carried)
        self.query_one("#problems", Static).update(
            Content("\n").join(styled((f"! {p}", "bold $error")) for p in problems)
        )

    def _show_marks(self, orders: Orders, standing: StandingOrders, carried: bool) -> None:
        """Mark each field kept, changed or adapted, and say why anything was adapted."""
        for box in self.query(".mark").results(Static):
            ident = (box.id or "").removeprefix("mark-")
            kind = mark(orders, standing, carried, ident)
            box.update(MARKS[kind])
            box.set_classes(f"mark -{kind}" if kind else "mark")
        note: list[Content] = []
        if carried:
            note.append(plain("Orders stand from last turn: = kept  * changed  ! adapted"))
            note += [styled((f"! {why}", "bold $error")) for why in standing.adapted.values()]
        box = self.query_one("#standing-note", Static)
        box.update(Content("\n").join(note))
        box.display = bool(note)

    @staticmethod
    def _set(select: Select[str], value: str) -> None:
        if select.value != value:
            select.value = value

    # --- intent up ----------------------------------------------------------------------------

    def _post(self, orders: Orders, field: str) -> None:
        if not self._shown or orders == self._orders:
            return
        self._orders = orders
        self.post_message(self.Changed(orders, field))

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value != event.select.value:
            return  # a stale message from before `show` set the field
        ident, value = event.select.id or "", str(event.value)
        o = self._orders
        if ident.startswith("posture-"):
            self._post(o.model_copy(update={"postures": {**o.postures, ident.removeprefix("posture-"): value}}), ident)
        elif ident.startswith("reserve-"):
            commits = dict(o.commit_reserves)
            unit = ident.removeprefix("reserve-")
            if value == STAY:
                commits.pop(unit, None)
            else:
                commits[unit] = value
            self._post(o.model_copy(update={"commit_reserves": commits}), ident)

    @on(Input.Changed, ".number")
    def _number_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != event.input.value:
            return  # a stale message from before `show` set the field
        n = _as_int(event.value)
        ident = event.input.id or ""
        if n is None or n < 0 or ident not in NUMBER_FIELDS:
            return
        section, name = NUMBER_FIELDS[ident]
        part = getattr(self._orders, section).model_copy(update={name: n})
        self._post(self._orders.model_copy(update={section: part}), ident)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        ident, value = event.checkbox.id, event.value
        if value != event.checkbox.value:
            return
        o = self._orders
        if ident == "escort":
            self._post(o.model_copy(update={"convoys": o.convoys.model_copy(update={"escort": value})}), "escort")
        elif ident == "netting":
            self._post(o.model_copy(update={"netting": value}), "netting")
        elif ident == "withdraw":
            if value and not o.withdraw:
                with self.prevent(Checkbox.Changed):
                    event.checkbox.value = False
                self.post_message(self.WithdrawRequested())
            elif not value and o.withdraw:
                self._post(o.model_copy(update={"withdraw": False}), "withdraw")

    @on(RadioSet.Changed, "#route")
    def _route_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        route = "tracks" if event.index == 1 else "road"
        o = self._orders
        self._post(o.model_copy(update={"convoys": o.convoys.model_copy(update={"route": route})}), "route")


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
