"""Near-duplicate questions within a shard: MinHash LSH over character shingles, first kept.

Questions generated from the same paragraph, or from two near-identical paragraphs, often say
the same thing; an evaluation set should count each once. Shingles are character n-grams of
the normalised question, so the check works the same for languages written without spaces.
Questions are compared only within one language.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import normalize

SHINGLE = 3


def shingles(text: str, n: int = SHINGLE) -> set[bytes]:
    """Return the character n-grams of the normalised text (the text itself when shorter)."""
    t = normalize(text)
    if len(t) <= n:
        return {t.encode("utf-8")}
    return {t[i : i + n].encode("utf-8") for i in range(len(t) - n + 1)}


def minhash(text: str, num_perm: int = 128) -> MinHash:
    """Return the MinHash signature of the text's shingles."""
    m = MinHash(num_perm=num_perm, seed=1)
    m.update_batch(list(shingles(text)))
    return m


def find_near_duplicates(
    texts: Sequence[str], *, threshold: float = 0.8, num_perm: int = 128
) -> list[tuple[int, float] | None]:
    """For each text, return (index of the earlier text it duplicates, est. Jaccard) or None."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    kept: dict[str, MinHash] = {}
    out: list[tuple[int, float] | None] = []
    for i, text in enumerate(texts):
        m = minhash(text, num_perm)
        best: tuple[int, float] | None = None
        for key in lsh.query(m):
            sim = float(m.jaccard(kept[key]))
            if sim >= threshold and (best is None or sim > best[1]):
                best = (int(key), sim)
        out.append(best)
        if best is None:
            lsh.insert(str(i), m)
            kept[str(i)] = m
    return out


@dataclass(frozen=True)
class NearDuplicateValidator:
    """Within a shard and a language, a question whose MinHash Jaccard to an earlier kept
    question reaches `threshold` is dropped; the first one is kept.

    Reason codes: `near_duplicate.duplicate` (detail names the kept record's id).
    Score on a drop: the estimated Jaccard similarity to the earlier question.
    """

    threshold: float = 0.8
    num_perm: int = 128
    name: str = "near_duplicate"

    def check_batch(self, records: Sequence[TranslatedMCQ]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(records)
        by_language: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            by_language.setdefault(r.language, []).append(i)
        for indices in by_language.values():
            found = find_near_duplicates(
                [records[i].question for i in indices],
                threshold=self.threshold,
                num_perm=self.num_perm,
            )
            for i, hit in zip(indices, found, strict=True):
                if hit is None:
                    verdicts[i] = keep(self.name)
                else:
                    first = records[indices[hit[0]]]
                    verdicts[i] = drop(
                        self.name, "duplicate", hit[1], f"near-duplicate of {first.id}"
                    )
        return [v for v in verdicts if v is not None]
