"""The run directory: config snapshot, per-stage shards, rejects, failures, cache, metrics.

Layout (local path or any fsspec URL):

    <run_dir>/config.yaml
    <run_dir>/lease.json                                         (the running run, flows/lease.py)
    <run_dir>/stages/<stage>/<language>/shard-00000.<attempt>.accepted.jsonl
    <run_dir>/stages/<stage>/<language>/shard-00000.<attempt>.rejected.jsonl
    <run_dir>/stages/<stage>/<language>/shard-00000.<attempt>.failed.jsonl
    <run_dir>/stages/<stage>/<language>/shard-00000.done.json    (commit marker, created last)
    <run_dir>/stages/<stage>/<language>/shard-00000.cache/       (its replies, flows/clients.py)
    <run_dir>/report.json, report.md

Each attempt at a shard writes its records under its own names and commits by creating the
marker exclusively (a hard link of a finished file on a local disk, a conditional PUT on an
object store: no rename), so two workers racing on a shard make one commit; readers open only
the files a committed marker names. Other files are written whole or not at all.
"""

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol, TypeVar

import fsspec
import yaml
from pydantic import BaseModel

from babelforge.flows.worker import current_worker
from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import Fingerprint, ShardOutcome, ShardSummary
from babelforge.schemas.verdict import Failed, Rejected

T = TypeVar("T", bound=BaseModel)
KINDS = ("accepted", "rejected", "failed")


class Expected(Protocol):
    """What this run expects of a stage's markers (flows/fingerprint.py makes these)."""

    @property
    def fingerprint(self) -> Fingerprint: ...

    def holds(self, store: "RunStore", summary: ShardSummary) -> bool:
        """Whether a committed marker is still valid for this run."""
        ...

    def upstream_attempt(self, store: "RunStore", index: int) -> str | None:
        """The commit of upstream shard `index` the new shard was made from."""
        ...


