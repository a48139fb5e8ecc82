"""Thresholds of the translation checks every recipe shares (validators/ reads them).

Each recipe's validator settings extend `TranslationCheckSettings` with its own `enabled`
list and its recipe-specific thresholds; a check's threshold has one name everywhere.
"""

from pydantic import Field, model_validator

from babelforge.schemas.base import Record


class LengthBounds(Record):
    """Accepted range of translated/source character ratio for one script."""

    min_ratio: float = Field(gt=0)
    max_ratio: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "LengthBounds":
        if self.max_ratio <= self.min_ratio:
            raise ValueError(f"max_ratio {self.max_ratio} must exceed min_ratio {self.min_ratio}")
        return self


class TranslationCheckSettings(Record):
    """Thresholds of langid, length_ratio, roundtrip_chrf, copy and near_duplicate."""

    langid_min_confidence: float = Field(
        default=0.7, ge=0, le=1, description="another language named this confidently drops"
    )
    langid_min_letters: int = Field(
        default=12, ge=0, description="letters the record's texts together need to be judged"
    )
    langid_min_field_letters: int = Field(
        default=20, ge=0, description="letters one text needs to be judged alone"
    )
    script_min_share: float = Field(default=0.6, ge=0, le=1)
    chrf_threshold: float = Field(
        default=30.0, ge=0, le=100, description="minimum round-trip chrF of a record's prose"
    )
    min_length_ratio: float = Field(default=0.5, gt=0, description="scripts without own bounds")
    max_length_ratio: float = Field(default=2.0, gt=0, description="scripts without own bounds")
    length_bounds: dict[str, LengthBounds] = Field(
        default={},
        description="per ISO 15924 script (e.g. 'Hani'), overrides the built-in ratio bounds",
    )
    min_source_chars: int = Field(
        default=20, ge=1, description="shorter source fields are pooled by length_ratio"
    )
    copy_similarity: float = Field(
        default=90.0, ge=0, le=100, description="prose this similar to the source is a copy"
    )
    min_prose_chars: int = Field(
        default=12, ge=1, description="shorter prose is not compared with its source by copy"
    )
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    near_duplicate_num_perm: int = Field(default=128, ge=16)
