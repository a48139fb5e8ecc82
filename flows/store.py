"""The run directory: config snapshot, per-stage shards, rejects, failures, cache, metrics.

Layout (local path or any fsspec URL):

    <run_dir>/config.yaml
    <run_dir>/stages/<stage>/<language>/shard-00000.accepted.jsonl
    <run_dir>/stages/<stage>/<language>/shard-00000.rejected.jsonl
    <run_dir>/stages/<stage>/<language>/shard-00000.failed.jsonl
    <run_dir>/stages/<stage>/<language>/shard-00000.done.json   (commit marker, written last)
    <run_dir>/cache/responses.sqlite
    <run_dir>/report.json, report.md

Every file is written to a temporary name and renamed, and a shard counts as finished only
once its marker exists, so a killed run resumes from the last complete shard.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import fsspec
import yaml
from pydantic import BaseModel

from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import ShardOutcome, ShardSummary
from babelforge.schemas.verdict import Failed, Rejected

T = TypeVar("T", bound=BaseModel)


class RunStore:
    """Read and write one run directory."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self.fs, self._path = fsspec.core.url_to_fs(self.root)
        self.fs.makedirs(self._path, exist_ok=True)

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

    def write_text(self, relative: str, text: str) -> None:
        """Write a file atomically (temporary name, then rename)."""
        final = self._p(relative)
        self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
        temp = f"{final}.tmp-{uuid.uuid4().hex[:8]}"
        with self.fs.open(temp, "w", encoding="utf-8") as f:
            f.write(text)
        self.fs.mv(temp, final)

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

    def summary(self, stage: str, language: str, index: int) -> ShardSummary | None:
        """The marker of a finished shard, or None when the shard must (re)run."""
        marker = f"{self._shard(stage, language, index)}.done.json"
        if not self.exists(marker):
            return None
        return ShardSummary.model_validate_json(self.read_text(marker))

    def write_shard(
        self,
        stage: str,
        language: str,
        index: int,
        outcome: ShardOutcome[T],
        output: type[BaseModel],
    ) -> ShardSummary:
        """Write a shard's records, then its marker (naming the record type `output`);
        returns the marker."""
        base = self._shard(stage, language, index)
        self.write_text(f"{base}.accepted.jsonl", _jsonl(outcome.accepted))
        self.write_text(f"{base}.rejected.jsonl", _jsonl(outcome.rejected))
        self.write_text(f"{base}.failed.jsonl", _jsonl(outcome.failed))
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
        )
        self.write_text(f"{base}.done.json", summary.model_dump_json(indent=2))
        return summary

    def summaries(self, stage: str | None = None) -> list[ShardSummary]:
        """Every finished shard's marker, optionally for one stage."""
        pattern = self._p("stages", stage or "*", "*", "shard-*.done.json")
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
            name = f"{self._shard(stage, language, summary.index)}.{kind}.jsonl"
            with self.fs.open(self._p(name), "r", encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        yield line

    def shard_accepted(self, stage: str, language: str, index: int, model: type[T]) -> list[T]:
        """The accepted records of one committed shard (one shard, never the whole stage)."""
        name = f"{self._shard(stage, language, index)}.accepted.jsonl"
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


def _jsonl(items: Iterable[BaseModel]) -> str:
    return "".join(item.model_dump_json() + "\n" for item in items)
