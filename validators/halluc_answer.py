"""Answers of the model under study: there must be one to measure."""

from dataclasses import dataclass

from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep


@dataclass(frozen=True)
class AnswerValidator:
    """The model under study gave a non-blank answer.

    Reason code: `halluc_answer.empty`. Score: the answer's length in characters.
    """

    name: str = "halluc_answer"

    def __call__(self, record: HallucinationSample) -> Verdict:
        if not record.text.strip():
            return drop(self.name, "empty", 0.0, "the model gave no answer")
        return keep(self.name, float(len(record.text)))
