"""The recipe's figures per language: yield, reasons, and MITS-style round-trip scores."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from babelforge.schemas.outcome import ShardSummary
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.instr_corpus import corpus_roundtrip


def language_metrics(
    stages: Mapping[str, Sequence[ShardSummary]],
    back_translated: Iterable[InstructionCandidate],
    *,
    sample: set[str],
    accepted_ids: set[str],
) -> dict[str, object]:
    """Return one language's figures.

    `stages` maps the short stage names (`translate`, `backtranslate`, `validate`, `mits`,
    `taco`) to that language's shard summaries. Round-trip scores are computed over the
    sampled records (`all`, as MITS did, before filtering) and over the sampled records the
    validators accepted (`accepted`).
    """
    totals = {name: _totals(summaries) for name, summaries in stages.items()}
    reasons: Counter[str] = Counter()
    for summaries in stages.values():
        for summary in summaries:
            reasons.update(summary.reasons)
    records = int(totals.get("translate", {}).get("input", 0))
    accepted = int(totals.get("validate", {}).get("accepted", 0))
    in_sample = [c for c in back_translated if c.id in sample]
    return {
        "input": records,
        "accepted": accepted,
        "yield": round(accepted / records, 4) if records else 0.0,
        "mits_records": int(totals.get("mits", {}).get("accepted", 0)),
        "taco_records": int(totals.get("taco", {}).get("accepted", 0)),
        "reasons": dict(reasons.most_common()),
        "stages": totals,
        "roundtrip": {
            "all": corpus_roundtrip(in_sample).model_dump(),
            "accepted": corpus_roundtrip(c for c in in_sample if c.id in accepted_ids).model_dump(),
        },
    }


def _totals(summaries: Sequence[ShardSummary]) -> dict[str, int]:
    return {
        "input": sum(s.n_input for s in summaries),
        "accepted": sum(s.accepted for s in summaries),
        "rejected": sum(s.rejected for s in summaries),
        "failed": sum(s.failed for s in summaries),
    }
