"""Mining of parallel content: readers, pairing, introductions, anchors, filters, memory."""

import gzip
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from babelforge.generators.mining.anchors import align, name_anchors, number_anchors
from babelforge.generators.mining.mine import mine_pairs, mine_shards, to_outcome
from babelforge.generators.mining.pairing import pair_documents, read_link_table
from babelforge.generators.mining.paragraphs import intro_paragraph
from babelforge.generators.mining.readers import read_documents, read_keys, read_paired
from babelforge.schemas.config import MiningConfig
from babelforge.schemas.errors import ConfigError, InputError
from babelforge.schemas.records import Document, ParallelPair
from babelforge.schemas.verdict import Rejected

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "wikipedia"
EN, DE, HY = (str(SAMPLES / f"{lang}.parquet") for lang in ("en", "de", "hy"))
LINKS = str(SAMPLES / "langlinks.tsv")
PAIRED = str(SAMPLES / "paired.jsonl")

YEREVAN_EN = (
    "Yerevan is the capital and largest city of Armenia, with a population of about 1.1 "
    "million people. The city traces its history to the fortress of Erebuni, founded in "
    "782 BC by King Argishti I of Urartu. Yerevan became the capital of Armenia in 1918."
)
YEREVAN_HY = (
    "Երևանը Հայաստանի մայրաքաղաքն ու ամենամեծ քաղաքն է՝ մոտ 1,1 միլիոն բնակչությամբ։ "
    "Քաղաքի պատմությունը սկսվում է Էրեբունի ամրոցից, որը մ.թ.ա. 782 թվականին հիմնադրել է "
    "Ուրարտուի Արգիշտի I թագավորը։ Երևանը Հայաստանի մայրաքաղաքն է 1918 թվականից։"
)
QUECKSILBER_DE = (
    "Quecksilber ist ein chemisches Element mit dem Symbol Hg und der Ordnungszahl 80. Es ist "
    "das einzige Metall, das bei Raumtemperatur flüssig ist, und erstarrt erst bei −38,83 °C."
)


def sample_config(**overrides: object) -> MiningConfig:
    settings: dict[str, object] = {
        "source_paths": (EN,),
        "target_paths": {"de": (DE,), "hy": (HY,)},
        "langlinks_path": LINKS,
        "min_popularity": 1000,
        "min_alignment": 0.2,
    }
    return MiningConfig.model_validate(settings | overrides)


