"""Round-trip chrF per record: the back-translation must stay close to the English.

The round-trip stage puts every translated field back into English with the same
translator; this filter scores the back-translated prose against the English prose with
sacrebleu chrF, pooling the fields of a record as one small corpus (short instructions do
not swing the score). Protected spans are left out on both sides: they are copied
verbatim both ways and would lift the score of a record that is mostly code.
"""

from dataclasses import dataclass

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.instr_candidate import FIELDS, InstructionCandidate, prose
from babelforge.validators.roundtrip_chrf import roundtrip_chrf


def record_chrf(record: InstructionCandidate) -> float | None:
    """Return the pooled prose chrF of the back-translation, or None with no prose to score."""
    assert record.back_translation is not None
    hyps, refs = [], []
    for field in FIELDS:
        spans = record.spans(field)
        ref = prose(getattr(record.source, field), spans).strip()
        if ref:
            refs.append(ref)
            hyps.append(prose(getattr(record.back_translation, field), spans).strip())
    return roundtrip_chrf(hyps, refs) if refs else None


@dataclass(frozen=True)
class InstructionRoundTripValidator:
    """chrF (0-100) of the back-translated record against the English is at least `threshold`.

    Reason codes: `instr_roundtrip.missing` (the record has no back-translation),
    `instr_roundtrip.low_chrf` (below `threshold`). Score: the chrF.
    """

    threshold: float = 25.0
    name: str = "instr_roundtrip"

    def __call__(self, record: InstructionCandidate) -> Verdict:
        if record.back_translation is None:
            return drop(self.name, "missing", detail="no back-translation was made")
        score = record_chrf(record)
        if score is None:
            return keep(self.name, detail="no prose to score")
        if score < self.threshold:
            return drop(self.name, "low_chrf", score, f"chrF {score:.1f} < {self.threshold}")
        return keep(self.name, score)
