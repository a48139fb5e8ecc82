"""Config of the human gold check in Label Studio."""

from pydantic import Field

from schemas.base import Record


class GoldConfig(Record):
    """Which sample goes to Label Studio; the URL and key come from the environment."""

    project_prefix: str = "babelforge"
    per_stratum: int = Field(default=5, ge=1)
    url_env: str = "LABEL_STUDIO_URL"
    api_key_env: str = "LABEL_STUDIO_API_KEY"
