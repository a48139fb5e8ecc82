"""instr_protected: code, placeholders, URLs and numbers must survive translation."""

import pytest

from babelforge.validators.instr_protected import ProtectedSpanValidator, occurrences
from tests.validators.instr_items import GREET, RESET, candidate, english, greet, reset

check = ProtectedSpanValidator()


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_keep_every_span(language: str) -> None:
    for record in (greet(language), reset(language)):
        verdict = check(record)
        assert verdict.keep, verdict.detail
        assert verdict.score == 1.0


def test_a_code_block_changed_in_hindi_is_missing() -> None:
    broken = GREET["hi"][1].replace('return f"Hello, {name}!"', 'return "नमस्ते"')
    verdict = check(greet("hi", output=broken))
    assert verdict.reason == "instr_protected.missing"
    assert "```python" in (verdict.detail or "")


def test_a_translated_placeholder_in_german_is_missing() -> None:
    verdict = check(greet("de", instruction=GREET["de"][0].replace("{name}", "{Name}")))
    assert verdict.reason == "instr_protected.missing"


def test_a_placeholder_repeated_in_armenian_is_duplicated() -> None:
    doubled = RESET["hy"][0].replace("%s", "%s (%s)")
    verdict = check(reset("hy", instruction=doubled))
    assert verdict.reason == "instr_protected.duplicated"


def test_a_marker_left_by_the_translator_is_stray() -> None:
    verdict = check(reset("sw", output=RESET["sw"][1] + " ⟦9⟧"))
    assert verdict.reason == "instr_protected.stray_marker"


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
    assert check(swapped).reason == "instr_protected.code_reordered"


def test_a_number_inside_a_longer_number_does_not_count() -> None:
    assert occurrences("24", "innerhalb von 240 Stunden") == 0
    assert occurrences("24", "innerhalb von 24 Stunden.") == 1
    assert occurrences("%s", "Benutzer %s und %s") == 2
