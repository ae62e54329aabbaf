"""The debrief agrees with itself over whole games: every count equals the items it lists, the luck verdict agrees
with the turns marked lucky and unlucky, "cut for N turns" is the road's own record, objectives are judged from
the curves the charts draw, and alternatives are named by what they do."""

from __future__ import annotations

import re

import pytest
from debrief_games import GAMES, play

from game.debrief.aar import AfterActionReview, build_aar
from game.debrief.luck import analyse
from game.debrief.render_md import render_markdown
from game.debrief.render_text import decision_lines, summary_lines
from game.debrief.series import ROAD_STATES
from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.scenario import Scenario

CUT = ROAD_STATES.index("cut")
SCENARIOS: dict[str, Scenario] = {}
"""Scenario id → the scenario the reviewed games were played on (filled by the fixture)."""


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AfterActionReview]:
    """Each game of `GAMES`, played whole and reviewed with the luck analysis (R = 50, every alternative)."""
    folder = tmp_path_factory.mktemp("agree")
    out = {}
    for scenario, chooser, seed in GAMES:
        loaded = load_journal(play(folder, scenario, chooser, seed))
        SCENARIOS[loaded.scenario.meta.id] = loaded.scenario
        out[f"{scenario}-{chooser}-{seed}"] = build_aar(loaded, luck=analyse(loaded, replications=50))
    return out


def _texts(aar: AfterActionReview) -> str:
    lines = summary_lines(aar) + [line for d in aar.decisions for line in decision_lines(d)]
    return "\n".join(lines) + "\n" + render_markdown(aar)


def _turns_listed(text: str) -> list[int]:
    """'turns 1–3, 7 and 9' → [1, 2, 3, 7, 9]."""
    out: list[int] = []
    for part in re.split(r", | and ", text):
        a, _, b = part.partition("–")
        out += list(range(int(a), int(b or a) + 1))
    return out


def test_every_count_equals_the_items_it_lists(reviews):
    for name, aar in reviews.items():
        assert aar.turns_played == len(aar.decisions), name
        moments = [line for line in aar.why if "teaching moment" in line]
        if not aar.moments:
            assert not moments, name
            continue
        (line,) = moments
        count = int(line.split()[0])
        listed = [t for turns in re.findall(r"\(turns? ([0-9–, and]+)\)", line) for t in _turns_listed(turns)]
        assert count == len(aar.moments) == len(listed), (name, line)
        assert sorted(listed) == sorted(m.turn for m in aar.moments), (name, line)
        assert len({(m.id, m.turn) for m in aar.moments}) == len(aar.moments), name  # one per moment and turn
        change = [c for c in aar.change if any(c.startswith(f"Turn {m.turn}: {m.title} — ") for m in aar.moments)]
        assert len(change) == count, name
        text = summary_lines(aar)
        section = text[text.index("TEACHING MOMENTS") + 1 :]
        assert sum(1 for s in section if s.startswith("• Turn ")) == count, name
        marked = [d.turn for d in aar.decisions if d.moments]
        assert sorted(set(listed)) == marked, name  # the turns the Decisions list marks with "!"
    for name, aar in reviews.items():
        assert "(s)" not in _texts(aar), name  # each count says its own plural
        assert aar.happened[0].startswith(f"{aar.turns_played} turn{'' if aar.turns_played == 1 else 's'} played")


def test_cut_for_n_turns_is_the_roads_own_record(reviews):
    checked = 0
    for name, aar in reviews.items():
        scenario = SCENARIOS[aar.scenario_id]
        ids = scenario.map.supply_route or [r.id for r in scenario.map.roads if r.kind == "road"]
        route = [c for c in aar.series if c.metric == "road_state" and c.entity in ids]
        worst = [max(c.values[t] for c in route) for t in range(len(aar.turns_axis))]
        for m in aar.moments:
            if m.id != "tm_late_withdrawal":
                continue
            found = re.search(r"cut for (\d+) (turns?)\b", m.detail)
            assert found, (name, m.detail)
            n, word = int(found.group(1)), found.group(2)
            run = 0
            while m.turn - 1 - run >= 1 and worst[m.turn - 1 - run] == CUT:
                run += 1
            assert n == run >= 1 and word == ("turn" if n == 1 else "turns"), (name, m.detail, worst)
            checked += 1
    assert checked >= 2  # the games include late withdrawals


def _luck_word(verdict: str) -> str:
    head = verdict.split("(", maxsplit=1)[0]
    return "unlucky" if "unlucky" in head else "lucky" if "lucky" in head else "ordinary"


