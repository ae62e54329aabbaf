"""The Salient app: a thin shell that moves between screens and owns the crash handling.

Screens hold the logic of what they show; the app only knows the order of screens (title →
briefing → play ⇄ result → end), the session being played, and the keys that work everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Console
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType, Keymap
from textual.notifications import SeverityLevel
from textual.screen import Screen

from game.errors import SalientError
from game.narrative.safe_text import shown

from .crash import without_locals, write_crash_log
from .palette import ScreenActions
from .session import Session, TurnResult

if TYPE_CHECKING:
    from game.classroom.guard import UmpireGuard
    from game.engine.report import Score


class _ErrorReport(io.StringIO):
    """The file behind the app's error console. Textual prints its report of an unhandled error here as the
    app stops; `on_report` is called when the report is flushed (the app turns it into the crash log)."""

    def __init__(self, on_report: Callable[[], object]) -> None:
        super().__init__()
        self.on_report = on_report

    def flush(self) -> None:
        super().flush()
        if self.getvalue().strip():
            self.on_report()


@dataclass(frozen=True)
class LaunchOptions:
    """What `salient play` was asked for."""

    scenario: Path | None = None
    seed: int | None = None
    trainee: str = ""
    save_path: Path | None = None
    """Where a new game's journal goes (default: a fresh name in the saves folder)."""
    db_path: Path | None = None
    """The class database finished games are recorded in (default: $SALIENT_DB, else the user data folder)."""
    start: bool = False
    """Open `scenario` with `seed` at once (its briefing, then play) instead of the title screen."""


