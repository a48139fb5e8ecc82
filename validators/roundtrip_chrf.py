"""Round-trip chrF: the back-translation of a record must stay close to its source.

The translate stage puts every translated text back into the source language with the same
translator; this check scores the back-translated prose against the source prose with chrF
(character n-gram F-score, 0-100, sacrebleu's definition, computed here in fewer steps),
pooling the fields of a record as one small corpus so that short fields (MCQ options) do
not swing the score. Protected
spans are left out on both sides: they are copied verbatim both ways and would lift the
score of a record that is mostly code.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.view import ItemView, prose

CHAR_ORDER = 6
BETA = 2


def _ngrams(text: str) -> list[Counter[str]]:
    """Character n-grams of orders 1-6, whitespace removed (sacrebleu's chrF definition)."""
    line = "".join(text.split())
    size = len(line)
    return [
        Counter(map(line.__getitem__, map(slice, range(size - n + 1), range(n, size + 1))))
        for n in range(1, CHAR_ORDER + 1)
    ]


def roundtrip_chrf(back_translations: Sequence[str], sources: Sequence[str]) -> float:
    """Return chrF (0-100) of the back-translations against the sources, pooled over segments.

    The same figure as `sacrebleu.metrics.CHRF().corpus_score` (char order 6, beta 2, no word
    n-grams, effective-order smoothing), computed without its per-call overhead.
    """
    if len(back_translations) != len(sources):
        raise ValueError(f"{len(back_translations)} back-translations for {len(sources)} sources")
    stats = [[0, 0, 0] for _ in range(CHAR_ORDER)]
    for hyp, ref in zip(back_translations, sources, strict=True):
        if hyp == ref:  # every n-gram matches: the counts are the n-gram totals
            size = len("".join(ref.split()))
            for n, order in enumerate(stats, start=1):
                total = max(0, size - n + 1)
                order[0] += total
                order[1] += total
                order[2] += total
            continue
        for order, h, r in zip(stats, _ngrams(hyp), _ngrams(ref), strict=True):
            if r:
                order[0] += h.total()
                shared = h.keys() & r.keys()
                order[2] += sum(map(min, map(h.__getitem__, shared), map(r.__getitem__, shared)))
            order[1] += r.total()
    return _f_score(stats)


def _f_score(stats: list[list[int]]) -> float:
    factor = BETA**2
    avg_prec = avg_rec = 0.0
    effective = 0
    for n_hyp, n_ref, n_match in stats:
        if n_hyp > 0 and n_ref > 0:
            avg_prec += n_match / n_hyp
            avg_rec += n_match / n_ref
            effective += 1
    if effective == 0:
        return 0.0
    avg_prec, avg_rec = avg_prec / effective, avg_rec / effective
    if not avg_prec + avg_rec:
        return 0.0
    return 100 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec)


@dataclass(frozen=True)
class RoundtripChrfCheck:
    """chrF of the back-translated prose against the source prose is at least `threshold`.

    Reason codes: `roundtrip_chrf.missing_back_translation` (a field with source text has no
    back-translation), `roundtrip_chrf.low_chrf` (below `threshold`). Score: the chrF.
    """

    view: Callable[[Any], ItemView]
    threshold: float = 30.0
    name: str = "roundtrip_chrf"

    def __call__(self, record: Any) -> Verdict:
        hyps: list[str] = []
        refs: list[str] = []
        for f in self.view(record).fields:
            ref = prose(f.source, f.protected).strip()
            if not ref:
                continue
            if f.back_translation is None:
                detail = f"{f.field} has no back-translation"
                return drop(self.name, "missing_back_translation", detail=detail)
            refs.append(ref)
            hyps.append(prose(f.back_translation, f.protected).strip())
        if not refs:
            return keep(self.name, detail="no source prose to score")
        score = roundtrip_chrf(hyps, refs)
        if score < self.threshold:
            return drop(self.name, "low_chrf", score, f"chrF {score:.1f} < {self.threshold}")
        return keep(self.name, score)