def write_jsonl(path: Path, rows: list[object]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return str(path)


def write_parquet(path: Path, rows: list[dict[str, object]], **kwargs: object) -> str:
    pq.write_table(pa.Table.from_pylist(rows), path, **kwargs)
    return str(path)


def article(doc_id: str, title: str, text: object, **extra: object) -> dict[str, object]:
    return {
        "id": doc_id,
        "url": f"https://x.wikipedia.org/wiki/{title}",
        "title": title,
        "text": text,
    } | extra


def kept_and_reasons(
    results: list[ParallelPair | Rejected[ParallelPair]],
) -> tuple[set[str], dict[str, str]]:
    kept = {r.source.title for r in results if isinstance(r, ParallelPair)}
    dropped = {r.record.source.title: r.reasons[0] for r in results if isinstance(r, Rejected)}
    return kept, dropped


# --- readers ---------------------------------------------------------------------------


def test_parquet_reader_streams_the_wikipedia_layout_with_views_as_popularity() -> None:
    docs = list(read_documents(HY, "hy"))
    assert len(docs) == 20
    yerevan = next(d for d in docs if d.title == "Երևան")
    assert yerevan.language == "hy"
    assert yerevan.id == "300102"
    assert yerevan.url == "https://hy.wikipedia.org/wiki/%D4%B5%D6%80%D6%87%D5%A1%D5%B6"
    assert yerevan.popularity == 15300.0
    assert yerevan.text.startswith("Երևանը Հայաստանի մայրաքաղաքն")


def test_jsonl_reader_accepts_integer_ids_edits_and_gzip(tmp_path: Path) -> None:
    rows = [
        {"id": 7, "title": "Sevan", "text": "Lake Sevan lies at 1,900 metres.", "edits": 31},
        {"id": "8", "title": "Garni", "text": "Garni has a temple.", "url": None},
    ]
    plain = write_jsonl(tmp_path / "docs.jsonl", rows)
    packed = tmp_path / "docs.jsonl.gz"
    packed.write_bytes(gzip.compress(Path(plain).read_bytes()))
    for path in (plain, str(packed)):
        docs = list(read_documents(path, "en"))
        assert [d.id for d in docs] == ["7", "8"]
        assert docs[0].popularity == 31.0
        assert docs[1].url is None and docs[1].popularity is None


def test_readers_open_fsspec_urls() -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/corpus/de.parquet", Path(DE).read_bytes())
    fs.pipe(
        "/corpus/hy.jsonl",
        (json.dumps(article("1", "Լուսին", "Լուսինը արբանյակ է։")) + "\n").encode(),
    )
    assert len(list(read_documents("memory://corpus/de.parquet", "de"))) == 21
    assert [d.title for d in read_documents("memory://corpus/hy.jsonl", "hy")] == ["Լուսին"]
    assert len(list(read_keys("memory://corpus/de.parquet", "title"))) == 21


def test_prepaired_reader_builds_both_documents() -> None:
    pairs = list(read_paired(PAIRED))
    assert len(pairs) == 8
    first = pairs[0]
    assert first.id == "ararat-de"
    assert (first.source.language, first.target.language) == ("en", "de")
    assert first.source.title == "Mount Ararat" and first.target.title == "Ararat"
    assert first.source.popularity == 48210.0


def test_prepaired_reader_fills_missing_ids_and_titles(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {
                "source_language": "en",
                "source_text": "A.",
                "target_language": "hy",
                "target_text": "Ա։",
                "title": "Letter",
            }
        ],
    )
    (pair,) = read_paired(path)
    assert pair.source.title == pair.target.title == "Letter"
    assert pair.source.id.startswith("doc-") and pair.id.startswith("prepaired-")


# --- bad input ---------------------------------------------------------------------------


def test_parquet_without_a_text_column_names_file_and_column(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "bad.parquet", [{"id": "1", "title": "T", "body": "x"}])
    with pytest.raises(InputError, match=r"bad\.parquet: missing column\(s\) 'text'"):
        list(read_documents(path, "en"))


def test_parquet_null_text_names_the_row(tmp_path: Path) -> None:
    rows = [article(str(i), f"T{i}", "text") for i in range(5)]
    rows[3]["text"] = None
    path = write_parquet(tmp_path / "nulls.parquet", rows)
    with pytest.raises(
        InputError, match=r"nulls\.parquet: row 4: field 'text' must be a string, got null"
    ):
        list(read_documents(path, "en"))


def test_parquet_with_a_wrong_column_type_says_what_is_expected(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "types.parquet", [{"id": "1", "title": "T", "text": 5}])
    with pytest.raises(
        InputError, match=r"types\.parquet: column 'text' has type int64, expected a string"
    ):
        list(read_documents(path, "en"))


def test_a_file_that_is_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("id,title,text\n")
    with pytest.raises(InputError, match=r"fake\.parquet: not a readable parquet file"):
        list(read_documents(str(path), "en"))


def test_jsonl_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(article("1", "A", "a")) + "\n\n{not json}\n", "utf-8")
    with pytest.raises(InputError, match=r"docs\.jsonl: line 3: not valid JSON"):
        list(read_documents(str(path), "en"))


def test_jsonl_missing_field_and_wrong_type_name_the_line(tmp_path: Path) -> None:
    missing = write_jsonl(tmp_path / "missing.jsonl", [{"id": "1", "title": "A"}])
    with pytest.raises(InputError, match=r"missing\.jsonl: line 1: missing field 'text'"):
        list(read_documents(missing, "en"))
    wrong = write_jsonl(
        tmp_path / "wrong.jsonl", [article("1", "A", "a"), article("2", "B", ["b"])]
    )
    with pytest.raises(
        InputError, match=r"wrong\.jsonl: line 2: field 'text' must be a string, got list"
    ):
        list(read_documents(wrong, "en"))


