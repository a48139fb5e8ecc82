"""The two records an accepted translation yields: MITS (translated) and TaCo (chain of thought).

TaCo (Upadhayay & Behzadan) keeps the target-language instruction and input, and teaches
the model to answer through English: the output restates the instruction in English,
answers in English, then answers in the target language.
"""

from babelforge.schemas.base import stable_id
from babelforge.schemas.languages import language_name
from babelforge.schemas.records import InstructionRecord, TacoRecord
from babelforge.validators.instr_candidate import InstructionCandidate


def taco_output(
    english_instruction: str, english_response: str, response: str, language: str
) -> str:
    """Return `Instruction in English: …\\nResponse in English: …\\nResponse in <Lang>: …`."""
    return (
        f"Instruction in English: {english_instruction}\n"
        f"Response in English: {english_response}\n"
        f"Response in {language_name(language)}: {response}"
    )


def mits_record(candidate: InstructionCandidate) -> InstructionRecord:
    """The translated record as kept, carrying every validator's verdict."""
    return candidate.translation.model_copy(update={"verdicts": candidate.verdicts})


def taco_record(candidate: InstructionCandidate) -> TacoRecord:
    """The TaCo record of an accepted translation."""
    english, translated = candidate.source, candidate.translation
    return TacoRecord(
        id=stable_id("taco", translated.id),
        language=translated.language,
        instruction=translated.instruction,
        input=translated.input,
        output=taco_output(
            english.instruction, english.output, translated.output, translated.language
        ),
        source_id=english.id,
        provenance=translated.provenance,
    )
