"""FAVA tags: well formed, and for a translation, every source tag back in its order.

A translation protects each tag as a placeholder; a placeholder the model dropped, copied
twice or moved shows up as a different tag sequence. Markup the parser had to repair
(misspelled names, a missing bracket, a span closed with a second opening tag) is tolerated
and named in the verdict's detail; markup it had to throw away is not.
"""

import re
from collections import Counter
from dataclasses import dataclass

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.halluc_candidate import HallucinationCandidate

TOLERATED: frozenset[str] = frozenset(
    {"halluc_tags.misspelled", "halluc_tags.broken", "halluc_tags.closed_by_opening"}
)
_MARKER = re.compile(r"⟦\d+⟧")


@dataclass(frozen=True)
class TagsValidator:
    """The tags of the candidate's tagged text are balanced and, if expected, all survived.

    Reason codes: `halluc_tags.lost` (a source tag is missing), `halluc_tags.extra` (a tag
    not in the source appeared), `halluc_tags.reordered` (the same tags in another order),
    `halluc_tags.stray_marker` (a placeholder `⟦n⟧` the restore could not resolve);
    and the parser's codes for markup it could not repair: `halluc_tags.unclosed`,
    `halluc_tags.unopened`, `halluc_tags.mismatched`, `halluc_tags.nested`,
    `halluc_tags.empty`, `halluc_tags.unknown`. Score: share of expected tags found.
    """

    name: str = "halluc_tags"
    tolerated: frozenset[str] = TOLERATED

    def __call__(self, record: HallucinationCandidate) -> Verdict:
        expected, found = record.expected_events, record.events
        score = None
        stray = _MARKER.findall(record.tagged)
        if stray:
            return drop(self.name, "stray_marker", None, f"unresolved placeholders {stray}")
        if expected is not None:
            want, got = Counter(expected), Counter(found)
            score = sum((want & got).values()) / len(expected) if expected else 1.0
            if want - got:
                return drop(self.name, "lost", score, _describe("missing", want - got))
            if got - want:
                return drop(self.name, "extra", score, _describe("added", got - want))
            if expected != found:
                return drop(self.name, "reordered", score, f"got {' '.join(found)}")
        for reason, raw in record.issues:
            if reason not in self.tolerated:
                cause = reason.rsplit(".", 1)[-1]
                return drop(self.name, cause, score, f"{raw!r} in the tagged text")
        repaired = Counter(reason for reason, _ in record.issues if reason in self.tolerated)
        if not repaired:
            return keep(self.name, score, f"{len(found)} tags")
        return keep(self.name, score, f"{len(found)} tags, {_describe('repaired', repaired)}")


def _describe(what: str, tags: Counter[str]) -> str:
    return f"{what}: " + ", ".join(f"{tag} x{n}" for tag, n in sorted(tags.items()))
