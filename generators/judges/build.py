"""Build the LLM judges a recipe's config asks for, on the client the stage shares.

The suites take them as a mapping by name (`qa_judge`, `mqm_judge`); an empty mapping means
no judge runs. They run after every cheap check, on the records those kept.
"""

from collections.abc import Callable
from typing import Any, Literal

from babelforge.generators.client import ChatClient
from babelforge.generators.judges.mqm_judge import MQM_SAMPLING, MQMJudge
from babelforge.generators.judges.qa_judge import QAJudge
from babelforge.schemas.judge_config import JudgeName, JudgeSettings
from babelforge.validators.base import AsyncValidator
from babelforge.validators.view import ItemView
from babelforge.validators.views import halluc_text_view, instruction_view, mcq_view

RecipeName = Literal["syndarin", "instructions", "hallucination"]

# The judges each recipe has: the QA judge reads an MCQ item, the MQM judge any field view.
RECIPE_JUDGES: dict[RecipeName, tuple[JudgeName, ...]] = {
    "syndarin": ("qa_judge", "mqm_judge"),
    "instructions": ("mqm_judge",),
    "hallucination": ("mqm_judge",),
}

# The field view the MQM judge reads of each recipe's validated record.
RECIPE_VIEWS: dict[RecipeName, Callable[[Any], ItemView]] = {
    "syndarin": mcq_view,
    "instructions": instruction_view,
    "hallucination": halluc_text_view,
}


def judges_wanted(settings: JudgeSettings, backend: str) -> bool:
    """Whether judges run: `on`, or `auto` with any backend but the embedded model."""
    return settings.mode == "on" or (settings.mode == "auto" and backend != "embedded")


def build_judges(
    settings: JudgeSettings,
    client: ChatClient,
    *,
    recipe: RecipeName,
    backend: str,
    source_language: str = "en",
    parse_retries: int = 2,
    stage: str = "validate",
    view: Callable[[Any], ItemView] | None = None,
) -> dict[str, AsyncValidator]:
    """The judges of `recipe` that `settings` names, by name, in the recipe's order;
    empty when `judges_wanted` says no (so the suite runs the cheap checks only).

    `view` replaces the recipe's field view for the MQM judge (a record type of your own).
    """
    if not judges_wanted(settings, backend):
        return {}
    built: dict[str, AsyncValidator] = {}
    for name in RECIPE_JUDGES[recipe]:
        if name not in settings.names:
            continue
        if name == "qa_judge":
            built[name] = QAJudge(
                client,
                parse_retries=parse_retries,
                max_paragraph_chars=settings.max_paragraph_chars,
                stage=stage,
            )
        else:
            built[name] = MQMJudge(
                client,
                view or RECIPE_VIEWS[recipe],
                min_score=settings.mqm_min_score,
                source_language=source_language,
                sampling=MQM_SAMPLING.model_copy(update={"max_tokens": settings.max_tokens}),
                parse_retries=parse_retries,
                stage=stage,
            )
    return built
