"""Turn reports keep ground truth away from the trainee: the enemy's true losses are for the instructor only."""

from pathlib import Path

from game.engine.game import Game
from game.engine.policies import POLICIES
from game.scenario.load import load_scenario

KURSK = Path(__file__).resolve().parents[1] / "scenarios" / "kursk-2025.yaml"


def test_true_enemy_losses_are_instructor_only() -> None:
    game = Game(load_scenario(KURSK), seed=3)
    report = game.play(POLICIES["hold"](game))
    assaults = [e for e in report.events if e.kind == "combat" and e.text.startswith("Assault on")]
    trainee = [e.text for e in assaults if e.visible_to == "trainee"]
    instructor = [e.text for e in assaults if e.visible_to == "instructor"]
    assert trainee and len(trainee) == len(instructor)
    assert all("enemy" not in text for text in trainee)
    assert all("the enemy lost" in text for text in instructor)
