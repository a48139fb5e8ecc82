"""Build hallucination samples and candidates from tagged text for the validator tests."""

from babelforge.generators.hallucination.tags import parse_tags
from babelforge.schemas.records import HallucinationSample, Span, SpanType
from babelforge.validators.halluc_candidate import HallucinationCandidate


def candidate(
    tagged: str,
    language: str,
    *,
    expected: str | None = None,
    original: str | None = None,
) -> HallucinationCandidate:
    """A candidate as the injection or translation stage builds it."""
    parsed = parse_tags(tagged)
    sample = HallucinationSample(
        id="s1",
        language=language,
        text=parsed.text,
        spans=parsed.spans,
        method="translation" if expected is not None else "injection",
    )
    return HallucinationCandidate(
        id=sample.id,
        sample=sample,
        tagged=tagged,
        events=parsed.events,
        issues=tuple((i.reason, i.raw) for i in parsed.issues),
        expected_events=parse_tags(expected).events if expected is not None else None,
        original=original,
    )


def sample(text: str, language: str, spans: list[tuple[int, int]]) -> HallucinationSample:
    """A sample with entity spans at the given offsets, built without validation."""
    built = tuple(Span.model_construct(start=a, end=b, type=SpanType.ENTITY) for a, b in spans)
    return HallucinationSample.model_construct(
        id="s1", language=language, text=text, spans=built, method="injection", verdicts=()
    )
