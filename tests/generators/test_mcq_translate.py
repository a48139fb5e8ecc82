"""Translating an MCQ per field and in one batched request, against the real llama.cpp server;
each item's back-translations start when its own forward translations return."""

import asyncio
from collections.abc import Sequence

import pytest

from babelforge.generators.accounting import Accounting
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.mcq_translate import MCQWithTarget, translate_mcqs
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.translate import LLMTranslator, Translation
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import MCQItem
from tests.generators.test_instructions_translate import DictionaryTranslator

ITEM = MCQItem(
    id="mcq-aragats",
    pair_id="pair-aragats",
    language="en",
    paragraph="Mount Aragats is the highest peak of Armenia, at 4,090 metres.",
    question="What is the highest peak of Armenia?",
    options=("Mount Aragats", "Mount Ararat", "Mount Kazbek", "Mount Elbrus"),
    answer_index=0,
)
TARGET = "Der Aragaz ist mit 4090 Metern der höchste Berg Armeniens."
SAMPLING = SamplingParams(temperature=0.0, max_tokens=160, seed=3)


def _translator(server: EmbeddedServer, accounting: Accounting) -> LLMTranslator:
    client = OpenAICompatibleClient(
        server.base_url,
        server.model,
        backend="llama.cpp",
        structured="json_object",
        max_concurrency=2,
        accounting=accounting,
    )
    return LLMTranslator(client, sampling=SAMPLING, parse_retries=1)


@pytest.mark.slow
async def test_batched_mode_sends_one_request_each_way(embedded_server: EmbeddedServer) -> None:
    accounting = Accounting()
    translator = _translator(embedded_server, accounting)
    outcome = await translate_mcqs(
        translator, [MCQWithTarget(ITEM, TARGET)], "en", "de", mode="batched"
    )
    (item,) = outcome.accepted
    assert accounting.total().requests == 2
    assert item.provenance.usage.requests == 2  # the reply serving five texts counted once
    assert item.provenance.prompt_id == "mcq_translate"
    assert item.back_translated_question and item.back_translated_options is not None
    assert item.target_paragraph == TARGET and item.answer_index == ITEM.answer_index


@pytest.mark.slow
async def test_batched_mode_protects_each_text_on_its_own(embedded_server: EmbeddedServer) -> None:
    heights = ITEM.model_copy(
        update={
            "id": "mcq-aragats-height",
            "question": "How high is Mount Aragats?",
            "options": ("4,090 metres", "5,165 metres", "3,000 metres", "1,900 metres"),
        }
    )
    translator = _translator(embedded_server, Accounting())
    outcome = await translate_mcqs(
        translator, [MCQWithTarget(heights, TARGET)], "en", "de", mode="batched"
    )
    (item,) = outcome.accepted
    for source, translated in zip(heights.options, item.options, strict=True):
        number = source.split()[0]
        assert number in translated or number in item.lost_protected_spans


@pytest.mark.slow
async def test_per_field_mode_sends_one_request_per_text(embedded_server: EmbeddedServer) -> None:
    accounting = Accounting()
    translator = _translator(embedded_server, accounting)
    outcome = await translate_mcqs(translator, [MCQWithTarget(ITEM, TARGET)], "en", "de")
    (item,) = outcome.accepted
    assert accounting.total().requests == 10
    assert item.provenance.prompt_id == "translate"


async def test_batched_mode_needs_the_llm_translator() -> None:
    with pytest.raises(ConfigError, match="translation_mode: per_field"):
        await translate_mcqs(
            DictionaryTranslator(), [MCQWithTarget(ITEM, TARGET)], "en", "de", mode="batched"
        )


class HeldTranslator:
    """Echoes texts (tagged with the target language); the slow item's forward translation
    waits until the other item's back-translation has started."""

    name = "mt:held"
    prompt_version = None

    def __init__(self, slow_question: str) -> None:
        self.slow_question = slow_question
        self.other_back = asyncio.Event()

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, stage: str = ""
    ) -> list[Translation]:
        if target == "en" and not texts[0].startswith(f"[de] {self.slow_question}"):
            self.other_back.set()
        if target == "de" and texts[0] == self.slow_question:
            await asyncio.wait_for(self.other_back.wait(), 10)
        return [Translation(source=t, text=f"[{target}] {t}") for t in texts]


async def test_an_items_back_translation_does_not_wait_for_the_shards_slowest_forward() -> None:
    other = ITEM.model_copy(update={"id": "mcq-other", "question": "Which peak is in Armenia?"})
    translator = HeldTranslator(ITEM.question)
    batch = [MCQWithTarget(ITEM, TARGET), MCQWithTarget(other, TARGET)]

    outcome = await translate_mcqs(translator, batch, "en", "de")  # a shard-wide wait times out

    assert [item.source_question for item in outcome.accepted] == [ITEM.question, other.question]
    first = outcome.accepted[0]
    assert first.question == f"[de] {ITEM.question}"
    assert first.back_translated_question == f"[en] [de] {ITEM.question}"
