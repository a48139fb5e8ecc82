"""Round-trip chrF: the back-translation of a translated item must stay close to the English.

The generator back-translates the question and options with the same translator and stores
them on the record; this filter scores them against the English source with sacrebleu's chrF
(character n-gram F-score, 0-100), pooling the n-gram statistics of the question and the
options as one small corpus so that short options do not swing the score.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sacrebleu.metrics import CHRF

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep


def roundtrip_chrf(back_translations: Sequence[str], sources: Sequence[str]) -> float:
    """Return chrF (0-100) of the back-translations against the sources, pooled over segments."""
    if len(back_translations) != len(sources):
        raise ValueError(f"{len(back_translations)} back-translations for {len(sources)} sources")
    return float(CHRF().corpus_score(list(back_translations), [list(sources)]).score)


@dataclass(frozen=True)
class RoundtripChrfValidator:
    """chrF of the back-translated question and options against the English is high enough.

    Reason codes: `roundtrip_chrf.missing_back_translation` (the generator stored none),
    `roundtrip_chrf.low_chrf` (below `threshold`). Score: the chrF.
    """

    threshold: float = 30.0
    name: str = "roundtrip_chrf"
    _chrf: CHRF = field(default_factory=CHRF, repr=False, compare=False)

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        if record.back_translated_question is None:
            return drop(self.name, "missing_back_translation", detail="no back-translated question")
        hyps = [record.back_translated_question]
        refs = [record.source_question]
        if record.back_translated_options is not None:
            hyps += record.back_translated_options
            refs += record.source_options
        score = float(self._chrf.corpus_score(hyps, [refs]).score)
        if score < self.threshold:
            return drop(self.name, "low_chrf", score, f"chrF {score:.1f} < {self.threshold}")
        return keep(self.name, score)
