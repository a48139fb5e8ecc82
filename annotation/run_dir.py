"""What the gold check needs of a run directory; flows.store.RunStore provides it.

annotation/ sits below flows/ in the import order, so it names the run directory's methods
here instead of importing the store.
"""

from collections.abc import Iterator
from typing import Protocol, TypeVar

from pydantic import BaseModel

from babelforge.schemas.outcome import ShardSummary
from babelforge.schemas.verdict import Rejected

T = TypeVar("T", bound=BaseModel)


class RunDirectory(Protocol):
    """Read a run's stage records and write files into it atomically."""

    root: str

    def stages(self) -> list[str]: ...

    def summaries(self, stage: str | None = None) -> list[ShardSummary]: ...

    def languages(self, stage: str) -> list[str]: ...

    def accepted(self, stage: str, language: str, model: type[T]) -> Iterator[T]: ...

    def rejected(self, stage: str, language: str, model: type[T]) -> Iterator[Rejected[T]]: ...

    def exists(self, relative: str) -> bool: ...

    def read_text(self, relative: str) -> str: ...

    def write_text(self, relative: str, text: str) -> None: ...

    def write_json(self, relative: str, data: object) -> None: ...
