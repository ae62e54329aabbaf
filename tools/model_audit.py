"""The model audit: every finding of the model review, measured on the Kursk scenario on common random numbers.

    .venv/bin/python tools/model_audit.py [--runs 5000] [--seed 0]

Each line names a finding and prints what the model does now. The script uses only the engine's long-standing
public pieces (the batch runner, the policies, `advance`), so it also runs against an older checkout of the
engine, for a before/after comparison:

    git worktree add /tmp/salient-before <commit>
    PYTHONPATH=/tmp/salient-before .venv/bin/python tools/model_audit.py --scenario /tmp/salient-before/scenarios/kursk-2025.yaml

Findings that need newer tools (the hindcast, the drill keys, the forecast's picture) print "n/a" there.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from game.engine.batch import run_batch
from game.engine.directives import compile_orders
from game.engine.orders import Orders
from game.engine.params import ENDING_CODE, ENEMY, PLAYER, set_path
from game.engine.policies import POLICIES, Policy
from game.engine.step import Model, advance
from game.scenario.injects import ChangeStrength
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SECTORS = ("north", "west", "sudzha", "south", "east")
STAY = "hold_sudzha_road"


def orders(sc, **kw: object) -> Orders:
    """The careful defence's orders (as hold_sudzha_road gives them on turn 1), with `kw` changed."""
    base: dict[str, object] = {
        "postures": {"sudzha": "fortify"},
        "drones": {"strike": 7, "counter_drone": 8, "road_overwatch": 9, "recon": 4},
        "ew": {"front": 6, "road": 0},
        "netting": True,
        "convoys": {"night": sc.supply.convoys.trucks_available},
        "commit_reserves": {"ua_reserve": "south"},
    }
    base.update(kw)
    return Orders.model_validate(base)


def everywhere(policy: Policy, posture: int) -> Policy:
    """A built-in policy with every held sector given one posture (1 = fortify): a trainee's simple recipe."""
    from game.engine.directives import Directives

    def rule(p, st):
        d = policy.directives(p, st)
        return Directives(**{**d.__dict__, "posture": np.full_like(d.posture, posture)})

    return Policy(f"{policy.name}, all {posture}", policy.description, rule)


def _withdraw_on(policy: Policy, turn: int):
    """A policy's rule with the withdrawal ordered on a fixed turn."""
    from game.engine.directives import Directives

    def rule(p, st):
        d = policy.directives(p, st)
        ask = np.full(st.R, st.turn == turn) & ~st.withdrawing
        return Directives(**{**d.__dict__, "withdraw": ask})

    return rule


def scaled(sc, side: str, factor: float):
    """The scenario with `side`'s units (and what injects add to them) `factor` times as strong."""
    out = sc.model_copy(deep=True)
    units = set()
    for s in out.sides:
        if s.id == side:
            for u in s.units:
                set_path(u, "strength", u.strength * factor)
                units.add(u.id)
    for inj in out.injects:
        for e in inj.effects:
            if isinstance(e, ChangeStrength) and e.unit in units:
                object.__setattr__(e, "delta", e.delta * factor)
    return out


def valued(sc, values: dict):
    out = sc.model_copy(deep=True)
    for k, v in values.items():
        set_path(out, k, v)
    return out


def share(r, ending: str) -> float:
    return float((r.ending == ENDING_CODE[ending]).mean())


def ci(x: np.ndarray) -> str:
    return f"{x.mean():,.0f} ± {1.96 * x.std(ddof=1) / np.sqrt(x.size):,.0f}"


def eta2(scores: list[np.ndarray]) -> float:
    allx = np.concatenate(scores)
    g = allx.mean()
    return float(sum(s.size * (s.mean() - g) ** 2 for s in scores) / ((allx - g) ** 2).sum())


def line(name: str, value: str) -> None:
    print(f"  {name:58s} {value}")


