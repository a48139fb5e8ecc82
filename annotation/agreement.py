"""Agreement between annotators on the tasks several people labeled.

Cohen's kappa for each pair of annotators over the tasks both labeled (with two annotators
that is the usual Cohen's kappa; with more, the reported figure is their mean, Light's
kappa) and Krippendorff's alpha over everyone, which allows any number of annotators and
missing labels. Hallucination spans are compared character by character (the type each
annotator gave the character, or none).
"""

from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations
from typing import Literal

import krippendorff
import numpy as np

from babelforge.annotation.gold import GoldRecord
from babelforge.annotation.labels import HumanLabel
from babelforge.schemas.base import Record
from babelforge.schemas.gold_config import GoldKind
from babelforge.schemas.records import HallucinationSample

Level = Literal["nominal", "ordinal"]

FIELDS: dict[GoldKind, tuple[tuple[str, Level], ...]] = {
    "mcq": (
        ("keep", "nominal"),
        ("faithful", "nominal"),
        ("answerable", "nominal"),
        ("correct_option", "nominal"),
    ),
    "instruction": (("keep", "nominal"), ("adequacy", "ordinal"), ("fluency", "ordinal")),
    "hallucination": (("keep", "nominal"), ("spans", "nominal")),
}

Unit = Mapping[str, Hashable]  # annotator -> value for one unit (task, or character of a task)


class FieldAgreement(Record):
    """Agreement on one question of one kind."""

    field: str
    level: Level
    units: int
    annotators: int
    observed: float | None
    cohen_kappa: float | None
    pairwise_kappa: dict[str, float | None]
    krippendorff_alpha: float | None


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two equally long label sequences; None when chance agreement is 1."""
    if len(a) != len(b):
        raise ValueError(f"kappa needs paired labels, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((a.count(c) / n) * (b.count(c) / n) for c in set(a) | set(b))
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(units: Sequence[Unit], level: Level) -> float | None:
    """Krippendorff's alpha over units labeled by any annotators; None when undefined."""
    annotators = sorted({a for unit in units for a in unit})
    values = sorted({v for unit in units for v in unit.values()}, key=repr)
    if len(annotators) < 2 or len(values) < 2:
        return None
    # nominal categories get arbitrary numbers; ordinal ones (ratings) keep their own
    code: dict[Hashable, float] = {
        v: float(v) if level == "ordinal" else float(i)  # type: ignore[arg-type]
        for i, v in enumerate(values)
    }
    data = np.full((len(annotators), len(units)), np.nan)
    for j, unit in enumerate(units):
        for i, annotator in enumerate(annotators):
            if annotator in unit:
                data[i, j] = code[unit[annotator]]
    try:
        alpha = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    except ValueError:
        return None
    return None if np.isnan(alpha) else float(alpha)


def field_agreement(units: Sequence[Unit], field: str, level: Level) -> FieldAgreement:
    """Observed agreement, pairwise Cohen's kappa and Krippendorff's alpha over the units."""
    paired = [u for u in units if len(u) >= 2]
    annotators = sorted({a for unit in paired for a in unit})
    agree = total = 0
    for unit in paired:
        for x, y in combinations(unit.values(), 2):
            agree, total = agree + (x == y), total + 1
    pairwise: dict[str, float | None] = {}
    for first, second in combinations(annotators, 2):
        both = [u for u in paired if first in u and second in u]
        if both:
            pairwise[f"{first}|{second}"] = _round(
                cohen_kappa([u[first] for u in both], [u[second] for u in both])
            )
    defined = [k for k in pairwise.values() if k is not None]
    return FieldAgreement(
        field=field,
        level=level,
        units=len(paired),
        annotators=len(annotators),
        observed=_round(agree / total) if total else None,
        cohen_kappa=_round(sum(defined) / len(defined)) if defined else None,
        pairwise_kappa=pairwise,
        krippendorff_alpha=_round(krippendorff_alpha(paired, level)),
    )


def units_of(record: GoldRecord, field: str) -> list[Unit]:
    """The units one gold record contributes to a field: one, or one per character for spans."""
    labels = record.labels
    if field == "spans" and isinstance(record.record, HallucinationSample):
        return [
            {label.annotator: _char_type(label, i) for label in labels}
            for i in range(len(record.record.text))
        ]
    unit: dict[str, Hashable] = {}
    for label in labels:
        value = getattr(label, field)
        if value is not None:
            unit[label.annotator] = value
    return [unit]


def agreement(records: Sequence[GoldRecord]) -> dict[str, dict[str, FieldAgreement]]:
    """Per kind and question, agreement over the records with two or more annotators."""
    out: dict[str, dict[str, FieldAgreement]] = {}
    for kind, fields in FIELDS.items():
        of_kind = [r for r in records if r.kind == kind and len(r.labels) >= 2]
        if not of_kind:
            continue
        out[kind] = {
            field: field_agreement([u for r in of_kind for u in units_of(r, field)], field, level)
            for field, level in fields
        }
    return out


def _char_type(label: HumanLabel, index: int) -> str:
    for span in label.spans:
        if span.start <= index < span.end:
            return span.type.value if span.type else "untyped"
    return "none"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
