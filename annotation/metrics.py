"""How well the automatic filters agree with people, per record kind and language.

A filter's job is to drop bad records, so the positive class is "people would drop it":
precision = of the records the filter dropped, the share people would drop too;
recall = of the records people would drop, the share the filter dropped. Each validator is
scored on the records it gave a verdict, and the whole filter on every judged record.

The sample over-represents small strata (rejected records especially), so next to the raw
counts the figures are also given with each record weighted by its stratum's size / sample
size: estimates for the whole run rather than for the sample.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from statistics import mean

from babelforge.annotation.gold import GoldRecord, majority
from babelforge.schemas.base import Record
from babelforge.schemas.records import TranslatedMCQ
from babelforge.validators.legacy_reasons import current_check

LETTERS = ("a", "b", "c", "d")


class Confusion(Record):
    """Filter decisions against human ones; positive = dropped."""

    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    weighted_precision: float | None = None
    weighted_recall: float | None = None


def confusion(pairs: Iterable[tuple[bool, bool, float]]) -> Confusion:
    """Score (filter dropped, human dropped, weight) triples."""
    counts: defaultdict[str, int] = defaultdict(int)
    weights: defaultdict[str, float] = defaultdict(float)
    for dropped, bad, weight in pairs:
        cell = {(True, True): "tp", (True, False): "fp", (False, True): "fn"}.get(
            (dropped, bad), "tn"
        )
        counts[cell] += 1
        weights[cell] += weight
    precision = _ratio(counts["tp"], counts["tp"] + counts["fp"])
    recall = _ratio(counts["tp"], counts["tp"] + counts["fn"])
    f1 = (
        round(2 * precision * recall / (precision + recall), 4)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    return Confusion(
        n=sum(counts.values()),
        tp=counts["tp"],
        fp=counts["fp"],
        fn=counts["fn"],
        tn=counts["tn"],
        precision=precision,
        recall=recall,
        f1=f1,
        weighted_precision=_ratio(weights["tp"], weights["tp"] + weights["fp"]),
        weighted_recall=_ratio(weights["tp"], weights["tp"] + weights["fn"]),
    )


def validator_drops(record: GoldRecord) -> dict[str, bool]:
    """For each validator that judged the record, whether it voted to drop it."""
    drops: dict[str, bool] = {}
    for verdict in record.verdicts:
        name = current_check(verdict.validator)
        drops[name] = drops.get(name, False) or not verdict.keep
    return drops


def filter_quality(records: Sequence[GoldRecord]) -> dict[str, object]:
    """The whole filter and each validator against the human decision, for one group."""
    judged = [r for r in records if r.human_keep is not None]
    validators: dict[str, list[tuple[bool, bool, float]]] = defaultdict(list)
    for r in judged:
        for name, dropped in validator_drops(r).items():
            validators[name].append((dropped, not r.human_keep, r.weight))
    kept = [r for r in judged if r.automatic_keep]
    return {
        "records": len(records),
        "judged": len(judged),
        "ties": len(records) - len(judged),
        "human_keep_rate": _weighted_share(judged, lambda r: bool(r.human_keep)),
        "accepted_judged_good": _weighted_share(kept, lambda r: bool(r.human_keep)),
        "filter": confusion(
            (not r.automatic_keep, not r.human_keep, r.weight) for r in judged
        ).model_dump(),
        "validators": {
            name: confusion(triples).model_dump() for name, triples in sorted(validators.items())
        },
        **_kind_figures(records),
    }


def gold_metrics(records: Sequence[GoldRecord]) -> dict[str, dict[str, dict[str, object]]]:
    """filter_quality per kind and language, plus `all` languages of each kind."""
    groups: dict[str, dict[str, list[GoldRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        groups[r.kind][r.language].append(r)
        groups[r.kind]["all"].append(r)
    return {
        kind: {lang: filter_quality(rs) for lang, rs in sorted(by_lang.items())}
        for kind, by_lang in sorted(groups.items())
    }


def _kind_figures(records: Sequence[GoldRecord]) -> dict[str, object]:
    """Per-kind extras: MCQ answer confirmed by people; instruction adequacy and fluency."""
    if not records:
        return {}
    if records[0].kind == "mcq":
        confirmed = []
        for r in records:
            option = majority([label.correct_option for label in r.labels])
            if option is not None and isinstance(r.record, TranslatedMCQ):
                confirmed.append(option == LETTERS[r.record.answer_index])
        return {"answer_confirmed": _ratio(sum(confirmed), len(confirmed))}
    if records[0].kind == "instruction":
        return {
            f"{scale}_mean": {
                verdict: _mean(
                    getattr(label, scale)
                    for r in records
                    if r.automatic_keep == (verdict == "accepted")
                    for label in r.labels
                )
                for verdict in ("accepted", "rejected")
            }
            for scale in ("adequacy", "fluency")
        }
    return {}


def _weighted_share(
    records: Sequence[GoldRecord], test: Callable[[GoldRecord], bool]
) -> float | None:
    total = sum(r.weight for r in records)
    if not total:
        return None
    return round(sum(r.weight for r in records if test(r)) / total, 4)


def _mean(values: Iterable[int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 3) if present else None


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None
