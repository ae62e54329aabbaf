"""Widgets of the Salient TUI: each is given its data by its screen and posts messages up, never touching the engine."""
