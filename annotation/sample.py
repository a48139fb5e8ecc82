"""The stratified sample sent to people: per language x record kind x automatic verdict.

Rejected records are sampled as much as accepted ones, so the filters' recall (bad records
they let through) and precision (good records they dropped) can both be measured. Within a
stratum the records with the smallest hash of (seed, id) are taken: the same run and seed
always give the same sample, in one streaming pass with memory bounded by the sample size.
"""

import hashlib
import heapq
import logging
from collections.abc import Iterator

from babelforge.annotation.items import Item, matching_stages, read_items
from babelforge.annotation.kinds import gold_stages
from babelforge.annotation.run_dir import RunDirectory
from babelforge.schemas.base import Record
from babelforge.schemas.gold_config import GoldConfig, GoldKind

log = logging.getLogger(__name__)


class Stratum(Record):
    """One cell of the sample: how many records it holds in the run and how many were drawn."""

    kind: GoldKind
    language: str
    keep: bool
    population: int
    sampled: int

    @property
    def weight(self) -> float:
        """How many records of the run each sampled record stands for."""
        return self.population / self.sampled if self.sampled else 0.0


class Sample(Record):
    """The drawn records and the strata they come from."""

    items: tuple[Item, ...]
    strata: tuple[Stratum, ...]
    skipped: dict[str, int] = {}

    def stratum(self, item: Item) -> Stratum:
        """The stratum an item was drawn from."""
        for s in self.strata:
            if (s.kind, s.language, s.keep) == (item.kind, item.language, item.keep):
                return s
        raise KeyError(f"no stratum for {item.kind}/{item.language}/{item.keep}")


def sample_key(seed: int, record_id: str) -> int:
    """A stable pseudo-random rank of a record; the smallest ranks are sampled."""
    digest = hashlib.sha256(f"{seed}:{record_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def annotatable(item: Item) -> bool:
    """Whether a person can judge the record in its kind's form (a query with no answer yet
    has no text to mark spans in)."""
    if item.kind == "hallucination":
        return bool(getattr(item.record, "text", "").strip())
    return True


def candidate_items(store: RunDirectory, config: GoldConfig) -> Iterator[Item]:
    """Every record of the configured stages and languages, in run order."""
    for kind, patterns in gold_stages(config).items():
        stages = matching_stages(store, patterns)
        if not stages:
            log.info(
                "gold: no stage of the run matches %s for %s; nothing to sample", patterns, kind
            )
        for stage in stages:
            for language in store.languages(stage):
                if config.languages is None or language in config.languages:
                    yield from read_items(store, kind, stage, language)


def stratified_sample(store: RunDirectory, config: GoldConfig) -> Sample:
    """Draw up to `config.per_stratum` records from every (kind, language, verdict) stratum."""
    heaps: dict[tuple[GoldKind, str, bool], list[tuple[int, str, int, Item]]] = {}
    population: dict[tuple[GoldKind, str, bool], int] = {}
    skipped: dict[str, int] = {}
    for seq, item in enumerate(candidate_items(store, config)):
        if not annotatable(item):
            skipped[item.stage] = skipped.get(item.stage, 0) + 1
            continue
        key = (item.kind, item.language, item.keep)
        population[key] = population.get(key, 0) + 1
        heap = heaps.setdefault(key, [])
        entry = (-sample_key(config.seed, item.id), item.id, seq, item)
        if len(heap) < config.per_stratum:
            heapq.heappush(heap, entry)
        elif entry[:3] > heap[0][:3]:
            heapq.heapreplace(heap, entry)
    drawn = _dedupe(
        entry[3]
        for key in sorted(heaps)
        for entry in sorted(heaps[key], key=lambda e: e[:3], reverse=True)
    )
    strata = tuple(
        Stratum(
            kind=kind,
            language=language,
            keep=keep,
            population=population[(kind, language, keep)],
            sampled=sum(1 for i in drawn if (i.kind, i.language, i.keep) == (kind, language, keep)),
        )
        for kind, language, keep in sorted(population)
    )
    return Sample(items=tuple(drawn), strata=strata, skipped=skipped)


def _dedupe(items: Iterator[Item]) -> list[Item]:
    """One item per record id; a record rejected by any matching stage counts as rejected."""
    by_id: dict[str, Item] = {}
    for item in items:
        old = by_id.get(item.id)
        if old is None or (old.keep and not item.keep):
            by_id[item.id] = item
    return list(by_id.values())
