"""The LLM answerability judge against the real llama.cpp server, plus injected faults."""

import pytest

from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.llm_judge import LLMJudge
from tests.validators.items import armenian_item, german_item
from tests.validators.scripted_client import ScriptedClient


@pytest.mark.slow
async def test_real_model_gives_a_keep_or_a_documented_reason(
    embedded_server: EmbeddedServer,
) -> None:
    client = OpenAICompatibleClient(
        embedded_server.base_url,
        embedded_server.model,
        backend="llama.cpp",
        structured="json_object",
        max_concurrency=2,
    )
    try:
        verdict = await LLMJudge(client, parse_retries=1).check(german_item())
    finally:
        await client.aclose()
    assert isinstance(verdict, Verdict)
    assert verdict.validator == "llm_judge"
    assert verdict.keep or verdict.reason in {"llm_judge.wrong_answer", "llm_judge.unparseable"}
    assert verdict.detail is not None and "prompt llm_judge@" in verdict.detail


async def test_picking_the_correct_option_keeps_the_item() -> None:
    verdict = await LLMJudge(ScriptedClient('{"answer_index": 0}')).check(armenian_item())
    assert isinstance(verdict, Verdict) and verdict.keep and verdict.score == 1.0


async def test_picking_a_distractor_is_a_wrong_answer() -> None:
    verdict = await LLMJudge(ScriptedClient('{"answer_index": 2}')).check(armenian_item())
    assert isinstance(verdict, Verdict)
    assert verdict.reason == "llm_judge.wrong_answer"


async def test_prose_reply_is_unparseable_and_keeps_the_raw_text() -> None:
    client = ScriptedClient("I think the answer is Argishti.")
    verdict = await LLMJudge(client, parse_retries=1).check(armenian_item())
    assert isinstance(verdict, Verdict)
    assert verdict.reason == "llm_judge.unparseable"
    assert verdict.detail is not None and "I think the answer is Argishti." in verdict.detail
    assert len(client.requests) == 2


async def test_endpoint_failure_is_failed_not_a_verdict() -> None:
    result = await LLMJudge(ScriptedClient(None)).check(armenian_item())
    assert isinstance(result, Failed)
    assert result.reason == "llm_judge.request_failed"


def test_prompt_shows_the_target_paragraph_question_and_numbered_options() -> None:
    prompt = LLMJudge(ScriptedClient(None)).render(armenian_item())
    assert "Armenian" in prompt
    assert "Էրեբունի ամրոցը" in prompt
    assert "0. Արգիշտի Ա" in prompt and "3. Վարդան Մամիկոնյան" in prompt
