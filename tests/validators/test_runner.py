"""The runner: every record accounted for, every verdict recorded, stats per validator."""

from dataclasses import dataclass, field

import pytest

from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import MCQItem, TranslatedMCQ
from babelforge.schemas.verdict import Failed, Verdict
from babelforge.validators.answer_match import AnswerMatchValidator
from babelforge.validators.base import AnyValidator, BatchValidator, Validator, keep
from babelforge.validators.langid import LangidCheck
from babelforge.validators.near_duplicate import NearDuplicateCheck
from babelforge.validators.options import OptionsValidator
from babelforge.validators.runner import apply_validators, apply_validators_async
from babelforge.validators.views import mcq_view
from tests.validators.items import HI_OTHER_PARAGRAPH, armenian_item, german_item, hindi_item


@dataclass
class CountingCheck:
    """An async check that keeps every record and counts the records it was awaited on;
    with `unavailable`, it reports that its service gave no answer (`Failed`)."""

    name: str = "qa_judge"
    unavailable: bool = False
    seen: list[str] = field(default_factory=list)

    async def check(self, record: TranslatedMCQ) -> Verdict | Failed:
        self.seen.append(record.id)
        if self.unavailable:
            return Failed(
                stage="v", input_id=record.id, reason="qa_judge.request_failed", error="down"
            )
        return keep(self.name)


CHEAP: list[Validator | BatchValidator] = [
    OptionsValidator(),
    LangidCheck(mcq_view),
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
        NearDuplicateCheck(mcq_view, fields=("question",)),
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
        apply_validators(_shard(), [CountingCheck()], stage="v")


async def test_async_validator_runs_only_on_records_the_cheap_filters_kept() -> None:
    judge = CountingCheck()
    validators: list[AnyValidator] = [*CHEAP, judge]
    outcome = await apply_validators_async(_shard(), validators, stage="v")
    assert judge.seen == ["hy-erebuni"]
    assert [v.validator for v in outcome.accepted[0].verdicts][-1] == "qa_judge"


async def test_an_unavailable_service_turns_the_record_into_failed_not_rejected() -> None:
    judge = CountingCheck(unavailable=True)
    outcome = await apply_validators_async(
        [armenian_item()], [OptionsValidator(), judge], stage="v"
    )
    assert len(outcome.failed) == 1 and not outcome.rejected
    assert outcome.failed[0].reason == "qa_judge.request_failed"
    assert outcome.failed[0].input_id == "hy-erebuni"
