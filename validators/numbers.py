"""Numbers: every number of the source survives translation, however the locale writes it.

A changed year or amount makes a record wrong while leaving it fluent, in the right
language and of the right length, so the other checks miss it. Numbers are compared as
values (validators/number_forms.py): "711,988" and "711 988", "56.2" and "56,2",
"1990s" and "90er Jahre", "3:08" and "3 min 8 s", "½" and "1/2", "१९९९" and "1999",
"thirty-two" and "32", "40 miles" and "64 km" agree; a small number alone on one side
("two" / "2") is a number written as a word, not a change. The numbers of all fields of a
record are compared as one multiset, since a translation may move a number from one clause
(or option) to another.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.number_forms import Mention, mentions
from babelforge.validators.number_words import close
from babelforge.validators.view import ItemView

# A number up to this may be written as a word on one side ("2" / "zwei", "a mile" /
# "1,6 km"): alone on one side it is no change; next to a number missing on the other side
# it is one.
MAX_WORDABLE = 12


def _agree(a: Mention, b: Mention) -> bool:
    return bool(a.values & b.values) or close(a.converted, b.values) or close(b.converted, a.values)


def _wordable(m: Mention) -> bool:
    return all(v <= MAX_WORDABLE for v in m.values)


def match(
    sources: tuple[Mention, ...], targets: tuple[Mention, ...]
) -> tuple[list[Mention], list[Mention]]:
    """Pair every source mention with a target mention it agrees with, digits before words;
    return the unmatched (source, target) mentions that count as a difference."""
    free = list(range(len(targets)))
    missing: list[Mention] = []
    for source in sorted(sources, key=lambda m: m.optional):
        hit = next((j for j in free if _agree(source, targets[j])), None)
        if hit is not None:
            free.remove(hit)
        elif not source.optional:
            missing.append(source)
    added = [targets[j] for j in free if not targets[j].optional]
    if not (missing and added):
        missing = [m for m in missing if not _wordable(m)]
        added = [m for m in added if not _wordable(m)]
    return missing, added


def _shown(found: list[Mention]) -> str:
    return "[" + ", ".join(repr(m.raw) for m in found[:6]) + "]"


@dataclass(frozen=True)
class NumbersCheck:
    """The numbers of the source fields and of their translations are the same values.

    Reason codes: `numbers.changed` (some numbers missing and others unexpected),
    `numbers.missing` (a source number is absent), `numbers.added` (a number not in the
    source appears). Score on a keep: how many numbers were compared.
    """

    view: Callable[[Any], ItemView]
    name: str = "numbers"

    def __call__(self, record: Any) -> Verdict:
        item = self.view(record)
        sources = tuple(m for f in item.fields if f.source for m in mentions(f.source))
        targets = tuple(m for f in item.fields if f.source for m in mentions(f.target))
        missing, added = match(sources, targets)
        if missing or added:
            detail = f"missing {_shown(missing)}, unexpected {_shown(added)}"
            cause = "changed" if missing and added else "missing" if missing else "added"
            return drop(self.name, cause, detail=detail)
        return keep(self.name, score=float(len(sources)))
