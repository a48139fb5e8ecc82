"""How long an LLM request may take, and the endpoints a run spreads its requests over."""

from pydantic import Field

from babelforge.schemas.base import Record


class Timeouts(Record):
    """Per request attempt: `connect_s` to open the connection, `first_byte_s` until the reply
    starts (a non-streamed completion sends nothing before it is done), `total_s` for the whole
    attempt. A dead or hanging endpoint is given up on sooner: when no request has succeeded for
    `dead_after_s` and the endpoint's health probe (a GET of its base URL) gets no answer twice,
    it is down (generators/breaker.py); a slow server that answers its probe is waited for."""

    connect_s: float = Field(default=5.0, gt=0)
    first_byte_s: float = Field(default=120.0, gt=0)
    total_s: float = Field(default=300.0, gt=0)
    dead_after_s: float = Field(default=20.0, gt=0)


class EndpointConfig(Record):
    """One OpenAI-compatible server the run may send requests to."""

    base_url: str
    api_key_env: str | None = Field(
        default=None, description="name of the environment variable that holds its API key"
    )
    weight: float = Field(default=1.0, gt=0, description="share of the requests, relative")

    def budget(self, max_concurrency: int) -> int:
        """Requests in flight here at most: `llm.max_concurrency` x the weight."""
        return max(1, round(max_concurrency * self.weight))
