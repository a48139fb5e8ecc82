"""Near-duplicates within a shard: MinHash LSH over character shingles, the first one kept.

Questions generated from the same paragraph, or instructions copied twice into a seed set,
often say the same thing; a dataset should count each once. Shingles are character n-grams
of the normalised text of the view's fields named in `fields` (all fields when empty), so
the check works the same for languages written without spaces. Records are compared only
within one language.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: datasketch pulls in scipy (~0.8 s a process)
    from datasketch import MinHash

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import normalize
from babelforge.validators.view import ItemView

SHINGLE = 3
HASH_CACHE_SIZE = 1 << 16  # shingles (a few MB); a language has tens of thousands of trigrams


def _shingle_texts(text: str, n: int = SHINGLE) -> set[str]:
    t = normalize(text)
    if len(t) <= n:
        return {t}
    return {t[i : i + n] for i in range(len(t) - n + 1)}


def shingles(text: str, n: int = SHINGLE) -> set[bytes]:
    """Return the character n-grams of the normalised text (the text itself when shorter)."""
    return {s.encode("utf-8") for s in _shingle_texts(text, n)}


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> tuple[Any, Any]:
    """The hash permutations of seed 1 and their scheme, made once per size (datasketch
    makes them per signature otherwise, which costs more than hashing a question)."""
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=1)
    return m.permutations, m.scheme


@lru_cache(maxsize=8)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows) datasketch finds best for `threshold`, found once per setting (it
    integrates numerically for every new index otherwise: a cost per shard and language)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _sha1_32(data: bytes) -> int:
    """datasketch's default hash (the first 4 bytes of SHA-1, little-endian), without its
    struct call per shingle."""
    return int.from_bytes(sha1(data).digest()[:4], "little")


class _ShingleHashes(dict[str, int]):
    """`_sha1_32` of a shingle's UTF-8 bytes, remembered: the same trigrams recur in every
    text of a language, and a look-up costs a tenth of a SHA-1. Emptied when full."""

    def __missing__(self, shingle: str) -> int:
        if len(self) >= HASH_CACHE_SIZE:
            self.clear()
        value = self[shingle] = _sha1_32(shingle.encode("utf-8"))
        return value


_SHINGLE_HASHES = _ShingleHashes()


def minhash(text: str, num_perm: int = 128) -> "MinHash":
    """Return the MinHash signature of the text's shingles (hashed as datasketch does: the
    first 4 bytes of the SHA-1 of their UTF-8 bytes)."""
    from datasketch import MinHash

    permutations, scheme = _permutations(num_perm)
    m = MinHash(
        num_perm=num_perm,
        seed=1,
        hashfunc=_SHINGLE_HASHES.__getitem__,
        permutations=permutations,
        scheme=scheme,
    )
    m.update_batch(list(_shingle_texts(text)))
    m.hashfunc = _sha1_32  # later updates take bytes, as with datasketch's own hash
    return m


def find_near_duplicates(
    texts: Sequence[str], *, threshold: float = 0.8, num_perm: int = 128
) -> list[tuple[int, float] | None]:
    """For each text, return (index of the earlier text it duplicates, est. Jaccard) or None."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=lsh_params(threshold, num_perm))
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
class NearDuplicateCheck:
    """Within a shard and a language, a record whose text has a MinHash Jaccard of at least
    `threshold` to an earlier kept record's is dropped; the first one is kept.

    Reason codes: `near_duplicate.duplicate` (detail names the kept record's id).
    Score on a drop: the estimated Jaccard similarity to the earlier record.
    """

    view: Callable[[Any], ItemView]
    fields: tuple[str, ...] = ()
    threshold: float = 0.8
    num_perm: int = 128
    name: str = "near_duplicate"

    def _text(self, item: ItemView) -> str:
        return "\n".join(f.target for f in item.fields if not self.fields or f.field in self.fields)

    def check_batch(self, records: Sequence[Any]) -> list[Verdict]:
        items = [self.view(r) for r in records]
        verdicts: list[Verdict | None] = [None] * len(records)
        by_language: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            by_language.setdefault(item.language, []).append(i)
        for indices in by_language.values():
            found = find_near_duplicates(
                [self._text(items[i]) for i in indices],
                threshold=self.threshold,
                num_perm=self.num_perm,
            )
            for i, hit in zip(indices, found, strict=True):
                if hit is None:
                    verdicts[i] = keep(self.name)
                else:
                    first = items[indices[hit[0]]]
                    detail = f"near-duplicate of {first.id}"
                    verdicts[i] = drop(self.name, "duplicate", hit[1], detail)
        return [v for v in verdicts if v is not None]
