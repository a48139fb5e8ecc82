"""Assemble a stage's ShardOutcome of hallucination samples from judged records and failures."""

from collections.abc import Sequence

from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Failed, Rejected
from babelforge.validators.base import Check
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.runner import apply_validators_async


async def judge_samples(
    samples: Sequence[HallucinationSample],
    validators: Sequence[Check],
    failed: Sequence[Failed],
    *,
    stage: str,
) -> ShardOutcome[HallucinationSample]:
    """Validate samples; failures (inputs that produced none) join the outcome's count."""
    judged = await apply_validators_async(samples, validators, stage=stage)
    return ShardOutcome[HallucinationSample](
        n_input=judged.n_input + len(failed),
        accepted=judged.accepted,
        rejected=tuple(
            Rejected[HallucinationSample](stage=stage, record=r.record, verdicts=r.verdicts)
            for r in judged.rejected
        ),
        failed=(*judged.failed, *failed),
        validators=judged.validators,
    )


async def judge_candidates(
    candidates: Sequence[HallucinationCandidate],
    validators: Sequence[Check],
    failed: Sequence[Failed],
    *,
    stage: str,
) -> ShardOutcome[HallucinationSample]:
    """Validate candidates, then store each as its sample carrying the candidate's verdicts.

    The tagged text of a rejected candidate is kept in its verdicts' details (the offending
    markup), so the stored sample still explains the drop.
    """
    judged = await apply_validators_async(candidates, validators, stage=stage)
    return ShardOutcome[HallucinationSample](
        n_input=judged.n_input + len(failed),
        accepted=tuple(c.with_verdicts() for c in judged.accepted),
        rejected=tuple(
            Rejected[HallucinationSample](
                stage=stage, record=r.record.with_verdicts(), verdicts=r.verdicts
            )
            for r in judged.rejected
        ),
        failed=(*judged.failed, *failed),
        validators=judged.validators,
    )
