"""A small HTTP proxy in front of the real llama.cpp server that injects faults on demand.

This is the one fake the suite allows: a real server cannot produce 5xx, 429, timeouts or
malformed bodies when asked. Every fifth request (20%) gets a fault, cycling through FAULTS.
`hang_after=N` makes it an outage instead: after N replies every request, /models included,
hangs (a server that accepts connections and never answers) until `hang_after` is cleared;
`fail_every=N` answers every N-th chat request with 502 (a gateway in front of a flaky server).
"""

import asyncio
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from babelforge.generators.local_process import free_port

FAULTS = (
    "http_500",
    "http_503",
    "http_429_retry_after",
    "http_429",
    "timeout",
    "truncated_body",
    "malformed_content",
)


class FaultProxy:
    """Forwards /v1/* to `upstream`; every `every`-th request gets the next fault."""

    def __init__(
        self,
        upstream: str,
        *,
        every: int = 5,
        hang_s: float = 8.0,
        always: tuple[int, str] | None = None,
        refuse_response_format: bool = False,
        hang_after: int | None = None,
        fail_every: int | None = None,
    ) -> None:
        """`always=(status, message)` answers every chat request so (a wrong key, a model
        the server lacks); `refuse_response_format` answers 400 to any request that carries
        one (a server without structured output)."""
        self.upstream = upstream.rstrip("/")
        self.every = every
        self.hang_s = hang_s
        self.always = always
        self.refuse_response_format = refuse_response_format
        self.requests = 0
        self.injected: Counter[str] = Counter()
        self.forwarded = 0
        self.hang_after = hang_after
        self.fail_every = fail_every  # every n-th chat request answers 502
        self.answered: Counter[str] = Counter()  # replies relayed, by request body hash
        self._lock = threading.Lock()
        self.port = free_port()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _next_fault(self) -> str | None:
        with self._lock:
            self.requests += 1
            n = self.requests
            if n % self.every:
                return None
            fault = FAULTS[(n // self.every - 1) % len(FAULTS)]
            self.injected[fault] += 1
            return fault

    async def _hung_up(self, request: Request) -> bool:
        """Hang while the outage lasts; whether the client gave up meanwhile (its request is
        then dropped, never forwarded: a dead server does not answer it later either)."""
        while self.hang_after is not None and self.forwarded >= self.hang_after:
            if await request.is_disconnected():
                return True
            await asyncio.sleep(0.05)
        return False

    async def chat(self, request: Request) -> Response:
        body = await request.body()
        if await self._hung_up(request):
            return Response(status_code=499)
        refused = self.refuse_response_format and b'"response_format"' in body
        if self.always is not None or refused:
            with self._lock:
                self.requests += 1
            status, message = self.always or (400, "response_format is not supported")
            return JSONResponse({"error": {"message": message}}, status_code=status)
        fault = self._next_fault()
        if self.fail_every is not None and self.requests % self.fail_every == 0:
            return JSONResponse({"error": {"message": "bad gateway"}}, status_code=502)
        if fault == "http_500":
            return JSONResponse({"error": {"message": "injected"}}, status_code=500)
        if fault == "http_503":
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        if fault == "http_429_retry_after":
            return JSONResponse(
                {"error": {"message": "slow down"}}, status_code=429, headers={"Retry-After": "1"}
            )
        if fault == "http_429":
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429)
        if fault == "timeout":
            await asyncio.sleep(self.hang_s)
        async with httpx.AsyncClient(timeout=300) as client:
            upstream = await client.post(
                f"{self.upstream}/chat/completions",
                content=body,
                headers={"content-type": "application/json"},
            )
        self.forwarded += 1
        if upstream.status_code == 200:
            self.answered[hashlib.sha256(body).hexdigest()] += 1
        text = upstream.text
        if fault == "truncated_body":
            text = text[: len(text) // 2]
        elif fault == "malformed_content":
            data = json.loads(text)
            data["choices"][0]["message"]["content"] = '{"question": "unterminated'
            text = json.dumps(data)
        return Response(text, status_code=upstream.status_code, media_type="application/json")

    async def models(self, request: Request) -> Response:
        if await self._hung_up(request):
            return Response(status_code=499)
        async with httpx.AsyncClient() as client:
            upstream = await client.get(f"{self.upstream}/models", timeout=60)
        return Response(upstream.content, media_type="application/json")

    async def other(self, request: Request) -> Response:
        """Any other GET (a health probe of the base URL): 404 at once, unless it is down."""
        if await self._hung_up(request):
            return Response(status_code=499)
        return JSONResponse({"error": {"message": "not found"}}, status_code=404)

    @contextmanager
    def running(self) -> Iterator["FaultProxy"]:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
                Route("/{path:path}", self.other, methods=["GET"]),
            ]
        )
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)
