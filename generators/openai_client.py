"""OpenAI-compatible async adapter: OpenAI, a vLLM server, a llama.cpp server (via base_url)."""

import asyncio
import json
import logging
import random
import re
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx
import openai
from pydantic import SecretStr

from babelforge.generators.accounting import Accounting
from babelforge.generators.breaker import Breaker, answers
from babelforge.generators.client import ChatReply, ChatRequest, TokenLogprob
from babelforge.generators.endpoint_probe import (
    StructuredWire,
    response_format,
    schema_instruction,
)
from babelforge.generators.errors import EndpointError, LLMError, TransportError
from babelforge.generators.limiter import AdaptiveLimiter
from babelforge.schemas.endpoint_config import Timeouts
from babelforge.schemas.provenance import Usage

log = logging.getLogger(__name__)

_OVERLOAD = {429, 503}
KEEPALIVE_S = 1.0  # an idle connection is reused within this, else closed (see _http_client)
_MAX_PAUSE_S = 30.0
_FATAL = {
    401: "put a valid key in the environment variable named by llm.api_key_env",
    403: "use a key that may call this model (llm.api_key_env)",
    404: "check llm.base_url (it usually ends in /v1) and llm.model "
    "(`babelforge check-endpoint URL` lists the served models)",
}
# `chat.completions.create`'s options: the client's key as a bearer token. The client posts its
# own body and parses the JSON itself: the SDK's parameter transform and ChatCompletion models
# cost about as much CPU as the HTTP exchange.
_CHAT_OPTIONS: openai.RequestOptions = {"security": {"bearer_auth": True}}
# A 5xx body that names a validation error is the server refusing the request's shape.
_VALIDATION = re.compile(r"validat|invalid|unsupported|not supported|unprocessable", re.I)


