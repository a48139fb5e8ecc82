"""Which judges a config builds: on unless the backend is the embedded model, per recipe."""

from collections.abc import AsyncIterator

import pytest

from babelforge.generators.judges.build import build_judges
from babelforge.generators.judges.mqm_judge import MQMJudge
from babelforge.generators.judges.qa_judge import QAJudge
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.judge_config import JudgeSettings


@pytest.fixture
async def client() -> AsyncIterator[OpenAICompatibleClient]:
    """A client that is built but never asked anything here."""
    built = OpenAICompatibleClient("http://127.0.0.1:9/v1", "Qwen/Qwen2.5-7B-Instruct")
    yield built
    await built.aclose()


def test_auto_builds_no_judge_for_the_embedded_model(client: OpenAICompatibleClient) -> None:
    assert build_judges(JudgeSettings(), client, recipe="syndarin", backend="embedded") == {}


def test_auto_builds_both_syndarin_judges_for_a_real_endpoint(
    client: OpenAICompatibleClient,
) -> None:
    judges = build_judges(JudgeSettings(), client, recipe="syndarin", backend="openai")
    assert list(judges) == ["qa_judge", "mqm_judge"]
    assert isinstance(judges["qa_judge"], QAJudge) and isinstance(judges["mqm_judge"], MQMJudge)


def test_instructions_and_hallucination_have_only_the_mqm_judge(
    client: OpenAICompatibleClient,
) -> None:
    for recipe in ("instructions", "hallucination"):
        judges = build_judges(JudgeSettings(), client, recipe=recipe, backend="vllm-engine")
        assert list(judges) == ["mqm_judge"]


def test_on_forces_the_judges_and_passes_the_thresholds(client: OpenAICompatibleClient) -> None:
    settings = JudgeSettings(mode="on", names=("mqm_judge",), mqm_min_score=-4.0, max_tokens=256)
    judges = build_judges(settings, client, recipe="syndarin", backend="embedded")
    judge = judges["mqm_judge"]
    assert list(judges) == ["mqm_judge"] and isinstance(judge, MQMJudge)
    assert judge.min_score == -4.0 and judge.sampling.max_tokens == 256


def test_off_builds_none_even_for_a_real_endpoint(client: OpenAICompatibleClient) -> None:
    settings = JudgeSettings(mode="off")
    assert build_judges(settings, client, recipe="syndarin", backend="openai") == {}
