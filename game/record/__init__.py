"""The record of a game: the append-only journal (event-sourced saves) of typed records, replay (umpire
interventions applied where they were made) and what-if branches.

Nothing here imports Textual or the classroom; the TUI, the classroom and the command line build on it
(import contracts in pyproject.toml).
"""
