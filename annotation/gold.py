"""The gold split: each annotated record with every person's labels and their consensus."""

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import TypeVar

from babelforge.annotation.items import Item
from babelforge.annotation.kinds import GoldSubject
from babelforge.annotation.labels import HumanLabel
from babelforge.schemas.base import Record
from babelforge.schemas.gold_config import GoldKind
from babelforge.schemas.records import HallucinationSample, Span, SpanType
from babelforge.schemas.verdict import Verdict

H = TypeVar("H", bound=Hashable)


class GoldRecord(Record):
    """A record people checked: the automatic verdict next to the human one.

    `human_keep` is the majority decision (None on a tie); `spans` (hallucination samples)
    are the character spans a strict majority of annotators gave the same type; `weight` is
    how many records of the run the sampled record stands for (its stratum's size / sample).
    """

    id: str
    kind: GoldKind
    language: str
    stage: str
    task_id: int
    automatic_keep: bool
    verdicts: tuple[Verdict, ...] = ()
    labels: tuple[HumanLabel, ...]
    human_keep: bool | None
    spans: tuple[Span, ...] | None = None
    weight: float = 1.0
    record: GoldSubject


def majority(values: Sequence[H | None]) -> H | None:
    """The most frequent non-None value, or None when there is none or a tie for first."""
    counts = Counter(v for v in values if v is not None).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def consensus_spans(text: str, label_sets: Sequence[Sequence[Span]]) -> tuple[Span, ...]:
    """Spans where more than half of the annotators gave each character the same type."""
    if not label_sets:
        return ()
    votes: list[Counter[SpanType]] = [Counter() for _ in text]
    for spans in label_sets:
        for span in spans:
            for i in range(span.start, min(span.end, len(text))):
                votes[i][span.type or SpanType.UNVERIFIABLE] += 1  # as shown in Label Studio
    need = len(label_sets) // 2 + 1
    chars = [next((t for t, n in v.items() if n >= need), None) for v in votes]
    out: list[Span] = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or chars[i] != chars[start]:
            kind = chars[start]
            if kind is not None:
                out.append(Span(start=start, end=i, type=kind))
            start = i
    return tuple(out)


def gold_record(
    item: Item, task_id: int, labels: Sequence[HumanLabel], weight: float
) -> GoldRecord:
    """Combine a record, its automatic verdict and its human labels into a gold record."""
    spans = None
    if isinstance(item.record, HallucinationSample):
        spans = consensus_spans(item.record.text, [label.spans for label in labels])
    return GoldRecord(
        id=item.id,
        kind=item.kind,
        language=item.language,
        stage=item.stage,
        task_id=task_id,
        automatic_keep=item.keep,
        verdicts=item.verdicts,
        labels=tuple(sorted(labels, key=lambda label: label.annotation_id)),
        human_keep=majority([label.keep for label in labels]),
        spans=spans,
        weight=weight,
        record=item.record,
    )
