"""Which commands run on which hostile file, and what each must do beyond the common rules.

The common rules (tests/test_hostile_corpus.py): exit 0 or 1; on 1, a message naming the file; no traceback;
no raw terminal escape in what is printed or written; finished in time and within the memory limit; every
other save in the saves folder byte for byte as it was.

A command is a list of steps run in order (each step one `salient` process, or the headless app driver when it
starts with `HEADLESS`); placeholders: {file} the hostile file, {scenario} the minimal scenario, {kursk} the Kursk scenario (it has a history), {orders} a good orders file, {journal} a copy
of the intact game, {db} a fresh class database, {out} a path prefix for outputs, {name} a hostile trainee name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
HEADLESS = "headless"
"""First word of a step that runs `salient` through tests/hostile/headless.py (the app without a terminal)."""

Step = tuple[str, ...]

COMMANDS: dict[str, tuple[Step, ...]] = {
    # scenarios
    "validate": (("validate", "{file}"),),
    "run": (("run", "{file}", "--seed", "1", "--policy", "hold", "--json"),),
    "run_save_aar": (
        ("run", "{file}", "--seed", "1", "--policy", "hold", "--save", "{out}.jsonl", "--trainee", "{name}"),
        ("aar", "{out}.jsonl", "--no-luck", "-o", "{out}.md"),
        ("aar", "{out}.jsonl", "--no-luck", "--format", "csv"),
        ("class", "report", "--format", "md"),
    ),
    "check": (("check", "{file}", "--runs", "16", "--workers", "1", "--policy", "hold"),),
    "hindcast": (("hindcast", "{file}", "--runs", "8", "--orders", "{orders}"),),
    "play": ((HEADLESS, "play", "{file}", "--seed", "1"),),
    "play_turns": ((HEADLESS, "--turns", "2", "play", "{file}", "--seed", "1"),),
    "title": ((HEADLESS, "play", "{file}"),),
    # options far past any need, on good files
    "check_runs_huge": (("check", "{file}", "--runs", "100000000", "--workers", "1"),),
    "aar_replications_huge": (("aar", "{journal}", "--replications", "1000000000"),),
    "hindcast_runs_huge": (("hindcast", "{kursk}", "--runs", "1000000000"),),
    "import_forecast_huge": (("class", "import", "{journal}", "--db", "{db}", "--forecast", "1000000000"),),
    "run_seed_huge": (("run", "{file}", "--seed", "1" + "0" * 30, "--policy", "hold"),),
    "run_seed_negative": (("run", "{file}", "--seed", "-1", "--policy", "hold"),),
    "run_trainee_huge": (("run", "{file}", "--seed", "1", "--policy", "hold", "--trainee", "A" * 100_000),),
    "import_trainee_huge": (("class", "import", "{journal}", "--db", "{db}", "--trainee", "A" * 100_000),),
    # journals
    "aar": (("aar", "{file}", "--replications", "4"),),
    "aar_o": (("aar", "{file}", "--no-luck", "-o", "{out}.md"),),
    "aar_partial": (("aar", "{file}", "--no-luck", "--partial", "--format", "json"),),
    "branch": (("branch", "{file}", "--turn", "2", "--policy", "hold"),),
    "play_load": ((HEADLESS, "play", "--load", "{file}"),),
    "class_import": (
        ("class", "import", "{file}", "--db", "{db}", "--forecast", "0"),
        ("class", "report", "--db", "{db}"),
    ),
    # the title screen lists every save in the folder, the hostile one among them
    "launch": ((HEADLESS, "play"),),
    # orders files
    "run_orders": (("run", "{scenario}", "--seed", "1", "--orders", "{file}"),),
    "check_orders": (
        ("check", "{scenario}", "--runs", "8", "--workers", "1", "--policy", "hold", "--orders", "{file}"),
    ),
    "hindcast_orders": (("hindcast", "{kursk}", "--runs", "8", "--orders", "{file}"),),
    "branch_orders": (("branch", "{journal}", "--turn", "2", "--orders", "{file}", "--dry-run"),),
    "aar_expert": (("aar", "{journal}", "--no-luck", "--expert", "{file}"),),
    # class databases
    "class_report": (("class", "report", "--db", "{file}"),),
    "class_report_html": (("class", "report", "--db", "{file}", "--format", "html", "-o", "{out}.html"),),
    "class_games": (("class", "games", "--db", "{file}"),),
    "class_import_into": (("class", "import", "{journal}", "--db", "{file}", "--forecast", "0"),),
    "run_trainee": (("run", "{scenario}", "--seed", "1", "--policy", "hold", "--trainee", "x", "--db", "{file}"),),
}


@dataclass(frozen=True)
class Case:
    """One hostile file: where it comes from, what to run on it, and any stricter expectation."""

    name: str
    kind: str
    """`scenario` (committed in tests/hostile/scenarios), `journal`, `orders` or `db` (made by build.py), or
    `options` (hostile command-line options on the minimal scenario)."""
    attack: str
    """What the file does, in the words of the issue."""
    commands: tuple[str, ...]
    exit_code: dict[str, int] = field(default_factory=dict)
    """Command → the exit code it must give (otherwise 0 or 1 will do)."""
    says: dict[str, str] = field(default_factory=dict)
    """Command → words its output must hold."""
    never_says: tuple[str, ...] = ()
    """Words no command's output may hold."""

    def file(self, built: dict[str, Path]) -> Path:
        """The hostile file of this case."""
        if self.kind == "options":
            return HERE.parent / "fixtures" / "minimal.yaml"
        return SCENARIOS / f"{self.name}.yaml" if self.kind == "scenario" else built[self.name]