def test_the_luck_verdict_agrees_with_the_marked_turns(reviews):
    words = set()
    for name, aar in reviews.items():
        lk = aar.luck
        assert lk is not None
        lucky = sum(d.luck.luck == "lucky" for d in aar.decisions)
        unlucky = sum(d.luck.luck == "unlucky" for d in aar.decisions)
        word = _luck_word(lk.verdict)
        words.add(word)
        if word == "unlucky":
            assert unlucky > lucky, (name, lk.verdict, lucky, unlucky)
        if word == "lucky":
            assert lucky > unlucky, (name, lk.verdict, lucky, unlucky)
    assert {"ordinary", "lucky"} <= words or {"ordinary", "unlucky"} <= words

    def turns(count: int, what: str) -> str:
        return f"no {what} turn" if count == 0 else f"{count} {what} turn{'' if count == 1 else 's'}"

    for name, aar in reviews.items():  # and the verdict names the marks it was read from
        lk = aar.luck
        lucky = sum(d.luck.luck == "lucky" for d in aar.decisions)
        unlucky = sum(d.luck.luck == "unlucky" for d in aar.decisions)
        assert f"({turns(lucky, 'lucky')}, {turns(unlucky, 'unlucky')})" in lk.verdict, (name, lk.verdict)
        assert f"Turns marked lucky: {lucky} of {len(aar.decisions)}; unlucky: {unlucky}" in render_markdown(aar)
        assert any(lk.verdict in line for line in aar.why)


def test_objectives_are_judged_from_the_curves_the_charts_draw(reviews):
    early = 0
    for name, aar in reviews.items():
        assert {o.id: o.met for o in aar.objectives} == aar.score.objectives_met, name
        for o in aar.objectives:
            line = f"Objective {'met' if o.met else 'missed'}: {o.title} — {o.reason}."
            assert line in (aar.keep if o.met else aar.change), name
        roads = [o for o in aar.objectives if "usable" in o.title]
        for o in roads:
            found = re.search(r"usable \(not cut\) at the end of (\d+) of the (\d+) turns, (\d+) needed", o.reason)
            assert found, o.reason
            usable, counted, needed = map(int, found.groups())
            target = next(obj.target for obj in SCENARIOS[aar.scenario_id].scoring.objectives if obj.id == o.id)
            curve = aar.curve(str(target), "road_state")
            assert curve is not None
            assert usable == sum(v < CUT for v in curve.values[1:]) and counted == max(
                aar.turns_planned, aar.turns_played
            )
            assert o.met == (usable >= needed), (name, o.reason)
            if not o.met and max(curve.values[1:]) < CUT:  # never cut, yet missed: the reason says why
                assert f"the game ended after turn {aar.turns_played}" in o.reason, (name, o.reason)
                early += 1
    assert early >= 1  # the tutorial left at turn 1 never saw its road cut


def test_alternatives_are_named_by_what_they_do(reviews):
    from game.debrief.luck import POLICY_LABELS

    for name, aar in reviews.items():
        text = _texts(aar)
        for policy in POLICIES:
            assert f"policy {policy}" not in text, (name, policy)
        assert f"“{POLICY_LABELS['hold']}” policy" in text, name


def test_what_happened_counts_people_and_trucks_whole_and_the_parts_add_up(reviews):
    for name, aar in reviews.items():
        for d in aar.decisions:
            (line,) = [h for h in d.happened if h.startswith("Own losses ")]
            numbers = re.match(
                r"Own losses ([\d,]+) \(killed ([\d,]+), wounded ([\d,]+), captured ([\d,]+)\); "
                r"enemy losses ([\d,]+)\.$",
                line,
            )
            assert numbers, (name, d.turn, line)
            total, *parts = (int(n.replace(",", "")) for n in numbers.groups()[:4])
            assert total == sum(parts), (name, d.turn, line)
            (convoys,) = [h for h in d.happened if h.startswith("Convoys: ")]
            assert not re.search(r"\d\.\d+ lost", convoys), (name, d.turn, convoys)


def test_what_drove_it_never_ranks_unlike_units_together_in_any_export(reviews):
    from game.debrief.render_html import render_html

    for name, aar in reviews.items():
        text = "\n".join(line for d in aar.decisions for line in decision_lines(d))
        md, html = render_markdown(aar), render_html(aar)
        for line in md.splitlines():
            if line.startswith("- ") and ": " in line and any(unit in line for unit in (" soldiers", " tonnes")):
                assert not (" soldier" in line and " tonne" in line), (name, line)
        assert "**What drove it:**" not in md, name  # the old one-line ranking of everything
        assert "WHAT DROVE IT (ranked within each unit)" in text or not any(d.factors for d in aar.decisions), name
        for line in md.splitlines():  # the forecast's chance is of every route cut, and says so
            if line.startswith("**What the forecast said** ("):
                assert "every route cut" in line and " road cut" not in line, (name, line)
        assert "<th>Kind</th>" in html or not any(d.factors for d in aar.decisions), name
    assert any(d.factors for aar in reviews.values() for d in aar.decisions)  # so the checks above did run
