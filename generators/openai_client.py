"""OpenAI-compatible async adapter: OpenAI, a vLLM server, a llama.cpp server (via base_url)."""

import asyncio
import json
import logging
import random
from datetime import UTC, datetime
from typing import Any, Literal

import openai
from pydantic import SecretStr

from babelforge.generators.accounting import Accounting
from babelforge.generators.client import ChatReply, ChatRequest
from babelforge.generators.errors import LLMError
from babelforge.generators.limiter import AdaptiveLimiter
from babelforge.schemas.provenance import Usage

log = logging.getLogger(__name__)

StructuredWire = Literal["json_schema", "json_object", "none"]
_OVERLOAD = {429, 503}
_MAX_PAUSE_S = 30.0


class OpenAICompatibleClient:
    """Chat completions over HTTP with bounded adaptive concurrency, retries and timeouts.

    Transient failures (429, 5xx, timeouts, dropped connections, unparseable HTTP bodies) are
    retried `max_retries` times with jittered exponential backoff, honouring Retry-After;
    other 4xx errors raise LLMError at once.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: SecretStr | None = None,
        backend: str = "openai",
        structured: StructuredWire = "json_schema",
        max_concurrency: int = 4,
        timeout_s: float = 120.0,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        accounting: Accounting | None = None,
    ) -> None:
        self._model = model
        self._backend = backend
        self._structured = structured
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self.limiter = AdaptiveLimiter(max_concurrency)
        self.accounting = accounting or Accounting()
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key.get_secret_value() if api_key else "not-needed",
            max_retries=0,
            timeout=timeout_s,
        )

    @property
    def model(self) -> str:
        return self._model

    @property
    def backend(self) -> str:
        return self._backend

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, request: ChatRequest) -> ChatReply:
        last_error = "no attempt"
        for attempt in range(self._max_retries + 1):
            async with self.limiter:
                try:
                    response = await self._client.chat.completions.create(
                        **self._arguments(request)
                    )
                    reply = self._reply(response)
                except openai.APIStatusError as e:
                    if e.status_code not in _OVERLOAD and e.status_code < 500:
                        raise LLMError(
                            f"{self._backend} at {self._client.base_url} refused the request "
                            f"({e.status_code}): {_short(e.message)}"
                        ) from e
                    last_error = f"HTTP {e.status_code}: {_short(e.message)}"
                    pause = self._pause(attempt, e.response)
                    if e.status_code in _OVERLOAD:
                        self.limiter.overloaded(pause)
                except (openai.APITimeoutError, openai.APIConnectionError) as e:
                    last_error = f"{type(e).__name__}: {e}"
                    pause = self._pause(attempt, None)
                except (json.JSONDecodeError, openai.APIResponseValidationError, ValueError) as e:
                    last_error = f"malformed response body: {_short(str(e))}"
                    pause = self._pause(attempt, None)
                else:
                    self.limiter.succeeded()
                    self.accounting.add(request.stage, request.language, reply.usage)
                    return reply
            self.accounting.retries += 1
            log.info("retrying %s request in %.2fs after %s", self._backend, pause, last_error)
            await asyncio.sleep(pause)
        raise LLMError(
            f"{self._backend} at {self._client.base_url} failed {self._max_retries + 1} times; "
            f"last error: {last_error}"
        )

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        s = request.sampling
        args: dict[str, Any] = {
            "model": self._model,
            "messages": [m.model_dump() for m in request.messages],
            "temperature": s.temperature,
            "top_p": s.top_p,
            "max_tokens": s.max_tokens,
            "timeout": self._timeout_s,
        }
        if s.seed is not None:
            args["seed"] = s.seed
        if request.json_schema is not None and self._structured == "json_schema":
            args["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema},
            }
        elif request.json_schema is not None and self._structured == "json_object":
            args["response_format"] = {"type": "json_object", "schema": request.json_schema}
        return args

    def _reply(self, response: Any) -> ChatReply:
        if not getattr(response, "choices", None):
            raise ValueError(f"no choices in the response: {_short(str(response))}")
        choice = response.choices[0]
        usage = response.usage
        return ChatReply(
            text=choice.message.content or "",
            model=self._model,
            backend=self._backend,
            usage=Usage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                requests=1,
            ),
            generated_at=datetime.now(UTC),
            finish_reason=choice.finish_reason,
        )

    def _pause(self, attempt: int, response: Any) -> float:
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after is not None:
            try:
                return min(float(retry_after), _MAX_PAUSE_S)
            except ValueError:
                pass
        ceiling = min(self._backoff_base_s * 2**attempt, _MAX_PAUSE_S)
        return random.uniform(ceiling / 2, ceiling)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
