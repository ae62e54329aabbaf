"""What the umpire and drill screens show, as plain lines, built headless so it can be tested without Textual.

The umpire's two columns are kept apart on purpose: `truth_lines` reads the engine's ground truth (exact
strengths, holders, stocks, every event including instructor-only ones), `picture_lines` only the Intel
the trainee is given. The play screen never calls `truth_lines`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.narrative.fmt import counted
from game.scenario.drills import Drill, DrillTrigger
from game.scenario.injects import Condition

if TYPE_CHECKING:
    from game.engine.report import Intel
    from game.scenario import Scenario

    from .umpire import GroundTruth, Intervention


def truth_lines(truth: GroundTruth, names: dict[str, str] | None = None) -> list[str]:
    """Ground truth now, for the umpire only."""
    names = names or {}
    st = truth.state
    out = [f"GROUND TRUTH — start of turn {st['turn']}" + (f" (ended: {st['ending']})" if st.get("ended") else "")]
    out.append(
        f"Area held: {st['area_held_sq_mi']:.1f} sq mi; every route cut for {counted(st['road_cut_turns'], 'turn')}"
    )
    out.append("Units (soldiers, morale, where):")
    for uid, strength in st["unit_strength"].items():
        tag = " (reserve)" if uid in st.get("reserves", []) else ""
        out.append(f"  {uid}: {strength:.0f}, {st['unit_morale'][uid]:.2f}, {st['unit_location'][uid]}{tag}")
    out.append("Sectors: " + ", ".join(f"{names.get(s, s)} {h}" for s, h in st["sector_holder"].items()))
    out.append("Roads: " + ", ".join(f"{r} {v}" for r, v in st["road_state"].items()))
    out.append("Stocks: " + ", ".join(f"{k} {v:.1f}" for k, v in st["stocks"].items()))
    cas = st.get("casualties", {})
    if cas:
        out.append(
            "Casualties so far: "
            + "; ".join(
                f"{side} {c['killed']:.0f} killed, {c['wounded']:.0f} wounded, {c['captured']:.0f} captured"
                for side, c in cas.items()
            )
        )
    if truth.drills:
        out.append("Drills:")
        out += [f"  {line}" for line in truth.drills]
    report = truth.last_report
    if report is not None:
        out.append(f"Last turn ({report.turn}), everything that happened:")
        for e in report.events:
            tag = " [instructor only]" if e.visible_to == "instructor" else ""
            out.append(f"  - {e.text}{tag}")
        if report.injects_fired:
            out.append("  injects fired: " + ", ".join(report.injects_fired))
    return out


def picture_lines(intel: Intel, names: dict[str, str] | None = None) -> list[str]:
    """The trainee's fog-of-war picture this turn (what the play screen shows them)."""
    names = names or {}
    out = [f"TRAINEE'S PICTURE — turn {intel.turn}", "Enemy in contact (estimate, range):"]
    for sector, e in intel.enemy_strength.items():
        if e.high > 0:
            out.append(f"  {names.get(sector, sector)}: ~{e.estimate:.0f} ({e.low:.0f}–{e.high:.0f}, {e.confidence})")
    t = intel.enemy_total
    out.append(f"Enemy total: ~{t.estimate:.0f} ({t.low:.0f}–{t.high:.0f})")
    o = intel.own_losses_last_turn
    out.append(f"Own losses reported last turn: ~{o.estimate:.0f} ({o.low:.0f}–{o.high:.0f})")
    out.append(f"Road threat: {intel.road_threat}")
    out += [f"  · {n}" for n in intel.notes]
    return out


def intervention_line(iv: Intervention) -> str:
    """One line for the umpire's log and the AAR: when, what, why."""
    return f"before turn {iv.turn}: {iv.summary} — because {iv.reason}"


