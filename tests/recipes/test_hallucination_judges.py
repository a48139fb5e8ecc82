"""The hallucination recipe's translate stage gets the MQM judge, which reads the translation
beside its clean source text, and runs it after the cheap checks with the one runner."""

from collections.abc import Sequence

import pytest

from babelforge.generators.hallucination.translate_tagged import TaggedSource, translate_tagged
from babelforge.generators.judges.build import build_judges
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.translate import Translation
from babelforge.schemas.hallucination_config import HallucinationValidatorSettings
from babelforge.schemas.judge_config import JudgeSettings
from babelforge.schemas.records import HallucinationSample
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.suites import halluc_translate_suite
from babelforge.validators.views import halluc_text_view

SOURCE = TaggedSource(
    id="fava-oak",
    language="en",
    tagged="The oak was planted in <entity>1850</entity> near the river.",
)


def test_a_translation_candidate_is_viewed_beside_its_clean_source_text() -> None:
    sample = HallucinationSample(
        id="htr-1",
        language="de",
        text="Die Eiche wurde 1850 am Fluss gepflanzt.",
        method="translation",
    )
    candidate = HallucinationCandidate(
        id="htr-1",
        sample=sample,
        tagged="Die Eiche wurde <entity>1850</entity> am Fluss gepflanzt.",
        source_text="The oak was planted in 1850 near the river.",
    )
    (field,) = halluc_text_view(candidate).fields
    assert (field.source, field.target) == (
        "The oak was planted in 1850 near the river.",
        "Die Eiche wurde 1850 am Fluss gepflanzt.",
    )
    (stored,) = halluc_text_view(sample).fields
    assert stored.source == ""


class HumanTranslator:
    """A translator that returns a human translation the user already has (the Translator
    protocol's non-LLM side): the stage's translation is fixed, so the test is about the
    judge, which the real model runs."""

    name = "human"
    prompt_version = None

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, stage: str = ""
    ) -> list[Translation]:
        german = "Die Eiche wurde <entity>1850</entity> am Fluss gepflanzt."
        return [Translation(source=text, text=german) for text in texts]


@pytest.mark.slow
async def test_the_translate_stage_runs_the_mqm_judge_on_the_translation(
    real_client: OpenAICompatibleClient,
) -> None:
    settings = HallucinationValidatorSettings(judges=JudgeSettings(mode="on"))
    judges = build_judges(
        settings.judges, real_client, recipe="hallucination", backend="embedded", stage="t"
    )
    suite = halluc_translate_suite(settings, judges)
    assert [c.name for c in suite][-1] == "mqm_judge"
    outcome = await translate_tagged(HumanTranslator(), [SOURCE], "de", suite)
    assert outcome.n_input == 1 and not outcome.failed, outcome.failed
    (sample,) = [*outcome.accepted, *(r.record for r in outcome.rejected)]
    cheap = [v for v in sample.verdicts if v.validator != "mqm_judge"]
    assert cheap and all(v.keep for v in cheap)
    (verdict,) = [v for v in sample.verdicts if v.validator == "mqm_judge"]
    assert verdict.score is not None and -25.0 <= verdict.score <= 0.0
