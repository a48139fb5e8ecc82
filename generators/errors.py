"""Errors of the LLM layer and the generators."""

from babelforge.schemas.errors import BabelforgeError


class LLMError(BabelforgeError):
    """A request to an LLM endpoint failed for good (after the retries it was allowed)."""


class LLMUnavailableError(LLMError):
    """The endpoint could not be reached or started."""


class TransportError(LLMError):
    """A request failed on the way, after its retries: connection refused or dropped, a
    timeout, 5xx, 429 past the retry budget. The endpoint's fault, not the record's: the record
    fails with `llm.unavailable` and its shard is left uncommitted, so the next run asks again."""


UNAVAILABLE = "unavailable"


def failure_reason(error: LLMError) -> str:
    """The reason a record fails with when its request raised `error`."""
    return f"llm.{UNAVAILABLE}" if isinstance(error, TransportError) else "llm.request_failed"


def unavailable(reason: str | None) -> bool:
    """Whether a failure reason (`llm.unavailable`, `mqm_judge.unavailable`) is an outage."""
    return reason is not None and reason.rsplit(".", 1)[-1] == UNAVAILABLE


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


class EndpointDownError(EndpointError):
    """An endpoint's circuit breaker tripped (generators/breaker.py): its requests keep failing
    or it stopped answering. Raised for every request in flight there and every later one until
    the endpoint answers its health probe again; with one endpoint the run stops (exit 3,
    resumable), a pool of endpoints takes this one out and probes it back."""

    def __init__(self, endpoint: str, error: str) -> None:
        BabelforgeError.__init__(self, f"endpoint {endpoint}: {error}; the run is resumable")
        self.endpoint, self.error = endpoint, error
        self.fix = "bring the endpoint back, then rerun"


class OutageError(BabelforgeError):
    """Shards were left uncommitted because the endpoint failed their requests on the way
    (`llm.unavailable`): nothing is lost, the next run asks those records again."""

    exit_code = 3


class ModelPackError(BabelforgeError):
    """A model pack is missing, incomplete or does not match its pinned sha256."""


class MissingExtraError(BabelforgeError):
    """An optional dependency is not installed; the message names the extra."""