def test_prepaired_bad_lines_name_the_line_and_field(tmp_path: Path) -> None:
    good = {
        "source_language": "en",
        "source_text": "A.",
        "target_language": "hy",
        "target_text": "Ա։",
    }
    bad_language = write_jsonl(
        tmp_path / "lang.jsonl", [good, good | {"target_language": "Armenian"}]
    )
    with pytest.raises(InputError, match=r"lang\.jsonl: line 2: field 'target_language'"):
        list(read_paired(bad_language))
    missing = write_jsonl(
        tmp_path / "missing.jsonl", [{k: v for k, v in good.items() if k != "target_text"}]
    )
    with pytest.raises(InputError, match=r"missing\.jsonl: line 1: missing field 'target_text'"):
        list(read_paired(missing))


def test_link_table_row_with_wrong_field_count_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "links.tsv"
    path.write_text("source_id\tlanguage\ttarget_id\n1\thy\t2\n3\thy\n", "utf-8")
    with pytest.raises(InputError, match=r"links\.tsv: line 3: 2 tab-separated fields"):
        read_link_table(str(path), "en", "hy")


def test_unknown_file_kind_and_missing_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"corpus\.csv: cannot tell the format"):
        list(read_documents(str(tmp_path / "corpus.csv"), "en"))
    with pytest.raises(InputError, match=r"absent\.parquet: no such file"):
        list(read_documents(str(tmp_path / "absent.parquet"), "en"))


# --- pairing -----------------------------------------------------------------------------


