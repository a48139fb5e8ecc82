"""Errors of the LLM layer and the generators."""

from babelforge.schemas.errors import BabelforgeError


class LLMError(BabelforgeError):
    """A request to an LLM endpoint failed for good (after the retries it was allowed)."""


class LLMUnavailableError(LLMError):
    """The endpoint could not be reached or started."""


class EndpointError(BabelforgeError):
    """The endpoint cannot serve this run at all (a wrong URL, model or key, a request shape it
    always refuses): retrying will not help, so the run stops, uncommitted, and resumes once
    fixed. Deliberately not an LLMError, so no generator turns it into a per-record failure."""

    exit_code = 3

    def __init__(self, endpoint: str, error: str, fix: str) -> None:
        self.endpoint = endpoint
        self.error = error
        self.fix = fix
        super().__init__(f"endpoint {endpoint}: {error}; fix: {fix} (then rerun: the run resumes)")


class ModelPackError(BabelforgeError):
    """A model pack is missing, incomplete or does not match its pinned sha256."""


class MissingExtraError(BabelforgeError):
    """An optional dependency is not installed; the message names the extra."""
