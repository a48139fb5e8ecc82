"""Where the commands write: one line per message on stderr, tables on stdout, both literal
(no Rich markup: a path or a YAML error with `[de` prints as it is)."""

import sys

from rich.console import Console
from rich.table import Table

err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def wide(width: int) -> Console:
    """A stdout console at least `width` columns wide, for tables."""
    return Console(file=sys.stdout, width=max(Console().width, width), markup=False)


def print_report(report: object) -> None:
    """Print the stage table of a report."""
    from babelforge.flows.report import Report

    assert isinstance(report, Report)
    table = Table(title=f"babelforge: {report.run_dir}")
    for column in (
        "stage",
        "lang",
        "input",
        "accepted",
        "rejected",
        "failed",
        "yield",
        "top reason",
    ):
        table.add_column(column)
    for r in report.stages:
        top = next(iter(r.reasons), "")
        table.add_row(
            r.stage, r.language, str(r.input), str(r.accepted), str(r.rejected), str(r.failed),
            f"{r.yield_rate:.0%}", top,
        )  # fmt: skip
    wide(120).print(table)
