"""The after-action review: its content and every format carry the journal's own numbers; bad input fails plainly."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.dom.minidom
from pathlib import Path

import pytest

from game.cli import main
from game.debrief.aar import build_aar
from game.debrief.luck import analyse
from game.debrief.render_csv import render_csv
from game.debrief.render_html import render_html
from game.debrief.render_json import render_json
from game.debrief.render_md import render_markdown
from game.debrief.text import num, signed
from game.engine.policies import POLICIES
from game.record.branch import branch_from_journal, store_branch
from game.record.canonical import sha256_hex
from game.record.format import FORMAT_VERSION
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """A Kursk game with forecasts, a teaching moment, a stored what-if, and its review with luck (R = 100)."""
    scenario = load_scenario(KURSK)
    save = tmp_path_factory.mktemp("aar") / "kursk.jsonl"

    def orders(game):
        chosen = POLICIES["hold"](game)
        if game.turn in (2, 3):  # two turns without convoys: a teaching moment
            chosen = chosen.model_copy(update={"convoys": chosen.convoys.model_copy(update={"day": 0, "night": 0})})
        return chosen

    play_journaled(
        scenario, 7, save, orders, scenario_path=str(KURSK), trainee="Cadet Bondar", forecast_replications=100
    )
    store_branch(
        load_journal(save), branch_from_journal(load_journal(save), 3, policy="delay_withdraw", label="pull out early")
    )
    loaded = load_journal(save)
    luck = analyse(loaded, replications=100)
    return save, loaded, build_aar(loaded, luck=luck)


def test_the_review_has_the_four_questions_and_every_decision(reviewed):
    _, loaded, aar = reviewed
    assert aar.trainee == "Cadet Bondar" and aar.turns_played == len(loaded.turns) and aar.seed == 7
    assert aar.intended[0].startswith("Mission:") and aar.happened and aar.why and aar.change
    assert [d.turn for d in aar.decisions] == [t.turn for t in loaded.turns]
    for d, t in zip(aar.decisions, loaded.turns, strict=True):
        assert d.intel == t.intel and d.forecast == t.forecast and d.report == t.report and not d.intel_recomputed
        assert d.luck is not None and d.luck.turn == t.turn and d.truth and d.orders_text
        assert len(d.forecast_checks) == 4
    assert any(m.id == "tm_no_convoy" and m.turn == 3 for m in aar.moments)
    assert aar.branches[0].label == "pull out early" and aar.branches[0].from_turn == 3
    assert aar.score.total == pytest.approx(loaded.branches[0].raw["summary"]["original"]["score"])
    kinds = {e.kind for e in aar.timeline}
    assert {"moment", "branch", "combat"} <= kinds


def test_markdown_numbers_are_the_journals(reviewed):
    _, loaded, aar = reviewed
    md = render_markdown(aar)
    for heading in (
        "## 1. What was meant to happen",
        "## 2. What happened",
        "## 3. Why: decision by decision",
        "## 4. What to keep",
        "## 5. What to change",
        "## What-if branches",
    ):
        assert heading in md
    player = loaded.scenario.meta.player_side
    units = [u.id for u in loaded.scenario.player.units]
    for t in loaded.turns:
        r = t.report
        own = sum(r.unit_strength[u] for u in units)
        row = f"| {t.turn} | {num(own)} | "
        assert row in md, row
        assert (
            f"{num(r.area_held_sq_mi)} | {num(r.supply.delivered_t)} | {num(r.supply.stocks['ammunition_t'])} | "
            f"{num(r.losses[player].killed)} | {num(r.losses[player].wounded)} | {num(r.losses[player].captured)} |"
            in md
        )
        f = t.forecast
        assert (
            f"own losses {num(f.own_losses.p5, 0)}–{num(f.own_losses.p95, 0)} (median {num(f.own_losses.p50, 0)})" in md
        )
    assert f"**{signed(aar.score.total)}**" in md
    assert next(m.explanation for m in aar.moments if m.id == "tm_no_convoy") in md
    branch = loaded.branches[0].raw["summary"]["branch"]
    assert signed(branch["score"]) in md


def test_html_is_self_contained_printable_and_carries_the_numbers(reviewed):
    _, loaded, aar = reviewed
    html = render_html(aar)
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    without_ns = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for outside in ("http://", "https://", "<script", "<link", "@import", "url(", "src="):
        assert outside not in without_ns, outside
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) >= 4 + len(aar.decisions)  # the four curves, one histogram per decision, luck charts
    for svg in svgs:
        xml.dom.minidom.parseString(svg)
    assert signed(aar.score.total) in html and "Cadet Bondar" in html
    assert f"{num(loaded.turns[0].report.area_held_sq_mi)}" in html


def test_json_holds_everything_exactly(reviewed):
    _, loaded, aar = reviewed
    doc = json.loads(render_json(aar))
    assert doc["format"] == "salient-aar" and doc["version"] == 1
    assert len(doc["decisions"]) == len(loaded.turns)
    for d, t in zip(doc["decisions"], loaded.turns, strict=True):
        assert d["report"] == t.raw["report"] and d["orders"] == t.raw["orders"] and d["forecast"] == t.raw["forecast"]
    assert doc["luck"]["replications"] == 100 and len(doc["luck"]["decisions"]) == len(loaded.turns)
    assert doc["branches"][0]["id"] == "b1" and doc["score"]["total"] == aar.score.total


def test_csv_is_long_form_and_exact(reviewed):
    _, loaded, aar = reviewed
    rows = list(csv.DictReader(io.StringIO(render_csv(aar))))
    assert list(rows[0]) == ["case", "replication", "turn", "entity", "metric", "value", "unit"]
    actual = {(int(r["turn"]), r["entity"], r["metric"]): float(r["value"]) for r in rows if r["case"] == "actual"}
    assert {r["replication"] for r in rows if r["case"] == "actual"} == {"0"}
    for t in loaded.turns:
        for unit, strength in t.report.unit_strength.items():
            assert actual[(t.turn, unit, "strength")] == strength  # bit for bit
        assert actual[(t.turn, "supply", "delivered_t")] == t.report.supply.delivered_t
    cases = {r["case"] for r in rows}
    assert {"actual", "branch:b1", "luck:trainee", "luck:policy:hold", "luck:actual"} <= cases
    pct = [float(r["value"]) for r in rows if r["case"] == "luck:actual" and r["metric"] == "percentile"]
    assert pct == [d.percentile for d in aar.luck.decisions]


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def save(reviewed, tmp_path) -> Path:
    copy = tmp_path / "game.jsonl"
    lines = reviewed[0].read_text(encoding="utf-8").splitlines()
    copy.write_text("\n".join(line for line in lines if '"type":"luck"' not in line) + "\n", encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    "suffix, marker",
    [
        (".md", "# After-action review"),
        (".html", "<!DOCTYPE html>"),
        (".json", '"format": "salient-aar"'),
        (".csv", "case,replication,turn"),
    ],
)
def test_aar_command_writes_each_format(save, tmp_path, suffix, marker, capsys):
    out = tmp_path / f"review{suffix}"
    assert main(["aar", str(save), "-o", str(out), "--replications", "20", "--no-cache"]) == 0
    assert out.read_text(encoding="utf-8").startswith(marker) or marker in out.read_text(encoding="utf-8")[:200]
    assert "written to" in capsys.readouterr().err


def test_aar_remembers_the_luck_analysis_in_the_journal_when_asked(save, capsys):
    assert main(["aar", str(save), "--replications", "20", "--format", "json", "--cache"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert sum('"type":"luck"' in line for line in save.read_text().splitlines()) == 1
    assert main(["aar", str(save), "--replications", "20", "--format", "json", "--cache"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert (
        sum('"type":"luck"' in line for line in save.read_text().splitlines()) == 1
    )  # worked out again, found equal, not added twice
    assert first["luck"] == second["luck"]
    assert load_journal(save).intact


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_damaged_and_truncated_journals_fail_plainly_but_partial_reviews_them(save, tmp_path, capsys):
    torn = tmp_path / "torn.jsonl"
    torn.write_bytes(save.read_bytes()[:-40])
    assert main(["aar", str(torn), "--no-luck"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("salient: ") and "cut short" in err and "--partial" in err and "Traceback" not in err
    assert main(["aar", str(torn), "--no-luck", "--partial", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "note:" in captured.err and json.loads(captured.out)["turns_played"] == len(load_journal(torn).turns)

    damaged = tmp_path / "damaged.jsonl"
    lines = _lines(save)
    lines[3] = lines[3][:100]
    damaged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["aar", str(damaged), "--no-luck"]) == 1
    assert "line 4" in capsys.readouterr().err
    assert main(["aar", str(damaged), "--no-luck", "--partial", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["turns_played"] == 2


@pytest.mark.parametrize(
    "case, message",
    [
        ("foreign", "not a Salient journal"),
        ("newer", "newer Salient"),
        ("invalid", "no longer validates"),
        ("missing", "no such saved game"),
        ("empty", "empty"),
    ],
)
def test_bad_journals_exit_1_with_a_message(save, tmp_path, case, message, capsys):
    bad = tmp_path / "bad.jsonl"
    lines = _lines(save)
    header = json.loads(lines[0])
    if case == "foreign":
        bad.write_text('{"hello": "world"}\n', encoding="utf-8")
    elif case == "newer":
        header["version"] = FORMAT_VERSION + 1
        bad.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    elif case == "invalid":
        header["scenario"]["sides"] = header["scenario"]["sides"][:1]
        header["scenario_sha256"] = sha256_hex(header["scenario"])
        bad.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    elif case == "empty":
        bad.write_text("", encoding="utf-8")
    assert main(["aar", str(bad), "--no-luck"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("salient: ") and message in err and "Traceback" not in err


def test_expert_orders_join_the_alternatives(save, tmp_path, capsys):
    loaded = load_journal(save)
    expert = tmp_path / "expert.json"
    expert.write_text(json.dumps([t.raw["orders"] for t in loaded.turns]), encoding="utf-8")
    assert (
        main(["aar", str(save), "--replications", "20", "--no-cache", "--format", "json", "--expert", str(expert)]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["luck"]["cases"]["expert"] == "the expert's orders"
    for d in doc["luck"]["decisions"]:
        same = next(c for c in d["comparisons"] if c["case"] == "expert")
        assert same["difference"] == 0.0 and same["verdict"] == "no different"  # the expert did what you did
