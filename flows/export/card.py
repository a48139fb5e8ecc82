"""The dataset card (README.md) of an export: a YAML header the Hub and `datasets` read
(configs with their data files, languages, license, task categories, size), then what a user
needs to trust the data: recipe, models, prompt versions, filters with their yields, the human
gold check, and the papers to cite. Built only from non-secret facts of the run."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from babelforge.flows.export.rows import Subset
from babelforge.flows.report import Report, StageRow
from babelforge.recipes.catalog import RECIPES, recipe, recipe_of
from babelforge.schemas.config import RunConfig

if TYPE_CHECKING:
    from babelforge.flows.export.export import ExportedConfig

CITATIONS: dict[str, str] = {
    "ghazaryan2024syndarin": """@article{ghazaryan2024syndarin,
  title   = {SynDARin: Synthesising Datasets for Automated Reasoning in Low-Resource Languages},
  author  = {Ghazaryan, Gayane and Arakelyan, Erik and Minervini, Pasquale and
             Augenstein, Isabelle},
  journal = {arXiv preprint arXiv:2406.14425},
  year    = {2024}
}""",
    "upadhayay2024taco": """@article{upadhayay2024taco,
  title   = {TaCo: Enhancing Cross-Lingual Transfer for Low-Resource Languages in LLMs
             through Translation-Assisted Chain-of-Thought Processes},
  author  = {Upadhayay, Bibek and Behzadan, Vahid},
  journal = {arXiv preprint arXiv:2311.10797},
  year    = {2024}
}""",
    "islam2025hallucinate": """@article{islam2025hallucinate,
  title   = {How Much Do LLMs Hallucinate across Languages? On Multilingual Estimation of
             LLM Hallucination in the Wild},
  author  = {Islam, Saad Obaid ul and Lauscher, Anne and Glava{\\v{s}}, Goran},
  journal = {arXiv preprint arXiv:2502.12769},
  year    = {2025}
}""",
    "mishra2024fava": """@article{mishra2024fava,
  title   = {Fine-grained Hallucination Detection and Editing for Language Models},
  author  = {Mishra, Abhika and Asai, Akari and Balachandran, Vidhisha and Wang, Yizhong and
             Neubig, Graham and Tsvetkov, Yulia and Hajishirzi, Hannaneh},
  journal = {arXiv preprint arXiv:2401.06855},
  year    = {2024}
}""",
}

SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)


@dataclass(frozen=True)
class CardFacts:
    """Everything the card says, gathered by the export."""

    run: RunConfig
    report: Report
    configs: tuple["ExportedConfig", ...]
    subsets: Mapping[str, Subset]
    provenance: Mapping[str, Mapping[str, list[str]]]
    gold_metrics: Mapping[str, Any] | None


def size_category(rows: int) -> str:
    """The Hub's size bucket for a row count."""
    for bound, name in SIZE_CATEGORIES:
        if rows < bound:
            return name
    return "n>1T"


def card_header(facts: CardFacts) -> dict[str, Any]:
    """The YAML metadata block: what the Hub and `datasets.load_dataset` read."""
    run, configs = facts.run, facts.configs
    languages = sorted(
        {c.language for c in configs} | ({run.source_language} if configs else set())
    )
    ran = {recipe_of(row.stage) for row in facts.report.stages}
    subsets = [facts.subsets[c.subset] for c in configs] or [
        s for s in facts.subsets.values() if s.recipe in ran
    ]
    tasks = sorted({t for s in subsets for t in s.task_categories})
    header: dict[str, Any] = {
        "pretty_name": run.export.pretty_name or f"babelforge {run.name}",
        "language": languages or list(run.languages),
        "license": run.export.license,
        "task_categories": tasks,
        "size_categories": [size_category(sum(c.rows for c in configs))],
        "tags": ["synthetic", "multilingual", "babelforge"],
    }
    if configs:
        header["configs"] = [
            {
                "config_name": c.name,
                "data_files": [{"split": s.split, "path": s.path} for s in c.splits],
            }
            for c in configs
        ]
    return header


def render_card(facts: CardFacts) -> str:
    """The whole README.md: YAML header, then the Markdown body."""
    header = yaml.safe_dump(card_header(facts), sort_keys=False, allow_unicode=True)
    return f"---\n{header}---\n\n" + "\n".join(_body(facts)) + "\n"


