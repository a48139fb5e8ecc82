"""The one base error of babelforge and the errors every package shares.

Every error carries the exit status the CLI ends with (see README, "Exit codes"):
0 done, 2 a user error (config, input, path, permission), 3 the endpoint cannot serve the run
(resumable once fixed), 4 accounting broken (a stage does not balance: a bug),
130 / 143 stopped by Ctrl-C / SIGTERM (resumable).
"""

from typing import ClassVar

from babelforge.schemas.secrets import scrub


class BabelforgeError(Exception):
    """Base of every error babelforge raises on purpose; its message says what to do.
    Its text arguments are scrubbed of the run's secret values (schemas/secrets.py): a
    message may quote an upstream reply, and Prefect stores every failed task's message."""

    exit_code: ClassVar[int] = 2

    def __init__(self, *args: object) -> None:
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))


class ConfigError(BabelforgeError):
    """A run config or input file is invalid; the message names the file, line and field."""


class InputError(BabelforgeError):
    """An input record is malformed; the message names the file, line and record."""


class AccountingError(BabelforgeError):
    """A stage does not balance (accepted + rejected + failed != input): a bug, not bad input."""

    exit_code: ClassVar[int] = 4
