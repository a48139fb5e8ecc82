"""Config of the export to the Hugging Face layout and of run tracking in Comet ML."""

from typing import Literal

from pydantic import Field

from schemas.base import Record


class ExportConfig(Record):
    """Where the Hub-layout dataset goes and how it is described."""

    folder: str = "export"
    repo_id: str | None = None
    license: str = "cc-by-sa-4.0"
    private: bool = True


class TrackingConfig(Record):
    """Comet ML tracking: offline archives in the run directory unless COMET_API_KEY is set."""

    enabled: bool = True
    project_name: str = "babelforge"
    mode: Literal["auto", "offline", "online"] = "auto"
    sample_rows: int = Field(default=20, ge=0)
