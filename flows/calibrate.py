"""`babelforge calibrate`: per language and scored check, the threshold a precision target asks.

The labeled file is the gold split pulled from Label Studio (`gold/<kind>/<lang>.jsonl`:
records with `human_keep`), or `babelforge validate`'s input shape with a human `keep`.
The recipe's checks score every labeled record (each check on every record, so a record
another check drops still counts); the arithmetic is calibration.py's. Written to OUT:
`fragment.yaml` (thresholds over every language: paste it into a run config),
`fragment.<lang>.yaml` per language, `report.json` and `report.md` (precision and recall at
the current and at the chosen threshold).
"""

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from babelforge.flows.calibrate_report import markdown
from babelforge.flows.calibration import Calibrated, Keeps, Labeled, calibrate
from babelforge.flows.store import RunStore
from babelforge.flows.validate_file import (
    Line,
    Settings,
    open_judges,
    recipe_settings,
    suite,
    with_judges,
)
from babelforge.flows.validate_rows import RecipeName, parse_row, source_text, to_record
from babelforge.generators.hallucination.tags import parse_tags, render_tags
from babelforge.generators.mining.readers import jsonl_rows
from babelforge.schemas.base import Record
from babelforge.schemas.config import load_config
from babelforge.schemas.errors import InputError
from babelforge.schemas.records import HallucinationSample, TranslatedMCQ
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.base import AsyncValidator, BatchValidator, Check
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.instr_candidate import InstructionCandidate


@dataclass(frozen=True)
class Threshold:
    """Where a scored check's threshold lives in the recipe's validator settings."""

    path: tuple[str, ...]
    keeps: Keeps


# The checks whose score is cut by one threshold; the others (pass/fail, two-sided) are not.
THRESHOLDS: dict[str, Threshold] = {
    "answer_match": Threshold(("answer_match_threshold",), "above"),
    "roundtrip_chrf": Threshold(("chrf_threshold",), "above"),
    "copy": Threshold(("copy_similarity",), "below"),
    "mqm_judge": Threshold(("judges", "mqm_min_score"), "above"),
}
ALL = "all"


class CalibrationReport(Record):
    """Every check's calibration per group (each language and `all`)."""

    input: str
    recipe: RecipeName
    target_precision: float
    labeled: int
    ties: int
    checks: dict[str, dict[str, Calibrated]]
    fragment: dict[str, Any]


@dataclass(frozen=True)
class LabeledLine:
    """A labeled record: the record the checks read, its language, and the human label."""

    line: Line
    language: str
    bad: bool


def read_labeled(
    recipe: RecipeName, path: str, settings: Settings
) -> tuple[list[LabeledLine], int]:
    """The labeled records, and how many gold records were ties (no majority: not used)."""
    labeled: list[LabeledLine] = []
    ties = 0
    for where, raw in jsonl_rows(path):
        at = f"{path}: {where}"
        if "human_keep" in raw and "record" in raw:
            if raw["human_keep"] is None:
                ties += 1
                continue
            record = _gold_record(recipe, raw["record"], at)
            line = Line(where, raw, record)
            labeled.append(LabeledLine(line, record.language, not bool(raw["human_keep"])))
            continue
        keep = raw.get("keep")
        if not isinstance(keep, bool):
            raise InputError(
                f'{at}: no human label: give "keep": true or false (or a gold record with '
                '"human_keep", as babelforge gold-pull writes)'
            )
        language = raw.get("language")
        if not isinstance(language, str):
            raise InputError(f"{at}: field 'language' is required in a labeled file")
        row = parse_row(recipe, raw, where=at, language=language)
        record = to_record(
            row, language, source_language=settings.source_language, protect=settings.protect
        )
        labeled.append(LabeledLine(Line(where, raw, record, source_text(row)), language, not keep))
    return labeled, ties


def _gold_record(recipe: RecipeName, data: object, at: str) -> Any:
    """A gold record's record as the recipe's checks read it."""
    try:
        if recipe == "syndarin":
            return TranslatedMCQ.model_validate(data)
        if recipe == "instructions":
            return InstructionCandidate.model_validate(data)
        sample = HallucinationSample.model_validate(data)
    except ValueError as e:
        raise InputError(
            f"{at}: the gold record is not a {recipe} record the checks read: {e}"
        ) from e
    tagged = render_tags(sample.text, sample.spans)
    return HallucinationCandidate(
        id=sample.id, sample=sample, tagged=tagged, events=parse_tags(tagged).events
    )


