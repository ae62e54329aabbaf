"""Luck against judgement: calibrated percentiles, common random numbers, the significance rule, verdicts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from game.debrief.luck import analyse, compare, percentile_of, significant, verdict_text
from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(scope="module")
def tutorial():
    return load_scenario(TUTORIAL)


def test_luck_percentile_is_uniform_when_the_choice_is_fixed(tmp_path, tutorial):
    """70 whole tutorial games (6 decisions each) under the `hold` policy: the percentiles must look uniform on (0, 1).

    Fixed seeds, so the test is deterministic; the tolerances are the 1% critical values (KS and a
    10-bin chi-square), not tuned to these seeds.
    """
    percentiles = []
    for seed in range(70):
        save = tmp_path / f"g{seed}.jsonl"
        play_journaled(tutorial, seed, save, POLICIES["hold"])
        report = analyse(load_journal(save), replications=100, policies=[], include_default=False)
        percentiles += [d.percentile for d in report.decisions]
    x = np.sort(np.asarray(percentiles))
    n = len(x)
    assert n >= 400 and x[0] > 0.0 and x[-1] < 1.0
    ks = max(np.max(np.arange(1, n + 1) / n - x), np.max(x - np.arange(n) / n))
    assert ks < 1.628 / math.sqrt(n), f"KS statistic {ks:.4f}"
    counts = np.histogram(x, bins=10, range=(0.0, 1.0))[0]
    chi2 = float(((counts - n / 10) ** 2 / (n / 10)).sum())
    assert chi2 < 21.666, f"chi-square {chi2:.1f} with counts {counts.tolist()}"
    assert abs(x.mean() - 0.5) < 3 * math.sqrt(1 / 12 / n)


@pytest.fixture(scope="module")
def hold_game(tmp_path_factory, tutorial) -> Path:
    save = tmp_path_factory.mktemp("luck") / "hold.jsonl"
    play_journaled(tutorial, 21, save, POLICIES["hold"], forecast_replications=200)
    return save


def test_same_orders_on_the_same_dice_are_no_different(hold_game):
    calls = []
    report = analyse(load_journal(hold_game), replications=200, progress=lambda d, t: calls.append((d, t)))
    total = len(report.decisions) * len(report.cases)
    assert calls[-1] == (total, total) and len(calls) == total
    assert next(iter(report.cases)) == "trainee" and "policy:hold" in report.cases and "default" in report.cases
    for d in report.decisions:
        same = next(c for c in d.comparisons if c.case == "policy:hold")
        assert same.difference == 0.0 and same.verdict == "no different" and same.p_trainee_better == 0.0
        assert 0.0 < d.percentile < 1.0 and sum(d.histogram) == 200


def test_the_trainee_distribution_is_the_forecast_from_the_truth(hold_game):
    """Same state, orders, streams and R as the advisor's forecast, but from the true state (the advisor samples
    the enemy from the trainee's intel picture; luck is judged against what really stood there): the same
    distribution as `run_forecast` without a picture, to the bit."""
    from game.engine.directives import compile_orders
    from game.engine.forecast import run_forecast
    from game.record.journal import replay

    loaded = load_journal(hold_game)
    report = analyse(loaded, replications=200, policies=[], include_default=False)
    game = replay(loaded, upto=0)
    for turn, d in zip(loaded.turns, report.decisions, strict=True):
        truth = run_forecast(game.model, game.state, compile_orders(game.params, turn.orders), game.seed, 200, 1)
        assert d.trainee.own_losses == pytest.approx(truth.own_losses.mean, rel=1e-12, abs=1e-9)
        assert d.trainee.enemy_losses == pytest.approx(truth.enemy_losses.mean, rel=1e-12, abs=1e-9)
        assert turn.forecast is not None and turn.forecast.replications == 200  # what the trainee saw, kept
        game.play(turn.orders)


def test_actual_outcome_is_the_journals_score_change(hold_game):
    from game.record.journal import replay

    loaded = load_journal(hold_game)
    report = analyse(loaded, replications=50, policies=["delay_withdraw"], include_default=False)
    game = replay(loaded, upto=0)
    before = game.score().total
    for record, d in zip(loaded.turns, report.decisions, strict=True):
        game.play(record.orders)
        after = game.score().total
        assert d.actual == pytest.approx(after - before, abs=1e-5)  # Score.total is rounded to 6 decimals
        own = record.report.losses[loaded.scenario.meta.player_side].total
        assert d.actual_own_losses == pytest.approx(own)
        before = after


def test_horizon_longer_than_one_uses_the_recorded_orders(hold_game):
    loaded = load_journal(hold_game)
    report = analyse(loaded, replications=50, horizon=3, policies=["hold"], include_default=False)
    assert report.horizon == 3 and len(report.decisions) == len(loaded.turns)
    assert all(c.difference == 0.0 for d in report.decisions for c in d.comparisons)


def test_percentile_splits_ties_and_stays_inside_the_unit_interval():
    values = np.array([1.0, 2.0, 2.0, 3.0])
    assert percentile_of(values, 2.0, 0.0) == pytest.approx(1 / 5)
    assert percentile_of(values, 2.0, 1.0) == pytest.approx(4 / 5)
    assert percentile_of(values, 0.0, 0.5) == pytest.approx(0.5 / 5)
    assert percentile_of(values, 9.0, 0.5) == pytest.approx(4.5 / 5)


def test_significance_needs_both_a_clear_interval_and_a_size_that_matters():
    assert significant(2.0, 0.5, 10.0)  # z = 4, size 0.2 sd
    assert not significant(0.5, 0.01, 10.0)  # tiny size, however sure
    assert not significant(2.0, 1.5, 10.0)  # large enough but uncertain
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 10, 1000)
    assert compare("a", "a", noise + 5, noise, scale=10).verdict == "better"
    assert compare("a", "a", noise - 5, noise, scale=10).verdict == "worse"
    assert compare("a", "a", noise, noise, scale=10).verdict == "no different"


@pytest.mark.parametrize(
    "judgement, luck, marks, text",
    [
        (
            "good",
            "unlucky",
            (0, 3),
            "judgement above the alternatives' average but unlucky (no lucky turn, 3 unlucky turns)",
        ),
        (
            "poor",
            "lucky",
            (2, 0),
            "judgement below the alternatives' average but lucky (2 lucky turns, no unlucky turn)",
        ),
        (
            "good",
            "lucky",
            (4, 1),
            "judgement above the alternatives' average and lucky (4 lucky turns, 1 unlucky turn)",
        ),
        (
            "poor",
            "unlucky",
            (1, 5),
            "judgement below the alternatives' average and unlucky (1 lucky turn, 5 unlucky turns)",
        ),
        (
            "on a par",
            "ordinary",
            (1, 1),
            "judgement on a par with the alternatives' average, ordinary luck (1 lucky turn, 1 unlucky turn)",
        ),
    ],
)
def test_verdict_words(judgement, luck, marks, text):
    assert verdict_text(judgement, luck, *marks) == text


def test_the_games_luck_is_read_off_its_marked_turns():
    """Every mix of marks up to 30 turns: a lucky game has more lucky turns than unlucky ones, and the other way
    round; a game without marks is ordinary; one lucky turn in one is lucky, as its mark says."""
    from game.debrief.luck import game_luck

    for n in range(1, 31):
        for lucky in range(n + 1):
            for unlucky in range(n + 1 - lucky):
                marks = ["lucky"] * lucky + ["unlucky"] * unlucky + ["as expected"] * (n - lucky - unlucky)
                got_lucky, got_unlucky, pct, word = game_luck(marks)
                assert (got_lucky, got_unlucky) == (lucky, unlucky) and 0.0 <= pct <= 1.0
                assert word != "lucky" or lucky > unlucky
                assert word != "unlucky" or unlucky > lucky
                if lucky == unlucky:
                    assert word == "ordinary"
    assert game_luck(["lucky"])[3] == "lucky" and game_luck(["unlucky"])[3] == "unlucky"
    assert game_luck(["lucky"] + ["as expected"] * 5)[3] == "ordinary"  # one in six is what chance gives


def test_the_scenarios_expert_solution_joins_the_alternatives(tmp_path, tutorial):
    from game.scenario import Scenario

    data = tutorial.model_dump(mode="json")
    data["expert"] = [
        {"turn": 2, "policy": "delay_withdraw", "rationale": "Pull back while the road works."},
        {"turn": 1, "orders": {"netting": True}, "rationale": "Net the road first."},
    ]
    with_expert = Scenario.model_validate(data)
    save = tmp_path / "e.jsonl"
    play_journaled(with_expert, 5, save, POLICIES["delay_withdraw"], max_turns=3)
    report = analyse(load_journal(save), replications=50, policies=[], include_default=False)
    assert report.cases == {"trainee": "your orders", "expert": "the expert's orders"}
    by_turn = {d.turn: {c.case: c for c in d.comparisons} for d in report.decisions}
    assert by_turn[2]["expert"].difference == 0.0  # the trainee played the expert's policy on turn 2
    assert "expert" in by_turn[1] and "expert" not in by_turn[3]  # turn 3 has no expert solution


def test_progress_reaches_the_total_when_a_case_is_skipped(hold_game):
    """An expert line for turn 1 only: the expert case is skipped at every later decision, the last of each
    turn's cases, and the bar must still end at 100% (it used to stop one short)."""
    import io

    from game.analysis.progress import ProgressBar
    from game.engine.orders import Orders

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    loaded = load_journal(hold_game)
    screen = Tty()
    bar = ProgressBar(1, stream=screen, title="luck against judgement")
    calls = []

    def progress(done, total):
        calls.append((done, total))
        bar.update(done, total)

    report = analyse(loaded, replications=20, policies=["hold"], expert={1: Orders()}, progress=progress)
    assert list(report.cases) == ["trainee", "policy:hold", "default", "expert"]
    total = len(report.decisions) * 4
    assert len(report.decisions) > 1
    assert any(c.case == "expert" for c in report.decisions[0].comparisons)  # turn 1 has the expert's line
    assert not any(c.case == "expert" for c in report.decisions[-1].comparisons)  # skipped: no line for it
    assert calls == [(n, total) for n in range(1, total + 1)]
    assert "100%" in screen.getvalue() and f"{total}/{total}" in screen.getvalue()
    bar.close()
