"""Near-duplicates across every shard of a stage in one language: MinHash signatures per
shard, one LSH pass over them in shard order, the first record (by shard index, then position)
kept.

A recipe declares a dedup stage (`Stage(dedup=Dedup(text, settings))`, recipes/stage.py) that
reads an upstream stage. Its lane runs in two steps:

1. as each upstream shard commits, the MinHash signatures of its accepted records' text go
   into a side file beside the dedup stage's own shard,
   `stages/<dedup>/<lang>/shard-NNNNN.minhash.json` (ids, scheme, base64 uint32 hash values),
   written once: a resumed run reads it back instead of hashing again;
2. one `MinHashLSH` pass over the signatures in (shard index, position) order, fed shard i
   as soon as upstream shards 0..i have all committed (not a barrier over the whole stage:
   the next stage starts on dedup shard 0 while later upstream shards are still being made):
   a record whose estimated Jaccard to an earlier kept one reaches the threshold is rejected
   `near_duplicate.corpus` with detail `{"duplicate_of": <kept id>}`. Shard i of the dedup
   stage holds upstream shard i's records, so accepted + rejected == input per shard; its
   verdicts depend on shards 0..i alone. Committed shards are not written again (a resumed
   run feeds them to the pass all the same), and the pass is a function of the signatures,
   so a resumed run or a rerun keeps the same records whatever order the shards completed in.

Records are only ever compared within one language (one lane is one language). A record whose
text is blank is kept and never matched.
"""

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from babelforge.flows.store import RunStore
from babelforge.recipes.stage import Dedup, Recipe, Stage
from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import ShardOutcome, ValidatorStats
from babelforge.schemas.verdict import Rejected
from babelforge.validators.base import drop
from babelforge.validators.near_duplicate import lsh_params, minhash
from babelforge.validators.text import normalize

if TYPE_CHECKING:  # imported where used: datasketch pulls in scipy (~0.8 s a process)
    from datasketch import LeanMinHash

CHECK = "near_duplicate"
CAUSE = "corpus"
SEED = 1  # the seed validators/near_duplicate.py hashes with
FORMAT = 1

log = logging.getLogger(__name__)

Position = tuple[int, int]
"""(shard index, position in the shard): the order in which records are kept."""


@dataclass(frozen=True)
class Signatures:
    """The MinHash signatures of one shard's records: one row of `hashvalues` per id;
    `blank` holds the positions whose text is empty (kept, never matched)."""

    ids: tuple[str, ...]
    hashvalues: npt.NDArray[np.uint32]
    scheme: str
    blank: frozenset[int] = frozenset()
    upstream_attempt: str = ""

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "seed": SEED,
            "scheme": self.scheme,
            "num_perm": int(self.hashvalues.shape[1]),
            "ids": list(self.ids),
            "blank": sorted(self.blank),
            "upstream_attempt": self.upstream_attempt,
            "hashvalues": base64.b64encode(self.hashvalues.astype("<u4").tobytes()).decode(),
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Signatures":
        data = json.loads(text)
        raw = np.frombuffer(base64.b64decode(data["hashvalues"]), dtype="<u4")
        values = raw.astype(np.uint32).reshape(len(data["ids"]), data["num_perm"])
        blank = frozenset(data["blank"])
        return cls(tuple(data["ids"]), values, data["scheme"], blank, data["upstream_attempt"])


def sign(
    ids: Iterable[str], texts: Iterable[str], num_perm: int, *, upstream_attempt: str = ""
) -> Signatures:
    """The signatures of the texts (the shingles and MinHash of validators/near_duplicate.py)."""
    id_list, rows, blank, scheme = list(ids), [], set(), "affine32"
    for n, text in enumerate(texts):
        if not normalize(text):
            blank.add(n)
        m = minhash(text, num_perm)
        scheme = m.scheme
        rows.append(np.asarray(m.hashvalues, dtype=np.uint32))
    values = np.vstack(rows) if rows else np.zeros((0, num_perm), dtype=np.uint32)
    return Signatures(tuple(id_list), values, scheme, frozenset(blank), upstream_attempt)


