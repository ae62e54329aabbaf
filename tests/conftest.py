"""Fixtures shared across the test suite; keep each one small and say what it is for."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
MINIMAL = TESTS / "fixtures" / "minimal.yaml"


@pytest.fixture
def minimal_path() -> Path:
    """A small, complete, valid scenario (tests/fixtures/minimal.yaml)."""
    return MINIMAL


@pytest.fixture
def minimal_text() -> str:
    """The text of the minimal scenario, for tests that change it before loading."""
    return MINIMAL.read_text(encoding="utf-8")
