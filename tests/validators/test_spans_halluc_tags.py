"""TagsValidator: every source tag survived translation in order, and the markup is sound."""

import pytest

from babelforge.validators.halluc_tags import TagsValidator
from tests.validators.halluc_items import candidate

SOURCE = "Yerevan is the capital of <entity>Georgia</entity>. <invented>It has 9 moons.</invented>"
validate = TagsValidator()


def test_every_tag_back_in_order_is_kept() -> None:
    translated = (
        "Երևանը <entity>Վրաստանի</entity> մայրաքաղաքն է։ <invented>Այն ունի 9 լուսին։</invented>"
    )
    verdict = validate(candidate(translated, "hy", expected=SOURCE))
    assert verdict.keep and verdict.score == 1.0


def test_a_repaired_misspelling_is_kept() -> None:
    translated = (
        "Երևանը <Entity>Վրաստանի</entity> մայրաքաղաքն է։ <invented>Այն ունի 9 լուսին։</invented>"
    )
    assert validate(candidate(translated, "hy", expected=SOURCE)).keep


def test_a_lost_tag_is_dropped() -> None:
    translated = "येरेवान <entity>जॉर्जिया</entity> की राजधानी है। इसके 9 चंद्रमा हैं।"
    verdict = validate(candidate(translated, "hi", expected=SOURCE))
    assert verdict.reason == "halluc_tags.lost"
    assert verdict.score == 0.5


def test_an_added_tag_is_dropped() -> None:
    translated = (
        "埃里温是<entity>格鲁吉亚</entity>的首都。<invented>它有9个月亮。</invented>"
        "<subjective>很美。</subjective>"
    )
    assert validate(candidate(translated, "zh", expected=SOURCE)).reason == "halluc_tags.extra"


def test_tags_in_another_order_are_dropped() -> None:
    moons = "<invented>Es hat 9 Monde.</invented>"
    translated = f"{moons} Jerewan ist die Hauptstadt <entity>Georgiens</entity>."
    verdict = validate(candidate(translated, "de", expected=SOURCE))
    assert verdict.reason == "halluc_tags.reordered"


def test_an_unresolved_placeholder_is_dropped() -> None:
    translated = "埃里温是⟦7⟧格鲁吉亚的首都。"
    assert validate(candidate(translated, "zh")).reason == "halluc_tags.stray_marker"


@pytest.mark.parametrize(
    "tagged, reason",
    [
        ("Երևանը <entity>Վրաստանի մայրաքաղաքն է։", "halluc_tags.unclosed"),
        ("भारत की राजधानी मुंबई</entity> है।", "halluc_tags.unopened"),
        ("北京是<entity>日本</relation>的首都。", "halluc_tags.mismatched"),
        ("<invented>Er schrieb <entity>drei</entity> Opern.</invented>", "halluc_tags.nested"),
        ("Der Mond <entity> </entity>ist ein Trabant.", "halluc_tags.empty"),
        ("Lake Sevan is <hallucination>salty</hallucination>.", "halluc_tags.unknown"),
    ],
)
def test_markup_the_parser_could_not_repair_is_dropped(tagged: str, reason: str) -> None:
    assert validate(candidate(tagged, "hy")).reason == reason


def test_a_broken_bracket_the_parser_repaired_is_kept() -> None:
    assert validate(candidate("北京是<entity 上海</entity>的首都。", "zh")).keep
