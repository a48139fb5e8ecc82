"""Precision and recall of a filter against people, raw and weighted by stratum size."""

import pytest

from babelforge.annotation.metrics import confusion


def test_confusion_counts_drops_as_positives() -> None:
    # (filter dropped, people would drop, weight)
    result = confusion(
        [(True, True, 1.0), (True, False, 1.0), (False, True, 3.0), (False, False, 3.0)]
    )
    assert (result.tp, result.fp, result.fn, result.tn) == (1, 1, 1, 1)
    assert result.precision == 0.5 and result.recall == 0.5 and result.f1 == 0.5
    assert result.weighted_precision == 0.5
    assert result.weighted_recall == pytest.approx(0.25)


def test_confusion_without_drops_has_no_precision() -> None:
    result = confusion([(False, False, 1.0), (False, True, 1.0)])
    assert result.precision is None
    assert result.recall == 0.0
