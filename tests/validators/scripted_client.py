"""A ChatClient that replies with scripted text or errors: for injecting LLM faults only."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from babelforge.generators.client import ChatReply, ChatRequest
from babelforge.generators.errors import LLMError
from babelforge.schemas.provenance import Usage


@dataclass
class ScriptedClient:
    """Answers every request with `reply`, or raises LLMError when `reply` is None."""

    reply: str | None
    requests: list[ChatRequest] = field(default_factory=list)

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def backend(self) -> str:
        return "scripted"

    async def complete(self, request: ChatRequest) -> ChatReply:
        self.requests.append(request)
        if self.reply is None:
            raise LLMError("endpoint down after 5 retries (scripted fault)")
        return ChatReply(
            text=self.reply,
            model=self.model,
            backend=self.backend,
            usage=Usage(prompt_tokens=10, completion_tokens=5, requests=1),
            generated_at=datetime.now(UTC),
        )
