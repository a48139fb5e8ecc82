"""Config of the human gold check in Label Studio."""

from typing import Literal

from pydantic import Field, SecretStr

from babelforge.schemas.base import Record
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.secrets import remember

GoldKind = Literal["mcq", "instruction", "hallucination"]


class GoldConfig(Record):
    """Which sample goes to Label Studio and how; the URL and key come from the environment.

    `stages` maps each record kind to the stages (glob patterns) whose accepted and rejected
    records carry the final automatic verdicts; a stage missing from the run is skipped.
    Unset, each recipe's declared gold stages are used (recipes/*.py, `gold_stages`).
    """

    project_prefix: str = Field(default="babelforge", min_length=1, max_length=30)
    per_stratum: int = Field(default=5, ge=1)
    stages: dict[GoldKind, tuple[str, ...]] | None = None
    languages: tuple[LanguageCode, ...] | None = None
    seed: int = 0
    annotators_per_task: int = Field(default=2, ge=1, le=20)
    show_predictions: bool = Field(
        default=True, description="pre-fill the annotator's form with the validators' verdicts"
    )
    batch_size: int = Field(default=100, ge=1, le=10_000)
    timeout_s: float = Field(default=30.0, gt=0)
    retries: int = Field(default=3, ge=0)
    retry_delay_s: float = Field(default=30.0, ge=0)
    url_env: str = "LABEL_STUDIO_URL"
    api_key_env: str = "LABEL_STUDIO_API_KEY"

    def url(self, environ: dict[str, str]) -> str | None:
        """The server URL from the environment, without a trailing slash."""
        value = environ.get(self.url_env, "").strip()
        return value.rstrip("/") or None

    def api_key(self, environ: dict[str, str]) -> SecretStr | None:
        """The API key from the environment, never from the file."""
        value = environ.get(self.api_key_env, "").strip()
        remember(value)
        return SecretStr(value) if value else None
