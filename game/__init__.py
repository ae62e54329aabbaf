"""Salient: a tactical-decision wargame for the terminal."""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "salient-wargame"
"""The name the project is installed under (pyproject.toml), which holds the one copy of the version."""

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # run from a source tree that was never installed (`pip install -e .` fixes it)
    __version__ = "0+unknown"
