"""The text-adventure command line: every verb, prefixes and aliases, bad input, confirmation, completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.engine.orders import Orders
from game.narrative.commands import Context, Interpreter, Reply
from game.narrative.completion import complete
from game.narrative.picture import picture
from game.narrative.vocabulary import CommandError, match, normalise
from game.scenario import Scenario
from game.scenario.load import load_scenario

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(TUTORIAL)


@pytest.fixture
def run(scenario: Scenario):
    """Execute lines in order against a fresh draft; returns (replies, final orders)."""
    interpreter = Interpreter(scenario)
    pic = picture(scenario, [])

    def _run(*lines: str, orders: Orders | None = None) -> tuple[list[Reply], Orders]:
        current = orders or Orders()
        replies = []
        for line in lines:
            reply = interpreter.execute(line, Context(scenario, pic, None, current, "Turn 1"))
            replies.append(reply)
            if reply.orders is not None:
                current = reply.orders
        return replies, current

    return _run


def text(reply: Reply) -> str:
    return " ".join(reply.lines)


def test_order_sets_a_posture_with_prefixes_aliases_and_names(run) -> None:
    _, orders = run("order village fort", "ORDER Crossroads counter-attack")
    assert orders.postures == {"village": "fortify", "crossroads": "counter_attack"}
    _, orders = run("ord vil ca", "order bilyi yar delay")  # a place names its sector
    assert orders.postures == {"village": "delay"}
    _, orders = run("order all hold")
    assert orders.postures == {"village": "hold", "crossroads": "hold"}


def test_drones_ew_convoys_and_switches(run) -> None:
    _, o = run(
        "drones strike 3",
        "drones hunt 2",
        "drones overwatch 1",
        "drones recon 1",
        "ew front 2",
        "ew road 1",
        "convoy day 4",
        "convoy night 6",
        "escort on",
        "route tracks",
        "netting on",
    )
    assert (o.drones.strike, o.drones.counter_drone, o.drones.road_overwatch, o.drones.recon) == (3, 2, 1, 1)
    assert (o.ew.front, o.ew.road) == (2, 1)
    assert (o.convoys.day, o.convoys.night, o.convoys.escort, o.convoys.route) == (4, 6, True, "tracks")
    assert o.netting is True
    _, o = run("escort off", "netting off", "route road", orders=o)
    assert (o.convoys.escort, o.netting, o.convoys.route) == (False, False, "road")


def test_capacity_is_checked_in_plain_words(run, scenario: Scenario) -> None:
    teams = sum(g.teams for g in scenario.player.drone_teams)
    replies, o = run(f"drones strike {teams}", "drones recon 1")
    assert not replies[1].ok and f"you have {teams}" in text(replies[1])
    assert o.drones.recon == 0
    replies, _ = run("convoy day 999")
    assert not replies[0].ok and "available" in text(replies[0])


def test_reserve_commit_and_cancel(run) -> None:
    _, o = run("reserve ua_reserve crossroads")
    assert o.commit_reserves == {"ua_reserve": "crossroads"}
    _, o = run("reserve reserve company none", orders=o)
    assert o.commit_reserves == {}
    replies, _ = run("reserve ua_company_village crossroads")
    assert not replies[0].ok


def test_withdraw_needs_confirmation(run) -> None:
    replies, o = run("withdraw")
    assert o.withdraw is False and "yes" in text(replies[0])
    replies, o = run("withdraw", "yes")
    assert o.withdraw is True
    replies, o = run("withdraw", "no")
    assert o.withdraw is False
    replies, o = run("withdraw", "status", "yes")  # anything else in between drops the question
    assert o.withdraw is False and not replies[2].ok
    _, o = run("withdraw off", orders=Orders(withdraw=True))
    assert o.withdraw is False


def test_actions_for_the_caller(run) -> None:
    replies, _ = run("undo", "end", "forecast", "help", "help drones", "help conv")
    assert [r.action for r in replies] == ["undo", "end", "forecast", "help", "help", "help"]
    assert replies[4].topic == "drones" and replies[5].topic == "convoy"
    assert "In the model" in text(replies[4])


def test_status_and_look(run) -> None:
    replies, _ = run(
        "status",
        "look",
        "look village",
        "look bilyi yar",
        "look road",
        "look road_north",
        "look ua_reserve",
        "look enemy",
        "look stocks",
    )
    assert all(r.ok for r in replies)
    assert "Postures" in text(replies[0])
    assert "Village" in text(replies[1]) and "Supply road" in text(replies[1])
    assert "Bilyi Yar" in text(replies[3])
    assert "[=]" in text(replies[4]) or "[~]" in text(replies[4])
    assert "in reserve" in text(replies[6])
    assert "No estimate" in text(replies[7])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ordr village hold", "Did you mean 'order'?"),
        ("order village fortfy", "Did you mean 'fortify'?"),
        ("order vilage hold", "Did you mean 'village'?"),
        ("village fortify", "order village POSTURE"),
        ("drones strike many", "not a whole number"),
        ("drones strike -2", "cannot be negative"),
        ("drones strike", "e.g. drones strike 4"),
        ("ew sky 2", "I don't know the EW focus 'sky'"),
        ("escort maybe", "I don't know the setting"),
        ("escort maybe", "Choose 'off' or 'on'"),
        ("order village", "Order which sector"),
        ("look nowhere", "I don't know the place, sector, road or unit 'nowhere'"),
        ("help nonsense", "help topic"),
        ("yes", "nothing to confirm"),
        ("   ", "Type a command"),
        ("e 2", "could be"),
    ],
)
def test_bad_input_gets_a_plain_message(run, line: str, expected: str) -> None:
    replies, o = run(line)
    assert not replies[0].ok
    assert expected.lower() in text(replies[0]).lower()
    assert o == Orders()


def test_ambiguous_prefix_lists_the_candidates() -> None:
    with pytest.raises(CommandError, match="'reserve'") as info:
        match("re", {"reserve": "reserve", "route": "route", "recon": "recon"}, "command")
    assert "'recon'" in str(info.value)
    assert normalise(" Counter-Attack ") == "counter_attack"


@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("or", "order"),
        ("order v", "order village"),
        ("order village f", "order village fortify"),
        ("order village fortify", None),
        ("Order village f", "Order village fortify"),
        ("dr", "drones"),
        ("drones co", "drones counter_drone"),
        ("ew r", "ew road"),
        ("convoy n", "convoy night"),
        ("escort o", "escort on"),
        ("route t", "route tracks"),
        ("reserve u", "reserve ua_reserve"),
        ("reserve ua_reserve c", "reserve ua_reserve crossroads"),
        ("look bi", "look bilyi_yar"),
        ("help dr", "help drones"),
        ("xyzzy a", None),
        ("order ", None),
        ("", None),
    ],
)
def test_completion(scenario: Scenario, typed: str, completed: str | None) -> None:
    assert complete(typed, Interpreter(scenario).lexicon) == completed


def test_withdraw_off_takes_back_a_withdrawal_only_before_it_starts(scenario: Scenario) -> None:
    interpreter = Interpreter(scenario)
    pic = picture(scenario, [])
    drafted = Interpreter(scenario).execute("withdraw off", Context(scenario, pic, None, Orders(withdraw=True)))
    assert drafted.orders is not None and drafted.orders.withdraw is False and drafted.ok
    nothing = interpreter.execute("withdraw off", Context(scenario, pic, None, Orders()))
    assert nothing.orders is None and text(nothing) == "No withdrawal is ordered; we hold on."
    # under way (ordered on an earlier turn): the engine carries it through, so the command says so and refuses
    leaving = Context(scenario, pic, None, Orders(), withdrawing=True)
    refused = interpreter.execute("withdraw off", leaving)
    assert refused.orders is None and not refused.ok
    assert text(refused).startswith("The withdrawal is already under way and cannot be called off")
    again = interpreter.execute("withdraw", leaving)
    assert again.orders is None and interpreter.pending is None and "already under way" in text(again)


def test_look_shows_the_posture_as_now_ordered(scenario: Scenario) -> None:
    interpreter = Interpreter(scenario)
    pic = picture(scenario, [])
    now = pic.postures["village"]
    assert now != "fortify"
    ordered = Orders(postures={"village": "fortify"})
    lines = interpreter.execute("look village", Context(scenario, pic, None, ordered)).lines
    assert any(line.endswith("posture fortify.") for line in lines)
    assert lines[-1] == f"Fortify is your order for this turn; until the turn ends the posture is still {now}."
    same = interpreter.execute("look village", Context(scenario, pic, None, Orders(postures={"village": now})))
    assert any(line.endswith(f"posture {now}.") for line in same.lines) and "your order" not in text(same)
    overview = interpreter.execute("look", Context(scenario, pic, None, ordered)).lines
    name = next(s.name for s in scenario.map.sectors if s.id == "village")
    assert overview[-1] == f"Ordered this turn, in effect when it ends: {name} fortify (now {now})."
    assert any(line.startswith(f"{name} [ours, fortify]") for line in overview)
