"""Numbers: every number of the English question and options survives translation unchanged.

A changed year or amount makes a QA item wrong while leaving it fluent, in the right language
and of the right length, so the other filters miss it. Digits of any script count, and digit
runs are compared whatever the separators ('1,000' and '1.000' agree).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import numbers


def check_numbers(
    translated: Sequence[str], sources: Sequence[str], name: str = "numbers"
) -> Verdict:
    """Return the verdict comparing the multiset of numbers in sources and translations."""
    want = Counter(n for text in sources for n in numbers(text))
    got = Counter(n for text in translated for n in numbers(text))
    missing = want - got
    extra = got - want
    if missing or extra:
        detail = f"missing {sorted(missing.elements())}, unexpected {sorted(extra.elements())}"
        cause = "changed" if missing and extra else "missing" if missing else "added"
        return drop(name, cause, detail=detail)
    return keep(name, score=float(sum(want.values())))


@dataclass(frozen=True)
class NumbersValidator:
    """The numbers of the question and options are the same in the English and the translation.

    Reason codes: `numbers.changed` (some numbers missing and others unexpected),
    `numbers.missing` (a source number is absent), `numbers.added` (a number not in the
    source appears). Score on a keep: how many numbers were compared.
    """

    name: str = "numbers"

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        return check_numbers(
            (record.question, *record.options),
            (record.source_question, *record.source_options),
            self.name,
        )
