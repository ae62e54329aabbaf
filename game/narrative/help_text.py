"""Help: the commands, and what each order does in the model — one text for the help screen and `help`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One help topic: the command's shape and what it does."""

    usage: str
    summary: str
    model: str = ""
    """What the order changes in the simulation, for the trainee who wants to know why."""


TOPICS: dict[str, Topic] = {
    "status": Topic("status", "Your orders so far this turn, stocks, the road and the encirclement clock."),
    "look": Topic(
        "look [PLACE | SECTOR | ROAD | UNIT | road | enemy | stocks]",
        "Describe something on the map, or the whole bridgehead when you name nothing.",
    ),
    "order": Topic(
        "order SECTOR POSTURE   (or: order all POSTURE)",
        "Set a sector's posture: hold, fortify, counter-attack, delay or withdraw.",
        "Posture sets how you fight and what it costs. Fortify digs: a quarter of the soldiers dig instead of "
        "firing, it burns fuel, and the works protect (from fire and drones) only as they are built, turn by "
        "turn, slower under assault; artillery and air strikes erode them. Dig where the blow is not yet falling. "
        "Counter-attack fires hardest but exposes your soldiers, and costs them against a stronger enemy; delay "
        "trades ground for time; withdraw gives the sector up. Troops on the move are easier for drones to find.",
    ),
    "drones": Topic(
        "drones TASK N   (TASK: strike, counter_drone, road_overwatch, recon)",
        "Give N of your drone teams a task this turn.",
        "Strike hits assaulting infantry (North Korean units learn to hide from drones as the weeks pass). "
        "Counter-drone hunts enemy crews and launch points, so fewer enemy sorties fly. Road overwatch watches "
        "the supply road for enemy crews. Recon sharpens the enemy estimate and aims your artillery.",
    ),
    "ew": Topic(
        "ew front N  |  ew road N",
        "Put N jamming teams over the front or along the supply road.",
        "Jamming stops a share of radio-controlled drone sorties. Watch what is actually hitting the road "
        "before you rely on it.",
    ),
    "convoy": Topic(
        "convoy day N  |  convoy night N",
        "Send N trucks from the border this turn, by day or by night.",
        "Trucks carry supply in; each one on the road is exposed to drones for the time it takes to drive. "
        "Night hides them partly (thermal cameras still see them) but they drive slower.",
    ),
    "escort": Topic(
        "escort on | off",
        "Escort the convoys.",
        "An escort (shooters, mobile jammers) defeats a share of drone attacks but takes cargo space.",
    ),
    "route": Topic(
        "route road | tracks",
        "Send convoys on the paved supply road or on the field tracks.",
        "Tracks are slower and carry less, but they are less watched; dirt turns to mud.",
    ),
    "netting": Topic(
        "netting on | off",
        "Engineers lay anti-drone netting over the supply road this turn.",
        "Netting stops a share of drone attacks on the stretch it covers; engineers net a few km a turn and "
        "fire and weather tear some of it down every turn.",
    ),
    "reserve": Topic(
        "reserve UNIT SECTOR   (reserve UNIT none to cancel)",
        "Commit a reserve unit to a sector this turn.",
        "A committed reserve fights in that sector from this turn on; once committed it cannot be pulled back.",
    ),
    "withdraw": Topic(
        "withdraw   (then yes to confirm; withdraw off to take it back)",
        "Request the withdrawal of the whole grouping from the bridgehead.",
        "Withdrawal takes a few turns and needs a usable road to be orderly; it ends the game.",
    ),
    "forecast": Topic(
        "forecast",
        "The advisor's forecast of your orders as they stand: many replications of the next turn.",
        "Shown as the median with the 5th–95th percentile range: nine runs in ten fall inside it.",
    ),
    "help": Topic("help [TOPIC]", "This help, or help on one command."),
    "undo": Topic("undo", "Take back your last change to this turn's orders. A resolved turn cannot be undone."),
    "end": Topic("end", "End the turn: your orders are carried out and the turn is resolved."),
}

KEYS: tuple[tuple[str, str], ...] = (
    ("?", "help (this screen)"),
    ("e", "end the turn (asks to confirm)"),
    (": or /", "focus the command line"),
    ("escape", "leave the command line / close a dialog"),
    ("tab / shift+tab", "move between fields"),
    ("ctrl+s", "confirm the save is on disk"),
    ("ctrl+z", "undo the last change to your orders"),
    ("ctrl+p", "command palette: every action by name"),
    ("ctrl+u", "umpire mode, for the instructor (asks for the passphrase)"),
    ("q", "quit (the game is saved first)"),
)

CONCEPTS: tuple[tuple[str, str], ...] = (
    ("Estimates", "Enemy figures are estimates with a range, never the truth. Recon narrows them."),
    (
        "Forecast",
        "The advisor replays the next turn many times: median and a 5–95% range, chances of losing "
        "ground and of the road being cut. It is a forecast, not a promise.",
    ),
    ("Road states", "open (=), contested (~), interdicted (!) and cut (X). A cut road starts the encirclement clock."),
    ("Map marks", "■ held by us, □ held by the enemy; the letters in brackets are the same in words."),
    (
        "Standing orders",
        "Every order stands from turn to turn until you change it. The orders tab marks each field "
        "= kept, * changed or ! adapted (when a sector is lost or fewer teams or trucks are left), and the advisor "
        "says why its forecast moved since last turn.",
    ),
    (
        "Drills",
        "On some turns the instructor has set a decision drill: it is put when you end the turn, "
        "before the turn is resolved. Your answer never changes your orders, unless you choose to use an option as "
        "your orders (f3). Past its time limit your own orders are carried out.",
    ),
)


def help_lines(topic: str | None = None) -> list[str]:
    """Help as lines for the command line: a short index when `topic` is None, else one topic (KeyError if unknown)."""
    if topic is not None:
        t = TOPICS[topic]
        return [f"{t.usage}", f"  {t.summary}", *([f"  In the model: {t.model}"] if t.model else [])]
    return [
        "Commands: " + ", ".join(TOPICS) + ".",
        "Type help COMMAND for one of them (e.g. help drones); ? opens the full help screen.",
        "Any unambiguous start of a word works: 'ord nor fort' is 'order north fortify'.",
    ]
