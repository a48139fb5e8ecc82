"""Aggregate answers into the summaries of the results file (pure: no I/O, no LLM)."""

from collections import Counter
from collections.abc import Sequence

from babelforge.generators.evaluate.stats import (
    accuracy,
    consistency,
    grouped,
    hallucinated_token_share,
    hallucination_rate,
    logprob_accuracy,
    position_accuracy,
    predicted_share,
)
from babelforge.schemas.evaluation import (
    HallucinationAnswer,
    HallucinationSummary,
    MCQAnswer,
    MCQSummary,
)


def mcq_summaries(answers: Sequence[MCQAnswer]) -> tuple[MCQSummary, ...]:
    """One summary per (model, config, split)."""
    out = []
    for (model, config, split), group in grouped(
        answers, lambda a: (a.model, a.config, a.split)
    ).items():
        target = [a for a in group if a.variant == "target"]
        english = [a for a in group if a.variant == "english"]
        out.append(
            MCQSummary(
                model=model,
                config=config,
                split=split,
                language=group[0].language,
                items=len(target),
                failed=sum(a.failure is not None for a in target),
                target=accuracy(target),
                english=accuracy(english) if english else None,
                target_logprob=logprob_accuracy(target),
                english_logprob=logprob_accuracy(english) if english else None,
                consistency=consistency(target, english) if english else None,
                by_type={
                    kind: accuracy(of_kind)
                    for (kind,), of_kind in grouped(target, lambda a: (a.question_type,)).items()
                },
                by_position=position_accuracy(target),
                predicted_share=predicted_share(target),
            )
        )
    return tuple(out)


def hallucination_summaries(
    answers: Sequence[HallucinationAnswer],
) -> tuple[HallucinationSummary, ...]:
    """One summary per (model, config, split)."""
    out = []
    for (model, config, split), group in grouped(
        answers, lambda a: (a.model, a.config, a.split)
    ).items():
        types = Counter(
            span.type.value if span.type else "untyped" for a in group for span in a.spans
        )
        out.append(
            HallucinationSummary(
                model=model,
                config=config,
                split=split,
                language=group[0].language,
                answers=len(group),
                failed=sum(a.failure is not None for a in group),
                rate=hallucination_rate(group),
                token_share=hallucinated_token_share(group),
                unmatched_spans=sum(a.unmatched_spans for a in group),
                by_type=dict(sorted(types.items())),
            )
        )
    return tuple(out)
