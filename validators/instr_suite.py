"""The instruction validators a config enables, in the order their reasons explain best.

A copied or empty field explains every other failure, so `instr_copy` comes first; the
first failing verdict is the reason a rejected record is counted under. Every verdict
stays on the record. Reason codes (config name -> codes):

- copy: `instr_copy.empty`, `instr_copy.untranslated`
- protected: `instr_protected.stray_marker`, `instr_protected.missing`,
  `instr_protected.duplicated`, `instr_protected.code_reordered`
- markdown: `instr_markdown.structure_changed`
- langid: `instr_langid.wrong_script`, `instr_langid.wrong_language`
- length: `instr_length.too_short`, `instr_length.too_long`
- roundtrip: `instr_roundtrip.missing`, `instr_roundtrip.low_chrf`

A record whose translation or back-translation failed is a `Failed` of its stage instead,
with the translator's reason (`llm.unparseable`, `llm.request_failed`, ...).
"""

from babelforge.schemas.instructions_config import InstructionValidatorSettings
from babelforge.validators.base import Validator
from babelforge.validators.instr_copy import InstructionCopyValidator
from babelforge.validators.instr_langid import InstructionLangidValidator
from babelforge.validators.instr_length import InstructionLengthValidator
from babelforge.validators.instr_markdown import MarkdownStructureValidator
from babelforge.validators.instr_protected import ProtectedSpanValidator
from babelforge.validators.instr_roundtrip import InstructionRoundTripValidator

ORDER = ("copy", "protected", "markdown", "langid", "length", "roundtrip")


def instruction_validators(settings: InstructionValidatorSettings) -> list[Validator]:
    """Build the enabled validators with their thresholds, in ORDER."""
    built: dict[str, Validator] = {
        "copy": InstructionCopyValidator(
            similarity=settings.copy_similarity, min_prose_chars=settings.min_prose_chars
        ),
        "protected": ProtectedSpanValidator(),
        "markdown": MarkdownStructureValidator(),
        "langid": InstructionLangidValidator(
            min_confidence=settings.langid_min_confidence, min_letters=settings.min_prose_chars
        ),
        "length": InstructionLengthValidator(
            overrides={s: (b.min_ratio, b.max_ratio) for s, b in settings.length_bounds.items()}
        ),
        "roundtrip": InstructionRoundTripValidator(threshold=settings.chrf_threshold),
    }
    return [built[name] for name in ORDER if name in settings.enabled]
