"""The babelforge command line: each command builds a config and calls a flow.

The commands live in flows/commands/ (one module per group); this module registers them, sets
up logging (Prefect quiet unless --verbose) and turns every error into one line on stderr and
the exit status its class carries (schemas/errors.py, README "Exit codes").
"""

import functools
import logging
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import ParamSpec

import typer

from babelforge.flows.commands import checks, models, publish, run, serve, stop
from babelforge.flows.commands.console import err
from babelforge.schemas.errors import BabelforgeError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n", 1)[0])
P = ParamSpec("P")
_state = {"verbose": False}


class _Stderr(logging.StreamHandler):
    """Writes to the current sys.stderr, so a captured stderr (tests) sees the lines too."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # not setStream: it flushes the old one, maybe closed by now
        super().emit(record)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Prefect's logs, tracebacks"),
) -> None:
    """A factory for multilingual synthetic datasets."""
    configure_logging(verbose)


def configure_logging(verbose: bool) -> None:
    """babelforge's own lines (progress) at INFO on stderr; Prefect's console logs only with
    --verbose. Set in the environment before Prefect is imported (it reads it once, and so
    does the Prefect server it starts); if it is imported already, its handlers are set too."""
    _state["verbose"] = verbose
    console_level = "INFO" if verbose else "CRITICAL"
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = console_level
    os.environ["PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL"] = console_level
    if not verbose:
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    for name in ("", "uvicorn", "fastapi", "prefect._internal"):
        for handler in logging.getLogger(name).handlers:
            if type(handler).__module__.startswith("prefect."):
                handler.setLevel(console_level)
    own = logging.getLogger("babelforge")
    own.setLevel(os.environ.get("BABELFORGE_LOG", "DEBUG" if verbose else "INFO"))
    own.propagate = False
    if not any(isinstance(h, _Stderr) for h in own.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        own.addHandler(handler)


def guarded(command: Callable[P, None]) -> Callable[P, None]:
    """Run a command; any error it ends with becomes one line on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            sig = stop.received() or signal.SIGINT
            stop.announce(sig)
            raise typer.Exit(code=stop.EXIT_CODES[sig]) from None
        except BaseException as e:
            error = user_error(e)
            if error is None:
                raise
            if _state["verbose"]:
                traceback.print_exception(e, file=sys.stderr)
            err.print(f"error: {error}")
            raise typer.Exit(code=error.exit_code) from None

    return wrapper


def user_error(error: BaseException) -> BabelforgeError | None:
    """The error to report for what ended a command, None for a bug (its traceback shows).

    Concurrent stages end in exception groups: the endpoint error if one stopped the run,
    else the first user error. Raw path errors (permission, a file where a folder should be,
    a read-only disk) and undecodable bytes become user errors naming the path."""
    if isinstance(error, BaseExceptionGroup):
        leaves = list(_leaves(error))
        found = [e for e in map(user_error, leaves) if e is not None]
        return max(found, key=lambda e: e.exit_code == 3, default=None)
    if isinstance(error, BabelforgeError):
        return error
    if isinstance(error, FileExistsError | NotADirectoryError) and error.filename is not None:
        return BabelforgeError(
            f"{error.filename}: a file is where a folder should be; remove it or choose "
            "another path (e.g. --run-dir)"
        )
    if isinstance(error, OSError) and error.filename is not None:
        return BabelforgeError(
            f"{error.filename}: {error.strerror or error}; check the path and its permissions"
        )
    if isinstance(error, UnicodeDecodeError):
        return BabelforgeError(
            f"an input is not valid UTF-8 ({error.reason} at byte {error.start}); save it as "
            "UTF-8 (--verbose shows where it was read)"
        )
    cause = error.__cause__
    if type(error).__module__.startswith("prefect") and cause is not None:
        return user_error(cause)
    return None


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    out: list[BaseException] = []
    for e in group.exceptions:
        out.extend(_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])
    return out


for _name, _command in (
    ("run", run.run),
    ("report", run.report),
    ("serve", serve.serve),
    ("deploy", serve.deploy),
    ("serve-deployments", serve.serve_deployments),
    ("push", publish.push),
    ("gold-push", publish.gold_push),
    ("gold-pull", publish.gold_pull),
    ("validate", checks.validate),
    ("calibrate", checks.calibrate),
    ("evaluate", checks.evaluate),
    ("models", models.models),
    ("check-endpoint", models.check_endpoint),
):
    app.command(_name)(guarded(_command))


if __name__ == "__main__":
    app()
