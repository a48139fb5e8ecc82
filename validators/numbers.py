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

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.number_forms import Mention, mentions
from babelforge.validators.number_words import close
from babelforge.validators.script import normalize_language
from babelforge.validators.view import ItemView

# A number up to this may be written as a word on one side ("2" / "zwei", "a mile" /
# "1,6 km"): alone on one side it is no change; next to a number missing on the other side
# it is one.
MAX_WORDABLE = 12
# What a number written in digits starts with: a digit of any script, or a vulgar fraction.
_DIGITS = re.compile(r"[\d\u00bc-\u00be\u2150-\u215e]")


def _agree(a: Mention, b: Mention) -> bool:
    if not a.values.isdisjoint(b.values):
        return True
    return bool(a.converted and close(a.converted, b.values)) or bool(
        b.converted and close(b.converted, a.values)
    )


def _wordable(m: Mention) -> bool:
    """A number the other side may write as a word ("a mile" / "1,6 km"): small, or small
    as written beside a scaled or afternoon reading ("2 million" / "dos millones", "2pm" /
    "las dos de la tarde")."""
    small = [v for v in m.values if v <= MAX_WORDABLE]
    return len(small) == len(m.values) or any(v.denominator == 1 for v in small)


def match(
    sources: tuple[Mention, ...], targets: tuple[Mention, ...]
) -> tuple[list[Mention], list[Mention]]:
    """Pair as many source mentions as possible with target mentions they agree with
    (a maximum matching, digits before words: "1 to 2 inches" / "2 y 5 cm" pairs 1 with
    2 and 2 with 5; "Twenty per cent ... 20,000" / "20 % ... 20 000" pairs 20,000 with
    20 000 although it may read 20); return the unmatched (source, target) mentions that
    count as a difference."""
    order = sorted(range(len(sources)), key=lambda i: sources[i].optional)
    agreeing = [[j for j, t in enumerate(targets) if _agree(s, t)] for s in sources]
    owner: dict[int, int] = {}  # target -> the source it is paired with

    def pair(i: int, seen: set[int]) -> bool:  # an augmenting path from source i
        for j in agreeing[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or pair(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in order:
        pair(i, set())
    paired = set(owner.values())
    missing = [sources[i] for i in order if i not in paired and not sources[i].optional]
    free = [j for j in range(len(targets)) if j not in owner]
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
    source appears). Score on a keep: how many source numbers were compared (0 when no
    field writes a number in digits: numbers in words alone never drop a record).
    """

    view: Callable[[Any], ItemView]
    name: str = "numbers"

    def __call__(self, record: Any) -> Verdict:
        item = self.view(record)
        pairs = [(f.source, f.target) for f in item.fields if f.source]
        if not any(_DIGITS.search(s) or _DIGITS.search(t) for s, t in pairs):
            return keep(self.name, score=0.0)  # numbers in words only: none can differ
        english = normalize_language(item.language) == "en"
        sources = tuple(m for s, _ in pairs for m in mentions(s))
        targets = tuple(m for _, t in pairs for m in mentions(t, english))
        missing, added = match(sources, targets)
        if missing or added:
            detail = f"missing {_shown(missing)}, unexpected {_shown(added)}"
            cause = "changed" if missing and added else "missing" if missing else "added"
            return drop(self.name, cause, detail=detail)
        return keep(self.name, score=float(len(sources)))