class RunStore:
    """Read and write one run directory."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self.fs, self._path = fsspec.core.url_to_fs(self.root)
        self.fs.makedirs(self._path, exist_ok=True)
        self._expected: dict[tuple[str, str], Expected] = {}

    def _p(self, *parts: str) -> str:
        return "/".join((self._path, *parts))

    @property
    def is_local(self) -> bool:
        return "file" in (
            self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        )

    def local_dir(self, name: str) -> Path:
        """A local folder for things that need a real file system (the SQLite cache)."""
        if self.is_local:
            path = Path(self._p(name))
        else:
            digest = hashlib.sha256(self.root.encode()).hexdigest()[:12]
            path = Path.home() / ".cache" / "babelforge" / digest / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _fresh_listings(self) -> None:
        """Forget cached folder listings (s3fs keeps them): other workers write here too."""
        if not self.is_local:
            self.fs.invalidate_cache()

    def write_text(self, relative: str, text: str) -> None:
        """Write a file whole or not at all: a temporary name then a rename on a local disk,
        one PUT on an object store (which has no rename and never shows half an object)."""
        final = self._p(relative)
        if not self.is_local:
            self.fs.pipe_file(final, text.encode("utf-8"))
            return
        self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
        temp = f"{final}.tmp-{uuid.uuid4().hex[:8]}"
        with self.fs.open(temp, "w", encoding="utf-8") as f:
            f.write(text)
        self.fs.mv(temp, final)

    def create(self, relative: str, text: str) -> bool:
        """Create a file only if it does not exist; False when another writer created it
        first. A local disk links a finished temporary file (atomic and exclusive); an object
        store does a conditional PUT (`If-None-Match: *`, s3fs's mode "xb")."""
        final = self._p(relative)
        if not self.is_local:
            try:
                with self.fs.open(final, "xb") as f:
                    f.write(text.encode("utf-8"))
            except FileExistsError:
                return False
            return True
        self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
        temp = f"{final}.tmp-{uuid.uuid4().hex[:8]}"
        Path(temp).write_text(text, encoding="utf-8")
        try:
            os.link(temp, final)
        except FileExistsError:
            return False
        finally:
            os.unlink(temp)
        return True

    def remove(self, *relative: str) -> None:
        """Remove files; one already gone is fine."""
        for name in relative:
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm_file(self._p(name))

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        """Delete everything in the run directory but the top-level names in `keep`."""
        for path in self.fs.ls(self._path, detail=False):
            if path.rstrip("/").rsplit("/", 1)[-1] not in keep:
                self.fs.rm(path, recursive=True)

    def read_text(self, relative: str) -> str:
        with self.fs.open(self._p(relative), "r", encoding="utf-8") as f:
            return str(f.read())

    def exists(self, relative: str) -> bool:
        return bool(self.fs.exists(self._p(relative)))

    def path(self, relative: str) -> str:
        """The full path or URL of a file in the run directory."""
        return self._p(relative)

    def snapshot_config(self, config: RunConfig) -> None:
        data = config.model_dump(mode="json")
        self.write_text("config.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    @staticmethod
    def _shard(stage: str, language: str, index: int) -> str:
        return f"stages/{stage}/{language}/shard-{index:05d}"

    def follow(self, expected: Mapping[tuple[str, str], Expected]) -> None:
        """Judge markers against this run's fingerprints (by stage and language) from now on:
        `committed` treats a marker made from anything else as stale."""
        self._expected = dict(expected)

    def summary(self, stage: str, language: str, index: int) -> ShardSummary | None:
        """The marker of a committed shard, or None when there is none."""
        try:
            text = self.read_text(f"{self._shard(stage, language, index)}.done.json")
        except FileNotFoundError:
            return None
        return ShardSummary.model_validate_json(text)

    def committed(self, stage: str, language: str, index: int) -> ShardSummary | None:
        """The shard's marker when it still holds for this run, else None: the shard must
        run. A stale marker (another fingerprint, a re-made upstream shard, a shard queued
        for retry) is discarded first, with its records; its cache segment stays."""
        summary = self.summary(stage, language, index)
        expected = self._expected.get((stage, language))
        if summary is None or expected is None:
            return summary
        if expected.holds(self, summary):
            return summary
        self.discard(summary)
        return None

    def discard(self, summary: ShardSummary) -> None:
        """Remove a marker, then the record files it names (never the cache segment)."""
        base = self._shard(summary.stage, summary.language, summary.index)
        self.remove(f"{base}.done.json")
        self.remove(*(f"{base.rsplit('/', 1)[0]}/{n}" for n in _files(summary).values()))

    def write_shard(
        self,
        stage: str,
        language: str,
        index: int,
        outcome: ShardOutcome[T],
        output: type[BaseModel],
    ) -> ShardSummary:
        """Write a shard's records under this attempt's own names, then create its marker
        (naming the record type `output` and the files); returns the committed marker. The
        loser of a race for the marker removes its own files and returns the winner's."""
        base = self._shard(stage, language, index)
        folder, shard = base.rsplit("/", 1)
        attempt = uuid.uuid4().hex[:12]
        files = {kind: f"{shard}.{attempt}.{kind}.jsonl" for kind in KINDS}
        self.write_text(f"{folder}/{files['accepted']}", _jsonl(outcome.accepted))
        self.write_text(f"{folder}/{files['rejected']}", _jsonl(outcome.rejected))
        self.write_text(f"{folder}/{files['failed']}", _jsonl(outcome.failed))
        expected = self._expected.get((stage, language))
        summary = ShardSummary(
            stage=stage,
            language=language,
            index=index,
            output=output.__name__,
            n_input=outcome.n_input,
            accepted=len(outcome.accepted),
            rejected=len(outcome.rejected),
            failed=len(outcome.failed),
            reasons=outcome.reason_counts(),
            validators=outcome.validators,
            usage=outcome.usage,
            attempt=attempt,
            files=files,
            fingerprint=expected.fingerprint if expected is not None else None,
            upstream_attempt=expected.upstream_attempt(self, index) if expected else None,
            worker=current_worker(),
        )
        if not self.create(f"{base}.done.json", summary.model_dump_json(indent=2)):
            self.remove(*(f"{folder}/{name}" for name in files.values()))
            winner = self.summary(stage, language, index)
            assert winner is not None, f"{base}: marker vanished while committing"
            return winner
        self._sweep(folder, shard, set(files.values()))
        return summary

    def _sweep(self, folder: str, shard: str, keep: set[str]) -> None:
        """Remove record files of this shard's attempts that never committed (killed ones)."""
        self._fresh_listings()
        for path in self.fs.glob(self._p(folder, f"{shard}.*.*.jsonl")):
            name = path.rsplit("/", 1)[-1]
            if name not in keep:
                self.remove(f"{folder}/{name}")

    def record_file(self, summary: ShardSummary, kind: str) -> str:
        """The relative path of a committed shard's `kind` (accepted, rejected, failed) file."""
        return f"stages/{summary.stage}/{summary.language}/{_files(summary)[kind]}"

    def summaries(self, stage: str | None = None) -> list[ShardSummary]:
        """Every finished shard's marker, optionally for one stage."""
        pattern = self._p("stages", stage or "*", "*", "shard-*.done.json")
        self._fresh_listings()
        out = []
        for path in sorted(self.fs.glob(pattern)):
            with self.fs.open(path, "r", encoding="utf-8") as f:
                out.append(ShardSummary.model_validate_json(f.read()))
        return out

    def stages(self) -> list[str]:
        return sorted({s.stage for s in self.summaries()})

    def languages(self, stage: str) -> list[str]:
        return sorted({s.language for s in self.summaries(stage)})

    def _records(self, stage: str, language: str, kind: str) -> Iterator[str]:
        for summary in self.summaries(stage):
            if summary.language != language:
                continue
            name = self.record_file(summary, kind)
            with self.fs.open(self._p(name), "r", encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        yield line

    def shard_accepted(self, stage: str, language: str, index: int, model: type[T]) -> list[T]:
        """The accepted records of one committed shard (one shard, never the whole stage)."""
        summary = self.summary(stage, language, index)
        if summary is None:
            raise FileNotFoundError(f"{self._shard(stage, language, index)} is not committed")
        name = self.record_file(summary, "accepted")
        with self.fs.open(self._p(name), "r", encoding="utf-8") as f:
            return [model.model_validate_json(line) for line in f if line.strip()]

    def accepted(self, stage: str, language: str, model: type[T]) -> Iterator[T]:
        """Stream the accepted records of a stage, shard by shard, in order."""
        for line in self._records(stage, language, "accepted"):
            yield model.model_validate_json(line)

    def rejected(self, stage: str, language: str, model: type[T]) -> Iterator[Rejected[T]]:
        for line in self._records(stage, language, "rejected"):
            yield Rejected[model].model_validate_json(line)  # type: ignore[valid-type]

    def failed(self, stage: str, language: str) -> Iterator[Failed]:
        for line in self._records(stage, language, "failed"):
            yield Failed.model_validate_json(line)

    def write_json(self, relative: str, data: object) -> None:
        self.write_text(relative, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _files(summary: ShardSummary) -> dict[str, str]:
    """The record files a marker names (markers of earlier releases name none: fixed names)."""
    if summary.files:
        return summary.files
    return {kind: f"shard-{summary.index:05d}.{kind}.jsonl" for kind in KINDS}


def _jsonl(items: Iterable[BaseModel]) -> str:
    return "".join(item.model_dump_json() + "\n" for item in items)
