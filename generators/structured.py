"""Ask for a pydantic payload: native structured output, then always parse and validate."""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from babelforge.generators.client import ChatClient, ChatMessage, ChatReply, ChatRequest
from babelforge.generators.errors import LLMError, failure_reason
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.verdict import Failed

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A reply that parsed into the payload type."""

    payload: T
    reply: ChatReply
    attempts: int


@dataclass(frozen=True)
class Unparsed:
    """A request that produced no valid payload; `raw_text` keeps the last reply as it came."""

    reason: str
    error: str
    raw_text: str | None
    attempts: int
    reply: ChatReply | None = None

    def failed(self, stage: str, input_id: str) -> Failed:
        """This outcome as the stage's accounted failure, raw text kept."""
        return Failed(
            stage=stage,
            input_id=input_id,
            reason=self.reason,
            error=self.error,
            raw_text=self.raw_text,
        )


async def ask_structured(
    client: ChatClient,
    messages: tuple[ChatMessage, ...],
    payload_type: type[T],
    *,
    sampling: SamplingParams,
    parse_retries: int = 2,
    stage: str = "",
    language: str = "",
    top_logprobs: int | None = None,
) -> Parsed[T] | Unparsed:
    """Return the parsed payload or an Unparsed outcome; never raises for a bad reply.

    A reply that does not parse is asked again with the next seed (a new cache key, so a
    resumed run replays the same sequence), at most `parse_retries` more times.
    """
    schema = json_schema(payload_type)
    last: Unparsed | None = None
    for attempt in range(parse_retries + 1):
        seed = None if sampling.seed is None else sampling.seed + attempt
        request = ChatRequest(
            messages=messages,
            sampling=sampling.model_copy(update={"seed": seed}),
            json_schema=schema,
            schema_name=payload_type.__name__,
            top_logprobs=top_logprobs,
            stage=stage,
            language=language,
        )
        try:
            reply = await client.complete(request)
        except LLMError as e:
            return Unparsed(failure_reason(e), str(e), None, attempt + 1)
        try:
            return Parsed(parse_payload(reply.text, payload_type), reply, attempt + 1)
        except ValueError as e:
            last = Unparsed("llm.unparseable", str(e), reply.text, attempt + 1, reply)
    assert last is not None
    return last


@lru_cache(maxsize=128)
def json_schema(payload_type: type[BaseModel]) -> dict[str, Any]:
    """The payload's JSON schema, built once per type (pydantic builds it anew on every call,
    ~0.2 ms of CPU per request). Callers must not mutate it."""
    return payload_type.model_json_schema()


def parse_payload(text: str, payload_type: type[T]) -> T:
    """Parse JSON (bare, fenced, or the outermost object in prose) into `payload_type`."""
    for candidate in _candidates(text):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        try:
            return payload_type.model_validate(data)
        except ValidationError as e:
            raise ValueError(f"reply JSON does not fit {payload_type.__name__}: {e}") from e
    raise ValueError(f"reply is not JSON ({len(text)} chars)")


def _candidates(text: str) -> list[str]:
    out = [text.strip()]
    out += [m.strip() for m in _FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        out.append(text[start : end + 1])
    return out
