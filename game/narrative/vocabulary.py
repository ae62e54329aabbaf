"""Words the command line understands, and forgiving matching of what the trainee typed.

Matching order: exact word or alias, then a unique prefix ("fort" → fortify), then — only to
*suggest*, never to act — the closest word by spelling. Acting on a guess could send a battalion
the wrong way, so a misspelling is an error whose message names the likely word.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from game.engine.orders import DRONE_TASKS, POSTURES
from game.errors import SalientError
from game.scenario import Scenario

VERBS: dict[str, str] = {
    "status": "status",
    "st": "status",
    "look": "look",
    "l": "look",
    "examine": "look",
    "x": "look",
    "order": "order",
    "posture": "order",
    "drones": "drones",
    "drone": "drones",
    "ew": "ew",
    "jam": "ew",
    "jammers": "ew",
    "convoy": "convoy",
    "convoys": "convoy",
    "trucks": "convoy",
    "escort": "escort",
    "route": "route",
    "netting": "netting",
    "nets": "netting",
    "net": "netting",
    "reserve": "reserve",
    "commit": "reserve",
    "withdraw": "withdraw",
    "forecast": "forecast",
    "advisor": "forecast",
    "help": "help",
    "h": "help",
    "?": "help",
    "undo": "undo",
    "u": "undo",
    "end": "end",
    "next": "end",
    "yes": "yes",
    "y": "yes",
    "confirm": "yes",
    "no": "no",
    "n": "no",
    "cancel": "no",
}
"""Every verb and its aliases → the canonical verb."""

VERB_ORDER: tuple[str, ...] = (
    "status",
    "look",
    "order",
    "drones",
    "ew",
    "convoy",
    "escort",
    "route",
    "netting",
    "reserve",
    "withdraw",
    "forecast",
    "help",
    "undo",
    "end",
)
"""The canonical verbs in the order help lists them."""

POSTURE_WORDS: dict[str, str] = {
    **{p: p for p in POSTURES},
    "counterattack": "counter_attack",
    "counter": "counter_attack",
    "attack": "counter_attack",
    "ca": "counter_attack",
    "dig_in": "fortify",
    "dig": "fortify",
    "retreat": "withdraw",
    "fall_back": "withdraw",
}
TASK_WORDS: dict[str, str] = {
    **{t: t for t in DRONE_TASKS},
    "hunt": "counter_drone",
    "counter": "counter_drone",
    "counterdrone": "counter_drone",
    "cd": "counter_drone",
    "overwatch": "road_overwatch",
    "road": "road_overwatch",
    "ow": "road_overwatch",
    "scout": "recon",
    "reconnaissance": "recon",
    "isr": "recon",
}
EW_WORDS: dict[str, str] = {"front": "front", "road": "road"}
TIME_WORDS: dict[str, str] = {"day": "day", "daylight": "day", "night": "night", "dark": "night"}
ROUTE_WORDS: dict[str, str] = {"road": "road", "tracks": "tracks", "track": "tracks", "fields": "tracks"}
SWITCH_WORDS: dict[str, str] = {
    "on": "on",
    "yes": "on",
    "true": "on",
    "1": "on",
    "off": "off",
    "no": "off",
    "false": "off",
    "0": "off",
}
NONE_WORDS: frozenset[str] = frozenset({"none", "off", "cancel", "stay", "back"})


class CommandError(SalientError):
    """What the trainee typed cannot be understood; the message says why and what was likely meant."""


_LISTED = 8
"""A short vocabulary is named in full when a word matches none of it; a long one would drown the message."""


def normalise(word: str) -> str:
    """Lower-case, with hyphens turned into underscores ("Counter-Attack" → "counter_attack")."""
    return word.strip().lower().replace("-", "_")


def match(word: str, words: Mapping[str, str], what: str) -> str:
    """The canonical word `word` stands for among `words` (alias → canonical), or a CommandError.

    Raises with the candidates when a prefix is ambiguous, and with the closest spelling when unknown.
    """
    w = normalise(word)
    if w in words:
        return words[w]
    hits = sorted({canon for alias, canon in words.items() if alias.startswith(w)})
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise CommandError(f"'{word}' could be {_or_list(hits)}; type a little more.")
    choices = sorted(set(words.values()))
    raise CommandError(unknown_word(word, words, what, choices))


def unknown_word(word: str, words: Iterable[str], what: str, choices: Sequence[str] = ()) -> str:
    """A plain message for a word that matches nothing, naming the closest one when there is one.

    Failing that, a short list of `choices` is named in full, so a newcomer learns the words at once.
    """
    near = difflib.get_close_matches(normalise(word), list(words), n=1, cutoff=0.6)
    if near:
        hint = f" Did you mean '{near[0]}'?"
    elif 0 < len(choices) <= _LISTED and not any(":" in c for c in choices):
        hint = f" Choose {_or_list(list(choices))}."
    else:
        hint = ""
    return f"I don't know the {what} '{word}'.{hint}"


def _or_list(items: list[str]) -> str:
    quoted = [f"'{i}'" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


@dataclass(frozen=True)
class Lexicon:
    """The scenario's own words: sectors, places, roads and units, by id and by name."""

    sectors: dict[str, str]
    """Word (id, or name with underscores; also a place's id/name) → sector id."""
    places: dict[str, str]
    roads: dict[str, str]
    own_units: dict[str, str]
    reserve_units: dict[str, str]
    """Reserve units' words → unit id (all reserves of the scenario; the picture says which are left)."""

    @classmethod
    def of(cls, scenario: Scenario) -> Lexicon:
        """Build the scenario's lexicon; ids always win over names when the two clash."""
        m = scenario.map
        places = _named((p.id, p.name) for p in m.places)
        sectors = _named((s.id, s.name) for s in m.sectors)
        for s in m.sectors:
            for pid in s.places:
                for alias, place_id in places.items():
                    if place_id == pid:
                        sectors.setdefault(alias, s.id)
        roads = _named((r.id, r.name) for r in m.roads)
        units = _named((u.id, u.name) for u in scenario.player.units)
        reserves = {k: v for k, v in units.items() if v in {u.id for u in scenario.player.units if u.in_reserve}}
        return cls(sectors=sectors, places=places, roads=roads, own_units=units, reserve_units=reserves)


def _named(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map ids and names (lower-case, spaces → underscores) to ids; ids first so they always win."""
    pairs = list(pairs)
    out = {ident: ident for ident, _ in pairs}
    for ident, name in pairs:
        out.setdefault(normalise(name).replace(" ", "_"), ident)
    return out
