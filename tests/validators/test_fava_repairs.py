"""FAVA markup as annotators and LLMs write it: a span closed with a second opening tag is
repaired with a reason; literal HTML is text and survives translation."""

from babelforge.generators.hallucination.tags import parse_tags, render_tags
from babelforge.generators.protect import protect, restore
from babelforge.validators.halluc_tags import TagsValidator
from tests.validators.halluc_items import candidate

validate = TagsValidator()
GERMAN = "Im Park stehen alte <entity>Eichen<entity> und <relation>neben<relation> dem See."


def test_a_span_closed_with_a_second_opening_tag_is_repaired() -> None:
    parsed = parse_tags(GERMAN)
    assert parsed.text == "Im Park stehen alte Eichen und neben dem See."
    assert [parsed.text[s.start : s.end] for s in parsed.spans] == ["Eichen", "neben"]
    assert parsed.reasons == ("halluc_tags.closed_by_opening",)
    assert not parsed.fatal


def test_later_tags_are_not_taken_as_nested_after_a_repair() -> None:
    parsed = parse_tags("<entity>Ереван<entity> — столица <entity>Грузии</entity>.")
    assert "halluc_tags.nested" not in parsed.reasons
    assert len(parsed.spans) == 2


def test_the_repair_is_named_in_the_verdict_detail() -> None:
    verdict = validate(candidate(GERMAN, "de"))
    assert verdict.keep
    assert "halluc_tags.closed_by_opening x2" in (verdict.detail or "")


def test_different_types_inside_each_other_are_still_nested() -> None:
    parsed = parse_tags("<entity>Der <relation>Rhein</relation> fließt</entity> nach Norden.")
    assert parsed.reasons == ("halluc_tags.nested",)


def test_literal_html_is_kept_as_text_without_an_issue() -> None:
    parsed = parse_tags("Zeile eins<br>Zeile <entity>zwei</entity></span>")
    assert parsed.text == "Zeile eins<br>Zeile zwei</span>"
    assert parsed.issues == ()
    assert parsed.events == ("<entity>", "</entity>")


def test_literal_html_survives_translation_and_the_tag_check() -> None:
    source = parse_tags("Line one<br>of the <entity>Georgian</entity> poem</span>")
    canonical = render_tags(source.text, source.spans)
    masked = protect(canonical, ("tag",))
    # what a translator returns for the masked text: every placeholder kept
    translated = restore("Erste Zeile⟦0⟧des ⟦1⟧georgischen⟦2⟧ Gedichts⟦3⟧", masked).text
    assert translated == "Erste Zeile<br>des <entity>georgischen</entity> Gedichts</span>"
    verdict = validate(candidate(translated, "de", expected=canonical))
    assert verdict.keep, verdict.detail
    assert parse_tags(translated).text == "Erste Zeile<br>des georgischen Gedichts</span>"
