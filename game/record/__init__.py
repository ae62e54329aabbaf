"""The record of a game: the append-only journal (event-sourced saves), replay and what-if branches.

Nothing here imports Textual; the TUI and the command line build on it.
"""
