"""langid: the texts of a record that carry language are in its language and script."""

import pytest

from babelforge.schemas.records import HallucinationSample
from babelforge.validators.langid import LangidCheck, detect
from babelforge.validators.views import halluc_query_view, instruction_view, mcq_view
from tests.validators.instr_items import RESET, candidate, english, greet, reset
from tests.validators.items import armenian_item, german_item, hindi_item

check = LangidCheck(mcq_view)
instr_check = LangidCheck(instruction_view, min_confidence=0.5)


@pytest.mark.parametrize("item", [armenian_item(), hindi_item(), german_item()])
def test_real_translated_items_are_kept(item: object) -> None:
    verdict = check(item)
    assert verdict.keep, verdict.detail


def test_armenian_question_left_in_russian_is_wrong_script() -> None:
    verdict = check(armenian_item(question="Какой царь построил крепость Эребуни?"))
    assert verdict.reason == "langid.wrong_script"


def test_hindi_question_romanised_is_wrong_script() -> None:
    item = hindi_item(question="Taj Mahal kiski yaad mein banwaya gaya tha?")
    assert check(item).reason == "langid.wrong_script"


def test_marathi_question_in_a_hindi_item_is_wrong_language_despite_the_same_script() -> None:
    item = hindi_item(question="ताजमहाल कोणाच्या स्मरणार्थ बांधला गेला? तो कोणी बांधला?")
    verdict = check(item)
    assert verdict.reason == "langid.wrong_language"
    assert "mr" in (verdict.detail or "")


def test_untranslated_english_item_in_a_german_record_is_wrong_language() -> None:
    item = german_item(
        question="Who built the Berlin Wall?",
        options=("the government of the GDR", "the Soviet Army", "the Senate", "the USA"),
    )
    assert check(item).reason == "langid.wrong_language"


def test_polish_names_as_options_of_a_german_item_are_not_judged() -> None:
    item = german_item(
        question="Wer gilt als Vater des polnischen Theaters?",
        options=("Wojciech Bogusławski", "Stanisław Wyspiański", "Jerzy Grotowski", "Kantor"),
        source_question="Who is considered the father of Polish theatre?",
        source_options=(
            "Wojciech Bogusławski",
            "Stanisław Wyspiański",
            "Jerzy Grotowski",
            "Kantor",
        ),
    )
    assert check(item).keep


def test_titles_acronyms_and_numbers_in_a_hindi_item_are_not_judged() -> None:
    item = hindi_item(
        question="डेनवर ब्रोंकोस ने कौन सा सुपर बाउल जीता था?",
        options=("Super Bowl XXXIII", "NFL", "1999", "Super Bowl XXXII"),
        source_question="Which Super Bowl did the Denver Broncos win?",
        source_options=("Super Bowl XXXIII", "NFL", "1999", "Super Bowl XXXII"),
    )
    assert check(item).keep


def test_latin_numerals_and_codes_inside_devanagari_do_not_count_against_the_script() -> None:
    item = hindi_item(question="सुपर बाउल XXXIII में 5G और H2O का ज़िक्र किसने किया था?")
    assert check(item).keep


def test_short_latin_names_and_numbers_in_an_armenian_item_are_not_penalised() -> None:
    item = armenian_item(options=("UNESCO", "1915", "NATO", "Արգիշտի Ա"))
    assert check(item).keep


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_instruction_translations_are_in_their_language(language: str) -> None:
    assert instr_check(greet(language)).keep
    assert instr_check(reset(language)).keep


def test_german_text_in_a_swahili_instruction_is_the_wrong_language() -> None:
    verdict = instr_check(reset("sw", instruction=RESET["de"][0], output=RESET["de"][1]))
    assert verdict.reason == "langid.wrong_language"
    assert "detected de" in (verdict.detail or "")


def test_english_code_does_not_count_against_armenian() -> None:
    code = "```python\n" + "print('this is English inside the code block')\n" * 20 + "```"
    source = english("Explain the program.", f"The program prints one line 20 times:\n\n{code}")
    translated = candidate(
        source, "hy", "Բացատրիր ծրագիրը։", f"Ծրագիրը տպում է մեկ տող 20 անգամ՝\n\n{code}"
    )
    assert instr_check(translated).keep


def test_an_english_query_of_an_armenian_sample_is_wrong_script() -> None:
    sample = HallucinationSample(
        id="q-1", language="hy", text="", method="query", query="When was Erebuni founded?"
    )
    assert LangidCheck(halluc_query_view)(sample).reason == "langid.wrong_script"


def test_detect_returns_the_language_and_a_confidence() -> None:
    language, confidence = detect("Երևանը Հայաստանի մայրաքաղաքն է։")
    assert language == "hy"
    assert 0.5 < confidence <= 1.0


def test_an_option_rephrased_in_english_is_judged_alone_behind_a_german_pool() -> None:
    # Not a copy of its source (copy misses it), and the pool still reads as German: the
    # option echoes its source's words, so it is asked alone and caught.
    item = german_item(
        question="Welche Regierung hat im August 1961 die Berliner Mauer errichtet?",
        options=(
            "die Regierung der DDR",
            "the army of the Soviet Union, which controlled the eastern part of the city",
            "der Berliner Senat",
            "die Vereinigten Staaten",
        ),
        source_options=(
            "the government of the GDR",
            "the Soviet Army, which controlled the eastern part of the city",
            "the Berlin Senate",
            "the United States",
        ),
    )
    verdict = check(item)
    assert verdict.reason == "langid.wrong_language"
    assert "option 1" in (verdict.detail or "")


def test_a_short_spanish_option_the_model_reads_as_portuguese_is_kept() -> None:
    # NTREX-128 Spanish reference: alone, on 23 letters, the lite model says pt (0.84); the
    # pool vouches for it, and were it asked alone it would need SHORT_FIELD_CONFIDENCE.
    item = german_item(
        language="es",
        question="¿Qué dijo el médico a la paciente antes de la consulta?",
        options=(
            "Esta es la forma de comenzar.",
            "“¿Qué medicamentos está tomando?",
            "En su declaración de oposición a la UE, dijo que no lucharon en guerras.",
            "Después del terremoto de Lombok, se informó a las organizaciones.",
        ),
        source_question="What did the doctor tell the patient before the visit?",
        source_options=(
            "Here's where to begin.",
            '"What are the medications?',
            "Setting out his opposition to the EU, he said they didn't fight wars.",
            "In the aftermath of the Lombok earthquake, organizations were told.",
        ),
    )
    verdict = check(item)
    assert verdict.keep, verdict.detail