def drill_header(drill: Drill) -> list[str]:
    """The drill's title and prompt, and what it asks for."""
    asks = []
    if drill.options:
        asks.append("rank the options, best first" if drill.rank_options else "choose an option")
    if drill.rationale != "off":
        asks.append("explain why" + (" (required)" if drill.rationale == "required" else " (optional)"))
    if drill.estimate is not None:
        asks.append("estimate a probability")
    out = [f"DECISION DRILL — {drill.title}"]
    if drill.prompt:
        out.append(drill.prompt)
    if asks:
        out.append("You are asked to " + "; ".join(asks) + ".")
    if drill.time_limit_s:
        out.append(
            f"Time allowed: {clock_text(drill.time_limit_s)}. If the time runs out, your own orders are carried out."
        )
    if any(o.orders is not None or o.policy is not None for o in drill.options):
        out.append("Your answer never changes your orders unless you choose to use an option as your orders (f3).")
    return out


_METRIC_WORDS = {
    "turn": "the turn",
    "area_held_sq_mi": "the area held (sq mi)",
    "area_held_share": "the share of the starting area held",
    "own_strength": "own soldiers fit to fight",
    "own_losses": "own losses so far",
    "enemy_losses": "enemy losses so far",
    "road_cut_turns": "turns with every route cut",
    "supply_delivered_t": "tonnes delivered last turn",
    "ammunition_t": "ammunition in stock (t)",
    "sector_held": "{target} held (1 yes, 0 no)",
    "place_held": "{target} held (1 yes, 0 no)",
    "road_state_index": "the state of road {target} (0 open, 1 contested, 2 interdicted, 3 cut)",
    "sector_progress": "the enemy's progress into {target} (0-1, 1 once lost)",
}


def condition_text(cond: Condition) -> str:
    """One trigger condition in words: `south is lost`, `the enemy's progress into south (0-1, 1 once lost) >= 0.5`."""
    if cond.metric in {"sector_held", "place_held"} and cond.op in {"==", "!="} and cond.value in {0.0, 1.0}:
        held = (cond.value == 1.0) == (cond.op == "==")
        return f"{cond.target} is {'held' if held else 'lost'}"
    words = _METRIC_WORDS.get(cond.metric, cond.metric).format(target=cond.target)
    return f"{words} {cond.op} {cond.value:g}"


def trigger_text(trigger: DrillTrigger) -> str:
    """When a drill is put, in words: `at turn 3`, `from turn 4, when south is lost`."""
    parts = []
    if trigger.turn is not None:
        parts.append(f"at turn {trigger.turn}")
    if trigger.after_turn is not None:
        parts.append(f"from turn {trigger.after_turn}")
    if trigger.conditions:
        parts.append("when " + " and ".join(condition_text(c) for c in trigger.conditions))
    return ", ".join(parts)


def clock_text(seconds: float) -> str:
    """`1:05` for 65 seconds (rounded up, so 0:00 means the time is out)."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"


def parse_percent(text: str) -> float | None:
    """`35`, `35%` or `0.35` → 0.35; None when it is not a probability."""
    cleaned = text.strip().rstrip("%").strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if "%" in text or value > 1.0:
        value /= 100.0
    return value if 0.0 <= value <= 1.0 else None


def targets_for(kind: str, scenario: Scenario, params_side_ids: tuple[str, ...] = ()) -> list[str]:
    """What the target of an intervention of this kind can be, one per line (the umpire screen's help)."""
    if kind == "fire_inject":
        return [
            f"{i.id} — {i.title}"
            + ("" if i.active else " (inactive)")
            + (" [instructor only]" if i.visible_to == "instructor" else "")
            for i in scenario.injects
        ]
    if kind in {"set_rate", "scale_rate"}:
        return [
            "a dotted path to any number, list items by id, e.g.",
            "  supply.border_resupply_t_per_turn",
            f"  sides.{scenario.enemy.id}.reinforcements_per_turn",
            "  supply.convoys.trucks_available",
        ]
    if kind in {"set_stock", "change_stock"}:
        return ["ammunition_t", "drones", "fuel_t", "food_medical_t"]
    if kind == "set_road_state":
        return [f"{r.id} — {r.name}" for r in scenario.map.roads] + ["value: open, contested, interdicted or cut"]
    if kind in {"set_strength", "change_strength"}:
        return [f"{u.id} — {u.name}" for side in scenario.sides for u in side.units]
    if kind == "change_morale":
        return [f"{s}" for s in (params_side_ids or (scenario.meta.player_side, scenario.opfor.side))]
    return []
