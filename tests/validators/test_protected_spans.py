"""Protected spans (numbers, quoted names) lost in translation drop the item."""

from babelforge.generators.protect import protect, restore
from babelforge.validators.protected_spans import ProtectedSpansValidator
from tests.validators.items import armenian_item

check = ProtectedSpansValidator()


def test_an_item_with_every_protected_span_is_kept() -> None:
    verdict = check(armenian_item())
    assert verdict.keep and verdict.reason is None


def test_an_item_that_lost_a_number_is_dropped() -> None:
    item = armenian_item().model_copy(update={"lost_protected_spans": ("1946",)})
    verdict = check(item)
    assert not verdict.keep
    assert verdict.reason == "protected_spans.lost"
    assert verdict.detail and "1946" in verdict.detail


def test_restore_counts_a_placeholder_copied_as_text_as_not_lost() -> None:
    protected = protect("Die Sternwarte wurde 1946 gegründet.", ("number",))
    literal = restore("Աստղադիտարանը հիմնադրվել է 1946 թվականին։", protected)
    dropped = restore("Աստղադիտարանը հիմնադրվել է վաղուց։", protected)
    assert literal.missing == (0,) and literal.lost == ()
    assert dropped.lost == ("1946",)
