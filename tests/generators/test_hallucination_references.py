"""Articles -> up to 5 references of at most 3 sentences, in scripts with and without spaces."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from babelforge.generators.hallucination.references import (
    read_reference_sets,
    reference_sets,
    references,
    split_sentences,
    text_length,
)
from babelforge.schemas.records import Document

GERMAN = (
    "Jerewan ist die Hauptstadt Armeniens. Die Festung Erebuni wurde 782 v. Chr. gegründet. "
    "Die Stadt liegt am Fluss Hrasdan. Sie hat etwa 1,1 Millionen Einwohner."
)
ARMENIAN = (
    "Երևանը Հայաստանի մայրաքաղաքն է։ Էրեբունին հիմնադրվել է մ.թ.ա. 782 թվականին։ "
    "Քաղաքը գտնվում է Հրազդան գետի ափին։ Այն ունի մոտ 1,1 միլիոն բնակիչ։"
)
HINDI = "नई दिल्ली भारत की राजधानी है। यह यमुना नदी के किनारे बसी है। यहाँ संसद भवन है।"
CHINESE = (
    "北京是中华人民共和国的首都。它位于华北平原。长城在北京以北。故宫是明清两代的皇宫！你去过吗？"
)


def test_german_abbreviations_do_not_end_a_sentence() -> None:
    assert split_sentences(GERMAN, "de")[1] == "Die Festung Erebuni wurde 782 v. Chr. gegründet."


def test_armenian_sentences_end_at_the_armenian_full_stop_only() -> None:
    sentences = split_sentences(ARMENIAN, "hy")
    assert len(sentences) == 4
    assert sentences[1] == "Էրեբունին հիմնադրվել է մ.թ.ա. 782 թվականին։"


def test_hindi_sentences_end_at_the_danda() -> None:
    assert len(split_sentences(HINDI, "hi")) == 3


def test_chinese_sentences_end_without_spaces() -> None:
    assert split_sentences(CHINESE, "zh")[-1] == "你去过吗？"
    assert len(split_sentences(CHINESE, "zh")) == 5


def test_references_hold_at_most_three_sentences() -> None:
    refs = references(ARMENIAN, language="hy")
    assert len(refs) == 2
    assert refs[0].count("։") == 3


def test_references_stop_at_five() -> None:
    text = " ".join(f"Satz Nummer {n} steht hier." for n in range(40))
    refs = references(text, language="de", max_references=5, max_sentences=3)
    assert len(refs) == 5
    assert refs[-1].startswith("Satz Nummer 12 ")


def test_chinese_references_join_without_spaces_and_respect_the_character_bound() -> None:
    refs = references(CHINESE, language="zh", max_chars=20)
    assert all(len(r) <= 20 for r in refs)
    assert " " not in "".join(refs)


def test_an_overlong_sentence_is_cut_at_a_word() -> None:
    refs = references("wort " * 200 + ".", language="de", max_chars=50)
    assert len(refs[0]) <= 50 and refs[0].endswith("wort")


def test_headings_are_not_references() -> None:
    refs = references("Der Berg ist hoch.\n\nName\n\nEr heißt Masis.", language="de")
    assert refs == ("Der Berg ist hoch. Er heißt Masis.",)


def test_length_counts_letters_where_words_are_not_spaced() -> None:
    assert text_length(CHINESE, "zh") == len(CHINESE)
    assert text_length(GERMAN, "de") == len(GERMAN.split())


def test_short_articles_are_skipped() -> None:
    docs = [
        Document(id="1", language="hy", title="Երևան", text=ARMENIAN),
        Document(id="2", language="hy", title="Կարճ", text="Կարճ հոդված։"),
    ]
    kept = list(reference_sets(docs, min_length=10))
    assert [r.article_id for r in kept] == ["1"]
    assert kept[0].references == references(ARMENIAN, language="hy")


def test_reference_sets_are_read_from_wikipedia_parquet(tmp_path: Path) -> None:
    path = tmp_path / "zh.parquet"
    table = pa.table(
        {
            "id": ["7", "8"],
            "url": ["https://zh.wikipedia.org/wiki/北京", None],
            "title": ["北京", "短"],
            "text": [CHINESE, "短文。"],
        }
    )
    pq.write_table(table, path)
    sets = list(read_reference_sets([str(path)], "zh", min_length=20, limit=5))
    assert [(s.article_id, s.title, s.language) for s in sets] == [("7", "北京", "zh")]
    assert sets[0].url == "https://zh.wikipedia.org/wiki/北京"