def test_langlinks_pair_english_articles_with_armenian_titles() -> None:
    pairs = {
        c.source.title: c.target.title if c.target else None
        for c in pair_documents(
            [EN], [HY], "en", "hy", pair_by="langlinks", links_path=LINKS, prepare=lambda d: d
        )
    }
    assert pairs["Yerevan"] == "Երևան"
    assert pairs["Temple of Garni"] == "Գառնիի տաճար"
    assert pairs["Cologne Cathedral"] is None
    assert pairs["Sourdough"] is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ids.tsv", "source_id\tlanguage\ttarget_id\n100102\thy\t300102\n100102\tde\t200102\n"),
        ("langlinks.tsv", "ll_from\tll_lang\tll_title\n100102\thy\tԵրևան\n"),
        (
            "sitelinks.tsv",
            "qid\tlanguage\ttitle\nQ1953\ten\tYerevan\nQ1953\thy\tԵրևան\nQ1953\tde\tJerewan\n",
        ),
        (
            "titles.jsonl",
            json.dumps({"source_title": "Yerevan", "language": "hy", "target_title": "Երևան"})
            + "\n",
        ),
        ("ids.jsonl", json.dumps({"source_id": 100102, "lang": "hy", "target_id": 300102}) + "\n"),
    ],
)
def test_every_link_table_format_pairs_yerevan(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    found = [
        (c.source.title, c.target.title)
        for c in pair_documents(
            [EN], [HY], "en", "hy", pair_by="langlinks", links_path=str(path), prepare=lambda d: d
        )
        if c.target is not None
    ]
    assert found == [("Yerevan", "Երևան")]


def test_pairing_by_shared_id_and_by_title(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "en.jsonl",
        [article("Q1953", "Yerevan", YEREVAN_EN), article("Q1", "Sourdough", "Bread.")],
    )
    target = write_parquet(
        tmp_path / "hy.parquet",
        [article("Q1953", "Yerevan", YEREVAN_HY), article("Q2", "Արարատ", "Լեռ։")],
    )
    for pair_by in ("id", "title"):
        found = {
            c.source.id: c.target.id if c.target else None
            for c in pair_documents(
                [source],
                [target],
                "en",
                "hy",
                pair_by=pair_by,
                links_path=None,
                prepare=lambda d: d,
            )
        }
        assert found == {"Q1953": "Q1953", "Q1": None}


def test_pairing_keeps_only_linked_target_documents_prepared() -> None:
    seen: list[str] = []

    def prepare(doc: Document) -> Document:
        seen.append(doc.language)
        return doc.model_copy(update={"text": doc.text[:10]})

    pairs = list(
        pair_documents(
            [EN], [HY], "en", "hy", pair_by="langlinks", links_path=LINKS, prepare=prepare
        )
    )
    linked_targets = sum(c.target is not None for c in pairs)
    assert seen.count("hy") == linked_targets == 20
    assert all(len(c.target.text) <= 10 for c in pairs if c.target is not None)


# --- introductions and anchors -----------------------------------------------------------


def test_intro_skips_leading_short_lines_and_stops_at_the_first_heading() -> None:
    text = (
        "Eiffel Tower\n\nThe Eiffel Tower is a wrought-iron lattice tower in Paris, France.\n"
        "It was built for the 1889 World's Fair by the company of Gustave Eiffel.\n\n"
        "History\n\nThe tower was opened on 31 March 1889 and kept as a radio transmitter."
    )
    assert intro_paragraph(text) == (
        "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.\n"
        "It was built for the 1889 World's Fair by the company of Gustave Eiffel."
    )


def test_intro_cuts_an_overlong_paragraph_at_a_sentence_end() -> None:
    sentence = "Արարատը քնած շերտավոր հրաբուխ է Թուրքիայի ծայր արևելքում։ "
    intro = intro_paragraph(sentence * 30, max_chars=200)
    assert len(intro) <= 200
    assert intro.endswith("։") and intro.count("։") == 200 // len(sentence)


def test_numbers_match_across_separator_conventions() -> None:
    assert set(number_anchors("5,137 m, 27.3 days, 8,848.86 m, 1889")) == {
        "5137",
        "273",
        "884886",
        "1889",
    }
    assert set(number_anchors("5137 m, 27,3 Tage, 8848,86 m, 1889")) == {
        "5137",
        "273",
        "884886",
        "1889",
    }
    assert set(number_anchors("384 400 կմ, 3 աշտարակ")) == {"384400"}


def test_names_are_shared_across_armenian_and_latin_transliteration() -> None:
    result = align(YEREVAN_EN, YEREVAN_HY)
    assert {"Yerevan", "Erebuni", "Argishti", "Urartu", "782", "1918", "1.1"} <= set(result.shared)
    assert result.score >= 0.5
    einstein = align(
        "Albert Einstein was born in Ulm and worked in Princeton.",
        "Ալբերտ Այնշտայնը ծնվել է Ուլմում և աշխատել Փրինստոնում։",
    )
    assert set(einstein.shared) == {"Albert", "Einstein", "Ulm", "Princeton"}


def test_sentence_initial_function_words_are_not_names() -> None:
    assert set(name_anchors("The Moon orbits Earth. In July it was full.").values()) == {
        "Moon",
        "Earth",
        "July",
    }


def test_alignment_is_low_for_a_wrong_counterpart_and_zero_without_anchors() -> None:
    assert align(YEREVAN_EN, QUECKSILBER_DE).score < 0.1
    assert align("no anchors here", "keine Anker hier").score == 0.0


# --- mining ------------------------------------------------------------------------------


def test_sample_mining_drops_each_problem_article_with_its_reason() -> None:
    de_kept, de_dropped = kept_and_reasons(list(mine_pairs(sample_config(), "en", "de")))
    assert de_dropped == {
        "Temple of Garni": "mining.unpopular",
        "Mercury (planet)": "mining.low_alignment",
        "Sourdough": "mining.no_counterpart",
        "Tigranes the Great": "mining.too_short",
    }
    assert len(de_kept) == 18 and "Yerevan" in de_kept
    hy_kept, hy_dropped = kept_and_reasons(list(mine_pairs(sample_config(), "en", "hy")))
    assert hy_dropped == {
        "Temple of Garni": "mining.unpopular",
        "Cologne Cathedral": "mining.no_counterpart",
        "Sourdough": "mining.no_counterpart",
        "Matenadaran": "mining.length_ratio",
    }
    assert len(hy_kept) == 18 and "Mercury (planet)" in hy_kept


def test_kept_pairs_carry_introductions_scores_provenance_and_stable_ids() -> None:
    first = [r for r in mine_pairs(sample_config(), "en", "hy") if isinstance(r, ParallelPair)]
    again = [r for r in mine_pairs(sample_config(), "en", "hy") if isinstance(r, ParallelPair)]
    assert [p.id for p in first] == [p.id for p in again]
    eiffel = next(p for p in first if p.source.title == "Eiffel Tower")
    assert "History" not in eiffel.source.text and "Պատմություն" not in eiffel.target.text
    assert eiffel.provenance.source_ids == ("100104", "300104")
    assert eiffel.provenance.source_urls[0] == "https://en.wikipedia.org/wiki/Eiffel_Tower"
    assert eiffel.provenance.source_language == "en"
    assert {"1889", "330", "1930", "Eiffel", "Gustave"} <= set(eiffel.shared_anchors)
    assert 1.0 <= eiffel.length_ratio < 1.5 and 0.2 <= eiffel.alignment_score <= 1.0
    assert {v.validator for v in eiffel.verdicts} == {
        "min_chars",
        "popularity",
        "length_ratio",
        "alignment",
    }


def test_length_bound_in_tokens_drops_what_the_char_bound_keeps(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "en.jsonl", [article("1", "Yerevan", YEREVAN_EN)])
    padded = YEREVAN_HY.replace(" ", " ա ա ա ")
    target = write_jsonl(tmp_path / "hy.jsonl", [article("1", "Yerevan", padded)])
    config = MiningConfig(
        source_paths=(source,), target_paths={"hy": (target,)}, pair_by="id", max_length_ratio=2.1
    )
    (by_chars,) = mine_pairs(config, "en", "hy")
    (by_tokens,) = mine_pairs(config.model_copy(update={"length_unit": "tokens"}), "en", "hy")
    assert isinstance(by_chars, ParallelPair)
    assert isinstance(by_tokens, Rejected) and by_tokens.reasons == ("mining.length_ratio",)


def test_popularity_bound_is_skipped_when_no_views_field_exists(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "en.jsonl", [article("1", "Yerevan", YEREVAN_EN)])
    target = write_jsonl(tmp_path / "hy.jsonl", [article("1", "Yerevan", YEREVAN_HY)])
    config = MiningConfig(
        source_paths=(source,), target_paths={"hy": (target,)}, pair_by="id", min_popularity=10**6
    )
    (pair,) = mine_pairs(config, "en", "hy")
    assert isinstance(pair, ParallelPair)
    assert any(
        v.validator == "popularity" and v.detail == "no popularity field" for v in pair.verdicts
    )


def test_prepaired_input_mines_only_the_requested_language_pair() -> None:
    config = MiningConfig(paired_path=PAIRED, min_chars=50)
    results = list(mine_pairs(config, "en", "hy"))
    assert len(results) == 4
    assert all(isinstance(r, ParallelPair) and r.target.language == "hy" for r in results)


def test_max_pairs_stops_after_that_many_kept_pairs() -> None:
    results = list(mine_pairs(sample_config(max_pairs=3), "en", "hy"))
    assert sum(isinstance(r, ParallelPair) for r in results) == 3


def test_shards_balance_and_count_reasons_and_filter_stats() -> None:
    shards = list(mine_shards(sample_config(), "en", "hy", shard_size=8))
    assert [s.n_input for s in shards] == [8, 8, 6]
    results: list[ParallelPair | Rejected[ParallelPair]] = []
    for shard in shards:
        results += [*shard.accepted, *shard.rejected]
    total = to_outcome(results)
    assert total.reason_counts() == {
        "mining.unpopular": 1,
        "mining.no_counterpart": 2,
        "mining.length_ratio": 1,
    }
    assert total.validators["length_ratio"].total == 20
    assert total.validators["length_ratio"].passed == 19


def test_a_missing_target_corpus_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="target_paths has no entry for 'fr'"):
        list(mine_pairs(sample_config(), "en", "fr"))


