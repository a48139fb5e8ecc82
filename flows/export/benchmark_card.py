"""The dataset card's "Benchmark results" section, from the export's evaluation/results.json.

`babelforge evaluate` writes it into the card, and a later export keeps it there (the section
is rebuilt from the results file), between markers so it is replaced, never duplicated.
"""

import uuid
from pathlib import Path

import fsspec

from babelforge.flows.evaluate_report import result_tables
from babelforge.schemas.evaluation import EvaluationResults

BEGIN = "<!-- babelforge:benchmark-results -->"
END = "<!-- /babelforge:benchmark-results -->"
RESULTS = "evaluation/results.json"
ANCHOR = "\n## Citation\n"


def benchmark_section(results: EvaluationResults) -> str:
    """The section's Markdown, markers included."""
    models = ", ".join(f"`{name}`" for name in results.models)
    lines = [
        BEGIN,
        "## Benchmark results",
        "",
        f"Models benchmarked on this dataset with `babelforge evaluate`: {models}. Full report, "
        "charts and every answer: `evaluation/` next to this card.",
        "",
        *result_tables(results),
        END,
    ]
    return "\n".join(lines) + "\n"


def with_benchmark_section(card: str, results: EvaluationResults) -> str:
    """The card with its benchmark section replaced, or inserted before the citation."""
    section = benchmark_section(results)
    if BEGIN in card and END in card:
        head, rest = card.split(BEGIN, 1)
        return head + section + rest.split(END, 1)[1].lstrip("\n")
    if ANCHOR in card:
        head, tail = card.split(ANCHOR, 1)
        return f"{head}\n{section}{ANCHOR}{tail}"
    return f"{card.rstrip()}\n\n{section}"


def with_benchmark(card: str, fs: fsspec.AbstractFileSystem, root: str) -> str:
    """The card, with the benchmark section when the export folder holds evaluation results
    (the export's hook: a re-export keeps the section)."""
    path = f"{root}/{RESULTS}"
    if not fs.exists(path):
        return card
    results = EvaluationResults.model_validate_json(fs.cat_file(path))
    return with_benchmark_section(card, results)


def update_card(export: Path, results: EvaluationResults) -> None:
    """Rewrite the export's README.md with the section (temp file + rename)."""
    card = export / "README.md"
    temp = card.with_name(f"README.md.tmp-{uuid.uuid4().hex[:8]}")
    temp.write_text(with_benchmark_section(card.read_text("utf-8"), results), "utf-8")
    temp.replace(card)
