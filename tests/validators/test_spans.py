"""SpansValidator: labels present, inside the text, not blank, not overlapping."""

from babelforge.validators.spans import SpansValidator, coverage
from tests.validators.halluc_items import candidate, sample

validate = SpansValidator()


def test_a_sound_armenian_sample_is_kept_with_its_coverage() -> None:
    verdict = validate(candidate("Արարատը <entity>6137</entity> մետր է։", "hy"))
    assert verdict.keep
    assert verdict.score == 4 / len("Արարատը 6137 մետր է։")


def test_no_span_is_dropped_when_spans_are_required() -> None:
    verdict = validate(candidate("北京是中国的首都。", "zh"))
    assert verdict.reason == "spans.none"


def test_no_span_is_kept_when_spans_are_optional() -> None:
    assert SpansValidator(require_spans=False)(candidate("北京是中国的首都。", "zh")).keep


def test_a_span_past_the_end_is_dropped() -> None:
    verdict = validate(sample("नई दिल्ली", "hi", [(4, 40)]))
    assert verdict.reason == "spans.outside_text"


def test_a_span_over_punctuation_only_is_dropped() -> None:
    verdict = validate(candidate("北京是首都<entity>。</entity>", "zh"))
    assert verdict.reason == "spans.blank"


def test_overlapping_spans_are_dropped() -> None:
    verdict = validate(
        candidate("<invented>Er schrieb <entity>drei</entity> Opern.</invented>", "de")
    )
    assert verdict.reason == "spans.overlapping"


def test_coverage_counts_characters_once() -> None:
    assert coverage(sample("abcdefghij", "en", [(0, 5), (3, 6)])) == 0.6
