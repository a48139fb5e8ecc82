"""The statistics of a benchmark, pure: Wilson intervals, accuracy tables, cross-lingual
consistency, position bias and hallucination rates. No I/O, no LLM."""

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from babelforge.schemas.evaluation import (
    LETTERS,
    HallucinationAnswer,
    MCQAnswer,
    Proportion,
)

Z_95 = 1.959963984540054
RANDOM_BASELINE = 0.25
_TOKEN = re.compile(r"\S+")
T = TypeVar("T")


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials; (0, 1) when n is 0.

    Unlike the normal approximation it stays inside [0, 1] and is honest for small n and for
    rates near 0 or 1, which is where low-resource benchmarks live.
    """
    if n == 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"wilson_interval needs 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion(k: int, n: int) -> Proportion:
    """k of n as a rate with its 95% Wilson interval (rate 0 when n is 0)."""
    low, high = wilson_interval(k, n)
    return Proportion(k=k, n=n, rate=k / n if n else 0.0, low=low, high=high)


def grouped(
    items: Iterable[T], key: Callable[[T], tuple[str, ...]]
) -> dict[tuple[str, ...], list[T]]:
    """Items by key, keys sorted."""
    out: dict[tuple[str, ...], list[T]] = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return dict(sorted(out.items()))


def accuracy(answers: Sequence[MCQAnswer]) -> Proportion:
    """Share of answers right; a failed reply counts as wrong."""
    return proportion(sum(a.correct for a in answers), len(answers))


def logprob_accuracy(answers: Sequence[MCQAnswer]) -> Proportion | None:
    """Share right by the most likely of the four letters, over the answers that carry letter
    log-probabilities; None when no answer does."""
    scored = [a for a in answers if a.logprob_predicted is not None]
    if not scored:
        return None
    right = sum(a.logprob_predicted == LETTERS[a.answer_index] for a in scored)
    return proportion(right, len(scored))


def consistency(target: Sequence[MCQAnswer], english: Sequence[MCQAnswer]) -> Proportion:
    """Cross-lingual consistency: of the items a model got right in English, the share it also
    got right in the target language (items matched by model and id)."""
    right_in_english = {(a.model, a.item_id) for a in english if a.correct}
    both = sum(a.correct for a in target if (a.model, a.item_id) in right_in_english)
    matched = sum((a.model, a.item_id) in right_in_english for a in target)
    return proportion(both, matched)


def position_accuracy(answers: Sequence[MCQAnswer]) -> dict[str, Proportion]:
    """Accuracy by the position of the right answer (A-D): a model that favours one letter is
    right more often when the answer sits there."""
    return {
        letter: accuracy([a for a in answers if a.answer_index == i])
        for i, letter in enumerate(LETTERS)
    }


def predicted_share(answers: Sequence[MCQAnswer]) -> dict[str, Proportion]:
    """How often each letter was chosen, over the answers that gave one (uniform is 25% each)."""
    given = [a.predicted for a in answers if a.predicted is not None]
    return {letter: proportion(given.count(letter), len(given)) for letter in LETTERS}


def hallucination_rate(answers: Sequence[HallucinationAnswer]) -> Proportion:
    """Share of judged answers with at least one unsupported span (failures left out: they
    have no judgement)."""
    judged = [a for a in answers if a.failure is None]
    return proportion(sum(bool(a.spans) for a in judged), len(judged))


def hallucinated_token_share(answers: Sequence[HallucinationAnswer]) -> float:
    """Hallucinated tokens over all tokens of the judged answers (0 when there are none)."""
    judged = [a for a in answers if a.failure is None]
    tokens = sum(a.tokens for a in judged)
    return sum(a.hallucinated_tokens for a in judged) / tokens if tokens else 0.0


def token_counts(text: str, spans: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(tokens, hallucinated tokens) of a text: whitespace tokens, one hallucinated when it
    overlaps any [start, end) span. Whitespace tokens keep the share comparable across
    languages without a tokenizer per model."""
    ranges = list(spans)
    tokens = hallucinated = 0
    for match in _TOKEN.finditer(text):
        tokens += 1
        if any(start < match.end() and match.start() < end for start, end in ranges):
            hallucinated += 1
    return tokens, hallucinated