class OpenAICompatibleClient:
    """Chat completions over HTTP with bounded adaptive concurrency, retries and timeouts.

    Transient failures (429, 5xx, timeouts, dropped connections, unparseable HTTP bodies) are
    retried `max_retries` times with jittered exponential backoff, honouring Retry-After; a
    request that still fails on the way raises TransportError (its record is asked again by the
    next run). `timeouts` bounds each attempt (connect, first byte, total); the endpoint's
    circuit breaker (generators/breaker.py) gives up on a dead or hanging one sooner.
    What retrying cannot fix is not retried: 401/403/404 raise EndpointError at once (the run
    stops), 400/422 and a 5xx that repeats the same validation error raise LLMError at once
    (the record fails), and when the first `fatal_after` requests all end with the same error
    the client raises EndpointError instead, so a run does not grind through every record.
    `structured="none"` puts the schema in the prompt instead of `response_format`.
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
        timeouts: Timeouts | None = None,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        fatal_after: int = 3,
        accounting: Accounting | None = None,
    ) -> None:
        self._model = model
        self._backend = backend
        self._structured = structured
        self._timeouts = timeouts or Timeouts()
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._fatal_after = fatal_after
        self._successes = 0
        self._streak_error: str | None = None
        self._streak = 0
        self.limiter = AdaptiveLimiter(max_concurrency)
        self.accounting = accounting or Accounting()
        t = self._timeouts
        timeout = openai.Timeout(t.first_byte_s, connect=t.connect_s, pool=None)
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key.get_secret_value() if api_key else "not-needed",
            max_retries=0,
            timeout=timeout,
            http_client=_http_client(timeout),
        )
        probe_every = max(0.1, min(5.0, t.dead_after_s / 4))
        self.probe_timeout_s = max(probe_every, 2.0)
        self.breaker = Breaker(
            self.endpoint,
            lambda: answers(self.endpoint, self.probe_timeout_s),
            stall_s=t.dead_after_s,
            probe_every_s=probe_every,
        )

    @property
    def model(self) -> str:
        return self._model

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url).rstrip("/")

    async def aclose(self) -> None:
        await self.breaker.aclose()
        await self._client.close()

    async def revive(self) -> bool:
        """Whether the endpoint answers its health probe again (the breaker closes if so)."""
        return await self.breaker.revive()

    async def complete(self, request: ChatRequest) -> ChatReply:
        with self.breaker.watching():
            return await self._complete(request)

    async def _complete(self, request: ChatRequest) -> ChatReply:
        last_error = "no attempt"
        last_body: str | None = None
        on_the_way = True  # the last attempt failed in transport, not in a reply's body
        for attempt in range(self._max_retries + 1):
            async with self.limiter:
                self.breaker.check()
                self.breaker.started()
                try:
                    async with asyncio.timeout(self._timeouts.total_s):
                        response = await self._client.post(
                            "/chat/completions",
                            body=self._arguments(request),
                            cast_to=httpx.Response,
                            options=_CHAT_OPTIONS,
                        )
                    reply = self._reply(response.json())
                except openai.APIStatusError as e:
                    status, body = e.status_code, _short(e.message)
                    if status in _FATAL:
                        raise EndpointError(
                            self.endpoint, f"HTTP {status}: {body}", _FATAL[status]
                        ) from e
                    repeated = status >= 500 and body == last_body and _VALIDATION.search(body)
                    if status not in _OVERLOAD and (status < 500 or repeated):
                        self.breaker.succeeded()  # it answered: the request is at fault
                        raise self._final_failure(
                            f"refused the request (HTTP {status}): {body}"
                        ) from e
                    last_error, last_body, on_the_way = f"HTTP {status}: {body}", body, True
                    pause = self._pause(attempt, e.response)
                    if status in _OVERLOAD:  # busy, not down: the limiter backs off
                        self.limiter.overloaded(pause)
                    elif _VALIDATION.search(body):  # it answered: the request's shape is at fault
                        self.breaker.succeeded()
                    else:
                        self.breaker.failed(last_error)
                except (openai.APITimeoutError, openai.APIConnectionError, TimeoutError) as e:
                    last_error = _transport_error(e)
                    on_the_way = True
                    pause = self._pause(attempt, None)
                    self.breaker.failed(last_error)
                except (json.JSONDecodeError, openai.APIResponseValidationError, ValueError) as e:
                    last_error = f"malformed response body: {_short(str(e))}"
                    on_the_way = False
                    pause = self._pause(attempt, None)
                    self.breaker.succeeded()  # it answered: a server's bug, not an outage
                else:
                    self.breaker.succeeded()
                    self.limiter.succeeded()
                    self.accounting.add(request.stage, request.language, reply.usage)
                    self._successes += 1
                    return reply
            self.breaker.check()
            self.accounting.retries += 1
            log.info("retrying %s request in %.2fs after %s", self._backend, pause, last_error)
            await asyncio.sleep(pause)
        error = f"failed {self._max_retries + 1} times; last error: {last_error}"
        raise self._final_failure(error, transport=on_the_way)

    def _final_failure(self, error: str, transport: bool = False) -> LLMError | EndpointError:
        """The error one request ends with: a per-request LLMError (TransportError when the
        endpoint failed it on the way: the record is asked again by the next run), or an
        EndpointError once the first `fatal_after` requests of this client all failed with this
        same error."""
        if error == self._streak_error:
            self._streak += 1
        else:
            self._streak_error, self._streak = error, 1
        if self._successes == 0 and self._streak >= self._fatal_after:
            return EndpointError(self.endpoint, _short(error, 200), self._fix(error))
        kind = TransportError if transport else LLMError
        return kind(f"{self._backend} at {self.endpoint} {error}")

    def _fix(self, error: str) -> str:
        if "response_format" in error or "json_schema" in error or "schema" in error:
            return (
                f"llm.structured_output is {self._structured!r}: set it to auto (or to a mode "
                "`babelforge check-endpoint URL` lists as accepted)"
            )
        if "Connection" in error or "Timeout" in error:
            return "start the server or fix llm.base_url (and llm.timeouts)"
        return "run `babelforge check-endpoint URL --model M` and fix the llm section"

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        """The request body, keys in the order `chat.completions.create` sends them."""
        s = request.sampling
        messages: list[dict[str, str]] = [
            {"role": m.role, "content": m.content} for m in request.messages
        ]
        args: dict[str, Any] = {"model": self._model, "messages": messages}
        if request.top_logprobs:
            args["logprobs"] = True
        args["max_tokens"] = s.max_tokens
        if request.json_schema is not None:
            fmt = response_format(self._structured, request.json_schema, request.schema_name)
            if fmt:
                args["response_format"] = fmt
            else:
                last = messages[-1]
                messages[-1] = {
                    **last,
                    "content": last["content"] + schema_instruction(request.json_schema),
                }
        if s.seed is not None:
            args["seed"] = s.seed
        args["temperature"] = s.temperature
        if request.top_logprobs:
            args["top_logprobs"] = request.top_logprobs
        args["top_p"] = s.top_p
        return args

    def _reply(self, body: Any) -> ChatReply:
        """The reply in a chat-completion JSON body; ValueError when the body is not one."""
        choices = body.get("choices") if isinstance(body, dict) else None
        if not choices or not isinstance(choices, list):
            raise ValueError(f"no choices in the response: {_short(str(body))}")
        choice = choices[0]
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            raise ValueError(f"no message in the response's choice: {_short(str(choice))}")
        usage = body.get("usage") or {}
        if not isinstance(usage, dict):
            raise ValueError(f"usage is no object: {_short(str(usage))}")
        return ChatReply(
            text=message.get("content") or "",
            model=self._model,
            backend=self._backend,
            usage=Usage(
                prompt_tokens=usage.get("prompt_tokens", 0),
                completion_tokens=usage.get("completion_tokens", 0),
                requests=1,
            ),
            generated_at=datetime.now(UTC),
            finish_reason=choice.get("finish_reason"),
            logprobs=token_logprobs(choice.get("logprobs")),
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


def _http_client(timeout: openai.Timeout) -> Any:
    """The SDK's aiohttp transport (`openai[aiohttp]`) when it has one, else its default (httpx).

    Measured against the simulated server (`python -m bench.saturation --client-only`): httpx's
    connection pool scans every connection on each request it adds or removes, so its CPU per
    request grows with the concurrency; aiohttp's stays flat and is about a third of it.
    aiohttp does not probe an idle connection before reusing it, so one idle for as long as the
    server keeps it (uvicorn, under vLLM and llama.cpp's Python server: 5 s) can be closed under
    a request: idle connections are dropped after `KEEPALIVE_S` instead."""
    aiohttp_client = getattr(openai, "DefaultAioHttpClient", None)
    if aiohttp_client is None:
        return None
    defaults = openai.DEFAULT_CONNECTION_LIMITS
    limits = type(defaults)(
        max_connections=defaults.max_connections,
        max_keepalive_connections=defaults.max_keepalive_connections,
        keepalive_expiry=KEEPALIVE_S,
    )
    try:
        return aiohttp_client(timeout=timeout, limits=limits)
    except RuntimeError:  # the SDK without its aiohttp extra
        return None


def _transport_error(error: BaseException) -> str:
    """What failed on the way, named by its root cause (the aiohttp transport reports a refused
    connection as a connect timeout; the cause says which it was)."""
    root = error
    while root.__cause__ is not None:
        root = root.__cause__
    text = _short(str(root)) or _short(str(error))
    if isinstance(root, TimeoutError):
        return f"APITimeoutError: {text or 'timed out'}"
    if isinstance(root, aiohttp.ClientConnectionError | OSError):
        return f"APIConnectionError: {text}"
    return f"{type(error).__name__}: {text or 'timed out'}"


def token_logprobs(logprobs: Any) -> tuple[TokenLogprob, ...] | None:
    """The `choices[0].logprobs.content` of a reply body as records; None when the server
    sent none. ValueError when they are malformed."""
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not content:
        return None
    try:
        return tuple(
            TokenLogprob(
                token=t["token"],
                logprob=float(t["logprob"]),
                top={a["token"]: float(a["logprob"]) for a in (t.get("top_logprobs") or [])},
            )
            for t in content
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"malformed logprobs: {_short(str(content))}") from e


def _short(text: str, limit: int = 300) -> str:
    """The text on one line, cut at `limit` characters: error messages end up in one line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
