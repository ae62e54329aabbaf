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


def test_the_crash_log_leaves_out_local_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Textual's report draws each frame's locals; a passphrase typed a moment before must not reach the log."""
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path))

    def boom(self: SalientApp) -> None:
        passphrase = "hsifdrows-akvilyruk"[::-1]  # as typed at run time, not written in the source shown
        raise RuntimeError(f"a bug after checking {len(passphrase)} letters")

    monkeypatch.setattr(SalientApp, "on_mount", boom)
    assert run_app(None, 1, "", headless=True) == 1
    capsys.readouterr()
    (log,) = (tmp_path / "logs").glob("crash-*.log")
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError: a bug after checking 19 letters" in text and "in boom" in text
    assert "kurylivka-swordfish" not in text and "locals" not in text


def test_the_app_uses_no_private_textual_names() -> None:
    """Only Textual's public API, so its version can move within the range pyproject.toml allows."""
    import re

    game = Path(__file__).resolve().parent.parent / "game"
    private = re.compile(
        r"textual\._|\._(handle_exception|return_code|exception_event|exception|close_messages_no_wait|bindings|"
        r"keymap|compositor|background_screens)\b"
    )
    found = [
        f"{path.relative_to(game)}:{n}"
        for path in sorted(game.rglob("*.py"))
        if path.name != "testing.py"  # the Pilot helpers (test-only code, moving under tests/)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if private.search(line)
    ]
    assert found == []
