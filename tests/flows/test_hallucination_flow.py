"""The `hallucination` flow end to end on the real embedded model, through Prefect.

The tiny model writes poor queries and tags; the test checks structure, accounting and
provenance, never wording.
"""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.recipes.hallucination import answer_llm_config
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.records import HallucinationSample, SpanType

ARTICLES = {
    "de": (
        "Jerewan",
        "Jerewan ist die Hauptstadt und größte Stadt Armeniens. Sie liegt am Fluss Hrasdan in "
        "der Araratebene. Die Festung Erebuni wurde im Jahr 782 v. Chr. von König Argischti I. "
        "gegründet. Seit 1918 ist Jerewan die Hauptstadt Armeniens.",
    ),
    "hy": (
        "Երևան",
        "Երևանը Հայաստանի մայրաքաղաքն ու ամենամեծ քաղաքն է։ Այն գտնվում է Հրազդան գետի ափին՝ "
        "Արարատյան դաշտում։ Էրեբունի ամրոցը հիմնադրել է Արգիշտի I թագավորը մ.թ.ա. 782 "
        "թվականին։ Երևանը Հայաստանի մայրաքաղաքն է 1918 թվականից։",
    ),
}
TAGGED = [
    {"id": "fava-1", "tagged": "Yerevan is the capital of <entity>Georgia</entity>."},
]
STAGES = ("queries", "answers", "inject", "translate")


def corpus(folder: Path) -> dict[str, list[str]]:
    paths = {}
    for language, (title, text) in ARTICLES.items():
        path = folder / f"{language}.parquet"
        table = pa.table({"id": [f"{language}-1"], "url": [None], "title": [title], "text": [text]})
        pq.write_table(table, path)
        paths[language] = [str(path)]
    return paths


@pytest.fixture(scope="module")
def finished_run(
    embedded_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory
) -> RunConfig:
    folder = tmp_path_factory.mktemp("hallucination")
    tagged = folder / "fava.jsonl"
    tagged.write_text("".join(json.dumps(t) + "\n" for t in TAGGED), encoding="utf-8")
    config = RunConfig.model_validate(
        {
            "name": "hallucination-test",
            "run_dir": str(folder / "run"),
            "languages": ["de", "hy"],
            "llm": {
                "backend": "embedded",
                "base_url": embedded_server.base_url,
                "model": embedded_server.model,
                "parse_retries": 0,
                "sampling": {"max_tokens": 40},
            },
            "hallucination": {
                "article_paths": corpus(folder),
                "tagged_paths": [str(tagged)],
                "min_article_length": 20,
                "max_references": 2,
                "queries_per_article": 1,
                "answer_model": {"sampling": {"max_tokens": 24}},
            },
        }
    )
    run_recipes(config)
    return config


def test_every_stage_with_inputs_ran_for_every_language_and_balances(
    finished_run: RunConfig,
) -> None:
    store = RunStore(finished_run.run_dir)
    for stage in ("queries", "inject", "translate"):
        summaries = store.summaries(f"hallucination.{stage}")
        assert sorted(s.language for s in summaries) == ["de", "hy"], stage
    for stage in STAGES:
        for s in store.summaries(f"hallucination.{stage}"):
            assert s.accepted + s.rejected + s.failed == s.n_input
            assert sum(s.reasons.values()) == s.rejected + s.failed


def test_each_article_gives_one_query_candidate_and_each_kept_query_one_answer(
    finished_run: RunConfig,
) -> None:
    store = RunStore(finished_run.run_dir)
    for language in ("de", "hy"):
        (queries,) = [s for s in store.summaries("hallucination.queries") if s.language == language]
        answers = [s for s in store.summaries("hallucination.answers") if s.language == language]
        assert queries.n_input == 1
        assert sum(s.n_input for s in answers) == queries.accepted


def test_records_carry_provenance_and_the_stage_verdicts(finished_run: RunConfig) -> None:
    store = RunStore(finished_run.run_dir)
    for language in ("de", "hy"):
        for stage, prompt in (("inject", "hallucination_inject"), ("translate", "translate")):
            name = f"hallucination.{stage}"
            records = [
                *store.accepted(name, language, HallucinationSample),
                *(r.record for r in store.rejected(name, language, HallucinationSample)),
            ]
            for record in records:
                assert record.language == language
                assert record.provenance.model == "smollm2-135m-instruct"
                assert record.provenance.prompt_id == prompt
                assert record.provenance.prompt_version
                assert record.verdicts, "every judged record says why it was kept or dropped"
        for answer in store.accepted("hallucination.answers", language, HallucinationSample):
            assert answer.query and answer.references and answer.method == "query"
            assert answer.provenance.prompt_id == "hallucination_answer"


def test_the_report_gives_span_figures_per_language(finished_run: RunConfig) -> None:
    store = RunStore(finished_run.run_dir)
    metrics = json.loads(store.read_text("metrics/hallucination.json"))
    assert set(metrics["languages"]) == {"de", "hy"}
    for figures in metrics["languages"].values():
        for kind in ("injection", "translation"):
            assert set(figures[kind]["spans_per_type"]) == {t.value for t in SpanType}
            assert 0.0 <= figures[kind]["inside_share"] <= 1.0
    report = json.loads(store.read_text("report.json"))
    assert "hallucination" in report["metrics"]


def test_a_second_run_resumes_from_committed_shards(finished_run: RunConfig) -> None:
    store = RunStore(finished_run.run_dir)
    before = [s.model_dump() for s in store.summaries()]
    run_recipes(finished_run)
    assert [s.model_dump() for s in store.summaries()] == before


def test_the_model_under_study_defaults_to_the_run_llm() -> None:
    llm = LLMConfig(backend="openai", base_url="http://127.0.0.1:9/v1", model="writer")
    assert answer_llm_config(llm, HallucinationConfig()) is llm
    same_endpoint = answer_llm_config(
        llm, HallucinationConfig.model_validate({"answer_model": {"model": "studied"}})
    )
    assert (same_endpoint.model, same_endpoint.base_url) == ("studied", llm.base_url)
    own_server = answer_llm_config(
        llm, HallucinationConfig.model_validate({"answer_model": {"backend": "embedded"}})
    )
    assert (own_server.backend, own_server.base_url) == ("embedded", None)
