"""Pull the annotations back: the gold split, annotator agreement and the filters' quality.

Safe to run on a schedule: each pull exports the current annotations of every kind's
project, maps tasks to this run's records by the record id in their data, and rewrites the
gold split and metrics atomically; when no annotation changed since the last pull it writes
nothing. A failed pull leaves the previous gold split as it was.
"""

import hashlib
import json
import logging
from collections import Counter, defaultdict
from datetime import UTC, datetime

from babelforge.annotation.agreement import agreement
from babelforge.annotation.client import ExportedTask, GoldClient
from babelforge.annotation.gold import GoldRecord, gold_record
from babelforge.annotation.items import Item
from babelforge.annotation.kinds import KINDS, project_title
from babelforge.annotation.labels import parse_annotation
from babelforge.annotation.metrics import gold_metrics
from babelforge.annotation.run_dir import RunDirectory
from babelforge.annotation.sample import annotatable, candidate_items
from babelforge.schemas.base import Record
from babelforge.schemas.gold_config import GoldConfig, GoldKind
from babelforge.schemas.records import HallucinationSample

log = logging.getLogger(__name__)

METRICS_FILE = "metrics/gold.json"
STATE_FILE = "gold/state.json"


class PullState(Record):
    """What the previous pull saw, to tell new annotations from known ones."""

    fingerprint: str = ""
    annotation_ids: tuple[int, ...] = ()
    files: tuple[str, ...] = ()
    gold_records: int = 0
    unmatched_tasks: int = 0


class PullSummary(Record):
    """What a pull found and wrote."""

    run_id: str
    pulled_at: datetime
    projects: dict[GoldKind, int]
    tasks: int
    annotations: int
    new_annotations: int
    gold_records: int
    unmatched_tasks: int
    changed: bool
    files: tuple[str, ...] = ()


def pull_gold(
    client: GoldClient, store: RunDirectory, config: GoldConfig, run_id: str
) -> PullSummary:
    """Export, map to the run's records, write gold/<kind>/<lang>.jsonl and metrics/gold.json."""
    projects, exported = export_all(client, config)
    previous = _read_state(store)
    ids = sorted(a.id for _, t in exported for a in t.annotations if not a.was_cancelled)
    fingerprint = _fingerprint(exported)
    pulled_at = datetime.now(UTC)
    new = len(set(ids) - set(previous.annotation_ids))
    if fingerprint == previous.fingerprint and store.exists(METRICS_FILE):
        log.info("gold: no annotation changed since the last pull; nothing written")
        return PullSummary(
            run_id=run_id, pulled_at=pulled_at, projects=projects, tasks=len(exported),
            annotations=len(ids), new_annotations=new, gold_records=previous.gold_records,
            unmatched_tasks=previous.unmatched_tasks, changed=False, files=previous.files,
        )  # fmt: skip
    records, unmatched = build_gold(store, config, exported)
    files = write_gold(store, records, stale=previous.files)
    store.write_json(
        METRICS_FILE,
        {
            "run_id": run_id,
            "pulled_at": pulled_at.isoformat(),
            "projects": projects,
            "tasks": len(exported),
            "annotations": len(ids),
            "gold_records": len(records),
            "unmatched_tasks": unmatched,
            "positive_class": "people would drop the record",
            "agreement": {
                kind: {name: f.model_dump() for name, f in fields.items()}
                for kind, fields in agreement(records).items()
            },
            "quality": gold_metrics(records),
        },
    )
    state = PullState(
        fingerprint=fingerprint,
        annotation_ids=tuple(ids),
        files=files,
        gold_records=len(records),
        unmatched_tasks=unmatched,
    )
    store.write_json(STATE_FILE, state.model_dump())
    return PullSummary(
        run_id=run_id, pulled_at=pulled_at, projects=projects, tasks=len(exported),
        annotations=len(ids), new_annotations=new, gold_records=len(records),
        unmatched_tasks=unmatched, changed=True, files=files,
    )  # fmt: skip


