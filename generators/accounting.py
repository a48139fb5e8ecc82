"""Token and request accounting per stage and language."""

import threading
from collections import defaultdict

from babelforge.schemas.provenance import Usage


class Accounting:
    """Thread-safe running totals of usage keyed by (stage, language)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str], Usage] = defaultdict(Usage)
        self.retries = 0
        self.backoffs = 0

    def add(self, stage: str, language: str, usage: Usage) -> None:
        with self._lock:
            self._totals[(stage, language)] = self._totals[(stage, language)] + usage

    def total(self) -> Usage:
        with self._lock:
            return sum(self._totals.values(), Usage())

    def by_key(self) -> dict[tuple[str, str], Usage]:
        with self._lock:
            return dict(self._totals)
