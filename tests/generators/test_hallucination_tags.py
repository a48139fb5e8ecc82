"""FAVA tag parsing and span projection on real multilingual strings, broken markup included."""

import pytest

from babelforge.generators.hallucination.tags import (
    canonical_name,
    parse_tags,
    render_tags,
    span_texts,
)
from babelforge.schemas.records import HallucinationSample, SpanType


def labels(tagged: str) -> list[tuple[str, str]]:
    parsed = parse_tags(tagged)
    return [(str(s.type), parsed.text[s.start : s.end]) for s in parsed.spans]


def reasons(tagged: str) -> tuple[str, ...]:
    return parse_tags(tagged).reasons


def test_armenian_entity_span_projects_onto_the_clean_text() -> None:
    parsed = parse_tags("Հայաստանի մայրաքաղաքը <entity>Գյումրին</entity> է։")
    assert parsed.text == "Հայաստանի մայրաքաղաքը Գյումրին է։"
    assert [(s.start, s.end, s.type) for s in parsed.spans] == [(22, 30, SpanType.ENTITY)]
    assert parsed.issues == ()


def test_hindi_spans_keep_combining_marks_inside() -> None:
    tagged = "भारत की राजधानी <entity>मुंबई</entity> है। <subjective>यह सबसे सुंदर शहर है।</subjective>"
    assert labels(tagged) == [("entity", "मुंबई"), ("subjective", "यह सबसे सुंदर शहर है।")]


def test_chinese_spans_without_spaces() -> None:
    parsed = parse_tags(
        "北京是<relation>日本</relation>的首都。<invented>它建于公元三千年。</invented>"
    )
    assert parsed.text == "北京是日本的首都。它建于公元三千年。"
    assert span_texts(parsed.text, parsed.spans) == ("日本", "它建于公元三千年。")


def test_all_six_types_are_read() -> None:
    tagged = " ".join(f"<{t.value}>x{n}</{t.value}>" for n, t in enumerate(SpanType))
    assert [s.type for s in parse_tags(tagged).spans] == list(SpanType)


def test_whitespace_inside_tags_stays_outside_the_span() -> None:
    assert labels("Der Ararat ist <entity> 6137 Meter </entity> hoch.") == [
        ("entity", "6137 Meter")
    ]


def test_fava_edit_form_keeps_the_deleted_words_and_drops_the_correction() -> None:
    parsed = parse_tags(
        "Messi ist ein <entity><mark>argentinischer</mark><delete>brasilianischer</delete>"
        "</entity> Fußballspieler."
    )
    assert parsed.text == "Messi ist ein brasilianischer Fußballspieler."
    assert span_texts(parsed.text, parsed.spans) == ("brasilianischer",)


def test_misspelled_and_miscased_tags_are_read_as_their_type() -> None:
    tagged = (
        "Երևանը <Entiy>Վրաստանի</entity> մայրաքաղաքն է։ <contradiction>Այն գյուղ է։</Contradictory>"
    )
    assert labels(tagged) == [("entity", "Վրաստանի"), ("contradictory", "Այն գյուղ է։")]
    assert reasons(tagged) == ("halluc_tags.misspelled",)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("entity", ("entity", True)),
        ("Entity", ("entity", False)),
        ("entiy", ("entity", False)),
        ("relaton", ("relation", False)),
        ("unverifable", ("unverifiable", False)),
        ("subjectivity", ("subjective", False)),
        ("un-verifiable", ("unverifiable", False)),
        ("hallucination", (None, False)),
        ("b", (None, False)),
    ],
)
def test_canonical_name(name: str, expected: tuple[str | None, bool]) -> None:
    assert canonical_name(name) == expected


def test_broken_bracket_is_repaired_with_a_reason() -> None:
    tagged = "北京是<entity 上海</entity>的首都。"
    parsed = parse_tags(tagged)
    assert span_texts(parsed.text, parsed.spans) == ("上海",)
    assert parsed.reasons == ("halluc_tags.broken",)
    assert parsed.fatal == ()


def test_closing_tag_without_its_bracket_is_repaired() -> None:
    assert labels("दिल्ली <entity>मुंबई/entity> है।") == [("entity", "मुंबई")]
    assert reasons("दिल्ली <entity>मुंबई/entity> है।") == ("halluc_tags.broken",)


def test_prose_with_angle_brackets_is_not_markup() -> None:
    parsed = parse_tags("If a < b and c> d, then <entity>x</entity>.")
    assert parsed.text == "If a < b and c> d, then x."
    assert parsed.issues == ()


def test_unclosed_tag_gives_no_span() -> None:
    parsed = parse_tags("Երևանը <entity>Վրաստանի մայրաքաղաքն է։")
    assert parsed.text == "Երևանը Վրաստանի մայրաքաղաքն է։"
    assert parsed.spans == ()
    assert parsed.reasons == ("halluc_tags.unclosed",)


def test_unopened_closing_tag_is_removed() -> None:
    parsed = parse_tags("भारत की राजधानी मुंबई</entity> है।")
    assert parsed.text == "भारत की राजधानी मुंबई है।"
    assert parsed.reasons == ("halluc_tags.unopened",)


def test_mismatched_closing_tag_closes_the_open_span_with_its_own_type() -> None:
    parsed = parse_tags("北京是<entity>日本</relation>的首都。")
    assert span_texts(parsed.text, parsed.spans) == ("日本",)
    assert parsed.spans[0].type is SpanType.ENTITY
    assert parsed.reasons == ("halluc_tags.mismatched",)


def test_nested_tags_are_reported() -> None:
    parsed = parse_tags("<invented>Er schrieb <entity>drei</entity> Opern.</invented>")
    assert span_texts(parsed.text, parsed.spans) == ("Er schrieb drei Opern.", "drei")
    assert parsed.reasons == ("halluc_tags.nested",)


def test_empty_tag_pair_gives_no_span() -> None:
    parsed = parse_tags("Der Mond <entity>  </entity>ist ein Trabant. <subjective/>")
    assert parsed.spans == ()
    assert parsed.reasons == ("halluc_tags.empty",)


def test_unknown_tags_are_removed_with_their_content_kept() -> None:
    parsed = parse_tags("Lake Sevan is <hallucination>salty</hallucination>.")
    assert parsed.text == "Lake Sevan is salty."
    assert parsed.spans == ()
    assert parsed.reasons == ("halluc_tags.unknown",)


def test_events_list_tags_in_input_order() -> None:
    parsed = parse_tags("<entity>a</entity> <invented>b</invented>")
    assert parsed.events == ("<entity>", "</entity>", "<invented>", "</invented>")


def test_render_is_the_inverse_of_parse() -> None:
    tagged = "Արարատը <entity>6137</entity> մետր է։ <unverifiable>Նա երգում էր։</unverifiable>"
    parsed = parse_tags(tagged)
    assert render_tags(parsed.text, parsed.spans) == tagged


def test_spans_give_mu_shroom_hard_labels() -> None:
    parsed = parse_tags("北京是<entity>日本</entity>的首都。")
    sample = HallucinationSample(
        id="x", language="zh", text=parsed.text, spans=parsed.spans, method="injection"
    )
    assert sample.hard_labels == [[3, 5]]
