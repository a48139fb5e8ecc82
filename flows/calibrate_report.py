"""The Markdown report of a calibration: before and after, per check and language."""

from typing import TYPE_CHECKING

from babelforge.flows.calibration import Operating

if TYPE_CHECKING:
    from babelforge.flows.calibrate import CalibrationReport


def _pct(point: Operating | None, figure: str) -> str:
    value = None if point is None else getattr(point, figure)
    return "-" if value is None else f"{value:.0%}"


def markdown(report: "CalibrationReport") -> str:
    """A table per check: threshold, precision and recall now and at the chosen threshold."""
    out = [
        f"# Calibration of {report.recipe} checks on {report.input}",
        "",
        f"Target precision {report.target_precision:.0%} (positive = people drop the record); "
        f"{report.labeled} labeled records, {report.ties} gold ties left out.",
        "",
    ]
    for name, groups in report.checks.items():
        out += [
            f"## {name}",
            "",
            "| group | n | bad | threshold | precision | recall | target reached |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for group, c in groups.items():
            before, after = c.before, c.after
            cells = [
                f"{_num(before)} -> {_num(after)}",
                f"{_pct(before, 'precision')} -> {_pct(after, 'precision')}",
                f"{_pct(before, 'recall')} -> {_pct(after, 'recall')}",
            ]
            reached = "yes" if c.reached else "no: best F1" if after else "no: no cut helps"
            out.append(f"| {group} | {c.n} | {c.bad} | {' | '.join(cells)} | {reached} |")
        out.append("")
    return "\n".join(out)


def _num(point: Operating | None) -> str:
    return "-" if point is None else f"{point.threshold:g}"
