"""Near-duplicates across every shard of a stage in one language: MinHash signatures per
shard, one LSH pass over all of them, the first record (by shard index, then position) kept.

A recipe declares a dedup stage (`Stage(dedup=Dedup(text, settings))`, recipes/stage.py) that
reads an upstream stage. Its lane runs in two steps:

1. as each upstream shard commits, the MinHash signatures of its accepted records' text go
   into a side file beside the dedup stage's own shard,
   `stages/<dedup>/<lang>/shard-NNNNN.minhash.json` (ids, scheme, base64 uint32 hash values),
   written once: a resumed run reads it back instead of hashing again;
2. once every upstream shard of the language is committed (a barrier), one `MinHashLSH` pass
   over all the signatures in (shard index, position) order: a record whose estimated Jaccard
   to an earlier kept one reaches the threshold is rejected `near_duplicate.corpus` with
   detail `{"duplicate_of": <kept id>}`. Shard i of the dedup stage holds upstream shard i's
   records, so accepted + rejected == input per shard; committed shards are skipped, and the
   pass is a function of the signatures alone, so a resumed run or a rerun keeps the same
   records whatever order the shards completed in.

Records are only ever compared within one language (one lane is one language). A record whose
text is blank is kept and never matched.
"""

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


def corpus_duplicates(
    shards: Mapping[int, Signatures], *, threshold: float, num_perm: int
) -> dict[Position, tuple[str, float]]:
    """For every record that near-duplicates an earlier kept one, in (shard index, position)
    order: its position -> (the kept record's id, estimated Jaccard). The most similar kept
    record is named; among equally similar ones, the earliest."""
    from datasketch import LeanMinHash, MinHashLSH  # here: it pulls in scipy (~0.8 s)

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=lsh_params(threshold, num_perm))
    kept: dict[Position, tuple[str, LeanMinHash]] = {}
    found: dict[Position, tuple[str, float]] = {}
    for index in sorted(shards):
        signatures = shards[index]
        for n, record_id in enumerate(signatures.ids):
            if n in signatures.blank:
                continue
            lean = LeanMinHash(
                seed=SEED, hashvalues=signatures.hashvalues[n], scheme=signatures.scheme
            )
            best: tuple[float, Position] | None = None
            for key in lsh.query(lean):
                sim = float(lean.jaccard(kept[key][1]))
                if sim >= threshold and (best is None or (-sim, key) < (-best[0], best[1])):
                    best = (sim, key)
            if best is None:
                lsh.insert((index, n), lean)
                kept[(index, n)] = (record_id, lean)
            else:
                found[(index, n)] = (kept[best[1]][0], best[0])
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

    def duplicates(self, indices: list[int]) -> dict[Position, tuple[str, float]]:
        shards = {index: self.signatures(index) for index in indices}
        return corpus_duplicates(shards, threshold=self.threshold, num_perm=self.num_perm)

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
    upstream_complete: Callable[[], bool],
) -> None:
    """Sign each upstream shard as it commits; once the upstream lane is done, run the one LSH
    pass and commit every dedup shard not committed yet, publishing each index in order. When
    the upstream lane left a shard uncommitted (an outage) nothing is committed: the pass must
    see every shard, and the next run makes it."""
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
    indices: list[int] = []
    async for index in upstream:
        indices.append(index)
        await asyncio.to_thread(lane.signatures, index)
    indices.sort()
    if not upstream_complete():
        log.warning(
            "%s/%s: not deduplicated, an upstream shard is missing (the next run does it)",
            stage.name, language,
        )  # fmt: skip
        return
    # The barrier: the upstream lane ended. Nothing is written before this first await, where a
    # failed upstream lane's cancellation of the run lands.
    pending = {i for i in indices if not await asyncio.to_thread(lane.committed, i)}
    found = await asyncio.to_thread(lane.duplicates, indices) if pending else {}
    for index in indices:
        if index in pending:
            await asyncio.to_thread(lane.commit, index, found)
        publish(index)