def _body(facts: CardFacts) -> list[str]:
    run, report = facts.run, facts.report
    ran = {recipe_of(stage) for stage in _stages(report)}
    recipes = [r.name for r in RECIPES if r.name in ran]
    title = run.export.pretty_name or f"babelforge {run.name}"
    lines = [
        f"# {title}",
        "",
        f"Synthetic multilingual data made by the babelforge run `{run.name}`: source language "
        f"`{run.source_language}`, target languages {', '.join(f'`{x}`' for x in run.languages)}. "
        "Every record was written or translated by an LLM and kept only when it passed the "
        "filters listed below; the rejected records and their reasons stay in the run "
        "directory.",
        "",
        "## Configs and splits",
        "",
        "One config per kind of record and language. `train` and `test` hold accepted records "
        f"(`test` is a stable {run.export.test_fraction:.0%} of them, chosen by a hash of the "
        "record id); `gold` holds the records people checked in Label Studio, accepted and "
        "rejected, with the automatic verdict (`automatic_keep`) next to the human one "
        "(`human_keep`). Gold records are left out of train and test.",
        "",
        "| config | records | train | test | gold |",
        "|---|---|---:|---:|---:|",
    ]
    for c in facts.configs:
        counts = {s.split: s.rows for s in c.splits}
        lines.append(
            f"| `{c.name}` | {facts.subsets[c.subset].summary} | {counts.get('train', 0)} "
            f"| {counts.get('test', 0)} | {counts.get('gold', 0)} |"
        )
    if not facts.configs:
        lines += ["", "This run kept no record yet, so the export has no config."]
    lines += ["", "```python", "from datasets import load_dataset", ""]
    example = facts.configs[0].name if facts.configs else "<config>"
    lines += [f'ds = load_dataset("<this repository or folder>", "{example}")', "```"]
    for name in recipes:
        lines += _recipe_section(facts, name)
    lines += _gold_section(facts.gold_metrics)
    lines += _columns_section(facts)
    lines += [
        "",
        "## Citation",
        "",
        "If you use this data, cite the papers whose methods made it:",
        "",
        "```bibtex",
    ]
    keys = [key for name in recipes or [r.name for r in RECIPES] for key in recipe(name).citations]
    lines += "\n\n".join(CITATIONS[key] for key in keys).splitlines()
    lines += [
        "```",
        "",
        "## License",
        "",
        f"`{run.export.license}`. The target-language paragraphs and references come from "
        "Wikipedia (CC BY-SA); check the licenses of the instruction sets you translated.",
    ]
    return lines


def _stages(report: Report) -> set[str]:
    return {row.stage for row in report.stages}


def _recipe_section(facts: CardFacts, name: str) -> list[str]:
    declared = recipe(name)
    title, method, stages = declared.title, declared.method, {s.name for s in declared.stages}
    run = facts.run
    seen = facts.provenance.get(name, {})
    sampling = run.llm.sampling
    lines = [
        "",
        f"## Recipe: {title}",
        "",
        method,
        "",
        f"- Models: {', '.join(seen.get('models', [])) or f'{run.llm.model} ({run.llm.backend})'}",
        f"- Prompt versions: {', '.join(f'`{p}`' for p in seen.get('prompts', [])) or 'n/a'}",
        f"- Sampling (`llm`): temperature {sampling.temperature}, top_p {sampling.top_p}, "
        f"max_tokens {sampling.max_tokens}, seed {sampling.seed}",
        "",
        "### Filters and yields",
        "",
        "| stage | lang | input | accepted | rejected | failed | yield | main reasons |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    rows = [r for r in facts.report.stages if r.stage in stages]
    lines += [_stage_line(r) for r in rows]
    validators = [v for v in facts.report.validators if v.stage in stages]
    if validators:
        lines += [
            "",
            "| stage | lang | validator | pass rate | median score |",
            "|---|---|---|---:|---:|",
        ]
        for v in validators:
            rate = f"{v.passed}/{v.total} ({v.passed / v.total:.0%})" if v.total else "0/0"
            median = "" if v.score_median is None else f"{v.score_median:.1f}"
            lines.append(f"| {v.stage} | {v.language} | {v.validator} | {rate} | {median} |")
    return lines


def _stage_line(r: StageRow) -> str:
    reasons = ", ".join(f"`{k}` {n}" for k, n in list(r.reasons.items())[:3])
    return (
        f"| {r.stage} | {r.language} | {r.input} | {r.accepted} | {r.rejected} | {r.failed} "
        f"| {r.yield_rate:.0%} | {reasons} |"
    )


def _gold_section(metrics: Mapping[str, Any] | None) -> list[str]:
    lines = ["", "## Human gold check", ""]
    if metrics is None:
        return [
            *lines,
            "No human labels yet: the gold split and the filters' measured quality appear "
            "here once annotators have checked a sample in Label Studio (`gold-pull`).",
        ]
    return [
        *lines,
        "Agreement between annotators and the quality of the automatic filters against the "
        "human verdicts, on the stratified sample people checked:",
        "",
        "```json",
        json.dumps(metrics, indent=2, ensure_ascii=False, sort_keys=True),
        "```",
    ]


def _columns_section(facts: CardFacts) -> list[str]:
    lines = ["", "## Columns", ""]
    for name in sorted({c.subset for c in facts.configs}):
        schema = facts.subsets[name].schema()
        columns = ", ".join(f"`{f.name}` ({f.type})" for f in schema)
        lines += [f"- `{name}-*`: {columns}", ""]
    lines.append(
        "`provenance` (JSON) names the source documents, model, backend, prompt id and "
        "version, sampling parameters and token usage of each record; `verdicts` (JSON) "
        "holds every validator's decision and score."
    )
    return lines
