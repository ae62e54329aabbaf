"""The one exception type the command line turns into a plain message and exit code 1."""

from __future__ import annotations


class SalientError(Exception):
    """A problem with the user's input or files, explained in plain words; never shown as a traceback."""

    exit_code = 1
