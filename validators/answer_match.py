"""SynDARin's main filter: the translated answer must be found in the human target paragraph.

The correct option, translated, is fuzzily matched (rapidfuzz partial ratio, 0-100) against
the target-language paragraph the question will be asked about; it must reach a threshold.
A distractor found in the paragraph as well is normal (a good distractor is on topic), so it
is reported in the detail, never a reason to drop: whether the marked answer is *the* answer
is the QA judge's question, not string matching's.
"""

from dataclasses import dataclass

from rapidfuzz import fuzz

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import normalize


def match_score(text: str, paragraph: str) -> float:
    """Return the partial ratio (0-100) of `text` in `paragraph`, after normalisation."""
    return float(fuzz.partial_ratio(normalize(text), normalize(paragraph)))


@dataclass(frozen=True)
class AnswerMatchValidator:
    """The translated answer fuzzily matches the target paragraph.

    Reason codes: `answer_match.not_in_paragraph` (partial ratio below `threshold`).
    Score: the answer's partial ratio; the detail also gives the best distractor's.
    """

    threshold: float = 70.0
    name: str = "answer_match"

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        paragraph = normalize(record.target_paragraph)
        score = float(fuzz.partial_ratio(normalize(record.answer), paragraph))
        if score < self.threshold:
            detail = f"answer matches {score:.1f} < {self.threshold}"
            return drop(self.name, "not_in_paragraph", score, detail)
        best = max(
            float(fuzz.partial_ratio(normalize(o), paragraph))
            for i, o in enumerate(record.options)
            if i != record.answer_index
        )
        return keep(self.name, score, f"answer {score:.1f}, best distractor {best:.1f}")
