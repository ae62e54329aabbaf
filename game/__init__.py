"""Salient: a tactical-decision wargame for the terminal."""

__version__ = "0.3.1"
