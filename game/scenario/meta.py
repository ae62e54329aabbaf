"""What a scenario is about: title, date, the side the trainee plays, the turn clock, objectives, sources."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from .common import Id, ShortText, Strict, Text


class LearningObjective(Strict):
    """A lesson the instructor wants the game to teach; the debrief refers back to it."""

    id: Id
    """Identifier used by teaching moments and the debrief."""
    title: ShortText
    """One line naming the lesson."""
    description: Text = ""
    """What the trainee should understand by the end of the game."""


class Source(Strict):
    """A public source the scenario draws on."""

    id: Id
    """Identifier that fact sheets and notes refer to."""
    title: ShortText
    """Title of the article, report or dataset."""
    url: str = ""
    """Where to find it, if it is online."""
    note: Text = ""
    """How far to trust it and what it was used for."""


class Meta(Strict):
    """The scenario's identity and clock."""

    id: Id
    """Identifier of the scenario; recorded in every saved game."""
    title: ShortText
    """Title shown on the title screen."""
    summary: Text
    """Two or three sentences shown when choosing a scenario."""
    date: dt.date
    """In-game date of the first turn (YYYY-MM-DD)."""
    start_hour: int = Field(default=6, ge=0, le=23)
    """Hour of the day at which the first turn starts (0-23); sets day and night for convoys."""
    player_side: Id
    """Id of the side the trainee commands (must be one of `sides`)."""
    turn_hours: int = Field(default=12, ge=1, le=72)
    """Length of one turn in hours."""
    turns: int = Field(ge=1, le=200)
    """Number of turns before the game ends on time."""
    difficulty: ShortText = "standard"
    """Free-text label shown to the trainee (for example: tutorial, standard, hard)."""
    learning_objectives: list[LearningObjective] = Field(default_factory=list, max_length=50)
    """Lessons the game is meant to teach."""
    sources: list[Source] = Field(default_factory=list, max_length=200)
    """Public sources the scenario draws on."""
