"""Screens of the Salient TUI, one module each: title, briefing, play, result, end, help, dialogs."""
