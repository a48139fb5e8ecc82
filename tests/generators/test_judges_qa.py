"""The QA judge against the real llama.cpp server; fakes only inject faults."""

from pathlib import Path

import pytest

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import CacheSegment, open_segment
from babelforge.generators.judges.qa_judge import QAJudge
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.verdict import Failed, Verdict
from tests.validators.items import armenian_item, german_item
from tests.validators.scripted_client import ScriptedClient


@pytest.mark.slow
async def test_exactly_one_marking_of_an_item_is_kept_by_the_real_model(
    real_client: OpenAICompatibleClient,
) -> None:
    """The model picks one option; of the four ways to mark the answer, only that one passes,
    so a marked answer swapped with a distractor is caught whichever option the model reads."""
    judge = QAJudge(real_client, parse_retries=1)
    results = [await judge.check(german_item(answer_index=i)) for i in range(4)]
    verdicts = [v for v in results if isinstance(v, Verdict)]
    assert len(verdicts) == 4
    kept = [i for i, v in enumerate(verdicts) if v.keep]
    assert len(kept) == 1
    for i, v in enumerate(verdicts):
        if i != kept[0]:
            assert v.reason == "qa_judge.wrong_answer" and v.score == 0.0
            assert v.detail is not None and f"picked option {kept[0]}" in v.detail
    assert verdicts[kept[0]].score == 1.0
    assert "prompt qa_judge@" in (verdicts[kept[0]].detail or "")


@pytest.mark.slow
async def test_the_marked_answer_never_reaches_the_model_so_markings_share_one_cached_request(
    real_client: OpenAICompatibleClient, tmp_path: Path
) -> None:
    accounting = Accounting()
    async with open_segment(str(tmp_path / "cache")) as cache:
        judge = QAJudge(CachedClient(real_client, accounting, cache), parse_retries=0)
        for i in range(4):
            await judge.check(armenian_item(answer_index=i))
    assert accounting.total().cached_requests == 3
    assert len(CacheSegment.at(str(tmp_path / "cache")).load()) == 1


async def test_prose_reply_is_a_failed_record_with_the_raw_text() -> None:
    client = ScriptedClient("I think the answer is Argishti.")
    result = await QAJudge(client, parse_retries=1).check(armenian_item())
    assert isinstance(result, Failed)
    assert result.reason == "qa_judge.unparseable" and result.input_id == "hy-erebuni"
    assert result.raw_text == "I think the answer is Argishti."
    assert len(client.requests) == 2


async def test_option_out_of_range_is_unparseable_not_a_verdict() -> None:
    result = await QAJudge(ScriptedClient('{"answer_index": 7}'), parse_retries=0).check(
        armenian_item()
    )
    assert isinstance(result, Failed) and result.reason == "qa_judge.unparseable"


async def test_endpoint_failure_is_failed_not_a_verdict() -> None:
    result = await QAJudge(ScriptedClient(None)).check(armenian_item())
    assert isinstance(result, Failed)
    assert result.reason == "qa_judge.request_failed"
    assert "endpoint down" in result.error


def test_prompt_shows_the_target_paragraph_question_and_numbered_options_only() -> None:
    judge = QAJudge(ScriptedClient(None))
    prompt = judge.render(armenian_item())
    assert "Armenian" in prompt
    assert "Էրեբունի ամրոցը" in prompt
    assert "0. Արգիշտի Ա" in prompt and "3. Վարդան Մամիկոնյան" in prompt
    assert judge.render(armenian_item(answer_index=2)) == prompt
