"""Config of the MITS/TaCo instruction recipe."""

from typing import Literal

from pydantic import Field

from schemas.base import Record


class InstructionsConfig(Record):
    """Translate instruction sets (Alpaca, Dolly, ShareGPT shapes) and build TaCo records."""

    input_paths: tuple[str, ...] = Field(min_length=1)
    shape: Literal["auto", "alpaca", "dolly", "sharegpt"] = "auto"
    max_records: int | None = Field(default=None, ge=1)