SCENARIO_ALL = ("validate", "run", "check")
JOURNAL_ALL = ("aar", "aar_o", "branch", "play_load", "class_import")
DAMAGED = (*JOURNAL_ALL, "aar_partial")
"""For journals whose damage `aar --partial` is meant to read past."""
SAVES_FOLDER = (*JOURNAL_ALL, "launch")
"""For journals that once crashed the title screen, which reads every save in the folder."""
ORDERS_ALL = ("run_orders", "check_orders", "hindcast_orders", "branch_orders", "aar_expert")
DB_ALL = ("class_report", "class_report_html", "class_games", "class_import_into", "run_trainee")


OVERFLOW = "overflows the model"
OPTIONS = (
    "check_runs_huge",
    "aar_replications_huge",
    "hindcast_runs_huge",
    "import_forecast_huge",
    "run_seed_huge",
    "run_seed_negative",
    "run_trainee_huge",
    "import_trainee_huge",
)
READ_ONLY = frozenset(
    {"validate", "aar", "aar_o", "aar_partial", "class_import", "class_report", "class_report_html", "class_games"}
)
"""Commands that must leave the hostile file itself byte for byte as it was."""

CASES: tuple[Case, ...] = (
    # --- scenarios that pass or fail validation -------------------------------------------------------
    Case(
        "inject_scale_int_field",
        "scenario",
        "an inject scales an integer field (trucks) by 1e300: once an OverflowError",
        SCENARIO_ALL,
        exit_code=dict.fromkeys(SCENARIO_ALL, 1),
        says={"validate": "trucks_available"},
    ),
    Case(
        "inject_substeps_zero",
        "scenario",
        "an inject sets substeps_per_turn to 0: once a ZeroDivisionError",
        SCENARIO_ALL,
        exit_code=dict.fromkeys(SCENARIO_ALL, 1),
        says={"validate": "substeps_per_turn"},
    ),
    Case(
        "inject_substeps_huge",
        "scenario",
        "an inject sets substeps_per_turn to 1e9: once 15.7 GB and a MemoryError",
        SCENARIO_ALL,
        exit_code=dict.fromkeys(SCENARIO_ALL, 1),
        says={"validate": "substeps_per_turn"},
    ),
    Case(
        "inject_nan",
        "scenario",
        "an inject sets a rate to NaN: once 'score nan' and exit 0",
        SCENARIO_ALL,
        exit_code=dict.fromkeys(SCENARIO_ALL, 1),
        says={"validate": "NaN"},
    ),
    Case(
        "inject_negative",
        "scenario",
        "an inject sets a rate below zero: once 'score nan' and exit 0",
        SCENARIO_ALL,
        exit_code=dict.fromkeys(SCENARIO_ALL, 1),
        says={"validate": "greater than or equal to 0"},
    ),
    Case(
        "inject_scale_huge_rate",
        "scenario",
        "an inject scales a fire rate by 1e300 (within every field limit) until the model overflows",
        ("validate", "run", "check", "play"),
        exit_code={"validate": 0, "run": 1, "check": 1},
        says={"run": OVERFLOW, "check": OVERFLOW},
        never_says=("score nan",),
    ),
    Case(
        "trucks_ten_million",
        "scenario",
        "trucks_available 10,000,000: once spun for more than two minutes",
        ("validate", "run", "check"),
    ),
    Case(
        "firepower_1e308",
        "scenario",
        "firepower 1e308 overflows to infinity: once 'score nan' and exit 0",
        ("validate", "run", "check", "play", "play_turns"),
        exit_code={"run": 1, "check": 1, "play_turns": 1},
        says={"run": "firepower = 1e+308", "check": "firepower = 1e+308", "play_turns": "firepower = 1e+308"},
        never_says=("score nan",),
    ),
    Case(
        "lethality_1e308",
        "scenario",
        "drone lethality 1e308: once 'score nan' and exit 0",
        ("validate", "run", "check"),
        exit_code={"run": 1},
        says={"run": "lethality = 1e+308"},
        never_says=("score nan",),
    ),
    Case(
        "engaged_per_km_tiny",
        "scenario",
        "engaged_per_km 1e-308: once 'score nan' and exit 0",
        ("validate", "run", "check"),
        never_says=("score nan", " nan"),
    ),
    Case(
        "names_markup_escapes",
        "scenario",
        "markup, @click actions, ESC/OSC sequences, bidi overrides, HTML and formulas in the title and names",
        ("validate", "run", "run_save_aar", "play", "play_turns", "title"),
        exit_code={"validate": 0, "run": 0, "run_save_aar": 0, "play": 0, "play_turns": 0, "title": 0},
    ),
    Case(
        "huge_options",
        "options",
        "check --runs 100000000, aar --replications 1000000000 and the like: once accepted, hours or memory later",
        OPTIONS,
        exit_code=dict.fromkeys(OPTIONS, 1),
    ),
    # --- journals -----------------------------------------------------------------------------------
    Case(
        "cut_before_final_newline",
        "journal",
        "cut exactly before its final newline: aar/branch once appended onto the last turn's line",
        DAMAGED,
    ),
    Case("torn_nul_tail", "journal", "NUL bytes after the last whole line (a torn write)", DAMAGED),
    Case(
        "branch_notes_number",
        "journal",
        'a stored branch with "notes": 5: once a TypeError in aar, branch, play --load',
        SAVES_FOLDER,
    ),
    Case(
        "junk_branch_records", "journal", "branch records of the wrong shapes: once crashed every launch", SAVES_FOLDER
    ),
    Case("negative_seed", "journal", "a negative seed in the header: once a ValueError", JOURNAL_ALL),
    Case("huge_seed", "journal", "a seed of 10**400 in the header", JOURNAL_ALL),
    Case(
        "junk_drill_records", "journal", "drill answers with fields of the wrong types: once a TypeError", JOURNAL_ALL
    ),
    Case("junk_umpire_records", "journal", "umpire records that are not: unknown kinds, 1e308, NaN", JOURNAL_ALL),
    Case(
        "forged_luck",
        "journal",
        "a cached luck analysis edited to print a verdict of its own",
        ("aar",),
        never_says=("FORGED",),
    ),
    Case(
        "hostile_trainee",
        "journal",
        "markup, escapes and HTML in the trainee's name",
        SAVES_FOLDER,
    ),
    Case(
        "huge_trainee",
        "journal",
        "a 10 MB trainee name: once 61 s, 8.4 GB and a 1.2 GB report",
        ("aar_o", "play_load", "class_import", "launch"),
    ),
    Case(
        "huge_line",
        "journal",
        "a 20 MB record line: once 33 s and 3.9 GB for a 1 GB line",
        ("aar", "play_load", "class_import"),
    ),
    Case(
        "deep_line", "journal", "a record nested 50,000 deep", ("aar", "branch", "play_load", "class_import", "launch")
    ),
    Case("deep_turn", "journal", "a turn record nested 50,000 deep", ("aar", "aar_partial", "play_load")),
    Case("header_scenario_junk", "journal", "the embedded scenario edited, its hash kept", JOURNAL_ALL),
    Case("header_only_garbage", "journal", "random bytes named .jsonl", SAVES_FOLDER),
    Case("turn_numbers_junk", "journal", "turns out of order, repeated and negative", DAMAGED),
    # --- orders files -------------------------------------------------------------------------------
    Case("deep_orders_json", "orders", "an orders file nested 50,000 deep: once a RecursionError", ORDERS_ALL),
    Case("deep_orders_yaml", "orders", "a YAML orders file nested 50,000 deep", ORDERS_ALL),
    Case("hostile_orders_names", "orders", "orders naming sectors with markup and escapes", ORDERS_ALL),
    # --- class databases ----------------------------------------------------------------------------
    Case("db_schema_version_text", "db", 'a class database whose schema_version is "abc"', DB_ALL),
    Case("db_newer_version", "db", "a class database from a newer Salient", DB_ALL),
    Case("db_damaged_decisions", "db", "a damaged decisions column: once a TypeError", DB_ALL),
    Case("db_not_sqlite", "db", "a file named like the database that is not SQLite", DB_ALL),
    Case("db_truncated", "db", "a class database cut in half", DB_ALL),
)

__all__ = ["CASES", "COMMANDS", "HEADLESS", "READ_ONLY", "Case"]
