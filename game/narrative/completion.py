"""Completion for the command line: what the word being typed probably is, given the words before it."""

from __future__ import annotations

from game.engine.orders import DRONE_TASKS, POSTURES

from .help_text import TOPICS
from .vocabulary import VERB_ORDER, VERBS, Lexicon, normalise

_FIXED: dict[str, list[list[str]]] = {
    "drones": [list(DRONE_TASKS)],
    "ew": [["front", "road"]],
    "convoy": [["day", "night"]],
    "escort": [["on", "off"]],
    "netting": [["on", "off"]],
    "route": [["road", "tracks"]],
    "withdraw": [["off"]],
    "help": [list(TOPICS)],
}


def candidates(verb: str, position: int, lexicon: Lexicon) -> list[str]:
    """Words that may stand at argument `position` (0-based) after `verb`, in a useful order."""
    if verb == "order":
        return [*lexicon.sectors.values(), "all"] if position == 0 else list(POSTURES)
    if verb == "reserve":
        return list(lexicon.reserve_units.values()) if position == 0 else [*lexicon.sectors.values(), "none"]
    if verb == "look" and position == 0:
        return [
            *dict.fromkeys(
                [
                    *lexicon.sectors.values(),
                    *lexicon.places.values(),
                    *lexicon.roads.values(),
                    *lexicon.own_units.values(),
                    "road",
                    "enemy",
                    "stocks",
                ]
            )
        ]
    fixed = _FIXED.get(verb, [])
    return fixed[position] if position < len(fixed) else []


def complete(line: str, lexicon: Lexicon) -> str | None:
    """`line` with its last, unfinished word completed, or None when nothing fits.

    The typed part is kept as typed; only the rest of the word is added, so the suggestion
    always extends what is on screen.
    """
    if not line or line.endswith(" "):
        return None
    words = line.split(" ")
    partial = normalise(words[-1])
    if not partial:
        return None
    if len(words) == 1:
        pool = list(VERB_ORDER)
    else:
        verb = VERBS.get(normalise(words[0]))
        if verb is None:
            return None
        position = len([w for w in words[1:-1] if w])
        pool = candidates(verb, position, lexicon)
    seen: set[str] = set()
    for word in pool:
        if word in seen:
            continue
        seen.add(word)
        if word.startswith(partial) and word != partial:
            return line + word[len(partial) :]
    return None
