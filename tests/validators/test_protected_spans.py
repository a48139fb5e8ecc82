"""protected_spans: code, placeholders, URLs (and numbers, for instructions) are counted
in the translated text itself."""

import pytest

from babelforge.validators.protected_spans import ProtectedSpansCheck
from babelforge.validators.views import instruction_view, mcq_view
from tests.validators.instr_items import GREET, RESET, candidate, english, greet, reset
from tests.validators.items import german_item

check = ProtectedSpansCheck(instruction_view)
mcq_check = ProtectedSpansCheck(mcq_view)


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_keep_every_span(language: str) -> None:
    for record in (greet(language), reset(language)):
        verdict = check(record)
        assert verdict.keep, verdict.detail
        assert verdict.score == 1.0


@pytest.mark.parametrize("glued", ["5G", "mp3", "H2O", "hippo43"])
def test_numbers_glued_to_letters_copied_verbatim_are_not_missing(glued: str) -> None:
    source = english(f"Explain what {glued} means in 2 sentences.", f"{glued} is a name.")
    record = candidate(
        source, "de", f"Erkläre in 2 Sätzen, was {glued} bedeutet.", f"{glued} ist ein Name."
    )
    verdict = check(record)
    assert verdict.keep, verdict.detail


def test_a_code_block_changed_in_hindi_is_missing() -> None:
    broken = GREET["hi"][1].replace('return f"Hello, {name}!"', 'return "नमस्ते"')
    verdict = check(greet("hi", output=broken))
    assert verdict.reason == "protected_spans.missing"
    assert "```python" in (verdict.detail or "")


def test_a_translated_placeholder_in_german_is_missing() -> None:
    verdict = check(greet("de", instruction=GREET["de"][0].replace("{name}", "{Name}")))
    assert verdict.reason == "protected_spans.missing"


def test_a_placeholder_repeated_in_armenian_is_duplicated() -> None:
    doubled = RESET["hy"][0].replace("%s", "%s (%s)")
    assert check(reset("hy", instruction=doubled)).reason == "protected_spans.duplicated"


def test_a_marker_left_by_the_translator_is_stray() -> None:
    verdict = check(reset("sw", output=RESET["sw"][1] + " ⟦9⟧"))
    assert verdict.reason == "protected_spans.stray_marker"


def test_code_blocks_swapped_in_german_are_reordered() -> None:
    install, run = "```bash\npip install rich\n```", "```bash\npython app.py\n```"
    source = english(
        "Explain how to start the app.", f"Install it:\n\n{install}\n\nThen run:\n\n{run}"
    )
    swapped = candidate(
        source,
        "de",
        "Erkläre, wie man die App startet.",
        f"Installiere es:\n\n{run}\n\nDann führe aus:\n\n{install}",
    )
    assert check(swapped).reason == "protected_spans.code_reordered"


def test_a_url_in_an_mcq_question_is_counted_in_the_german_text() -> None:
    asked = "Which site does https://www.bundestag.de/ belong to?"
    kept = german_item(
        question="Zu welcher Seite gehört https://www.bundestag.de/?", source_question=asked
    )
    lost = german_item(question="Zu welcher Seite gehört die Adresse?", source_question=asked)
    assert mcq_check(kept).keep
    verdict = mcq_check(lost)
    assert verdict.reason == "protected_spans.missing"
    assert "bundestag" in (verdict.detail or "")


def test_mcq_numbers_written_the_german_way_are_left_to_the_numbers_check() -> None:
    item = german_item(
        question="Wie viele Menschen lebten 1989 in 711 988 Haushalten?",
        source_question="How many people lived in 711,988 households in 1989?",
    )
    assert mcq_check(item).keep
