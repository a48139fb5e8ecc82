"""Config of the export to the Hugging Face layout and of run tracking in Comet ML."""

from typing import Literal

from pydantic import Field

from babelforge.schemas.base import Record


class ExportConfig(Record):
    """Where the Hub-layout dataset goes, how it is split and described, and where it is pushed.

    `folder` is relative to the run directory unless it is absolute or a URL. The Hub token is
    read from the environment variable named by `token_env`, never from the file.
    """

    enabled: bool = True
    folder: str = "export"
    repo_id: str | None = Field(default=None, description="owner/name on the Hugging Face Hub")
    push: bool = Field(default=False, description="push to `repo_id` at the end of every run")
    license: str = "cc-by-sa-4.0"
    private: bool = True
    pretty_name: str | None = None
    test_fraction: float = Field(
        default=0.1, ge=0.0, lt=1.0, description="share of each config's records in `test`"
    )
    token_env: str = "HF_TOKEN"


class TrackingConfig(Record):
    """Comet ML tracking: offline archives in the run directory unless the API key is set.

    `mode: auto` goes online exactly when the variable named by `api_key_env` is set.
    """

    enabled: bool = True
    project_name: str = "babelforge"
    workspace: str | None = None
    mode: Literal["auto", "offline", "online"] = "auto"
    sample_rows: int = Field(
        default=20, ge=0, description="accepted and rejected records per stage and language"
    )
    folder: str = Field(default="comet", description="offline archives, inside the run directory")
    api_key_env: str = "COMET_API_KEY"
