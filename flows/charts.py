"""PNG charts (matplotlib, Agg backend: no display needed) of an evaluation and of a run.

Evaluation: accuracy per language and model with 95% Wilson intervals and the 25% random
line; English vs target-language accuracy; the hallucination rate per language. Run: yield
per stage and language, and the top drop reasons per language. Each function returns the
paths it wrote; a chart with nothing to show is not written.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from babelforge.schemas.evaluation import EvaluationResults, Proportion

if TYPE_CHECKING:
    from babelforge.flows.report import Report

DPI = 110
TOP_REASONS = 5


def evaluation_charts(results: EvaluationResults, folder: Path) -> list[Path]:
    """Write the evaluation's charts into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for split in sorted({s.split for s in results.mcq}):
        rows = [s for s in results.mcq if s.split == split]
        cells = {(s.language, s.model): s.target for s in rows}
        path = folder / f"mcq-accuracy-{split}.png"
        title = f"MCQ accuracy ({split} split), 95% Wilson intervals"
        written.append(_grouped_bars(cells, title, "accuracy", path, results.random_baseline))
        pairs = [(s.model, s.language, s.english, s.target) for s in rows if s.english]
        if pairs:
            written.append(_english_vs_target(pairs, folder / f"mcq-english-vs-target-{split}.png"))
    for split in sorted({s.split for s in results.hallucination}):
        cells = {(s.language, s.model): s.rate for s in results.hallucination if s.split == split}
        path = folder / f"hallucination-rate-{split}.png"
        title = f"Answers with a hallucinated span ({split} split), 95% Wilson intervals"
        written.append(_grouped_bars(cells, title, "share of answers", path, None))
    return written


def run_charts(report: "Report", folder: Path) -> list[Path]:
    """Write a factory run's charts into `folder`: yield per stage and language, and the top
    drop reasons per language; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if report.stages:
        cells = {
            (r.stage, r.language): Proportion(
                k=r.accepted, n=r.input, rate=r.yield_rate, low=r.yield_rate, high=r.yield_rate
            )
            for r in report.stages
        }
        written.append(
            _grouped_bars(cells, "Yield per stage and language", "accepted / input",
                          folder / "yield.png", None, intervals=False)
        )  # fmt: skip
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for r in report.stages:
        reasons[r.language].update(r.reasons)
    if any(reasons.values()):
        written.append(_reasons(reasons, folder / "drop-reasons.png"))
    return written


def _grouped_bars(
    cells: dict[tuple[str, str], Proportion],
    title: str,
    ylabel: str,
    path: Path,
    baseline: float | None,
    *,
    intervals: bool = True,
) -> Path:
    """Bars grouped by the first key (x axis), one colour per second key (legend)."""
    groups = sorted({g for g, _ in cells})
    series = sorted({s for _, s in cells})
    figure, axes = plt.subplots(figsize=(max(6.0, 1.2 * len(groups) * max(1, len(series))), 4.2))
    width = 0.8 / len(series)
    for j, name in enumerate(series):
        xs: list[float] = []
        rates: list[float] = []
        errors: tuple[list[float], list[float]] = ([], [])
        for i, group in enumerate(groups):
            cell = cells.get((group, name))
            if cell is None:
                continue
            xs.append(i - 0.4 + width * (j + 0.5))
            rates.append(cell.rate)
            errors[0].append(cell.rate - cell.low)
            errors[1].append(cell.high - cell.rate)
        axes.bar(xs, rates, width, label=name, yerr=errors if intervals else None, capsize=3)
    if baseline is not None:
        axes.axhline(baseline, color="grey", linestyle="--", linewidth=1, label="random (25%)")
    axes.set_xticks(range(len(groups)), groups, rotation=20 if len(groups) > 4 else 0)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8)
    return _save(figure, path)


def _english_vs_target(
    pairs: Sequence[tuple[str, str, Proportion, Proportion]], path: Path
) -> Path:
    """One point per model and language: English accuracy (x) against target accuracy (y)."""
    figure, axes = plt.subplots(figsize=(5.2, 5.0))
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="same accuracy")
    for model in sorted({m for m, *_ in pairs}):
        mine = [(lang, en, tgt) for m, lang, en, tgt in pairs if m == model]
        axes.errorbar(
            [en.rate for _, en, _ in mine],
            [tgt.rate for _, _, tgt in mine],
            xerr=[
                [en.rate - en.low for _, en, _ in mine],
                [en.high - en.rate for _, en, _ in mine],
            ],
            yerr=[[t.rate - t.low for *_, t in mine], [t.high - t.rate for *_, t in mine]],
            fmt="o",
            capsize=3,
            label=model,
        )
        for lang, en, tgt in mine:
            axes.annotate(lang, (en.rate, tgt.rate), textcoords="offset points", xytext=(5, 5))
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("accuracy in English")
    axes.set_ylabel("accuracy in the target language")
    axes.set_title("English vs target-language accuracy")
    axes.legend(fontsize=8)
    return _save(figure, path)


def _reasons(reasons: dict[str, Counter[str]], path: Path) -> Path:
    """One horizontal bar panel per language with its most frequent drop reasons."""
    languages = sorted(lang for lang, counts in reasons.items() if counts)
    figure, panels = plt.subplots(
        len(languages), 1, figsize=(7.5, 1.0 + 1.6 * len(languages)), squeeze=False
    )
    for axes, language in zip(panels[:, 0], languages, strict=True):
        top = reasons[language].most_common(TOP_REASONS)[::-1]
        axes.barh([name for name, _ in top], [n for _, n in top], color="tab:red")
        axes.set_title(f"{language}: top drop reasons", fontsize=9)
        axes.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    return _save(figure, path)


def _save(figure: Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path
