"""The stratified sample: every language x kind x verdict stratum, rejected records included."""

from collections import Counter

from babelforge.annotation.items import matching_stages, read_items
from babelforge.annotation.sample import stratified_sample
from babelforge.flows.store import RunStore
from babelforge.schemas.gold_config import GoldConfig


def test_every_stratum_is_sampled_up_to_its_size(run_store: RunStore) -> None:
    sample = stratified_sample(run_store, GoldConfig(per_stratum=2))
    cells = {(s.kind, s.language, s.keep): (s.population, s.sampled) for s in sample.strata}
    assert cells == {
        ("mcq", "de", True): (3, 2),
        ("mcq", "de", False): (2, 2),
        ("mcq", "hy", True): (3, 2),
        ("mcq", "hy", False): (2, 2),
        ("instruction", "hy", True): (2, 2),
        ("instruction", "hy", False): (2, 2),
        ("hallucination", "hi", True): (2, 2),
        ("hallucination", "hi", False): (1, 1),
        ("hallucination", "de", True): (1, 1),
    }
    assert len(sample.items) == 16
    assert len({i.id for i in sample.items}) == 16


def test_the_same_seed_draws_the_same_sample_and_another_seed_may_not(run_store: RunStore) -> None:
    first = stratified_sample(run_store, GoldConfig(per_stratum=1, seed=7))
    again = stratified_sample(run_store, GoldConfig(per_stratum=1, seed=7))
    assert [i.id for i in first.items] == [i.id for i in again.items]
    others = {
        tuple(i.id for i in stratified_sample(run_store, GoldConfig(per_stratum=1, seed=s)).items)
        for s in range(6)
    }
    assert len(others) > 1


def test_rejected_records_carry_their_failing_verdict_first(run_store: RunStore) -> None:
    rejected = [i for i in read_items(run_store, "mcq", "syndarin.validate", "hy") if not i.keep]
    assert len(rejected) == 2
    assert rejected[0].verdicts[0].reason == "answer_match.not_in_paragraph"
    assert {v.validator for v in rejected[0].verdicts} == {"answer_match", "langid"}


def test_stages_of_other_records_or_without_text_are_skipped(run_store: RunStore) -> None:
    assert matching_stages(run_store, ["hallucination.*"]) == [
        "hallucination.inject", "hallucination.queries", "hallucination.taco_like",
    ]  # fmt: skip
    assert list(read_items(run_store, "hallucination", "hallucination.taco_like", "hi")) == []
    sample = stratified_sample(run_store, GoldConfig(per_stratum=5))
    assert sample.skipped == {"hallucination.queries": 1}
    assert Counter(i.stage for i in sample.items if i.kind == "hallucination") == {
        "hallucination.inject": 4
    }


def test_missing_stages_and_other_languages_give_an_empty_stratum_not_an_error(
    run_store: RunStore,
) -> None:
    config = GoldConfig(
        stages={"mcq": ("syndarin.final",), "instruction": (), "hallucination": ()},
        languages=("hy",),
    )
    assert stratified_sample(run_store, config).items == ()
    only_hy = stratified_sample(run_store, GoldConfig(languages=("hy",)))
    assert {i.language for i in only_hy.items} == {"hy"}
