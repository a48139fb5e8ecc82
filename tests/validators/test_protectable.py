"""The span finder (what the translator protects) and the counter agree."""

import pytest

from babelforge.generators.protect import protect, restore
from babelforge.validators.protectable import find_spans, occurrences


@pytest.mark.parametrize("glued", ["5G", "mp3", "H2O", "hippo43", "1990s"])
def test_digits_glued_to_letters_are_not_a_number_span(glued: str) -> None:
    assert find_spans(f"Das Netz {glued} ist neu.", ("number",)) == []


def test_every_span_found_is_counted_once_in_its_own_text() -> None:
    text = "Am 9. November 1989 öffnete https://example.com/mauer 1.000 Tore um 3:08, {name}."
    spans = find_spans(text)
    assert [s for _, s in spans] == [
        "9",
        "1989",
        "https://example.com/mauer",
        "1.000",
        "3:08",
        "{name}",
    ]
    assert all(occurrences(span, text) == 1 for _, span in spans)


def test_a_url_does_not_take_the_full_stop_that_ends_the_sentence() -> None:
    assert find_spans("Siehe https://example.com/reset.", ("url",)) == [
        ("url", "https://example.com/reset")
    ]


def test_a_number_inside_a_longer_number_does_not_count() -> None:
    assert occurrences("24", "innerhalb von 240 Stunden") == 0
    assert occurrences("24", "innerhalb von 24 Stunden.") == 1
    assert occurrences("24", "Version 1.24") == 0
    assert occurrences("%s", "Benutzer %s und %s") == 2


def test_restore_counts_a_placeholder_copied_as_text_as_not_lost() -> None:
    protected = protect("Die Sternwarte wurde 1946 gegründet.", ("number",))
    literal = restore("Աստղադիտարանը հիմնադրվել է 1946 թվականին։", protected)
    dropped = restore("Աստղադիտարանը հիմնադրվել է վաղուց։", protected)
    assert literal.missing == (0,) and literal.lost == ()
    assert dropped.lost == ("1946",)
