"""Figures of labeled hallucination data: spans per type and the share of text inside spans."""

from collections.abc import Iterable

from babelforge.schemas.records import HallucinationSample, SpanType


def span_figures(samples: Iterable[HallucinationSample]) -> dict[str, object]:
    """Return counts of samples and spans per FAVA type, and the share of characters in spans.

    `inside_share` is characters inside any span over all characters of all texts, so long
    texts weigh more; `samples_with_spans` counts texts that carry at least one label.
    """
    per_type = {t.value: 0 for t in SpanType}
    n = with_spans = text_chars = span_chars = 0
    for sample in samples:
        n += 1
        with_spans += bool(sample.spans)
        text_chars += len(sample.text)
        inside: set[int] = set()
        for span in sample.spans:
            kind = span.type.value if span.type else "untyped"
            per_type[kind] = per_type.get(kind, 0) + 1
            inside.update(range(span.start, span.end))
        span_chars += len(inside)
    return {
        "samples": n,
        "samples_with_spans": with_spans,
        "spans": sum(per_type.values()),
        "spans_per_type": per_type,
        "text_chars": text_chars,
        "span_chars": span_chars,
        "inside_share": round(span_chars / text_chars, 4) if text_chars else 0.0,
    }