def calibrate_file(
    labeled_path: str,
    recipe: RecipeName,
    target_precision: float,
    out_dir: str,
    *,
    config_path: str | Path | None = None,
    judges: bool | None = None,
) -> CalibrationReport:
    """Score, calibrate, and write the fragments and the report; return the report."""
    config = load_config(config_path) if config_path is not None else None
    settings = with_judges(recipe_settings(recipe, config), judges)
    labeled, ties = read_labeled(recipe, labeled_path, settings)
    if not labeled:
        raise InputError(f"{labeled_path}: no labeled record to calibrate on")
    store = RunStore(out_dir)
    scores = asyncio.run(_scores(recipe, labeled, settings, store))
    checks: dict[str, dict[str, Calibrated]] = {}
    for name, by_record in scores.items():
        current = _current(settings, THRESHOLDS[name].path)
        groups: dict[str, list[Labeled]] = defaultdict(list)
        for item, score in zip(labeled, by_record, strict=True):
            if score is not None:
                point = Labeled(score=score, bad=item.bad)
                groups[item.language].append(point)
                groups[ALL].append(point)
        checks[name] = {
            group: calibrate(points, target_precision, THRESHOLDS[name].keeps, current)
            for group, points in sorted(groups.items())
        }
    report = CalibrationReport(
        input=labeled_path, recipe=recipe, target_precision=target_precision,
        labeled=len(labeled), ties=ties, checks=checks,
        fragment=fragment(recipe, checks, ALL),
    )  # fmt: skip
    _write(store, report)
    return report


async def _scores(
    recipe: RecipeName, labeled: Sequence[LabeledLine], settings: Settings, store: RunStore
) -> dict[str, list[float | None]]:
    """Per calibrated check of the suite, each record's score (None: no score given)."""
    lines = [item.line for item in labeled]
    records = [line.record for line in lines]
    async with open_judges(recipe, lines, settings, store) as (judges, _):
        checks = [c for c in suite(settings, judges) if c.name in THRESHOLDS]
        return {c.name: [_score(v) for v in await _verdicts(c, records)] for c in checks}


async def _verdicts(check: Check, records: list[Any]) -> list[Verdict | Failed]:
    if isinstance(check, BatchValidator):
        return list(check.check_batch(records))
    if isinstance(check, AsyncValidator):
        return list(await asyncio.gather(*(check.check(r) for r in records)))
    return [check(r) for r in records]


def _score(result: Verdict | Failed) -> float | None:
    return result.score if isinstance(result, Verdict) else None


def _current(settings: Settings, path: tuple[str, ...]) -> float | None:
    value: Any = settings.checks
    for part in path:
        value = getattr(value, part, None)
    return float(value) if isinstance(value, int | float) else None


def fragment(
    recipe: RecipeName, checks: Mapping[str, Mapping[str, Calibrated]], group: str
) -> dict[str, Any]:
    """The run-config fragment of one group's chosen thresholds."""
    validators: dict[str, Any] = {}
    for name, groups in checks.items():
        chosen = groups.get(group)
        if chosen is None or chosen.after is None:
            continue
        *parents, leaf = THRESHOLDS[name].path
        section = validators
        for part in parents:
            section = section.setdefault(part, {})
        section[leaf] = chosen.after.threshold
    return {recipe: {"validators": validators}} if validators else {}


def _write(store: RunStore, report: CalibrationReport) -> None:
    groups = sorted({g for by_group in report.checks.values() for g in by_group} - {ALL})
    head = f"# babelforge calibrate {report.input}: target precision {report.target_precision}\n"
    store.write_text("fragment.yaml", head + yaml.safe_dump(report.fragment, sort_keys=False))
    for group in groups:
        text = yaml.safe_dump(fragment(report.recipe, report.checks, group), sort_keys=False)
        store.write_text(f"fragment.{group}.yaml", f"{head}# language {group} only\n{text}")
    store.write_text("report.json", report.model_dump_json(indent=2) + "\n")
    store.write_text("report.md", markdown(report))
