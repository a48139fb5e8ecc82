"""The LLM judges a stage's suite gets, built on the stage's shared client."""

from babelforge.generators.client import ChatClient
from babelforge.generators.judges.build import RecipeName, build_judges
from babelforge.schemas.config import RunConfig
from babelforge.schemas.judge_config import JudgeSettings
from babelforge.validators.base import Check


def stage_judges(
    config: RunConfig,
    client: ChatClient | None,
    *,
    recipe: RecipeName,
    stage: str,
    settings: JudgeSettings | None,
) -> dict[str, Check]:
    """The judges `settings` names for the recipe, by name; none without a client or
    settings (the suite then raises ConfigError for a judge it names)."""
    if client is None or settings is None:
        return {}
    return dict(
        build_judges(
            settings,
            client,
            recipe=recipe,
            backend=config.llm.backend,
            source_language=config.source_language,
            parse_retries=config.llm.parse_retries,
            stage=stage,
        )
    )
