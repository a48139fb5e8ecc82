"""Push a run's stratified sample to Label Studio, one project per record kind.

Idempotent: a task is keyed by the record id in its data, so pushing again (after a crash,
or from a rerun) creates no duplicate; an existing task only gains this run's prediction when
it lacks one. Tasks go in batches, so an interrupted push loses nothing: the next push sends
what is missing.
"""

import logging
from datetime import UTC, datetime

from babelforge.annotation.client import GoldClient
from babelforge.annotation.items import Item
from babelforge.annotation.kinds import KINDS, label_config, project_title
from babelforge.annotation.run_dir import RunDirectory
from babelforge.annotation.sample import Sample, Stratum
from babelforge.annotation.tasks import prediction, task_payload
from babelforge.schemas.base import Record
from babelforge.schemas.gold_config import GoldConfig, GoldKind

log = logging.getLogger(__name__)

PUSH_FILE = "gold/push.json"


class KindPush(Record):
    """What one push did in one kind's project."""

    project_id: int
    sampled: int
    created: int
    already_present: int
    predictions_added: int


class PushSummary(Record):
    """What a push did; also written to gold/push.json in the run directory."""

    run_id: str
    url: str
    pushed_at: datetime
    kinds: dict[GoldKind, KindPush]
    strata: tuple[Stratum, ...]
    skipped: dict[str, int] = {}

    @property
    def created(self) -> int:
        return sum(k.created for k in self.kinds.values())


def push_sample(
    client: GoldClient, store: RunDirectory, config: GoldConfig, sample: Sample, run_id: str
) -> PushSummary:
    """Send every sampled record that Label Studio lacks; record what was done in the run."""
    kinds: dict[GoldKind, KindPush] = {}
    for kind in KINDS:
        items = [i for i in sample.items if i.kind == kind]
        if items:
            kinds[kind] = push_kind(client, config, kind, items, sample, run_id)
    summary = PushSummary(
        run_id=run_id,
        url=client.url,
        pushed_at=datetime.now(UTC),
        kinds=kinds,
        strata=sample.strata,
        skipped=sample.skipped,
    )
    store.write_json(PUSH_FILE, summary.model_dump(mode="json"))
    return summary


def push_kind(
    client: GoldClient,
    config: GoldConfig,
    kind: GoldKind,
    items: list[Item],
    sample: Sample,
    run_id: str,
) -> KindPush:
    """Push one kind's items into its project (created if missing, reused if present)."""
    project_id = client.ensure_project(
        project_title(config.project_prefix, kind),
        label_config(kind),
        description=(
            f"babelforge gold check of {kind} records: a stratified sample per language and "
            "automatic verdict; predictions are the validators' verdicts, model_version = run id"
        ),
        annotators_per_task=config.annotators_per_task,
        show_predictions=config.show_predictions,
    )
    existing = client.task_refs(project_id)
    new = [i for i in items if i.id not in existing]
    created = 0
    for start in range(0, len(new), config.batch_size):
        batch = new[start : start + config.batch_size]
        created += client.import_tasks(
            project_id, [task_payload(i, sample.stratum(i), run_id) for i in batch]
        )
    added = 0
    for item in items:
        ref = existing.get(item.id)
        if ref is not None and run_id not in ref.model_versions:
            client.add_prediction(ref.task_id, prediction(item, run_id))
            added += 1
    client.show_model_version(project_id, run_id)
    log.info(
        "gold: %s -> project %d: %d sampled, %d created, %d already there, %d predictions added",
        kind, project_id, len(items), created, len(items) - len(new), added,
    )  # fmt: skip
    return KindPush(
        project_id=project_id,
        sampled=len(items),
        created=created,
        already_present=len(items) - len(new),
        predictions_added=added,
    )
