"""Write a run's final records as a dataset in the Hugging Face Hub layout.

    <export>/README.md                                        dataset card (YAML header: configs)
    <export>/data/<subset>-<lang>/train-00000-of-00001.parquet
    <export>/data/<subset>-<lang>/test-00000-of-00001.parquet
    <export>/data/<subset>-<lang>/gold-00000-of-00001.parquet  (when the gold check has labels)

One config per subset and language. `train` and `test` hold the accepted records, split by a
hash of the record id (stable across reruns); `gold` holds the records people checked in Label
Studio (accepted and rejected) with the automatic and the human verdict, and those records are
left out of train and test so the splits are disjoint. Empty splits are not written.
"""

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict

from babelforge.flows.export.benchmark_card import with_benchmark
from babelforge.flows.export.card import CardFacts, render_card
from babelforge.flows.export.extras import write_extras
from babelforge.flows.export.rows import SUBSETS, Row, Subset
from babelforge.flows.report import Report
from babelforge.flows.store import RunStore
from babelforge.recipes.catalog import recipe_of
from babelforge.schemas.base import Record
from babelforge.schemas.config import RunConfig

FORMAT_VERSION = "1"
BATCH_ROWS = 1000
SPLITS = ("train", "test", "gold")


class SplitFile(Record):
    """One written parquet file."""

    split: str
    path: str
    rows: int


class ExportedConfig(Record):
    """One Hub config: a subset in one language."""

    name: str
    subset: str
    recipe: str
    language: str
    splits: tuple[SplitFile, ...]

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.splits)


class ExportSummary(Record):
    """What the export wrote and where."""

    folder: str
    card: str
    configs: tuple[ExportedConfig, ...]

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.configs)


class GoldRow(BaseModel):
    """The fields of a gold record (annotation/gold.py) that the export reads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    kind: str
    language: str
    stage: str
    automatic_keep: bool
    human_keep: bool | None = None
    spans: list[dict[str, Any]] | None = None
    record: dict[str, Any]


def export_folder(store: RunStore, run: RunConfig) -> str:
    """The export folder: `export.folder` inside the run directory unless absolute or a URL."""
    folder = run.export.folder
    if folder.startswith("/") or "://" in folder:
        return folder.rstrip("/")
    if not store.is_local:  # a path of store.fs would read as a local path below
        return f"{store.root}/{folder.strip('/')}"
    return store.path(folder.strip("/"))


def export_run(store: RunStore, run: RunConfig, report: Report) -> ExportSummary:
    """Write every subset's configs and the dataset card; remove files of an earlier export
    that this one no longer has. Returns what was written."""
    folder = export_folder(store, run)
    fs, root = fsspec.core.url_to_fs(folder)
    gold = read_gold(store)
    configs: list[ExportedConfig] = []
    for subset in SUBSETS:
        languages = {lang for stage in subset.stages for lang in store.languages(stage)}
        languages |= {lang for name, lang in gold if name == subset.name}
        for language in sorted(languages):
            written = _write_config(
                fs, root, store, subset, language, gold.get((subset.name, language), []), run
            )
            if written.splits:
                configs.append(written)
    _remove_stale(fs, root, {f"{root}/{s.path}" for c in configs for s in c.splits})
    write_extras(fs, root, folder, store, configs)
    card = render_card(
        CardFacts(
            run=run,
            report=report,
            configs=tuple(configs),
            subsets={s.name: s for s in SUBSETS},
            provenance=provenance_facts(store),
            gold_metrics=_gold_metrics(store),
        )
    )
    _write_bytes(fs, f"{root}/README.md", with_benchmark(card, fs, root).encode("utf-8"))
    return ExportSummary(folder=folder, card=f"{folder}/README.md", configs=tuple(configs))


GoldEntry = tuple[BaseModel, GoldRow]


def read_gold(store: RunStore) -> dict[tuple[str, str], list[GoldEntry]]:
    """The gold split by (subset, language): each gold record as the subset's record."""
    out: dict[tuple[str, str], list[GoldEntry]] = defaultdict(list)
    for path in sorted(store.fs.glob(store.path("gold/*/*.jsonl"))):
        with store.fs.open(path, "r", encoding="utf-8") as f:
            rows = [GoldRow.model_validate_json(line) for line in f if line.strip()]
        for row in rows:
            for subset in SUBSETS:
                if row.kind != subset.gold_kind or row.stage not in subset.gold_stages:
                    continue
                record = subset.from_gold(row.record)
                if record is not None:
                    out[(subset.name, row.language)].append((record, row))
    return dict(out)


def split_of(record_id: str, test_fraction: float) -> str:
    """`test` for a stable `test_fraction` share of ids, `train` otherwise."""
    bucket = int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16) / 2**32
    return "test" if bucket < test_fraction else "train"


def _write_config(
    fs: fsspec.AbstractFileSystem,
    root: str,
    store: RunStore,
    subset: Subset,
    language: str,
    gold: list[GoldEntry],
    run: RunConfig,
) -> ExportedConfig:
    name = subset.config_name(language)
    schema = subset.schema()
    writers = _SplitWriters(fs, root, name, schema)
    gold_ids = {record_id(record) for record, _ in gold}
    for record in _accepted(store, subset, language):
        rid = record_id(record)
        if rid not in gold_ids:
            writers.add(split_of(rid, run.export.test_fraction), subset.row(record))
    for record, row in gold:
        writers.add(
            "gold",
            subset.row(
                record,
                automatic_keep=row.automatic_keep,
                human_keep=row.human_keep,
                human_spans=row.spans,
            ),
        )
    return ExportedConfig(
        name=name,
        subset=subset.name,
        recipe=subset.recipe,
        language=language,
        splits=writers.close(),
    )