def turn_by_turn(model: Model, plan, runs: int, seed: int, turns: int) -> dict:
    """Per-turn losses, pauses, captures and books for one plan (policy or orders)."""
    st = model.initial_state(runs)
    p = model.base
    fixed = compile_orders(p, plan) if isinstance(plan, Orders) else None
    own = np.zeros(turns)
    enemy = np.zeros(turns)
    paused = 0.0
    live_turns = 0.0
    for t in range(turns):
        params = model.variants(st)[0][0]
        live = ~st.ended
        d = fixed if fixed is not None else plan.directives(params, st)
        st, out, _ = advance(model, st, d, seed, purpose="batch.0", inject_purpose="batch.0.injects")
        own[t] = out.losses[live, PLAYER].sum()
        enemy[t] = out.losses[live, ENEMY].sum()
        paused += float(out.paused[live].sum())
        live_turns += float(live.sum())
    units = getattr(p, "units", p)  # grouped parameters (0.3.0) or the older flat ones
    start = float(units.strength0[getattr(units, "side", getattr(p, "unit_side", None)) == PLAYER].sum())
    return {"own": own, "enemy": enemy, "paused": paused / max(live_turns, 1), "state": st, "start": start}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "kursk-2025.yaml"))
    a = ap.parse_args()
    t0 = time.time()
    sc = load_scenario(a.scenario)
    model = Model(sc)
    R, seed, T = a.runs, a.seed, sc.meta.turns

    def batch(scenario, plan):
        return run_batch(scenario, plan, R, seed=seed, chunk=min(R, 10_000))

    print(f"Kursk model audit: {R} games per plan, seed {seed}, {T} turns ({a.scenario})")
    print("\nBuilt-in policies")
    res = {n: batch(model, pol) for n, pol in POLICIES.items()}
    for n, r in res.items():
        ends = ", ".join(f"{e} {share(r, e):.0%}" for e in ENDING_CODE if e and share(r, e) > 0)
        line(n, f"score {ci(r.score)}; {ends}; own {r.own_casualties.mean():,.0f}")
    best = max(res, key=lambda n: res[n].score.mean())
    line("best built-in policy by mean", best)
    line("share of score variance the policies explain (eta²)", f"{eta2([r.score for r in res.values()]):.2f}")

    print("\n1. A trivial dominant plan (standing orders held all game; win rate against the best built-in)")
    recipes = {
        "fortify every sector, jammers forward, reserve south": orders(sc, postures=dict.fromkeys(SECTORS, "fortify")),
        "withdraw on turn 1": orders(sc, postures=dict.fromkeys(SECTORS, "delay"), withdraw=True),
        "all drones on the road": orders(sc, drones={"road_overwatch": sum(g.teams for g in sc.player.drone_teams)}),
        "counter-attack everywhere": orders(sc, postures=dict.fromkeys(SECTORS, "counter_attack")),
    }
    recipes["hold_sudzha_road with every sector fortified (the review's best variant)"] = everywhere(POLICIES[STAY], 1)
    for name, o in recipes.items():
        r = batch(model, o)
        line(name, f"score {ci(r.score)}; beats {best} in {(r.score > res[best].score).mean():.0%} of games")

    print("\n2. The enemy's strength matters (the staying plan, hold_sudzha_road)")
    for f in (0.5, 1.0, 2.0, 3.0):
        r = batch(scaled(sc, sc.opfor.side, f), POLICIES[STAY])
        line(f"enemy x{f}", f"score {ci(r.score)}; lasts to the end {share(r, 'time'):.0%}")
    for n in (0, 600):
        r = batch(valued(sc, {"sides.ru.reinforcements_per_turn": n}), POLICIES[STAY])
        line(f"enemy reinforcements {n} a turn", f"score {ci(r.score)}; lasts {share(r, 'time'):.0%}")
    kp = [u.id for u in sc.enemy.units if u.nationality == "kp"]
    for bp in (0.2, 0.85):
        r = batch(valued(sc, {f"sides.ru.units.{u}.breaking_point": bp for u in kp}), POLICIES[STAY])
        line(f"North Korean breaking point {bp}", f"score {ci(r.score)}; lasts {share(r, 'time'):.0%}")

    print("\n3. More of our own troops (the staying plan) and the trucks")
    for f in (0.75, 1.0, 1.25, 1.5, 2.0):
        r = batch(scaled(sc, sc.meta.player_side, f), POLICIES[STAY])
        line(f"own x{f}", f"score {ci(r.score)}; lasts {share(r, 'time'):.0%}")
    base_trucks = sc.supply.convoys.trucks_available
    for dt in (-2, 0, 2):
        r = batch(valued(sc, {"supply.convoys.trucks_available": base_trucks + dt}), POLICIES[STAY])
        line(f"trucks {base_trucks + dt}", f"lasts to the end {share(r, 'time'):.0%}; score {ci(r.score)}")

    print("\n4. Who bleeds (the staying plan)")
    tb = turn_by_turn(model, POLICIES[STAY], min(R, 2000), seed, T)
    n = min(R, 2000)
    line("exchange ratio, enemy/own losses, turns 1-8", f"{tb['enemy'][:8].sum() / tb['own'][:8].sum():.2f}")
    line("exchange ratio, whole game", f"{tb['enemy'].sum() / tb['own'].sum():.2f}")
    line(
        "own losses a day, turns 1-8 (share of the grouping)",
        f"{tb['own'][:8].sum() / n / 4:,.0f} ({tb['own'][:8].sum() / n / 4 / tb['start']:.1%})",
    )
    line(
        "enemy losses a day, turns 1-8, against reinforcements",
        f"{tb['enemy'][:8].sum() / n / 4:,.0f} vs {2 * sc.enemy.reinforcements_per_turn:,.0f}",
    )
    line("turns in which some attacking unit paused", f"{tb['paused']:.0%}")
    cas = tb["state"].casualties
    line("enemy soldiers taken prisoner per game", f"{cas[:, ENEMY, 2].mean():.1f}")

    print("\n5. The casualty books")
    st = tb["state"]
    arrived = st.arrived[:, PLAYER] if hasattr(st, "arrived") else 0.0
    fit = st.player_strength(model.base)
    gap = fit + cas[:, PLAYER].sum(axis=1) - (tb["start"] + arrived)
    line(
        "fit + killed + wounded + captured − (start + arrived), max |gap|",
        f"{np.abs(gap).max():.3g}" if hasattr(st, "arrived") else "n/a (no arrivals kept)",
    )
    early = turn_by_turn(model, POLICIES["delay_withdraw"], min(R, 2000), seed, T)
    books = early["state"].casualties[:, PLAYER].sum(axis=1) / early["start"]
    line("own casualties / soldiers there were, early withdrawal: max", f"{books.max():.0%}")
    line("drone stock at the end, staying plan: 95th percentile", f"{np.percentile(st.stocks[:, 1], 95):,.0f}")
    late = Policy(
        "late withdrawal", "hold_sudzha_road, withdrawal ordered on turn 12", _withdraw_on(POLICIES[STAY], 12)
    )
    lw = turn_by_turn(model, late, min(R, 2000), seed, T)
    reinf = sc.player.reinforcements_per_turn * lw["state"].played
    got = lw["state"].arrived[:, PLAYER] if hasattr(lw["state"], "arrived") else reinf
    books = lw["state"].casualties[:, PLAYER].sum(axis=1)
    phantom = lw["state"].player_strength(model.base) + books - (lw["start"] + got)
    out_of = books / (lw["start"] + got)
    line("withdrawal on turn 12: phantom casualties (books − soldiers), mean", f"{phantom.mean():,.0f}")
    line(
        "withdrawal on turn 12: games with more casualties than soldiers",
        f"{(out_of > 1.0 + 1e-9).mean():.0%} (max {out_of.max():.0%})",
    )

    print("\n6. Scoring")
    w1 = batch(model, recipes["withdraw on turn 1"])
    line("withdraw on turn 1", f"score {ci(w1.score)} against the staying plan's {ci(res[STAY].score)}")
    destroyed = res["hold"].ending == ENDING_CODE["destroyed"]
    nonenc = [v for k, v in res["hold"].score_lines.items() if "encircle" in k and "objective" in k]
    line(
        "a destroyed grouping credited for 'not encircled'",
        f"{nonenc[0][destroyed].mean():.0f} points" if nonenc and destroyed.any() else "no such objective or case",
    )

    print("\n7. History (the plan actually followed)")
    try:
        from game.analysis.hindcast import hindcast, historical_orders_path
        from game.analysis.orders_plan import load_plans
        from game.scenario.facts import load_fact_sheet

        sheet = load_fact_sheet(ROOT / "seeds" / "kursk-2025.yaml", sc)
        plan = load_plans(sc, [historical_orders_path(a.scenario)])[0]
        rep = hindcast(sc, sheet.history, plan, runs=min(R, 2000), seed=seed)
        inside = sum(1 for p in rep.points if p.inside)
        line(
            "history points inside the model's 5-95% band",
            f"{inside} of {sum(1 for p in rep.points if p.inside is not None)}",
        )
        for p in rep.points:
            line(f"  {p.id} ({p.when})", f"history {p.history}; model {p.median} [{p.band}]")
    except ImportError:
        line("hindcast", "n/a")
    from game.analysis.runs import play_policy

    runs = play_policy(model, POLICIES[STAY], min(R, 2000), seed=seed)
    fell = runs.sector_fell.astype(float)
    fell[fell == 0] = np.inf
    s = [x.id for x in sc.map.sectors].index("sudzha")
    lost = np.isfinite(fell[:, s])
    later = (fell[lost] > fell[lost, s][:, None]).any(axis=1).mean() if lost.any() else float("nan")
    line("where the town falls, another sector still stands", f"{later:.0%} of {int(lost.sum())} games")

    print("\n8. Core sampling")
    from game.engine.sampling import binomial_from_uniform

    u = (np.arange(20_000) + 0.5) / 20_000
    line(
        "Binomial(2,100, 0.3) by inverse CDF: mean over uniforms (expected 630)",
        f"{binomial_from_uniform(np.full(u.size, 2100.0), np.full(u.size, 0.3), u).mean():,.1f}",
    )
    gone = early["state"]  # withdrawn on turn 3, then frozen while the batch played on
    line(
        "withdrawn games whose last delivery reads 0 (before the fix: all of them)",
        f"{int((gone.last_delivered == 0).sum())} of {gone.R}",
    )

    print(f"\n[{time.time() - t0:.0f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
