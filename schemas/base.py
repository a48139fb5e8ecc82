"""The base model of every record: frozen, no extra fields, and a stable content hash."""

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """A frozen record that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def stable_id(prefix: str, *parts: Any) -> str:
    """Return a deterministic id `prefix-<16 hex>` for the given parts (JSON-serialised)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return f"{prefix}-{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:16]}"
