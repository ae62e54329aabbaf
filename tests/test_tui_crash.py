"""An unexpected error: a plain message, the details in a log file, a non-zero exit — never a raw traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.commands.play import run_app
from game.tui.app import SalientApp


def test_a_crash_is_logged_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path))

    def boom(self: SalientApp) -> None:
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(SalientApp, "on_mount", boom)
    assert run_app(None, 1, "", headless=True) == 1
    out = capsys.readouterr()
    assert "something went wrong inside Salient" in out.err
    assert "Traceback" not in out.err + out.out and "a bug deep inside" not in out.err + out.out
    logs = list((tmp_path / "logs").glob("crash-*.log"))
    assert len(logs) == 1
    log = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: a bug deep inside" in log
    assert str(logs[0]) in out.err
