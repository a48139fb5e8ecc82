"""The GEMBA-MQM judge against the real llama.cpp server; fakes only inject faults."""

import json
from pathlib import Path

import pytest

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import open_segment
from babelforge.generators.judges.mqm_errors import MQMReply, mqm_errors, mqm_score, normal_category
from babelforge.generators.judges.mqm_judge import MQMJudge
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.records import InstructionRecord
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.view import FieldView, ItemView
from babelforge.validators.views import instruction_view, mcq_view
from tests.validators.items import german_item, hindi_item
from tests.validators.scripted_client import ScriptedClient


def spanish_instruction() -> InstructionCandidate:
    source = InstructionRecord(
        id="alpaca-7",
        language="en",
        instruction="Give three tips for staying healthy.",
        output="Eat a balanced diet, exercise regularly and sleep eight hours a night.",
    )
    translation = source.model_copy(
        update={
            "language": "es",
            "instruction": "Da tres consejos para mantenerte sano.",
            "output": "Come una dieta equilibrada, haz ejercicio y duerme ocho horas cada noche.",
        }
    )
    return InstructionCandidate(id="alpaca-7-es", source=source, translation=translation)


@pytest.mark.slow
async def test_real_model_verdict_carries_its_spans_and_the_score_they_weigh(
    real_client: OpenAICompatibleClient,
) -> None:
    verdict = await MQMJudge(real_client, mcq_view, parse_retries=1).check(german_item())
    assert isinstance(verdict, Verdict) and verdict.validator == "mqm_judge"
    errors = mqm_errors(verdict)
    assert verdict.score == mqm_score(errors)
    assert verdict.keep == (verdict.score is not None and verdict.score >= -10.0)
    assert verdict.reason == (None if verdict.keep else "mqm_judge.low_score")
    assert "prompt mqm_judge@" in json.loads(verdict.detail or "{}")["judge"]


@pytest.mark.slow
async def test_a_rerun_of_the_judge_is_served_from_the_response_cache(
    real_client: OpenAICompatibleClient, tmp_path: Path
) -> None:
    first, second = Accounting(), Accounting()
    async with open_segment(str(tmp_path / "cache")) as cache:
        a = await MQMJudge(CachedClient(real_client, first, cache), instruction_view).check(
            spanish_instruction()
        )
    async with open_segment(str(tmp_path / "cache")) as cache:  # read back from disk
        b = await MQMJudge(CachedClient(real_client, second, cache), instruction_view).check(
            spanish_instruction()
        )
    assert a == b
    assert second.total().requests == 0 and second.total().cached_requests >= 1


async def test_found_spans_are_kept_with_their_offsets_in_the_translation() -> None:
    reply = {
        "errors": [
            {
                "field": "output",
                "span": "duerme ocho horas",
                "category": "Accuracy/Mistranslation",
                "severity": "Major",
            },
            {
                "field": "instruction",
                "span": "mantenerte",
                "category": "style",
                "severity": "minor",
            },
        ]
    }
    verdict = await MQMJudge(ScriptedClient(json.dumps(reply)), instruction_view).check(
        spanish_instruction()
    )
    assert isinstance(verdict, Verdict) and verdict.keep and verdict.score == -6.0
    major, minor = mqm_errors(verdict)
    output = spanish_instruction().translation.output
    assert major.category == "accuracy/mistranslation" and major.severity == "major"
    assert major.start is not None and output[major.start : major.end] == "duerme ocho horas"
    assert minor.field == "instruction" and minor.start == 22


async def test_a_critical_error_drops_the_record_with_a_low_score() -> None:
    reply = {
        "errors": [
            {
                "field": "question",
                "span": "किसकी याद में",
                "category": "accuracy/omission",
                "severity": "critical",
            }
        ]
    }
    verdict = await MQMJudge(ScriptedClient(json.dumps(reply)), mcq_view).check(hindi_item())
    assert isinstance(verdict, Verdict)
    assert verdict.reason == "mqm_judge.low_score" and verdict.score == -25.0
    assert mqm_errors(verdict)[0].start == 7


async def test_an_empty_error_list_keeps_the_record_with_score_zero() -> None:
    verdict = await MQMJudge(ScriptedClient('{"errors": []}'), mcq_view).check(german_item())
    assert isinstance(verdict, Verdict) and verdict.keep and verdict.score == 0.0
    assert mqm_errors(verdict) == ()


async def test_malformed_json_is_a_failed_record_with_the_raw_text() -> None:
    client = ScriptedClient('{"errors": [{"span": "Mauer", "severity": ')
    result = await MQMJudge(client, mcq_view, parse_retries=1).check(german_item())
    assert isinstance(result, Failed) and result.reason == "mqm_judge.unparseable"
    assert result.raw_text == '{"errors": [{"span": "Mauer", "severity": '
    assert len(client.requests) == 2


async def test_endpoint_failure_is_failed_not_a_verdict() -> None:
    result = await MQMJudge(ScriptedClient(None), mcq_view).check(german_item())
    assert isinstance(result, Failed) and result.reason == "mqm_judge.request_failed"


def test_gemba_weights_count_five_errors_at_most_and_floor_at_minus_25() -> None:
    def reply(*severities: str) -> MQMReply:
        errors = [
            {"field": "q", "span": "x", "category": "style", "severity": s} for s in severities
        ]
        return MQMReply.model_validate({"errors": errors})

    assert mqm_score(reply("minor", "major").errors) == -6.0
    assert mqm_score(reply("minor", "minor", "minor", "minor", "minor", "minor").errors) == -5.0
    assert mqm_score(reply("critical", "major").errors) == -25.0
    no_error = {"field": "q", "span": "", "category": "other", "severity": "no-error"}
    assert MQMReply.model_validate({"errors": [no_error]}).errors == []


def test_a_non_translation_weighs_as_a_critical_error() -> None:
    errors = MQMReply.model_validate(
        {
            "errors": [
                {"field": "q", "span": "x", "category": "Non-translation", "severity": "minor"}
            ]
        }
    ).errors
    assert mqm_score(errors) == -25.0


def test_category_spellings_of_models_map_onto_the_typology() -> None:
    assert normal_category("Accuracy - Omission") == "accuracy/omission"
    assert normal_category("mistranslation") == "accuracy/mistranslation"
    assert normal_category("Fluency: Grammar") == "fluency/grammar"
    assert normal_category("untranslated text") == "accuracy/untranslated"
    assert normal_category("Non-translation") == "non-translation"
    assert normal_category("vibes") == "other"


def test_prompt_shows_every_field_of_an_mcq_with_source_and_translation() -> None:
    prompt = MQMJudge(ScriptedClient(None), mcq_view).render(mcq_view(hindi_item()))
    assert "English" in prompt and "Hindi" in prompt
    assert 'Field "question"' in prompt and 'Field "option 3"' in prompt
    assert "In whose memory was the Taj Mahal built?" in prompt
    assert "ताजमहल किसकी याद में बनवाया गया था?" in prompt


def test_a_field_without_source_is_judged_for_fluency_only() -> None:
    view = ItemView("fava-1", "de", (FieldView("text", "", "Die Eiche ist ein Baum."),))
    prompt = MQMJudge(ScriptedClient(None), mcq_view).render(view)
    assert "(no source: judge the fluency of this field only)" in prompt
    assert "German translation: Die Eiche ist ein Baum." in prompt
