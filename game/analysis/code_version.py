"""Which model code this process runs: a digest of the source of every layer a game's result can depend on.

A result is a pure function of its inputs only for one version of the code. The package's version number does
not change with each edit, so it cannot tell two versions apart: a Dask worker on another machine with another
checkout, or a worker process started after the files changed on disk (a spawned process imports the package
afresh, while the process that set the work up still runs what it imported earlier), would play different games
under the same seed and the same version number, and its results would be merged with the others silently.

`CODE_VERSION` is taken once, when this module is first imported (in the same import as the engine, so it
describes the code this process loaded); the worker pool sends it with every job and a worker whose own differs
refuses (`check_same_code`), and a sweep's results file is keyed by it so that a resumed sweep never mixes games of
two models.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from game.errors import SalientError

MODEL_LAYERS = ("engine", "scenario", "record", "narrative", "analysis")
"""The packages under game/ whose code a job on a worker can run (the layers at and below analysis)."""
MODEL_FILES = ("__init__.py", "errors.py")
"""Files at the top of game/ those layers import."""


def code_digest(package: Path) -> str:
    """Sixteen hex digits of the source of the model's layers under the package folder `package`."""
    files = [package / name for name in MODEL_FILES]
    for layer in MODEL_LAYERS:
        files.extend(sorted((package / layer).rglob("*.py")))
    digest = hashlib.blake2b(digest_size=8, person=b"salient-code")
    for path in files:
        if not path.is_file():
            continue
        name = path.relative_to(package).as_posix().encode()
        content = path.read_bytes()
        for part in (name, content):
            digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


CODE_VERSION = code_digest(Path(__file__).resolve().parent.parent)
"""The digest of the model code this process imported."""


class CodeMismatchError(SalientError):
    """A worker runs other model code than the process that handed it the work."""


def check_same_code(expected: str) -> None:
    """Refuse to play when this process's model code is not the code the work was set up with."""
    if expected != CODE_VERSION:
        raise CodeMismatchError(
            f"a worker runs different Salient model code (version {CODE_VERSION}) from the process that "
            f"started the run (version {expected}): the game's files changed on disk while it ran, or the "
            "worker has another copy installed. Its games would not be the ones asked for, so the run stops; "
            "start it again once every process (and every Dask worker) runs the same code"
        )


__all__ = ["CODE_VERSION", "CodeMismatchError", "check_same_code", "code_digest"]
