"""Threshold calibration, pure arithmetic: where to cut a check's score to drop bad records.

As in the gold metrics (annotation/metrics.py), the positive class is "people would drop
it": precision = of the records the check drops, the share people would drop too; recall =
of the records people would drop, the share the check drops. A check drops a record whose
score is below the threshold (`keeps="above"`: chrF, answer match, MQM score) or at or
above it (`keeps="below"`: similarity to the source for `copy`).

The candidate thresholds lie halfway between consecutive distinct scores seen (a cut in the
middle of a gap, not on a record). The chosen one reaches the precision target with the
highest recall (ties: the higher precision, then the milder threshold; the current one when
it does as well); when none reaches
it, the one with the best F1 (ties: the higher precision); when no cut catches a single bad
record, none (the current threshold stays).
"""

import itertools
from collections.abc import Sequence
from typing import Literal

from babelforge.schemas.base import Record

Keeps = Literal["above", "below"]
DECIMALS = 4


class Labeled(Record):
    """One record's score from a check and whether people would drop the record."""

    score: float
    bad: bool


class Operating(Record):
    """A threshold and what it does on the labeled records (None where a ratio is 0/0)."""

    threshold: float
    n: int
    dropped: int
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None


class Calibrated(Record):
    """The threshold chosen for one check and group, next to the current one."""

    n: int
    bad: int
    target_precision: float
    reached: bool
    before: Operating | None
    after: Operating | None


def drops(score: float, threshold: float, keeps: Keeps) -> bool:
    """Whether a check with this threshold drops a record with this score."""
    return score < threshold if keeps == "above" else score >= threshold


def operating_point(points: Sequence[Labeled], threshold: float, keeps: Keeps) -> Operating:
    """Precision, recall and F1 of dropping by `threshold` on the labeled points."""
    tp = fp = fn = 0
    for p in points:
        dropped = drops(p.score, threshold, keeps)
        tp += dropped and p.bad
        fp += dropped and not p.bad
        fn += (not dropped) and p.bad
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    return Operating(
        threshold=threshold, n=len(points), dropped=tp + fp, tp=tp, fp=fp, fn=fn,
        precision=precision, recall=recall, f1=f1,
    )  # fmt: skip


def candidate_thresholds(points: Sequence[Labeled]) -> list[float]:
    """The midpoints between consecutive distinct scores, rounded to DECIMALS."""
    scores = sorted({p.score for p in points})
    return [round((a + b) / 2, DECIMALS) for a, b in itertools.pairwise(scores)]


def calibrate(
    points: Sequence[Labeled],
    target_precision: float,
    keeps: Keeps,
    current: float | None = None,
) -> Calibrated:
    """Choose the threshold for one check on one group of labeled records."""
    before = None if current is None else operating_point(points, current, keeps)
    options = [operating_point(points, t, keeps) for t in candidate_thresholds(points)]
    dropping = [o for o in options if o.dropped]
    reaching = [o for o in dropping if (o.precision or 0.0) >= target_precision]
    mild = 1.0 if keeps == "above" else -1.0  # a milder threshold drops less
    after: Operating | None
    if reaching:
        after = max(
            reaching, key=lambda o: (o.recall or 0.0, o.precision or 0.0, -mild * o.threshold)
        )
        if before is not None and _as_good(before, after, target_precision):
            after = before
    else:
        best = max(dropping, key=lambda o: (o.f1 or 0.0, o.precision or 0.0), default=None)
        after = best if best is not None and best.tp else None
    return Calibrated(
        n=len(points),
        bad=sum(p.bad for p in points),
        target_precision=target_precision,
        reached=bool(reaching),
        before=before,
        after=after,
    )


def _as_good(current: Operating, chosen: Operating, target: float) -> bool:
    """The current threshold already reaches the target with the chosen recall: keep it."""
    return (current.precision or 0.0) >= target and (current.recall or 0.0) >= (
        chosen.recall or 0.0
    )