class SalientApp(App[None]):
    """The game in a terminal (or a browser, through textual-serve)."""

    CSS_PATH = "salient.tcss"
    TITLE = "Salient"
    COMMANDS = App.COMMANDS | {ScreenActions}
    # typed as Textual types them (ClassVar | None reads to mypy as an instance attribute)
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-too-narrow"), (80, "-narrow"), (120, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-too-short"), (24, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="salient.help"),
        Binding("ctrl+s", "save", "Save", id="salient.save"),
        Binding("q", "quit_game", "Quit", id="salient.quit", tooltip="asks first; the game is saved"),
        # ctrl+q as well (where q is a letter being typed): Textual's own ctrl+q would skip the question.
        Binding(
            "ctrl+q", "quit_game", "Quit", show=False, id="salient.quit_ctrl", tooltip="asks first; the game is saved"
        ),
    ]

    def __init__(self, options: LaunchOptions | None = None, session: Session | None = None) -> None:
        super().__init__()
        self.options = options or LaunchOptions()
        self.session = session
        self.crash_log: Path | None = None
        self.stopped_by: SalientError | None = None
        """The plain error (bad input) the game stopped on, when that was the cause rather than a bug."""
        """Set when an unexpected error stopped the app: where its details were written."""
        self.saved_message = ""
        """What to tell the player in the terminal after a normal exit."""
        self.umpire_guard: UmpireGuard | None = None
        """The instructor's passphrase check; None leaves umpire mode off (set before `run`)."""
        self.record_warning = ""
        """Why a finished game could not be added to the class database ('' when it was, or none finished)."""
        self.keymap_in_use: dict[str, str] = {}
        """The key remappings given to `set_keymap` / `update_keymap` (the command palette shows those keys)."""
        self.screen_name = "(no screen)"
        """The screen last shown, for the crash log (the screens are gone by the time it is written)."""
        self.error_report = _ErrorReport(self.log_crash)
        self.error_console = Console(
            file=self.error_report, width=120, color_system=None, markup=False, highlight=False
        )
        """Where Textual reports an unhandled error: into the crash log, never onto the player's terminal."""

    def set_keymap(self, keymap: Keymap) -> None:
        self.keymap_in_use = dict(keymap)
        super().set_keymap(keymap)

    def update_keymap(self, keymap: Keymap) -> None:
        self.keymap_in_use = {**self.keymap_in_use, **keymap}
        super().update_keymap(keymap)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._note_screen)
        if self.session is not None:
            self._open_session(self.session)
        else:
            from .screens.title import TitleScreen

            o = self.options
            self.push_screen(TitleScreen(o.scenario, o.seed, o.trainee))
            if o.start and o.scenario is not None and o.seed is not None:
                self.start_new_game(o.scenario, o.seed, o.trainee)  # replaces the title (kept if it fails)

    # --- moving between screens ---------------------------------------------------------------

    def start_new_game(self, path: Path, seed: int, trainee: str) -> None:
        """Load a scenario and show its briefing (the journal starts when play begins)."""
        from game.engine.game import Game
        from game.scenario.load import load_scenario

        from .screens.briefing import BriefingScreen

        try:
            scenario = load_scenario(path)
        except SalientError as error:
            self.notify(str(error), title=f"Cannot load {path.name}", severity="error", timeout=15)
            return
        from game.record.signing import new_game_secret

        self.session = Session(
            Game(scenario, seed, new_game_secret(scenario, seed)), None, scenario_path=str(path), trainee=trainee
        )
        self.switch_screen(BriefingScreen(self.session))

    def begin_play(self) -> None:
        """From the briefing into the game: the journal (the autosave) is created now."""
        from .screens.play import PlayScreen

        session = self.session
        assert session is not None
        if session.journal is None:
            try:
                session.start_journal(self.options.save_path)
            except SalientError as error:
                self.notify(str(error), title="Cannot save this game", severity="error", timeout=15)
                return
        self.switch_screen(PlayScreen(session))

    def open_save(self, path: Path) -> None:
        """Continue a saved game picked on the title screen."""
        try:
            session = Session.load(path)
        except SalientError as error:
            self.notify(str(error), title=f"Cannot continue {path.name}", severity="error", timeout=20)
            return
        self.session = session
        self._open_session(session, replace=True)

    def _open_session(self, session: Session, replace: bool = False) -> None:
        from .screens.end import EndScreen
        from .screens.play import PlayScreen

        screen = EndScreen(session) if session.game.finished else PlayScreen(session)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_result(self, result: TurnResult) -> None:
        """Show what happened in the turn just resolved."""
        from .screens.result import ResultScreen

        assert self.session is not None
        self.push_screen(ResultScreen(self.session, result))

    def after_result(self) -> None:
        """Back to planning, or on to the end of the game."""
        from .screens.end import EndScreen

        self.pop_screen()
        if self.session is not None and self.session.game.finished:
            self.switch_screen(EndScreen(self.session))
            self.record_finished_game(self.session)

    def record_finished_game(self, session: Session) -> None:
        """Add the finished game to the class database, in a thread; the journal is already safe on disk."""
        path = session.journal_path
        if path is None:
            return
        self.run_worker(partial(self._record, path, session.score()), thread=True, group="class-record")

    def _record(self, path: Path, score: Score) -> None:
        from game.classroom.recorder import record_game_safely

        try:
            warning = record_game_safely(path, db_path=self.options.db_path, score=score)
        except Exception as error:
            warning = (
                f"the game is saved in {path}, but it could not be added to the class record ({error}); "
                f"add it later with: salient class import {path}"
            )
        if warning:
            self.record_warning = warning  # `salient play` prints it too, in case the app has closed meanwhile
            self.notify(warning, title="Class record", severity="warning", timeout=20)  # thread-safe: a message

    def back_to_title(self) -> None:
        """Leave this game (it stays saved) for the title screen."""
        from .screens.title import TitleScreen

        self.session = None
        self.switch_screen(TitleScreen(self.options.scenario, None, self.options.trainee))

    # --- keys that work everywhere --------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification as plain text: messages quote paths, names and errors from files, which are
        data (a file named `[@click=app.quit].yaml` must not become an action), so markup is never read."""
        super().notify(shown(message), title=shown(title), severity=severity, timeout=timeout, markup=False)

    def action_help(self) -> None:
        """Show the help screen (once)."""
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide "Save" where there is no game to save (the title screen, the briefing)."""
        if action == "save":
            return self.session is not None and self.session.journal is not None
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, less its "Quit" (which would skip the question): q's is listed."""
        for system_command in super().get_system_commands(screen):
            if system_command.title != "Quit":
                yield system_command

    def action_save(self) -> None:
        """Make sure the game is on disk and say where."""
        if self.session is None or self.session.journal is None:
            self.notify("Nothing to save yet: a game is saved from its first turn on.")
            return
        self.notify(self.session.save_now(), title="Saved")

    def action_quit_game(self) -> None:
        """Ask first (saying where the game is saved), then save and quit."""
        from .screens.confirm import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog):
            return  # a question is already open; answer it first
        session = self.session
        if session is not None and session.journal is not None:
            question = (
                f"Quit Salient?\n\nThe game is saved in {session.journal_path} (the orders "
                "you are planning too). Continue it later: Continue on the title screen, or "
                "salient play --load with that file."
            )
        else:
            question = "Quit Salient?\n\nNo game has started, so there is nothing to save."

        def answered(yes: bool | None) -> None:
            if yes:
                self.quit_now()

        self.push_screen(ConfirmDialog(question, yes="Quit", no="Stay"), answered)

    def quit_now(self) -> None:
        """Save (when a game is open), then quit without asking."""
        if self.session is not None and self.session.journal is not None:
            self.saved_message = self.session.save_now()
        self.exit()

    # --- when something goes wrong --------------------------------------------------------------

    # Textual stops the app on an unhandled error with return code 1 and writes its report to
    # `error_console`, which here is a buffer: the report goes to the crash log, the player sees a plain message.

    def stop_on_bad_input(self, error: SalientError) -> None:
        """Bad input found only once the game runs (a scenario number that overflows the model): the file's
        fault, told in its own words when the app has closed, not a bug to log. The autosave keeps every finished
        turn."""
        self.stopped_by = error
        self.exit(return_code=1)

    def _note_screen(self, screen: Screen[Any]) -> None:
        self.screen_name = type(screen).__name__

    def log_crash(self) -> Path | None:
        """When an unhandled error stopped the app, write Textual's report of it to the crash log (once)."""
        if self.crash_log is None and self.return_code == 1 and self.stopped_by is None:
            report = self.error_report.getvalue()
            details = without_locals(report).rstrip() + "\n" if report.strip() else "(no details were reported)\n"
            self.crash_log = write_crash_log(details, context=self.crash_context())
        return self.crash_log

    def crash_context(self) -> str:
        """Where the game was when it stopped: the screen, the turn and the save."""
        session = self.session
        turn = session.game.turn if session is not None else "-"
        return f"screen: {self.screen_name}; turn: {turn}; save: {session.journal_path if session else None}"
