"""The instructor's classroom: class records (SQLite), decision drills and umpire interventions.

Headless: nothing here imports Textual. The journal stays the source of truth for every game; the
class database is an index built from journals, so a lost or locked database never loses a game. Every
SQL statement is in `db.py`; the umpire console makes and journals interventions, and
`game.record.interventions` applies them (in play and in replay).
"""
