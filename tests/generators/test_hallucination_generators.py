"""Queries, answers, injection and tagged translation: the real model through the session's
llama.cpp server, and a fake client only where a real model cannot misbehave on demand:
replies in the wrong language, too many queries, unparseable JSON, lost or swapped
placeholders, a dead endpoint. The fake translator that keeps every placeholder in order is
the one way to know in advance where the translated spans must land.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from babelforge.generators.client import ChatReply, ChatRequest
from babelforge.generators.errors import LLMError
from babelforge.generators.hallucination.inject import inject, injection_tasks
from babelforge.generators.hallucination.queries import QuerySettings, answer_queries, write_queries
from babelforge.generators.hallucination.references import ReferenceSet
from babelforge.generators.hallucination.translate_tagged import (
    TaggedSource,
    tag_translator,
    translate_tagged,
)
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.provenance import Provenance, SamplingParams, Usage
from babelforge.schemas.records import HallucinationSample, SpanType
from babelforge.validators.suites import (
    halluc_answer_suite,
    halluc_inject_suite,
    halluc_query_suite,
    halluc_translate_suite,
)

SETTINGS = HallucinationConfig()
SAMPLING = SamplingParams(max_tokens=64)
# Armenian costs many tokens: the real model needs room to close its JSON reply.
REAL_SAMPLING = SamplingParams(temperature=0.0, max_tokens=384, seed=3)
REFSET = ReferenceSet(
    id="refs-1",
    language="hy",
    article_id="300102",
    title="Երևան",
    url="https://hy.wikipedia.org/wiki/Երևան",
    references=(
        "Երևանը Հայաստանի մայրաքաղաքն է։ Էրեբունին հիմնադրվել է մ.թ.ա. 782 թվականին։",
        "Երևանը կոչվում է «վարդագույն քաղաք»։",
    ),
)


QUERY = HallucinationSample(
    id="hq-erebuni",
    language="hy",
    text="",
    method="query",
    query="Ո՞ր թվականին է հիմնադրվել Էրեբունի ամրոցը։",
    references=REFSET.references,
    provenance=Provenance(
        source_ids=("300102",),
        source_urls=("https://hy.wikipedia.org/wiki/Երևան",),
        prompt_id="hallucination_queries",
    ),
)


@dataclass
class FakeLLM:
    """Replies with `respond(prompt)`, or raises LLMError when it returns None."""

    respond: Callable[[str], str | None]
    requests: list[ChatRequest] = field(default_factory=list)

    @property
    def model(self) -> str:
        return "fake"

    @property
    def backend(self) -> str:
        return "fake"

    async def complete(self, request: ChatRequest) -> ChatReply:
        self.requests.append(request)
        text = self.respond(request.messages[-1].content)
        if text is None:
            raise LLMError("endpoint down (injected fault)")
        return ChatReply(
            text=text,
            model="fake",
            backend="fake",
            usage=Usage(prompt_tokens=20, completion_tokens=10, requests=1),
            generated_at=datetime.now(UTC),
        )


def replying(payload: object) -> FakeLLM:
    return FakeLLM(lambda _: json.dumps(payload, ensure_ascii=False))


async def test_queries_in_the_wrong_language_are_dropped_with_a_reason() -> None:
    client = replying(
        {
            "queries": [
                "Ո՞ր թվականին է հիմնադրվել Էրեբունի ամրոցը։",
                "In which year was the fortress of Erebuni founded by the king of Urartu?",
            ]
        }
    )
    settings = QuerySettings(per_article=2, sampling=SAMPLING, parse_retries=0)
    outcome = await write_queries(
        client, [REFSET], settings, halluc_query_suite(SETTINGS.validators, {})
    )
    assert (len(outcome.accepted), len(outcome.rejected), outcome.n_input) == (1, 1, 2)
    assert outcome.rejected[0].reasons[0] == "langid.wrong_script"
    kept = outcome.accepted[0]
    assert kept.method == "query" and kept.text == ""
    assert kept.references == REFSET.references
    assert kept.provenance.source_ids == ("300102",)
    assert kept.provenance.source_urls == (REFSET.url,)
    assert kept.provenance.prompt_id == "hallucination_queries"
    assert kept.provenance.prompt_version
    assert "Երևան" in client.requests[0].messages[-1].content


async def test_only_the_requested_number_of_queries_is_kept() -> None:
    client = replying({"queries": [f"Ո՞վ է հիմնադրել Էրեբունին, հարց {n}։" for n in range(5)]})
    settings = QuerySettings(per_article=2, sampling=SAMPLING, parse_retries=0)
    outcome = await write_queries(
        client, [REFSET], settings, halluc_query_suite(SETTINGS.validators, {})
    )
    assert outcome.n_input == 2
    kept = [q.query for q in (*outcome.accepted, *(r.record for r in outcome.rejected))]
    assert kept == [f"Ո՞վ է հիմնադրել Էրեբունին, հարց {n}։" for n in range(2)]


async def test_an_unparseable_query_reply_is_a_failure_with_the_raw_text() -> None:
    client = FakeLLM(lambda _: "Sure! Here are some questions about Yerevan.")
    settings = QuerySettings(per_article=1, sampling=SAMPLING, parse_retries=1)
    outcome = await write_queries(
        client, [REFSET], settings, halluc_query_suite(SETTINGS.validators, {})
    )
    assert outcome.n_input == 1 and len(outcome.failed) == 1
    assert outcome.failed[0].reason == "llm.unparseable"
    assert outcome.failed[0].raw_text == "Sure! Here are some questions about Yerevan."
    assert len(client.requests) == 2


@pytest.mark.slow
async def test_answers_keep_the_query_references_and_name_the_model_under_study(
    real_client: OpenAICompatibleClient,
) -> None:
    outcome = await answer_queries(
        real_client, [QUERY], REAL_SAMPLING, halluc_answer_suite(SETTINGS.validators, {})
    )
    assert not outcome.failed
    (answer,) = (*outcome.accepted, *(r.record for r in outcome.rejected))
    assert answer.text and answer.text == answer.text.strip()
    assert answer.query == QUERY.query and answer.references == REFSET.references
    assert answer.source_id == QUERY.id
    assert answer.provenance.source_ids == ("300102", QUERY.id)
    assert answer.provenance.prompt_id == "hallucination_answer"
    assert answer.provenance.model == real_client.model


async def test_a_dead_endpoint_makes_answers_failures_not_crashes() -> None:
    outcome = await answer_queries(FakeLLM(lambda _: None), [QUERY], SAMPLING, [])
    assert [f.reason for f in outcome.failed] == ["llm.request_failed"]


def test_injection_types_rotate_over_passages() -> None:
    tasks = list(injection_tasks([REFSET, REFSET], list(SpanType), per_article=2))
    assert [t.type for t in tasks] == list(SpanType)[:4]
    assert tasks[0].source_ids == ("300102",)


@pytest.mark.slow
async def test_an_injection_by_the_real_model_is_one_judged_sample_of_its_passage(
    real_client: OpenAICompatibleClient,
) -> None:
    """Tags to spans is tests/generators/test_hallucination_tags.py; here the request, the
    parsed reply and the record: kept with spans, or rejected with its reason."""
    task = next(injection_tasks([REFSET], [SpanType.ENTITY]))
    outcome = await inject(
        real_client,
        [task],
        sampling=REAL_SAMPLING,
        validators=halluc_inject_suite(SETTINGS.validators, {}),
        parse_retries=1,
    )
    assert outcome.n_input == 1
    if outcome.failed:  # a small model may ramble past its JSON: a counted failure, raw kept
        (failure,) = outcome.failed
        assert failure.input_id == task.id and failure.reason == "llm.unparseable"
        assert failure.raw_text and not outcome.accepted and not outcome.rejected
        return
    (sample,) = (*outcome.accepted, *(r.record for r in outcome.rejected))
    assert sample.method == "injection" and sample.references == (task.passage,)
    assert sample.provenance.prompt_id == "hallucination_inject"
    assert sample.provenance.model == real_client.model
    assert bool(outcome.accepted) == bool(sample.spans)
    assert all(r.reasons for r in outcome.rejected)


async def test_an_injection_without_tags_is_rejected() -> None:
    task = next(injection_tasks([REFSET], [SpanType.ENTITY]))
    outcome = await inject(
        replying({"text": task.passage}),
        [task],
        sampling=SAMPLING,
        validators=halluc_inject_suite(SETTINGS.validators, {}),
        parse_retries=0,
    )
    assert outcome.rejected[0].reasons[0] == "spans.none"


ARMENIAN = {
    "Yerevan is the capital of": "Երևանը մայրաքաղաքն է՝",
    "Georgia": "Վրաստանի",
    "It has nine moons.": "Այն ունի ինը լուսին և շատ գեղեցիկ այգիներ։",
}
SOURCE = TaggedSource(
    id="fava-1",
    tagged="Yerevan is the capital of <entiy>Georgia</entity>. "
    "<invented>It has nine moons.</invented>",
)


def translating(edit: Callable[[str], str] = lambda t: t) -> FakeLLM:
    """A fake translator: word list substitution on the masked text, then `edit`."""

    def respond(prompt: str) -> str:
        text = prompt.split("Text:\n", 1)[1]
        for english, armenian in ARMENIAN.items():
            text = text.replace(english, armenian)
        return json.dumps({"translation": edit(text)}, ensure_ascii=False)

    return FakeLLM(respond)


async def test_translated_tags_come_back_as_spans_in_the_target_text() -> None:
    client = translating()
    translator = tag_translator(client, SAMPLING, parse_retries=0)
    outcome = await translate_tagged(
        translator, [SOURCE], "hy", halluc_translate_suite(SETTINGS.validators, {})
    )
    assert len(outcome.accepted) == 1, outcome.rejected
    sample = outcome.accepted[0]
    assert sample.method == "translation" and sample.language == "hy"
    assert [(str(s.type), sample.text[s.start : s.end]) for s in sample.spans] == [
        ("entity", "Վրաստանի"),
        ("invented", "Այն ունի ինը լուսին և շատ գեղեցիկ այգիներ։"),
    ]
    assert (
        sample.provenance.source_ids == ("fava-1",) and sample.provenance.prompt_id == "translate"
    )
    prompt = client.requests[0].messages[-1].content
    assert "⟦0⟧" in prompt and "<entity>" not in prompt


@pytest.mark.slow
async def test_a_tagged_text_translated_by_the_real_model_masks_the_tags(
    real_client: OpenAICompatibleClient,
) -> None:
    recorded: list[ChatRequest] = []

    class Recording:
        model, backend = real_client.model, real_client.backend

        async def complete(self, request: ChatRequest) -> ChatReply:
            recorded.append(request)
            return await real_client.complete(request)

    translator = tag_translator(Recording(), REAL_SAMPLING, parse_retries=1)
    outcome = await translate_tagged(
        translator, [SOURCE], "hy", halluc_translate_suite(SETTINGS.validators, {})
    )
    prompt = recorded[0].messages[-1].content
    assert "⟦0⟧" in prompt and "<entity>" not in prompt and "<invented>" not in prompt
    assert outcome.n_input == 1
    if outcome.failed:  # a small model may ramble past its JSON: a counted failure, raw kept
        (failure,) = outcome.failed
        assert failure.input_id == SOURCE.id and failure.raw_text
        assert not outcome.accepted and not outcome.rejected
        return
    (sample,) = (*outcome.accepted, *(r.record for r in outcome.rejected))
    assert sample.method == "translation" and sample.language == "hy"
    assert sample.provenance.source_ids == ("fava-1",)
    assert sample.provenance.model == real_client.model


async def test_a_translation_that_lost_a_placeholder_is_rejected() -> None:
    translator = tag_translator(
        translating(lambda t: t.replace("⟦3⟧", "")), SAMPLING, parse_retries=0
    )
    outcome = await translate_tagged(
        translator, [SOURCE], "hy", halluc_translate_suite(SETTINGS.validators, {})
    )
    assert outcome.rejected[0].reasons[0] == "halluc_tags.lost"


async def test_a_translation_that_swapped_placeholders_is_rejected() -> None:
    def swap(text: str) -> str:
        return text.replace("⟦0⟧", "@").replace("⟦2⟧", "⟦0⟧").replace("@", "⟦2⟧")

    translator = tag_translator(translating(swap), SAMPLING, parse_retries=0)
    outcome = await translate_tagged(
        translator, [SOURCE], "hy", halluc_translate_suite(SETTINGS.validators, {})
    )
    assert outcome.rejected[0].reasons[0] == "halluc_tags.reordered"


async def test_a_broken_source_and_a_failed_translation_are_failures() -> None:
    broken = TaggedSource(id="fava-2", tagged="Yerevan is <entity>old.")
    translator = tag_translator(FakeLLM(lambda _: None), SAMPLING, parse_retries=0)
    outcome = await translate_tagged(translator, [SOURCE, broken], "hy", [])
    assert outcome.n_input == 2
    assert sorted(f.reason for f in outcome.failed) == [
        "halluc_translate.bad_source",
        "llm.request_failed",
    ]
