"""A shard's records: the stage's function on the batch, then its declared checks through the
one runner, every rejection and failure stamped with the stage's name (flows/executor.py
commits what this returns)."""

from typing import Any

from babelforge.recipes.stage import Stage, StageContext
from babelforge.schemas.outcome import ShardOutcome
from babelforge.validators.runner import apply_validators_async


async def make_shard(stage: Stage, context: StageContext, batch: list[Any]) -> ShardOutcome[Any]:
    """The stage's function on the batch, then its declared checks on what it accepted (the
    one runner), with every rejection and failure stamped with the stage's name."""
    made: ShardOutcome[Any]
    if stage.make is None:
        made = ShardOutcome[stage.output](n_input=len(batch), accepted=tuple(batch))  # type: ignore[name-defined]
    else:
        made = await stage.make(context, batch)
    if stage.checks is not None:
        checks = stage.checks(context.config, context.client)
        checked = await apply_validators_async(list(made.accepted), checks, stage=stage.name)
        made = _joined(stage, made, checked)
    return _stamped(stage, made)


def _joined(stage: Stage, made: ShardOutcome[Any], checked: ShardOutcome[Any]) -> ShardOutcome[Any]:
    kind: Any = ShardOutcome[stage.output]  # type: ignore[name-defined]
    return kind(
        n_input=made.n_input,
        accepted=checked.accepted,
        rejected=(*made.rejected, *checked.rejected),
        failed=(*made.failed, *checked.failed),
        validators={**made.validators, **checked.validators},
    )


def _stamped(stage: Stage, outcome: ShardOutcome[Any]) -> ShardOutcome[Any]:
    rejected = tuple(
        r if r.stage == stage.name else r.model_copy(update={"stage": stage.name})
        for r in outcome.rejected
    )
    failed = tuple(
        f if f.stage == stage.name else f.model_copy(update={"stage": stage.name})
        for f in outcome.failed
    )
    if rejected == outcome.rejected and failed == outcome.failed:
        return outcome
    return outcome.model_copy(update={"rejected": rejected, "failed": failed})