def _accepted(store: RunStore, subset: Subset, language: str) -> Iterator[BaseModel]:
    for stage in subset.stages:
        yield from store.accepted(stage, language, subset.model)


def record_id(record: BaseModel) -> str:
    return str(getattr(record, "id"))  # noqa: B009  every exported record has an id


class _SplitWriters:
    """Stream rows into one parquet file per split, in batches; a split never written
    leaves no file."""

    def __init__(self, fs: fsspec.AbstractFileSystem, root: str, name: str, schema: pa.Schema):
        self.fs, self.root, self.name, self.schema = fs, root, name, schema
        self.pending: dict[str, list[Row]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.writers: dict[str, tuple[pq.ParquetWriter, Any, str]] = {}

    def relative(self, split: str) -> str:
        return f"data/{self.name}/{split}-00000-of-00001.parquet"

    def add(self, split: str, row: Row) -> None:
        self.pending[split].append(row)
        if len(self.pending[split]) >= BATCH_ROWS:
            self._flush(split)

    def _flush(self, split: str) -> None:
        rows = self.pending.pop(split, [])
        if not rows:
            return
        if split not in self.writers:
            final = f"{self.root}/{self.relative(split)}"
            self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
            temp = f"{final}.tmp-{uuid.uuid4().hex[:8]}"
            handle = self.fs.open(temp, "wb")
            self.writers[split] = (pq.ParquetWriter(handle, self.schema), handle, temp)
        self.writers[split][0].write_table(pa.Table.from_pylist(rows, schema=self.schema))
        self.counts[split] += len(rows)

    def close(self) -> tuple[SplitFile, ...]:
        files = []
        for split in SPLITS:
            self._flush(split)
            if split not in self.writers:
                continue
            writer, handle, temp = self.writers[split]
            writer.close()
            handle.close()
            self.fs.mv(temp, f"{self.root}/{self.relative(split)}")
            files.append(SplitFile(split=split, path=self.relative(split), rows=self.counts[split]))
        return tuple(files)


def _write_bytes(fs: fsspec.AbstractFileSystem, path: str, data: bytes) -> None:
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    temp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
    fs.pipe_file(temp, data)
    fs.mv(temp, path)


def _remove_stale(fs: fsspec.AbstractFileSystem, root: str, keep: set[str]) -> None:
    data = f"{root}/data"
    if not fs.exists(data):
        return
    for path in fs.find(data):
        if _norm(path) not in {_norm(k) for k in keep}:
            fs.rm(path)


def _norm(path: str) -> str:
    return path.split("://", 1)[-1].rstrip("/")


def provenance_facts(store: RunStore, per_stage: int = 50) -> dict[str, dict[str, list[str]]]:
    """Per recipe, the models and prompt versions seen in the first accepted and rejected
    records of each of its stages (a run uses one model and prompt set, so a sample tells)."""
    facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for summary in store.summaries():
        if summary.index != 0:
            continue
        recipe = recipe_of(summary.stage)
        if recipe is None:
            continue
        lines = store.read_text(store.record_file(summary, "accepted")).splitlines()[:per_stage]
        lines += store.read_text(store.record_file(summary, "rejected")).splitlines()[:per_stage]
        for line in lines:
            for prov in _provenances(json.loads(line)):
                if prov.get("model"):
                    facts[recipe]["models"].add(f"{prov['model']} ({prov.get('backend')})")
                if prov.get("prompt_id"):
                    facts[recipe]["prompts"].add(
                        f"{prov['prompt_id']}@{prov.get('prompt_version') or '?'}"
                    )
    return {
        recipe: {key: sorted(values) for key, values in kinds.items()}
        for recipe, kinds in facts.items()
    }


def _provenances(data: object) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "provenance" and isinstance(value, dict):
                yield value
            else:
                yield from _provenances(value)
    elif isinstance(data, list):
        for value in data:
            yield from _provenances(value)


def _gold_metrics(store: RunStore) -> dict[str, Any] | None:
    if not store.exists("metrics/gold.json"):
        return None
    data = json.loads(store.read_text("metrics/gold.json"))
    return data if isinstance(data, dict) else {"gold": data}


def export_fingerprint(store: RunStore, run: RunConfig) -> str:
    """A hash of everything the export reads: equal fingerprints mean an export would write
    exactly the same files."""
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    digest.update(run.model_dump_json(exclude={"llm": {"base_url"}}).encode())
    for summary in store.summaries():
        digest.update(summary.model_dump_json().encode())
    for pattern in ("gold/*/*.jsonl", "metrics/*.json"):
        for path in sorted(store.fs.glob(store.path(pattern))):
            digest.update(path.encode())
            digest.update(store.fs.cat_file(path))
    return digest.hexdigest()


def export_intact(store: RunStore, run: RunConfig) -> bool:
    """Whether the export folder has its card and every data file the card declares."""
    fs, root = fsspec.core.url_to_fs(export_folder(store, run))
    card = f"{root}/README.md"
    if not fs.exists(card):
        return False
    text = fs.cat_file(card).decode("utf-8")
    try:
        header = yaml.safe_load(text.split("---\n", 2)[1]) if text.startswith("---\n") else None
    except yaml.YAMLError:
        return False
    if not isinstance(header, dict):
        return False
    files = [f["path"] for c in header.get("configs", []) for f in c.get("data_files", [])]
    return all(fs.exists(f"{root}/{path}") for path in files)
