"""Agreement figures against published worked examples, and span consensus by character."""

import pytest

from babelforge.annotation.agreement import cohen_kappa, field_agreement, krippendorff_alpha
from babelforge.annotation.gold import consensus_spans, majority
from babelforge.schemas.records import Span, SpanType


def test_cohen_kappa_matches_the_textbook_example() -> None:
    # 50 proposals read by two people: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_is_undefined_when_both_always_say_the_same_thing() -> None:
    assert cohen_kappa(["keep"] * 4, ["keep"] * 4) is None
    assert cohen_kappa(["keep", "drop"], ["drop", "keep"]) == pytest.approx(-1.0)


def test_krippendorff_alpha_matches_krippendorffs_worked_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
    # missing values; nominal alpha = 0.743.
    rows = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    units = [
        {coder: values[j] for coder, values in rows.items() if values[j] is not None}
        for j in range(12)
    ]
    assert krippendorff_alpha(units, "nominal") == pytest.approx(0.743, abs=1e-3)


def test_field_agreement_reports_pairs_and_skips_single_annotations() -> None:
    units = [
        {"anahit": "keep", "bernd": "keep"},
        {"anahit": "drop", "bernd": "keep"},
        {"anahit": "drop", "bernd": "drop"},
        {"anahit": "keep"},
    ]
    result = field_agreement(units, "keep", "nominal")
    assert result.units == 3 and result.annotators == 2
    assert result.observed == pytest.approx(2 / 3, abs=1e-4)
    assert result.pairwise_kappa == {"anahit|bernd": pytest.approx(0.4, abs=1e-4)}
    assert result.cohen_kappa == pytest.approx(0.4, abs=1e-4)
    assert result.krippendorff_alpha is not None


def test_majority_is_none_on_a_tie() -> None:
    assert majority([True, False]) is None
    assert majority([True, True, False]) is True
    assert majority([None, None]) is None


def test_consensus_keeps_the_characters_most_annotators_typed_alike() -> None:
    text = "कुतुब मीनार दिल्ली में है और इसे नेपोलियन ने बनवाया था।"
    start = text.index("नेपोलियन")
    name = Span(start=start, end=start + len("नेपोलियन"), type=SpanType.ENTITY)
    wider = Span(start=start - 4, end=start + len("नेपोलियन"), type=SpanType.ENTITY)
    other = Span(start=0, end=5, type=SpanType.INVENTED)
    assert consensus_spans(text, [[name], [wider], [name, other]]) == (name,)
    assert consensus_spans(text, [[name], [other]]) == ()