def test_mining_config_needs_a_source() -> None:
    with pytest.raises(ValueError, match=r"source_paths .* or a paired_path"):
        MiningConfig()


# --- samples and memory ------------------------------------------------------------------


def test_committed_samples_match_their_source(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "samples" / "build_samples.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for lang in ("en", "de", "hy"):
        assert pq.read_table(tmp_path / f"{lang}.parquet").equals(
            pq.read_table(SAMPLES / f"{lang}.parquet")
        )
    for name in ("langlinks.tsv", "paired.jsonl"):
        assert (tmp_path / name).read_text("utf-8") == (SAMPLES / name).read_text("utf-8")


LONG_ROWS = 50_000


@pytest.fixture(scope="module")
def long_corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """English corpora of 5,000 and 50,000 articles of about 1 KB each, 2,000 rows a row group."""
    body = " ".join(
        f"Sentence {k} of the lead mentions the year {1800 + k} and Yerevan." for k in range(16)
    )
    table = pa.table(
        {
            "id": [str(i) for i in range(LONG_ROWS)],
            "url": [f"https://en.wikipedia.org/wiki?curid={i}" for i in range(LONG_ROWS)],
            "title": [f"Article {i}" for i in range(LONG_ROWS)],
            "text": [f"Article {i} is a topic. {body}" for i in range(LONG_ROWS)],
            "views": list(range(LONG_ROWS)),
        }
    )
    folder = tmp_path_factory.mktemp("long")
    paths = {}
    for rows in (LONG_ROWS // 10, LONG_ROWS):
        paths[rows] = str(folder / f"en-{rows}.parquet")
        pq.write_table(table.slice(0, rows), paths[rows], row_group_size=2_000)
    return paths


def test_reading_a_long_corpus_holds_one_batch_not_the_corpus(long_corpora: dict[int, str]) -> None:
    tracemalloc.start()
    try:
        counted = sum(1 for _ in read_documents(long_corpora[LONG_ROWS], "en"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counted == LONG_ROWS
    # The corpus holds about 50 MB of text; the reader keeps one record batch of it.
    assert peak < 16 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB"


MINE_AND_REPORT_RSS = """
import resource, sys
from babelforge.generators.mining.mine import mine_pairs
from babelforge.schemas.config import MiningConfig
config = MiningConfig.model_validate_json(sys.argv[1])
counted = sum(1 for _ in mine_pairs(config, "en", "hy"))
print(counted, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_mining_peak_memory_does_not_grow_with_the_corpus(
    tmp_path: Path, long_corpora: dict[int, str]
) -> None:
    target = write_jsonl(tmp_path / "hy.jsonl", [article("300102", "Երևան", YEREVAN_HY)])
    links = tmp_path / "links.tsv"
    links.write_text(
        "source_id\tlanguage\ttarget_id\n" + "".join(f"{i}\thy\t300102\n" for i in range(100))
    )
    peaks = {}
    for rows, path in long_corpora.items():
        config = MiningConfig(
            source_paths=(path,), target_paths={"hy": (target,)}, langlinks_path=str(links)
        )
        done = subprocess.run(
            [sys.executable, "-c", MINE_AND_REPORT_RSS, config.model_dump_json()],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        counted, peak_kib = map(int, done.stdout.split())
        assert counted == rows
        peaks[rows] = peak_kib * 1024
    # Ten times the articles (45 MB more text) may not cost more than a few MiB of peak RSS.
    growth = peaks[LONG_ROWS] - peaks[LONG_ROWS // 10]
    assert growth < 24 * 2**20, f"peak RSS grew by {growth / 2**20:.1f} MiB"