def export_all(
    client: GoldClient, config: GoldConfig
) -> tuple[dict[GoldKind, int], list[tuple[GoldKind, ExportedTask]]]:
    """The annotated tasks of every kind's project that carry a record id."""
    projects: dict[GoldKind, int] = {}
    exported: list[tuple[GoldKind, ExportedTask]] = []
    for kind in KINDS:
        project_id = client.find_project(project_title(config.project_prefix, kind))
        if project_id is None:
            continue
        projects[kind] = project_id
        exported.extend((kind, t) for t in client.export(project_id) if t.data.get("record_id"))
    return projects, exported


def build_gold(
    store: RunDirectory, config: GoldConfig, exported: list[tuple[GoldKind, ExportedTask]]
) -> tuple[list[GoldRecord], int]:
    """Gold records of the annotated tasks whose record is in this run; and the unmatched count.

    One pass over the run's records (of the languages annotated) finds the annotated ones and
    counts every stratum, so each gold record is weighted by its stratum's size over the
    number of its gold records.
    """
    wanted = {str(t.data["record_id"]): (kind, t) for kind, t in exported}
    languages = sorted({str(t.data.get("language")) for _, t in exported})
    scope = config.model_copy(
        update={"languages": tuple(x for x in languages if x in (config.languages or languages))}
    )
    found: dict[str, Item] = {}
    population: Counter[tuple[str, str, bool]] = Counter()
    for item in candidate_items(store, scope):
        if not annotatable(item):
            continue
        population[(item.kind, item.language, item.keep)] += 1
        if item.id in wanted and wanted[item.id][0] == item.kind:
            old = found.get(item.id)
            if old is None or (old.keep and not item.keep):
                found[item.id] = item
    labeled: list[tuple[Item, ExportedTask]] = []
    for record_id, (_, task) in wanted.items():
        if record_id in found and any(not a.was_cancelled for a in task.annotations):
            labeled.append((found[record_id], task))
    per_stratum = Counter((i.kind, i.language, i.keep) for i, _ in labeled)
    records = []
    for item, task in labeled:
        text = item.record.text if isinstance(item.record, HallucinationSample) else None
        labels = [parse_annotation(a, text) for a in task.annotations if not a.was_cancelled]
        stratum = (item.kind, item.language, item.keep)
        weight = population[stratum] / per_stratum[stratum]
        records.append(gold_record(item, task.id, labels, weight))
    unmatched = len(wanted) - len(found)
    if unmatched:
        log.info("gold: %d annotated tasks have no record in this run; left out", unmatched)
    return sorted(records, key=lambda r: (r.kind, r.language, r.id)), unmatched


def write_gold(
    store: RunDirectory, records: list[GoldRecord], stale: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Write gold/<kind>/<language>.jsonl; files of an earlier pull with no record now are
    emptied, so the split always matches the latest annotations."""
    groups: dict[str, list[GoldRecord]] = defaultdict(list)
    for r in records:
        groups[f"gold/{r.kind}/{r.language}.jsonl"].append(r)
    for path, group in sorted(groups.items()):
        store.write_text(path, "".join(r.model_dump_json() + "\n" for r in group))
    for path in stale:
        if path not in groups:
            store.write_text(path, "")
    return tuple(sorted(groups))


def _read_state(store: RunDirectory) -> PullState:
    if not store.exists(STATE_FILE):
        return PullState()
    return PullState.model_validate_json(store.read_text(STATE_FILE))


def _fingerprint(exported: list[tuple[GoldKind, ExportedTask]]) -> str:
    seen = sorted(
        (kind, t.id, a.id, str(a.updated_at), a.was_cancelled)
        for kind, t in exported
        for a in t.annotations
    )
    return hashlib.sha256(json.dumps(seen).encode()).hexdigest()
