"""instr_corpus: MITS-style corpus round-trip BLEU, chrF++ and TER, and a stable sample."""

from babelforge.validators.instr_corpus import corpus_roundtrip, sample_ids
from tests.validators.instr_items import greet, reset


def test_identical_back_translations_score_perfectly() -> None:
    scores = corpus_roundtrip([greet("hy"), reset("hi")])
    assert scores.records == 2
    assert scores.segments == 4
    assert scores.bleu == 100.0 and scores.chrf_pp == 100.0 and scores.ter == 0.0


def test_a_drifted_back_translation_lowers_every_figure() -> None:
    record = reset("sw")
    assert record.back_translation is not None
    drifted = record.back_translation.model_copy(update={"output": "Open the page and wait."})
    scores = corpus_roundtrip([record.model_copy(update={"back_translation": drifted})])
    assert scores.bleu is not None and scores.bleu < 100
    assert scores.chrf_pp is not None and scores.chrf_pp < 100
    assert scores.ter is not None and scores.ter > 0


def test_records_without_back_translation_are_not_scored() -> None:
    scores = corpus_roundtrip([greet("de").model_copy(update={"back_translation": None})])
    assert scores.records == 0 and scores.bleu is None


def test_the_sample_is_deterministic_and_order_free() -> None:
    ids = [f"instr-{i}" for i in range(100)]
    first = sample_ids(ids, 10)
    assert len(first) == 10
    assert first == sample_ids(reversed(ids), 10)
    assert sample_ids(ids, None) == set(ids)
