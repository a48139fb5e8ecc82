"""numbers: the source's numbers survive translation, however the locale writes them."""

import pytest

from babelforge.validators.number_forms import mentions
from babelforge.validators.numbers import NumbersCheck, match
from babelforge.validators.views import mcq_view
from tests.validators.items import german_item, hindi_item

check = NumbersCheck(mcq_view)


def agree(source: str, target: str) -> bool:
    missing, added = match(mentions(source), mentions(target))
    return not missing and not added


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("a time of 3:08", "eine Zeit von 3 min 8 s"),
        ("in the 1990s", "in den 90er Jahren"),
        ("in the '90s", "in den 1990ern"),
        ("711,988 voters", "711 988 Wähler"),
        ("711,988 voters", "711\u202f988 Wähler"),
        ("711,988 voters", "711\u2009988 votantes"),
        ("56.2 percent", "56,2 Prozent"),
        ("1,000.50 euros", "1.000,50 Euro"),
        ("½ cup", "1/2 Tasse"),
        ("1½ hours", "1,5 Stunden"),
        ("in 1999", "१९९९ में"),
        ("in 1999", "১৯৯৯ সালে"),
        ("in 1999", "في عام ١٩٩٩"),
        ("on 13 August 2019", "am 13.08.2019"),
        ("1.5 million", "1,5 Millionen"),
        ("1,234,567 people", "12,34,567 लोग"),
        ("5G and mp3", "5G und mp3"),
        ("Thirty-two percent supported it", "32 Prozent unterstützten es"),
        ("within 40 miles of the border", "innerhalb von 64 Kilometern der Grenze"),
        ("it was 95 °F", "es waren 35 °C"),
        ("just before 7 a.m.", "kurz vor 7:00 Uhr"),
        ("about a mile away", "etwa 1,6 Kilometer entfernt"),
        ("two dogs and 1,200 sheep", "zwei Hunde und 1.200 Schafe"),
        ("the £2.8bn beauty market", "el mercado de belleza de 2800 millones de libras"),
        ("$37 billion", "37 000 millones de dólares"),
        ("1.5 million people", "15 लाख लोग"),
        ("19th-century opinion", "la opinión del siglo XIX"),
        ("2 to 3 inches per hour", "5 bis 7,5 Zentimeter pro Stunde"),
        ("a pint at 5.30pm", "ein Bier um 17:30 Uhr"),
        ("the 1950-53 Korea War", "der Koreakrieg von 1950 bis 1953"),
        ("at 7 a.m. on Sunday", "saa 1 asubuhi Jumapili"),
        ("a sunny 80 degrees", "un día soleado de 27 grados"),
        ("1 to 2 inches of rain", "entre 2 y 5 centímetros de lluvia"),
    ],
)
def test_localised_spellings_of_the_same_number_agree(source: str, target: str) -> None:
    assert agree(source, target)


def test_german_dates_with_the_same_numbers_are_kept() -> None:
    assert check(
        german_item(
            question="Was geschah am 9. November 1989?",
            source_question="What happened on 9 November 1989?",
        )
    ).keep


def test_year_changed_in_translation_is_changed() -> None:
    item = german_item(
        question="Was geschah am 9. November 1998?",
        source_question="What happened on 9 November 1989?",
    )
    verdict = check(item)
    assert verdict.reason == "numbers.changed"
    assert "'1989'" in (verdict.detail or "") and "'1998'" in (verdict.detail or "")


def test_decimal_changed_from_56_2_to_65_2_is_changed() -> None:
    assert not agree("56.2 percent", "65,2 Prozent")


def test_a_small_number_changed_next_to_another_is_still_changed() -> None:
    assert not agree("3 dogs and 1,200 sheep", "6 Hunde und 1.203 Schafe")


def test_a_converted_amount_off_by_more_than_rounding_is_changed() -> None:
    assert not agree("within 40 miles of the border", "innerhalb von 67 Kilometern der Grenze")


def test_year_dropped_in_translation_is_missing() -> None:
    item = german_item(
        question="Warum wurde die Grenze im November geöffnet?",
        source_question="Why was the border opened on 9 November 1989?",
    )
    assert check(item).reason == "numbers.missing"


def test_year_invented_by_the_translation_is_added() -> None:
    item = german_item(
        question="Wann fiel die Mauer im Jahr 1989?", source_question="When did the Wall fall?"
    )
    assert check(item).reason == "numbers.added"


def test_devanagari_digits_equal_ascii_digits() -> None:
    item = hindi_item(
        question="ताजमहल का निर्माण १६३२ में किसने शुरू करवाया?",
        source_question="Who had the construction of the Taj Mahal begun in 1632?",
    )
    assert check(item).keep


def test_a_number_moved_from_the_question_to_an_option_still_agrees() -> None:
    item = german_item(
        question="Wann wurde die Mauer gebaut?",
        options=("1961", "die Sowjetarmee", "der Berliner Senat", "die Vereinigten Staaten"),
        source_question="When, in 1961, was the wall built?",
        source_options=("that year", "the Soviet Army", "the Berlin Senate", "the United States"),
    )
    assert check(item).keep


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("waves as high as six meters (18 feet)", "olas de hasta seis metros"),
        ("300 km (190 miles) north of Palu", "300 km al norte de Palu"),
        ("approximately 130 miles of coastline", "մոտավորապես 130 մղոն (208 կիլոմետր)"),
        ("in 220 2/3 innings", "220 2⁄3 փոխանցման"),
        ("At 2pm two police vans", "A las dos de la tarde, dos furgonetas"),
        ("unless she raised $2 million", "a menos que recaudara dos millones de dólares"),
        ("their SS19 collection", "su colección primavera verano de 2019"),
    ],
)
def test_ntrex_spellings_of_the_same_number_agree(source: str, target: str) -> None:
    assert agree(source, target)


def test_a_changed_amount_before_a_bracketed_conversion_is_still_changed() -> None:
    assert not agree("300 km (190 miles) north of Palu", "330 km (190 millas) al norte de Palu")


def test_a_thousands_comma_pairs_with_the_same_digits_not_with_its_decimal_reading() -> None:
    # NTREX-128 Spanish: "20,000" could be 20 with a decimal comma; "20 %" is Twenty per cent.
    assert agree(
        "Twenty per cent of pupils. Survey of 20,000 pupils",
        "Un 20 % de los alumnos. La encuesta, realizada a 20 000 alumnos",
    )


def test_superscripts_and_circled_digits_beside_numbers_do_not_crash_the_reader() -> None:
    # str.isdigit() is true for "²" and "①", which int() refuses: the reader crashed on them
    # whenever the record had another number.
    read = {value for m in mentions("5 m² and १९९९ ①", False) for value in m.values}
    assert {5, 1999} <= read
    item = german_item(
        question="Wie groß sind 5 km² im Jahr 1999?",
        source_question="How large are 5 km² in 1999?",
    )
    assert check(item).keep
