"""The options of a translated MCQ: four, none empty, all distinct, one of them correct.

Translation can collapse two English distractors into the same target word, which leaves two
correct options or an ambiguous item; this filter catches that.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from babelforge.schemas.records import MCQItem, TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import normalize

N_OPTIONS = 4


def check_options(options: Sequence[str], answer_index: int, name: str = "options") -> Verdict:
    """Return the verdict on a list of options and the index of the correct one."""
    if len(options) != N_OPTIONS:
        return drop(name, "wrong_count", detail=f"{len(options)} options, expected {N_OPTIONS}")
    if not 0 <= answer_index < len(options):
        return drop(name, "bad_answer_index", detail=f"answer index {answer_index}")
    normalized = [normalize(o) for o in options]
    empty = [i for i, o in enumerate(normalized) if not o]
    if empty:
        return drop(name, "empty", detail=f"empty option(s) {empty}")
    first_seen: dict[str, int] = {}
    for i, o in enumerate(normalized):
        if o in first_seen:
            return drop(name, "duplicate", detail=f"options {first_seen[o]} and {i} are the same")
        first_seen[o] = i
    return keep(name)


@dataclass(frozen=True)
class OptionsValidator:
    """Exactly 4 options, none empty, distinct after case/space normalisation, one correct;
    works on English MCQ items as on translated ones.

    Reason codes: `options.wrong_count`, `options.bad_answer_index`, `options.empty`,
    `options.duplicate`.
    """

    name: str = "options"

    def __call__(self, record: TranslatedMCQ | MCQItem) -> Verdict:
        return check_options(record.options, record.answer_index, self.name)
