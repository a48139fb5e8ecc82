"""Errors of the LLM layer and the generators."""

from babelforge.schemas.errors import BabelforgeError


class LLMError(BabelforgeError):
    """A request to an LLM endpoint failed for good (after the retries it was allowed)."""


class LLMUnavailableError(LLMError):
    """The endpoint could not be reached or started."""


class MissingExtraError(BabelforgeError):
    """An optional dependency is not installed; the message names the extra."""
