"""The Markdown report of an evaluation (evaluation/report.md), charts embedded; the same
tables feed the dataset card's "Benchmark results" section."""

from collections.abc import Sequence
from pathlib import Path

from babelforge.schemas.evaluation import EvaluationResults, Proportion

JUDGE_CAVEAT = (
    "The hallucination figures are the judgement of an LLM (`{judge}`) comparing each answer "
    "with the query's references: they are only as good as that judge. A weak judge misses "
    "hallucinations and invents others, so read these rates as bounded by the judge's quality, "
    "not as a measurement of the models alone; check a sample of `answers/*.hallucination.jsonl` "
    "by hand before citing them."
)


def pct(p: Proportion | None) -> str:
    """`41.7% [19.3–68.0] (5/12)`; an empty cell for None, n/a when nothing was counted."""
    if p is None:
        return ""
    if p.n == 0:
        return "n/a (0 items)"
    return f"{p.rate:.1%} [{p.low:.1%}–{p.high:.1%}] ({p.k}/{p.n})"


def result_tables(results: EvaluationResults) -> list[str]:
    """The accuracy and hallucination tables (Markdown lines)."""
    lines: list[str] = []
    if results.mcq:
        lines += [
            "### Multiple-choice QA",
            "",
            f"Accuracy with 95% Wilson intervals; random choice scores "
            f"{results.random_baseline:.0%}. `failed` replies gave no letter and count as wrong. "
            "`by log-prob` picks the most likely of the four letters where the endpoint returned "
            "log-probabilities. `consistency` is the share of items answered right in English "
            "that are also right in the target language.",
            "",
            "| model | config | split | items | failed | accuracy | by log-prob | English "
            "| consistency |",
            "|---|---|---|---:|---:|---|---|---|---|",
        ]
        for s in results.mcq:
            lines.append(
                f"| {s.model} | `{s.config}` | {s.split} | {s.items} | {s.failed} "
                f"| {pct(s.target)} | {pct(s.target_logprob)} | {pct(s.english)} "
                f"| {pct(s.consistency)} |"
            )
    if results.hallucination:
        lines += [
            "",
            "### Hallucination",
            "",
            "| model | config | split | answers | failed | with a hallucinated span "
            "| hallucinated tokens | spans per type | judge quotes not in the answer |",
            "|---|---|---|---:|---:|---|---:|---|---:|",
        ]
        for h in results.hallucination:
            types = ", ".join(f"{k} {n}" for k, n in h.by_type.items())
            lines.append(
                f"| {h.model} | `{h.config}` | {h.split} | {h.answers} | {h.failed} "
                f"| {pct(h.rate)} | {h.token_share:.1%} | {types} | {h.unmatched_spans} |"
            )
        lines += ["", JUDGE_CAVEAT.format(judge=results.judge)]
    return lines


def render_report(results: EvaluationResults, charts: Sequence[Path]) -> str:
    """The whole report: models, tables, breakdowns, charts, cost."""
    lines = [
        f"# Benchmark of {results.export}",
        "",
        "Models: " + ", ".join(f"`{name}` ({spec})" for name, spec in results.models.items()),
        f"Hallucination judge: `{results.judge}`.",
        "",
        *result_tables(results),
    ]
    if results.mcq:
        lines += [
            "",
            "### Accuracy by question type",
            "",
            "| model | config | split | type | accuracy |",
            "|---|---|---|---|---|",
        ]
        for s in results.mcq:
            for kind, p in s.by_type.items():
                lines.append(f"| {s.model} | `{s.config}` | {s.split} | {kind} | {pct(p)} |")
        lines += [
            "",
            "### Position bias",
            "",
            "Accuracy by the position of the right answer, and how often each letter was "
            "chosen (25% each for a model without a preference).",
            "",
            "| model | config | split | right at A | at B | at C | at D | chose A | B | C | D |",
            "|---|---|---|---|---|---|---|---:|---:|---:|---:|",
        ]
        for s in results.mcq:
            at = " | ".join(pct(s.by_position.get(x)) for x in "ABCD")
            chose = " | ".join(f"{s.predicted_share[x].rate:.0%}" for x in "ABCD")
            lines.append(f"| {s.model} | `{s.config}` | {s.split} | {at} | {chose} |")
    if results.dropped_gold:
        dropped = ", ".join(f"`{k}` {n}" for k, n in results.dropped_gold.items())
        lines += ["", f"Gold records people dropped, left out of the benchmark: {dropped}."]
    if charts:
        lines += ["", "## Charts", ""]
        lines += [f"![{c.stem}]({c.as_posix()})" for c in charts]
    lines += [
        "",
        "## Cost",
        "",
        "| model | requests sent | served from the cache | prompt tokens | completion tokens |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, u in results.usage.items():
        lines.append(
            f"| {name} | {u.requests} | {u.cached_requests} | {u.prompt_tokens} "
            f"| {u.completion_tokens} |"
        )
    return "\n".join(lines) + "\n"
