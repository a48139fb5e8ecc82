"""Read a run's final records of each kind, accepted and rejected, with their verdicts."""

import fnmatch
import logging
from collections.abc import Iterable, Iterator

from pydantic import BaseModel

from babelforge.annotation.kinds import GoldSubject, kind_models
from babelforge.annotation.run_dir import RunDirectory
from babelforge.schemas.base import Record
from babelforge.schemas.gold_config import GoldKind
from babelforge.schemas.verdict import Verdict

log = logging.getLogger(__name__)


class Item(Record):
    """One record as the gold check sees it: where it is, what the filter decided, and why."""

    kind: GoldKind
    stage: str
    language: str
    keep: bool
    verdicts: tuple[Verdict, ...] = ()
    record: GoldSubject

    @property
    def id(self) -> str:
        return self.record.id


def matching_stages(store: RunDirectory, patterns: Iterable[str]) -> list[str]:
    """The run's stages matching any glob pattern, in the run's order; none is not an error."""
    patterns = tuple(patterns)
    return [s for s in store.stages() if any(fnmatch.fnmatchcase(s, p) for p in patterns)]


def merge_verdicts(*groups: Iterable[Verdict]) -> tuple[Verdict, ...]:
    """Every distinct verdict, first group first (a Rejected's failing verdicts lead)."""
    seen: list[Verdict] = []
    for group in groups:
        for verdict in group:
            if verdict not in seen:
                seen.append(verdict)
    return tuple(seen)


def stage_shape(
    store: RunDirectory, stage: str, language: str, kind: GoldKind
) -> type[BaseModel] | None:
    """The record type the stage's shard markers name, when it is one of the kind's; else
    None (a stage of another kind, or one that committed no shard in the language)."""
    outputs = {s.output for s in store.summaries(stage) if s.language == language}
    models = kind_models(kind)
    found = [models[name] for name in outputs if name in models]
    return found[0] if len(found) == 1 and len(outputs) == 1 else None


def read_items(store: RunDirectory, kind: GoldKind, stage: str, language: str) -> Iterator[Item]:
    """Stream the accepted, then the rejected records of one stage and language as Items.

    A stage whose records are not of the kind is skipped with a warning, not an error, so a
    broad pattern such as `hallucination.*` may match stages of other record types.
    """
    shape = stage_shape(store, stage, language, kind)
    if shape is None:
        log.warning("gold: stage %s/%s holds no %s records; skipped", stage, language, kind)
        return
    for record in store.accepted(stage, language, shape):
        yield Item(
            kind=kind,
            stage=stage,
            language=language,
            keep=True,
            verdicts=tuple(getattr(record, "verdicts", ())),
            record=record,  # type: ignore[arg-type]
        )
    for rejected in store.rejected(stage, language, shape):
        own = tuple(getattr(rejected.record, "verdicts", ()))
        yield Item(
            kind=kind,
            stage=stage,
            language=language,
            keep=False,
            verdicts=merge_verdicts(rejected.verdicts, own),
            record=rejected.record,  # type: ignore[arg-type]
        )
