"""The MCQ translator records the protected spans a translation lost on the item, where the
`protected_spans` filter reads them; the real llama.cpp server translates, and a thin client
in front of it drops one placeholder from every reply (a real model loses placeholders only
some of the time, so the loss is injected to make it certain)."""

import pytest

from babelforge.generators.client import ChatReply, ChatRequest
from babelforge.generators.mcq_translate import MCQWithTarget, translate_mcqs
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.translate import LLMTranslator
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import MCQItem

pytestmark = pytest.mark.slow

ITEM = MCQItem(
    id="mcq-aragats-height",
    pair_id="pair-aragats",
    language="en",
    paragraph="Mount Aragats is the highest peak of Armenia, at 4,090 metres.",
    question="Which peak of Armenia rises to 4,090 metres?",
    options=("Mount Aragats", "Mount Ararat", "Mount Kazbek", "Mount Elbrus"),
    answer_index=0,
)
TARGET = "Der Aragaz ist mit 4090 Metern der höchste Berg Armeniens."
SAMPLING = SamplingParams(temperature=0.0, max_tokens=160, seed=3)


class DroppingPlaceholder:
    """The real client, with the placeholder `⟦0⟧` removed from every reply (injected fault)."""

    def __init__(self, real: OpenAICompatibleClient) -> None:
        self.real = real

    @property
    def model(self) -> str:
        return self.real.model

    @property
    def backend(self) -> str:
        return self.real.backend

    async def complete(self, request: ChatRequest) -> ChatReply:
        reply = await self.real.complete(request)
        return reply.model_copy(update={"text": reply.text.replace("⟦0⟧", "")})


@pytest.mark.parametrize("mode", ["per_field", "batched"])
async def test_a_number_whose_placeholder_was_dropped_is_recorded_as_lost(
    real_client: OpenAICompatibleClient, mode: str
) -> None:
    translator = LLMTranslator(DroppingPlaceholder(real_client), sampling=SAMPLING, parse_retries=1)
    outcome = await translate_mcqs(
        translator,
        [MCQWithTarget(ITEM, TARGET)],
        "en",
        "de",
        mode=mode,  # type: ignore[arg-type]
    )
    (item,) = outcome.accepted  # a lost span is the filter's decision, not a failure
    assert item.lost_protected_spans == ("4,090",)
    assert "4,090" not in item.question
    assert item.source_question == ITEM.question
    assert item.provenance.model == real_client.model
