"""The ChatClient protocol every generator depends on, and its request and reply types."""

import hashlib
import json
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import Field

from babelforge.schemas.base import Record
from babelforge.schemas.provenance import SamplingParams, Usage


class ChatMessage(Record):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatRequest(Record):
    """One chat request; `stage` and `language` only label accounting, not the cache key."""

    messages: tuple[ChatMessage, ...] = Field(min_length=1)
    sampling: SamplingParams = SamplingParams()
    json_schema: dict[str, Any] | None = None
    schema_name: str = "payload"
    top_logprobs: int | None = Field(default=None, ge=1, le=20)
    stage: str = ""
    language: str = ""

    def cache_key(self, model: str) -> str:
        """Hash of (model, messages, sampling parameters, schema): the SHA-256 of their JSON
        object, keys sorted, built piece by piece (no dict of dicts, no model_dump of
        the messages)."""
        messages = [{"content": m.content, "role": m.role} for m in self.messages]
        blob = (
            f'{{"messages": {_json(messages)}, "model": {_json(model)}, '
            f'"sampling": {_json(self.sampling.model_dump())}, '
            f'"schema": {_json(self.json_schema)}'
            + (f', "top_logprobs": {_json(self.top_logprobs)}' if self.top_logprobs else "")
            + "}"
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def _json(value: Any) -> str:
    """A part of the cache key's JSON (`json.dumps(value, sort_keys=True, ensure_ascii=False)`):
    that of a whole is the join of its parts'."""
    return _ENCODER.encode(value)


class TokenLogprob(Record):
    """One generated token, its log-probability and the most likely alternatives there."""

    token: str
    logprob: float
    top: dict[str, float] = {}


class ChatReply(Record):
    """The text of one completion with what it cost; `cached` when no request was sent."""

    text: str
    model: str
    backend: str
    usage: Usage
    generated_at: datetime
    finish_reason: str | None = None
    logprobs: tuple[TokenLogprob, ...] | None = None
    cached: bool = False


class ChatClient(Protocol):
    """Anything that answers chat requests: an HTTP endpoint, an offline engine, a cache."""

    @property
    def model(self) -> str: ...

    @property
    def backend(self) -> str: ...

    async def complete(self, request: ChatRequest) -> ChatReply: ...


def user_message(content: str, system: str | None = None) -> tuple[ChatMessage, ...]:
    """Return the messages of a single-turn request."""
    head = (ChatMessage(role="system", content=system),) if system else ()
    return (*head, ChatMessage(role="user", content=content))
