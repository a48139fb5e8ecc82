"""The runner: every record accounted for, every verdict recorded, stats per validator."""

import pytest

from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import MCQItem, TranslatedMCQ
from babelforge.validators.answer_match import AnswerMatchValidator
from babelforge.validators.base import AnyValidator, BatchValidator, Validator
from babelforge.validators.langid import LangidValidator
from babelforge.validators.llm_judge import LLMJudge
from babelforge.validators.near_duplicate import NearDuplicateValidator
from babelforge.validators.options import OptionsValidator
from babelforge.validators.runner import apply_validators, apply_validators_async
from tests.validators.items import HI_OTHER_PARAGRAPH, armenian_item, german_item, hindi_item
from tests.validators.scripted_client import ScriptedClient

CHEAP: list[Validator | BatchValidator] = [
    OptionsValidator(),
    LangidValidator(),
    AnswerMatchValidator(),
]


def _shard() -> list[TranslatedMCQ]:
    return [
        armenian_item(),
        hindi_item(target_paragraph=HI_OTHER_PARAGRAPH),
        german_item(question="Who built the Berlin Wall in the middle of the city?"),
    ]


def test_accepted_and_rejected_account_for_every_input() -> None:
    outcome = apply_validators(_shard(), CHEAP, stage="validate")
    assert isinstance(outcome, ShardOutcome)
    assert outcome.n_input == 3
    assert [r.id for r in outcome.accepted] == ["hy-erebuni"]
    assert outcome.reason_counts() == {
        "answer_match.not_in_paragraph": 1,
        "langid.wrong_language": 1,
    }


def test_every_verdict_is_recorded_on_the_accepted_record() -> None:
    outcome = apply_validators(_shard(), CHEAP, stage="validate")
    record = outcome.accepted[0]
    assert [v.validator for v in record.verdicts] == ["options", "langid", "answer_match"]


def test_rejected_record_lists_failing_verdicts_first() -> None:
    outcome = apply_validators(_shard(), CHEAP, stage="validate")
    rejected = next(r for r in outcome.rejected if r.record.id == "hi-taj")
    assert rejected.stage == "validate"
    assert rejected.verdicts[0].reason == "answer_match.not_in_paragraph"
    assert all(v.keep for v in rejected.verdicts[1:])
    assert len(rejected.record.verdicts) == 3


def test_stats_count_passes_totals_and_scores_per_validator() -> None:
    outcome = apply_validators(_shard(), CHEAP, stage="validate")
    stats = outcome.validators
    assert list(stats) == ["options", "langid", "answer_match"]
    assert (stats["options"].passed, stats["options"].total) == (3, 3)
    assert (stats["answer_match"].passed, stats["answer_match"].total) == (2, 3)
    assert len(stats["answer_match"].scores) == 3


def test_a_duplicate_of_a_rejected_record_is_kept() -> None:
    rejected_first = hindi_item(target_paragraph=HI_OTHER_PARAGRAPH)
    duplicate = hindi_item(id="hi-taj-2")
    validators: list[Validator | BatchValidator] = [
        AnswerMatchValidator(),
        NearDuplicateValidator(),
    ]
    outcome = apply_validators([rejected_first, duplicate], validators, stage="v")
    assert [r.id for r in outcome.accepted] == ["hi-taj-2"]
    assert outcome.validators["near_duplicate"].total == 1


def test_records_without_a_verdicts_field_pass_through_unchanged() -> None:
    item = MCQItem(
        id="mcq-1",
        pair_id="pair-1",
        language="en",
        paragraph="The Berlin Wall fell on 9 November 1989.",
        question="When did the Berlin Wall fall?",
        options=("In 1989", "In 1961", "In 1990", "In 1945"),
        answer_index=0,
    )
    outcome = apply_validators([item], [OptionsValidator()], stage="generate")
    assert outcome.accepted == (item,)


def test_empty_shard_gives_an_empty_balanced_outcome() -> None:
    outcome = apply_validators(list[TranslatedMCQ](), CHEAP, stage="validate")
    assert outcome.n_input == 0 and not outcome.accepted


def test_sync_runner_refuses_an_async_validator() -> None:
    with pytest.raises(TypeError, match="apply_validators_async"):
        judge = LLMJudge(ScriptedClient('{"answer_index": 0}'))
        apply_validators(_shard(), [judge], stage="v")  # type: ignore[list-item]


async def test_async_validator_runs_only_on_records_the_cheap_filters_kept() -> None:
    client = ScriptedClient('{"answer_index": 0}')
    validators: list[AnyValidator] = [*CHEAP, LLMJudge(client)]
    outcome = await apply_validators_async(_shard(), validators, stage="v")
    assert len(client.requests) == 1
    assert [v.validator for v in outcome.accepted[0].verdicts][-1] == "llm_judge"


async def test_unreachable_judge_turns_the_record_into_failed_not_rejected() -> None:
    outcome = await apply_validators_async(
        [armenian_item()], [OptionsValidator(), LLMJudge(ScriptedClient(None))], stage="v"
    )
    assert len(outcome.failed) == 1
    assert outcome.failed[0].reason == "llm_judge.request_failed"
    assert outcome.failed[0].input_id == "hy-erebuni"
