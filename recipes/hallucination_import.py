"""The hallucination recipe's import stage: labeled Mu-SHROOM files read as stored samples.

Mu-SHROOM (`lang, model_input, model_output_text, hard_labels, soft_labels`) is the format
multilingual hallucination detectors train and test on; its spans carry no FAVA type. The
stage reads `hallucination.mushroom_paths` for each language of the run, keeps every sample as
`method: imported` with its untyped spans and soft labels, and applies the span check that
makes sense without types (offsets inside the text, not blank, not overlapping; a sample
without a span is a correct answer and is kept). No LLM is involved, so the stage runs with
every other stage switched off (`stages: []`).
"""

from collections.abc import Iterator, Sequence

from babelforge.generators.client import ChatClient
from babelforge.generators.hallucination.mushroom import read_mushroom
from babelforge.recipes.stage import Stage
from babelforge.schemas.config import RunConfig
from babelforge.schemas.errors import InputError
from babelforge.schemas.records import HallucinationSample
from babelforge.validators.base import AnyValidator
from babelforge.validators.spans import SpansValidator

IMPORT = "hallucination.import"


def _paths(config: RunConfig, language: str) -> tuple[str, ...]:
    section = config.hallucination
    return section.mushroom_paths.get(language, ()) if section is not None else ()


def imported(config: RunConfig, language: str) -> Iterator[HallucinationSample]:
    """The Mu-SHROOM samples listed for `language`, in file order. A record whose `lang` is
    another language raises InputError (listing it elsewhere would drop or mislabel it)."""
    for path in _paths(config, language):
        for sample in read_mushroom([path]):
            if sample.language != language:
                raise InputError(
                    f"{path}: record {sample.id} has lang '{sample.language}' but the file is "
                    f"listed under hallucination.mushroom_paths.{language}; list the file "
                    f"under its language"
                )
            yield sample


def importing(config: RunConfig, language: str) -> bool:
    """The stage runs for a language with Mu-SHROOM files listed."""
    return bool(_paths(config, language))


def import_checks(config: RunConfig, client: ChatClient | None) -> Sequence[AnyValidator]:
    """Untyped spans: inside the text, not blank, not overlapping; none is fine."""
    return (SpansValidator(require_spans=False),)


IMPORT_STAGE = Stage(
    name=IMPORT,
    reads=imported,
    output=HallucinationSample,
    checks=import_checks,
    enabled=importing,
)
