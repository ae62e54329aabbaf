"""Salient: a tactical-decision wargame for the terminal."""

__version__ = "0.2.0"
