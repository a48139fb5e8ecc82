"""SynDARin's main filter: the translated answer must be found in the human target paragraph.

The correct option, translated, is fuzzily matched (rapidfuzz partial ratio, 0-100) against
the target-language paragraph the question will be asked about; it must reach a threshold,
and it must beat the best-matching distractor by a margin, otherwise the paragraph does not
tell the options apart.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import normalize


def match_score(text: str, paragraph: str) -> float:
    """Return the partial ratio (0-100) of `text` in `paragraph`, after normalisation."""
    return float(fuzz.partial_ratio(normalize(text), normalize(paragraph)))


def check_answer_match(
    answer: str,
    distractors: Sequence[str],
    paragraph: str,
    *,
    threshold: float,
    margin: float,
    name: str = "answer_match",
) -> Verdict:
    """Return the verdict for one answer and its distractors against one paragraph."""
    para = normalize(paragraph)
    score = float(fuzz.partial_ratio(normalize(answer), para))
    if score < threshold:
        return drop(name, "not_in_paragraph", score, f"answer matches {score:.1f} < {threshold}")
    distractor_scores = [float(fuzz.partial_ratio(normalize(d), para)) for d in distractors]
    best = max(distractor_scores, default=0.0)
    detail = f"answer {score:.1f}, best distractor {best:.1f}"
    if score - best < margin:
        return drop(name, "distractor_matches", score, f"{detail}: margin below {margin}")
    return keep(name, score, detail)


@dataclass(frozen=True)
class AnswerMatchValidator:
    """The translated answer fuzzily matches the target paragraph, better than any distractor.

    Reason codes: `answer_match.not_in_paragraph` (partial ratio below `threshold`),
    `answer_match.distractor_matches` (a distractor matches within `margin` of the answer).
    Score: the answer's partial ratio.
    """

    threshold: float = 70.0
    margin: float = 5.0
    name: str = "answer_match"

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        distractors = [o for i, o in enumerate(record.options) if i != record.answer_index]
        return check_answer_match(
            record.answer,
            distractors,
            record.target_paragraph,
            threshold=self.threshold,
            margin=self.margin,
            name=self.name,
        )
