"""The charts section of a run's report.md: yield per stage and language, and the top drop
reasons per language, rendered as PNGs into `<run_dir>/charts/` (uploaded there when the run
directory is on object storage)."""

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from babelforge.flows.store import RunStore

if TYPE_CHECKING:
    from babelforge.flows.report import Report

FOLDER = "charts"


def chart_section(store: RunStore, report: "Report") -> str:
    """Render the run's charts and return the Markdown that embeds them ('' when none)."""
    from babelforge.flows.charts import run_charts

    if store.is_local:
        charts = run_charts(report, store.local_dir(FOLDER))
    else:
        with tempfile.TemporaryDirectory() as temp:
            charts = run_charts(report, Path(temp))
            for chart in charts:
                store.fs.put_file(str(chart), store.path(f"{FOLDER}/{chart.name}"))
    if not charts:
        return ""
    lines = ["", "## Charts", ""] + [f"![{c.stem}]({FOLDER}/{c.name})" for c in charts]
    return "\n".join(lines) + "\n"
