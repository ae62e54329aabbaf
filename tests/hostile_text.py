"""A corpus of hostile strings, and a scenario whose names are made of them.

Each string attacks one output: Textual markup and click actions (screens), escape sequences (terminals),
bidi overrides (any reader), HTML (the HTML reports), spreadsheet formulas (CSV), and sheer size.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"

MARKUP = "[b]bold[/b] [red]red[/] [$error]var[/]"
CLICK_QUIT = "[@click=app.quit]quit[/]"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
BIDI = "\u202eevil\u202c"
HTML = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'
HUGE = "A" * 1_000_000


def click_screenshot(folder: Path) -> str:
    """A click action that would write a file into `folder` if it were ever run."""
    return f"[@click=app.screenshot('x.txt','{folder}')]shot[/]"


def corpus(folder: Path) -> list[str]:
    """Every hostile string but the huge one (which is refused or cut where it enters)."""
    return [MARKUP, CLICK_QUIT, click_screenshot(folder), OSC_TITLE, OSC_CLIPBOARD, CLEAR, C1_CSI, BIDI, HTML, FORMULA]


TITLE = f"{CLICK_QUIT} {MARKUP} {OSC_TITLE}end {HTML}"
UNIT = f"[/b]Unit [red]one[/] {OSC_CLIPBOARD}{HTML}"
SECTOR = f"[/b]Vil{OSC_TITLE}lage {BIDI}"
ROAD = FORMULA
TRACK = f"{CLEAR}[/]track {HTML}"
SIDE = f"{HTML} {MARKUP} {C1_CSI}"
TRAINEE = f"[/b]bob {CLEAR}{FORMULA}"


def place_name(folder: Path) -> str:
    return f"Depot {click_screenshot(folder)}"


def hostile_scenario(folder: Path, *, turns: int = 2) -> Path:
    """The tutorial with hostile names (title, a place, sectors, roads, a unit, a side), `turns` long."""
    yaml = YAML()
    data = yaml.load(TUTORIAL.read_text(encoding="utf-8"))
    data["meta"]["title"] = TITLE
    data["meta"]["turns"] = turns
    data["map"]["places"][2]["name"] = place_name(folder)
    data["map"]["sectors"][0]["name"] = SECTOR
    data["map"]["roads"][0]["name"] = ROAD
    data["map"]["roads"][2]["name"] = TRACK
    data["sides"][0]["name"] = SIDE
    data["sides"][0]["units"][0]["name"] = UNIT
    path = folder / "hostile.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def with_field(folder: Path, where: tuple[str | int, ...], value: str) -> Path:
    """The tutorial with one field replaced (to try a 1 MB name)."""
    yaml = YAML()
    data = yaml.load(TUTORIAL.read_text(encoding="utf-8"))
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    path = folder / "one-field.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path
