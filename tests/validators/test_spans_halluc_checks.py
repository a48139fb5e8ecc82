"""Injection, language, query and answer checks of the hallucination recipe."""

from babelforge.schemas.records import HallucinationSample
from babelforge.validators.halluc_answer import AnswerValidator
from babelforge.validators.halluc_inject import InjectionValidator
from babelforge.validators.halluc_query import QueryDuplicateValidator, QueryValidator
from babelforge.validators.langid import LangidCheck
from babelforge.validators.views import halluc_query_view, halluc_text_view
from tests.validators.halluc_items import candidate

ORIGINAL = "Der Ararat ist 5137 Meter hoch und liegt im Osten der Türkei."


def query(text: str | None, language: str = "hy", source: str = "a1") -> HallucinationSample:
    return HallucinationSample(
        id=f"q-{text}", language=language, text="", method="query", query=text, source_id=source
    )


def test_an_injection_that_changed_only_the_span_is_kept() -> None:
    tagged = "Der Ararat ist <entity>6137</entity> Meter hoch und liegt im Osten der Türkei."
    verdict = InjectionValidator()(candidate(tagged, "de", original=ORIGINAL))
    assert verdict.keep and verdict.score is not None and verdict.score > 0.9


def test_an_injection_that_tagged_the_original_unchanged_is_dropped() -> None:
    tagged = "Der Ararat ist <entity>5137</entity> Meter hoch und liegt im Osten der Türkei."
    verdict = InjectionValidator()(candidate(tagged, "de", original=ORIGINAL))
    assert verdict.reason == "halluc_inject.unchanged"


def test_an_injection_that_rewrote_the_context_is_dropped() -> None:
    tagged = "Berlin ist eine Großstadt mit <subjective>schönen</subjective> Parks und Seen."
    verdict = InjectionValidator()(candidate(tagged, "de", original=ORIGINAL))
    assert verdict.reason == "halluc_inject.context_changed"


def test_armenian_text_in_armenian_is_kept() -> None:
    tagged = "Երևանը <entity>Վրաստանի</entity> մայրաքաղաքն է և ամենամեծ քաղաքը։"
    assert LangidCheck(halluc_text_view, min_confidence=0.5)(candidate(tagged, "hy")).keep


def test_a_translation_left_in_english_is_dropped_for_armenian_script() -> None:
    tagged = "Yerevan is the capital of <entity>Georgia</entity> and its largest city."
    verdict = LangidCheck(halluc_text_view, min_confidence=0.5)(candidate(tagged, "hy"))
    assert verdict.reason == "langid.wrong_script"


def test_a_query_in_english_for_german_is_dropped() -> None:
    verdict = LangidCheck(halluc_query_view, min_confidence=0.5)(
        query("In which year was the fortress of Erebuni founded by the king?", "de")
    )
    assert verdict.reason == "langid.wrong_language"


def test_a_hindi_query_is_kept() -> None:
    verdict = LangidCheck(halluc_query_view, min_confidence=0.5)(
        query("भारत की संसद किस शहर में स्थित है और वह कब बनी?", "hi")
    )
    assert verdict.keep


def test_a_missing_query_is_dropped() -> None:
    assert QueryValidator()(query(None)).reason == "halluc_query.missing"


def test_a_fragment_query_is_dropped() -> None:
    assert QueryValidator()(query("长城？", "zh")).reason == "halluc_query.too_short"


def test_a_query_echoing_the_prompt_form_is_dropped() -> None:
    verdict = QueryValidator()(query("]<question in German>:</query>", "de"))
    assert verdict.reason == "halluc_query.markup"


def test_the_same_query_twice_about_one_article_is_dropped_once() -> None:
    records = [query("Ե՞րբ է հիմնադրվել Էրեբունին։"), query(" ե՞րբ է հիմնադրվել Էրեբունին։ ")]
    verdicts = QueryDuplicateValidator().check_batch(records)
    assert [v.keep for v in verdicts] == [True, False]
    assert verdicts[1].reason == "halluc_query_dup.duplicate"


def test_the_same_query_about_two_articles_is_kept() -> None:
    records = [query("Ե՞րբ է հիմնադրվել։", source="a1"), query("Ե՞րբ է հիմնադրվել։", source="a2")]
    assert all(v.keep for v in QueryDuplicateValidator().check_batch(records))


def test_a_blank_answer_is_dropped() -> None:
    answer = query("Ե՞րբ է հիմնադրվել Էրեբունին։").model_copy(update={"text": "  "})
    assert AnswerValidator()(answer).reason == "halluc_answer.empty"