class CorpusPass:
    """The LSH pass over one language's records, fed shard by shard in index order: a record
    that near-duplicates an earlier kept one (by shard index, then position) is found, the
    others are kept and matched against from then on. The most similar kept record is named;
    among equally similar ones, the earliest. Shard i's verdicts depend on shards 0..i only."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        from datasketch import MinHashLSH  # here: it pulls in scipy (~0.8 s)

        self.threshold = threshold
        self.lsh = MinHashLSH(
            threshold=threshold, num_perm=num_perm, params=lsh_params(threshold, num_perm)
        )
        self.kept: dict[Position, tuple[str, LeanMinHash]] = {}
        self.next = 0  # the index the next shard must have

    def add(self, index: int, signatures: Signatures) -> dict[Position, tuple[str, float]]:
        """Shard `index`'s near-duplicates: position -> (the kept record's id, Jaccard)."""
        from datasketch import LeanMinHash

        assert index == self.next, f"shard {index} fed before shard {self.next}"
        self.next += 1
        found: dict[Position, tuple[str, float]] = {}
        for n, record_id in enumerate(signatures.ids):
            if n in signatures.blank:
                continue
            lean = LeanMinHash(
                seed=SEED, hashvalues=signatures.hashvalues[n], scheme=signatures.scheme
            )
            best: tuple[float, Position] | None = None
            for key in self.lsh.query(lean):
                sim = float(lean.jaccard(self.kept[key][1]))
                if sim >= self.threshold and (best is None or (-sim, key) < (-best[0], best[1])):
                    best = (sim, key)
            if best is None:
                self.lsh.insert((index, n), lean)
                self.kept[(index, n)] = (record_id, lean)
            else:
                found[(index, n)] = (self.kept[best[1]][0], best[0])
        return found


def signature_file(stage: str, language: str, index: int) -> str:
    """Where the signatures of the records shard `index` of dedup stage `stage` reads live."""
    return f"stages/{stage}/{language}/shard-{index:05d}.minhash.json"


@dataclass(frozen=True)
class DedupLane:
    """One dedup stage in one language: the store, the stage, the stage it reads."""

    store: RunStore
    stage: Stage
    upstream: Stage
    language: str
    threshold: float
    num_perm: int

    @property
    def dedup(self) -> Dedup:
        assert self.stage.dedup is not None
        return self.stage.dedup

    def inputs(self, index: int) -> list[Any]:
        return self.store.shard_accepted(
            self.upstream.name, self.language, index, self.upstream.output
        )

    def signatures(self, index: int) -> Signatures:
        """The shard's signatures: read back when written before, else hashed and written."""
        path = signature_file(self.stage.name, self.language, index)
        attempt = self.upstream_attempt(index)
        if self.store.exists(path):
            stored = Signatures.from_json(self.store.read_text(path))
            if stored.hashvalues.shape[1] == self.num_perm and stored.upstream_attempt == attempt:
                return stored
        records = self.inputs(index)
        texts = (self.dedup.text(r) for r in records)
        made = sign((r.id for r in records), texts, self.num_perm, upstream_attempt=attempt)
        self.store.write_text(path, made.to_json())
        return made

    def committed(self, index: int) -> bool:
        return self.store.committed(self.stage.name, self.language, index) is not None

    def upstream_attempt(self, index: int) -> str:
        """The commit of upstream shard `index` (a re-made shard invalidates its signatures)."""
        summary = self.store.summary(self.upstream.name, self.language, index)
        return (summary.attempt or "") if summary is not None else ""

    def advance(self, corpus: "CorpusPass", index: int, signatures: Signatures) -> None:
        """Feed the pass shard `index`; commit that dedup shard unless committed before (a
        resumed run feeds committed shards too: the pass must see every earlier record)."""
        found = corpus.add(index, signatures)
        if not self.committed(index):
            self.commit(index, found)

    def commit(self, index: int, found: Mapping[Position, tuple[str, float]]) -> None:
        """Write dedup shard `index`: upstream shard `index`'s records, duplicates rejected."""
        records = self.inputs(index)
        accepted: list[BaseModel] = []
        rejected: list[Rejected[Any]] = []
        scores: list[float] = []
        for n, record in enumerate(records):
            hit = found.get((index, n))
            if hit is None:
                accepted.append(record)
                continue
            detail = json.dumps({"duplicate_of": hit[0]}, ensure_ascii=False)
            verdict = drop(CHECK, CAUSE, round(hit[1], 4), detail)
            rejected.append(
                Rejected[Any](stage=self.stage.name, record=record, verdicts=(verdict,))
            )
            scores.append(verdict.score or 0.0)
        kind: Any = ShardOutcome[self.stage.output]  # type: ignore[name-defined]
        outcome = kind(
            n_input=len(records),
            accepted=tuple(accepted),
            rejected=tuple(rejected),
            validators={
                CHECK: ValidatorStats(
                    passed=len(accepted), total=len(records), scores=tuple(scores)
                )
            },
        )
        self.store.write_shard(self.stage.name, self.language, index, outcome, self.stage.output)
        log.info(
            "%s/%s shard %d: %d in, %d kept, %d near-duplicates of earlier shards' records",
            self.stage.name, self.language, index, len(records), len(accepted), len(rejected),
        )  # fmt: skip


async def run_dedup_lane(
    config: RunConfig,
    store: RunStore,
    recipe: Recipe,
    stage: Stage,
    language: str,
    upstream: AsyncIterator[int],
    publish: Callable[[int], None],
) -> None:
    """Sign each upstream shard as it commits; feed the pass shard i (and commit dedup shard i,
    unless committed before, then publish i) once upstream shards 0..i have all committed, so
    the next stage starts on shard 0 while later upstream shards are still being made. After
    an upstream shard an outage left uncommitted, nothing is committed: the next run does it."""
    assert stage.dedup is not None and stage.upstream is not None, stage.name
    settings = stage.dedup.settings(config)
    lane = DedupLane(
        store=store,
        stage=stage,
        upstream=recipe.stage(stage.upstream),
        language=language,
        threshold=settings.near_duplicate_threshold,
        num_perm=settings.near_duplicate_num_perm,
    )
    corpus = await asyncio.to_thread(CorpusPass, lane.threshold, lane.num_perm)
    waiting: dict[int, Signatures] = {}
    async for index in upstream:
        waiting[index] = await asyncio.to_thread(lane.signatures, index)
        while (ready := corpus.next) in waiting:
            await asyncio.to_thread(lane.advance, corpus, ready, waiting.pop(ready))
            publish(ready)
    if waiting:
        log.warning(
            "%s/%s: %d shard(s) not deduplicated, upstream shard %d is missing (the next run "
            "does them)", stage.name, language, len(waiting), corpus.next,
        )  # fmt: skip
